/// <reference types="mocha" />
/** The canvas editor in a real VS Code: custom editor, gestures as edits, VS Code's undo/redo. */
import * as assert from 'node:assert/strict';
import * as vscode from 'vscode';
import { activate, closeAll, metric, nextChange, waitCanvasTab, workspaceFile, type Api } from './util.js';

suite('canvas editor', () => {
  let api: Api;
  const article = () => workspaceFile('article.netns.json');

  suiteSetup(async () => {
    api = await activate();
  });
  teardown(closeAll);

  test('activation returns the test API', () => {
    assert.equal(typeof api.applyGesture, 'function');
    assert.ok(vscode.extensions.getExtension('netns-lab.netns-lab')?.isActive);
  });

  test('*.netns.json opens in the custom editor netnsLab.topology', async () => {
    const t0 = performance.now();
    await vscode.commands.executeCommand('vscode.open', article());
    const tab = await waitCanvasTab(article());
    metric('openCanvasTabMs', Math.round(performance.now() - t0));
    assert.ok(tab instanceof vscode.TabInputCustom);
    assert.equal(tab.viewType, 'netnsLab.topology');
    assert.equal(tab.uri.toString(), article().toString());
  });

  test('a 100-namespace file opens in the canvas (timed)', async () => {
    const uri = workspaceFile('lan100.netns.json');
    let t0 = performance.now();
    const doc = await vscode.workspace.openTextDocument(uri);
    metric('lan100OpenTextDocumentMs', Math.round(performance.now() - t0));
    assert.equal((JSON.parse(doc.getText()) as { namespaces: unknown[] }).namespaces.length, 100);
    t0 = performance.now();
    await vscode.commands.executeCommand('vscode.open', uri);
    await waitCanvasTab(uri);
    metric('lan100CanvasTabMs', Math.round(performance.now() - t0));
  });

  test('a canvas edit + undo + redo round-trips the text exactly', async () => {
    await vscode.commands.executeCommand('vscode.open', article());
    await waitCanvasTab(article());
    const doc = await vscode.workspace.openTextDocument(article());
    const original = doc.getText();
    assert.equal(doc.isDirty, false);

    // gesture 1: a namespace from the palette
    let changed = nextChange(doc);
    let r = await api.applyGesture(doc, { kind: 'add-node', node: 'namespace', position: { x: 600, y: 340 } });
    assert.ok(r.ok, r.message);
    const afterAdd = await changed;
    assert.notEqual(afterAdd, original);
    const added = JSON.parse(afterAdd) as { namespaces: { name: string; position: unknown }[] };
    assert.deepEqual(added.namespaces.at(-1), { name: 'ns3', position: { x: 600, y: 340 } });
    assert.equal(doc.isDirty, true);

    // gesture 2: move the bridge
    changed = nextChange(doc);
    r = await api.applyGesture(doc, { kind: 'move', moves: [{ node: 'br0', position: { x: 321.4, y: 219.6 } }] });
    assert.ok(r.ok, r.message);
    const afterMove = await changed;
    assert.deepEqual((JSON.parse(afterMove) as { bridges: { position: unknown }[] }).bridges[0]!.position, { x: 321, y: 220 });
    // nothing else changed
    const strip = (t: string) => { const v = JSON.parse(t) as { bridges: { position?: unknown }[] }; delete v.bridges[0]!.position; return v; };
    assert.deepEqual(strip(afterMove), strip(afterAdd));

    // VS Code's own undo and redo (the canvas is the active editor)
    await waitCanvasTab(article());
    changed = nextChange(doc);
    await vscode.commands.executeCommand('undo');
    assert.equal(await changed, afterAdd);
    changed = nextChange(doc);
    await vscode.commands.executeCommand('undo');
    assert.equal(await changed, original);
    assert.equal(doc.getText(), original);
    changed = nextChange(doc);
    await vscode.commands.executeCommand('redo');
    assert.equal(await changed, afterAdd);
    changed = nextChange(doc);
    await vscode.commands.executeCommand('redo');
    assert.equal(await changed, afterMove);
    assert.equal(doc.getText(), afterMove);

    // leave the file as it was, not dirty
    changed = nextChange(doc);
    await vscode.commands.executeCommand('workbench.action.files.revert');
    assert.equal(await changed, original);
    assert.equal(doc.isDirty, false);
  });

  test('a gesture that would add an error is refused and changes nothing', async () => {
    const doc = await vscode.workspace.openTextDocument(article());
    const before = doc.getText();
    const r = await api.applyGesture(doc, { kind: 'rename', from: 'ns1', to: 'ns2' });
    assert.equal(r.ok, false);
    assert.ok(r.message);
    assert.equal(doc.getText(), before);
    assert.equal(doc.isDirty, false);
  });

  test('two gestures sent at once both land in the file (issue 15 item 5: no edit dropped)', async () => {
    await vscode.commands.executeCommand('vscode.open', article());
    await waitCanvasTab(article());
    const doc = await vscode.workspace.openTextDocument(article());
    const before = doc.getText();
    // the first edit is early in the file and moves every offset after it
    const [r1, r2] = await Promise.all([
      api.applyGesture(doc, { kind: 'set', target: { type: 'namespace', name: 'ns1' }, field: 'note', value: 'the first of two quick edits' }),
      api.applyGesture(doc, { kind: 'set', target: { type: 'link', index: 1 }, field: 'mtu', value: 1400 }),
    ]);
    assert.ok(r1.ok && r2.ok, `${r1.message ?? ''} ${r2.message ?? ''}`);
    const t = JSON.parse(doc.getText()) as { namespaces: { name: string; note?: string }[]; links: { mtu?: number }[] };
    assert.equal(t.namespaces.find((n) => n.name === 'ns1')?.note, 'the first of two quick edits');
    assert.equal(t.links[1]?.mtu, 1400);
    const changed = nextChange(doc);
    await vscode.commands.executeCommand('workbench.action.files.revert');
    assert.equal(await changed, before);
  });

  test('a gesture refused for the error it adds is made when the person insists (renumbering in steps)', async () => {
    await vscode.commands.executeCommand('vscode.open', article());
    await waitCanvasTab(article());
    const doc = await vscode.workspace.openTextDocument(article());
    const before = doc.getText();
    const g = { kind: 'set', target: { type: 'link', index: 0, side: 'a' }, field: 'addresses', value: ['10.5.0.2/24'] };
    const refused = await api.applyGesture(doc, g) as { ok: boolean; insistable?: boolean };
    assert.equal(refused.ok, false);
    assert.equal(refused.insistable, true, 'the refusal says insisting would make it');
    assert.equal(doc.getText(), before);
    const insist = api.applyGesture as unknown as (d: vscode.TextDocument, g: unknown, insist: boolean) => Promise<{ ok: boolean }>;
    assert.ok((await insist(doc, g, true)).ok);
    assert.match(doc.getText(), /10\.5\.0\.2\/24/);
    // a gesture the edits reject stays refused, insisting or not
    assert.equal((await insist(doc, { kind: 'rename', from: 'nope', to: 'x' }, true)).ok, false);
    const changed = nextChange(doc);
    await vscode.commands.executeCommand('workbench.action.files.revert');
    assert.equal(await changed, before);
  });

  test('"Netns: New Topology" with a name and no place opens an untitled *.netns.json of that name in the canvas', async () => {
    await vscode.commands.executeCommand('netnsLab.newTopology', { name: 'mylab' });
    const tab = await waitCanvasTab();
    assert.equal(tab.uri.scheme, 'untitled');
    assert.match(tab.uri.path, /\.netns\.json$/);
    const doc = vscode.workspace.textDocuments.find((d) => d.uri.toString() === tab.uri.toString());
    assert.ok(doc, 'the untitled document is open');
    const t = JSON.parse(doc.getText()) as { version: number; name: string };
    assert.equal(t.version, 1);
    assert.equal(t.name, 'mylab');
    assert.match(tab.uri.path, /\/mylab\.netns\.json$/);
    // a gesture works on the untitled document too
    const api2 = await activate();
    const changed = nextChange(doc);
    assert.ok((await api2.applyGesture(doc, { kind: 'add-node', node: 'bridge', position: { x: 10, y: 10 } })).ok);
    assert.match(await changed, /"br0"/);
    await vscode.commands.executeCommand('workbench.action.revertAndCloseActiveEditor');
  });
});
