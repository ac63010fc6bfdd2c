/**
 * The reconcile: (desired Topology, LiveState) -> ordered steps. Pure and deterministic.
 * - objects the file has and the kernel lacks are created; differences are changed in place;
 * - objects owned by this topology that the file no longer has are removed;
 * - an existing object the topology wants but does not own is a clash: an error, nothing runs.
 */
import { HOST, type Topology } from '../model/model.js';
import type { LiveState } from '../observe/observe.js';
import { planContext, type Plan, type PlanCtx } from './plan-context.js';
import { planNamespaceFiles } from './plan-files.js';
import { planFirewall } from './plan-firewall.js';
import { isMultiHost } from '../model/hosts-layout.js';
import { planPhysical } from './plan-physical.js';
import { planInterfaces, planLoopback, planNamespaces, planScopeLinks } from './plan-links.js';
import { planRoutes } from './plan-routes.js';
import { summarize } from './render.js';
import type { Phase, Step } from './steps.js';
import { planWorkloads } from '../model/workloads.js';
import { buildIndex } from '../model/topo-index.js';

export type { ObjectState, ObjectStatus, Plan } from './plan-context.js';
export { inheritedDns, resolvConfText } from './plan-files.js';
export { UPLINK_AUTO_ERROR, USES_FORWARD_PREFIX, WAS_FORWARD_PREFIX, firewallRules, stateComments, wantsIpForward } from './plan-firewall.js';

/** what destroy reconciles to: the same name, nothing in it */
export function emptyTopology(name: string): Topology {
  return { version: 1, name };
}

/**
 * One planner per kind of object, in order (each may use what the ones before it decided):
 * namespaces; interfaces (teardown, creation); per scope its loopback, interfaces and routes;
 * the namespaces' sysctls and files; the firewall and forwarding. Steps are then ordered by
 * phase (stably: the order within a phase is the planners').
 */
export function plan(t: Topology, live: LiveState): Plan {
  const c = planContext(t, live);
  if (isMultiHost(t)) {
    // a helper builds one host's part (hosts-split.ts), never a whole multi-host lab in one place
    const e = { severity: 'error' as const, code: 'multi-host', message: `topology '${t.name}' spans several hosts; it is applied host by host (each host's part, split by the engine), not as a whole on one host`, path: ['hosts'] };
    return { topology: t.name, steps: [], errors: [e], warnings: [], objects: [] };
  }
  planNamespaces(c);
  planInterfaces(c);
  planPhysical(c);
  for (const scope of [null, ...(t.namespaces ?? []).map((n) => n.name)]) {
    const ifs = c.idx.ifacesByScope.get(scope) ?? [];
    planLoopback(c, scope);
    planRoutes(c, scope, ifs, planScopeLinks(c, scope, ifs));
  }
  planNamespaceFiles(c);
  planFirewall(c);
  planServices(c);
  c.steps.sort((a, b) => a.phase - b.phase); // stable: keeps order within a phase
  for (const s of c.steps) s.summary = summarize(s.step); // after the plan is complete (addr-change gains routes late)
  return { topology: c.T, steps: c.steps, errors: c.errors, warnings: c.warnings, objects: c.objects };
}

/**
 * The workloads (issue 16): exec entries of the namespaces this plan creates, services started,
 * restarted or stopped. A stop goes first in Teardown, before its namespace is deleted.
 */
function planServices(c: PlanCtx): void {
  const w = planWorkloads(c.t, c.live.services ?? [], c.creatingNs).map((x) => ({ phase: x.phase as Phase, step: x.step as Step, summary: '' }));
  c.steps.unshift(...w.filter((x) => x.step.op === 'service-stop'));
  c.steps.push(...w.filter((x) => x.step.op !== 'service-stop'));
}

/** the topology's own scopes, for observe: which namespaces and sysctl keys to read */
export function observeScope(t: Topology): { sysctls: Record<string, string[]> } {
  const sysctls: Record<string, string[]> = {};
  for (const ns of t.namespaces ?? []) {
    const keys = Object.keys(ns.sysctls ?? {});
    if (keys.length) sysctls[ns.name] = keys;
  }
  return { sysctls };
}

/**
 * Veth ends the file wants up that the kernel has set up but not yet running: the kernel
 * activates a link's queue and carrier (and a bridge port starts forwarding) in a deferred
 * work item that may run up to a second later; until then packets are dropped. An apply waits
 * for these so that "applied" means traffic flows. `live` must be read after the apply.
 */
export function linksNotRunning(t: Topology, live: LiveState): { scope: string | null; name: string }[] {
  const out: { scope: string | null; name: string }[] = [];
  for (const f of buildIndex(t).ifaces) {
    if (f.kind !== 'veth' || !f.up) continue;
    const n = f.scope === null ? live.host : live.namespaces.find((x) => x.name === f.scope);
    const l = n?.links.find((x) => x.name === f.name);
    if (!l || !l.up || l.operstate === 'UP') continue;
    // Both ends of a veth get their carrier in the same call and the kernel's link watch takes
    // both in the same pass: a peer seen running (in a read made after the apply, like every
    // read here) says this end runs too, however early this end's namespace was read (an apply
    // reads each namespace back right after its own steps, before the watch ran).
    const p = l.peer;
    const pn = p ? (p.ns === null ? live.host : live.namespaces.find((x) => x.name === p.ns)) : undefined;
    if (p && pn?.links.find((x) => x.name === p.name)?.operstate === 'UP') continue;
    out.push({ scope: f.scope, name: f.name });
  }
  return out;
}

export { HOST };
