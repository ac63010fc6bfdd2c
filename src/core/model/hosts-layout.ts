/**
 * Where each object of a multi-host lab is (pure): the host of every node and link end, which
 * links cross hosts, which bridges span hosts, and the VXLAN network identifier and MTU of
 * each tunnel. The validator (validate-hosts.ts) and the per-host split (hosts-split.ts) both
 * read this one layout, so what validates is exactly what is built.
 *
 * - A link whose ends are on one host stays a veth on that host ("host" is the host of the
 *   other end).
 * - A cross-host link with exactly one end on a bridge: the bridge gets a replica (same name,
 *   no address) on the other end's host, and the link is a veth there. Each replica host is
 *   joined to the bridge's own host (its home) by one point-to-point VXLAN device pair: a star
 *   around the home, so no L2 loop without STP, no multicast, no FDB entries.
 * - Any other cross-host link (no end on a bridge, or both): a VXLAN device pair that takes the
 *   place of the two veth ends (same names, addresses, bridge membership).
 */
import { parseIP } from './ip.js';
import { writtenUnderlay } from './model-hosts.js';
import { HOST, LOCAL_HOST, type Link, type Topology } from './model.js';

/** VXLAN over IPv4: outer IPv4 (20) + UDP (8) + VXLAN (8) + inner Ethernet (14); over IPv6 the outer header is 40 */
export const VXLAN_OVERHEAD = 50;
export const VXLAN6_OVERHEAD = 70;
export const DEFAULT_UNDERLAY_MTU = 1500;
export const VXLAN_PORT = 4789;
/** derived VNIs stay clear of the small numbers people pick by hand */
export const VNI_MIN = 4096;
export const VNI_MAX = 16777215;

/** a cross-host link made a VXLAN pair */
export interface Tunnel { link: number; hosts: [string, string]; vni: number; mtu: number }
/** one arm of a spanning bridge's star: its home host to one replica host */
export interface Segment { bridge: string; home: string; host: string; vni: number; mtu: number; name: string }

export interface Layout {
  /** host of a namespace or bridge (its home) */
  nodeHost(node: string): string;
  /** host of a link end ("host" is the host of the other end) */
  endHost(link: number, side: 'a' | 'b'): string;
  /** the host each link is built on, for links that stay veths (replicas included) */
  linkHost: Map<number, string>;
  tunnels: Tunnel[];
  segments: Segment[];
  /** bridge -> the hosts it has a replica on */
  replicas: Map<string, Set<string>>;
  /** bridge -> largest MTU of a frame that crosses its tunnels (only bridges that span hosts) */
  spanMtu: Map<string, number>;
}

export interface LabHost { name: string; ssh?: string; underlay?: string; helper?: string }

/** 'local' first (with its underlay when the file gives one), then t.hosts in file order */
export function hostsOf(t: Topology): LabHost[] {
  const strip = (h: { name: string; ssh?: string | undefined; underlay?: string | undefined; helper?: string | undefined }): LabHost => ({
    name: h.name, ...(h.ssh !== undefined ? { ssh: h.ssh } : {}), ...(h.underlay !== undefined ? { underlay: h.underlay } : {}), ...(h.helper !== undefined ? { helper: h.helper } : {}),
  });
  const local = t.hosts?.find((h) => h.name === LOCAL_HOST);
  return [local ? strip(local) : { name: LOCAL_HOST }, ...(t.hosts ?? []).filter((h) => h.name !== LOCAL_HOST).map(strip)];
}

/**
 * How a host's underlay is written: an address, or an interface whose address the engine asks
 * that host's helper for. Without `underlay`, a remote host's ssh address when it is an IP
 * address. Undefined: the file does not say (validation reports it where a tunnel needs it).
 */
export function underlaySpec(h: LabHost): { address: string } | { ifname: string } | undefined {
  return writtenUnderlay(h);
}

export function isMultiHost(t: Topology): boolean {
  return (t.hosts ?? []).some((h) => h.name !== LOCAL_HOST)
    || [...(t.namespaces ?? []), ...(t.bridges ?? [])].some((n) => n.on !== undefined && n.on !== LOCAL_HOST);
}

export function underlayMtuOf(t: Topology, host: string): number {
  return t.hosts?.find((h) => h.name === host)?.underlayMtu ?? DEFAULT_UNDERLAY_MTU;
}

/** the family of a host's underlay where the file writes it as an address (undefined: an interface, or not written) */
export function underlayFamily(t: Topology, host: string): 4 | 6 | undefined {
  const e = t.hosts?.find((h) => h.name === host);
  const w = e ? writtenUnderlay(e) : undefined;
  return w && 'address' in w ? parseIP(w.address)?.family : undefined;
}

/** what a tunnel between these hosts carries: the smallest underlay MTU less the encapsulation */
function tunnelMtu(t: Topology, hosts: string[]): number {
  const overhead = hosts.some((h) => underlayFamily(t, h) === 6) ? VXLAN6_OVERHEAD : VXLAN_OVERHEAD;
  return Math.min(...hosts.map((h) => underlayMtuOf(t, h))) - overhead;
}

/** name of a spanning bridge's VXLAN device for one arm of its star (the same on both hosts) */
export function segmentDevName(vni: number): string {
  return `vx${vni}`;
}

/** 32-bit FNV-1a of a string (UTF-16 units; deterministic, no crypto needed) */
function fnv1a(s: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < s.length; i++) { h ^= s.charCodeAt(i); h = Math.imul(h, 0x01000193) >>> 0; }
  return h >>> 0;
}

/** the VNI a key would get without clashes: a hash of the topology name and the key */
export function derivedVni(topology: string, key: string): number {
  return VNI_MIN + (fnv1a(`${topology}\n${key}`) % (VNI_MAX - VNI_MIN + 1));
}

export function linkKey(l: Link): string {
  const [x, y] = [`${l.a.node}/${l.a.name}`, `${l.b.node}/${l.b.name}`].sort();
  return `link:${x}|${y}`;
}

/**
 * VNIs for keys: explicit ones as given; the others derived, clashes resolved by taking the next
 * free number, keys in sorted order (same file -> same VNIs; an unrelated edit moves none unless
 * it takes the very number another key hashed to).
 */
export function allocateVnis(topology: string, keys: string[], explicit: ReadonlyMap<string, number>): Map<string, number> {
  const out = new Map<string, number>();
  const used = new Set<number>();
  for (const [k, v] of explicit) { out.set(k, v); used.add(v); }
  for (const k of [...new Set(keys)].filter((x) => !explicit.has(x)).sort()) {
    let v = derivedVni(topology, k);
    while (used.has(v)) v = v === VNI_MAX ? VNI_MIN : v + 1;
    used.add(v);
    out.set(k, v);
  }
  return out;
}

function nodeHostFn(t: Topology): (node: string) => string {
  const nsHost = new Map((t.namespaces ?? []).map((n) => [n.name, n.on ?? LOCAL_HOST]));
  const brHost = new Map((t.bridges ?? []).map((b) => [b.name, b.on ?? (b.in && b.in !== HOST ? nsHost.get(b.in) : undefined) ?? LOCAL_HOST]));
  return (node) => nsHost.get(node) ?? brHost.get(node) ?? LOCAL_HOST;
}

export function layout(t: Topology): Layout {
  const nodeHost = nodeHostFn(t);
  const links = t.links ?? [];
  const bridges = new Set((t.bridges ?? []).map((b) => b.name));
  const endHost = (i: number, side: 'a' | 'b'): string => {
    const l = links[i]!;
    const ep = l[side];
    if (ep.node !== HOST) return nodeHost(ep.node);
    const other = l[side === 'a' ? 'b' : 'a'];
    return other.node === HOST ? LOCAL_HOST : nodeHost(other.node);
  };
  const linkHost = new Map<number, string>();
  const replicas = new Map<string, Set<string>>();
  const cross: number[] = [];
  links.forEach((l, i) => {
    const [ha, hb] = [endHost(i, 'a'), endHost(i, 'b')];
    if (ha === hb) { linkHost.set(i, ha); return; }
    const [ba, bb] = [bridges.has(l.a.node), bridges.has(l.b.node)];
    if (ba !== bb) {
      const [br, far] = ba ? [l.a.node, hb] : [l.b.node, ha];
      (replicas.get(br) ?? replicas.set(br, new Set()).get(br)!).add(far);
      linkHost.set(i, far);
    } else cross.push(i);
  });
  const segKeys = [...replicas].flatMap(([br, hs]) => [...hs].map((h) => `seg:${br}@${h}`));
  const explicit = new Map<string, number>();
  for (const i of cross) if (links[i]!.vni !== undefined) explicit.set(linkKey(links[i]!), links[i]!.vni!);
  const vnis = allocateVnis(t.name, [...cross.map((i) => linkKey(links[i]!)), ...segKeys], explicit);
  const mtuOf = (hs: string[]) => tunnelMtu(t, hs);
  const tunnels = cross.map((i): Tunnel => {
    const hosts: [string, string] = [endHost(i, 'a'), endHost(i, 'b')];
    return { link: i, hosts, vni: vnis.get(linkKey(links[i]!))!, mtu: mtuOf(hosts) };
  });
  const spanMtu = new Map<string, number>();
  // a bridge with a tunnel as a port forwards its other ports' frames into it: they are capped too
  for (const tu of tunnels) {
    for (const side of ['a', 'b'] as const) {
      const node = links[tu.link]![side].node;
      if (bridges.has(node)) spanMtu.set(node, Math.min(spanMtu.get(node) ?? Infinity, tu.mtu));
    }
  }
  const segments: Segment[] = [];
  for (const [br, hs] of replicas) {
    const home = nodeHost(br);
    const mtu = mtuOf([home, ...hs]);
    spanMtu.set(br, Math.min(spanMtu.get(br) ?? Infinity, mtu));
    for (const h of [...hs].sort()) {
      const vni = vnis.get(`seg:${br}@${h}`)!;
      segments.push({ bridge: br, home, host: h, vni, mtu, name: segmentDevName(vni) });
    }
  }
  return { nodeHost, endHost, linkHost, tunnels, segments, replicas, spanMtu };
}
