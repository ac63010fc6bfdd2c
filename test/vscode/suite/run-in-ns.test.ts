/// <reference types="mocha" />
/**
 * Work inside the lab: a `netns` task from tasks.json runs inside ns1 (its output and exit code
 * are the command's), and a Node.js program launched under VS Code's JavaScript debugger with
 * `"netns": "ns1"` stops at a breakpoint where a variable holds what only ns1 sees (veth1's
 * 10.0.0.2, its own network namespace); after the session nothing is left in ns1.
 * The article (without its uplink: the sandbox has none) is applied with the CLI first.
 */
import * as assert from 'node:assert/strict';
import { execFileSync, spawnSync } from 'node:child_process';
import { readFileSync, rmSync, statSync, writeFileSync, mkdirSync } from 'node:fs';
import * as path from 'node:path';
import * as vscode from 'vscode';
import { EXTENSION_ID, activate, waitFor, workspaceFile } from './util.js';

const cli = () => path.join(vscode.extensions.getExtension(EXTENSION_ID)!.extensionPath, 'dist', 'cli.js');
const runCli = (args: string[]) => execFileSync(process.execPath, [cli(), ...args], { encoding: 'utf8', env: { ...process.env, ELECTRON_RUN_AS_NODE: '1' } });
const pidsIn = (ns: string) => spawnSync('ip', ['netns', 'pids', ns], { encoding: 'utf8' }).stdout.trim();

function labFile(): string {
  const t = JSON.parse(readFileSync(workspaceFile('article.netns.json').fsPath, 'utf8')) as { name: string; host: Record<string, unknown>; namespaces: Record<string, unknown>[] };
  t.name = 'runin';
  t.host = {};
  for (const n of t.namespaces) { delete n.internet; delete n.dns; }
  const file = workspaceFile('runin-lab.netns.json').fsPath;
  writeFileSync(file, JSON.stringify(t, null, 2));
  return file;
}

async function runTask(label: string): Promise<number | undefined> {
  const task = await waitFor(`the netns task '${label}' from tasks.json`, async () => (await vscode.tasks.fetchTasks({ type: 'netns' })).find((t) => t.name === label), 30_000);
  const ended = new Promise<number | undefined>((resolve) => {
    const sub = vscode.tasks.onDidEndTaskProcess((e) => { if (e.execution.task.name === label) { sub.dispose(); resolve(e.exitCode); } });
  });
  await vscode.tasks.executeTask(task);
  return ended;
}

suite('run and debug inside a namespace', () => {
  let lab = '';
  const out = () => workspaceFile('ns1-addr.txt').fsPath;
  suiteSetup(async function () {
    this.timeout(120_000);
    await activate();
    lab = labFile();
    runCli(['apply', lab]);
    mkdirSync(workspaceFile('.vscode').fsPath, { recursive: true });
    writeFileSync(workspaceFile('.vscode/tasks.json').fsPath, JSON.stringify({
      version: '2.0.0',
      tasks: [
        { label: 'addr in ns1', type: 'netns', namespace: 'ns1', command: 'sh', args: ['-c', `ip -br addr > ${out()}`] },
        { label: 'fails in ns1', type: 'netns', namespace: 'ns1', command: 'sh', args: ['-c', 'exit 3'] },
      ],
    }, null, 2));
  });
  suiteTeardown(function () {
    this.timeout(60_000);
    if (lab) runCli(['destroy', lab]);
    for (const f of ['.vscode', 'ns1-addr.txt', 'runin-lab.netns.json', 'where.cjs', 'where.sh', 'where.out']) rmSync(workspaceFile(f).fsPath, { recursive: true, force: true });
  });

  test('Run in Namespace… runs a script inside the namespace picked', async function () {
    this.timeout(90_000);
    const script = workspaceFile('where.sh');
    const mark = workspaceFile('where.out').fsPath;
    writeFileSync(script.fsPath, `readlink /proc/self/ns/net > ${mark}\nexit 5\n`);
    const ended = new Promise<number | undefined>((resolve) => {
      const sub = vscode.tasks.onDidEndTaskProcess((e) => { if (e.execution.task.name === 'where.sh in ns2') { sub.dispose(); resolve(e.exitCode); } });
    });
    await vscode.commands.executeCommand('netnsLab.runInNamespace', script, 'ns2');
    assert.equal(await ended, 5, 'the script\'s exit code');
    assert.equal(readFileSync(mark, 'utf8').trim(), `net:[${statSync('/run/netns/ns2').ino}]`);
  });

  test('a netns task from tasks.json runs inside ns1, with the command\'s output and exit code', async function () {
    this.timeout(90_000);
    assert.equal(await runTask('addr in ns1'), 0);
    const text = readFileSync(out(), 'utf8');
    assert.match(text, /^veth1@\S+\s+UP\s+10\.0\.0\.2\/24/m, text);
    assert.doesNotMatch(text, /veth2/, 'ns2\'s interface is not in ns1');
    assert.equal(await runTask('fails in ns1'), 3);
  });

  const launches: [string, (prog: string) => Record<string, unknown>][] = [
    ['"netns": "ns1"', (prog) => ({ netns: 'ns1', program: prog })],
    ['"runtimeExecutable": netns-lab exec ns1 -- node', (prog) => ({ runtimeExecutable: cli(), runtimeArgs: ['exec', 'ns1', '--', 'node'], program: prog })],
  ];
  for (const [how, launch] of launches) test(`a node launch with ${how} stops at a breakpoint inside ns1, and ends with nothing left there`, async function () {
    this.timeout(120_000);
    const prog = workspaceFile('where.cjs');
    writeFileSync(prog.fsPath, [
      "const os = require('node:os');",
      "const addrs = Object.values(os.networkInterfaces()).flat().map((a) => a.address).join(' ');",
      "const netns = require('node:fs').readlinkSync('/proc/self/ns/net');",
      'console.log(addrs, netns);',
      '',
    ].join('\n'));
    const bp = new vscode.SourceBreakpoint(new vscode.Location(prog, new vscode.Position(3, 0)));
    vscode.debug.addBreakpoints([bp]);
    let stopped: { session: vscode.DebugSession; threadId: number } | undefined;
    const tracker = vscode.debug.registerDebugAdapterTrackerFactory('*', {
      createDebugAdapterTracker: (session) => ({
        onDidSendMessage: (m: { type?: string; event?: string; body?: { threadId?: number; output?: string } }) => {
          if (m.type === 'event' && m.event === 'output') output.push(String(m.body?.output));
          if (m.type === 'event' && m.event === 'stopped' && m.body?.threadId !== undefined) stopped = { session, threadId: m.body.threadId };
        },
      }),
    });
    const output: string[] = [];
    const sessions: vscode.DebugSession[] = [];
    const started = vscode.debug.onDidStartDebugSession((s) => sessions.push(s));
    try {
      const folder = vscode.workspace.workspaceFolders![0]!;
      assert.ok(await vscode.debug.startDebugging(folder, { type: 'node', request: 'launch', name: 'where in ns1', console: 'internalConsole', ...launch(prog.fsPath) }), 'the session starts');
      const at = await waitFor('the breakpoint to be hit', () => stopped, 60_000).catch((e: Error) => { throw new Error(`${e.message}; debug output: ${output.join('')}`); });
      const { stackFrames } = await at.session.customRequest('stackTrace', { threadId: at.threadId }) as { stackFrames: { id: number; line: number; source?: { path?: string } }[] };
      assert.equal(stackFrames[0]!.line, 4, 'stopped on the breakpoint line');
      const evaluate = async (expression: string) => (await at.session.customRequest('evaluate', { expression, frameId: stackFrames[0]!.id, context: 'repl' }) as { result: string }).result;
      const addrs = await evaluate('addrs');
      assert.match(addrs, /(^|[ '"])10\.0\.0\.2([ '"]|$)/, `the program sees veth1's address: ${addrs}`);
      assert.doesNotMatch(addrs, /10\.0\.0\.3/, 'not ns2\'s');
      assert.equal(await evaluate('netns'), `'net:[${statSync('/run/netns/ns1').ino}]'`, 'the program runs in ns1\'s network namespace');
      assert.notEqual(pidsIn('ns1'), '', 'the debuggee is a process in ns1 while it is stopped');
      const root = sessions.find((s) => !s.parentSession) ?? at.session;
      const ended = new Promise<void>((r) => { const sub = vscode.debug.onDidTerminateDebugSession((s) => { if (s.id === root.id) { sub.dispose(); r(); } }); });
      await vscode.debug.stopDebugging(root);
      await ended;
      await waitFor('no process left in ns1', () => pidsIn('ns1') === '', 20_000);
    } finally {
      tracker.dispose();
      started.dispose();
      vscode.debug.removeBreakpoints([bp]);
    }
  });
});
