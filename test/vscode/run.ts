/**
 * Extension-host integration tests in a real VS Code (the server inside code-server), the
 * equivalent of @vscode/test-electron's runTests without downloading anything:
 * the server starts with the smoke-test driver, headless Chromium opens the workbench with a
 * `payload` (extensionDevelopmentPath = this repository, extensionTestsPath = the mocha suite
 * bundled by build/vscode-tests.mjs), and the workbench reports the mocha output through
 * window.codeAutomationLog and the result through window.codeAutomationExit.
 *
 * Two passes: "main" in a trusted workspace, "untrusted" in restricted mode (Workspace Trust on).
 * Runs inside test/sandbox/run.sh: Show Plan starts the real helper, which observes the
 * sandbox's network, never the host's.
 *   usage: bash test/sandbox/run.sh node out/test/vscode/run.js [main|untrusted ...]
 *   env: VERBOSE=1 (server output), NETNS_LAB_GREP=pattern, NETNS_LAB_EXTENSION_PATH=dir
 */
import { cpSync, existsSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { format } from 'node:util';
import { assertSandbox } from '../integration/sandbox.js';
import { lanTopology } from './fixtures.js';
import { BASE_SETTINGS, RESULTS, ROOT, RunDir, freePort, log, requireCodeServer, waitHttp } from './harness.js';

const SUITE_DIR = join(ROOT, 'out', 'vscode-suite');
const EXT_PATH = process.env.NETNS_LAB_EXTENSION_PATH || ROOT;
const TIMEOUT_MS = Number(process.env.TEST_TIMEOUT_MS || 180_000);
const NOISE = /connection token|Creating a socket|Service Worker|builtin extensions cache|ChatSessionStore|open-vsx\.org|\[Extension Host\] (?:$|%c)|Ignoring the error while validating workspace folder|Unable to resolve nonexistent file.*extensions\.json/;

interface MochaSummary { suite: string; passes: number; failures: number; pending: number; durationMs: number }
interface PassResult { suite: string; exitCode: number; summary?: MochaSummary; ms: number; metrics: Record<string, unknown> }

function makeWorkspace(dir: string): void {
  mkdirSync(dir, { recursive: true });
  const article = readFileSync(join(ROOT, 'examples', 'article.netns.json'), 'utf8').replace(/^\s*"\$schema": [^\n]*\n/m, '');
  writeFileSync(join(dir, 'article.netns.json'), article);
  // structural error: an interface name of 16 bytes (the kernel allows 15)
  const badName = article.replace('"name": "veth1", ', '"name": "veth1-0123456789", ');
  // semantic error: ns2's default gateway is on no subnet it is connected to
  const badGateway = article.replace(/("via": ")10\.0\.0\.1(" \}\],\s*"dns": "inherit",\s*"internet": true,\s*"position": \{ "x": 450)/, '$110.9.9.1$2');
  if (badName === article || badGateway === article) throw new Error('examples/article.netns.json changed: update the broken fixtures in test/vscode/run.ts');
  writeFileSync(join(dir, 'broken-name.netns.json'), badName);
  writeFileSync(join(dir, 'broken-gateway.netns.json'), badGateway);
  writeFileSync(join(dir, 'lan100.netns.json'), lanTopology(100));
  // other tools' labs, for Open as Netns Lab Topology
  cpSync(join(ROOT, 'test', 'fixtures', 'import', 'clab', 'office.clab.yml'), join(dir, 'labs', 'office.clab.yml'));
  cpSync(join(ROOT, 'test', 'fixtures', 'import', 'kathara', 'campus'), join(dir, 'labs', 'campus'), { recursive: true });
}

async function runPass(suite: 'main' | 'untrusted'): Promise<PassResult> {
  const t0 = Date.now();
  const run = new RunDir(`vscode-${suite}`);
  const metricsFile = run.path('metrics.json');
  let exitCode = 1;
  let summary: MochaSummary | undefined;
  try {
    const ws = run.path('workspace');
    makeWorkspace(ws);
    const settings: Record<string, unknown> = { ...BASE_SETTINGS };
    const env: Record<string, string> = { NETNS_LAB_SUITE: suite, NETNS_LAB_METRICS: metricsFile };
    if (process.env.NETNS_LAB_GREP) env.NETNS_LAB_GREP = process.env.NETNS_LAB_GREP;
    if (suite === 'untrusted') {
      settings['security.workspace.trust.enabled'] = true;
      settings['security.workspace.trust.startupPrompt'] = 'never';
      settings['security.workspace.trust.emptyWindow'] = false;
      // a stand-in helper that only records that it was started
      const mark = run.path('helper-started');
      const fake = run.path('fake-helper.cjs');
      writeFileSync(fake, `require('fs').writeFileSync(${JSON.stringify(mark)}, String(process.pid)); process.exit(3);\n`);
      settings['netnsLab.helperPath'] = fake;
      env.NETNS_LAB_HELPER_MARK = mark;
    }
    run.writeSettings(run.path('user-data'), settings);
    const port = await freePort();
    const server = run.startVscodeServer(port, { trust: suite === 'main', extraEnv: env });
    await waitHttp(`http://127.0.0.1:${port}/version`, 60_000, server.alive);
    log(suite, `VS Code server ready on port ${port} (logs: ${server.log})`);

    const { page } = await run.browser();
    let resolveExit!: (code: number) => void;
    const exited = new Promise<number>((r) => { resolveExit = r; });
    await page.exposeFunction('codeAutomationLog', (type: string, args: unknown[]) => {
      const line = format(...(args ?? []));
      const m = /NETNS_LAB_MOCHA (\{.*\})/.exec(line);
      if (m) { summary = JSON.parse(m[1]!) as MochaSummary; return; }
      if (NOISE.test(line) && !process.env.VERBOSE) return;
      for (const l of line.replace(/\n$/, '').split('\n')) console.log(type === 'error' ? `  [workbench error] ${l}` : `  ${l}`);
    });
    await page.exposeFunction('codeAutomationExit', (code: number) => { resolveExit(code); });
    page.on('pageerror', (e) => console.log(`  [page error] ${e.message}`));
    const payload = [
      ['extensionDevelopmentPath', `vscode-remote://remote${EXT_PATH}`],
      ['extensionTestsPath', `vscode-remote://remote${join(SUITE_DIR, 'index.cjs')}`],
    ];
    await page.goto(`http://127.0.0.1:${port}/?folder=${encodeURIComponent(ws)}&payload=${encodeURIComponent(JSON.stringify(payload))}`);
    let timer: ReturnType<typeof setTimeout> | undefined;
    exitCode = await Promise.race([exited, new Promise<number>((_, rej) => { timer = setTimeout(() => rej(new Error(`the ${suite} suite did not finish within ${TIMEOUT_MS} ms`)), TIMEOUT_MS); })]);
    clearTimeout(timer);
    if (exitCode !== 0) {
      mkdirSync(RESULTS, { recursive: true });
      await page.screenshot({ path: join(RESULTS, `vscode-${suite}-failure.png`) }).catch(() => undefined);
    }
  } catch (e) {
    console.error(`[vscode ${suite}] ERROR`, e);
    exitCode = 1;
  } finally {
    await run.close();
  }
  let metrics: Record<string, unknown> = {};
  try { metrics = JSON.parse(readFileSync(metricsFile, 'utf8')) as Record<string, unknown>; } catch { /* none */ }
  if (!summary) exitCode = exitCode || 1;
  return { suite, exitCode, ...(summary ? { summary } : {}), ms: Date.now() - t0, metrics };
}

async function main(): Promise<number> {
  assertSandbox();
  requireCodeServer();
  for (const f of [join(EXT_PATH, 'dist', 'extension.cjs'), join(SUITE_DIR, 'index.cjs')]) {
    if (!existsSync(f)) throw new Error(`${f} is missing: npm run build && node build/vscode-tests.mjs`);
  }
  const t0 = Date.now();
  mkdirSync(RESULTS, { recursive: true });
  for (const f of readdirSync(RESULTS)) if (/^vscode-.*-failure\.png$/.test(f)) rmSync(join(RESULTS, f));
  const wanted = process.argv.slice(2).length ? process.argv.slice(2) : ['main', 'untrusted'];
  const results: PassResult[] = [];
  for (const s of wanted) {
    if (s !== 'main' && s !== 'untrusted') throw new Error(`unknown suite ${s}`);
    log('vscode', `--- extension-host suite "${s}"`);
    results.push(await runPass(s));
  }
  const passes = results.reduce((n, r) => n + (r.summary?.passes ?? 0), 0);
  const failures = results.reduce((n, r) => n + (r.summary?.failures ?? (r.exitCode ? 1 : 0)), 0);
  const pending = results.reduce((n, r) => n + (r.summary?.pending ?? 0), 0);
  const totalMs = Date.now() - t0;
  mkdirSync(RESULTS, { recursive: true });
  const metrics = Object.fromEntries(results.map((r) => [r.suite, r.metrics])) as Record<string, Record<string, unknown>>;
  const out = { totalMs, passes: results.map((r) => ({ suite: r.suite, ms: r.ms, exitCode: r.exitCode, ...r.summary })), metrics };
  writeFileSync(join(RESULTS, 'vscode-tests.json'), JSON.stringify(out, null, 2) + '\n');
  for (const r of results) log('vscode', `suite ${r.suite}: exit ${r.exitCode} in ${(r.ms / 1000).toFixed(1)} s${r.summary ? ` (${r.summary.passes} passing, ${r.summary.failures} failing, ${r.summary.pending} pending)` : ' (no mocha summary)'}`);
  for (const r of results) {
    if (r.metrics.activationMs !== undefined) log('vscode', `${r.suite}: activation of the extension (ext.activate(): load + activate()) ${String(r.metrics.activationMs)} ms`);
  }
  log('vscode', `total ${(totalMs / 1000).toFixed(1)} s; details in test-results/vscode-tests.json`);
  console.log(`vscode: ${passes} passed, ${failures} failed${pending ? `, ${pending} skipped` : ''}`);
  return results.every((r) => r.exitCode === 0) && failures === 0 ? 0 : 1;
}

main().then((code) => process.exit(code), (e: unknown) => { console.error(e); process.exit(1); });
