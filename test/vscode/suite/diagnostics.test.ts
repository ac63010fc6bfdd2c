/// <reference types="mocha" />
/** Problems-panel diagnostics with ranges on the offending JSON. */
import * as assert from 'node:assert/strict';
import * as vscode from 'vscode';
import { activate, closeAll, metric, sleep, waitCanvasTab, waitFor, workspaceFile } from './util.js';

async function diagnosticsOf(uri: vscode.Uri): Promise<vscode.Diagnostic[]> {
  return waitFor(`diagnostics for ${uri.path}`, () => {
    const ds = vscode.languages.getDiagnostics(uri).filter((d) => d.source === 'netns-lab');
    return ds.length ? ds : undefined;
  });
}

/** the range of the first occurrence of s in the document */
function rangeOf(doc: vscode.TextDocument, s: string): vscode.Range {
  const i = doc.getText().indexOf(s);
  assert.ok(i >= 0, `${s} is in the file`);
  return new vscode.Range(doc.positionAt(i), doc.positionAt(i + s.length));
}

suite('diagnostics', () => {
  suiteSetup(activate);
  teardown(closeAll);

  test('an interface name of 16 bytes is an error on that name', async () => {
    const uri = workspaceFile('broken-name.netns.json');
    const doc = await vscode.workspace.openTextDocument(uri);
    const ds = await diagnosticsOf(uri);
    const d = ds.find((x) => x.message.includes('veth1-0123456789'));
    assert.ok(d, `a diagnostic about the name, got: ${ds.map((x) => x.message).join(' | ')}`);
    assert.equal(d.severity, vscode.DiagnosticSeverity.Error);
    assert.match(d.message, /16 bytes/);
    assert.deepEqual(d.range, rangeOf(doc, '"veth1-0123456789"'));
    assert.equal(doc.getText(d.range), '"veth1-0123456789"');
  });

  test('a gateway not on a connected subnet is an error on the gateway', async () => {
    const uri = workspaceFile('broken-gateway.netns.json');
    const doc = await vscode.workspace.openTextDocument(uri);
    const ds = await diagnosticsOf(uri);
    const d = ds.find((x) => x.message.includes('10.9.9.1'));
    assert.ok(d, `a diagnostic about the gateway, got: ${ds.map((x) => x.message).join(' | ')}`);
    assert.equal(d.severity, vscode.DiagnosticSeverity.Error);
    assert.equal(doc.getText(d.range), '"10.9.9.1"');
    assert.deepEqual(d.range, rangeOf(doc, '"10.9.9.1"'));
  });

  test('diagnostics follow edits: fixing the text clears them', async () => {
    const uri = workspaceFile('broken-gateway.netns.json');
    const doc = await vscode.workspace.openTextDocument(uri);
    await diagnosticsOf(uri);
    const we = new vscode.WorkspaceEdit();
    we.replace(uri, rangeOf(doc, '"10.9.9.1"'), '"10.0.0.1"');
    assert.ok(await vscode.workspace.applyEdit(we));
    await waitFor('the diagnostics to clear', () => vscode.languages.getDiagnostics(uri).filter((d) => d.source === 'netns-lab' && d.severity === vscode.DiagnosticSeverity.Error).length === 0);
    await vscode.commands.executeCommand('vscode.open', uri);
    await vscode.commands.executeCommand('workbench.action.files.revert');
    await waitFor('the diagnostics to come back after revert', () => vscode.languages.getDiagnostics(uri).some((d) => d.source === 'netns-lab'));
  });

  test('a valid topology has no errors', async () => {
    const uri = workspaceFile('article.netns.json');
    await vscode.workspace.openTextDocument(uri);
    await new Promise((r) => setTimeout(r, 300));
    assert.deepEqual(vscode.languages.getDiagnostics(uri).filter((d) => d.source === 'netns-lab' && d.severity === vscode.DiagnosticSeverity.Error).map((d) => d.message), []);
  });

  test('a burst of edits is analysed at most once per version (canvas, Problems and live marks share it)', async () => {
    const api = await activate();
    const uri = workspaceFile('article.netns.json');
    await vscode.commands.executeCommand('vscode.open', uri);
    await waitCanvasTab(uri);
    const doc = await vscode.workspace.openTextDocument(uri);
    await sleep(500); // the canvas's first document and live marks
    const v0 = doc.version;
    const n0 = api.analyses;
    for (let i = 0; i < 20; i++) {
      const we = new vscode.WorkspaceEdit();
      we.insert(uri, doc.positionAt(doc.getText().length), '\n');
      assert.ok(await vscode.workspace.applyEdit(we));
      if (i % 5 === 4) await sleep(200); // some versions reach every timer (canvas, Problems, live marks)
    }
    await sleep(800); // and the last one too
    const versions = doc.version - v0;
    const analyses = api.analyses - n0;
    metric('burstAnalyses', `${analyses} analyses of ${versions} versions`);
    assert.equal(versions, 20);
    assert.ok(analyses >= 1, 'the last version was analysed');
    assert.ok(analyses <= versions, `${analyses} analyses of ${versions} versions`);
    await vscode.commands.executeCommand('workbench.action.files.revert');
    await waitFor('the file to be reverted', () => !doc.isDirty);
  });
});
