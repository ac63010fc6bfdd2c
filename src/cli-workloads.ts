/**
 * The CLI's workload lines (issue 16): what destroy stopped and ended.
 */
import type { ApplyResult } from './engine/engine.js';

/** "stopped service web in ns2", "ended 2 processes in ns1: 4242 alice bash, 4250 root sleep 1000" */
export function endedLines(r: ApplyResult): string[] {
  const out = (r.stoppedServices ?? []).map((s) => `stopped service ${s.split('/')[1]} in ${s.split('/')[0]}`);
  const byNs = new Map<string, string[]>();
  for (const p of r.ended ?? []) byNs.set(p.ns, [...(byNs.get(p.ns) ?? []), `${p.pid} ${p.user} ${p.command}`]);
  for (const [ns, ps] of byNs) out.push(`ended ${ps.length} process(es) in ${ns}: ${ps.join(', ')}`);
  return out;
}
