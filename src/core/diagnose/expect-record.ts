/**
 * Record: the live reachability matrix (the ping operation's results) turned into `reach`
 * expectations: a pair whose every probe answered becomes ok:true, a pair none answered
 * ok:false; a pair that answered in part is written per address (each ok or not). Pure.
 */
import { resolveTarget } from '../model/expect.js';
import type { Expectation, Topology } from '../model/model.js';
import type { ProbeResult } from './reach.js';

type Reach = Extract<Expectation, { kind: 'reach' }>;

/** the destination as the file names it: a namespace or "host" by name, else the probed text */
function destination(r: ProbeResult): string {
  return r.kind === 'namespace' || r.kind === 'host' ? r.to : r.target;
}

export function recordExpectations(results: readonly ProbeResult[]): Reach[] {
  const pairs = new Map<string, ProbeResult[]>();
  for (const r of results) {
    const key = `${r.from}\u0000${destination(r)}`;
    const list = pairs.get(key);
    if (list) list.push(r); else pairs.set(key, [r]);
  }
  const out: Reach[] = [];
  for (const list of pairs.values()) {
    const first = list[0]!;
    const to = destination(first);
    if (list.every((r) => r.ok) || list.every((r) => !r.ok)) {
      out.push({ kind: 'reach', from: first.from, to, ok: first.ok });
      continue;
    }
    // partly reachable: each address on its own
    for (const r of list) out.push({ kind: 'reach', from: r.from, to: r.target, ok: r.ok });
  }
  return out;
}

/**
 * The other way round, for the canvas: the outcome of each reach test that must pass (icmp,
 * towards a namespace or the host) as probe results, one per address, so the canvas paints the
 * paths of a lab-test run as it paints Test Connectivity's.
 */
export function reachResultsAsProbes(t: Topology, results: readonly { index: number; status: string }[]): ProbeResult[] {
  const list = t.expect ?? [];
  return results.flatMap((r) => {
    const e = list[r.index];
    if (!e || e.kind !== 'reach' || !e.ok || (e.proto ?? 'icmp') !== 'icmp' || r.status === 'skipped') return [];
    const to = resolveTarget(t, e.to);
    if (to.kind !== 'namespace' && to.kind !== 'host') return [];
    return to.targets.map((target) => ({ from: e.from, to: e.to, target, kind: to.kind as 'namespace' | 'host', ok: r.status === 'passed' }));
  });
}
