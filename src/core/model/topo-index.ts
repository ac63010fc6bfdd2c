/**
 * A derived, read-only index of a (structurally valid) topology: where every interface lives
 * (its network namespace, or null for the host), which bridge it is a port of, its L2 segment.
 */
import type { JsonPath } from './diagnostics.js';
import { parseCidr, type Cidr } from './ip.js';
import { HOST, type Impair, type Topology } from './model.js';

export interface IfaceInfo {
  /** null = the host (root namespace) */
  scope: string | null;
  name: string;
  kind: 'bridge' | 'veth' | 'vxlan' | 'macvlan';
  addresses: string[];
  mtu: number | undefined;
  /** a veth end's MAC as written, lower case (undefined: the kernel's, left as it is) */
  mac: string | undefined;
  /** for a veth end on a bridge: that bridge's name */
  onBridge: string | undefined;
  /** for a veth end: the peer end */
  peer: { scope: string | null; name: string } | undefined;
  linkIndex: number | undefined;
  side: 'a' | 'b' | undefined;
  /** desired administrative state (a link drawn but set down in the file is false) */
  up: boolean;
  /** a veth end's impairments as written (see impair.ts for what takes effect) */
  impair: Impair | undefined;
  namePath: JsonPath;
  addrPath: JsonPath;
  /** L2 segment id: a bridge with all its ports' peers, or a bare veth pair */
  segment: number;
  /** a VXLAN device's tunnel (kind vxlan) */
  vxlan?: { vni: number; local: string; remote: string; dev: string | undefined; port: number };
  /** a macvlan's parent: a physical interface of the host (kind macvlan) */
  parent?: string;
}

export interface TopoIndex {
  ifaces: IfaceInfo[];
  /** the two ends of each link, by link index */
  ends: Map<number, [IfaceInfo, IfaceInfo]>;
  ifacesByScope: Map<string | null, IfaceInfo[]>;
  bridgeScope: Map<string, string | null>;
  namespaceNames: Set<string>;
  addressesOf(scope: string | null): Cidr[];
}

export function buildIndex(t: Topology): TopoIndex {
  const namespaceNames = new Set((t.namespaces ?? []).map((n) => n.name));
  const bridgeScope = new Map<string, string | null>();
  for (const b of t.bridges ?? []) bridgeScope.set(b.name, !b.in || b.in === HOST ? null : b.in);

  const ifaces: IfaceInfo[] = [];
  const parent: number[] = [];
  const find = (x: number): number => { while (parent[x] !== x) { parent[x] = parent[parent[x]!]!; x = parent[x]!; } return x; };
  const union = (a: number, b: number) => { const ra = find(a); const rb = find(b); if (ra !== rb) parent[ra] = rb; };
  const bridgeIfIdx = new Map<string, number>();

  (t.bridges ?? []).forEach((b, i) => {
    bridgeIfIdx.set(b.name, ifaces.length);
    parent.push(ifaces.length);
    ifaces.push({
      scope: bridgeScope.get(b.name)!, name: b.name, kind: 'bridge', addresses: b.addresses ?? [], mtu: b.mtu, mac: undefined,
      onBridge: undefined, peer: undefined, linkIndex: undefined, side: undefined, up: true, impair: undefined,
      namePath: ['bridges', i, 'name'], addrPath: ['bridges', i, 'addresses'], segment: -1,
    });
  });
  const scopeOfNode = (node: string): string | null => {
    if (node === HOST) return null;
    if (bridgeScope.has(node)) return bridgeScope.get(node)!;
    return node;
  };
  (t.links ?? []).forEach((l, i) => {
    const ia = ifaces.length;
    for (const side of ['a', 'b'] as const) {
      const ep = l[side];
      const other = l[side === 'a' ? 'b' : 'a'];
      const onBridge = bridgeScope.has(ep.node) ? ep.node : undefined;
      parent.push(ifaces.length);
      ifaces.push({
        scope: scopeOfNode(ep.node), name: ep.name, kind: 'veth', addresses: ep.addresses ?? [], mtu: ep.mtu ?? l.mtu, mac: ep.mac?.toLowerCase(),
        onBridge, peer: { scope: scopeOfNode(other.node), name: other.name }, linkIndex: i, side, up: l.up ?? true, impair: ep.impair,
        namePath: ['links', i, side, 'name'], addrPath: ['links', i, side, 'addresses'], segment: -1,
      });
      if (onBridge) union(ifaces.length - 1, bridgeIfIdx.get(onBridge)!);
    }
    union(ia, ia + 1);
  });
  const single = (f: Omit<IfaceInfo, 'scope' | 'onBridge' | 'peer' | 'linkIndex' | 'side' | 'segment'>, node: string) => {
    const onBridge = bridgeScope.has(node) ? node : undefined;
    parent.push(ifaces.length);
    ifaces.push({ ...f, scope: scopeOfNode(node), onBridge, peer: undefined, linkIndex: undefined, side: undefined, segment: -1 });
    if (onBridge) union(ifaces.length - 1, bridgeIfIdx.get(onBridge)!);
  };
  (t.vxlans ?? []).forEach((v, i) => single({
    name: v.name, kind: 'vxlan', addresses: v.addresses ?? [], mtu: v.mtu, mac: undefined, up: v.up ?? true, impair: v.impair,
    namePath: ['vxlans', i, 'name'], addrPath: ['vxlans', i, 'addresses'],
    vxlan: { vni: v.vni, local: v.local, remote: v.remote, dev: v.dev, port: v.port ?? 4789 },
  }, v.node));
  (t.physical ?? []).forEach((p, i) => {
    if (!p.macvlan) return;
    single({
      name: p.macvlan.name, kind: 'macvlan', addresses: p.macvlan.addresses ?? [], mtu: p.macvlan.mtu, mac: undefined, up: true, impair: undefined,
      namePath: ['physical', i, 'macvlan', 'name'], addrPath: ['physical', i, 'macvlan', 'addresses'], parent: p.dev,
    }, p.macvlan.node);
  });
  ifaces.forEach((f, i) => { f.segment = find(i); });

  const ifacesByScope = new Map<string | null, IfaceInfo[]>();
  ifacesByScope.set(null, []);
  for (const n of namespaceNames) ifacesByScope.set(n, []);
  for (const f of ifaces) {
    if (!ifacesByScope.has(f.scope)) ifacesByScope.set(f.scope, []);
    ifacesByScope.get(f.scope)!.push(f);
  }
  const ends = new Map<number, [IfaceInfo, IfaceInfo]>();
  for (const f of ifaces) {
    if (f.linkIndex === undefined) continue;
    const e = ends.get(f.linkIndex);
    if (e) e[1] = f; else ends.set(f.linkIndex, [f, f]);
  }
  return {
    ifaces, ends, ifacesByScope, bridgeScope, namespaceNames,
    addressesOf: (scope) => (ifacesByScope.get(scope) ?? []).flatMap((f) => f.addresses.map((a) => parseCidr(a)!)),
  };
}
