/** What a multi-host run says, per host, for the CLI and VS Code alike. */
import { formatPhases } from './engine.js';
import type { HostEvent, HostOutcome, MultiResult } from './multihost.js';
import { holderLines } from '../core/plan/destroy-report.js';

/** one host's outcome in one line (more lines for what may be left, or the processes that hold it) */
export function outcomeLine(o: HostOutcome): string {
  const r = o.result;
  const pad = `\n${' '.repeat(11)}`;
  switch (o.state) {
    case 'ok': return r ? `ok: ${r.steps} step(s)${r.steps ? `, ${(r.durationMs / 1000).toFixed(2)} s (${formatPhases(r.phases)})` : ''}` : `ok: ${o.plan?.steps.length ?? 0} step(s) to do`;
    case 'not-run': return `not run: ${o.message ?? ''}`;
    case 'skipped': return `skipped: ${o.message ?? ''}`;
    default: return `${o.state.toUpperCase()}: ${o.message ?? o.error?.message ?? ''}${o.left?.length ? `${pad}may still be there: ${o.left.join(', ')}` : ''}${holderLines(o.holders ?? []).map((l) => `${pad}${l}`).join('')}`;
  }
}

/** every host's outcome, one (or more) lines each */
export function outcomeLines(r: MultiResult): string[] {
  return r.hosts.map((o) => `  ${o.host.padEnd(8)} ${outcomeLine(o)}`);
}

/** where each host is, for a progress line: "a 3/7 · b applying · c connecting" */
export class HostProgress {
  private readonly at = new Map<string, string>();
  update(e: HostEvent): string {
    this.at.set(e.host, e.total ? `${e.done}/${e.total}` : e.phase);
    return [...this.at].map(([h, s]) => `${h} ${s}`).join(' · ');
  }
}
