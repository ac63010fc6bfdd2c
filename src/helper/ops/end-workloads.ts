/**
 * Destroy's first act (issue 16): stop the topology's services (their supervisors first, so
 * nothing restarts them), then end every other process still inside the namespaces it deletes
 * (each one listed in the progress before it is ended), so no namespace lingers held by a process.
 */
import type { Plan } from '../../core/plan.js';
import { endProcesses, processesIn } from '../procs.js';
import type { ApplyResult } from '../protocol.js';
import { stopServices } from '../supervise.js';
import { superviseDeps } from '../workload-steps.js';
import type { OpContext } from './context.js';

export async function endWorkloads(ctx: OpContext, topology: string, p: Plan): Promise<Pick<ApplyResult, 'stoppedServices' | 'ended'>> {
  const d = superviseDeps(ctx.runner);
  const stopped = await stopServices(d, topology);
  for (const s of stopped) ctx.progress(`stopped service ${s.name} in ${s.ns}${s.pid ? ` (pid ${s.pid})` : ''}`);
  const namespaces = p.steps.flatMap((s) => (s.step.op === 'netns-del' ? [s.step.name] : []));
  const inside = namespaces.flatMap((ns) => processesIn(d.sys, ns).map((proc) => ({ ns, proc })));
  for (const { ns, proc } of inside) ctx.progress(`ending process ${proc.pid} (${proc.user}: ${proc.command}) in ${ns}`);
  if (inside.length) await endProcesses(d.sys, inside.map((x) => x.proc));
  return {
    ...(stopped.length ? { stoppedServices: stopped.map((s) => `${s.ns}/${s.name}`) } : {}),
    ...(inside.length ? { ended: inside.map(({ ns, proc }) => ({ ns, pid: proc.pid, user: proc.user, command: proc.command })) } : {}),
  };
}
