/**
 * The doctor follows the path (issue 18): where a failed reach breaks (src/core/diagnose/path-walk.ts),
 * and what would mend it. When the cause is in the file (a route it never had, a router it never
 * told to forward, a link it keeps down), the fix is a change of one field of the file (the
 * extension shows it as a WorkspaceEdit); when the file already asks for what the kernel lacks
 * (a route deleted by hand, a link set down), the fix is to the live state: apply again, or the
 * doctor's repair. Pure.
 */
import { contains, formatIP, parseCidr, parseIP } from '../model/ip.js';
import type { Route, Topology } from '../model/model.js';
import type { PathWalk } from './path-walk.js';
import { forwardDropFix, dnsFix, masqueradeFix, mtuFix, rpFilterFix, subnetFor } from './path-fix-more.js';
import type { FileChange, PathFix } from '../model/expect.js';

export type { FileChange, PathFix } from '../model/expect.js';
import { wantsIpForward } from '../plan/plan-firewall.js';
import { buildIndex, type IfaceInfo, type TopoIndex } from '../model/topo-index.js';

const FORWARD = 'net.ipv4.ip_forward';
const name = (scope: string | null) => scope ?? 'the host';

/** the fix for the first break of a walk, or undefined when none is known */
export function pathFix(t: Topology, walk: PathWalk): PathFix | undefined {
  const b = walk.break;
  if (!b) return undefined;
  const idx = buildIndex(t);
  const inFile = (s: string | null) => s === null || idx.namespaceNames.has(s);
  switch (b.kind) {
    case 'no-route': return inFile(b.at) && walk.towards ? routeFix(t, idx, b.at, walk.towards) : undefined;
    case 'wrong-gateway': return inFile(b.at) && walk.towards ? gatewayFix(t, idx, b.at, walk.towards) : undefined;
    case 'forwarding-off': return inFile(b.at) ? forwardingFix(t, b.at) : undefined;
    case 'link-down': return linkFix(t, idx, walk);
    case 'no-source': return { where: 'live', summary: `${name(b.at)} does not run: apply the topology` };
    case 'rp-filter': return walk.rp && inFile(walk.rp.ns) ? rpFilterFix(t, walk.rp) : undefined;
    case 'mtu': return walk.mtu ? mtuFix(idx, t, walk.mtu) : undefined;
    case 'forward-drop': return forwardDropFix(t);
    case 'no-masquerade': return walk.source ? masqueradeFix(t, idx, walk.source) : undefined;
    case 'dns': return b.at !== null && idx.namespaceNames.has(b.at) ? dnsFix(t, b.at) : undefined;
    default: return undefined;
  }
}

/** the routes the file gives a scope (a namespace's, or the host's) */
function fileRoutes(t: Topology, scope: string | null): Route[] {
  return (scope === null ? t.host?.routes : t.namespaces?.find((n) => n.name === scope)?.routes) ?? [];
}

const routeCovers = (r: Route, ip: NonNullable<ReturnType<typeof parseIP>>) => {
  const c = r.to === 'default' ? (ip.family === 4 ? parseCidr('0.0.0.0/0') : parseCidr('::/0')) : parseCidr(r.to);
  return !!c && c.family === ip.family && contains(c, ip);
};
const connected = (idx: TopoIndex, scope: string | null, ip: NonNullable<ReturnType<typeof parseIP>>) =>
  idx.addressesOf(scope).some((c) => c.family === ip.family && contains(c, ip));

/** the file knows a way from scope to the address: a connected subnet or a route */
function fileCovers(t: Topology, idx: TopoIndex, scope: string | null, to: string): boolean {
  const ip = parseIP(to)!;
  return connected(idx, scope, ip) || fileRoutes(t, scope).some((r) => routeCovers(r, ip));
}

/** a scope forwards in the file */
function forwards(t: Topology, scope: string | null): boolean {
  if (scope === null) return wantsIpForward(t);
  return String(t.namespaces?.find((n) => n.name === scope)?.sysctls?.[FORWARD] ?? '') === '1';
}

/**
 * a gateway for scope towards the address: a neighbour on one of its subnets that forwards and
 * knows the way (connected first, then by a route of its own); its address on the shared subnet
 */
export function gatewayFor(t: Topology, idx: TopoIndex, scope: string | null, to: string, except?: string): string | undefined {
  const ip = parseIP(to)!;
  const found: { via: string; direct: boolean }[] = [];
  for (const mine of idx.ifacesByScope.get(scope) ?? []) {
    for (const a of mine.addresses) {
      const net = parseCidr(a)!;
      for (const f of idx.ifaces) {
        if (f.segment !== mine.segment || f.scope === scope || !forwards(t, f.scope)) continue;
        for (const fa of f.addresses) {
          const c = parseCidr(fa)!;
          if (c.family !== net.family || !contains(net, c)) continue;
          const via = formatIP(c.family, c.addr);
          if (via === except) continue;
          if (connected(idx, f.scope, ip)) found.push({ via, direct: true });
          else if (fileRoutes(t, f.scope).some((r) => routeCovers(r, ip) && r.to !== 'default')) found.push({ via, direct: false });
        }
      }
    }
  }
  return (found.find((x) => x.direct) ?? found[0])?.via;
}

function setRoutes(scope: string | null, routes: Route[]): FileChange {
  return { target: scope === null ? { type: 'host' } : { type: 'namespace', name: scope }, field: 'routes', value: routes };
}

/** the file's interface of scope towards the address (its subnet, or its route's gateway's) when the file keeps its link down */
function keptDown(t: Topology, idx: TopoIndex, scope: string | null, to: string): IfaceInfo | undefined {
  const ip = parseIP(to)!;
  const via = fileRoutes(t, scope).find((r) => routeCovers(r, ip))?.via;
  const next = (via && parseIP(via)) || ip;
  return (idx.ifacesByScope.get(scope) ?? []).find((f) => f.linkIndex !== undefined && !f.up
    && f.addresses.some((a) => { const c = parseCidr(a)!; return c.family === next.family && contains(c, next); }));
}

function linkUpFix(f: IfaceInfo): PathFix {
  return { where: 'file', summary: `bring the link of ${f.name} in ${name(f.scope)} up (the file keeps it down: "up": false)`, change: { target: { type: 'link', index: f.linkIndex! }, field: 'up', value: null } };
}

function routeFix(t: Topology, idx: TopoIndex, scope: string | null, to: string): PathFix | undefined {
  // the kernel dropped the routes of a link the file keeps down
  const down = keptDown(t, idx, scope, to);
  if (down) return linkUpFix(down);
  if (fileCovers(t, idx, scope, to)) return { where: 'live', summary: `the file gives ${name(scope)} a way to ${to} that the kernel lost: apply again to restore it` };
  const via = gatewayFor(t, idx, scope, to);
  if (!via) return undefined;
  const route = { to: subnetFor(idx, to), via };
  return { where: 'file', summary: `add the route ${route.to} via ${via} to ${name(scope)}`, change: setRoutes(scope, [...fileRoutes(t, scope), route]) };
}

function gatewayFix(t: Topology, idx: TopoIndex, scope: string | null, to: string): PathFix | undefined {
  const ip = parseIP(to)!;
  const routes = fileRoutes(t, scope);
  // the file's route the kernel uses: the longest prefix that covers the address
  const mine = routes.map((r, i) => ({ r, i, len: r.to === 'default' ? 0 : parseCidr(r.to)?.prefix ?? -1 }))
    .filter((x) => routeCovers(x.r, ip)).sort((a, b) => b.len - a.len)[0];
  if (!mine?.r.via) return undefined;
  const via = gatewayFor(t, idx, scope, to, mine.r.via);
  if (!via) return undefined;
  const next = routes.map((r, i) => (i === mine.i ? { ...r, via } : r));
  return { where: 'file', summary: `route ${mine.r.to} of ${name(scope)} via ${via} instead of ${mine.r.via}`, change: setRoutes(scope, next) };
}

function forwardingFix(t: Topology, scope: string | null): PathFix {
  if (forwards(t, scope)) return { where: 'live', summary: `the file has ${name(scope)} forward (${FORWARD}=1): apply again to restore it` };
  if (scope === null) return { where: 'file', summary: 'turn on forwarding in the host (host.ipForward)', change: { target: { type: 'host' }, field: 'ipForward', value: true } };
  const ns = t.namespaces!.find((n) => n.name === scope)!;
  return { where: 'file', summary: `let ${scope} forward (${FORWARD}: 1)`, change: { target: { type: 'namespace', name: scope }, field: 'sysctls', value: { ...ns.sysctls, [FORWARD]: 1 } } };
}

/** the link of the interface that is down: the file keeps it down (up: false), or the kernel has it down */
function linkFix(t: Topology, idx: TopoIndex, walk: PathWalk): PathFix | undefined {
  const down = walk.down;
  if (!down) return undefined;
  const f = idx.ifaces.find((x) => x.scope === down.ns && x.name === down.dev && x.linkIndex !== undefined);
  if (f?.linkIndex === undefined) return undefined;
  if (t.links![f.linkIndex]!.up === false) return linkUpFix(f);
  return { where: 'live', summary: `the file has the link of ${down.dev} in ${name(down.ns)} up: set it up again (Set Link Up, or apply)` };
}
