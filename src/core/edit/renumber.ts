/**
 * "Change subnet…" of a point-to-point link in one edit: both ends move to the new subnet
 * (keeping their host part when it fits, else the first free addresses) and every route
 * through the old addresses, or to the old subnet, follows. Done one address at a time, each
 * intermediate state is invalid (in a /30 the gateway is on no subnet of its namespace).
 */
import { contains, formatIP, isNetworkOrBroadcast, network, parseCidr, parseIP, subnetOf, type Cidr } from '../model/ip.js';
import type { Endpoint, Route, Topology } from '../model/model.js';

export class RenumberError extends Error {}

/** the IPv4 subnet of a link (its first end with an IPv4 address), or undefined */
export function linkSubnet(t: Topology, index: number): string | undefined {
  const l = t.links?.[index];
  for (const e of l ? [l.a, l.b] : []) {
    const c = (e.addresses ?? []).map((a) => parseCidr(a)).find((x) => x?.family === 4);
    if (c) return subnetOf(c);
  }
  return undefined;
}

/** the new address of each end: the same host part when it fits in the new subnet, else the next free one */
function newAddresses(old: Cidr, next: Cidr, ends: (string | undefined)[]): Map<string, string> {
  const size = 1n << BigInt(32 - next.prefix);
  const base = network(next);
  const taken = new Set<bigint>();
  const out = new Map<string, string>();
  const usable = (a: bigint) => a - base < size && a >= base && !taken.has(a) && (next.prefix >= 31 || !isNetworkOrBroadcast({ family: 4, addr: a, prefix: next.prefix }));
  for (const a of ends) {
    if (!a) continue;
    const c = parseCidr(a)!;
    let n = base + (c.addr - network(old));
    for (let i = 1n; !usable(n) && i < size; i++) n = base + i;
    if (!usable(n)) throw new RenumberError(`subnet ${subnetOf(next)} has no room for both ends`);
    taken.add(n);
    out.set(formatIP(4, c.addr), formatIP(4, n));
  }
  return out;
}

/**
 * The topology with link `index` renumbered into `cidr` (e.g. "10.1.2.0/30"): its ends' IPv4
 * addresses in the old subnet, the routes via those addresses and the routes to the old subnet.
 * Throws RenumberError with the reason for a link to a bridge (its subnet is the LAN's), a link
 * without an IPv4 address, or a subnet that is not IPv4 or too small.
 */
export function renumber(t: Topology, index: number, cidr: string): Topology {
  const link = t.links?.[index];
  if (!link) throw new RenumberError(`no link ${index}`);
  const bridges = new Set((t.bridges ?? []).map((b) => b.name));
  if (bridges.has(link.a.node) || bridges.has(link.b.node)) throw new RenumberError('this link is a port of a bridge: its subnet is the bridge\'s; change the bridge\'s address and its members');
  const parsed = parseCidr(cidr);
  if (!parsed || parsed.family !== 4) throw new RenumberError(`'${cidr}' is not an IPv4 subnet such as 10.1.2.0/30`);
  if (parsed.prefix > 30) throw new RenumberError(`a /${parsed.prefix} has no room for two ends: use /30 or larger`);
  const oldSubnet = linkSubnet(t, index);
  if (!oldSubnet) throw new RenumberError('the link has no IPv4 address to renumber');
  const old = parseCidr(oldSubnet)!;
  const next: Cidr = { family: 4, addr: network(parsed), prefix: parsed.prefix };
  const inOld = (a: string) => { const c = parseCidr(a); return c?.family === 4 && c.prefix === old.prefix && network(c) === network(old) ? c : undefined; };
  const endAddr = (e: Endpoint) => (e.addresses ?? []).find((a) => inOld(a));
  const map = newAddresses(old, next, [endAddr(link.a), endAddr(link.b)]);
  const moveEnd = (e: Endpoint): Endpoint => ({
    ...e,
    ...(e.addresses ? { addresses: e.addresses.map((a) => (inOld(a) ? `${map.get(formatIP(4, inOld(a)!.addr))}/${next.prefix}` : a)) } : {}),
  });
  const moveRoute = (r: Route): Route => {
    const via = r.via !== undefined ? parseIP(r.via) : undefined;
    const out: Route = { ...r };
    if (via?.family === 4 && contains(old, via) && map.has(formatIP(4, via.addr))) out.via = map.get(formatIP(4, via.addr))!;
    if (r.to !== 'default' && parseCidr(r.to) && subnetOf(parseCidr(r.to)!) === oldSubnet) out.to = subnetOf(next);
    return out;
  };
  const links = t.links!.map((l, i) => (i === index ? { ...l, a: moveEnd(l.a), b: moveEnd(l.b) } : l));
  return {
    ...t,
    links,
    ...(t.namespaces ? { namespaces: t.namespaces.map((n) => (n.routes ? { ...n, routes: n.routes.map(moveRoute) } : n)) } : {}),
    ...(t.host?.routes ? { host: { ...t.host, routes: t.host.routes.map(moveRoute) } } : {}),
  };
}
