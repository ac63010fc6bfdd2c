/**
 * Soak: apply and destroy the article network and a 100-namespace LAN many times through ONE
 * persistent helper process, in the sandbox. After every cycle nothing may be left (namespaces,
 * links, iptables rules, ip_forward, /etc/netns entries, intent-journal files); the helper's
 * open file descriptors, child processes, heap (after a full GC) and resident memory are
 * measured at the start, after a warm-up, in the middle and at the end, and must not grow.
 *
 *   npm run soak                         (full: 200 article cycles, 20 LAN-100 cycles)
 *   bash test/sandbox/run.sh node out/test/soak/soak.js --article 20 --lan 2 --lan-size 100
 * test/integration/soak.test.ts runs a shortened form in CI.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { lan } from '../../bench/topologies.js';
import type { Topology } from '../../src/core/model/model.js';
import { startHelper, type HelperClient } from '../../src/engine/helper-client.js';
import { procStats, sandboxSummary, stateDiff, type ProcStats } from '../integration/live-state.js';
import { EXAMPLES, ROOT, assertSandbox, resetSandbox, setupInternet } from '../integration/sandbox.js';

export interface SoakOptions {
  articleCycles: number;
  lanCycles: number;
  lanSize: number;
  log?: (line: string) => void;
}

export interface Sample extends ProcStats {
  label: string;
  /** V8 heap in use right after a full garbage collection, KiB */
  heapKiB: number;
}

export interface SoakReport {
  helperPid: number;
  article: { cycles: number; seconds: number };
  lan: { size: number; cycles: number; seconds: number };
  samples: Sample[];
  /** every leak found: leftovers after a cycle, growth of fds, children or memory */
  leaks: string[];
}

/**
 * Leak limits after warm-up. The heap is measured right after a full garbage collection, so it
 * is steady (seen: +0.4 MiB over 20 article cycles after warm-up, JIT code and caches settling);
 * 4 MiB over the full run is 20 KiB per article cycle. Resident memory moves with the
 * collector's sizing of its spaces (seen: 77 -> 130 MiB), so its bound is generous: it never
 * flakes and still catches a leak of a few hundred KiB per cycle.
 */
export const HEAP_GROWTH_LIMIT_KIB = 4 * 1024;
export const RSS_GROWTH_LIMIT_KIB = 128 * 1024;

const HELPER = join(ROOT, 'dist', 'helper.js');
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function measure(h: HelperClient, pid: number, label: string): Promise<Sample> {
  // hello of a helper started with --expose-gc: a full collection, then the heap in use
  const hello = await h.hello();
  if (hello.heapUsed === undefined) throw new Error('the helper reports no heap: was it started with --expose-gc?');
  // the fewest fds of three looks 50 ms apart: a pipe being closed right now is not a leak
  let best = procStats(pid);
  for (let i = 0; i < 2; i++) {
    await sleep(50);
    const s = procStats(pid);
    if (s.fds < best.fds) best = { ...best, fds: s.fds };
    best.children = Math.min(best.children, s.children);
  }
  return { label, ...best, heapKiB: Math.round(hello.heapUsed / 1024) };
}

/** where to measure in n cycles: after the warm-up (cycle w), in the middle, at the end */
function marks(name: string, n: number, w: number): Map<number, string> {
  const m = new Map<number, string>();
  const mid = Math.max(w + 1, Math.round(n / 2));
  if (w < n) m.set(w, `${name} warm-up (${w})`);
  if (mid < n) m.set(mid, `${name} middle (${mid})`);
  m.set(n, `${name} end (${n})`);
  return m;
}

export async function soak(opts: SoakOptions): Promise<SoakReport> {
  assertSandbox();
  const log = opts.log ?? (() => {});
  const article = JSON.parse(readFileSync(join(EXAMPLES, 'article.netns.json'), 'utf8')) as Topology;
  const big = lan(opts.lanSize, `lan${opts.lanSize}`);
  await resetSandbox();
  await setupInternet();
  const baseline = sandboxSummary();
  const leaks: string[] = [];
  const samples: Sample[] = [];
  // --expose-gc: the helper's hello then collects garbage and reports its heap (see server.ts)
  const h: HelperClient = await startHelper({
    helperPath: HELPER, elevation: 'direct',
    env: { NODE_OPTIONS: `${process.env.NODE_OPTIONS ?? ''} --expose-gc`.trim() },
  });
  const pid = h.pid!;
  const sample = async (label: string) => {
    const s = await measure(h, pid, label);
    samples.push(s);
    log(`  ${label.padEnd(28)} fds ${String(s.fds).padStart(3)}  children ${s.children}  heap ${(s.heapKiB / 1024).toFixed(1)} MiB  RSS ${(s.rssKiB / 1024).toFixed(1)} MiB`);
    return s;
  };

  const cycles = async (t: Topology, n: number, marks: Map<number, string>) => {
    const t0 = Date.now();
    for (let i = 1; i <= n; i++) {
      const r = await h.apply({ topology: t });
      if (r.remaining.length) leaks.push(`${t.name} cycle ${i}: apply left ${r.remaining.length} step(s) undone: ${r.remaining.slice(0, 3).join('; ')}`);
      await h.destroy({ name: t.name });
      const d = stateDiff(sandboxSummary(), baseline, 6);
      if (d.length) {
        leaks.push(`${t.name} cycle ${i}: left behind after destroy: ${d.join('; ')}`);
        throw new Error(leaks.join('\n'));
      }
      const mark = marks.get(i);
      if (mark) await sample(mark);
    }
    return (Date.now() - t0) / 1000;
  };

  let articleSeconds = 0;
  let lanSeconds = 0;
  try {
    log(`soak: helper pid ${pid}; ${opts.articleCycles} article cycles, ${opts.lanCycles} cycles of a ${opts.lanSize}-namespace LAN (apply + destroy each)`);
    const start = await sample('start');
    articleSeconds = await cycles(article, opts.articleCycles, marks('article', opts.articleCycles, Math.max(3, Math.round(opts.articleCycles * 0.1))));
    log(`  article: ${opts.articleCycles} cycles in ${articleSeconds.toFixed(1)} s (${(articleSeconds / opts.articleCycles).toFixed(2)} s per apply+destroy)`);
    lanSeconds = await cycles(big, opts.lanCycles, marks(big.name, opts.lanCycles, 1));
    log(`  lan${opts.lanSize}: ${opts.lanCycles} cycles in ${lanSeconds.toFixed(1)} s (${(lanSeconds / opts.lanCycles).toFixed(2)} s per apply+destroy)`);

    const hello = await h.hello();
    if (hello.pid !== pid) leaks.push(`the helper was replaced: pid ${pid} -> ${hello.pid}`);
    // leak criteria: after warm-up the fd count stays exactly the same and no child survives a
    // request; memory may move with the garbage collector, but not by more than the limit
    const warm = samples.find((s) => s.label.startsWith('article warm-up')) ?? samples.find((s) => s.label.startsWith('article end'))!;
    for (const s of samples) {
      if (s.children) leaks.push(`${s.children} child process(es) of the helper still running at "${s.label}"`);
      if (s !== start && s !== warm && samples.indexOf(s) > samples.indexOf(warm) && s.fds !== warm.fds) {
        leaks.push(`open file descriptors changed after warm-up: ${warm.fds} at "${warm.label}", ${s.fds} at "${s.label}"`);
      }
    }
    const mib = (k: number) => (k / 1024).toFixed(1);
    const grew = (from: Sample, to: Sample, what: 'heapKiB' | 'rssKiB', limit: number) => {
      if (to[what] - from[what] > limit) {
        leaks.push(`${what === 'heapKiB' ? 'heap after GC' : 'resident memory'} grew by ${mib(to[what] - from[what])} MiB from "${from.label}" to "${to.label}" (limit ${mib(limit)} MiB)`);
      }
    };
    const artEnd = samples.find((s) => s.label.startsWith('article end'))!;
    const end = samples.at(-1)!;
    const lanWarm = samples.find((s) => s.label.startsWith(`lan${opts.lanSize} warm-up`)) ?? end;
    grew(warm, artEnd, 'heapKiB', HEAP_GROWTH_LIMIT_KIB);
    grew(lanWarm, end, 'heapKiB', HEAP_GROWTH_LIMIT_KIB);
    grew(warm, end, 'rssKiB', RSS_GROWTH_LIMIT_KIB);
    log(`  after warm-up -> end: heap ${mib(warm.heapKiB)} -> ${mib(artEnd.heapKiB)} MiB (article), ${mib(lanWarm.heapKiB)} -> ${mib(end.heapKiB)} MiB (lan${opts.lanSize}); `
      + `RSS ${mib(warm.rssKiB)} -> ${mib(end.rssKiB)} MiB; fds ${warm.fds} -> ${end.fds}`);
  } finally {
    await h.close();
    await resetSandbox();
  }
  log(leaks.length ? `soak: ${leaks.length} leak(s):\n  ${leaks.join('\n  ')}` : 'soak: no leak');
  return {
    helperPid: pid,
    article: { cycles: opts.articleCycles, seconds: articleSeconds },
    lan: { size: opts.lanSize, cycles: opts.lanCycles, seconds: lanSeconds },
    samples, leaks,
  };
}

function arg(name: string, dflt: number): number {
  const i = process.argv.indexOf(`--${name}`);
  if (i < 0) return dflt;
  const v = Number(process.argv[i + 1]);
  if (!Number.isSafeInteger(v) || v < 1) { process.stderr.write(`soak: --${name} needs a positive whole number\n`); process.exit(2); }
  return v;
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  const t0 = Date.now();
  soak({ articleCycles: arg('article', 200), lanCycles: arg('lan', 20), lanSize: arg('lan-size', 100), log: (l) => console.log(l) })
    .then((r) => {
      console.log(`soak: ${((Date.now() - t0) / 1000).toFixed(0)} s in all`);
      console.log(JSON.stringify(r));
      process.exit(r.leaks.length ? 1 : 0);
    })
    .catch((e: unknown) => { console.error(`soak failed: ${(e as Error).stack ?? String(e)}`); process.exit(1); });
}
