/// <reference types="mocha" />
/**
 * Lab tests in the Test Explorer (issue 18), in a real VS Code with the real helper in the
 * sandbox: a two-namespace lab without `expect`; before it is applied, Record and a run say it
 * does not run; applied, Record writes the matrix into the file as one edit (undo gives the text
 * back byte for byte) and the Test Explorer lists one item per entry at its line; a run passes
 * them; one end unplugged by hand, the run fails the test towards it with the hop at the entry's
 * line; a link the file keeps down fails with a fix in the file, and the fix command edits it.
 */
import * as assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import * as vscode from 'vscode';
import { EXTENSION_ID, activate, closeAll, setText, waitFor, workspaceFile } from './util.js';

interface Outcome { status: string; message?: string; line?: number; fix?: string }
interface LabApi {
  labTests: {
    items: { ctrl: vscode.TestController };
    run(request: vscode.TestRunRequest, token: vscode.CancellationToken): Promise<void>;
    outcomes: Map<string, Outcome>;
  };
}

const NAMES = ['ltA', 'ltB'];
function lab(up = true): string {
  return `${JSON.stringify({
    version: 1, name: 'labtst',
    namespaces: NAMES.map((name, i) => ({ name, position: { x: 100 + 200 * i, y: 100 } })),
    links: [{ a: { node: NAMES[0], name: 'eth0', addresses: ['10.78.0.1/30'] }, b: { node: NAMES[1], name: 'eth0', addresses: ['10.78.0.2/30'] }, ...(up ? {} : { up: false }) }],
  }, null, 2)}\n`;
}


suite('lab tests in the Test Explorer', () => {
  let api: LabApi;
  let uri: vscode.Uri;
  let doc: vscode.TextDocument;
  const config = () => vscode.workspace.getConfiguration('netnsLab');
  const fileItem = () => api.labTests.items.ctrl.items.get(uri.toString());
  const children = () => { const out: vscode.TestItem[] = []; fileItem()?.children.forEach((c) => out.push(c)); return out; };
  const runAll = async () => {
    const src = new vscode.CancellationTokenSource();
    await api.labTests.run(new vscode.TestRunRequest([fileItem()!]), src.token);
    src.dispose();
    return children().map((c) => ({ label: c.label, ...api.labTests.outcomes.get(c.id)! }));
  };

  suiteSetup(async () => {
    await activate();
    api = vscode.extensions.getExtension<LabApi>(EXTENSION_ID)!.exports;
    await config().update('confirmApply', false, vscode.ConfigurationTarget.Global);
    uri = workspaceFile('labtst.netns.json');
    await vscode.workspace.fs.writeFile(uri, new TextEncoder().encode(lab()));
    doc = await vscode.workspace.openTextDocument(uri);
    await vscode.window.showTextDocument(doc);
  });
  suiteTeardown(async () => {
    await config().update('confirmApply', undefined, vscode.ConfigurationTarget.Global);
    await closeAll();
    for (const n of NAMES) spawnSync('ip', ['netns', 'del', n]);
  });

  test('not applied: Record refuses and says so, nothing is written; a run says the lab does not run, nothing probed', async () => {
    assert.equal(fileItem(), undefined, 'a file without expect has no test item');
    const n = await vscode.commands.executeCommand('netnsLab.recordLabTests', uri);
    assert.equal(n, undefined);
    assert.equal(doc.getText(), lab());
    const other = workspaceFile('labtst2.netns.json');
    const t = JSON.parse(lab()) as Record<string, unknown>;
    t.name = 'labtst2';
    t.expect = [{ kind: 'reach', from: 'ltA', to: 'ltB', ok: true }];
    await vscode.workspace.fs.writeFile(other, new TextEncoder().encode(JSON.stringify(t)));
    const item = await waitFor('the item of labtst2', () => api.labTests.items.ctrl.items.get(other.toString()));
    const src = new vscode.CancellationTokenSource();
    await api.labTests.run(new vscode.TestRunRequest([item]), src.token);
    let child: vscode.TestItem | undefined;
    item.children.forEach((c) => { child = c; });
    const o = api.labTests.outcomes.get(child!.id)!;
    assert.equal(o.status, 'errored');
    assert.equal(o.message, "'labtst2' does not run on this machine: apply it first (Netns: Apply), then run its tests.");
    await vscode.workspace.fs.delete(other);
    await waitFor('the item of a deleted file gone', () => !api.labTests.items.ctrl.items.get(other.toString()));
    // a lab across hosts: refused with the way that works (the CLI), nothing probed here
    t.name = 'labtst3';
    t.hosts = [{ name: 'local', underlay: '192.0.2.1' }, { name: 'far', ssh: 'root@192.0.2.9' }];
    (t.namespaces as { name: string; on?: string }[])[1]!.on = 'far';
    const multi = workspaceFile('labtst3.netns.json');
    await vscode.workspace.fs.writeFile(multi, new TextEncoder().encode(JSON.stringify(t)));
    const mItem = await waitFor('the item of labtst3', () => api.labTests.items.ctrl.items.get(multi.toString()));
    await api.labTests.run(new vscode.TestRunRequest([mItem]), src.token);
    let mChild: vscode.TestItem | undefined;
    mItem.children.forEach((c) => { mChild = c; });
    const mo = api.labTests.outcomes.get(mChild!.id)!;
    assert.equal(mo.status, 'errored', mo.message);
    assert.match(mo.message ?? '', /^'labtst3' spans several hosts: run its tests with `netns-lab test FILE`/);
    await vscode.workspace.fs.delete(multi);
  });

  test('applied: Record writes the matrix as one edit; the items follow at their lines; undo restores the text byte for byte', async function () {
    this.timeout(120_000);
    await vscode.commands.executeCommand('netnsLab.apply', uri);
    await waitFor('ltA and ltB on the machine', () => spawnSync('ip', ['netns', 'list'], { encoding: 'utf8' }).stdout.includes('ltB'), 30_000);
    const before = doc.getText();
    const n = await vscode.commands.executeCommand<number>('netnsLab.recordLabTests', uri);
    assert.equal(n, 2, doc.getText());
    assert.match(doc.getText(), /"expect": \[\n {4}\{ "kind": "reach", "from": "ltA", "to": "ltB", "ok": true \},\n {4}\{ "kind": "reach", "from": "ltB", "to": "ltA", "ok": true \}\n {2}\]/);
    const items = await waitFor('two test items', () => (children().length === 2 ? children() : undefined));
    assert.deepEqual(items.map((c) => c.label).sort(), ['ltA → ltB icmp', 'ltB → ltA icmp']);
    const lines = doc.getText().split('\n');
    for (const c of items) assert.ok(lines[c.range!.start.line]!.includes(`"from": "${c.label.split(' ')[0]}"`), `${c.label} at its line`);
    // recording again adds nothing
    assert.equal(await vscode.commands.executeCommand('netnsLab.recordLabTests', uri), 0);
    await vscode.window.showTextDocument(doc);
    await vscode.commands.executeCommand('undo');
    assert.equal(doc.getText(), before, 'one undo takes the whole recording back');
    await vscode.commands.executeCommand('redo');
    await doc.save();
  });

  test('a run cancelled at once: every test skipped, none left running', async function () {
    this.timeout(60_000);
    const src = new vscode.CancellationTokenSource();
    const running = api.labTests.run(new vscode.TestRunRequest([fileItem()!]), src.token);
    src.cancel();
    await running;
    const statuses = children().map((c) => api.labTests.outcomes.get(c.id)?.status);
    assert.ok(statuses.every((s) => s === 'skipped' || s === 'passed'), `cancelled: ${statuses.join(', ')}`);
    assert.ok(statuses.includes('skipped'), 'at least the ones not answered yet are skipped');
  });

  test('a run passes them; ltB unplugged by hand, the test towards it fails at its line, naming the hop', async function () {
    this.timeout(120_000);
    const ok = await runAll();
    assert.deepEqual(ok.map((o) => [o.label, o.status]).sort(), [['ltA → ltB icmp', 'passed'], ['ltB → ltA icmp', 'passed']]);
    spawnSync('ip', ['-n', 'ltB', 'link', 'set', 'eth0', 'down']);
    const bad = await runAll();
    const toB = bad.find((o) => o.label === 'ltA → ltB icmp')!;
    assert.equal(toB.status, 'failed');
    assert.match(toB.message!, /ltA cannot reach 10\.78\.0\.2/);
    assert.match(toB.message!, /Where it breaks: the other end of eth0 \(eth0 in ltB\) is down: packets from ltA stop at ltA/);
    assert.equal(toB.fix, 'live', 'the file has the link up: the fix is the live state');
    assert.ok(doc.lineAt(toB.line!).text.includes('"from": "ltA"'), 'the message points at the entry');
  });

  test('a link the file keeps down: the failure carries a fix in the file, and the fix command takes "up": false out', async function () {
    this.timeout(120_000);
    const t = JSON.parse(doc.getText()) as { links: { up?: boolean }[] };
    t.links[0]!.up = false;
    await setText(doc, `${JSON.stringify(t, null, 2)}\n`);
    await vscode.commands.executeCommand('netnsLab.apply', uri);
    const bad = await runAll();
    const toB = bad.find((o) => o.label === 'ltA → ltB icmp')!;
    assert.equal(toB.status, 'failed');
    assert.equal(toB.fix, 'file', toB.message);
    assert.match(toB.message!, /bring the link of eth0 in ltA up \(the file keeps it down: "up": false\)/);
    const item = children().find((c) => c.label === 'ltA → ltB icmp')!;
    assert.equal(await vscode.commands.executeCommand('netnsLab.fixLabTest', { test: item, preview: false }), true);
    await waitFor('the file without "up": false', () => !doc.getText().includes('"up": false'));
    await vscode.commands.executeCommand('netnsLab.apply', uri);
    const again = await runAll();
    assert.deepEqual(again.map((o) => o.status), ['passed', 'passed']);
  });
});
