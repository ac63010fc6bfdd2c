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

suite('diagnostics follow files', () => {
  suiteSetup(activate);
  teardown(closeAll);

  const ours = (uri: vscode.Uri) => vscode.languages.getDiagnostics(uri).filter((d) => d.source === 'netns-lab');

  test('a file renamed and then deleted keeps no problems under its old names (issue 15: a stale "file is empty")', async () => {
    const first = workspaceFile('moved-a.netns.json');
    const second = workspaceFile('moved-b.netns.json');
    await vscode.workspace.fs.writeFile(first, new Uint8Array());
    await vscode.workspace.openTextDocument(first);
    const ds = await diagnosticsOf(first);
    assert.match(ds.map((d) => d.message).join(' | '), /empty/);
    const move = new vscode.WorkspaceEdit();
    move.renameFile(first, second);
    assert.ok(await vscode.workspace.applyEdit(move));
    await waitFor('no problems on the old name', () => ours(first).length === 0);
    const del = new vscode.WorkspaceEdit();
    del.deleteFile(second);
    assert.ok(await vscode.workspace.applyEdit(del));
    await waitFor('no problems on the deleted file', () => ours(second).length === 0);
    assert.deepEqual(ours(first), []);
  });

  test('an edit just before an untitled document closes does not bring its problems back after the close', async () => {
    const uri = vscode.Uri.from({ scheme: 'untitled', path: '/closing-soon.netns.json' });
    const doc = await vscode.workspace.openTextDocument(uri);
    await vscode.window.showTextDocument(doc);
    const e = new vscode.WorkspaceEdit();
    e.insert(uri, new vscode.Position(0, 0), '{"version": 1, "name": "x", "links": [{}]}');
    assert.ok(await vscode.workspace.applyEdit(e));
    // the update after an edit is debounced (150 ms): close before it runs
    await vscode.commands.executeCommand('workbench.action.revertAndCloseActiveEditor');
    await waitFor('the document closed', () => doc.isClosed, 5000);
    await new Promise((r) => setTimeout(r, 500));
    assert.deepEqual(ours(uri), [], 'no problems for a closed document');
  });

  test('"New Topology" given a name and a place writes that file with that name and opens it', async () => {
    const uri = workspaceFile('fresh-start.netns.json');
    try {
      await vscode.commands.executeCommand('netnsLab.newTopology', { name: 'fresh', uri });
      const text = new TextDecoder().decode(await vscode.workspace.fs.readFile(uri));
      assert.equal((JSON.parse(text) as { name: string }).name, 'fresh');
      await waitFor('the canvas tab', () => vscode.window.tabGroups.all.flatMap((g) => g.tabs)
        .some((t) => t.input instanceof vscode.TabInputCustom && t.input.uri.toString() === uri.toString()));
    } finally {
      await closeAll();
      await vscode.workspace.fs.delete(uri).then(undefined, () => undefined);
    }
  });
});
