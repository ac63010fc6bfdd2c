/**
 * The reachability matrix of a scaled LAN (bench/topologies.ts lan(N)): N namespaces on one
 * bridge, each pinging every other namespace and the bridge (N*(N-1) + N probes). Applies the
 * LAN with the CLI, then runs the helper's 'ping' op directly (the same request the CLI and
 * VS Code send) at the default fan-out and, with --fanout, at others. Prints probes, wall time,
 * fan-out and probes/s; the CLI's own wall time for `netns-lab ping` too.
 *   bash test/sandbox/run.sh node out/bench/matrix.js [N] [--fanout 16,32,64] [--runs 3]
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startHelper } from '../src/engine/helper-client.js';
import type { ProbeResult } from '../src/core/diagnose/reach.js';
import { lan } from './topologies.js';
import { inSandbox } from '../test/support/in-sandbox.js';

const ROOT = join(new URL('.', import.meta.url).pathname, '..', '..');
const CLI = join(ROOT, 'dist', 'cli.js');
const HELPER = join(ROOT, 'dist', 'helper.js');
if (!inSandbox()) { console.error('run inside test/sandbox/run.sh'); process.exit(2); }

const args = process.argv.slice(2);
const flag = (name: string) => { const i = args.indexOf(name); return i >= 0 ? args.splice(i, 2)[1] : undefined; };
const fanouts = (flag('--fanout') ?? '').split(',').filter(Boolean).map(Number);
const runs = Number(flag('--runs') ?? 1);
const n = Number(args[0] ?? 50);
if (!Number.isInteger(n) || n < 2 || n > 500) { console.error('N: 2..500'); process.exit(2); }

function cli(argv: string[]): { ms: number; code: number; stdout: string; stderr: string } {
  const t0 = process.hrtime.bigint();
  const r = spawnSync(process.execPath, [CLI, ...argv], { encoding: 'utf8', maxBuffer: 64 * 1024 * 1024 });
  return { ms: Number(process.hrtime.bigint() - t0) / 1e6, code: r.status ?? 1, stdout: r.stdout, stderr: r.stderr };
}

/** user+system CPU seconds of this process's children so far (the helper and its pings) */
function childCpu(): number {
  const f = spawnSync('cat', [`/proc/${process.pid}/stat`], { encoding: 'utf8' }).stdout;
  const fields = f.slice(f.lastIndexOf(')') + 2).split(' ');
  return (Number(fields[13]) + Number(fields[14])) / 100; // cutime + cstime (ticks, 100 Hz)
}

const dir = mkdtempSync(join(tmpdir(), 'netns-lab-bench-'));
const file = join(dir, `lan${n}.netns.json`);
const topology = lan(n);
writeFileSync(file, JSON.stringify(topology));
const applied = cli(['apply', file]);
if (applied.code !== 0) { console.error(applied.stderr); process.exit(1); }
console.log(`lan${n} applied in ${(applied.ms / 1000).toFixed(2)} s`);

try {
  const h = await startHelper({ helperPath: HELPER, elevation: 'direct' });
  try {
    console.log('fanout  probes      ok  wall-s  helper-s  probes/s  cpu-s(helper+pings)');
    for (const fanout of fanouts.length ? fanouts : [undefined]) {
      for (let i = 0; i < runs; i++) {
        const c0 = h.pid ? procCpu(h.pid) : childCpu();
        const t0 = Date.now();
        const r = await h.ping({ topology, ...(fanout ? { concurrency: fanout } : {}) });
        const wall = (Date.now() - t0) / 1000;
        const ok = r.results.filter((x) => x.ok).length;
        // (the helper's CPU reaches our cutime only once it exits: read the helper's own, with its reaped pings)
        const cpu = (h.pid ? procCpu(h.pid) : childCpu()) - c0;
        console.log(`${String(r.fanout ?? fanout ?? '?').padStart(6)}  ${String(r.results.length).padStart(6)}  ${String(ok).padStart(6)}  ${wall.toFixed(2).padStart(6)}  ${(r.durationMs / 1000).toFixed(2).padStart(8)}  ${(r.results.length / wall).toFixed(0).padStart(8)}  ${cpu.toFixed(2).padStart(8)}`);
        if (r.retried) console.log(`  ${r.retried} probe(s) failed once and were tried again (the kernel's ARP table is shared by all namespaces: gc_thresh3)`);
        if (ok !== r.results.length) console.log(`  ${r.results.length - ok} failed, e.g. ${JSON.stringify(r.results.find((x) => !x.ok))}`);
      }
    }
  } finally { await h.close(); }
  const c = cli(['ping', file, '--json']);
  const j = JSON.parse(c.stdout) as { results: ProbeResult[]; durationMs: number };
  console.log(`CLI: netns-lab ping lan${n}.netns.json --json: ${j.results.length} probes, exit ${c.code}, ${(c.ms / 1000).toFixed(2)} s wall (helper ${(j.durationMs / 1000).toFixed(2)} s)`);
} finally {
  cli(['destroy', file]);
  rmSync(dir, { recursive: true, force: true });
}

/** CPU seconds of a process and its reaped children (utime+stime+cutime+cstime) */
function procCpu(pid: number): number {
  const f = spawnSync('cat', [`/proc/${pid}/stat`], { encoding: 'utf8' }).stdout;
  if (!f) return NaN;
  const fields = f.slice(f.lastIndexOf(')') + 2).split(' ');
  return (Number(fields[11]) + Number(fields[12]) + Number(fields[13]) + Number(fields[14])) / 100;
}
