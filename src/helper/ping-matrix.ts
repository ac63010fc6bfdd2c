/**
 * The reachability matrix of a large lab in few processes: one fping per source namespace with
 * all its targets, sources in groups whose neighbour entries stay under a budget, each group's
 * entries flushed in the lab's own namespaces when it is done.
 *
 * Why groups: the kernel's neighbour (ARP) table is one for all namespaces (gc_thresh3, 1024
 * by default, counts every namespace's entries), a full mesh of N namespaces needs ~N² of them
 * (one at each end of a pair), and an entry younger than 5 s cannot be reclaimed: past the
 * limit a new one is refused ("No buffer space available"). So a group makes at most
 * NEIGH_BUDGET entries, and `ip neigh flush all` in each namespace of the lab (never the
 * host's, never a sysctl) empties them before the next group. The neighbour caches of the lab
 * are left empty afterwards; the kernel fills them again at the next packet.
 */
import type { Probe, ProbeResult } from '../core/diagnose/reach.js';
import { systemBinary } from './bin.js';
import { fpingFrom } from './fping.js';
import { pool } from './observe.js';
import type { Runner } from './runner.js';

/** the most neighbour entries a group may make (half the kernel's default gc_thresh3, leaving room for everyone else) */
export const NEIGH_BUDGET = 512;
/** fping processes at a time */
export const MATRIX_FANOUT = 16;
/** below this many probes the one-ping-per-probe path is as fast */
export const MATRIX_MIN_PROBES = 64;

/** one fping process: a source and some of its probes (indexes into the list) */
export interface MatrixUnit { from: string; probes: number[] }

/**
 * The probes as fping processes in groups: a source's probes in one unit (split when one
 * source alone would pass the budget), units grouped in the order of the list so that each
 * group's entries (two per probe: one at each end) fit the budget.
 */
export function matrixGroups(list: readonly Probe[], budget = NEIGH_BUDGET): MatrixUnit[][] {
  const per = Math.max(1, Math.floor(budget / 2));
  const bySource = new Map<string, number[]>();
  list.forEach((p, i) => { const l = bySource.get(p.from); if (l) l.push(i); else bySource.set(p.from, [i]); });
  const groups: MatrixUnit[][] = [];
  let current: MatrixUnit[] = [];
  let used = 0;
  for (const [from, all] of bySource) {
    for (let k = 0; k < all.length; k += per) {
      const probes = all.slice(k, k + per);
      if (current.length && used + 2 * probes.length > budget) { groups.push(current); current = []; used = 0; }
      current.push({ from, probes });
      used += 2 * probes.length;
    }
  }
  if (current.length) groups.push(current);
  return groups;
}

/** the input of one `ip -b -` that empties the neighbour table of each namespace */
export function flushBatch(ip: string, namespaces: readonly string[]): string {
  return namespaces.map((ns) => `netns exec ${ns} ${ip} neigh flush all\n`).join('');
}

export interface MatrixOptions {
  fping: string;
  /** the lab's namespaces that exist: where entries are flushed */
  labNamespaces: string[];
  onProbe?: (p: Probe) => void;
  budget?: number;
  ip?: string;
}

/** every probe once, results in the order of the list */
export async function fpingMatrix(runner: Runner, list: readonly Probe[], opts: MatrixOptions): Promise<ProbeResult[]> {
  const results = new Array<ProbeResult>(list.length);
  const ip = opts.ip ?? systemBinary('ip');
  for (const group of matrixGroups(list, opts.budget)) {
    await pool(group, MATRIX_FANOUT, async (u) => {
      const targets = [...new Set(u.probes.map((i) => list[i]!.target))];
      const answers = new Map((await fpingFrom(runner, opts.fping, u.from, targets)).map((a) => [a.target, a]));
      for (const i of u.probes) {
        const a = answers.get(list[i]!.target)!;
        results[i] = { ...list[i]!, ok: a.ok, ...(a.rttMs !== undefined ? { rttMs: a.rttMs } : {}), ...(a.error ? { error: a.error } : {}) };
        opts.onProbe?.(list[i]!);
      }
    });
    if (opts.labNamespaces.length) await runner.run(['ip', '-force', '-b', '-'], flushBatch(ip, opts.labNamespaces));
  }
  return results;
}

/**
 * The ping operation's matrix through fping: a probe from a namespace that does not exist fails
 * at once; failures are tried once more (a real failure fails twice), and counted.
 */
export async function pingMatrix(runner: Runner, list: readonly Probe[], existing: ReadonlySet<string>, opts: MatrixOptions): Promise<{ results: ProbeResult[]; retried: number; overflow: number }> {
  const results: ProbeResult[] = list.map((p) => ({ ...p, ok: false, error: `namespace ${p.from} does not exist` }));
  const live = list.flatMap((p, i) => (existing.has(p.from) ? [i] : []));
  const first = await fpingMatrix(runner, live.map((i) => list[i]!), opts);
  live.forEach((i, k) => { results[i] = first[k]!; });
  const overflow = results.filter((r) => /No buffer space available/.test(r.error ?? '')).length;
  const again = live.filter((i) => !results[i]!.ok);
  if (again.length) {
    const second = await fpingMatrix(runner, again.map((i) => list[i]!), { ...opts, onProbe: undefined });
    again.forEach((i, k) => { results[i] = second[k]!; });
  }
  return { results, retried: again.length, overflow };
}
