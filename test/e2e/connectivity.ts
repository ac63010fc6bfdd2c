/**
 * Connectivity E2E (issue 6): "Netns: Test Connectivity" in a real VS Code (code-server, the
 * extension installed from its VSIX) in headless Chromium, inside the network sandbox of
 * test/sandbox/run.sh with the fake internet.
 *
 *   open a copy of examples/article.netns.json, Apply it from the palette
 *   F1 "Netns: Test Connectivity" -> the matrix panel: every pair green with a latency; the
 *      canvas paints both links and both namespaces green (reach-ok), with a legend
 *   `ip -n ns2 link set veth2 down` (here, outside VS Code), run it again -> exactly ns2's pairs
 *      are red in the panel (ns1->ns2, ns2->ns1, ns2->host; ns1->host stays green); on the canvas
 *      the link ns2-br0 is painted red (reach-fail), ns1-br0 mixed, ns2 red, ns1 mixed
 *   the toolbar's "Clear results" clears the paint; Test from the canvas toolbar paints again;
 *   a move keeps the paint, Escape clears it, an edit of the network (ns1 deleted) clears it
 *
 * Screenshots: test-results/connectivity-ok.png, connectivity-fail.png (canvas + matrix).
 *   usage: bash test/sandbox/run.sh node out/test/e2e/connectivity.js      (after npm run build)
 */
import { spawnSync } from 'node:child_process';
import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Frame, Page } from 'playwright-core';
import { assertSandbox, listNetns, resetSandbox, setupInternet } from '../integration/sandbox.js';
import {
  BASE_SETTINGS, RESULTS, ROOT, RunDir, log as hlog, requireCodeServer, runCommand, sleep,
} from '../vscode/harness.js';
import { LIGHT, readMatrix, type Cell, canvasFrame, confirmFromPalette, drawn, node, openWorkbench, quickOpen, refs, setLogTag, until, waitDrawn, waitNotification, check, passed } from './ui.js';
import { reportFailure, watchdog } from './report.js';
import { packageAndInstall } from './vsix.js';

setLogTag('connectivity');
const log = (...a: unknown[]) => hlog('connectivity', ...a);
const VIEWPORT = { width: 1360, height: 820 };
const metrics: Record<string, unknown> = {};

function ip(...args: string[]): void {
  const r = spawnSync('ip', args, { encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`ip ${args.join(' ')} failed: ${r.stderr}`);
}

/** frame-side: the connectivity paint as the canvas shows it (classes of links and nodes, the legend) */
const READ_PAINT = `(() => {
  const cy = document.getElementById('canvas')._cyreg.cy;
  const st = (e) => ['ok', 'mixed', 'fail'].find((s) => e.hasClass('reach-' + s)) || '';
  const links = {};
  cy.edges('.link').forEach((e) => { links[e.source().data('ref') + '-' + e.target().data('ref')] = st(e); });
  const nodes = {};
  cy.nodes().forEach((n) => { if (n.data('ref')) nodes[n.data('ref')] = st(n); });
  const legend = document.getElementById('reach-legend');
  return {
    reach: document.body.dataset.reach || '', failed: document.body.dataset.reachFailed || '', links, nodes,
    label: cy.getElementById('n:ns2').style('label'),
    legend: legend && !legend.hidden ? legend.textContent : '',
    halo: cy.edges('.reach-fail').map((e) => e.style('underlay-color'))[0] || '',
    error: getComputedStyle(document.body).getPropertyValue('--vscode-editorError-foreground').trim(),
  };
})()`;
interface Paint { reach: string; failed: string; links: Record<string, string>; nodes: Record<string, string>; label: string; legend: string; halo: string; error: string }
const readPaint = async (frame: Frame) => await frame.evaluate(READ_PAINT) as Paint;

async function shoot(page: Page, frame: Frame, name: string): Promise<void> {
  await frame.getByRole('button', { name: 'Fit', exact: true }).click();
  await page.mouse.move(VIEWPORT.width - 5, VIEWPORT.height - 40);
  await sleep(300);
  await page.screenshot({ path: join(RESULTS, name) });
  log(`screenshot test-results/${name}`);
}

async function main(): Promise<number> {
  assertSandbox();
  requireCodeServer();
  const t0 = Date.now();
  mkdirSync(RESULTS, { recursive: true });
  for (const f of ['connectivity-ok.png', 'connectivity-fail.png', 'connectivity-failure.png']) rmSync(join(RESULTS, f), { force: true });
  const run = new RunDir('connectivity');
  let page: Page | undefined;
  let frame: Frame | undefined;
  let ok = false;
  const limit = watchdog('connectivity', 300_000, () => run.close().finally(() => resetSandbox()));
  try {
    await setupInternet();
    check(/successfully installed/i.test(packageAndInstall(ROOT, run).installed), 'code-server installs the VSIX');
    const ws = run.path('workspace');
    mkdirSync(ws, { recursive: true });
    const file = join(ws, 'article.netns.json');
    writeFileSync(file, readFileSync(join(ROOT, 'examples', 'article.netns.json'), 'utf8').replace(/^\s*"\$schema": [^\n]*\n/m, ''));
    run.writeSettings(run.path('user-data'), { ...BASE_SETTINGS, 'workbench.colorTheme': LIGHT });
    const p = await openWorkbench(run, ws, VIEWPORT, (x) => { page = x; });

    // 1. the article on the canvas (room for it and the matrix beside it), applied
    await runCommand(p, 'View: Close Primary Side Bar');
    await quickOpen(p, 'article.netns.json');
    frame = await canvasFrame(p, 60_000);
    await waitDrawn(frame, 'the article drawn', (x) => x.nodes.length === 4 && x.links.length === 2, 20_000);
    await confirmFromPalette(p, 'Netns: Apply', 'Apply');
    await waitNotification(p, /Applied 'article'/);
    check(['ns1', 'ns2'].every((n) => listNetns().includes(n)), 'Apply built ns1 and ns2');
    await runCommand(p, 'Notifications: Clear All Notifications');

    // 2. Test Connectivity: every pair green with a latency, in the panel and on the canvas
    let t = Date.now();
    await runCommand(p, 'Netns: Test Connectivity');
    let m = await until('the matrix of 4 probes', async () => { const x = await readMatrix(p); return /^4 of 4 reachable/.test(x.summary) ? x : undefined; }, 30_000);
    metrics.allGreenMs = Date.now() - t;
    const pairs = (cells: Cell[]) => cells.map((c) => `${c.from}>${c.to}`).sort().join(' ');
    check(pairs(m.cells) === 'ns1>host ns1>ns2 ns2>host ns2>ns1', `the matrix has the article's four pairs: ${pairs(m.cells)}`);
    check(m.cells.every((c) => c.cls === 'ok' && /^\d+\.\d\d ms$/.test(c.text)), `every pair is green with a latency: ${m.cells.map((c) => `${c.from}>${c.to} ${c.cls} "${c.text}"`).join(', ')} ("${m.summary.trim()}", ${String(metrics.allGreenMs)} ms)`);
    frame = await canvasFrame(p);
    let paint = await until('the canvas painted', async () => { const x = await readPaint(frame!); return x.reach === 'painted' ? x : undefined; }, 10_000);
    check(paint.links['ns1-br0'] === 'ok' && paint.links['ns2-br0'] === 'ok' && paint.nodes.ns1 === 'ok' && paint.nodes.ns2 === 'ok',
      `the canvas paints both links and namespaces green: ${JSON.stringify(paint.links)} ${JSON.stringify({ ns1: paint.nodes.ns1, ns2: paint.nodes.ns2 })}`);
    check(/^ns2\n✓ 2 reached · ≤ [\d.]+ ms$/.test(paint.label), `ns2's badge: ${JSON.stringify(paint.label)}`);
    check(/^Connectivity ?4 of 4 reachable/.test(paint.legend) && /all failed/.test(paint.legend), `the legend: "${paint.legend}"`);
    await shoot(p, frame, 'connectivity-ok.png');

    // 3. veth2 down (outside VS Code), again: exactly ns2's pairs red; the link ns2-br0 red on the canvas
    ip('-n', 'ns2', 'link', 'set', 'veth2', 'down');
    await runCommand(p, 'Notifications: Clear All Notifications');
    t = Date.now();
    await runCommand(p, 'Netns: Test Connectivity');
    m = await until('the matrix with failures', async () => { const x = await readMatrix(p); return /^1 of 4 reachable/.test(x.summary) ? x : undefined; }, 30_000);
    metrics.oneDownMs = Date.now() - t;
    const red = m.cells.filter((c) => c.cls === 'fail');
    check(pairs(red) === 'ns1>ns2 ns2>host ns2>ns1', `exactly ns2's pairs are red: ${pairs(red)} (${String(metrics.oneDownMs)} ms)`);
    check(m.cells.filter((c) => c.cls === 'ok').map((c) => `${c.from}>${c.to}`).join() === 'ns1>host', 'ns1 -> host stays green');
    paint = await until('the canvas painted again', async () => { const x = await readPaint(frame!); return x.reach === 'painted' && x.failed === '3' ? x : undefined; }, 10_000);
    check(paint.links['ns2-br0'] === 'fail', `the link ns2-br0 is painted red (reach-fail, halo ${paint.halo}, the theme's error colour ${paint.error})`);
    check(paint.links['ns1-br0'] === 'mixed' && paint.nodes.ns2 === 'fail' && paint.nodes.ns1 === 'mixed', `ns1-br0 mixed, ns2 red, ns1 mixed: ${JSON.stringify(paint.links)} ${JSON.stringify({ ns1: paint.nodes.ns1, ns2: paint.nodes.ns2 })}`);
    check(/^ns2\n✗ 2 of 2 unreachable$/.test(paint.label), `ns2's badge: ${JSON.stringify(paint.label)}`);
    await shoot(p, frame, 'connectivity-fail.png');

    // 4. clear from the toolbar; Test from the canvas toolbar paints again
    await frame.getByRole('button', { name: 'Clear results' }).click();
    paint = await until('the paint cleared', async () => { const x = await readPaint(frame!); return x.reach === 'none' ? x : undefined; }, 5000);
    check(Object.values(paint.links).every((s) => !s) && !paint.legend && paint.label === 'ns2', 'the toolbar\'s Clear results removes the paint and the legend');
    await frame.getByRole('button', { name: 'Test' }).click();
    await until('painted from the canvas toolbar', async () => (await readPaint(frame!)).links['ns2-br0'] === 'fail', 30_000);
    check(true, 'Test on the canvas toolbar runs Test Connectivity and paints the canvas again');

    // 5. a move keeps the paint; an edit of the network clears it (stale)
    // (the matrix panel closed: room for the canvas)
    await p.locator('.tabs-container .tab', { hasText: 'Connectivity: article' }).locator('.action-label.codicon-close').click();
    await frame.getByRole('button', { name: 'Fit', exact: true }).click();
    await sleep(300);
    const d = await drawn(frame);
    const n1 = node(d, 'ns1');
    const v0 = d.version;
    await p.mouse.click(n1.x, n1.y);
    await p.keyboard.press('ArrowRight'); // a move, by the keyboard: one grid step
    await waitDrawn(frame, 'the move saved in the document', (x) => x.version !== v0, 10_000);
    await sleep(300);
    check((await readPaint(frame)).reach === 'painted', 'moving a node (a change of the file, not of the network) keeps the paint');
    await p.keyboard.press('Escape'); // a selection goes first
    await p.keyboard.press('Escape');
    await until('Escape with nothing selected clears the paint', async () => (await readPaint(frame!)).reach === 'none', 5000);
    check(true, 'Escape with nothing selected clears the paint');
    await frame.getByRole('button', { name: 'Test' }).click();
    await until('painted again', async () => (await readPaint(frame!)).reach === 'painted', 30_000);
    await sleep(500); // (the matrix panel opens again beside the canvas)
    await frame.getByRole('button', { name: 'Fit', exact: true }).click();
    await sleep(300);
    const n1b = node(await drawn(frame), 'ns1');
    await p.mouse.click(n1b.x, n1b.y);
    await waitDrawn(frame, 'ns1 selected', (x) => /1 selected/.test(x.status), 5000);
    await p.keyboard.press('Delete');
    await waitDrawn(frame, 'ns1 deleted', (x) => !refs(x).includes('ns1'), 10_000);
    await until('the stale paint cleared', async () => (await readPaint(frame!)).reach === 'none', 5000);
    check(true, 'deleting ns1 (an edit of the network) clears the stale paint');
    log(`canvas: ${refs(await drawn(frame)).join(',')}`);
    ok = true;
  } catch (e) {
    await reportFailure('connectivity', e, page, {
      canvas: frame, logs: { 'code-server log': run.path('code-server.log') },
      more: page && frame ? { 'the canvas paint': async () => JSON.stringify(await readPaint(frame!)) } : {},
    });
  } finally {
    clearTimeout(limit);
    await run.close();
    await resetSandbox().catch((e: unknown) => console.error('[connectivity] reset of the sandbox failed', e));
  }
  metrics.totalMs = Date.now() - t0;
  writeFileSync(join(RESULTS, 'e2e-connectivity.json'), JSON.stringify({ ok, checks: passed.count, metrics }, null, 2) + '\n');
  log(`${ok ? 'CONNECTIVITY E2E OK' : 'CONNECTIVITY E2E FAILED'} in ${(Number(metrics.totalMs) / 1000).toFixed(1)} s`);
  console.log(`e2e-connectivity: ${passed.count} passed, ${ok ? 0 : 1} failed`);
  return ok ? 0 : 1;
}

main().then((code) => process.exit(code), (e: unknown) => { console.error(e); process.exit(1); });
