/**
 * Many probes from one namespace in one process: Debian's fping, run inside the namespace with
 * `ip netns exec` (its resolv.conf applies to names), by absolute path. The ping matrix and the
 * lab tests' icmp reach use it; without fping, callers fall back to one ping per probe.
 */
import { systemBinary } from './bin.js';
import type { Runner } from './runner.js';

import type { ProbeAnswer as IcmpAnswer } from '../core/diagnose/expect-verdict.js';
export type { IcmpAnswer };

/** the absolute path of fping, or undefined when it is not installed */
export function fpingPath(resolve: (cmd: string) => string = systemBinary): string | undefined {
  try { return resolve('fping'); } catch { return undefined; }
}

/**
 * one echo per target (-r 0: no retries, the caller decides), 1 ms between sends, waiting
 * timeoutMs for each answer; -e prints the round-trip time; "--" ends the options
 */
export function fpingArgv(fping: string, ns: string, targets: readonly string[], timeoutMs = 1000): string[] {
  return ['ip', 'netns', 'exec', ns, fping, '-e', '-r', '0', '-t', String(timeoutMs), '-i', '1', '--', ...targets];
}

/**
 * Read fping's answers: "T is alive (0.05 ms)" and "T is unreachable" on stdout, "T: reason"
 * on stderr (a name that does not resolve, a send that failed). A target it said nothing about
 * (fping refused its arguments) fails with fping's own message.
 */
export function parseFping(targets: readonly string[], code: number, stdout: string, stderr: string): IcmpAnswer[] {
  const answers = new Map<string, IcmpAnswer>();
  const reasons = new Map<string, string>();
  for (const line of stderr.split('\n')) {
    const m = /^(\S+?): (.+)$/.exec(line.trim());
    if (m && !reasons.has(m[1]!)) reasons.set(m[1]!, m[2]!.replace(/^error while sending ping: /, ''));
  }
  for (const line of stdout.split('\n')) {
    const alive = /^(\S+) is alive(?: \(([\d.]+) ms\))?/.exec(line.trim());
    if (alive) { answers.set(alive[1]!, { target: alive[1]!, ok: true, ...(alive[2] ? { rttMs: Number(alive[2]) } : {}) }); continue; }
    const dead = /^(\S+) is unreachable/.exec(line.trim());
    if (dead) answers.set(dead[1]!, { target: dead[1]!, ok: false, error: reasons.get(dead[1]!) ?? 'no reply' });
  }
  const general = stderr.trim().split('\n').filter((l) => !/^\S+?: /.test(l.trim()) || !targets.some((t) => l.trim().startsWith(`${t}: `))).pop();
  return targets.map((t) => answers.get(t) ?? { target: t, ok: false, error: reasons.get(t) ?? (general || `fping exit ${code}`) });
}

/** ping every target once from inside ns, in one fping process */
export async function fpingFrom(runner: Runner, fping: string, ns: string, targets: readonly string[], timeoutMs = 1000): Promise<IcmpAnswer[]> {
  if (!targets.length) return [];
  const argv = fpingArgv(fping, ns, targets, timeoutMs);
  const r = await (runner.runQuick ? runner.runQuick(argv) : runner.run(argv));
  return parseFping(targets, r.code, r.stdout, r.stderr);
}
