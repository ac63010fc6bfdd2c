/**
 * What an adoption (import --adopt) may take: only objects of the kinds the model manages
 * (network namespaces, veth pairs, bridges) whose whole neighbourhood is taken with them, so
 * that a later destroy of the topology cannot reach anything it did not own:
 *  - an interface must be a veth or a bridge of the kind the topology declares (never eth0, a
 *    vxlan, a dummy...), and must hold no route in the host that the topology does not declare
 *    (the default route above all);
 *  - a veth pair only whole: its peer must be the other end the topology declares, in the host
 *    or in a namespace that is taken too;
 *  - a bridge only with every port taken (a docker0/cni0 with ports of others stays alone);
 *  - a namespace only when every interface in it is taken, and, unless the caller is root,
 *    when no process of another user runs in it.
 * Refusals spread (a refused namespace refuses the veths into it, which refuses the namespaces
 * on their other side...) until nothing changes. Pure: the helper collects the facts.
 */
import { canonicalCidr, parseCidr, subnetOf } from '../model/ip.js';
import type { Topology } from '../model/model.js';
import type { LiveLink, LiveNs, LiveRoute, LiveState } from '../observe/observe.js';
import { buildIndex, type IfaceInfo } from '../model/topo-index.js';

export interface AdoptObject {
  /** vxlan and macvlan objects of a topology are never adopted (ownProblem refuses them) */
  kind: 'namespace' | IfaceInfo['kind'];
  /** null = the host; for a namespace, its own name */
  scope: string | null;
  name: string;
}

export interface AdoptRefusal extends AdoptObject { reason: string }

export interface AdoptCaller {
  /** the user who asked (SUDO_UID / PKEXEC_UID; 0 when root asked directly) */
  uid: number;
}

export interface AdoptFacts {
  /** uids of the processes running in each (untagged) namespace of the topology */
  processUids: ReadonlyMap<string, readonly number[]>;
}

export interface AdoptPlan {
  take: AdoptObject[];
  refuse: AdoptRefusal[];
  /** objects already owned by another topology (the whole adoption is refused then) */
  clashes: string[];
}

const where = (scope: string | null) => (scope === null ? 'the host' : `namespace '${scope}'`);
export const describeObject = (o: AdoptObject): string =>
  o.kind === 'namespace' ? `namespace '${o.name}'` : `${o.kind} '${o.name}' in ${where(o.scope)}`;

const key = (scope: string | null, name: string) => `${scope ?? ''}|${name}`;
const IPV6_LINK_LOCAL = 'fe80::/64';

/** a host route through `l` that the topology does not declare, or undefined */
export function undeclaredRoute(t: Topology, f: IfaceInfo, routes: readonly LiveRoute[]): LiveRoute | undefined {
  const subnets = new Set(f.addresses.map((a) => subnetOf(parseCidr(a)!)));
  const declared = (t.host?.routes ?? []).map((r) => ({ to: r.to === 'default' ? 'default' : canonicalCidr(r.to) ?? r.to, dev: r.dev }));
  return routes.find((r) => {
    if (r.dev !== f.name) return false;
    if (r.to === IPV6_LINK_LOCAL) return false;
    if (r.protocol === 'kernel' && subnets.has(r.to)) return false;
    return !declared.some((d) => d.to === r.to && (d.dev === undefined || d.dev === f.name));
  });
}

/** why one live interface can never be adopted for `f`, whatever else is taken */
function ownProblem(t: Topology, f: IfaceInfo, l: LiveLink, scope: LiveNs): string | undefined {
  if (l.kind !== 'veth' && l.kind !== 'bridge') return `it is ${l.kind === 'device' ? 'a physical (or kindless) device' : `a ${l.kind} device`}, not a veth or a bridge`;
  if (l.kind !== f.kind) return `it is a ${l.kind}, the topology declares a ${f.kind}`;
  if (scope.name === null) {
    const r = undeclaredRoute(t, f, scope.routes);
    if (r) return `it carries the host route '${r.to}${r.via ? ` via ${r.via}` : ''}' that the topology does not declare`;
  }
  if (l.kind === 'veth') {
    if (!l.peer) return 'its peer cannot be found (in an unnamed namespace?)';
    if (!f.peer || l.peer.ns !== f.peer.scope || l.peer.name !== f.peer.name) {
      return `its peer is '${l.peer.name}' in ${where(l.peer.ns)}, not the other end the topology declares`;
    }
  }
  return undefined;
}

export function adoptable(t: Topology, live: LiveState, caller: AdoptCaller, facts: AdoptFacts): AdoptPlan {
  const idx = buildIndex(t);
  const scopes = new Map<string | null, LiveNs>([[null, live.host], ...live.namespaces.map((n) => [n.name, n] as const)]);
  const clashes: string[] = [];
  const refused = new Map<string, AdoptRefusal>();
  const nsCand = new Map<string, LiveNs>();
  const ifCand = new Map<string, { f: IfaceInfo; l: LiveLink }>();
  const refuse = (o: AdoptObject, reason: string) => { if (!refused.has(`${o.kind}:${key(o.scope, o.name)}`)) refused.set(`${o.kind}:${key(o.scope, o.name)}`, { ...o, reason }); };

  for (const ns of t.namespaces ?? []) {
    const l = scopes.get(ns.name);
    if (!l || l.owner === t.name) continue;
    if (l.owner) { clashes.push(`namespace '${ns.name}' is owned by '${l.owner}'`); continue; }
    nsCand.set(ns.name, l);
    const others = (facts.processUids.get(ns.name) ?? []).filter((u) => u !== caller.uid);
    if (caller.uid !== 0 && others.length) refuse({ kind: 'namespace', scope: ns.name, name: ns.name }, `processes of another user (uid ${[...new Set(others)].join(', ')}) run in it`);
  }
  for (const f of idx.ifaces) {
    const sc = scopes.get(f.scope);
    const l = sc?.links.find((x) => x.name === f.name);
    if (!sc || !l || l.owner === t.name) continue;
    if (l.owner) { clashes.push(`interface '${f.name}' in ${where(f.scope)} is owned by '${l.owner}'`); continue; }
    const o: AdoptObject = { kind: f.kind, scope: f.scope, name: f.name };
    ifCand.set(key(f.scope, f.name), { f, l });
    const p = ownProblem(t, f, l, sc);
    if (p) refuse(o, p);
  }

  const isRefused = (kind: string, scope: string | null, name: string) => refused.has(`${kind}:${key(scope, name)}`);
  /** an interface that is (or will stay) the topology's: a candidate not refused, or already owned by it */
  const kept = (scope: string | null, name: string): boolean => {
    const c = ifCand.get(key(scope, name));
    if (c) return !isRefused(c.f.kind, scope, name);
    return scopes.get(scope)?.links.find((x) => x.name === name)?.owner === t.name;
  };
  const nsKept = (scope: string | null) => scope === null || (nsCand.has(scope) ? !isRefused('namespace', scope, scope) : scopes.get(scope)?.owner === t.name);

  // spread refusals until nothing changes
  for (let changed = true; changed;) {
    const before = refused.size;
    for (const [, { f, l }] of ifCand) {
      if (isRefused(f.kind, f.scope, f.name)) continue;
      const o: AdoptObject = { kind: f.kind, scope: f.scope, name: f.name };
      if (!nsKept(f.scope)) refuse(o, `its ${where(f.scope)} is not adopted`);
      else if (l.kind === 'veth' && l.peer && (!nsKept(l.peer.ns) || !kept(l.peer.ns, l.peer.name))) refuse(o, `its peer '${l.peer.name}' in ${where(l.peer.ns)} is not adopted`);
      else if (l.kind === 'bridge') {
        const port = scopes.get(f.scope)!.links.find((p) => p.master === f.name && !kept(f.scope, p.name));
        if (port) refuse(o, `its port '${port.name}' is not adopted (it would be cut off)`);
      }
    }
    for (const [name, n] of nsCand) {
      if (isRefused('namespace', name, name)) continue;
      const other = n.links.find((l) => l.kind !== 'loopback' && !kept(name, l.name));
      if (other) refuse({ kind: 'namespace', scope: name, name }, `its interface '${other.name}' (${other.kind}) is not adopted with it`);
    }
    changed = refused.size !== before;
  }

  const take: AdoptObject[] = [
    ...[...nsCand.keys()].filter((n) => !isRefused('namespace', n, n)).map((n): AdoptObject => ({ kind: 'namespace', scope: n, name: n })),
    ...[...ifCand.values()].filter(({ f }) => !isRefused(f.kind, f.scope, f.name)).map(({ f }): AdoptObject => ({ kind: f.kind, scope: f.scope, name: f.name })),
  ];
  return { take, refuse: [...refused.values()], clashes };
}

/** the helper's answer to an adopt preview */
export interface AdoptPreviewAnswer { lines: string[]; refuse: AdoptRefusal[]; digest: string; clashes?: string[] }

/** what a preview says, as shown before asking (CLI: printed; VS Code: the modal's detail) */
export function previewText(name: string, p: AdoptPreviewAnswer): string {
  return [
    `adopt would mark ${p.lines.length} object(s) as owned by '${name}' (apply and destroy of '${name}' would then change or remove them):`,
    ...p.lines.map((l) => `  take    ${l}`),
    ...p.refuse.map((o) => `  refuse  ${describeObject(o)}: ${o.reason}`),
  ].join('\n') + '\n';
}
