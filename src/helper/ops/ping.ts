/** ping: the reachability matrix of a topology (one ping process per probe), plus outside probes. */
import { parsePing, probes, type Probe, type ProbeResult } from '../../core/diagnose/reach.js';
import { listNamespaces } from '../observe.js';
import { pool } from '../pool.js';
import type { Runner } from '../runner.js';
import { validTopology, type Handler } from './context.js';
import { fpingPath } from '../fping.js';
import { MATRIX_FANOUT, MATRIX_MIN_PROBES, pingMatrix } from '../ping-matrix.js';

/** pings at a time: a probe is mostly a process start and a wait (-W 1 for a failure) */
export const PING_FANOUT = 32;
/** ENOBUFS from ping: the kernel's neighbour table is full */
const NO_BUFFER = /No buffer space available/;
const OVERFLOW = /No buffer space available|no reply/;

/** one process per probe; ip netns exec: /etc/netns/NS/resolv.conf applies to names; -n: no reverse lookups */
export function pingArgv(p: Probe): string[] {
  return ['ip', 'netns', 'exec', p.from, 'ping', '-c', '1', '-W', '1', '-n', '--', p.target];
}

function prober(runner: Runner, names: Set<string>) {
  return async (p: Probe): Promise<ProbeResult> => {
    if (!names.has(p.from)) return { ...p, ok: false, error: `namespace ${p.from} does not exist` };
    const r = await (runner.runQuick ? runner.runQuick(pingArgv(p)) : runner.run(pingArgv(p)));
    return { ...p, ...parsePing(r.code, r.stdout, r.stderr) };
  };
}

/**
 * Failures are tried again, after the others. A full mesh of N namespaces needs ~N² neighbour
 * entries, and the kernel's ARP table is one for all namespaces (gc_thresh3, 1024 by default):
 * past it a new entry is refused ("sendmsg: No buffer space available", or no reply when the
 * answer could not be sent) until old ones have aged 5 s. So: once more at once (a real failure
 * fails twice), then, while the table was full, after a pause, up to 3 more rounds.
 */
async function retryFailures(list: Probe[], results: ProbeResult[], names: Set<string>, fanout: number, probe: (p: Probe) => Promise<ProbeResult>) {
  let retried = 0;
  let overflow = 0;
  for (let round = 0; round < 4; round++) {
    const again = results.flatMap((r, i) => (!r.ok && names.has(r.from) && (round === 0 || OVERFLOW.test(r.error ?? '')) ? [i] : []));
    if (!again.length || (round > 0 && !results.some((r) => !r.ok && NO_BUFFER.test(r.error ?? '')))) break;
    if (round === 0) overflow = results.filter((r) => NO_BUFFER.test(r.error ?? '')).length;
    if (round > 0) await new Promise((r) => setTimeout(r, 2000));
    retried += again.length;
    const next = await pool(again, fanout, (i) => probe(list[i]!));
    again.forEach((i, k) => { if (next[k]!.ok || !OVERFLOW.test(next[k]!.error ?? '')) results[i] = next[k]!; });
  }
  return { retried, overflow };
}

export const ping: Handler<'ping'> = async (req, ctx) => {
  const t = validTopology(req.topology);
  const list = probes(t, req.outside ?? []);
  const names = new Set(await listNamespaces(ctx.runner));
  const fanout = req.concurrency ?? PING_FANOUT;
  const probe = prober(ctx.runner, names);
  let done = 0;
  const t0 = Date.now();
  // a large matrix: one fping per source, in groups that keep the neighbour table small (ping-matrix.ts)
  const fping = list.length >= MATRIX_MIN_PROBES ? fpingPath() : undefined;
  if (fping) {
    const lab = (t.namespaces ?? []).map((n) => n.name).filter((n) => names.has(n));
    const onProbe = (p: Probe) => ctx.progress(`${p.from} -> ${p.target}`, ++done, list.length);
    return { ...(await pingMatrix(ctx.runner, list, names, { fping, labNamespaces: lab, onProbe })), durationMs: Date.now() - t0, fanout: MATRIX_FANOUT, fping: true };
  }
  const results = await pool(list, fanout, async (p) => {
    const r = await probe(p);
    ctx.progress(`${p.from} -> ${p.target}`, ++done, list.length);
    return r;
  });
  const { retried, overflow } = await retryFailures(list, results, names, fanout, probe);
  return { results, durationMs: Date.now() - t0, fanout, retried, overflow };
};
