/**
 * The services of a topology (issue 16): their states, a service's log, and a restart. A restart
 * takes the topology's lock, re-validates the file and, for a root service, its root approval.
 */
import { rootApproval, rootRefusal } from '../../core/plan/root-approval.js';
import type { LiveService } from '../../core/model/workloads.js';
import { withLock } from '../lock.js';
import { backendOf } from '../workload-steps.js';
import { fail, validTopology, type Handler } from './context.js';

export const services: Handler<'services'> = async (req, ctx) => {
  const t = validTopology(req.topology);
  const live = await (await backendOf(ctx.runner)).observe(t.name);
  const out: LiveService[] = [];
  for (const ns of t.namespaces ?? []) {
    for (const s of ns.services ?? []) out.push(live.find((l) => l.ns === ns.name && l.name === s.name) ?? { ns: ns.name, name: s.name, state: 'not-started', restarts: 0 });
  }
  // records of services the file no longer has (the next apply stops them)
  for (const l of live) if (!out.some((o) => o.ns === l.ns && o.name === l.name)) out.push(l);
  return { services: out };
};

export const logs: Handler<'logs'> = async (req, ctx) =>
  ({ text: await (await backendOf(ctx.runner)).log({ topology: req.topo, ns: req.ns, name: req.name }) });

export const restart: Handler<'restart'> = async (req, ctx) => {
  const t = validTopology(req.topology);
  const service = t.namespaces?.find((n) => n.name === req.ns)?.services?.find((s) => s.name === req.name);
  if (!service) fail('not-found', `the file has no service '${req.name}' in ${req.ns}`);
  const approval = rootApproval(t, process.getuid?.(), process.env);
  const isRoot = approval.rootCommands.some((r) => r.kind === 'service' && r.ns === req.ns && r.which === req.name);
  const refusal = isRoot ? rootRefusal(approval, req.approveRoot) : undefined;
  if (refusal) fail('root-not-approved', refusal, { ...approval });
  return withLock(ctx.runner, `topology/${t.name}`, ctx.lockWaitMs, () => ctx.progress(`waiting for another apply of '${t.name}' to finish`), async () => {
    ctx.progress(`restarting service ${req.name} in ${req.ns}`);
    try {
      return await (await backendOf(ctx.runner)).start(t.name, req.ns, service);
    } catch (e) {
      return fail('step-failed', (e as Error).message);
    }
  });
};
