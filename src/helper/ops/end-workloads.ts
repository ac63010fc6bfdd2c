/**
 * Destroy's first act, under the topology's lock and before anything changes: the processes
 * inside the namespaces it deletes. The topology's own services always stop (their supervisors
 * first, so nothing restarts them). Any other process (a person's shell, a program started by
 * hand) is a refusal naming each one, unless the caller asked to end them (`kill`): then each is
 * listed in the progress and ended (SIGTERM, then SIGKILL). So no namespace lingers held by a
 * process, and nobody's shell is ended without being asked.
 */
import type { Plan } from '../../core/plan/plan.js';
import type { LiveService } from '../../core/model/workloads.js';
import { endProcesses, processesIn, type NsProcess } from '../procs.js';
import { sessionOf, type ProcSys } from '../procsys.js';
import type { ApplyResult } from '../protocol.js';
import { serviceBackend, stopAll } from '../service-backend.js';
import { backendDeps } from '../workload-steps.js';
import { fail, type OpContext } from './context.js';

type Inside = { ns: string; proc: NsProcess };
const info = ({ ns, proc }: Inside) => ({ ns, pid: proc.pid, user: proc.user, command: proc.command });

/** processes in these namespaces that are not part of a running service (a service leads its own session) */
export function othersInside(sys: ProcSys, namespaces: readonly string[], services: readonly LiveService[]): Inside[] {
  const sessions = new Set(services.flatMap((s) => (s.state === 'running' && s.pid ? [s.pid] : [])));
  return namespaces.flatMap((ns) => processesIn(sys, ns)
    .filter((proc) => !sessions.has(sessionOf(sys, proc.pid) ?? -1))
    .map((proc) => ({ ns, proc })));
}

export async function endWorkloads(ctx: OpContext, topology: string, p: Plan, kill: boolean): Promise<Pick<ApplyResult, 'stoppedServices' | 'ended'>> {
  const d = await backendDeps(ctx.runner);
  const services = serviceBackend(d);
  const namespaces = p.steps.flatMap((s) => (s.step.op === 'netns-del' ? [s.step.name] : []));
  const others = othersInside(d.sys, namespaces, await services.observe(topology));
  if (others.length && !kill) {
    const list = others.map(info);
    fail('destroy-held', `${list.length} process(es) inside '${topology}' keep its namespaces alive: ${list.map((h) => `${h.ns}: pid ${h.pid} ${h.user} ${h.command}`).join('; ')}`, { holders: list });
  }
  const stopped = await stopAll(services, topology);
  for (const s of stopped) ctx.progress(`stopped service ${s.name} in ${s.ns}${s.pid ? ` (pid ${s.pid})` : ''}`);
  // what is inside now: the listed ones, and any started since (the caller asked to end them all)
  const inside = namespaces.flatMap((ns) => processesIn(d.sys, ns).map((proc) => ({ ns, proc })));
  for (const { ns, proc } of inside) ctx.progress(`ending process ${proc.pid} (${proc.user}: ${proc.command}) in ${ns}`);
  if (inside.length) await endProcesses(d.sys, inside.map((x) => x.proc));
  return {
    ...(stopped.length ? { stoppedServices: stopped.map((s) => `${s.ns}/${s.name}`) } : {}),
    ...(inside.length ? { ended: inside.map(info) } : {}),
  };
}
