/**
 * Quick-start test (issue 4): what a newcomer runs, `bash scripts/start.sh --sandbox --port P`,
 * as a child in its own process group. Wait for the URL it prints, open it in headless Chromium
 * (a private profile, HOME and XDG dirs like the harness's), see the canvas draw the article
 * (host, br0, ns1, ns2 and their links), then Ctrl-C (SIGINT to the script's process group) and
 * check that nothing it started is left running: code-server and its extension host, ptyHost
 * and watcher, the helper, the forwarder, the sandbox with its dnsmasq, and the browser.
 *
 * Runs outside test/sandbox/run.sh (start.sh --sandbox makes its own sandbox), as root.
 *   usage: node out/test/e2e/quickstart.js      (after npm run build)
 */
import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Page } from 'playwright-core';
import {
  RESULTS, ROOT, RunDir, freePort, httpStatus, log as hlog, requireCodeServer, sleep, waitWorkbench,
} from '../vscode/harness.js';
import { canvasFrame, linked, refs, setLogTag, waitDrawn, check, passed } from './ui.js';
import { reportFailure, watchdog } from './report.js';

setLogTag('quickstart');
const log = (...a: unknown[]) => hlog('quickstart', ...a);
const metrics: Record<string, unknown> = {};

const START_DIR = join(ROOT, '.vscode-test', 'start');

/** processes that belong to a quick start: the run's marker, or the quick start's directory in their command line or environment */
function leftovers(marker: string): { pid: number; cmd: string }[] {
  const out: { pid: number; cmd: string }[] = [];
  for (const d of readdirSync('/proc')) {
    if (!/^\d+$/.test(d) || Number(d) === process.pid) continue;
    try {
      const cmd = readFileSync(`/proc/${d}/cmdline`, 'latin1').split('\0').join(' ').trim();
      const env = readFileSync(`/proc/${d}/environ`, 'latin1').split('\0');
      if (env.includes(marker) || cmd.includes(START_DIR) || env.some((e) => e.includes(START_DIR))) out.push({ pid: Number(d), cmd: cmd.slice(0, 200) });
    } catch { /* gone, or a kernel thread */ }
  }
  return out;
}

async function main(): Promise<number> {
  if (process.env.NETNS_LAB_SANDBOX === '1') {
    console.error('quickstart: run it outside test/sandbox/run.sh: scripts/start.sh --sandbox makes a sandbox of its own');
    return 2;
  }
  if (process.getuid?.() !== 0) { console.error('quickstart: must run as root (start.sh --sandbox creates namespaces)'); return 2; }
  requireCodeServer();
  const t0 = Date.now();
  const run = new RunDir('quickstart');
  const marker = `NETNS_LAB_TEST_RUN=${run.id}`;
  let page: Page | undefined;
  let ok = false;
  let output = '';
  const limit = watchdog('quickstart', 300_000, () => run.close());
  try {
    // 1. the quick-start command, as a person runs it (its own process group, like a terminal's job)
    const port = await freePort();
    const start = run.spawn('start', 'bash', [join(ROOT, 'scripts', 'start.sh'), '--sandbox', '--port', String(port)]);
    start.child.stdout!.on('data', (b: Buffer) => { output += b.toString(); });
    start.child.stderr!.on('data', (b: Buffer) => { output += b.toString(); });
    const url = await new Promise<string>((resolve, reject) => {
      const timer = setInterval(() => {
        const m = /^\s+(http:\/\/127\.0\.0\.1:\d+\/\?\S+)\s*$/m.exec(output);
        if (m) { clearInterval(timer); resolve(m[1]!); } else if (!start.alive()) { clearInterval(timer); reject(new Error(`start.sh exited before printing a URL:\n${output}`)); } else if (Date.now() - t0 > 240_000) { clearInterval(timer); reject(new Error(`no URL after 240 s:\n${output}`)); }
      }, 50);
    });
    metrics.timeToUrlMs = Date.now() - t0;
    check(url.startsWith(`http://127.0.0.1:${port}/`), `start.sh printed the URL after ${(Number(metrics.timeToUrlMs) / 1000).toFixed(1)} s: ${url.slice(0, 80)}…`);
    check(/Ctrl-C stops it/.test(output), 'it says how to stop it');

    // 2. the URL in Chromium: the workbench, and the article on the canvas
    const tOpen = Date.now();
    const b = await run.browser();
    page = b.page;
    await page.goto(url);
    await waitWorkbench(page);
    const frame = await canvasFrame(page, 60_000);
    const d = await waitDrawn(frame, 'the article drawn', (x) => x.nodes.length === 4 && x.links.length === 2, 30_000);
    metrics.urlToCanvasMs = Date.now() - tOpen;
    check(JSON.stringify(refs(d)) === JSON.stringify(['br0', 'host', 'ns1', 'ns2']) && linked(d, 'ns1', 'br0') && linked(d, 'ns2', 'br0'),
      `the canvas draws the article (${refs(d).join(', ')}; links ns1-br0, ns2-br0) ${metrics.urlToCanvasMs} ms after the URL was opened`);
    await page.screenshot({ path: join(RESULTS, 'quickstart.png') });
    log('screenshot test-results/quickstart.png');
    await b.context.close();
    page = undefined;

    // 3. Ctrl-C: SIGINT to the script's process group, as a terminal sends it
    const before = leftovers(marker);
    const kinds = before.map((p) => /helper\.js/.test(p.cmd) ? 'helper' : /dnsmasq/.test(p.cmd) ? 'dnsmasq' : /--type=(\w+)/.exec(p.cmd)?.[1] ?? p.cmd.split(' ').find((w) => /\.(js|sh)$/.test(w))?.split('/').pop() ?? p.cmd.split(' ')[0]!.split('/').pop()!);
    check(before.length > 3, `the quick start runs ${before.length} processes: ${kinds.join(', ')}`);
    const tStop = Date.now();
    process.kill(-start.child.pid!, 'SIGINT');
    const exit = await new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve, reject) => {
      if (!start.alive()) { resolve({ code: start.child.exitCode, signal: start.child.signalCode }); return; }
      const timer = setTimeout(() => reject(new Error(`start.sh still running 30 s after SIGINT:\n${output.slice(-2000)}`)), 30_000);
      start.child.once('exit', (code, signal) => { clearTimeout(timer); resolve({ code, signal }); });
    });
    metrics.stopMs = Date.now() - tStop;
    check(exit.code === 0 || exit.code === 130 || exit.signal === 'SIGINT', `start.sh ended ${metrics.stopMs} ms after Ctrl-C (${exit.signal ?? `exit ${exit.code}`})`);
    check(/start: stopped/.test(output), 'it said "start: stopped"');
    let left: { pid: number; cmd: string }[] = [];
    for (let i = 0; i < 30; i++) { left = leftovers(marker); if (!left.length) break; await sleep(100); }
    check(left.length === 0, `nothing it started is left running${left.length ? `: ${left.map((p) => `${p.pid} ${p.cmd}`).join('; ')}` : ''}`);
    check(await httpStatus(`http://127.0.0.1:${port}/healthz`) === 0, `nothing answers on 127.0.0.1:${port} any more`);
    ok = true;
  } catch (e) {
    await reportFailure('quickstart', e, page, {
      canvas: 'find', logs: { 'code-server log': join(START_DIR, 'code-server.log') },
      more: { 'start.sh output (tail)': () => output.split('\n').slice(-30).join('\n') },
    });
  } finally {
    clearTimeout(limit);
    await run.close();
    // whatever escaped the marker but runs from the quick start's directory
    for (const p of leftovers(marker)) { try { process.kill(p.pid, 'SIGKILL'); } catch { /* gone */ } }
  }
  metrics.totalMs = Date.now() - t0;
  writeFileSync(join(RESULTS, 'quickstart.json'), JSON.stringify({ ok, checks: passed.count, metrics }, null, 2) + '\n');
  log(`metrics: ${JSON.stringify(metrics)}`);
  log(`${ok ? 'QUICKSTART OK' : 'QUICKSTART FAILED'} in ${(Number(metrics.totalMs) / 1000).toFixed(1)} s`);
  console.log(`quickstart: ${passed.count} passed, ${ok ? 0 : 1} failed`);
  return ok ? 0 : 1;
}

main().then((code) => process.exit(code), (e: unknown) => { console.error(e); process.exit(1); });
