/// <reference types="mocha" />
/**
 * A file with `hosts` in VS Code (issue 19): Show Plan, Apply and Destroy go through the
 * multi-host orchestration to every host (here a recorded engine: one fake helper per host,
 * the real 3-host harness is the CLI's integration test), the Namespaces view gets a level per
 * remote host, and Open Terminal on a remote namespace opens ssh.
 */
import * as assert from 'node:assert/strict';
import * as vscode from 'vscode';
import { EXTENSION_ID, activate, closeAll, waitFor, workspaceFile } from './util.js';

interface Host { name: string; ssh?: string }
type Fake = Record<string, (...a: unknown[]) => Promise<unknown>>;
interface Testing { connect?: (h: Host) => Promise<Fake>; answer?: (message: string) => string | undefined }
type Node = { type: string; host?: string; ns?: string; topology?: string };
interface TestApi { multiHostTesting: Testing; trees: { namespaces: vscode.TreeDataProvider<Node> } }

const LAB = {
  version: 1, name: 'mhvs',
  hosts: [{ name: 'b', ssh: 'root@192.0.2.2' }, { name: 'c', ssh: 'root@192.0.2.3' }],
  namespaces: [{ name: 'r1', on: 'b' }, { name: 'r2', on: 'c' }, { name: 'r3', on: 'b' }],
  links: [{ a: { node: 'r1', name: 'eth0', addresses: ['10.77.0.1/24'] }, b: { node: 'r2', name: 'eth0', addresses: ['10.77.0.2/24'] } }],
};

const plan = (host: string) => ({
  steps: [{ phase: 1, step: { op: 'netns-add', name: `x-${host}` }, summary: `add namespace x-${host}` }],
  errors: [], objects: [{ kind: 'namespace', name: `x-${host}`, scope: null, state: 'missing' }],
  digest: host[0]!.repeat(64), rootCommands: [], rootDigest: '0'.repeat(64),
});
const done = { steps: 1, processes: 1, durationMs: 5, remaining: [] };
const ns = (name: string) => ({ name, owner: 'mhvs', links: [{ name: 'eth0', kind: 'vxlan', up: true, operstate: 'UP', addresses: [{ cidr: '10.77.0.1/24', family: 4, scope: 'global' }] }], routes: [], sysctls: {} });

suite('labs across hosts', () => {
  let api: TestApi;
  const log: string[] = [];
  const asked: string[] = [];
  const uri = workspaceFile('mhvs.netns.json');

  suiteSetup(async () => {
    await activate();
    api = vscode.extensions.getExtension(EXTENSION_ID)!.exports as TestApi;
    api.multiHostTesting.connect = async (h) => {
      log.push(`${h.name} connect`);
      if (h.name === 'c' && log.includes('c down')) throw new Error('cannot reach host c (root@192.0.2.3) (Connection refused)');
      const rec = (op: string, result: unknown) => async (p?: unknown) => { log.push(`${h.name} ${op}${p && typeof p === 'object' && 'expect' in p ? ` ${(p as { expect: { digest: string } }).expect.digest.slice(0, 3)}` : ''}`); return result; };
      return {
        plan: rec('plan', plan(h.name)), apply: rec('apply', done), destroy: rec('destroy', done), services: rec('services', { services: [] }),
        observe: rec('observe', { host: { name: null, links: [], routes: [], sysctls: {} }, namespaces: h.name === 'b' ? [ns('r1'), ns('r3')] : h.name === 'c' ? [ns('r2')] : [], firewall: { filter: {}, nat: {} } }),
        probeIcmp: async (p: unknown) => {
          const q = p as { ns: string; targets: string[] };
          log.push(`${h.name} probeIcmp ${q.ns} ${q.targets.join(',')}`);
          return { results: q.targets.map((target) => ({ target, ok: true, rttMs: 0.1 })) };
        },
        cancelRunning: async () => undefined, close: async () => undefined,
      };
    };
    api.multiHostTesting.answer = (m) => { asked.push(m); return m.startsWith('Apply') ? 'Apply' : m.startsWith('Destroy') ? 'Destroy' : undefined; };
    await vscode.workspace.fs.writeFile(uri, new TextEncoder().encode(JSON.stringify(LAB, null, 2)));
  });
  suiteTeardown(async () => {
    delete api.multiHostTesting.connect;
    delete api.multiHostTesting.answer;
    await vscode.workspace.fs.delete(uri).then(undefined, () => undefined);
  });
  setup(() => { log.length = 0; asked.length = 0; });
  teardown(closeAll);

  test('Show Plan: every host\'s steps, host by host; nothing applied', async () => {
    await vscode.commands.executeCommand('netnsLab.showPlan', uri);
    const editor = await waitFor('the plan editor', () => vscode.window.visibleTextEditors.find((e) => e.document.uri.path === '/mhvs.plan.sh'), 30_000);
    const text = editor.document.getText();
    assert.match(text, /^#!\/bin\/bash\n# Plan for 'mhvs' across 3 host\(s\): 3 step\(s\), dry run/);
    for (const h of ['local', 'b', 'c']) assert.match(text, new RegExp(`^# == host ${h}: 1 step\\(s\\)\\n(.*\\n)*?ip netns add x-${h}$`, 'm'), text);
    assert.ok(!log.some((l) => / apply/.test(l)), log.join('\n'));
  });

  test('Apply: asked once with every host\'s steps, then each host applies exactly its own plan', async () => {
    await vscode.commands.executeCommand('netnsLab.apply', uri);
    assert.deepEqual(asked, ["Apply 3 change(s) of 'mhvs' on 3 host(s)?"]);
    assert.deepEqual(log.filter((l) => l.includes(' apply')).sort(), ['b apply bbb', 'c apply ccc', 'local apply lll']);
    // every plan before any apply
    assert.ok(log.findIndex((l) => l.includes(' apply')) > log.lastIndexOf('c plan'));
  });

  test('Apply not confirmed: no host changes', async () => {
    api.multiHostTesting.answer = (m) => { asked.push(m); return undefined; };
    try {
      await vscode.commands.executeCommand('netnsLab.apply', uri);
    } finally { api.multiHostTesting.answer = (m) => { asked.push(m); return m.startsWith('Apply') ? 'Apply' : m.startsWith('Destroy') ? 'Destroy' : undefined; }; }
    assert.equal(asked.length, 1);
    assert.ok(!log.some((l) => l.includes(' apply')), log.join('\n'));
  });

  test('Destroy: every host, not only this machine; an unreachable one is tried and named', async () => {
    log.push('c down');
    await vscode.commands.executeCommand('netnsLab.destroy', uri);
    assert.match(asked[0]!, /^Destroy everything topology 'mhvs' owns on its 3 hosts \(local, b, c\)\?$/);
    assert.deepEqual(log.filter((l) => l.includes(' destroy')).sort(), ['b destroy', 'local destroy']);
    assert.ok(log.includes('c connect'), log.join('\n'));
  });

  test('Test Connectivity: each namespace probed through its own host\'s helper', async () => {
    await vscode.commands.executeCommand('netnsLab.testConnectivity', uri);
    assert.deepEqual(log.filter((l) => l.includes('probeIcmp')).sort(), ['b probeIcmp r1 10.77.0.2', 'c probeIcmp r2 10.77.0.1']);
  });

  test('Namespaces view: a level per remote host after Refresh, with its namespaces; Open Terminal there runs ssh -t', async () => {
    await vscode.commands.executeCommand('netnsLab.refresh');
    const tree = api.trees.namespaces;
    const roots = await waitFor('the remote hosts', async () => {
      const r = ((await tree.getChildren()) ?? []).filter((n) => n.type === 'rhost');
      return r.length === 2 ? r : undefined;
    }, 20_000);
    assert.deepEqual(roots.map((n) => n.host), ['b', 'c']);
    const item = await tree.getTreeItem(roots[0]!);
    assert.equal(item.label, 'host b');
    const onB = (await tree.getChildren(roots[0]!)) ?? [];
    assert.deepEqual(onB.map((n) => `${n.type} ${n.ns}`), ['rns r1', 'rns r3']);
    assert.equal((await tree.getTreeItem(onB[0]!)).contextValue, 'namespace.remote');
    const opened = new Promise<vscode.Terminal>((r) => { const d = vscode.window.onDidOpenTerminal((t) => { d.dispose(); r(t); }); });
    await vscode.commands.executeCommand('netnsLab.openTerminal', onB[0]);
    const t = await opened;
    try {
      assert.equal(t.name, 'r1@b');
      const o = t.creationOptions as vscode.TerminalOptions;
      assert.equal(o.shellPath, 'ssh');
      const args = o.shellArgs as string[];
      assert.equal(args[0], '-t');
      assert.deepEqual(args.slice(args.indexOf('--')), ['--', 'root@192.0.2.2', `'/usr/bin/node' '/usr/local/lib/netns-lab/helper-${(vscode.extensions.getExtension(EXTENSION_ID)!.packageJSON as { version: string }).version}.js' --shell 'r1'`]);
    } finally { t.dispose(); }
  });
});
