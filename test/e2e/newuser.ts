/**
 * New-user E2E (issue 15, tasks 1-3): a person starts from nothing in a real VS Code (code-server,
 * the extension installed from its VSIX) in headless Chromium, inside the network sandbox of
 * test/sandbox/run.sh.
 *
 *   F1 "Netns: New Topology" -> a name typed in the quick input, the place accepted in the save
 *      dialog -> the file exists with that name and opens on the canvas
 *   a router and two namespaces from the palette, each namespace linked to the router (link mode)
 *   each namespace's default route via the router's address on its link, proposed by the link
 *   Ctrl+S, Apply (confirmed) -> the namespaces exist; Test Connectivity -> every pair reached
 *   (another topology already runs ns1 and ns2: the palette proposes ns3 and ns4; Validate says
 *   it checked the machine; at the end a file declaring ns1 is refused by Validate, in full)
 *   a terminal in ns3 (its shell holds it) -> Destroy: the modal lists the process and offers to
 *   end it -> "Destroyed ... nothing is left", no namespace, no veth, the terminal closed and its
 *   processes gone, a fresh CLI status says not applied
 *
 *   usage: bash test/sandbox/run.sh node out/test/e2e/newuser.js      (after npm run build)
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Frame, Page } from 'playwright-core';
import { CLI, assertSandbox, hostLinks, listNetns, resetSandbox } from '../integration/sandbox.js';
import { BASE_SETTINGS, ROOT, RunDir, log as hlog, pidsWithEnv, requireCodeServer, runCommand, sleep } from '../vscode/harness.js';
import {
  LIGHT, canvasFrame, check, confirmFromPalette, drawn, emptySpot, linked, node, openWorkbench, passed, quickOpen, readMatrix, refs, setLogTag, until, waitDrawn, waitNotification,
  type Drawn,
} from './ui.js';
import { reportFailure, watchdog } from './report.js';
import { packageVsix } from './vsix.js';

setLogTag('newuser');
const log = (...a: unknown[]) => hlog('newuser', ...a);
const NAME = 'mylab';

interface TopoFile {
  name: string;
  namespaces: { name: string; sysctls?: Record<string, unknown>; routes?: { to: string; via: string }[] }[];
  links: { a: { node: string; addresses?: string[] }; b: { node: string; addresses?: string[] } }[];
}

/** a node from the palette, placed by a click on an empty spot; its name */
async function addFromPalette(p: Page, frame: Frame, kind: 'namespace' | 'router'): Promise<string> {
  const d0 = await drawn(frame);
  const before = new Set(refs(d0));
  await frame.getByRole('button', { name: `Add ${kind}` }).click();
  const spot = await emptySpot(frame, d0);
  await p.mouse.click(spot.x, spot.y);
  const d = await waitDrawn(frame, `a new ${kind}`, (x) => x.nodes.length === d0.nodes.length + 1);
  return refs(d).find((r) => !before.has(r))!;
}

/** a link between two drawn nodes in link mode */
async function linkNodes(p: Page, frame: Frame, a: string, b: string): Promise<Drawn> {
  await frame.getByRole('button', { name: 'Link mode' }).click();
  let d = await drawn(frame);
  await p.mouse.click(node(d, a).x, node(d, a).y);
  await p.mouse.click(node(d, b).x, node(d, b).y);
  d = await waitDrawn(frame, `a link ${a}-${b}`, (x) => linked(x, a, b), 10_000);
  await p.keyboard.press('Escape');
  return d;
}

function readTopology(file: string): TopoFile | undefined {
  try { return JSON.parse(readFileSync(file, 'utf8')) as TopoFile; } catch { return undefined; }
}

/** the router's address on the link to ns (without the prefix length) */
function routerAddressTo(t: TopoFile, router: string, ns: string): string | undefined {
  const l = t.links.find((x) => (x.a.node === ns && x.b.node === router) || (x.b.node === ns && x.a.node === router));
  const end = l && (l.a.node === router ? l.a : l.b);
  return end?.addresses?.[0]?.split('/')[0];
}

async function main(): Promise<number> {
  assertSandbox();
  requireCodeServer();
  const t0 = Date.now();
  const run = new RunDir('newuser');
  let page: Page | undefined;
  let frame: Frame | undefined;
  let ok = false;
  const limit = watchdog('newuser', 300_000, () => run.close().finally(() => resetSandbox()));
  try {
    await resetSandbox();
    // another topology already runs ns1 and ns2 (the issue: the palette proposed them anyway)
    const other = run.path('other.netns.json');
    writeFileSync(other, JSON.stringify({ version: 1, name: 'other', namespaces: [{ name: 'ns1' }, { name: 'ns2' }] }));
    const pre = spawnSync(process.execPath, [CLI, 'apply', other], { encoding: 'utf8' });
    check(pre.status === 0, `another topology runs ns1 and ns2 (${pre.stderr.trim().split('\n').pop()})`);
    const version = (JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { version: string }).version;
    const vsix = packageVsix(ROOT, run.path(`netns-lab-${version}.vsix`));
    check(/successfully installed/i.test(run.codeServerCli(['--install-extension', vsix.path])), 'code-server installs the VSIX');
    const ws = run.path('workspace');
    mkdirSync(ws, { recursive: true });
    writeFileSync(join(ws, 'clash.netns.json'), JSON.stringify({ version: 1, name: 'clash', namespaces: [{ name: 'ns1' }] }, null, 2));
    run.writeSettings(run.path('user-data'), { ...BASE_SETTINGS, 'workbench.colorTheme': LIGHT });
    page = await openWorkbench(run, ws, { width: 1360, height: 860 });
    const p = page;

    // 1. New Topology: a name in the quick input, the place in the save dialog
    await runCommand(p, 'Netns: New Topology', 30_000, true);
    const widget = p.locator('.quick-input-widget');
    const input = widget.locator('.quick-input-box input');
    await until('the name prompt', async () => /name/i.test(await widget.innerText().catch(() => '')), 15_000);
    await input.fill('bad name!');
    await until('the name refused as typed', async () => /letters, digits|character/i.test(await widget.innerText()), 5000);
    check(true, 'New Topology checks the name as it is typed ("bad name!" is refused)');
    await input.fill(NAME);
    await sleep(200);
    await input.press('Enter');
    // the save dialog (code-server: VS Code's simple file dialog, a quick input with the path)
    await until('the save dialog with the proposed file', async () => (await input.inputValue().catch(() => '')).endsWith(`${NAME}.netns.json`), 15_000);
    check(true, `the save dialog proposes ${await input.inputValue()}`);
    await input.press('Enter');
    const file = join(ws, `${NAME}.netns.json`);
    await until('the file written', () => existsSync(file), 15_000);
    check(readTopology(file)?.name === NAME, `${NAME}.netns.json is written with "name": "${NAME}"`);
    frame = await canvasFrame(p, 60_000);
    await waitDrawn(frame, 'the empty canvas', (x) => x.nodes.length === 0, 20_000);

    // 2. a router and two namespaces, linked to it; their default routes via the router (by hand, in the panel)
    const router = await addFromPalette(p, frame, 'router');
    const a = await addFromPalette(p, frame, 'namespace');
    const b = await addFromPalette(p, frame, 'namespace');
    check(router === 'r1' && a === 'ns3' && b === 'ns4', `the palette proposes ${router}, ${a}, ${b}: not ns1/ns2, which run from another topology`);
    await linkNodes(p, frame, a, router);
    await linkNodes(p, frame, b, router);
    await p.keyboard.press('Control+S');
    const t1 = await until('the file saved with both links', () => { const t = readTopology(file); return t && t.links.length === 2 ? t : undefined; }, 15_000);
    check(t1.namespaces.find((n) => n.name === router)?.sysctls?.['net.ipv4.ip_forward'] === 1, `${router} forwards (net.ipv4.ip_forward = 1)`);
    // linking a namespace without a default route to a router proposes "default via" the
    // router's address on that link (issue 15 item 3): nothing to type in the panel
    for (const ns of [a, b]) {
      const via = routerAddressTo(t1, router, ns);
      check(via, `the link ${ns}-${router} gave ${router} an address (${via ?? 'none'})`);
      const route = t1.namespaces.find((n) => n.name === ns)?.routes?.find((r) => r.to === 'default');
      check(route?.via === via, `linking ${ns} to ${router} proposed "default via ${via}" (got ${route ? JSON.stringify(route) : 'no default route'})`);
    }

    await runCommand(p, 'Netns: Validate');
    const valid = await waitNotification(p, new RegExp(`${NAME} is valid`), 30_000);
    check(/no clash with objects on this machine/.test(valid), `Validate checks the machine too: "${valid}"`);
    await runCommand(p, 'Notifications: Clear All Notifications');

    // 3. Apply, Test Connectivity
    await confirmFromPalette(p, 'Netns: Apply', 'Apply');
    await waitNotification(p, new RegExp(`Applied '${NAME}'`), 60_000);
    check([a, b, router].every((n) => listNetns().includes(n)), `Apply built ${[a, b, router].join(', ')}`);
    await runCommand(p, 'Notifications: Clear All Notifications');
    await runCommand(p, 'Netns: Test Connectivity');
    const m = await until('every pair reached', async () => { const x = await readMatrix(p); return /^(\d+) of \1 reachable/.test(x.summary) ? x : undefined; }, 60_000);
    check(m.cells.length >= 2, `Test Connectivity: "${m.summary}" (${m.cells.map((c) => `${c.from}>${c.to}`).join(' ')})`);

    // 4. a terminal in ns1, then Destroy: the process is listed and ended, nothing is left
    await runCommand(p, 'Netns: Open Terminal in Namespace', 30_000, true);
    const pick = widget.locator('.monaco-list-row', { has: p.locator('.label-name', { hasText: new RegExp(`^${a}$`) }) }).first();
    await pick.waitFor({ state: 'visible', timeout: 15_000 });
    await pick.click();
    const term = p.locator('.terminal-wrapper.active');
    await until(`a prompt with (${a}) in the terminal`, async () => (await term.locator('.xterm-rows').innerText()).includes(`(${a})`), 20_000);
    check(pidsWithEnv('NETNS_LAB_NS', a).length >= 1, `the terminal's shell runs in ${a}`);
    await runCommand(p, 'Notifications: Clear All Notifications');
    const held = await confirmFromPalette(p, 'Netns: Destroy', 'Destroy').then(async () => {
      const dialog = p.locator('.monaco-dialog-box');
      await dialog.waitFor({ state: 'visible', timeout: 30_000 });
      const text = (await dialog.innerText()).replace(/\s+/g, ' ').trim();
      await dialog.locator('a.monaco-button, button.monaco-button', { hasText: /^End \d+ process\(es\) and destroy$/ }).first().click();
      await dialog.waitFor({ state: 'hidden', timeout: 10_000 });
      return text;
    });
    check(new RegExp(`still running inside '${NAME}' \\(${a}\\)`).test(held) && new RegExp(`${a} pid \\d+ \\S+ `).test(held),
      `Destroy names the processes that hold ${a} (namespace, pid, user, command): "${held.slice(0, 200)}"`);
    const done = await waitNotification(p, new RegExp(`Destroyed '${NAME}'`), 60_000);
    check(/nothing is left/.test(done) && /Closed \d+ terminal/.test(done), `Destroy reports: "${done}"`);
    check(![a, b, router].some((n) => listNetns().includes(n)), `no namespace of ${NAME} is left (${listNetns().join(', ') || 'none'})`);
    check(hostLinks().every((l) => l === 'lo'), `no veth is left in the host (${hostLinks().join(', ')})`);
    await until('the terminal\'s processes gone', () => pidsWithEnv('NETNS_LAB_NS', a).length === 0, 10_000, 100);
    const tabs = (await p.locator('.part.panel .single-terminal-tab, .part.panel .terminal-tabs-entry').allInnerTexts()).join(' ');
    check(!new RegExp(`\\b${a}\\b`).test(tabs), `the terminal in ${a} is closed (terminal tabs: "${tabs.trim()}")`);
    const status = spawnSync(process.execPath, [CLI, 'status', file, '--json'], { encoding: 'utf8' });
    check(!/"in-sync"|"drifted"|"unowned-clash"/.test(status.stdout), `a fresh CLI status finds nothing of ${NAME}`);

    // 5. Validate reports a clash with the machine as Apply would, in full behind "Show Details"
    await runCommand(p, 'View: Close All Editors');
    await quickOpen(p, 'clash.netns.json');
    await canvasFrame(p, 60_000);
    await runCommand(p, 'Netns: Validate');
    const toast = p.locator('.notifications-toasts .notification-toast', { hasText: /Apply would be refused on this machine/ }).first();
    await toast.waitFor({ state: 'visible', timeout: 30_000 });
    await toast.locator('a.monaco-button, button.monaco-button', { hasText: /^Show Details$/ }).first().click();
    const modal = p.locator('.monaco-dialog-box');
    await modal.waitFor({ state: 'visible', timeout: 10_000 });
    const full = (await modal.innerText()).replace(/\s+/g, ' ');
    check(/namespace 'ns1' already exists and is owned by topology 'other'/.test(full), `Validate: the clash in full (Show Details): "${full.slice(0, 240)}"`);
    await modal.locator('a.monaco-button, button.monaco-button', { hasText: /^OK$/ }).first().click();
    ok = true;
  } catch (e) {
    await reportFailure('newuser', e, page, { canvas: frame, namespaces: listNetns, logs: { 'code-server log': run.path('code-server.log') }, userData: run.path('user-data') });
  } finally {
    clearTimeout(limit);
    await run.close();
    await resetSandbox().catch((e: unknown) => console.error('[newuser] reset of the sandbox failed', e));
  }
  log(`${ok ? 'NEW USER E2E OK' : 'NEW USER E2E FAILED'} in ${((Date.now() - t0) / 1000).toFixed(1)} s`);
  console.log(`e2e-newuser: ${passed.count} passed, ${ok ? 0 : 1} failed`);
  return ok ? 0 : 1;
}

main().then((code) => process.exit(code), (e: unknown) => { console.error(e); process.exit(1); });
