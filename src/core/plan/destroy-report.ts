/**
 * What a destroy says, for the CLI and VS Code alike: success only when nothing is left; the
 * processes that hold a topology's namespaces (a refused destroy) or that it ended, one per line.
 */

/** a process inside a namespace, as the helper reports it */
export interface HolderInfo { ns: string; pid: number; user: string; command: string }

export interface DestroyOutcome {
  steps: number;
  durationMs: number;
  /** what a fresh plan still finds to remove after the destroy */
  remaining: string[];
  /** processes the destroy ended (asked with kill) */
  ended?: HolderInfo[];
  /** the topology's services it stopped ("ns/name"): always, before the namespaces go */
  stoppedServices?: string[];
}

/** "ns1  pid 4242  alice  bash -i", one line per process */
export function holderLines(holders: readonly HolderInfo[]): string[] {
  return holders.map((h) => `${h.ns}  pid ${h.pid}  ${h.user}  ${h.command.length > 120 ? `${h.command.slice(0, 117)}...` : h.command}`);
}

/** the namespaces the processes are in, sorted, once each */
export function holderNamespaces(holders: readonly HolderInfo[]): string[] {
  return [...new Set(holders.map((h) => h.ns))].sort();
}

/** a destroy's report: ok only when a fresh plan finds nothing left */
export function destroyReport(name: string, r: DestroyOutcome): { ok: boolean; message: string; detail: string } {
  const ended = r.ended?.length ? ` after ending ${r.ended.length} process(es) in ${holderNamespaces(r.ended).join(', ')}` : '';
  const endedLines = [
    ...(r.stoppedServices?.length ? ['Stopped services:', ...r.stoppedServices] : []),
    ...(r.ended?.length ? ['Ended:', ...holderLines(r.ended)] : []),
  ];
  if (r.remaining.length) {
    return {
      ok: false,
      message: `Destroy of '${name}' is incomplete: ${r.remaining.length} object(s) are left${ended}. Run Destroy again, or look at what holds them.`,
      detail: ['Still there:', ...r.remaining, ...endedLines].join('\n'),
    };
  }
  return { ok: true, message: `Destroyed '${name}': ${r.steps} step(s) in ${(r.durationMs / 1000).toFixed(2)} s${ended}; nothing is left.`, detail: endedLines.join('\n') };
}

/** the question before ending processes */
export function holdersQuestion(name: string, holders: readonly HolderInfo[]): { message: string; detail: string; action: string } {
  return {
    message: `${holders.length} process(es) are still running inside '${name}' (${holderNamespaces(holders).join(', ')}). While they run, its namespaces and links cannot be removed.`,
    detail: [...holderLines(holders), '', 'Ending them sends SIGTERM, then SIGKILL to any still running after 2 s. Their terminals are closed.'].join('\n'),
    action: `End ${holders.length} process(es) and destroy`,
  };
}
