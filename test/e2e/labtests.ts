/**
 * Lab tests E2E (issue 18): the Test Explorer in a real VS Code (code-server, the extension
 * installed from its VSIX) in headless Chromium, inside the network sandbox of
 * test/sandbox/run.sh with the fake internet.
 *
 *   open a copy of examples/article.netns.json, Apply it from the palette
 *   the Testing view lists the topology with its six tests; "Test: Run All Tests" -> all pass
 *   `ip -n ns2 link set veth2 down` (here, outside VS Code); the file open as text; run all
 *      again -> the tests towards and from ns2 fail, the peek at the failing line shows the
 *      observed value and the hop where the path breaks (veth2 in ns2)
 *
 * Screenshot: test-results/labtests.png (the Testing view and the failure at its line), copied
 * to media/readme/lab-tests.png with NETNS_LAB_SCREENSHOTS=1 (the README's picture).
 *   usage: bash test/sandbox/run.sh node out/test/e2e/labtests.js      (after npm run build)
 */
import { spawnSync } from 'node:child_process';
import { copyFileSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Page } from 'playwright-core';
import { assertSandbox, listNetns, resetSandbox, setupInternet } from '../integration/sandbox.js';
import { BASE_SETTINGS, RESULTS, ROOT, RunDir, log as hlog, requireCodeServer, runCommand, sleep } from '../vscode/harness.js';
import { LIGHT, canvasFrame, check, confirmFromPalette, openWorkbench, passed, quickOpen, setLogTag, until, waitDrawn, waitNotification } from './ui.js';
import { reportFailure, watchdog } from './report.js';
import { packageAndInstall } from './vsix.js';

setLogTag('labtests');
const log = (...a: unknown[]) => hlog('labtests', ...a);
const VIEWPORT = { width: 1360, height: 820 };
const metrics: Record<string, unknown> = {};
const TESTS = ['ns1 → ns2 icmp', 'ns2 → ns1 icmp', 'ns1 → host icmp', 'ns2 → host icmp', 'ns1: route to 10.0.0.3 dev veth1', 'ns2: veth2 has 10.0.0.3/24'];

/** the rows of the Testing view: their label and state, as its accessibility labels say */
async function testRows(page: Page): Promise<{ label: string; aria: string }[]> {
  return page.locator('.test-explorer .monaco-list-row').evaluateAll((rows) => rows.map((r) => ({
    label: (r.textContent ?? '').trim(),
    aria: r.getAttribute('aria-label') ?? '',
  })));
}
const stateOf = (aria: string) => (/passed/i.test(aria) ? 'passed' : /failed/i.test(aria) ? 'failed' : /errored/i.test(aria) ? 'errored' : /skipped/i.test(aria) ? 'skipped' : /queued|running/i.test(aria) ? 'running' : 'none');

/** every row of our six tests, once each has a final state */
async function waitStates(page: Page, what: string, done: (s: Record<string, string>) => boolean, timeoutMs = 60_000): Promise<Record<string, string>> {
  let last: Record<string, string> = {};
  return until(what, async () => {
    const rows = await testRows(page);
    last = Object.fromEntries(rows.filter((r) => TESTS.some((t) => r.label.startsWith(t))).map((r) => [TESTS.find((t) => r.label.startsWith(t))!, stateOf(r.aria)]));
    return Object.keys(last).length === TESTS.length && done(last) ? last : undefined;
  }, timeoutMs)
    .catch(async (e: Error) => { throw new Error(`${e.message}: ${JSON.stringify(last)}; rows: ${JSON.stringify(await testRows(page))}`); });
}

/** the Testing view open, its tree fully expanded */
async function showTests(page: Page): Promise<void> {
  await runCommand(page, 'Testing: Focus on Test Explorer View');
  await page.locator('.test-explorer').first().waitFor({ state: 'visible', timeout: 20_000 });
  const file = page.locator('.test-explorer .monaco-list-row', { hasText: 'article' }).first();
  await file.waitFor({ state: 'visible', timeout: 30_000 });
  if ((await file.getAttribute('aria-expanded')) === 'false') { await file.click(); await page.keyboard.press('ArrowRight'); }
}

async function main(): Promise<number> {
  assertSandbox();
  requireCodeServer();
  const t0 = Date.now();
  mkdirSync(RESULTS, { recursive: true });
  for (const f of ['labtests.png', 'labtests-failure.png']) rmSync(join(RESULTS, f), { force: true });
  const run = new RunDir('labtests');
  let page: Page | undefined;
  let ok = false;
  const limit = watchdog('labtests', 300_000, () => run.close().finally(() => resetSandbox()));
  try {
    await setupInternet();
    check(/successfully installed/i.test(packageAndInstall(ROOT, run).installed), 'code-server installs the VSIX');
    const ws = run.path('workspace');
    mkdirSync(ws, { recursive: true });
    writeFileSync(join(ws, 'article.netns.json'), readFileSync(join(ROOT, 'examples', 'article.netns.json'), 'utf8').replace(/^\s*"\$schema": [^\n]*\n/m, ''));
    run.writeSettings(run.path('user-data'), { ...BASE_SETTINGS, 'workbench.colorTheme': LIGHT, 'testing.automaticallyOpenPeekView': 'never' });
    const p = await openWorkbench(run, ws, VIEWPORT, (x) => { page = x; });

    // 1. the article on the canvas, applied
    await quickOpen(p, 'article.netns.json');
    const frame = await canvasFrame(p, 60_000);
    await waitDrawn(frame, 'the article drawn', (x) => x.nodes.length === 4 && x.links.length === 2, 20_000);
    await confirmFromPalette(p, 'Netns: Apply', 'Apply');
    await waitNotification(p, /Applied 'article'/);
    check(['ns1', 'ns2'].every((n) => listNetns().includes(n)), 'Apply built ns1 and ns2');
    await runCommand(p, 'Notifications: Clear All Notifications');

    // 2. the Testing view lists the six tests; Run All: all pass
    await showTests(p);
    await waitStates(p, 'the six tests listed', () => true, 30_000);
    check(true, `the Testing view lists the article's six tests: ${TESTS.join(', ')}`);
    let t = Date.now();
    await runCommand(p, 'Test: Run All Tests');
    const all = await waitStates(p, 'all six passed', (s) => Object.values(s).every((x) => x === 'passed'));
    metrics.allPassMs = Date.now() - t;
    check(Object.values(all).every((x) => x === 'passed'), `Run All Tests: all six pass (${String(metrics.allPassMs)} ms)`);

    // 3. veth2 down by hand; the file as text beside; run all again: ns2's tests fail, the peek names the hop
    const r = spawnSync('ip', ['-n', 'ns2', 'link', 'set', 'veth2', 'down'], { encoding: 'utf8' });
    if (r.status !== 0) throw new Error(`ip link set veth2 down: ${r.stderr}`);
    await runCommand(p, 'Netns: Open as Text');
    await p.locator('.monaco-editor .view-lines', { hasText: '"version"' }).first().waitFor({ timeout: 20_000 });
    await showTests(p);
    t = Date.now();
    await runCommand(p, 'Test: Run All Tests');
    const broken = await waitStates(p, "ns2's tests failed", (s) => s['ns1 → ns2 icmp'] === 'failed' && !Object.values(s).includes('running'));
    metrics.oneDownMs = Date.now() - t;
    const failedNames = Object.entries(broken).filter(([, s]) => s === 'failed').map(([n]) => n).sort();
    check(failedNames.join(', ') === ['ns1 → ns2 icmp', 'ns2 → host icmp', 'ns2 → ns1 icmp'].join(', '), `exactly ns2's reach tests fail: ${JSON.stringify(broken)}`);
    check(broken['ns1 → host icmp'] === 'passed' && broken['ns2: veth2 has 10.0.0.3/24'] === 'passed', 'the others still pass');
    // the failure at its line in the text editor (the peek opens for a failure in a visible document)
    const peek = p.locator('.part.panel').first();
    let text = '';
    // in the text editor, as a person would: F1 "Test: Go to Next Test Failure" opens the peek at the failing entry
    // the failed test in the Test Results panel: its message (what was seen, where the path breaks, the fix)
    const row = p.locator('.test-output-peek-tree .monaco-list-row', { hasText: 'ns1 → ns2 icmp' }).first();
    await until('the failure message of ns1 → ns2 with the hop', async () => {
      if (!(await row.isVisible().catch(() => false))) return undefined;
      await row.click();
      await sleep(300);
      text = (await peek.innerText().catch(() => '')).replace(/\s+/g, ' ');
      return /Where it breaks: veth2 in ns2/.test(text) ? text : undefined;
    }, 30_000);
    log(`peek: ${text.slice(0, 400)}`);
    check(/ns1 cannot reach 10\.0\.0\.3 \(no reply\) over icmp/.test(text), 'the failure shows the observed value');
    check(/Where it breaks: veth2 in ns2 \(10\.0\.0\.3\) is down \(set down\): packets from ns1 stop at ns2/.test(text), 'the failure names the hop where the path breaks (veth2 in ns2)');
    check(/Fix: the file has the link of veth2 in ns2 up: set it up again/.test(text), 'and the fix: the file already has it up (the live state drifted)');
    // the picture: the Testing view, the file with its results in the gutter, the failure below
    await p.locator('.monaco-editor .view-lines', { hasText: '"version"' }).first().click();
    await runCommand(p, 'View: Close Editors in Other Groups');
    await p.locator('.monaco-editor .view-lines', { hasText: '"version"' }).first().click();
    await p.keyboard.press('Control+End'); // the expect entries, each with its result in the gutter
    await sleep(800);
    await p.screenshot({ path: join(RESULTS, 'labtests.png') });
    log('screenshot test-results/labtests.png');
    if (process.env.NETNS_LAB_SCREENSHOTS) {
      copyFileSync(join(RESULTS, 'labtests.png'), join(ROOT, 'media', 'readme', 'lab-tests.png'));
      log('copied to media/readme/lab-tests.png');
    }
    ok = true;
  } catch (e) {
    await reportFailure('labtests', e, page, { logs: { 'code-server log': run.path('code-server.log') } });
  } finally {
    clearTimeout(limit);
    await run.close();
    await resetSandbox().catch((e: unknown) => console.error('[labtests] reset of the sandbox failed', e));
  }
  metrics.totalMs = Date.now() - t0;
  writeFileSync(join(RESULTS, 'e2e-labtests.json'), JSON.stringify({ ok, checks: passed.count, metrics }, null, 2) + '\n');
  log(`${ok ? 'LABTESTS E2E OK' : 'LABTESTS E2E FAILED'} in ${(Number(metrics.totalMs) / 1000).toFixed(1)} s`);
  console.log(`e2e-labtests: ${passed.count} passed, ${ok ? 0 : 1} failed`);
  return ok ? 0 : 1;
}

main().then((code) => process.exit(code), (e: unknown) => { console.error(e); process.exit(1); });
