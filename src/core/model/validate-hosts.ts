/**
 * Validation of what a multi-host lab adds (issue 19): the hosts and the "on" of each node, the
 * tunnels between hosts (underlay addresses, VNIs, MTU), interface names per host, and the
 * host's physical interfaces and hand-written VXLAN devices. validate.ts calls these.
 */
import type { Diagnostic, JsonPath } from './diagnostics.js';
import { hostsOf, layout, segmentDevName, underlayFamily, underlaySpec, type Layout } from './hosts-layout.js';
import { HOST, LOCAL_HOST, type Topology } from './model.js';
import type { IfaceInfo, TopoIndex } from './topo-index.js';

const err = (code: string, message: string, path: JsonPath): Diagnostic => ({ severity: 'error', code, message, path });
const warn = (code: string, message: string, path: JsonPath): Diagnostic => ({ severity: 'warning', code, message, path });

/** hosts and "on": before anything reads the layout */
export function hostDiagnostics(t: Topology): Diagnostic[] {
  const d: Diagnostic[] = [];
  const names = new Set<string>([LOCAL_HOST]);
  (t.hosts ?? []).forEach((h, j) => {
    if (h.name === LOCAL_HOST) {
      if (h.ssh !== undefined) d.push(err('local-ssh', `"local" is this machine: it is reached without ssh; remove "ssh" or name the host differently`, ['hosts', j, 'ssh']));
      if ((t.hosts ?? []).findIndex((x) => x.name === LOCAL_HOST) !== j) d.push(err('duplicate-name', `host 'local' is defined twice`, ['hosts', j, 'name']));
      return;
    }
    if (names.has(h.name)) d.push(err('duplicate-name', `host '${h.name}' is defined twice`, ['hosts', j, 'name']));
    names.add(h.name);
    if (h.ssh === undefined) d.push(err('missing-field', `host '${h.name}' needs "ssh": how to reach it, e.g. "lab@192.0.2.2"`, ['hosts', j, 'ssh']));
  });
  const nsHost = new Map((t.namespaces ?? []).map((n) => [n.name, n.on ?? LOCAL_HOST]));
  const unknown = (on: string, what: string) => `${what} is on host '${on}', which is neither "local" nor a name in "hosts"`;
  (t.namespaces ?? []).forEach((n, i) => {
    if (n.on !== undefined && !names.has(n.on)) d.push(err('unknown-host', unknown(n.on, `namespace '${n.name}'`), ['namespaces', i, 'on']));
    if (n.internet && (n.on ?? LOCAL_HOST) !== LOCAL_HOST) {
      d.push(err('remote-internet', `namespace '${n.name}' is on host '${n.on}': internet access (NAT out of host.uplink) is set up on the local machine only`, ['namespaces', i, 'internet']));
    }
  });
  (t.bridges ?? []).forEach((b, i) => {
    if (b.on !== undefined && !names.has(b.on)) d.push(err('unknown-host', unknown(b.on, `bridge '${b.name}'`), ['bridges', i, 'on']));
    const inHost = b.in && b.in !== HOST ? nsHost.get(b.in) : undefined;
    if (b.on !== undefined && inHost !== undefined && inHost !== b.on) {
      d.push(err('host-mismatch', `bridge '${b.name}' is in namespace '${b.in}', which is on host '${inHost}', not '${b.on}'`, ['bridges', i, 'on']));
    }
  });
  return d;
}

/** node references of hand-written VXLAN devices and of physical interfaces (before the index is built) */
export function extraRefDiagnostics(t: Topology): Diagnostic[] {
  const d: Diagnostic[] = [];
  const ns = new Set((t.namespaces ?? []).map((n) => n.name));
  const br = new Set((t.bridges ?? []).map((b) => b.name));
  (t.vxlans ?? []).forEach((v, i) => {
    if (v.node !== HOST && !ns.has(v.node) && !br.has(v.node)) d.push(err('unknown-node', `VXLAN device '${v.name}' is on '${v.node}', which is not a namespace, a bridge or "host"`, ['vxlans', i, 'node']));
  });
  (t.physical ?? []).forEach((p, i) => {
    if (p.macvlan && p.macvlan.node !== HOST && !ns.has(p.macvlan.node)) {
      d.push(err('unknown-node', `macvlan '${p.macvlan.name}' is in '${p.macvlan.node}', which is not a namespace of this topology or "host"`, ['physical', i, 'macvlan', 'node']));
    }
    if (p.bridge !== undefined && !br.has(p.bridge)) d.push(err('unknown-node', `'${p.bridge}' is not a bridge of this topology`, ['physical', i, 'bridge']));
  });
  return d;
}

/** the host an interface of the index is on */
export function ifaceHostFn(t: Topology, lay: Layout = layout(t)): (f: IfaceInfo) => string {
  return (f) => {
    if (f.linkIndex !== undefined) return lay.endHost(f.linkIndex, f.side!);
    if (f.kind === 'bridge') return lay.nodeHost(f.name);
    return f.scope === null ? (f.onBridge ? lay.nodeHost(f.onBridge) : LOCAL_HOST) : lay.nodeHost(f.scope);
  };
}

/** underlay addresses, VNIs, MTU of tunnelled links, names of replicas and tunnel devices */
export function tunnelDiagnostics(t: Topology, idx: TopoIndex): Diagnostic[] {
  const d: Diagnostic[] = [];
  const lay = layout(t);
  const links = t.links ?? [];
  const hosts = hostsOf(t);
  const need = new Map<string, string>();
  for (const tu of lay.tunnels) for (const h of tu.hosts) if (!need.has(h)) need.set(h, `link ${links[tu.link]!.a.node}/${links[tu.link]!.a.name} - ${links[tu.link]!.b.node}/${links[tu.link]!.b.name}`);
  for (const s of lay.segments) for (const h of [s.home, s.host]) if (!need.has(h)) need.set(h, `bridge '${s.bridge}', which spans hosts '${s.home}' and '${s.host}'`);
  for (const [h, why] of need) {
    const j = (t.hosts ?? []).findIndex((x) => x.name === h);
    if (underlaySpec(hosts.find((x) => x.name === h)!) !== undefined) continue;
    d.push(err('no-underlay', h === LOCAL_HOST
      ? `this machine needs an underlay address for the tunnel of ${why}: add {"name": "local", "underlay": "ADDRESS or IFNAME"} to "hosts"`
      : `host '${h}' needs an underlay address for the tunnel of ${why}: set "underlay" (its ssh address is not an IP address)`, j < 0 ? ['hosts'] : ['hosts', j]));
  }
  const pairs = [...lay.tunnels.map((tu) => tu.hosts), ...lay.segments.map((sg) => [sg.home, sg.host] as [string, string])];
  const mixed = pairs.find(([x, y]) => { const [fx, fy] = [underlayFamily(t, x), underlayFamily(t, y)]; return fx !== undefined && fy !== undefined && fx !== fy; });
  if (mixed) d.push(err('underlay-family', `hosts '${mixed[0]}' and '${mixed[1]}' are joined by a tunnel, but one's underlay is IPv4 and the other's IPv6`, ['hosts']));
  const crossing = new Set(lay.tunnels.map((tu) => tu.link));
  const seenVni = new Map<number, number>();
  links.forEach((l, i) => {
    if (l.vni === undefined) return;
    if (!crossing.has(i)) d.push(warn('vni-unused', `link ${l.a.node}/${l.a.name} - ${l.b.node}/${l.b.name} does not cross hosts as a tunnel; its vni is not used`, ['links', i, 'vni']));
    else if (seenVni.has(l.vni)) d.push(err('vni-clash', `VNI ${l.vni} is also the VNI of link ${seenVni.get(l.vni)! + 1} (links[${seenVni.get(l.vni)}]); each tunnel needs its own`, ['links', i, 'vni']));
    else seenVni.set(l.vni, i);
  });
  d.push(...mtuDiagnostics(t, lay), ...hostNameDiagnostics(t, idx, lay));
  return d;
}

/** a tunnelled frame must fit the underlay: at most underlay MTU - 50 */
function mtuDiagnostics(t: Topology, lay: Layout): Diagnostic[] {
  const d: Diagnostic[] = [];
  const links = t.links ?? [];
  const check = (mtu: number | undefined, cap: number, what: string, path: JsonPath) => {
    if (mtu !== undefined && mtu > cap) d.push(err('mtu-fragments', `${what} has MTU ${mtu}, but its frames cross a VXLAN tunnel that carries at most ${cap} bytes (underlay MTU - 50, - 70 over IPv6); set it to ${cap} or less (or leave it unset: ${cap})`, path));
  };
  const byLink = new Map(lay.tunnels.map((x) => [x.link, x]));
  const capOf = (i: number) => {
    const tu = byLink.get(i);
    const caps = [tu?.mtu, lay.spanMtu.get(links[i]!.a.node), lay.spanMtu.get(links[i]!.b.node)].filter((x): x is number => x !== undefined);
    return caps.length ? Math.min(...caps) : undefined;
  };
  links.forEach((l, i) => {
    const cap = capOf(i);
    if (cap === undefined) return;
    const name = `link ${l.a.node}/${l.a.name} - ${l.b.node}/${l.b.name}`;
    check(l.mtu, cap, name, ['links', i, 'mtu']);
    for (const side of ['a', 'b'] as const) check(l[side].mtu, cap, `'${l[side].name}' of ${name}`, ['links', i, side, 'mtu']);
  });
  (t.bridges ?? []).forEach((b, i) => { const cap = lay.spanMtu.get(b.name); if (cap !== undefined) check(b.mtu, cap, `bridge '${b.name}'`, ['bridges', i, 'mtu']); });
  return d;
}

/** interface names are unique per host and namespace: replicas and tunnel devices included */
function hostNameDiagnostics(t: Topology, idx: TopoIndex, lay: Layout): Diagnostic[] {
  const d: Diagnostic[] = [];
  const hostOf = ifaceHostFn(t, lay);
  const taken = new Map<string, JsonPath>();
  for (const f of idx.ifaces) taken.set(`${hostOf(f)}|${f.scope ?? ''}|${f.name}`, f.namePath);
  const brPath = (br: string): JsonPath => ['bridges', (t.bridges ?? []).findIndex((b) => b.name === br), 'name'];
  const claim = (host: string, scope: string | null, name: string, what: string, path: JsonPath) => {
    const k = `${host}|${scope ?? ''}|${name}`;
    const prev = taken.get(k);
    if (prev) d.push(err('duplicate-name', `${what} needs the name '${name}' on host '${host}' (${scope === null ? 'in its root namespace' : `in namespace '${scope}'`}), which is taken at ${prev.join('.')}`, path));
    else taken.set(k, path);
  };
  for (const [br, hs] of lay.replicas) for (const h of hs) claim(h, null, br, `the replica of bridge '${br}'`, brPath(br));
  for (const s of lay.segments) {
    const name = segmentDevName(s.vni);
    claim(s.home, idx.bridgeScope.get(s.bridge) ?? null, name, `the tunnel of bridge '${s.bridge}' to host '${s.host}'`, brPath(s.bridge));
    claim(s.host, null, name, `the tunnel of bridge '${s.bridge}' from host '${s.home}'`, brPath(s.bridge));
  }
  return d;
}

/** physical interfaces: named once, not one the topology makes, joining only a bridge in the host */
export function physicalDiagnostics(t: Topology, idx: TopoIndex): Diagnostic[] {
  const d: Diagnostic[] = [];
  const lay = layout(t);
  const hostOf = ifaceHostFn(t, lay);
  const seen = new Map<string, number>();
  (t.physical ?? []).forEach((p, i) => {
    const host = lay.nodeHost(p.macvlan?.node ?? p.bridge!);
    const path: JsonPath = ['physical', i, 'dev'];
    const k = `${host}|${p.dev}`;
    if (seen.has(k)) d.push(err('duplicate-name', `'${p.dev}' of host '${host}' joins the lab twice (also physical[${seen.get(k)}])`, path));
    seen.set(k, i);
    if (idx.ifaces.some((f) => f.scope === null && f.name === p.dev && hostOf(f) === host)) {
      d.push(err('physical-clash', `'${p.dev}' is an interface this topology creates on host '${host}'; a physical interface is the host's own`, path));
    }
    if (p.bridge !== undefined && idx.bridgeScope.get(p.bridge) !== null) {
      d.push(err('physical-bridge', `bridge '${p.bridge}' is inside a namespace; a host interface can only join a bridge in the host`, ['physical', i, 'bridge']));
    }
    if (p.macvlan && p.macvlan.name === p.dev && p.macvlan.node === HOST) {
      d.push(err('duplicate-name', `macvlan '${p.macvlan.name}' would take the name of its own parent in the host`, ['physical', i, 'macvlan', 'name']));
    }
  });
  return d;
}
