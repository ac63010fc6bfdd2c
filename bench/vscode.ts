/**
 * The extension in a real VS Code (code-server 4.100.3, the VSIX installed, headless Chromium),
 * inside the network sandbox: activation time as VS Code measures it (Developer: Show Running
 * Extensions) against the other extensions active in the same window, and the extension host's
 * memory (RSS) before the extension is activated (the baseline), idle with its views visible,
 * and with a 200-namespace LAN applied, its canvas open and the views visible.
 */
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Page } from 'playwright-core';
import { BASE_SETTINGS, RunDir, freePort, requireCodeServer, rssOfRun, runCommand, sleep, waitHttp, waitWorkbench } from '../test/vscode/harness.js';
import { canvasFrame, quickOpen, waitDrawn } from '../test/e2e/ui.js';
import { median, type Row } from './report.js';
import { lan } from './topologies.js';

const ROOT = join(new URL('.', import.meta.url).pathname, '..', '..');
const CLI_JS = join(ROOT, 'dist', 'cli.js');

/** extension host RSS (MiB), the median of 3 samples a second apart */
async function hostMiB(run: RunDir): Promise<number> {
  const xs: number[] = [];
  for (let i = 0; i < 3; i++) {
    if (i) await sleep(1000);
    const hosts = rssOfRun('NETNS_LAB_TEST_RUN', run.id).filter((p) => p.kind === 'vscode:extensionHost');
    if (hosts.length !== 1) throw new Error(`${hosts.length} extension host processes`);
    xs.push(hosts[0]!.rssKiB / 1024);
  }
  return median(xs);
}

/** the rows of Developer: Show Running Extensions: name and activation time (ms) */
async function runningExtensions(p: Page): Promise<{ name: string; ms: number | undefined; text: string }[]> {
  await runCommand(p, 'Developer: Show Running Extensions');
  const rows = p.locator('.runtime-extensions-editor .monaco-list-row');
  await rows.first().waitFor({ timeout: 15_000 });
  await sleep(500);
  const out: { name: string; ms: number | undefined; text: string }[] = [];
  for (const r of await rows.all()) {
    const text = (await r.innerText()).replace(/\s+/g, ' ').trim();
    const name = (await r.locator('.name').first().innerText().catch(() => text.split(' ')[0] ?? '')).trim();
    const m = /(\d+)\s*ms/.exec(text);
    out.push({ name, ms: m ? Number(m[1]) : undefined, text });
  }
  return out;
}

async function namespacesViewLists(p: Page, label: string): Promise<boolean> {
  return await p.evaluate(`(() => {
    const pane = [...document.querySelectorAll('.part.sidebar .pane')].find((x) => ((x.querySelector('.pane-header .title') || {}).textContent || '').trim().toLowerCase() === 'namespaces');
    return !!pane && [...pane.querySelectorAll('.pane-body .monaco-list-row .label-name')].some((e) => e.textContent.trim() === ${JSON.stringify(label)});
  })()`) as boolean;
}

export async function runVscode(vsixPath: string, log: (s: string) => void): Promise<Row[]> {
  requireCodeServer();
  const run = new RunDir('bench-vscode');
  const ws = mkdtempSync('/tmp/nl-bench-');
  const rows: Row[] = [];
  const topo = lan(200);
  const file = join(ws, 'lan200.netns.json');
  try {
    mkdirSync(ws, { recursive: true });
    writeFileSync(file, JSON.stringify(topo, null, 2) + '\n');
    run.codeServerCli(['--install-extension', vsixPath]);
    run.writeSettings(run.path('user-data'), { ...BASE_SETTINGS });
    const port = await freePort();
    const cs = run.startCodeServer(port, ws);
    await waitHttp(`http://127.0.0.1:${port}/healthz`, 60_000, cs.alive);
    const { page: p } = await run.browser({ viewport: { width: 1360, height: 820 } });
    await p.goto(`http://127.0.0.1:${port}/?folder=${encodeURIComponent(ws)}`);
    await waitWorkbench(p);
    log('vscode: workbench up');
    await sleep(4000);
    const before = await hostMiB(run);
    // the views activate the extension
    await runCommand(p, 'Netns Lab: Focus on Namespaces View');
    for (let i = 0; i < 200 && !(await namespacesViewLists(p, 'host')); i++) await sleep(100);
    const list = await runningExtensions(p);
    const mine = list.find((x) => /netns lab/i.test(x.name) || /netns lab/i.test(x.text));
    if (!mine?.ms) throw new Error(`Running Extensions shows no activation time for Netns Lab: ${JSON.stringify(list.map((x) => x.text))}`);
    const others = list.filter((x) => x !== mine && x.ms !== undefined).map((x) => x.ms!);
    rows.push({ section: 'extension', topology: '', n: null, subject: 'activation (VS Code: Running Extensions)', value: mine.ms, unit: 'ms',
      ...(others.length ? { baseline: { subject: `median of the ${others.length} other active extensions`, value: median(others) } } : {}), note: mine.text });
    await runCommand(p, 'View: Close All Editors');
    await runCommand(p, 'Netns Lab: Focus on Namespaces View');
    await sleep(3000);
    const idle = await hostMiB(run);
    const base = { subject: 'extension host before activation', value: before };
    rows.push({ section: 'extension', topology: '', n: null, subject: 'extension host RSS, idle (views visible)', value: idle, unit: 'MiB', baseline: base });
    log('vscode: applying lan200 (CLI) and opening it');
    const a = spawnSync(process.execPath, [CLI_JS, 'apply', file], { encoding: 'utf8', timeout: 120_000 });
    if (a.status !== 0) throw new Error(`apply lan200: ${a.stderr.slice(-500)}`);
    await quickOpen(p, 'lan200.netns.json');
    const frame = await canvasFrame(p, 60_000);
    await waitDrawn(frame, 'the 200-namespace LAN drawn', (x) => x.nodes.length === 201, 60_000);
    await runCommand(p, 'Netns Lab: Focus on Namespaces View');
    for (let i = 0; i < 300 && !(await namespacesViewLists(p, 'n1')); i++) await sleep(100);
    await sleep(3000);
    const busy = await hostMiB(run);
    rows.push({ section: 'extension', topology: 'lan', n: 200, subject: 'extension host RSS, lan200 applied, canvas + views open', value: busy, unit: 'MiB', baseline: base });
  } finally {
    await run.close();
    spawnSync(process.execPath, [CLI_JS, 'destroy', file], { encoding: 'utf8', timeout: 120_000 });
    rmSync(ws, { recursive: true, force: true });
  }
  return rows;
}
