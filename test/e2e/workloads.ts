/**
 * Work inside the lab, E2E (issue 16): services, their logs, a `netns` task and the JavaScript
 * debugger inside a namespace, in a real VS Code (code-server, the extension installed from its
 * VSIX) in headless Chromium, inside the network sandbox of test/sandbox/run.sh.
 *
 *   open a copy of examples/web.netns.json (a web server in `server`, a client loop in `client`,
 *   both without a user: they run as root here, where root applies), Apply -> the modal lists
 *   both root commands in full; approved, it applies
 *   the Namespaces view shows `web` under `server` and `poll` under `client`, running (pid, uptime);
 *   the canvas badges both namespaces "⚙ 1 service running"
 *   Show Logs on `web` (its inline action) -> the Output panel shows the server's access log, and
 *   follows it: the client loop's requests keep arriving
 *   Stop on `poll` -> not started, nothing left in `client`, the badge says so; Start on it and
 *   Restart on `web` ask first (root services), listing the file's root commands; approved, poll
 *   runs again and web has a new pid
 *   a `netns` task of tasks.json runs `ip -br addr` in `client` -> its terminal shows web-c with
 *   10.20.0.3/24 and no interface of `server`
 *   a launch configuration with "netns": "client" runs a Node.js program under the debugger, a
 *   breakpoint set in the editor stops it, and the Variables view shows the title of the page it
 *   fetched from the server by address and its own interfaces: client's (lo, web-c), not the host's
 *   Destroy -> no namespace, no service record, no process of the lab left
 *
 * Screenshot: test-results/workloads.png and test-results/media/readme/workloads.png (copied to
 * media/readme/ with NETNS_LAB_SCREENSHOTS=1).
 *   usage: bash test/sandbox/run.sh node out/test/e2e/workloads.js      (after npm run build)
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Frame, Page } from 'playwright-core';
import { assertSandbox, listNetns, resetSandbox } from '../integration/sandbox.js';
import { BASE_SETTINGS, RESULTS, ROOT, RunDir, log as hlog, requireCodeServer, runCommand, sleep } from '../vscode/harness.js';
import { LIGHT, canvasFrame, check, confirmFromPalette, openWorkbench, passed, quickOpen, setLogTag, until, waitDrawn, waitNotification } from './ui.js';
import { expand, rowOf, shootMedia, treeRows, widenSidebar } from './ui-views.js';
import { reportFailure, watchdog } from './report.js';
import { packageAndInstall } from './vsix.js';

setLogTag('workloads');
const log = (...a: unknown[]) => hlog('workloads', ...a);
const VIEWPORT = { width: 1360, height: 820 };
const metrics: Record<string, unknown> = {};

/** the program debugged inside `client`: the page's title, fetched from the server by address */
const FETCH = [
  "const http = require('node:http');",
  "http.get('http://10.20.0.2:8080/', (res) => {",
  "  let body = '';",
  "  res.on('data', (d) => { body += d; });",
  "  res.on('end', () => {",
  "    const title = (/<title>([^<]*)<\\/title>/.exec(body) || [])[1] || body.slice(0, 60);",
  "    const ifaces = Object.keys(require('node:os').networkInterfaces()).sort().join(' ');",
  '    console.log(title);',
  '  });',
  '});',
  '',
].join('\n');
const BREAK_LINE = 8;

function workspace(dir: string): void {
  mkdirSync(join(dir, '.vscode'), { recursive: true });
  writeFileSync(join(dir, 'web.netns.json'), readFileSync(join(ROOT, 'examples', 'web.netns.json'), 'utf8').replace(/^\s*"\$schema": [^\n]*\n/m, ''));
  writeFileSync(join(dir, 'fetch.cjs'), FETCH);
  writeFileSync(join(dir, '.vscode', 'tasks.json'), JSON.stringify({
    version: '2.0.0',
    tasks: [{ label: 'addresses in client', type: 'netns', namespace: 'client', command: 'ip', args: ['-br', 'addr'], problemMatcher: [] }],
  }, null, 2));
  writeFileSync(join(dir, '.vscode', 'launch.json'), JSON.stringify({
    version: '0.2.0',
    configurations: [{ type: 'node', request: 'launch', name: 'fetch in client', netns: 'client', program: '${workspaceFolder}/fetch.cjs', console: 'internalConsole' }],
  }, null, 2));
}

/** processes of the sandbox whose command line mentions `what` */
function processesWith(what: string): number[] {
  return readdirSync('/proc').filter((d) => /^\d+$/.test(d)).filter((pid) => {
    try { return readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0').join(' ').includes(what); } catch { return false; }
  }).map(Number).filter((pid) => pid !== process.pid);
}

const nsPids = (ns: string) => spawnSync('ip', ['netns', 'pids', ns], { encoding: 'utf8' }).stdout.trim().split('\n').filter(Boolean);

/** frame-side: the label the canvas draws for a node */
const labelOf = async (frame: Frame, ref: string) => await frame.evaluate(`document.getElementById('canvas')._cyreg.cy.getElementById('n:${ref}').style('label')`) as string;

/** the text the Output panel shows now */
const outputText = async (p: Page) => (await p.locator('.part.panel .output-view .view-lines, .part.panel [id="workbench.panel.output"] .view-lines').first().innerText().catch(() => '')).replace(/\u00a0/g, ' ');

async function applyApproved(p: Page): Promise<void> {
  const text = await confirmFromPalette(p, 'Netns: Apply', 'Apply');
  check(/Commands that run as root:/.test(text) && text.includes(`service 'web' in server as root: ["python3","-m","http.server","8080"]`) && text.includes("service 'poll' in client as root: while true;"),
    'the Apply modal lists both root commands in full');
  const done = await waitNotification(p, /Applied 'web'/, 90_000);
  check(['server', 'client'].every((n) => listNetns().includes(n)), `Apply built the lab: "${done}"`);
  await runCommand(p, 'Notifications: Clear All Notifications');
}

async function servicesInView(p: Page): Promise<void> {
  await runCommand(p, 'Netns Lab: Focus on Namespaces View');
  await until('the Namespaces view to list server and client', async () => { const l = (await treeRows(p, 'Namespaces')).map((r) => r.label); return l.includes('server') && l.includes('client'); }, 30_000);
  for (const ns of ['server', 'client']) await expand(p, 'Namespaces', ns);
  const t = Date.now();
  const rows = await until('web and poll running in the view', async () => {
    const r = await treeRows(p, 'Namespaces');
    const web = r.find((x) => x.label === 'web');
    const poll = r.find((x) => x.label === 'poll');
    return web && poll && /^running · pid \d+ · up \d+ s · 0 restarts$/.test(web.description) && /^running · pid \d+/.test(poll.description) ? r : undefined;
  }, 30_000);
  metrics.servicesShownMs = Date.now() - t;
  const web = rows.find((x) => x.label === 'web')!;
  const server = rows.findIndex((x) => x.label === 'server');
  check(rows.indexOf(web) > server && web.level === 2, `web is listed under server: "${web.description}"`);
  const pid = /pid (\d+)/.exec(web.description)![1]!;
  check(nsPids('server').includes(pid), `its pid ${pid} runs inside server`);
  check(await rowOf(p, 'Namespaces', 'web').locator('.codicon-pass-filled').count() === 1, 'its state icon is the running one');
}

async function badges(p: Page): Promise<Frame> {
  await quickOpen(p, 'web.netns.json');
  const frame = await canvasFrame(p, 60_000);
  await waitDrawn(frame, 'the lab drawn', (d) => d.nodes.length >= 3, 20_000);
  const labels = await until('the service badges on the canvas', async () => {
    const l = [await labelOf(frame, 'server'), await labelOf(frame, 'client')];
    return l.every((x) => x.endsWith('\n⚙ 1 service running')) ? l : undefined;
  }, 30_000);
  check(labels[0] === 'server\n⚙ 1 service running' && labels[1] === 'client\n⚙ 1 service running', `the canvas badges both namespaces: ${JSON.stringify(labels)}`);
  return frame;
}

async function showLogs(p: Page): Promise<void> {
  await inline(p, 'web', 'Show Logs');
  const gets = (t: string) => (t.match(/"GET \/ HTTP\/1\.1" 200/g) ?? []).length;
  const first = await until('the server\'s access log in the Output panel', async () => { const t = await outputText(p); return gets(t) ? t : undefined; }, 30_000);
  check(/10\.20\.0\.3 - - \[[^\]]+\] "GET \/ HTTP\/1\.1" 200/.test(first), `the Output panel shows web's log: ${first.split('\n').find((l) => l.includes('GET'))!.trim()}`);
  // the client loop asks every 5 s: the channel follows the log as it grows
  const n0 = gets(first);
  await until('more requests in the followed log', async () => gets(await outputText(p)) > n0, 20_000);
  check(true, `the log is followed live: more than ${n0} request(s) shown since`);
}

/** an inline action of a service's row */
async function inline(p: Page, service: string, action: string): Promise<void> {
  await runCommand(p, 'Netns Lab: Focus on Namespaces View');
  const row = rowOf(p, 'Namespaces', service);
  await row.hover();
  await row.locator(`.action-label[aria-label="${action}"]`).click();
}

/** the description of a service's row once it matches */
const described = (p: Page, service: string, re: RegExp, what: string) =>
  until(what, async () => (await treeRows(p, 'Namespaces')).find((r) => r.label === service && re.test(r.description)), 30_000);

/** Stop and Start from the view; Restart of a root service asks first, listing the root commands */
async function actions(p: Page, frame: Frame): Promise<void> {
  await inline(p, 'poll', 'Stop Service');
  await described(p, 'poll', /^not started$/, 'poll stopped');
  check(nsPids('client').length === 0, 'Stop ends the client loop: no process left in client');
  const badge = await until('the canvas badge of client after the stop', async () => { const l = await labelOf(frame, 'client'); return /not started/.test(l) ? l : undefined; }, 15_000);
  check(badge === 'client\n⚙ 1 service · 1 not started', `the canvas follows: ${JSON.stringify(badge)}`);
  const webPid = /pid (\d+)/.exec((await described(p, 'web', /^running/, 'web running')).description)![1]!;
  for (const [service, verb] of [['poll', 'Start'], ['web', 'Restart']] as const) {
    await inline(p, service, `${verb} Service`);
    const dialog = p.locator('.monaco-dialog-box');
    await dialog.waitFor({ state: 'visible', timeout: 30_000 });
    const text = (await dialog.innerText()).replace(/\s+/g, ' ');
    check(text.includes(`${verb} service '${service}'`) && text.includes(`service 'web' in server as root: ["python3","-m","http.server","8080"]`) && text.includes("service 'poll' in client as root: while true;"),
      `${verb} of a root service asks first, listing the file's root commands: "${text.slice(0, 120)}…"`);
    await dialog.locator('a.monaco-button, button.monaco-button', { hasText: new RegExp(`^${verb} as Root$`) }).first().click();
    await dialog.waitFor({ state: 'hidden', timeout: 10_000 });
  }
  await described(p, 'poll', /^running · pid \d+/, 'poll running again');
  const web = await described(p, 'web', new RegExp(`^running · pid (?!${webPid} )\\d+`), 'web restarted');
  check(true, `approved, Start runs poll again and Restart gives web a new process: "${web.description}" (was pid ${webPid})`);
  await runCommand(p, 'Notifications: Clear All Notifications');
}

async function task(p: Page): Promise<void> {
  await runCommand(p, 'Tasks: Run Task', 30_000, true);
  const widget = p.locator('.quick-input-widget');
  const pick = widget.locator('.monaco-list-row', { hasText: 'addresses in client' }).first();
  await pick.waitFor({ state: 'visible', timeout: 20_000 });
  await pick.click();
  const term = p.locator('.terminal-wrapper.active');
  const out = await until('web-c with 10.20.0.3/24 in the task\'s terminal', async () => {
    const t = await term.locator('.xterm-rows').innerText().catch(() => '');
    return /web-c@\S+\s+UP\s+10\.20\.0\.3\/24/.test(t) ? t : undefined;
  }, 30_000);
  check(!/web-s/.test(out), `the netns task ran inside client (its interfaces only): ${out.split('\n').filter((l) => /^\S+\s+(UP|DOWN|UNKNOWN)/.test(l.trim())).map((l) => l.trim().replace(/\s+/g, ' ')).join(' | ')}`);
}

async function debug(p: Page): Promise<void> {
  await quickOpen(p, 'fetch.cjs');
  const editor = p.locator('.part.editor .monaco-editor').filter({ hasText: 'http.get' }).first();
  await editor.waitFor({ timeout: 20_000 });
  await editor.locator('.view-lines').click();
  await runCommand(p, 'Go to Line/Column...', 30_000, true);
  await p.keyboard.type(String(BREAK_LINE));
  await p.keyboard.press('Enter');
  await p.keyboard.press('F9');
  await until('the breakpoint in the gutter', async () => (await editor.locator('.codicon-debug-breakpoint').count()) > 0, 10_000);
  const t = Date.now();
  await runCommand(p, 'Debug: Start Debugging');
  const vars = await until('the Variables view at the breakpoint', async () => {
    const rows = await p.locator('.debug-pane .monaco-list-row, .debug-view-content .monaco-list-row').allInnerTexts().catch(() => []);
    const joined = rows.map((r) => r.replace(/\s+/g, ' ').trim());
    return joined.some((r) => /^title\s*[:=]?\s*'Directory listing for \/'/.test(r)) && joined.some((r) => /^ifaces\b/.test(r)) ? joined : undefined;
  }, 60_000);
  metrics.breakpointMs = Date.now() - t;
  check(true, `stopped at line ${BREAK_LINE}; the Variables view shows the page's title fetched from the server: ${vars.find((r) => r.startsWith('title'))}`);
  const ifaces = vars.find((r) => r.startsWith('ifaces'))!;
  check(/'lo web-c'/.test(ifaces), `the program runs inside client (its interfaces are client's, not the host's): ${ifaces}`);
  const stopped = await p.locator('.debug-top-stack-frame-line, .debug-focused-stack-frame-line').count();
  check(stopped > 0, 'the editor marks the line it stopped on');
  await runCommand(p, 'Debug: Stop');
  await until('the debug session to end', async () => (await p.locator('.debug-toolbar').filter({ visible: true }).count()) === 0, 20_000);
  await until('the debuggee gone', () => processesWith('fetch.cjs').length === 0, 20_000, 200);
  check(true, 'Debug: Stop ends the program: no process of it is left');
}

async function destroy(p: Page): Promise<void> {
  await quickOpen(p, 'web.netns.json');
  await canvasFrame(p, 30_000);
  await confirmFromPalette(p, 'Netns: Destroy', 'Destroy');
  const done = await waitNotification(p, /Destroyed 'web'/, 90_000);
  check(/nothing is left/.test(done), `Destroy reports: "${done}"`);
  check(!listNetns().some((n) => n === 'server' || n === 'client'), 'no namespace of the lab is left');
  check(!existsSync('/run/netns-lab/services/web'), 'no service record or log of the lab is left');
  await until('no process of the lab left', () => processesWith('http.server').length === 0 && processesWith('--supervise web').length === 0, 10_000, 200);
  check(true, 'no process of the lab is left (server, client loop, supervisors)');
}

async function main(): Promise<number> {
  assertSandbox();
  requireCodeServer();
  const t0 = Date.now();
  mkdirSync(RESULTS, { recursive: true });
  for (const f of ['workloads.png', 'workloads-failure.png']) rmSync(join(RESULTS, f), { force: true });
  const run = new RunDir('workloads');
  let page: Page | undefined;
  let ok = false;
  const limit = watchdog('workloads', 420_000, () => run.close().finally(() => resetSandbox()));
  try {
    check(/successfully installed/i.test(packageAndInstall(ROOT, run).installed), 'code-server installs the VSIX');
    const ws = run.path('workspace');
    workspace(ws);
    run.writeSettings(run.path('user-data'), { ...BASE_SETTINGS, 'workbench.colorTheme': LIGHT });
    const p = await openWorkbench(run, ws, VIEWPORT, (x) => { page = x; });

    await quickOpen(p, 'web.netns.json');
    await waitDrawn(await canvasFrame(p, 60_000), 'the lab drawn', (d) => d.nodes.length >= 3, 20_000);
    await applyApproved(p);
    await servicesInView(p);
    const frame = await badges(p);
    await showLogs(p);
    await widenSidebar(p, 440);
    await frame.getByRole('button', { name: 'Fit', exact: true }).click().catch(() => undefined);
    await p.mouse.move(VIEWPORT.width - 5, VIEWPORT.height - 40);
    await sleep(300); // the last frame settles before the picture
    await p.screenshot({ path: join(RESULTS, 'workloads.png') });
    await shootMedia(p, 'readme/workloads.png');
    await actions(p, frame);
    await task(p);
    await debug(p);
    await destroy(p);
    ok = true;
  } catch (e) {
    await reportFailure('workloads', e, page, {
      canvas: 'find', namespaces: listNetns, logs: { 'code-server log': run.path('code-server.log') }, userData: run.path('user-data'),
      more: page ? { 'Namespaces view': async () => JSON.stringify(await treeRows(page!, 'Namespaces')), 'Output panel': async () => (await outputText(page!)).slice(-2000) } : {},
    });
  } finally {
    clearTimeout(limit);
    await run.close();
    await resetSandbox().catch((e: unknown) => console.error('[workloads] reset of the sandbox failed', e));
  }
  metrics.totalMs = Date.now() - t0;
  writeFileSync(join(RESULTS, 'e2e-workloads.json'), JSON.stringify({ ok, checks: passed.count, metrics }, null, 2) + '\n');
  log(`${ok ? 'WORKLOADS E2E OK' : 'WORKLOADS E2E FAILED'} in ${(Number(metrics.totalMs) / 1000).toFixed(1)} s`);
  console.log(`e2e-workloads: ${passed.count} passed, ${ok ? 0 : 1} failed`);
  return ok ? 0 : 1;
}

main().then((code) => process.exit(code), (e: unknown) => { console.error(e); process.exit(1); });
