/// <reference types="mocha" />
/**
 * Services in VS Code (issue 16), against the real helper in the sandbox: the article (without
 * its uplink) with a web server in ns2 and a short-lived job in ns1, both as nobody, applied with
 * the CLI. The Namespaces view lists each service under its namespace with its state; Stop,
 * Start and Restart change it (the process ends, comes back with a new pid); Show Logs follows
 * the log; the job that exited with code 3 is an error in Problems on its name in the file, gone
 * once it runs again.
 */
import * as assert from 'node:assert/strict';
import { execFileSync, spawnSync } from 'node:child_process';
import { readFileSync, rmSync, writeFileSync } from 'node:fs';
import * as path from 'node:path';
import * as vscode from 'vscode';
import { EXTENSION_ID, activate, waitFor, workspaceFile } from './util.js';

type Node = { type: string; ns?: string | null; topo?: string; name?: string };
interface Services { refresh(): Promise<void> }
interface Logs { following(t: { topo: string; ns: string; name: string }): boolean }
interface Api { live: { reload(): Promise<void> }; services: Services; serviceLogs: Logs; trees: { namespaces: vscode.TreeDataProvider<Node> } }

const cli = () => path.join(vscode.extensions.getExtension(EXTENSION_ID)!.extensionPath, 'dist', 'cli.js');
const runCli = (args: string[]) => execFileSync(process.execPath, [cli(), ...args], { encoding: 'utf8', env: { ...process.env, ELECTRON_RUN_AS_NODE: '1' } });
const pidsIn = (ns: string) => spawnSync('ip', ['netns', 'pids', ns], { encoding: 'utf8' }).stdout.trim().split('\n').filter(Boolean);
const FILE = 'svc-lab.netns.json';

function labFile(): string {
  const t = JSON.parse(readFileSync(workspaceFile('article.netns.json').fsPath, 'utf8')) as { name: string; host: Record<string, unknown>; namespaces: Record<string, unknown>[] };
  t.name = 'svclab';
  t.host = {};
  for (const n of t.namespaces) { delete n.internet; delete n.dns; }
  t.namespaces[0]!.services = [{ name: 'job', command: 'echo job started in ns1; sleep 4; exit 3', user: 'nobody' }];
  t.namespaces[1]!.services = [{ name: 'web', command: ['python3', '-m', 'http.server', '8080'], user: 'nobody', cwd: '/tmp', ready: { tcp: 8080 } }];
  const file = workspaceFile(FILE).fsPath;
  writeFileSync(file, JSON.stringify(t, null, 2));
  return file;
}

suite('services in the Namespaces view, Show Logs and Problems', () => {
  let api: Api;
  let lab = '';
  const tree = () => api.trees.namespaces;
  /** the service node under a namespace, and its tree item, after a fresh read */
  async function find(ns: string, name: string): Promise<{ node: Node; item: vscode.TreeItem } | undefined> {
    await api.services.refresh();
    const node = ((await tree().getChildren({ type: 'ns', ns })) ?? []).find((k) => k.type === 'svc' && k.name === name);
    return node && { node, item: await tree().getTreeItem(node) };
  }
  async function item(ns: string, name: string): Promise<{ node: Node; item: vscode.TreeItem }> {
    const x = await find(ns, name);
    assert.ok(x, `${name} under ${ns}: ${JSON.stringify(await tree().getChildren({ type: 'ns', ns }))}`);
    return x;
  }
  const until = (what: string, ns: string, name: string, pred: (i: vscode.TreeItem) => boolean, ms = 30_000) =>
    waitFor(what, async () => { const x = await find(ns, name); return x && pred(x.item) ? x : undefined; }, ms);

  suiteSetup(async function () {
    this.timeout(120_000);
    api = await activate() as unknown as Api;
    lab = labFile();
    runCli(['apply', lab]);
    await api.live.reload();
  });
  suiteTeardown(function () {
    this.timeout(60_000);
    if (lab) runCli(['destroy', lab]);
    rmSync(workspaceFile(FILE).fsPath, { force: true });
  });

  test('each service shows under its namespace, with its state, pid, uptime, restarts, command and user', async function () {
    this.timeout(60_000);
    const { item: web } = await until('web running under ns2', 'ns2', 'web', (i) => i.contextValue === 'service.running');
    assert.match(String(web.description), /^running · pid \d+ · up \d+ s · 0 restarts$/);
    assert.equal((web.iconPath as vscode.ThemeIcon).id, 'pass-filled');
    assert.equal(((web.iconPath as vscode.ThemeIcon).color as vscode.ThemeColor).id, 'testing.iconPassed');
    // (Markdown-escaped: the file's text is never Markdown)
    const tip = (web.tooltip as vscode.MarkdownString).value.replace(/\\(.)/g, '$1');
    assert.ok(tip.includes('command: ["python3","-m","http.server","8080"]'), tip);
    assert.match(tip, /user: nobody/);
    const pid = Number(/pid (\d+)/.exec(String(web.description))![1]);
    assert.ok(pidsIn('ns2').includes(String(pid)), 'that pid runs in ns2');
    const ns2 = (await tree().getChildren({ type: 'ns', ns: 'ns2' }))!.map((k) => k.type);
    assert.deepEqual(ns2.slice(-2), ['svc', 'routes'], 'services after the interfaces, before the routes');
    assert.deepEqual((await tree().getChildren({ type: 'ns', ns: null }))!.filter((k) => k.type === 'svc'), [], 'the host has none');
  });

  test('a service that exited is in Problems, on its name in the file, naming its exit code', async function () {
    this.timeout(60_000);
    const { item: job } = await until('job exited under ns1', 'ns1', 'job', (i) => i.contextValue === 'service.exited');
    assert.equal(job.description, 'exited (code 3) · 0 restarts');
    assert.equal((job.iconPath as vscode.ThemeIcon).id, 'error');
    const uri = workspaceFile(FILE);
    const d = await waitFor('the Problems entry', () => vscode.languages.getDiagnostics(uri).find((x) => x.code === 'service-exited'));
    assert.equal(d.severity, vscode.DiagnosticSeverity.Error);
    assert.equal(d.source, 'netns-lab services');
    assert.match(d.message, /^Service 'job' in ns1 exited with code 3;/);
    const doc = await vscode.workspace.openTextDocument(uri);
    assert.equal(doc.getText(d.range), '"job"');
  });

  test('Start runs an exited one again (its Problems entry goes); Show Logs follows its log while its channel is shown', async function () {
    this.timeout(60_000);
    const { node } = await item('ns1', 'job');
    await vscode.commands.executeCommand('netnsLab.startService', node);
    await until('job running again', 'ns1', 'job', (i) => i.contextValue === 'service.running', 10_000);
    await waitFor('the Problems entry gone', () => !vscode.languages.getDiagnostics(workspaceFile(FILE)).some((x) => x.code === 'service-exited'));
    await vscode.commands.executeCommand('netnsLab.showServiceLogs', node);
    assert.equal(api.serviceLogs.following({ topo: 'svclab', ns: 'ns1', name: 'job' }), true);
    const out = await waitFor('the log in an Output channel document', () => vscode.workspace.textDocuments.find((d) => d.uri.scheme === 'output' && /job started in ns1/.test(d.getText())), 15_000);
    // another channel in the Output panel: this one stops following; Show Logs follows it again
    await waitFor('the log\'s channel shown', () => vscode.window.visibleTextEditors.some((e) => e.document.uri.toString() === out.uri.toString()));
    const other = vscode.window.createOutputChannel('Netns Lab test: another channel');
    other.show(true);
    await waitFor('the follow to stop once the channel is hidden', () => !api.serviceLogs.following({ topo: 'svclab', ns: 'ns1', name: 'job' }), 10_000);
    other.dispose();
    await vscode.commands.executeCommand('netnsLab.showServiceLogs', node);
    assert.equal(api.serviceLogs.following({ topo: 'svclab', ns: 'ns1', name: 'job' }), true, 'Show Logs again follows again');
  });

  test('Stop ends the service (nothing left of it in ns2); Start brings it back; Restart gives it a new pid', async function () {
    this.timeout(90_000);
    const { node, item: before } = await item('ns2', 'web');
    const pid = /pid (\d+)/.exec(String(before.description))![1]!;
    await vscode.commands.executeCommand('netnsLab.stopService', node);
    const { item: stopped } = await until('web stopped', 'ns2', 'web', (i) => i.contextValue === 'service.not-started', 10_000);
    assert.equal(stopped.description, 'not started');
    assert.ok(!pidsIn('ns2').includes(pid), `pid ${pid} is gone from ns2`);
    await vscode.commands.executeCommand('netnsLab.startService', node);
    const { item: started } = await until('web running', 'ns2', 'web', (i) => i.contextValue === 'service.running', 20_000);
    const pid2 = /pid (\d+)/.exec(String(started.description))![1]!;
    assert.notEqual(pid2, pid);
    await vscode.commands.executeCommand('netnsLab.restartService', node);
    const { item: restarted } = await until('web restarted', 'ns2', 'web', (i) => i.contextValue === 'service.running' && !String(i.description).includes(`pid ${pid2} `), 20_000);
    assert.ok(pidsIn('ns2').includes(/pid (\d+)/.exec(String(restarted.description))![1]!));
    assert.ok(!pidsIn('ns2').includes(pid2), 'the old one ended');
  });
});
