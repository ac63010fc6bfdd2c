/// <reference types="mocha" />
/**
 * Open as Netns Lab Topology: a containerlab file and a Kathará lab in the workspace become
 * NAME.netns.json beside them, opened on the canvas, with the import report beside it (lines
 * linked to their source lines) and the reported constructs as Problems on the sources.
 */
import * as assert from 'node:assert/strict';
import * as vscode from 'vscode';
import { VIEW_TYPE, activate, closeAll, waitFor, workspaceFile } from './util.js';

const canvasOn = (uri: vscode.Uri) => vscode.window.tabGroups.all.flatMap((g) => g.tabs)
  .find((t) => t.input instanceof vscode.TabInputCustom && t.input.viewType === VIEW_TYPE && t.input.uri.toString() === uri.toString());

suite('import other tools\' labs', () => {
  suiteSetup(activate);
  teardown(closeAll);

  test('a *.clab.yml opens as a topology on the canvas, with its report beside it', async () => {
    const src = workspaceFile('labs/office.clab.yml');
    await vscode.window.showTextDocument(await vscode.workspace.openTextDocument(src));
    const lenses = await vscode.commands.executeCommand<vscode.CodeLens[]>('vscode.executeCodeLensProvider', src, 1);
    assert.ok(lenses.some((l) => l.command?.command === 'netnsLab.openLabAsTopology'), 'the CodeLens offers it');
    const out = await vscode.commands.executeCommand<vscode.Uri>('netnsLab.openLabAsTopology', src, { overwrite: true });
    assert.equal(out?.toString(), workspaceFile('labs/office.netns.json').toString());
    const t = JSON.parse(new TextDecoder().decode(await vscode.workspace.fs.readFile(out))) as { name: string; namespaces: { name: string }[] };
    assert.equal(t.name, 'office');
    assert.deepEqual(t.namespaces.map((n) => n.name), ['router', 'pc1', 'pc2', 'srv']);
    await waitFor('the canvas on office.netns.json', () => canvasOn(out));
    const report = await waitFor('the report beside it', () => vscode.window.visibleTextEditors.find((e) => e.document.uri.scheme === 'netns-lab-import-report'));
    const text = report.document.getText();
    assert.match(text, /\*\*reported\*\* \[office\.clab\.yml:59\]\(file:\/\/[^)]*office\.clab\.yml#L59\) node srv: exec: 'systemctl start nginx'/);
    const problems = vscode.languages.getDiagnostics(src);
    assert.ok(problems.some((d) => d.range.start.line === 63 && /binds/.test(d.message) && d.severity === vscode.DiagnosticSeverity.Warning), 'binds is a warning on its line');
  });

  test('a Kathará lab.conf opens as a topology of its folder', async () => {
    const conf = workspaceFile('labs/campus/lab.conf');
    const out = await vscode.commands.executeCommand<vscode.Uri>('netnsLab.openLabAsTopology', conf, { overwrite: true });
    assert.equal(out?.toString(), workspaceFile('labs/campus/campus.netns.json').toString());
    await waitFor('the canvas on campus.netns.json', () => canvasOn(out));
    const problems = vscode.languages.getDiagnostics(workspaceFile('labs/campus/r1.startup'));
    assert.ok(problems.some((d) => d.range.start.line === 4 && /frr/.test(d.message)), 'the init.d line is reported on its line');
  });
});
