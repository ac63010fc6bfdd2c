/**
 * Live-state E2E (issue 5): the Netns Lab views, the live canvas and a terminal inside a
 * namespace, in a real VS Code (code-server, the extension installed from its VSIX) in headless
 * Chromium, inside the network sandbox of test/sandbox/run.sh.
 *
 *   open a copy of examples/article.netns.json, Apply it from the palette
 *   -> the canvas marks both links live-up; the Namespaces view lists host, ns1, ns2, and ns1
 *      expanded shows veth1 up with 10.0.0.2/24
 *   `ip -n ns1 link set veth1 down` run here, outside VS Code -> veth1 turns down in the tree and
 *   the link ns1-br0 gets `live-down` on the canvas (event-to-screen latency measured); up again
 *   "Netns: Open Terminal in Namespace", pick ns1, type `ip -br addr` -> veth1 10.0.0.2/24 and a
 *   prompt with (ns1); kill the terminal -> no process of it is left
 *   the extension host's memory idle, then with a 200-namespace LAN applied and the views visible
 *   (bench/topologies.ts lan(200)), then destroyed
 *
 * Screenshots in test-results/ (views.png, terminal.png, canvas-live.png, and the crops of the
 * walkthrough and the README under test-results/media/). NETNS_LAB_SCREENSHOTS=1 also copies the
 * crops into media/walkthrough/ and media/readme/ (the committed images; each must stay < 150 kB).
 *
 *   usage: bash test/sandbox/run.sh node out/test/e2e/live.js      (after npm run build)
 *   env: VERBOSE=1 (code-server output), NETNS_LAB_SCREENSHOTS=1
 */
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Frame, Page } from 'playwright-core';
import { lan } from '../../bench/topologies.js';
import { assertSandbox, listNetns, resetSandbox, setupInternet } from '../integration/sandbox.js';
import {
  BASE_SETTINGS, EXTENSION_ID, RESULTS, ROOT, RunDir, cpuByKind, cpuDelta, freePort, log as hlog, pidsWithEnv, requireCodeServer, rssOfRun, runCommand, sleep,
  waitHttp, waitWorkbench,
} from '../vscode/harness.js';
import {
  LIGHT, applyFromPalette, canvasFrame, confirmFromPalette, drawn, emptySpot, node, quickOpen, refs, setLogTag, until, waitDrawn, waitNotification, check, passed,
} from './ui.js';
import { reportFailure, watchdog } from './report.js';
import { MEDIA, box, media, paneOf, rowMatchesJs, rowOf, shootMedia, treeRows, widenSidebar } from './ui-views.js';
import { checkVsixFiles, packageVsix } from './vsix.js';

setLogTag('live');
const log = (...a: unknown[]) => hlog('live', ...a);
const MARKER = 'NETNS_LAB_TEST_RUN';
const VIEWPORT = { width: 1360, height: 820 };
const SIDEBAR = 430;
const metrics: Record<string, unknown> = {};

function ip(...args: string[]): void {
  const r = spawnSync('ip', args, { encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`ip ${args.join(' ')} failed: ${r.stderr}`);
}

const median = (a: number[]) => { const s = [...a].sort((x, y) => x - y); return s[Math.floor(s.length / 2)]!; };

// ---------------------------------------------------------------------------------------------
// the live canvas

/** frame-side: the cytoscape classes of the link between refs a and b (null: no such link) */
const linkClassesJs = (a: string, b: string) => `(() => {
  const cy = document.getElementById('canvas')._cyreg.cy;
  const e = cy.edges('.link').filter((x) => {
    const s = x.source().data('ref'); const t = x.target().data('ref');
    return (s === ${JSON.stringify(a)} && t === ${JSON.stringify(b)}) || (s === ${JSON.stringify(b)} && t === ${JSON.stringify(a)});
  })[0];
  return e ? e.classes() : null;
})()`;

/** frame-side: true once the link a-b has class cls, else false */
const linkHasJs = (a: string, b: string, cls: string) => `(() => { const c = ${linkClassesJs(a, b)}; return c && c.includes(${JSON.stringify(cls)}) ? true : false; })()`;

/**
 * When (Date.now() here) the expression first held, polled every 10 ms. (waitForFunction cannot
 * be used: it evaluates its predicate with eval, which the webview's CSP forbids.)
 */
async function seen(where: Page | Frame, expr: string, what: string, timeoutMs = 10_000): Promise<number> {
  const end = Date.now() + timeoutMs;
  for (;;) {
    if (await where.evaluate(expr)) return Date.now();
    if (Date.now() > end) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await sleep(10);
  }
}

async function linkClasses(frame: Frame, a: string, b: string): Promise<string[]> {
  return (await frame.evaluate(linkClassesJs(a, b)) as string[] | null) ?? [];
}

// ---------------------------------------------------------------------------------------------
// screenshots

async function shootPage(page: Page, name: string): Promise<void> {
  await sleep(200);
  await page.screenshot({ path: join(RESULTS, name) });
  log(`screenshot test-results/${name}`);
}

const WEBVIEW = `iframe.webview.ready[src*="extensionId=${EXTENSION_ID}"]`;

// ---------------------------------------------------------------------------------------------
// memory

/** RSS (MiB) of the extension host and of the helper, sampled `n` times a second apart (the last sample) */
async function memory(run: RunDir, label: string, n = 3): Promise<{ extensionHostMiB: number; helperMiB: number }> {
  let last = { extensionHostMiB: 0, helperMiB: 0 };
  const samples: number[] = [];
  for (let i = 0; i < n; i++) {
    if (i) await sleep(1000);
    const procs = rssOfRun(MARKER, run.id);
    const hosts = procs.filter((p) => p.kind === 'vscode:extensionHost');
    const helpers = procs.filter((p) => p.kind === 'netns-lab helper');
    last = {
      extensionHostMiB: Math.round(hosts.reduce((s, p) => s + p.rssKiB, 0) / 102.4) / 10,
      helperMiB: Math.round(helpers.reduce((s, p) => s + p.rssKiB, 0) / 102.4) / 10,
    };
    samples.push(last.extensionHostMiB);
    if (i === 0 && hosts.length !== 1) log(`WARN ${hosts.length} extension host processes`);
  }
  const m = { ...last, extensionHostSamplesMiB: samples };
  metrics[`memory.${label}`] = m;
  log(`memory (${label}): extension host ${last.extensionHostMiB} MiB RSS (samples ${samples.join(', ')}), helper ${last.helperMiB} MiB`);
  return last;
}

// ---------------------------------------------------------------------------------------------

async function main(): Promise<number> {
  assertSandbox();
  requireCodeServer();
  const t0 = Date.now();
  mkdirSync(RESULTS, { recursive: true });
  for (const f of ['views.png', 'terminal.png', 'canvas-live.png', 'live-failure.png', 'lan200-views.png']) rmSync(join(RESULTS, f), { force: true });
  rmSync(MEDIA, { recursive: true, force: true });
  const run = new RunDir('live');
  let page: Page | undefined;
  let frame: Frame | undefined;
  let ok = false;
  let wsParent: string | undefined;
  const limit = watchdog('live', 300_000, () => {
    if (wsParent) rmSync(wsParent, { recursive: true, force: true });
    return run.close().finally(() => resetSandbox());
  });
  try {
    await setupInternet();

    // 1. the VSIX, installed into a fresh code-server
    const version = (JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { version: string }).version;
    const vsix = packageVsix(ROOT, run.path(`netns-lab-${version}.vsix`));
    log(`packaged ${vsix.path} in ${vsix.ms} ms`);
    const problems = checkVsixFiles(vsix.files);
    check(problems.length === 0, `the VSIX holds the bundles, schema, media and docs only${problems.length ? `: ${problems.join('; ')}` : ''}`);
    const installed = run.codeServerCli(['--install-extension', vsix.path]);
    check(/successfully installed/i.test(installed), 'code-server --install-extension installs the VSIX');

    // 2. the workspace: the article and a 200-namespace LAN
    // a short path: the terminal's prompt shows it (and the walkthrough's picture of it)
    wsParent = mkdtempSync('/tmp/nl-');
    const ws = join(wsParent, 'lab');
    mkdirSync(ws);
    const article = readFileSync(join(ROOT, 'examples', 'article.netns.json'), 'utf8').replace(/^\s*"\$schema": [^\n]*\n/m, '');
    writeFileSync(join(ws, 'article.netns.json'), article);
    writeFileSync(join(ws, 'lan200.netns.json'), JSON.stringify(lan(200), null, 2) + '\n');
    run.writeSettings(run.path('user-data'), { ...BASE_SETTINGS, 'workbench.colorTheme': LIGHT });
    const port = await freePort();
    const cs = run.startCodeServer(port, ws);
    await waitHttp(`http://127.0.0.1:${port}/healthz`, 60_000, cs.alive);
    ({ page } = await run.browser({ viewport: VIEWPORT }));
    const p = page;
    p.on('pageerror', (e) => log(`page error: ${e.message}`));
    await p.goto(`http://127.0.0.1:${port}/?folder=${encodeURIComponent(ws)}`);
    await waitWorkbench(p);
    log(`workbench up (code-server on port ${port})`);

    // 3. the article on the canvas, before Apply (walkthrough: draw.png), ns1's properties (internet.png)
    await quickOpen(p, 'article.netns.json');
    frame = await canvasFrame(p, 60_000);
    const d = await waitDrawn(frame, 'the article drawn', (x) => x.nodes.length === 4 && x.links.length === 2, 20_000);
    check(JSON.stringify(refs(d)) === JSON.stringify(['br0', 'host', 'ns1', 'ns2']), `the canvas draws the article: ${refs(d).join(', ')}`);
    const webview = await box(p, WEBVIEW);
    await shootMedia(p, 'walkthrough/draw.png', webview);
    {
      const n1 = node(d, 'ns1');
      await p.mouse.click(n1.x, n1.y);
      const boxes = await until('the properties of ns1 with its checkboxes', async () => {
        const b = await frame!.evaluate('[...document.querySelectorAll("#panel vscode-checkbox")].map((e) => ({ label: String(e.label), checked: e.checked === true }))') as { label: string; checked: boolean }[];
        return b.some((x) => /internet/i.test(x.label)) ? b : undefined;
      }, 10_000);
      check(boxes.find((x) => /internet/i.test(x.label))!.checked, `selecting ns1 shows its properties with "Internet access" ticked (${boxes.map((x) => `${x.label}: ${x.checked}`).join(', ')})`);
      await shootMedia(p, 'walkthrough/internet.png', await box(p, WEBVIEW));
      const bg = await emptySpot(frame, d);
      await p.mouse.click(bg.x, bg.y);
    }

    // 4. Apply from the palette; the confirmation (walkthrough: apply.png); the canvas marks the links live
    const tApply = Date.now();
    await confirmFromPalette(p, 'Netns: Apply', 'Apply', async (dialog) => {
      const b = (await dialog.boundingBox())!;
      await shootMedia(p, 'walkthrough/apply.png', { x: b.x - 16, y: b.y - 16, width: b.width + 32, height: b.height + 32 });
    });
    await waitNotification(p, /Applied 'article'/);
    metrics.applyMs = Date.now() - tApply;
    check(['ns1', 'ns2'].every((n) => listNetns().includes(n)), `Apply built ns1 and ns2 (${String(metrics.applyMs)} ms)`);
    frame = await canvasFrame(p);
    await until('both links marked live-up on the canvas', async () =>
      (await linkClasses(frame!, 'ns1', 'br0')).includes('live-up') && (await linkClasses(frame!, 'ns2', 'br0')).includes('live-up'), 15_000);
    check(true, `the canvas marks ns1-br0 and ns2-br0 live-up (${(await linkClasses(frame, 'ns1', 'br0')).join(' ')})`);
    await runCommand(p, 'Notifications: Clear All Notifications');
    await shootPage(p, 'canvas-live.png');

    // 5. the Netns Lab views: host, ns1, ns2; ns1 expanded: veth1 up with 10.0.0.2/24
    await runCommand(p, 'Netns Lab: Focus on Namespaces View');
    await widenSidebar(p, SIDEBAR);
    await runCommand(p, 'Netns: Fit Canvas to Window');
    await until('the Namespaces view to list host, ns1 and ns2', async () => {
      const labels = (await treeRows(p, 'Namespaces')).map((r) => r.label);
      return ['host', 'ns1', 'ns2'].every((n) => labels.includes(n));
    }, 20_000);
    let rows = await treeRows(p, 'Namespaces');
    check(true, `the Namespaces view lists ${rows.map((r) => `${r.label} (${r.description})`).join(', ')}`);
    await rowOf(p, 'Namespaces', 'ns1').click();
    const veth1 = await until('veth1 under ns1', async () => (await treeRows(p, 'Namespaces')).find((r) => r.label === 'veth1'), 10_000);
    check(/^veth · up · 10\.0\.0\.2\/24\b/.test(veth1.description), `ns1 expanded: veth1 "${veth1.description}"`);
    check(/↔ host\/veth1-br/.test(veth1.description), 'veth1 names its peer, host/veth1-br');
    rows = await treeRows(p, 'Namespaces');
    check(rows.some((r) => r.label === 'routes' && r.level === 2), 'ns1 lists its routes');
    await rowOf(p, 'Namespaces', 'routes').click();
    const route = await until('the routes of ns1', async () => (await treeRows(p, 'Namespaces')).find((r) => r.label === 'default' && r.level === 3), 10_000);
    check(/via 10\.0\.0\.1 dev veth1/.test(route.description), `ns1's default route: "${route.description}"`);
    {
      // the focus to the canvas (the tree keeps its selection, without the focus outline); no hover tooltip on the shots
      const spot = await emptySpot(frame, await drawn(frame));
      await p.mouse.click(spot.x, spot.y);
      await p.mouse.move(VIEWPORT.width - 5, VIEWPORT.height - 40);
    }
    await shootPage(p, 'views.png');
    await shootMedia(p, 'readme/canvas.png');
    {
      const side = await box(p, '.part.sidebar');
      // down to the last row of the Bridges view
      const rowsOfBridges = await paneOf(p, 'Bridges').locator('.monaco-list-row').all();
      const last = rowsOfBridges.length ? await rowsOfBridges[rowsOfBridges.length - 1]!.boundingBox() : undefined;
      const bottom = last ? last.y + last.height + 10 : side.y + side.height;
      await shootMedia(p, 'walkthrough/views.png', { x: side.x, y: side.y, width: side.width, height: Math.min(bottom, side.y + side.height) - side.y });
    }

    // 6. a change made outside VS Code: veth1 down then up, timed from the `ip` command to the screen
    const lat = { treeDown: [] as number[], canvasDown: [] as number[], treeUp: [] as number[], canvasUp: [] as number[] };
    for (let round = 0; round < 3; round++) {
      for (const up of [false, true]) {
        const treeRe = up ? /^veth · up · 10\.0\.0\.2\/24/ : /^veth · down · 10\.0\.0\.2\/24/;
        const tIp = Date.now();
        ip('-n', 'ns1', 'link', 'set', 'veth1', up ? 'up' : 'down');
        const [tTree, tCanvas] = await Promise.all([
          seen(p, rowMatchesJs('Namespaces', 'veth1', treeRe), `veth1 ${up ? 'up' : 'down'} in the tree`),
          seen(frame, linkHasJs('ns1', 'br0', up ? 'live-up' : 'live-down'), `ns1-br0 ${up ? 'live-up' : 'live-down'} on the canvas`),
        ]);
        (up ? lat.treeUp : lat.treeDown).push(tTree - tIp);
        (up ? lat.canvasUp : lat.canvasDown).push(tCanvas - tIp);
        if (round === 0 && !up) {
          const cls = await linkClasses(frame, 'ns1', 'br0');
          check(cls.includes('live-down') && !cls.includes('live-up'), `ip link set veth1 down: the tree shows veth1 down after ${tTree - tIp} ms, the canvas marks ns1-br0 live-down after ${tCanvas - tIp} ms`);
          await p.mouse.move(VIEWPORT.width - 5, VIEWPORT.height - 40);
          await shootPage(p, 'views-down.png');
        }
        if (up) ip('-n', 'ns1', 'route', 'replace', 'default', 'via', '10.0.0.1');
      }
    }
    metrics.latencyMs = { ...lat, treeDownMedian: median(lat.treeDown), canvasDownMedian: median(lat.canvasDown), treeUpMedian: median(lat.treeUp), canvasUpMedian: median(lat.canvasUp) };
    check(Math.max(...lat.treeDown, ...lat.treeUp) < 3000 && Math.max(...lat.canvasDown, ...lat.canvasUp) < 3000,
      `event to screen (3 rounds): tree down ${lat.treeDown.join('/')} ms, up ${lat.treeUp.join('/')} ms; canvas down ${lat.canvasDown.join('/')} ms, up ${lat.canvasUp.join('/')} ms`);
    await until('the default route back in the tree', async () => {
      const r = (await treeRows(p, 'Namespaces')).find((x) => x.label === 'routes' && x.level === 2);
      return r && Number(r.description) >= 2;
    }, 5000).catch(() => log('WARN the routes count of ns1 did not come back to 2'));

    // 7. a terminal inside ns1
    await runCommand(p, 'Netns: Open Terminal in Namespace', 30_000, true);
    const picker = p.locator('.quick-input-widget');
    const pick = picker.locator('.monaco-list-row', { has: p.locator('.label-name', { hasText: /^ns1$/ }) }).first();
    await pick.waitFor({ state: 'visible', timeout: 15_000 });
    type El = { querySelector(s: string): { textContent: string | null } | null };
    const offered = await picker.locator('.monaco-list-row').evaluateAll((rows: unknown[]) => rows.map((r) => ((r as El).querySelector('.label-name')?.textContent ?? '').trim()));
    check(offered.includes('ns1') && offered.includes('ns2'), `the quick pick offers the namespaces: ${offered.join(', ')}`);
    await pick.click();
    await picker.waitFor({ state: 'hidden', timeout: 10_000 });
    const term = p.locator('.terminal-wrapper.active');
    const text = () => term.locator('.xterm-rows').innerText();
    await until('a prompt with (ns1) in the terminal', async () => (await text()).includes('(ns1)'), 20_000);
    await term.locator('.xterm-helper-textarea').focus();
    await p.keyboard.type('ip -br addr');
    await p.keyboard.press('Enter');
    const out = await until('veth1 with 10.0.0.2/24 in the terminal', async () => { const t = await text(); return /veth1@\S+\s+UP\s+10\.0\.0\.2\/24/.test(t) ? t : undefined; }, 15_000);
    const prompt = out.split('\n').find((l) => l.includes('(ns1)'))!.trim();
    check(/^\(ns1\) \S+@\S+/.test(prompt), `the prompt shows ns1: "${prompt}"`);
    check(!/\buplink0\b|\bveth1-br\b/.test(out), `ip -br addr in the terminal lists ns1's interfaces only: ${out.split('\n').filter((l) => /^\S+\s+(UP|DOWN|UNKNOWN)/.test(l.trim())).map((l) => l.trim().replace(/\s+/g, ' ')).join(' | ')}`);
    const title = (await p.locator('.part.panel .single-terminal-tab, .part.panel .terminal-tabs-entry').allInnerTexts()).join(' ').trim();
    check(/\bns1\b/.test(title), `the terminal is named after the namespace: "${title}"`);
    await p.mouse.move(VIEWPORT.width - 5, 200);
    await shootPage(p, 'terminal.png');
    {
      const panel = await box(p, '.part.panel');
      await shootMedia(p, 'walkthrough/terminal.png', { ...panel, height: Math.min(panel.height, 150) });
    }
    const shellPids = pidsWithEnv('NETNS_LAB_NS', 'ns1');
    check(shellPids.length >= 2, `the terminal runs the helper's --shell and a shell (${shellPids.length} processes: ${shellPids.map((x) => { try { return readFileSync(`/proc/${x}/comm`, 'utf8').trim(); } catch { return '?'; } }).join(', ')})`);
    await runCommand(p, 'Terminal: Kill the Active Terminal Instance');
    await until('the terminal\'s processes to exit', () => pidsWithEnv('NETNS_LAB_NS', 'ns1').length === 0, 10_000, 100);
    check(true, 'after the terminal is killed no process of it is left running');

    // 8. the extension host's memory: idle (the article applied, the views and the canvas visible)
    await sleep(2000);
    const idle = await memory(run, 'idle');

    // 9. a 200-namespace LAN applied with the views visible, then destroyed
    await quickOpen(p, 'lan200.netns.json');
    frame = await canvasFrame(p, 60_000);
    await waitDrawn(frame, 'the 200-namespace LAN drawn', (x) => x.nodes.length === 201 && x.links.length === 200, 60_000);
    const tApply200 = Date.now();
    const cpu0 = cpuByKind(MARKER, run.id);
    await applyFromPalette(p);
    const applied200 = await waitNotification(p, /Applied 'lan200'/, 120_000);
    metrics.lan200ApplyMs = Date.now() - tApply200;
    metrics.lan200ApplyCpuMs = cpuDelta(cpu0, cpuByKind(MARKER, run.id));
    log(`${applied200}; CPU ms by process: ${JSON.stringify(metrics.lan200ApplyCpuMs)}`);
    const n200 = listNetns().filter((n) => /^n\d+$/.test(n)).length;
    check(n200 === 200, `Apply of lan200 from VS Code built ${n200} namespaces in ${String(metrics.lan200ApplyMs)} ms`);
    const tListed = Date.now();
    await until('the Namespaces view to list n1 and n10', async () => {
      const labels = (await treeRows(p, 'Namespaces')).map((r) => r.label);
      return labels.includes('n1') && labels.includes('n10');
    }, 30_000);
    metrics.lan200ListedAfterNotificationMs = Date.now() - tListed;
    await until('lan200 links marked live-up on the canvas', async () => (await linkClasses(frame!, 'n1', 'lanbr0')).includes('live-up'), 30_000);
    check(true, 'with 200 more namespaces the Namespaces view lists them and the canvas marks their links live');
    const settled = await until('the Topologies view to show lan200 in sync', async () =>
      (await treeRows(p, 'Topologies')).find((r) => r.label === 'lan200' && /^in-sync/.test(r.description)), 60_000);
    check(true, `the Topologies view: lan200 "${settled.description}"`);
    // latency with 200 namespaces running: n1's eth0 down and up, in the tree (n1 expanded) and on the canvas
    {
      // ArrowRight expands and never collapses: repeat it if a refresh of the tree raced the first one
      await until('eth0 under n1', async () => {
        const hit = (await treeRows(p, 'Namespaces')).find((r) => r.label === 'eth0' && /up/.test(r.description));
        if (!hit) { await rowOf(p, 'Namespaces', 'n1').click(); await p.keyboard.press('ArrowRight'); }
        return hit;
      }, 20_000);
      const res: Record<string, number> = {};
      for (const up of [false, true]) {
        const tIp = Date.now();
        ip('-n', 'n1', 'link', 'set', 'eth0', up ? 'up' : 'down');
        const [tTree, tCanvas] = await Promise.all([
          seen(p, rowMatchesJs('Namespaces', 'eth0', up ? /^veth · up/ : /^veth · down/), `n1 eth0 ${up ? 'up' : 'down'} in the tree`, 30_000),
          seen(frame, linkHasJs('n1', 'lanbr0', up ? 'live-up' : 'live-down'), `n1-lanbr0 ${up ? 'live-up' : 'live-down'} on the canvas`, 60_000),
        ]);
        res[up ? 'treeUp' : 'treeDown'] = tTree - tIp;
        res[up ? 'canvasUp' : 'canvasDown'] = tCanvas - tIp;
      }
      metrics.lan200LatencyMs = res;
      // Measured, with a bound against hangs only: each live change makes the canvas and the
      // Topologies view recompute whole plans (every namespace of lan200 read again), and the
      // tree's read of n1 competes with those for the CPU.
      check(Math.max(res.treeDown!, res.treeUp!, res.canvasDown!, res.canvasUp!) < 30_000,
        `with 200 namespaces: n1 eth0 down shows in the tree after ${res.treeDown} ms (up ${res.treeUp} ms), on the canvas after ${res.canvasDown} ms (up ${res.canvasUp} ms)`);
      const worst = Math.max(res.treeDown!, res.treeUp!, res.canvasDown!, res.canvasUp!);
      if (worst > 3000) log(`WARN with 200 namespaces a link state takes up to ${worst} ms to show`);
    }
    await sleep(2000);
    await p.mouse.move(VIEWPORT.width - 5, VIEWPORT.height - 40);
    await shootPage(p, 'lan200-views.png');
    const busy = await memory(run, 'lan200');
    check(busy.extensionHostMiB > 0 && idle.extensionHostMiB > 0, `extension host RSS: ${idle.extensionHostMiB} MiB idle, ${busy.extensionHostMiB} MiB with 200 namespaces applied and the views visible (helper ${idle.helperMiB} -> ${busy.helperMiB} MiB)`);
    const tDestroy = Date.now();
    await confirmFromPalette(p, 'Netns: Destroy', 'Destroy');
    await waitNotification(p, /Destroyed 'lan200'/, 120_000);
    metrics.lan200DestroyMs = Date.now() - tDestroy;
    check(!listNetns().some((n) => /^n\d+$/.test(n)) && ['ns1', 'ns2'].every((n) => listNetns().includes(n)), `Destroy removed the 200 namespaces and kept the article's (${String(metrics.lan200DestroyMs)} ms)`);
    await sleep(2000);
    await memory(run, 'afterDestroy');
    ok = true;
  } catch (e) {
    await reportFailure('live', e, page, {
      canvas: frame, namespaces: listNetns, logs: { 'code-server log': run.path('code-server.log') }, userData: run.path('user-data'),
      more: page ? { 'Namespaces view': async () => JSON.stringify(await treeRows(page!, 'Namespaces')) } : {},
    });
  } finally {
    clearTimeout(limit);
    await run.close();
    await resetSandbox().catch((e: unknown) => console.error('[live] reset of the sandbox failed', e));
    if (wsParent) rmSync(wsParent, { recursive: true, force: true });
  }
  metrics.media = media;
  metrics.totalMs = Date.now() - t0;
  writeFileSync(join(RESULTS, 'e2e-live.json'), JSON.stringify({ ok, checks: passed.count, metrics }, null, 2) + '\n');
  log(`metrics: ${JSON.stringify(metrics)}`);
  log(`${ok ? 'LIVE E2E OK' : 'LIVE E2E FAILED'} in ${(Number(metrics.totalMs) / 1000).toFixed(1)} s (details: test-results/e2e-live.json)`);
  console.log(`e2e-live: ${passed.count} passed, ${ok ? 0 : 1} failed`);
  return ok ? 0 : 1;
}

main().then((code) => process.exit(code), (e: unknown) => { console.error(e); process.exit(1); });
