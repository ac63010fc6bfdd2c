/**
 * A real VS Code for tests, without downloading VS Code (shared/recipes/vscode-e2e): the
 * VS Code server inside code-server (installed by scripts/install-code-server.sh under
 * .vscode-test/), or code-server itself, driven by playwright-core in Debian's Chromium.
 *
 * Everything a run starts gets a private HOME, TMPDIR and XDG dirs under its run directory and
 * a marker in its environment; `RunDir.close()` kills the process groups it started and then
 * every process that still carries the marker, so nothing is left running.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { createWriteStream, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { request } from 'node:http';
import { createServer } from 'node:net';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium, type BrowserContext, type Page } from 'playwright-core';

export const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..', '..', '..');
export const CODE_SERVER_VERSION = '4.100.3';
export const CODE_SERVER = join(ROOT, '.vscode-test', `code-server-${CODE_SERVER_VERSION}`, 'node_modules', 'code-server');
export const CHROMIUM = process.env.CHROMIUM || '/usr/bin/chromium';
export const RESULTS = join(ROOT, 'test-results');
export const EXTENSION_ID = 'netns-lab.netns-lab';

/** the settings of the recipe: no tips, no telemetry, no update checks, terminals in the DOM */
export const BASE_SETTINGS: Record<string, unknown> = {
  'workbench.startupEditor': 'none',
  'workbench.tips.enabled': false,
  'workbench.enableExperiments': false,
  'telemetry.telemetryLevel': 'off',
  'update.mode': 'none',
  'extensions.autoCheckUpdates': false,
  'extensions.autoUpdate': false,
  'extensions.ignoreRecommendations': true,
  'security.workspace.trust.enabled': false,
  'git.enabled': false,
  'terminal.integrated.defaultProfile.linux': 'bash',
  'terminal.integrated.shellIntegration.enabled': false,
  'window.restoreWindows': 'none',
  'terminal.integrated.gpuAcceleration': 'off',
};

const T0 = Date.now();
export function log(tag: string, ...a: unknown[]): void {
  console.log(`[${tag} ${((Date.now() - T0) / 1000).toFixed(2)}s]`, ...a);
}
export const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

export function requireCodeServer(): void {
  if (!existsSync(join(CODE_SERVER, 'lib', 'vscode', 'out', 'server-main.js'))) {
    throw new Error(`code-server ${CODE_SERVER_VERSION} is not installed in ${CODE_SERVER}: run bash scripts/setup.sh (or scripts/install-code-server.sh)`);
  }
  if (!existsSync(CHROMIUM)) throw new Error(`no Chromium at ${CHROMIUM}: apt-get install chromium (scripts/setup.sh does)`);
}

/** a TCP port that was free a moment ago (the OS picks it) */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const a = s.address();
      const port = typeof a === 'object' && a ? a.port : 0;
      s.close(() => resolve(port));
    });
  });
}

export function httpStatus(url: string): Promise<number> {
  return new Promise((resolve) => {
    const req = request(url, { timeout: 2000 }, (r) => { r.resume(); resolve(r.statusCode ?? 0); });
    req.on('error', () => resolve(0));
    req.on('timeout', () => { req.destroy(); resolve(0); });
    req.end();
  });
}

export async function waitHttp(url: string, timeoutMs = 60_000, alive?: () => boolean): Promise<void> {
  const end = Date.now() + timeoutMs;
  while (Date.now() < end) {
    if (await httpStatus(url) === 200) return;
    if (alive && !alive()) throw new Error(`the server exited before ${url} answered`);
    await sleep(100);
  }
  throw new Error(`${url} did not answer within ${timeoutMs} ms`);
}

/** pids of every process whose environment carries KEY=VALUE (root sees them all) */
export function pidsWithEnv(key: string, value: string): number[] {
  const entry = `${key}=${value}`;
  const out: number[] = [];
  for (const d of readdirSync('/proc')) {
    if (!/^\d+$/.test(d) || Number(d) === process.pid) continue;
    try {
      if (readFileSync(`/proc/${d}/environ`, 'latin1').split('\0').includes(entry)) out.push(Number(d));
    } catch { /* gone, or a kernel thread */ }
  }
  return out;
}

/** a short name for a process of a run: what it is, from its command line */
function processKind(cmdline: string): string {
  // (Chromium's children rewrite their command line into one space-separated string)
  const a = cmdline.split(/\0| (?=--)/);
  const type = a.find((x) => x.startsWith('--type='))?.slice(7);
  if (/chrom/.test(a[0] ?? '')) return `chromium${type ? `:${type}` : ''}`;
  if (a.some((x) => x.endsWith('dist/helper.js'))) return 'netns-lab helper';
  if (type) return `vscode:${type}`;
  const script = a.slice(1).find((x) => x.endsWith('.js'));
  return script ? script.split('/').slice(-2).join('/') : (a[0] ?? '?').split('/').pop()!;
}

/** CPU time (ms) used so far by each kind of process that carries the run's marker */
export function cpuByKind(key: string, value: string): Record<string, number> {
  const out: Record<string, number> = {};
  for (const pid of pidsWithEnv(key, value)) {
    try {
      const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
      const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      const ticks = Number(f[11]) + Number(f[12]); // utime + stime
      const kind = processKind(readFileSync(`/proc/${pid}/cmdline`, 'latin1'));
      out[kind] = (out[kind] ?? 0) + ticks * 10; // USER_HZ is 100 on Linux
    } catch { /* gone */ }
  }
  return out;
}

/** resident memory (KiB, VmRSS) of each process that carries the run's marker, with its kind */
export function rssOfRun(key: string, value: string): { pid: number; kind: string; rssKiB: number }[] {
  const out: { pid: number; kind: string; rssKiB: number }[] = [];
  for (const pid of pidsWithEnv(key, value)) {
    try {
      const rss = /^VmRSS:\s+(\d+) kB/m.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
      if (rss) out.push({ pid, kind: processKind(readFileSync(`/proc/${pid}/cmdline`, 'latin1')), rssKiB: Number(rss[1]) });
    } catch { /* gone */ }
  }
  return out;
}

/** per kind: CPU ms used between two cpuByKind samples (processes that came or went count from 0) */
export function cpuDelta(a: Record<string, number>, b: Record<string, number>): Record<string, number> {
  const out: Record<string, number> = {};
  for (const k of new Set([...Object.keys(a), ...Object.keys(b)])) {
    const d = (b[k] ?? 0) - (a[k] ?? 0);
    if (d > 0) out[k] = d;
  }
  return Object.fromEntries(Object.entries(out).sort((x, y) => y[1] - x[1]));
}

function groupAlive(pgid: number): boolean {
  try { process.kill(-pgid, 0); return true; } catch { return false; }
}

export interface Started { child: ChildProcess; name: string; log: string; alive(): boolean }

/**
 * One test run: a fresh directory with private home/tmp/xdg dirs, the processes it started,
 * and their clean-up. The marker NETNS_LAB_TEST_RUN=<id> is in every child's environment.
 */
export class RunDir {
  readonly dir: string;
  readonly env: Record<string, string>;
  readonly id: string;
  /** short: VS Code puts its IPC sockets here, and a socket path has at most 107 bytes */
  private readonly runtime: string;
  private readonly started: Started[] = [];
  private contexts: BrowserContext[] = [];
  private closed = false;

  constructor(name: string) {
    this.id = `${name}-${process.pid}-${Date.now()}`;
    this.dir = join(ROOT, '.vscode-test', 'runs', name);
    rmSync(this.dir, { recursive: true, force: true });
    const home = join(this.dir, 'home');
    this.runtime = mkdtempSync('/tmp/nlvs-');
    this.env = {
      HOME: home,
      TMPDIR: join(this.dir, 'tmp'),
      XDG_CONFIG_HOME: join(home, '.config'),
      XDG_DATA_HOME: join(home, '.local', 'share'),
      XDG_CACHE_HOME: join(home, '.cache'),
      XDG_RUNTIME_DIR: this.runtime,
      NETNS_LAB_TEST_RUN: this.id,
    };
    for (const [k, d] of Object.entries(this.env)) if (k !== 'NETNS_LAB_TEST_RUN') mkdirSync(d, { recursive: true, mode: 0o700 });
    // playwright's own temporary files too
    process.env.TMPDIR = this.env.TMPDIR;
    const onSignal = (sig: NodeJS.Signals) => { void this.close().finally(() => process.exit(sig === 'SIGINT' ? 130 : 143)); };
    process.once('SIGINT', onSignal);
    process.once('SIGTERM', onSignal);
  }

  path(...p: string[]): string {
    return join(this.dir, ...p);
  }

  /** user settings for a user-data dir */
  writeSettings(userDataDir: string, settings: Record<string, unknown>): void {
    mkdirSync(join(userDataDir, 'User'), { recursive: true });
    writeFileSync(join(userDataDir, 'User', 'settings.json'), JSON.stringify(settings, null, 2));
  }

  /** a program in its own process group, output to a log file in the run dir */
  spawn(name: string, cmd: string, args: string[], env: Record<string, string> = {}): Started {
    const logFile = this.path(`${name}.log`);
    const child = spawn(cmd, args, { env: { ...process.env, ...this.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'], detached: true, cwd: this.dir });
    const out = createWriteStream(logFile);
    const verbose = !!process.env.VERBOSE;
    child.stdout!.on('data', (d: Buffer) => { out.write(d); if (verbose) process.stdout.write(d); });
    child.stderr!.on('data', (d: Buffer) => { out.write(d); if (verbose) process.stderr.write(d); });
    let exited = false;
    child.once('exit', () => { exited = true; });
    const s: Started = { child, name, log: logFile, alive: () => !exited };
    this.started.push(s);
    return s;
  }

  /** run a program to completion (private env), throw with its output when it fails */
  run(cmd: string, args: string[], env: Record<string, string> = {}): string {
    const r = spawnSync(cmd, args, { env: { ...process.env, ...this.env, ...env }, encoding: 'utf8', cwd: this.dir, timeout: 300_000 });
    if (r.status !== 0) throw new Error(`${cmd} ${args.join(' ')} failed (${r.status ?? r.signal}):\n${r.stdout}\n${r.stderr}`);
    return r.stdout;
  }

  /** the VS Code server bundled in code-server, with the smoke-test driver (URL payload honoured) */
  startVscodeServer(port: number, opts: { trust: boolean; extraEnv?: Record<string, string> }): Started {
    const args = [join(CODE_SERVER, 'lib', 'vscode', 'out', 'server-main.js'), '--host', '127.0.0.1', '--port', String(port),
      '--without-connection-token', '--accept-server-license-terms', '--telemetry-level', 'off',
      '--user-data-dir', this.path('user-data'), '--server-data-dir', this.path('server-data'),
      '--extensions-dir', this.path('extensions'), '--enable-smoke-test-driver'];
    if (!opts.trust) { /* workspace trust stays on: the folder opens in restricted mode */ } else args.push('--disable-workspace-trust');
    return this.spawn('vscode-server', process.execPath, args, opts.extraEnv);
  }

  /** code-server itself (as a person would run it) */
  startCodeServer(port: number, folder: string, extraEnv: Record<string, string> = {}): Started {
    const args = [join(CODE_SERVER, 'out', 'node', 'entry.js'), '--config', '/dev/null', '--bind-addr', `127.0.0.1:${port}`,
      '--auth', 'none', '--user-data-dir', this.path('user-data'), '--extensions-dir', this.path('extensions'),
      '--disable-telemetry', '--disable-update-check', '--disable-workspace-trust', '--disable-getting-started-override',
      '--ignore-last-opened', folder];
    return this.spawn('code-server', process.execPath, args, extraEnv);
  }

  codeServerCli(args: string[]): string {
    return this.run(process.execPath, [join(CODE_SERVER, 'out', 'node', 'entry.js'), '--config', '/dev/null',
      '--user-data-dir', this.path('user-data'), '--extensions-dir', this.path('extensions'), ...args]);
  }

  /** headless Chromium with a fresh profile in the run dir */
  async browser(opts: { viewport?: { width: number; height: number }; colorScheme?: 'light' | 'dark' } = {}): Promise<{ context: BrowserContext; page: Page }> {
    const profile = this.path(`chromium-profile-${this.contexts.length}`);
    mkdirSync(profile, { recursive: true });
    const context = await chromium.launchPersistentContext(profile, {
      executablePath: CHROMIUM,
      headless: true,
      viewport: opts.viewport ?? { width: 1400, height: 900 },
      colorScheme: opts.colorScheme ?? 'light',
      env: { ...process.env, ...this.env },
      args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking',
        '--disable-component-update', '--disable-sync', '--disable-dev-shm-usage'],
    });
    this.contexts.push(context);
    const page = context.pages()[0] ?? await context.newPage();
    return { context, page };
  }

  /** stop everything this run started; safe to call twice */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    for (const c of this.contexts) await c.close().catch(() => undefined);
    for (const s of this.started) {
      const pgid = s.child.pid;
      if (!pgid) continue;
      try { process.kill(-pgid, 'SIGTERM'); } catch { /* already gone */ }
    }
    const end = Date.now() + 3000;
    while (Date.now() < end && this.started.some((s) => s.child.pid && groupAlive(s.child.pid))) await sleep(50);
    for (const s of this.started) {
      if (s.child.pid && groupAlive(s.child.pid)) { try { process.kill(-s.child.pid, 'SIGKILL'); } catch { /* gone */ } }
    }
    // anything that left the groups (setsid by node-pty, a helper, a browser zygote) still has the marker
    for (let round = 0; round < 20; round++) {
      const left = pidsWithEnv('NETNS_LAB_TEST_RUN', this.id);
      if (!left.length) break;
      if (round === 0) console.log(`[harness] stopping processes that left their group: ${left.join(' ')}`);
      for (const pid of left) { try { process.kill(pid, round < 5 ? 'SIGTERM' : 'SIGKILL'); } catch { /* gone */ } }
      await sleep(100);
    }
    const left = pidsWithEnv('NETNS_LAB_TEST_RUN', this.id);
    if (left.length) console.error(`[harness] processes still running after clean-up: ${left.join(' ')}`);
    rmSync(this.runtime, { recursive: true, force: true });
  }
}

// ---------------------------------------------------------------------------------------------
// driving the workbench

/** the workbench is up: status bar and editor part drawn */
export async function waitWorkbench(page: Page, timeout = 60_000): Promise<void> {
  await page.locator('.monaco-workbench .part.statusbar').waitFor({ timeout });
  await page.locator('.monaco-workbench .part.editor').waitFor({ timeout });
}

/**
 * Run a command from the palette (F1) by its title. The open list does not refresh, and the
 * extension's commands appear a few seconds after the workbench: retry with Escape.
 */
export async function runCommand(page: Page, title: string, timeout = 30_000, opensPicker = false): Promise<void> {
  const widget = page.locator('.quick-input-widget');
  const input = widget.locator('.quick-input-box input');
  const exact = title.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
  const row = widget.locator('.monaco-list-row', { has: page.locator('.label-name', { hasText: new RegExp(`^${exact}$`) }) }).first();
  const end = Date.now() + timeout;
  for (;;) {
    await page.keyboard.press('F1');
    try {
      // the palette can close again at once (focus taken by a notification or a view that
      // activates): then it is opened again, until the timeout
      await input.waitFor({ state: 'visible', timeout: 10_000 });
      await input.fill(`>${title}`, { timeout: 5000 });
      await row.waitFor({ state: 'visible', timeout: 2000 });
      break;
    } catch (e) {
      if (Date.now() > end) throw new Error(`command "${title}" not in the palette after ${timeout} ms: ${(e as Error).message}`);
    }
    await page.keyboard.press('Escape');
    await widget.waitFor({ state: 'hidden', timeout: 5000 }).catch(() => undefined);
    await sleep(300);
  }
  await row.click();
  // a command that opens a picker of its own keeps the widget up, with a new list
  if (opensPicker) await page.waitForFunction((t) => {
    const i = (globalThis as unknown as { document: { querySelector(s: string): { value: string } | null } }).document.querySelector('.quick-input-widget .quick-input-box input');
    return !i || i.value !== `>${t}`;
  }, title, { timeout: 10_000 });
  else await widget.waitFor({ state: 'hidden', timeout: 10_000 });
}

/** visible text of notifications and dialogs, for failure reports */
export async function describePage(page: Page): Promise<string> {
  try {
    // (a string: this file is compiled without the DOM library)
    return await page.evaluate(`(() => {
      const pick = (sel) => [...document.querySelectorAll(sel)].map((e) => e.innerText.trim()).filter(Boolean);
      return [
        ...pick('.monaco-dialog-box').map((t) => 'dialog: ' + t),
        ...pick('.notifications-toasts .notification-toast, .notifications-center .notification-list-item').map((t) => 'notification: ' + t),
        ...[...document.querySelectorAll('.quick-input-widget')].filter((e) => e.offsetParent).map((e) => 'quick input: ' + (e.querySelector('input')?.value ?? '') + ' | ' + [...e.querySelectorAll('.monaco-list-row')].map((r) => r.innerText.trim()).slice(0, 8).join(' | ')),
        ...pick('.tabs-container .tab').map((t) => 'tab: ' + t),
        ...pick('.part.statusbar').map((t) => 'status bar: ' + t.replace(/\\s+/g, ' ')),
      ].join('\\n');
    })()`) as string;
  } catch (e) {
    return `(could not read the page: ${(e as Error).message})`;
  }
}
