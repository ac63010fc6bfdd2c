/**
 * The live decoration of a drawing: for each node and each end of each link, how the machine
 * compares to the file (from the planner's object list) and whether the link end is up.
 */
import type { Topology } from '../model/model.js';
import type { LiveState } from '../observe/observe.js';
import type { ObjectState, ObjectStatus } from '../plan/plan.js';
import { buildIndex } from '../model/topo-index.js';
import { serviceBadge, type ServiceBadge } from './service-status.js';
import type { LiveService } from '../model/workloads.js';

export interface Mark { state: ObjectState; up?: boolean; detail?: string; services?: ServiceBadge }
export interface LiveMarks { applied: boolean; nodes: Record<string, Mark>; links: Record<string, { a: Mark; b: Mark }> }

export function liveMarks(t: Topology, objects: ObjectStatus[], live: LiveState): LiveMarks {
  const applied = objects.some((o) => o.state !== 'missing');
  const find = (kind: ObjectStatus['kind'], scope: string | null, name: string) => objects.find((o) => o.kind === kind && o.scope === scope && o.name === name);
  const mark = (o: ObjectStatus | undefined, fallback: ObjectState): Mark => (o ? { state: o.state, ...(o.detail ? { detail: o.detail } : {}) } : { state: fallback });
  const nodes: Record<string, Mark> = { host: { state: 'in-sync' } };
  for (const ns of t.namespaces ?? []) nodes[ns.name] = mark(find('namespace', ns.name, ns.name), 'missing');
  const idx = buildIndex(t);
  for (const b of t.bridges ?? []) {
    const scope = idx.bridgeScope.get(b.name) ?? null;
    nodes[b.name] = mark(find('bridge', scope, b.name), applied ? 'in-sync' : 'missing');
  }
  const liveLink = (scope: string | null, name: string) =>
    (scope === null ? live.host : live.namespaces.find((n) => n.name === scope))?.links.find((l) => l.name === name);
  const links: LiveMarks['links'] = {};
  for (const [i, [ea, eb]] of idx.ends) {
    const end = (f: typeof ea): Mark => {
      const l = liveLink(f.scope, f.name);
      const o = find('veth', f.scope, f.name);
      const pairMissing = objects.some((x) => x.kind === 'veth' && x.state === 'missing' && (x.name.startsWith(`${f.name}<->`) || x.name.endsWith(`<->${f.name}`)));
      const state: ObjectState = o?.state ?? (pairMissing || !l ? 'missing' : 'in-sync');
      return { state, ...(l ? { up: l.up && l.operstate !== 'DOWN' } : {}), ...(o?.detail ? { detail: o.detail } : {}) };
    };
    links[String(i)] = ea.side === 'a' ? { a: end(ea), b: end(eb) } : { a: end(eb), b: end(ea) };
  }
  return { applied, nodes, links };
}

/** the marks with a badge on each namespace of the file that has services (their live states) */
export function withServiceBadges(marks: LiveMarks, t: Topology, services: readonly LiveService[], now: number): LiveMarks {
  const nodes = { ...marks.nodes };
  for (const ns of t.namespaces ?? []) {
    const states = (ns.services ?? []).map((s): LiveService => services.find((l) => l.ns === ns.name && l.name === s.name) ?? { ns: ns.name, name: s.name, state: 'not-started', restarts: 0 });
    const badge = serviceBadge(states, now);
    if (badge && nodes[ns.name]) nodes[ns.name] = { ...nodes[ns.name]!, services: badge };
  }
  return { ...marks, nodes };
}
