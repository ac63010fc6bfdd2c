/**
 * The `matrix` section of the benchmark: the full reachability matrix of lan(N) (every
 * namespace to every other and to the bridge: N*(N-1) + N probes) through a helper session's
 * `ping` operation, which uses one fping per source namespace (src/helper/ping-matrix.ts).
 * Its baseline in the same run is Mininet's `pingall` on `single,N` (kernel.ts).
 */
import type { Topology } from '../src/core/model/model.js';
import type { HelperClient } from '../src/engine/helper-client.js';

export const MATRIX_SUBJECT = 'netns-lab session: ping matrix (fping)';
export const PINGALL_SUBJECT = 'Mininet: pingall (single,N lxbr)';

/** the matrix of an applied topology: wall time; refused unless every probe answered on the first round */
export async function measureMatrix(h: HelperClient, t: Topology): Promise<{ ms: number; probes: number }> {
  const t0 = performance.now();
  const r = await h.ping({ topology: t });
  const ms = performance.now() - t0;
  const failed = r.results.filter((x) => !x.ok);
  if (failed.length) throw new Error(`${failed.length} of ${r.results.length} probes failed, e.g. ${JSON.stringify(failed[0])}`);
  if (r.retried) throw new Error(`${r.retried} probe(s) needed a second round`);
  if (!r.fping) throw new Error('the ping operation did not use fping (is it installed?)');
  return { ms, probes: r.results.length };
}

/** the time of Mininet's pingall from its own output: "*** Ping: testing" to "*** Results: 0% dropped (a/b received)" */
export function pingallMarks(out: string): { received: number; sent: number } | undefined {
  const m = /\*\*\* Results: \d+% dropped \((\d+)\/(\d+) received\)/.exec(out);
  return m ? { received: Number(m[1]), sent: Number(m[2]) } : undefined;
}
