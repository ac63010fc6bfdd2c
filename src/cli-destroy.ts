/**
 * `netns-lab destroy`: success only when nothing is left; processes inside the topology's
 * namespaces are listed and the destroy refused unless --kill (which ends them first).
 */
import { destroyReport, holderLines, type HolderInfo } from './core/plan/destroy-report.js';
import { destroyTopology, formatPhases } from './engine/engine.js';
import { HelperFailure, type HelperClient, type Progress } from './engine/helper-client.js';

export const DESTROY_USAGE = `  netns-lab destroy FILE | --name NAME [--kill]
                                          remove everything the topology owns; --kill ends the
                                          processes still inside its namespaces (else refused)`;

/** the exit code: 0 nothing left, 1 refused (processes inside) or objects left */
export async function destroyCommand(h: HelperClient, name: string, kill: boolean, progress: (p: Progress) => void): Promise<number> {
  try {
    const r = await destroyTopology(h, name, progress, kill);
    const rep = destroyReport(name, r);
    process.stderr.write(`${rep.message}${r.phases && r.steps ? ` (${formatPhases(r.phases)})` : ''}\n${rep.detail ? `${rep.detail}\n` : ''}`);
    return rep.ok ? 0 : 1;
  } catch (e) {
    if (!(e instanceof HelperFailure) || e.error.code !== 'destroy-held') throw e;
    const holders: HolderInfo[] = e.error.holders ?? [];
    process.stderr.write(`netns-lab: refusing to destroy '${name}': ${holders.length} process(es) are still inside its namespaces (nothing was changed):\n`
      + holderLines(holders).map((l) => `  ${l}\n`).join('')
      + `end them yourself, or run again with --kill to end them (SIGTERM, then SIGKILL) and destroy\n`);
    return 1;
  }
}
