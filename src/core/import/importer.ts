/**
 * Import: write a topology of what runs now. Namespaces, bridges (host bridges only when a
 * port leads into an imported namespace), veth pairs, global addresses, static routes,
 * ip_forward, resolv.conf servers and MASQUERADE rules for the imported subnets.
 */
import { canonicalCidr, overlaps, parseCidr, subnetOf } from '../model/ip.js';
import { IMPAIR_KINDS, effectiveImpair } from '../model/impair.js';
import { Impair, type Bridge, type Link, type Namespace, type Physical, type Route, type Topology, type Vxlan } from '../model/model.js';
import { ifNameProblem } from '../model/names.js';
import { nameservers, type LiveLink, type LiveNs, type LiveRoute, type LiveState } from '../observe/observe.js';

export interface ImportOptions {
  name: string;
  /** only these namespaces (default: every namespace) */
  namespaces?: string[];
}

export interface ImportResult {
  topology: Topology;
  /** things seen but not expressible, or left alone */
  notes: string[];
}

const STATIC = new Set(['boot', 'static']);

function toRoute(r: LiveRoute): Route {
  return { to: r.to, ...(r.via ? { via: r.via } : { dev: r.dev! }), ...(r.metric && r.family === 4 ? { metric: r.metric } : {}) };
}

type End = { ns: string | null; l: LiveLink };
const key = (ns: string | null, name: string) => `${ns ?? ''}|${name}`;

/** what the import reads: the chosen namespaces, the host, and every link by scope and name */
interface Source { live: LiveState; chosen: LiveNs[]; linkAt: Map<string, LiveLink>; notes: string[] }

export function importLive(live: LiveState, opts: ImportOptions): ImportResult {
  const notes: string[] = [];
  const chosen = live.namespaces.filter((n) => !opts.namespaces || opts.namespaces.includes(n.name!));
  const linkAt = new Map<string, LiveLink>();
  for (const n of [live.host, ...chosen]) for (const l of n.links) linkAt.set(key(n.name, l.name), l);
  const src: Source = { live, chosen, linkAt, notes };
  const pairs = vethPairs(src);
  const bridges = importBridges(src, pairs);
  const bridgeNames = new Set(bridges.map((b) => b.name));
  const links: Link[] = pairs
    .filter(([a, b]) => !ifNameProblem(a.l.name) && !ifNameProblem(b.l.name))
    .map(([a, b]) => {
      // the namespace side first, as the article draws it
      const [x, y] = a.ns === null || (a.l.master && !b.l.master) ? [b, a] : [a, b];
      return { a: endpoint(x, bridgeNames), b: endpoint(y, bridgeNames) };
    });
  const { vxlans, physical } = importTunnels(src, bridgeNames);
  const { masquerade, uplink } = importMasquerade(src, links, bridges);
  const namespaces = chosen.map((n) => importNamespace(n, masquerade));
  const hostIfs = new Set([...bridges.filter((b) => !b.in).map((b) => b.name), ...links.flatMap((l) => [l.a, l.b]).filter((e) => e.node === 'host').map((e) => e.name)]);
  const hostRoutes = live.host.routes.filter((r) => STATIC.has(r.protocol) && r.dev && hostIfs.has(r.dev) && r.to !== 'default').map(toRoute);
  const topology: Topology = {
    version: 1,
    name: opts.name,
    host: {
      ...(uplink ? { uplink } : {}),
      ...(masquerade.length ? { masquerade } : {}),
      ...(hostRoutes.length ? { routes: hostRoutes } : {}),
    },
    bridges,
    namespaces,
    links,
    ...(vxlans.length ? { vxlans } : {}),
    ...(physical.length ? { physical } : {}),
  };
  layout(topology);
  return { topology, notes };
}

/** veth pairs with at least one end in an imported namespace */
function vethPairs({ chosen, linkAt, notes }: Source): [End, End][] {
  const chosenNames = new Set(chosen.map((n) => n.name!));
  const inScope = (ns: string | null) => ns === null || chosenNames.has(ns);
  const pairs: [End, End][] = [];
  const seen = new Set<string>();
  for (const n of chosen) {
    for (const l of n.links) {
      if (l.kind !== 'veth') continue;
      if (!l.peer) { notes.push(`${n.name}/${l.name}: veth peer not found (in an unnamed namespace?); skipped`); continue; }
      if (!inScope(l.peer.ns)) { notes.push(`${n.name}/${l.name}: peer is in namespace '${l.peer.ns}', which is not imported; skipped`); continue; }
      const k = [key(n.name, l.name), key(l.peer.ns, l.peer.name)].sort().join('~');
      if (seen.has(k)) continue;
      seen.add(k);
      const p = linkAt.get(key(l.peer.ns, l.peer.name));
      if (p) pairs.push([{ ns: n.name, l }, { ns: l.peer.ns, l: p }]);
    }
  }
  return pairs;
}

/** bridges: inside imported namespaces, and host bridges with a port in such a pair */
function importBridges({ live, chosen, linkAt, notes }: Source, pairs: [End, End][]): Bridge[] {
  const bridges: Bridge[] = [];
  const bridgeNames = new Set<string>();
  const addBridge = (ns: string | null, name: string) => {
    if (bridgeNames.has(name)) {
      if (!bridges.some((b) => b.name === name && (b.in ?? 'host') === (ns ?? 'host'))) notes.push(`bridge name '${name}' is used in two places; only the first was imported`);
      return;
    }
    const b = linkAt.get(key(ns, name));
    if (!b) return;
    bridgeNames.add(name);
    const addrs = b.addresses.filter((a) => a.scope === 'global').map((a) => a.cidr);
    bridges.push({ name, ...(ns ? { in: ns } : {}), ...(addrs.length ? { addresses: addrs } : {}), ...(b.mtu && b.mtu !== 1500 ? { mtu: b.mtu } : {}) });
  };
  // a bridge is imported only with all its ports: one shared with namespaces that are not
  // imported (a cni0, a docker0) stays out, or a destroy of the imported topology would cut them off
  const pairEnds = new Set(pairs.flatMap(([a, b]) => [key(a.ns, a.l.name), key(b.ns, b.l.name)]));
  // a VXLAN port is imported with its bridge (importTunnels)
  const foreignPorts = (ns: string | null, name: string) => (ns === null ? live.host : chosen.find((n) => n.name === ns))!.links
    .filter((p) => p.master === name && p.kind !== 'vxlan' && !pairEnds.has(key(ns, p.name))).map((p) => p.name);
  const addWhole = (ns: string | null, name: string) => {
    const foreign = foreignPorts(ns, name);
    if (!foreign.length) { addBridge(ns, name); return; }
    const note = `${ns ?? 'host'}/${name}: bridge also has ports that are not imported (${foreign.slice(0, 5).join(', ')}); left out (its imported ports become plain interfaces, detached from it by an apply of this file)`;
    if (!notes.includes(note)) notes.push(note);
  };
  for (const n of chosen) for (const l of n.links) if (l.kind === 'bridge') addWhole(n.name, l.name);
  for (const [a, b] of pairs) for (const e of [a, b]) if (e.l.master) addWhole(e.ns, e.l.master);
  return bridges;
}

function endpoint(e: End, bridgeNames: Set<string>) {
  const node = e.l.master && bridgeNames.has(e.l.master) ? e.l.master : e.ns ?? 'host';
  const addrs = e.l.master ? [] : e.l.addresses.filter((a) => a.scope === 'global').map((a) => a.cidr);
  // a netem/tbf root qdisc read back from tc: the end's impairments (when the file could hold them)
  const imp = e.l.shaping && IMPAIR_KINDS.includes(e.l.shaping.kind) ? effectiveImpair(e.l.shaping.impair) : undefined;
  const impair = imp && Impair.safeParse(imp).success ? imp : undefined;
  return { node, name: e.l.name, ...(addrs.length ? { addresses: addrs } : {}), ...(e.l.mtu !== 1500 ? { mtu: e.l.mtu } : {}), ...(impair ? { impair } : {}) };
}

/**
 * VXLAN devices in imported namespaces or bridges (point-to-point ones: with a remote), and
 * macvlans in imported namespaces as macvlans of their host interface.
 */
function importTunnels({ live, chosen, notes }: Source, bridgeNames: Set<string>): { vxlans: Vxlan[]; physical: Physical[] } {
  const vxlans: Vxlan[] = [];
  const physical: Physical[] = [];
  const globals = (l: LiveLink) => l.addresses.filter((a) => a.scope === 'global').map((a) => a.cidr);
  for (const n of [live.host, ...chosen]) {
    for (const l of n.links) {
      if (ifNameProblem(l.name)) continue;
      const onBridge = l.master !== undefined && bridgeNames.has(l.master);
      if (l.kind === 'vxlan' && (n.name !== null || onBridge)) {
        const v = l.vxlan;
        if (!v?.local || !v.remote) { notes.push(`${n.name ?? 'host'}/${l.name}: a VXLAN device without a local and a remote address (multicast or FDB-driven); skipped`); continue; }
        const addrs = onBridge ? [] : globals(l);
        vxlans.push({
          name: l.name, node: onBridge ? l.master! : n.name ?? 'host', vni: v.vni, local: v.local, remote: v.remote,
          ...(n.name === null && v.dev ? { dev: v.dev } : {}), ...(v.port !== undefined && v.port !== 4789 ? { port: v.port } : {}),
          ...(addrs.length ? { addresses: addrs } : {}), ...(l.mtu !== 1500 ? { mtu: l.mtu } : {}),
        });
      } else if (l.kind === 'macvlan' && n.name !== null) {
        const parent = live.host.links.find((h) => h.ifindex === l.linkIndex);
        if (!parent || l.linkNetnsid === undefined) { notes.push(`${n.name}/${l.name}: a macvlan whose parent is not an interface of the host; skipped`); continue; }
        const addrs = globals(l);
        physical.push({ dev: parent.name, macvlan: { node: n.name, name: l.name, ...(addrs.length ? { addresses: addrs } : {}), ...(l.mtu !== 1500 ? { mtu: l.mtu } : {}) } });
      }
    }
  }
  return { vxlans, physical };
}

/** masquerade rules (anywhere in nat) for imported subnets, and the uplink they name */
function importMasquerade({ live, notes }: Source, links: Link[], bridges: Bridge[]): { masquerade: string[]; uplink: string | undefined } {
  const subnets = new Set<string>();
  for (const l of links) for (const e of [l.a, l.b]) for (const a of e.addresses ?? []) subnets.add(subnetOf(parseCidr(a)!));
  for (const b of bridges) for (const a of b.addresses ?? []) subnets.add(subnetOf(parseCidr(a)!));
  const masquerade: string[] = [];
  let uplink: string | undefined;
  for (const [chain, c] of Object.entries(live.firewall?.nat ?? {})) {
    for (const r of c.rules) {
      if (!/-j MASQUERADE\b/.test(r)) continue;
      const src = /(?:^| )-s (\S+)/.exec(r)?.[1];
      const cidr = src ? canonicalCidr(src.includes('/') ? src : `${src}/32`) : undefined;
      if (!cidr || ![...subnets].some((s) => overlaps(parseCidr(s)!, parseCidr(cidr)!))) continue;
      if (!masquerade.includes(cidr)) masquerade.push(cidr);
      // "-o IF" names the uplink; "! -o br0" (the article's form) means "anything but the LAN"
      const out = /(?:^| )(! )?-o (\S+)/.exec(r);
      uplink ??= out && !out[1] ? out[2]! : 'auto';
      if (!chain.startsWith('NSL-')) notes.push(`nat ${chain}: '${r}' was made by hand; netns-lab leaves it in place and adds its own rule in its own chain`);
    }
  }
  return { masquerade, uplink };
}

function importNamespace(n: LiveNs, masquerade: string[]): Namespace {
  const routes = n.routes.filter((r) => STATIC.has(r.protocol)).map(toRoute);
  const servers = nameservers(n.resolvConf);
  const fwd = n.sysctls['net.ipv4.ip_forward'];
  const v4 = n.links.flatMap((l) => l.addresses.filter((a) => a.family === 4 && a.scope === 'global').map((a) => parseCidr(a.cidr)!));
  const internet = routes.some((r) => r.to === 'default') && v4.some((a) => masquerade.some((m) => overlaps(parseCidr(m)!, a)));
  return {
    name: n.name!,
    ...(routes.length ? { routes } : {}),
    ...(fwd === '1' ? { sysctls: { 'net.ipv4.ip_forward': 1 } } : {}),
    ...(servers.length ? { dns: { servers: servers.slice(0, 3) } } : {}),
    ...(internet ? { internet: true } : {}),
  };
}

/** a simple layered layout: host on top, host bridges, namespaces, bridges in namespaces */
export function layout(t: Topology): void {
  const rowY = [60, 200, 340, 480];
  const place = <T extends { position?: { x: number; y: number } }>(items: T[], y: number) => {
    const w = 160;
    const x0 = 320 - ((items.length - 1) * w) / 2;
    items.forEach((it, i) => { it.position = { x: Math.round(x0 + i * w), y }; });
  };
  if (t.host) t.host.position = { x: 320, y: rowY[0]! };
  place((t.bridges ?? []).filter((b) => !b.in || b.in === 'host'), rowY[1]!);
  place(t.namespaces ?? [], rowY[2]!);
  place((t.bridges ?? []).filter((b) => b.in && b.in !== 'host'), rowY[3]!);
}
