/**
 * A multi-host lab split into one single-host topology per host (pure). Each part keeps the
 * topology's name (ownership is by topology name on each host), has no `hosts` and no `on`, and
 * carries the VXLAN devices that host needs (see hosts-layout.ts for the rules), so every host's
 * helper plans, applies and destroys its part exactly as a single-host topology.
 *
 * The local machine's underlay is given like any host's: an entry named "local" in `hosts`,
 * without `ssh` (e.g. {"name": "local", "underlay": "192.0.2.1"}).
 */
import { hostsOf, layout, segmentDevName, underlaySpec, type Layout } from '../model/hosts-layout.js';
import { LOCAL_HOST, type Bridge, type Link, type Namespace, type Physical, type Topology, type Vxlan } from '../model/model.js';
import type { LiveState } from '../observe/observe.js';

// where the hosts are and how their underlay is written (hosts-layout.ts, with the file format)
export { hostsOf, underlaySpec, type LabHost } from '../model/hosts-layout.js';

/** the host a node is on: 'local' unless the node (or, for a bridge in a namespace, that namespace) says "on" */
export function hostOf(t: Topology, nodeName: string): string {
  return layout(t).nodeHost(nodeName);
}

/**
 * The underlay address of a host whose file names an interface: its first global IPv4 address
 * (else IPv6), as that host's helper read it (`observe` of the host). Undefined: no such
 * interface, or no address on it.
 */
export function underlayFromLive(ifname: string, live: LiveState): string | undefined {
  const l = live.host.links.find((x) => x.name === ifname);
  const a = l?.addresses.filter((x) => x.scope === 'global').sort((x, y) => x.family - y.family)[0];
  return a?.cidr.split('/')[0];
}

export interface HostPart { host: string; topology: Topology }

/** the hosts a tunnel or a segment needs an underlay address of */
export function hostsNeedingUnderlay(t: Topology): string[] {
  const lay = layout(t);
  const out = new Set<string>();
  for (const tu of lay.tunnels) { out.add(tu.hosts[0]); out.add(tu.hosts[1]); }
  for (const s of lay.segments) { out.add(s.home); out.add(s.host); }
  return [...out];
}

const without = <T extends object, K extends keyof T>(o: T, ...keys: K[]): Omit<T, K> => {
  const c = { ...o };
  for (const k of keys) delete c[k];
  return c;
};

/** a link of a spanning bridge: capped to what its tunnels carry when the file sets no MTU */
function cappedLink(l: Link, cap: number | undefined): Omit<Link, 'vni'> {
  const out = without(l, 'vni');
  return cap !== undefined && l.mtu === undefined && l.a.mtu === undefined && l.b.mtu === undefined ? { ...out, mtu: cap } : out;
}

interface PartCtx { t: Topology; lay: Layout; underlay: Record<string, string>; devOf: (h: string) => string | undefined }

function ends(c: PartCtx, h: string, other: string): Pick<Vxlan, 'local' | 'remote' | 'dev'> {
  const need = (x: string) => {
    const a = c.underlay[x];
    if (a === undefined) throw new Error(`host '${x}' has no underlay address; set "underlay" in its entry of "hosts"`);
    return a;
  };
  const dev = c.devOf(h);
  return { local: need(h), remote: need(other), ...(dev !== undefined ? { dev } : {}) };
}

function vxlansOn(c: PartCtx, h: string): Vxlan[] {
  const links = c.t.links ?? [];
  const out: Vxlan[] = [];
  for (const tu of c.lay.tunnels) {
    const l = links[tu.link]!;
    for (const [side, i] of [['a', 0], ['b', 1]] as const) {
      if (tu.hosts[i] !== h) continue;
      const ep = l[side];
      out.push({
        name: ep.name, node: ep.node, vni: tu.vni, ...ends(c, h, tu.hosts[1 - i]!),
        ...(ep.addresses ? { addresses: ep.addresses } : {}), mtu: Math.min(ep.mtu ?? l.mtu ?? tu.mtu, tu.mtu),
        ...(l.up === false ? { up: false } : {}), ...(ep.impair ? { impair: ep.impair } : {}),
      });
    }
  }
  for (const s of c.lay.segments) {
    if (s.home !== h && s.host !== h) continue;
    const mtu = c.lay.spanMtu.get(s.bridge) ?? s.mtu;
    out.push({ name: segmentDevName(s.vni), node: s.bridge, vni: s.vni, ...ends(c, h, s.home === h ? s.host : s.home), mtu });
  }
  return out;
}

function partOf(c: PartCtx, h: string): Topology {
  const { t, lay } = c;
  const namespaces: Namespace[] = (t.namespaces ?? []).filter((n) => lay.nodeHost(n.name) === h).map((n) => without(n, 'on'));
  const bridges: Bridge[] = (t.bridges ?? []).filter((b) => lay.nodeHost(b.name) === h).map((b) => without(b, 'on'));
  for (const [br, hs] of lay.replicas) if (hs.has(h)) bridges.push({ name: br, note: `replica of bridge '${br}' (on host '${lay.nodeHost(br)}')` });
  const links: Link[] = (t.links ?? []).flatMap((l, i) => {
    if (lay.linkHost.get(i) !== h) return [];
    const cap = [l.a.node, l.b.node].map((n) => lay.spanMtu.get(n)).find((x) => x !== undefined);
    return [cappedLink(l, cap)];
  });
  const physical: Physical[] = (t.physical ?? []).filter((p) => lay.nodeHost(p.macvlan?.node ?? p.bridge!) === h);
  const vxlans = [...(t.vxlans ?? []).filter((v) => lay.nodeHost(v.node) === h), ...vxlansOn(c, h)];
  return {
    version: 1, name: t.name,
    ...(h === LOCAL_HOST && t.host ? { host: t.host } : {}),
    ...(namespaces.length ? { namespaces } : {}),
    ...(bridges.length ? { bridges } : {}),
    ...(links.length ? { links } : {}),
    ...(vxlans.length ? { vxlans } : {}),
    ...(physical.length ? { physical } : {}),
    ...(h === LOCAL_HOST && t.annotations ? { annotations: t.annotations } : {}),
  };
}

/**
 * One single-host topology per host of the file ('local' first, then in the order of `hosts`;
 * a host with nothing on it gets an empty part). `underlay`: host name -> that host's underlay IPv4/IPv6 address (the engine
 * resolves interface forms by asking the host's helper); a host a tunnel needs and the record
 * lacks is an Error naming it.
 */
export function splitByHost(t: Topology, underlay: Record<string, string>): HostPart[] {
  const lay = layout(t);
  const hosts = hostsOf(t);
  const devOf = (h: string) => { const s = hosts.find((x) => x.name === h); const u = s && underlaySpec(s); return u && 'ifname' in u ? u.ifname : undefined; };
  const c: PartCtx = { t, lay, underlay, devOf };
  const out: HostPart[] = [];
  // a host with nothing on it gets the empty topology: applying it removes what an earlier
  // version of the file left there (it is the topology's destroy on that host)
  for (const h of hosts) out.push({ host: h.name, topology: partOf(c, h.name) });
  return out;
}
