/**
 * The lab tests' measurements (latency and rate expectations), as typed operations:
 * - probe-latency: N echoes to each target from one namespace in one fping process (-C N -q);
 * - probe-rate: a bounded iperf3 run, the server in one namespace (one client, then it exits;
 *   stopped in any case), the client in another; the rate the receiver counted.
 * Programs by absolute path from the system directories; argv built here from checked fields.
 */
import { systemBinary } from './bin.js';
import type { Bin } from './probe-ops.js';
import type { Runner } from './runner.js';
import type { LatencyAnswer, RateAnswer } from '../core/diagnose/expect-verdict.js';

/** echoes per target, and the time between them */
export const LATENCY_ECHOES = 5;
const ECHO_PERIOD_MS = 100;
/** iperf3's port in the server namespace */
export const IPERF_PORT = 5201;

const which = (bin: Bin, cmd: string): string | undefined => { try { return bin(cmd); } catch { return undefined; } };

export function fpingCountArgv(fping: string, ns: string, targets: readonly string[], count: number): string[] {
  return ['ip', 'netns', 'exec', ns, fping, '-C', String(count), '-q', '-p', String(ECHO_PERIOD_MS), '-t', '1000', '-r', '0', '--', ...targets];
}

/** fping -C's report on stderr: "10.0.0.2 : 0.05 0.04 - 0.06" ("-": no answer); other lines are reasons */
export function parseFpingCount(targets: readonly string[], count: number, code: number, stderr: string): LatencyAnswer[] {
  const rtts = new Map<string, number[]>();
  const reasons = new Map<string, string>();
  for (const line of stderr.split('\n')) {
    const m = /^(\S+)\s+:\s+((?:[\d.]+|-)(?:\s+(?:[\d.]+|-))*)\s*$/.exec(line.trim());
    if (m) { rtts.set(m[1]!, m[2]!.split(/\s+/).filter((x) => x !== '-').map(Number)); continue; }
    const r = /^(\S+?): (.+)$/.exec(line.trim());
    if (r && !reasons.has(r[1]!)) reasons.set(r[1]!, r[2]!);
  }
  return targets.map((target) => ({ target, sent: count, rttMs: rtts.get(target) ?? [], ...(rtts.get(target)?.length ? {} : { error: reasons.get(target) ?? (rtts.has(target) ? 'no reply' : `fping exit ${code}`) }) }));
}

/** probe-latency: count echoes to each target from ns */
export async function probeLatency(runner: Runner, req: { ns: string; targets: string[]; count?: number }, bin: Bin = systemBinary): Promise<{ results: LatencyAnswer[]; skip?: string }> {
  const fping = which(bin, 'fping');
  const count = req.count ?? LATENCY_ECHOES;
  if (!fping) return { results: [], skip: 'fping is not installed (Debian package fping; scripts/setup.sh installs it)' };
  const r = await (runner.runQuick ? runner.runQuick(fpingCountArgv(fping, req.ns, req.targets, count)) : runner.run(fpingCountArgv(fping, req.ns, req.targets, count)));
  return { results: parseFpingCount(req.targets, count, r.code, r.stderr) };
}

export function iperfServerArgv(iperf: string, ns: string, bind: string): string[] {
  return ['ip', 'netns', 'exec', ns, iperf, '-s', '-1', '-B', bind, '-p', String(IPERF_PORT)];
}
export function iperfClientArgv(iperf: string, ns: string, target: string, seconds: number): string[] {
  return ['ip', 'netns', 'exec', ns, iperf, '-c', target, '-p', String(IPERF_PORT), '-t', String(seconds), '-J', '--connect-timeout', '1000'];
}

/** iperf3 -J: the rate the receiver counted (end.sum_received), else its error */
export function parseIperf(stdout: string): RateAnswer {
  let j: { error?: string; end?: { sum_received?: { bits_per_second?: number } } };
  try { j = JSON.parse(stdout) as typeof j; } catch { return { error: 'unreadable iperf3 output' }; }
  if (j.error) return { error: j.error };
  const bps = j.end?.sum_received?.bits_per_second;
  return typeof bps === 'number' ? { mbit: bps / 1e6 } : { error: 'iperf3 reported no rate' };
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** probe-rate: iperf3 from one namespace to an address of another, for a few seconds */
export async function probeRate(runner: Runner, req: { from: string; server: string; target: string; seconds?: number }, bin: Bin = systemBinary): Promise<RateAnswer> {
  const iperf = which(bin, 'iperf3');
  if (!iperf) return { skip: 'iperf3 is not installed (Debian package iperf3; scripts/setup.sh installs it)' };
  let exited = false;
  const lines: string[] = [];
  const server = runner.stream(iperfServerArgv(iperf, req.server, req.target), (l) => { if (lines.length < 20) lines.push(l); }, () => { exited = true; });
  try {
    // the server listens within moments; a refused connection is tried again for a second
    for (let i = 0; ; i++) {
      if (exited) return { error: `the iperf3 server in ${req.server} ended: ${lines.join(' ').slice(0, 300) || 'no output'}` };
      const r = await runner.run(iperfClientArgv(iperf, req.from, req.target, req.seconds ?? 2));
      const a = parseIperf(r.stdout);
      if (a.mbit !== undefined || i >= 10 || !/refused/i.test(a.error ?? '')) return a;
      await sleep(100);
    }
  } finally { await server.stop(); }
}
