/**
 * `npm run bench`: every benchmark of issue 7, each figure with a ratio against a baseline
 * measured in the same run (the machine is shared and noisy; absolute times are context).
 * Prints a table and the targets, writes bench/results.json (a partial run: bench/results.partial.json).
 *
 *   npm run bench [-- --quick] [-- --only apply,observe,...] [-- --reps K] [-- --sizes 10,50] [-- --docs]
 *
 * The kernel sections run inside the network sandbox: this script re-executes itself in
 * `test/sandbox/run.sh` for them (NETNS_LAB_BENCH_CHILD names the file for its results). The
 * canvas runs in Chromium outside it; sizes need no kernel. Mininet (a baseline) is installed
 * from Debian with apt-get when it is missing and apt works; otherwise the results say why.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { cpus, release, tmpdir } from 'node:os';
import { join } from 'node:path';
import { KERNEL_SECTIONS, SECTIONS, evaluateTargets, parseOptions, renderMarkdown, renderTable, renderTargetsMarkdown, replaceBetweenMarkers, type Row, type Unavailable } from './report.js';

const ROOT = join(new URL('.', import.meta.url).pathname, '..', '..');
const T0 = Number(process.env.NETNS_LAB_BENCH_T0) || Date.now();
const log = (s: string) => process.stderr.write(`[bench ${((Date.now() - T0) / 1000).toFixed(0).padStart(4)}s] ${s}\n`);

interface Part { rows: Row[]; unavailable: Unavailable[] }

/** Mininet and bridge-utils (its lxbr switch needs brctl) from Debian, when missing */
function ensureMininet(): string | undefined {
  const missing = () => ['mn', 'mnexec', 'brctl'].filter((b) => spawnSync('sh', ['-c', `command -v ${b}`]).status !== 0);
  if (!missing().length) return undefined;
  if (process.getuid?.() !== 0) return `${missing().join(', ')} missing and not root: cannot apt-get install mininet bridge-utils`;
  if (spawnSync('sh', ['-c', 'command -v apt-get']).status !== 0) return `${missing().join(', ')} missing and this machine has no apt-get`;
  log('installing Mininet from Debian (apt-get install mininet bridge-utils)');
  const env = { ...process.env, DEBIAN_FRONTEND: 'noninteractive' };
  const install = () => spawnSync('apt-get', ['install', '-y', '--no-install-recommends', 'mininet', 'bridge-utils'], { encoding: 'utf8', env, timeout: 600_000 });
  let r = install();
  if (r.status !== 0) {
    spawnSync('apt-get', ['update'], { encoding: 'utf8', env, timeout: 600_000 });
    r = install();
  }
  if (r.status !== 0) return `apt-get install mininet bridge-utils failed: ${(r.stderr || r.stdout).trim().split('\n').slice(-2).join(' ')}`;
  return missing().length ? `still missing after apt-get: ${missing().join(', ')}` : undefined;
}

function machine(): Record<string, unknown> {
  const ip = spawnSync('ip', ['-V'], { encoding: 'utf8' }).stdout.trim();
  const mn = spawnSync('sh', ['-c', 'mn --version 2>/dev/null'], { encoding: 'utf8' }).stdout.trim();
  const load = readFileSync('/proc/loadavg', 'utf8').split(' ').slice(0, 3).join(' ');
  return { cpus: cpus().length, cpu: cpus()[0]?.model, kernel: release(), node: process.version, iproute2: ip, mininet: mn || null, loadavgAtStart: load };
}

async function child(resultFile: string): Promise<void> {
  const o = parseOptions(process.argv.slice(2));
  const sections = new Set([...(o.only ?? SECTIONS)].filter((s) => KERNEL_SECTIONS.has(s)));
  const r: Part = { rows: [], unavailable: [] };
  if (sections.size) {
    const { runKernel } = await import('./kernel.js');
    const k = await runKernel({ sections, sizes: o.sizes, reps: o.reps, log });
    r.rows.push(...k.rows);
    r.unavailable.push(...k.unavailable);
  }
  const vsix = process.env.NETNS_LAB_BENCH_VSIX;
  if (vsix) {
    const { runVscode } = await import('./vscode.js');
    try {
      r.rows.push(...await runVscode(vsix, log));
    } catch (e) {
      r.unavailable.push({ section: 'extension', topology: '', n: null, subject: 'activation time and extension-host memory (VS Code)', reason: (e as Error).message.split('\n')[0]! });
    }
  }
  writeFileSync(resultFile, JSON.stringify(r));
}

async function main(): Promise<number> {
  const argv = process.argv.slice(2);
  const o = parseOptions(argv);
  const want = (s: string) => !o.only || o.only.has(s);
  for (const f of ['dist/cli.js', 'dist/helper.js', 'dist/webview.js']) {
    if (!existsSync(join(ROOT, f))) throw new Error(`${f} is missing: npm run build first (npm run bench does)`);
  }
  const rows: Row[] = [];
  const unavailable: Unavailable[] = [];
  const add = (p: Part) => { rows.push(...p.rows); unavailable.push(...p.unavailable); };
  const info = machine();
  log(`machine: ${info.cpus} CPU, kernel ${String(info.kernel)}, load ${String(info.loadavgAtStart)}; sizes ${o.sizes.join(', ')}`);

  // sizes first: packaging rebuilds dist/, and the VS Code measurements install this VSIX
  let vsix: string | undefined;
  if (want('extension')) {
    const { runSizes } = await import('./extension.js');
    const sz = runSizes(log);
    add(sz);
    vsix = sz.vsix;
  }
  const kernel = [...KERNEL_SECTIONS].some(want);
  if (kernel || vsix) {
    if (kernel && want('apply')) {
      const why = ensureMininet();
      if (why) log(`Mininet: ${why}`);
    }
    if (process.getuid?.() !== 0) {
      for (const s of KERNEL_SECTIONS) if (want(s)) unavailable.push({ section: s, topology: '', n: null, subject: 'all', reason: 'the kernel benchmarks need root (they run in a private network namespace: test/sandbox/run.sh)' });
      if (vsix) unavailable.push({ section: 'extension', topology: '', n: null, subject: 'activation time and extension-host memory', reason: 'they run in the network sandbox, which needs root' });
    } else {
      const tmp = mkdtempSync(join(tmpdir(), 'netns-lab-bench-'));
      const out = join(tmp, 'kernel.json');
      log('kernel sections and VS Code: re-running inside test/sandbox/run.sh');
      const r = spawnSync('bash', [join(ROOT, 'test', 'sandbox', 'run.sh'), process.execPath, join(ROOT, 'out', 'bench', 'run.js'), ...argv], {
        stdio: 'inherit', env: { ...process.env, NETNS_LAB_BENCH_CHILD: out, NETNS_LAB_BENCH_T0: String(T0), ...(vsix ? { NETNS_LAB_BENCH_VSIX: vsix } : {}) },
      });
      if (r.status !== 0 || !existsSync(out)) throw new Error(`the benchmarks in the sandbox failed (exit ${r.status})`);
      add(JSON.parse(readFileSync(out, 'utf8')) as Part);
      rmSync(tmp, { recursive: true, force: true });
    }
  }
  if (want('canvas')) {
    const { runCanvas } = await import('./canvas.js');
    try {
      rows.push(...await runCanvas(log, o.quick ? 1 : 3));
    } catch (e) {
      unavailable.push({ section: 'canvas', topology: '', n: null, subject: 'Chromium', reason: (e as Error).message.split('\n')[0]! });
    }
  }

  const targets = evaluateTargets(rows);
  const results = {
    date: new Date().toISOString(), durationS: Math.round((Date.now() - T0) / 1000), options: { ...o, only: o.only ? [...o.only] : null },
    machine: info, rows, unavailable, targets,
  };
  console.log(renderTable(rows, unavailable, targets));
  // a full run (every section, every size) is the latest table of the docs and the README, and
  // bench/results.json beside them; a partial run writes bench/results.partial.json (not kept)
  const full = !o.only && !o.quick && !argv.includes('--sizes') && !argv.some((a) => a.startsWith('--sizes='));
  const resultsFile = full || o.docs ? 'bench/results.json' : 'bench/results.partial.json';
  writeFileSync(join(ROOT, resultsFile), JSON.stringify(results, null, 2) + '\n');
  const written = [resultsFile];
  if (full || o.docs) {
    const scope = full ? '' : ` Partial run: sections ${[...(o.only ?? SECTIONS)].join(', ')}; N = ${o.sizes.join(', ')}${o.reps ? `; ${o.reps} round(s)` : ''}.`;
    const when = `Measured ${results.date.slice(0, 16).replace('T', ' ')} UTC in ${results.durationS} s on ${String(info.cpus)} CPUs (${String(info.cpu)}), Linux ${String(info.kernel)}, ${String(info.iproute2)}, Node ${String(info.node)}, load average ${String(info.loadavgAtStart)} at the start.${scope}`;
    for (const [f, body] of [
      ['docs/performance.md', `${when}\n\n${renderMarkdown(rows, unavailable, targets)}`],
      ['README.md', `${when} All figures: [docs/performance.md](docs/performance.md).\n\n${renderTargetsMarkdown(targets)}`],
    ] as const) {
      const path = join(ROOT, f);
      const next = existsSync(path) ? replaceBetweenMarkers(readFileSync(path, 'utf8'), 'table', body) : undefined;
      if (next === undefined) { log(`${f}: no <!-- bench:table:start/end --> markers, not updated`); continue; }
      writeFileSync(path, next);
      written.push(f);
    }
  }
  log(`done in ${results.durationS} s: ${written.join(', ')}${full || o.docs ? '' : ' (a partial run leaves the docs and the README alone; --docs writes them)'}`);
  return 0;
}

const childFile = process.env.NETNS_LAB_BENCH_CHILD;
(childFile ? child(childFile).then(() => 0) : main()).then((c) => process.exit(c), (e: unknown) => {
  console.error(`bench: ${(e as Error).stack ?? String(e)}`);
  process.exit(1);
});
