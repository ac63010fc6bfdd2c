/**
 * The doctor's path walk on a recorded kernel state: from a namespace towards an address, hop
 * by hop through the routes, links, L2 segments (veth peers, bridge ports) and forwarding
 * sysctls that the observation holds, then back from the destination to the source's address.
 * At each hop it also checks (path-checks.ts): strict rp_filter on the interface the packet
 * arrives by when the route back leaves by another; the MTU of the two ends; the host's FORWARD
 * chain for packets it routes, and for bridged ones when bridge netfilter is on; masquerade for
 * packets leaving the host by an interface that is not the lab's (its uplink). A name is walked
 * through the namespace's DNS servers (walkName). The first hop where it breaks is named in one
 * sentence ("r1 has no route to 10.2.0.2: packets from pc1 stop at r1"). Pure: the live state
 * comes from observe (with `forwarding`: forwarding, rp_filter, bridge netfilter read).
 * Not checked: iptables inside namespaces (observe reads the host's only), ip rules and tables
 * other than the main one, IPv6, the neighbour cache, MTU behind a bridge's other ports, the
 * path beyond the host's uplink, and whether a DNS server knows a name (the lab test's resolve
 * says so).
 */
import { contains, parseCidr, parseIP, type Cidr } from '../model/ip.js';
import type { LiveLink, LiveNs, LiveRoute, LiveState } from '../observe/observe.js';
import { DOCTOR_HOST_SYSCTLS } from './doctor.js';
import { dnsServers, forwardDrop, hostBridgeWithNetfilter, masqueradeMissing, mtuDrop, rpFilterDrop, where, type MtuEnds } from './path-checks.js';

/** the host's sysctls the walk reads (bridge netfilter, rp_filter): observe's hostSysctls with `forwarding` */
export const PATH_HOST_SYSCTLS = DOCTOR_HOST_SYSCTLS;

export type BreakKind = 'no-source' | 'no-route' | 'link-down' | 'wrong-gateway' | 'no-neighbour' | 'forwarding-off' | 'loop'
  | 'rp-filter' | 'mtu' | 'forward-drop' | 'no-masquerade' | 'dns';

export interface Hop {
  /** the namespace (null: the host) the packet is in */
  ns: string | null;
  /** where it leaves: the interface and the gateway, if any */
  dev?: string;
  via?: string;
}

export interface PathBreak {
  kind: BreakKind;
  /** where it stops */
  at: string | null;
  /** the return path (from the destination back to the source) broke, not the way there */
  back: boolean;
  message: string;
}

export interface PathWalk {
  ok: boolean;
  hops: Hop[];
  back: Hop[];
  break?: PathBreak;
  /** with a break: the address the broken direction was headed for (the destination, or the source's address on the way back) */
  towards?: string;
  /** a link-down break: the interface that is down */
  down?: { ns: string | null; dev: string };
  /** an rp-filter break: the interface the packet arrived by */
  rp?: { ns: string | null; dev: string };
  /** an mtu break: the sending and the receiving end */
  mtu?: MtuEnds;
  /** a no-masquerade break: the source address that leaves unmasqueraded */
  source?: string;
}

export interface WalkOptions {
  /** the probe's ICMP payload in bytes (ping -s): an MTU too small for it is a break */
  size?: number;
  /** icmp, tcp or udp: for the firewall's -p matches */
  proto?: string;
}

const MAX_HOPS = 32;
const ipv4 = (s: string) => { const ip = parseIP(s); return ip && ip.family === 4 ? ip : undefined; };

function scopeOf(live: LiveState, ns: string | null): LiveNs | undefined {
  return ns === null ? live.host : live.namespaces.find((n) => n.name === ns);
}

function ownsAddress(n: LiveNs, ip: { family: 4 | 6; addr: bigint }): boolean {
  return n.links.some((l) => l.addresses.some((a) => { const c = parseCidr(a.cidr); return !!c && c.family === ip.family && c.addr === ip.addr; }));
}

/** the kernel's choice among this namespace's IPv4 routes and connected subnets (of links that are up): the longest prefix */
export function lookupRoute(n: LiveNs, dst: string): { route: LiveRoute; prefix: number } | undefined {
  const ip = ipv4(dst);
  if (!ip) return undefined;
  const candidates: { route: LiveRoute; prefix: number; metric: number }[] = [];
  for (const r of n.routes) {
    if (r.family !== 4) continue;
    const c: Cidr | undefined = r.to === 'default' ? { family: 4, addr: 0n, prefix: 0 } : parseCidr(r.to);
    if (c && contains(c, ip)) candidates.push({ route: r, prefix: c.prefix, metric: r.metric ?? 0 });
  }
  for (const l of n.links) {
    if (!l.up) continue;
    for (const a of l.addresses) {
      const c = parseCidr(a.cidr);
      if (c && c.family === 4 && contains(c, ip)) candidates.push({ route: { family: 4, to: a.cidr, via: undefined, dev: l.name, protocol: 'kernel', metric: undefined, scope: 'link' }, prefix: c.prefix, metric: 0 });
    }
  }
  candidates.sort((a, b) => b.prefix - a.prefix || a.metric - b.metric);
  return candidates[0];
}

/** the interfaces on the other side of a link: its veth peer, or, for a bridge port, every other port's peer and the bridge itself */
function segment(live: LiveState, ns: string | null, link: LiveLink): { ns: string | null; link: LiveLink }[] {
  const out: { ns: string | null; link: LiveLink }[] = [];
  const seen = new Set<string>();
  const add = (s: string | null, l: LiveLink) => { const k = `${s}/${l.name}`; if (!seen.has(k)) { seen.add(k); out.push({ ns: s, link: l }); } };
  const visitBridge = (s: string | null, bridge: LiveLink) => {
    add(s, bridge);
    for (const port of scopeOf(live, s)?.links ?? []) {
      if (port.master !== bridge.name || !port.up || !port.peer) continue;
      const far = scopeOf(live, port.peer.ns)?.links.find((x) => x.name === port.peer!.name);
      if (far && !(port.peer.ns === ns && far.name === link.name)) add(port.peer.ns, far);
    }
  };
  if (link.kind === 'bridge') { visitBridge(ns, link); return out.filter((x) => !(x.ns === ns && x.link.name === link.name)); }
  if (!link.peer) return out;
  const peer = scopeOf(live, link.peer.ns)?.links.find((x) => x.name === link.peer!.name);
  if (!peer) return out;
  if (peer.master) {
    const bridge = scopeOf(live, link.peer.ns)?.links.find((x) => x.name === peer.master && x.kind === 'bridge');
    if (bridge && peer.up) visitBridge(link.peer.ns, bridge);
    return out;
  }
  add(link.peer.ns, peer);
  return out;
}

const linkDown = (l: LiveLink) => !l.up || l.operstate === 'DOWN' || l.operstate === 'LOWERLAYERDOWN';

type Extra = Pick<PathWalk, 'down' | 'rp' | 'mtu' | 'source'>;
interface OneWay extends Extra { hops: Hop[]; break?: PathBreak; reached?: string | null; left?: string; suspect?: { message: string; at: string | null; back: boolean; mtu: MtuEnds } }
/** one direction of the walk: the packet's source and destination address, and where it starts */
interface Leg { from: string | null; src: string | undefined; dst: string; back: boolean; origin: string; opts: WalkOptions }

/** one direction: from a namespace to an address */
function walkOne(live: LiveState, leg: Leg): OneWay {
  const { dst, back, origin, src } = leg;
  const hops: Hop[] = [];
  let suspect: OneWay['suspect'];
  const stop = (kind: BreakKind, at: string | null, message: string, extra: Extra = {}): OneWay => ({ hops, break: { kind, at, back, message }, ...extra });
  const ip = ipv4(dst)!;
  let cur: string | null = leg.from;
  /** the interface the packet arrived by in cur (undefined where it started) */
  let inDev: string | undefined;
  const visited = new Set<string>();
  for (let i = 0; i < MAX_HOPS; i++) {
    const n = scopeOf(live, cur);
    if (!n) return stop('no-source', cur, `${where(cur)} does not exist`);
    if (ownsAddress(n, ip)) return { hops, reached: cur, suspect };
    if (visited.has(String(cur))) return stop('loop', cur, `packets to ${dst} loop back to ${where(cur)}`);
    visited.add(String(cur));
    const r = lookupRoute(n, dst);
    const tail = back ? `: answers to ${origin} stop at ${where(cur)}` : `: packets from ${origin} stop at ${where(cur)}`;
    if (!r) return stop('no-route', cur, `${where(cur)} has no route to ${dst}${tail}`);
    const devName = r.route.dev ?? (r.route.via ? lookupRoute(n, r.route.via)?.route.dev : undefined);
    const dev = n.links.find((l) => l.name === devName);
    hops.push({ ns: cur, ...(devName ? { dev: devName } : {}), ...(r.route.via ? { via: r.route.via } : {}) });
    if (!dev) return stop('no-route', cur, `${where(cur)} routes ${dst} through '${devName ?? '?'}', which it does not have${tail}`);
    if (linkDown(dev)) {
      // up here, but without carrier: its veth peer was set down (the kernel reports this end LOWERLAYERDOWN)
      const peer = dev.up && dev.peer ? scopeOf(live, dev.peer.ns)?.links.find((x) => x.name === dev.peer!.name) : undefined;
      if (peer && !peer.up) return stop('link-down', dev.peer!.ns, `the other end of ${dev.name} (${peer.name} in ${where(dev.peer!.ns)}) is down${tail}`, { down: { ns: dev.peer!.ns, dev: peer.name } });
      return stop('link-down', cur, `${dev.name} in ${where(cur)} is down (${dev.up ? dev.operstate : 'set down'})${tail}`, { down: { ns: cur, dev: dev.name } });
    }
    // the host routes it from one interface to another: its FORWARD chain decides
    const routedDrop = cur === null && inDev !== undefined && src ? forwardDrop(live, { src, dst, in: inDev, out: dev.name, proto: leg.opts.proto, state: back ? 'established' : 'new' }, false) : undefined;
    if (routedDrop) return stop('forward-drop', null, routedDrop);
    const next = r.route.via ?? dst;
    const nextIp = ipv4(next)!;
    const side = segment(live, cur, dev);
    // out of the lab through the host's own interface (its uplink): the walk can follow no further
    if (cur === null && !side.length && !dev.peer && dev.kind !== 'bridge' && dev.kind !== 'veth' && !dev.owner) {
      const masq = src && !back ? masqueradeMissing(live, src, dst, dev.name) : undefined;
      return masq ? stop('no-masquerade', null, masq, { source: src! }) : { hops, left: dev.name, suspect };
    }
    const peerDown = side.find((x) => linkDown(x.link) && x.link.kind !== 'bridge' && dev.peer && x.link.name === dev.peer.name);
    if (peerDown) return stop('link-down', peerDown.ns, `the other end of ${dev.name} (${peerDown.link.name} in ${where(peerDown.ns)}) is down${tail}`, { down: { ns: peerDown.ns, dev: peerDown.link.name } });
    const has = (x: { link: LiveLink }) => x.link.addresses.some((a) => { const c = parseCidr(a.cidr); return !!c && c.family === 4 && c.addr === nextIp.addr; });
    const owner = side.find((x) => !linkDown(x.link) && has(x));
    // the next hop is there, behind an interface that is down (a host across a bridge)
    const downOwner = owner ? undefined : side.find((x) => linkDown(x.link) && has(x));
    if (downOwner) {
      const stopAt = back ? `: answers to ${origin} stop at ${where(downOwner.ns)}` : `: packets from ${origin} stop at ${where(downOwner.ns)}`;
      return stop('link-down', downOwner.ns, `${downOwner.link.name} in ${where(downOwner.ns)} (${next}) is down (${downOwner.link.up ? downOwner.link.operstate : 'set down'})${stopAt}`, { down: { ns: downOwner.ns, dev: downOwner.link.name } });
    }
    if (!owner) {
      return r.route.via
        ? stop('wrong-gateway', cur, `${where(cur)}'s gateway ${r.route.via} for ${dst} is not on ${dev.name}'s link (nobody there has that address)${tail}`)
        : stop('no-neighbour', cur, `nobody on ${dev.name}'s link in ${where(cur)} has ${dst}${tail}`);
    }
    // bridged through a host bridge: with bridge netfilter on, the host's FORWARD chain sees it too
    const bridge = owner.ns !== null || owner.link.kind !== 'bridge' ? hostBridgeWithNetfilter(live, cur, dev) : undefined;
    const bridgedDrop = bridge && src ? forwardDrop(live, { src, dst, in: bridge, out: bridge, proto: leg.opts.proto, state: back ? 'established' : 'new' }, true) : undefined;
    if (bridgedDrop) return stop('forward-drop', null, bridgedDrop);
    const mtu = mtuDrop({ ns: cur, link: dev }, owner, origin, back, leg.opts.size);
    if (mtu?.certain) return stop('mtu', owner.ns, mtu.message, { mtu: mtu.ends });
    if (mtu && !suspect) suspect = { message: mtu.message, at: owner.ns, back, mtu: mtu.ends };
    const nn = scopeOf(live, owner.ns)!;
    const arrives = owner.link.name;
    const local = ownsAddress(nn, ip);
    if (!local && String(nn.sysctls['net.ipv4.ip_forward'] ?? '') !== '1') {
      return stop('forwarding-off', owner.ns, `${where(owner.ns)} does not forward (net.ipv4.ip_forward is ${nn.sysctls['net.ipv4.ip_forward'] ?? 'unknown'})${back ? `: answers to ${origin}` : `: packets from ${origin}`} stop at ${where(owner.ns)}`);
    }
    const rp = src ? rpFilterDrop(nn, arrives, src, lookupRoute(nn, src)?.route.dev, back) : undefined;
    if (rp) return stop('rp-filter', owner.ns, rp, { rp: { ns: owner.ns, dev: arrives } });
    if (local) return { hops, reached: owner.ns, suspect };
    cur = owner.ns;
    inDev = arrives;
  }
  return stop('loop', cur, `more than ${MAX_HOPS} hops to ${dst}`);
}

/** the source address the kernel would choose towards dst: an address of the outgoing interface (else any) */
function sourceAddress(n: LiveNs, dst: string): string | undefined {
  const r = lookupRoute(n, dst);
  const dev = n.links.find((l) => l.name === r?.route.dev);
  const v4 = (l: LiveLink) => l.addresses.find((a) => a.family === 4)?.cidr.split('/')[0];
  return (dev && v4(dev)) ?? n.links.map(v4).find(Boolean);
}

const extras = (w: OneWay): Extra => ({ ...(w.down ? { down: w.down } : {}), ...(w.rp ? { rp: w.rp } : {}), ...(w.mtu ? { mtu: w.mtu } : {}), ...(w.source ? { source: w.source } : {}) });

/** from a namespace (null: the host) to an IPv4 address and back: every hop, and the first break */
export function walkPath(live: LiveState, from: string | null, dst: string, opts: WalkOptions = {}): PathWalk {
  if (!ipv4(dst)) return { ok: false, hops: [], back: [], break: { kind: 'no-route', at: from, back: false, message: `${dst} is not an IPv4 address (the walk follows IPv4 only)` } };
  const origin = where(from);
  const start = scopeOf(live, from);
  const src = start ? sourceAddress(start, dst) : undefined;
  const there = walkOne(live, { from, src, dst, back: false, origin, opts });
  if (there.break) return { ok: false, hops: there.hops, back: [], break: there.break, towards: dst, ...extras(there) };
  // out of the lab (nothing to walk back), or delivered in the source itself
  if (there.left !== undefined || !src || there.reached === from) return withSuspect({ ok: true, hops: there.hops, back: [] }, there.suspect, dst);
  const home = walkOne(live, { from: there.reached ?? null, src: dst, dst: src, back: true, origin: `${origin} (${src})`, opts });
  if (home.break) return { ok: false, hops: there.hops, back: home.hops, break: home.break, towards: src, ...extras(home) };
  return withSuspect({ ok: true, hops: there.hops, back: home.hops }, there.suspect ?? home.suspect, there.suspect ? dst : src);
}

/** nothing else broke, but the MTU of a hop loses large packets: that is the break */
function withSuspect(w: PathWalk, suspect: OneWay['suspect'], towards: string): PathWalk {
  if (!suspect) return w;
  return { ...w, ok: false, break: { kind: 'mtu', at: suspect.at, back: suspect.back, message: suspect.message }, towards, mtu: suspect.mtu };
}

/**
 * A DNS name from a namespace: its resolver (no server, or only the host's loopback stub), the
 * way to its first server, and, given the lab test's resolve answer, whether the name resolved.
 * Undefined when nothing is wrong up to the name's addresses (walk to those next).
 */
export function walkName(live: LiveState, from: string | null, name: string, answer?: { addresses: string[]; error?: string }, opts: WalkOptions = {}): PathWalk | undefined {
  const n = scopeOf(live, from);
  const brk = (kind: BreakKind, message: string): PathWalk => ({ ok: false, hops: [], back: [], break: { kind, at: from, back: false, message }, towards: name });
  if (!n) return brk('no-source', `${where(from)} does not exist`);
  const d = dnsServers(live, n);
  if (d.problem) return brk('dns', d.problem);
  const server = d.servers.find((s) => ipv4(s));
  const w = server ? walkPath(live, from, server, { ...opts, proto: 'udp' }) : undefined;
  if (w?.break && w.break.kind !== 'mtu') return { ...w, break: { ...w.break, message: `the way to ${where(from)}'s DNS server ${server} breaks: ${w.break.message}` } };
  if (answer && !answer.addresses.length) {
    return brk('dns', `${name} does not resolve in ${where(from)}: ${d.servers.join(', ')} ${answer.error ? `answered: ${answer.error}` : 'gave no address'} (${d.file})`);
  }
  return undefined;
}
