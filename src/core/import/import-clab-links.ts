/**
 * containerlab links, brief (`endpoints: ["a:eth1", "b:eth1"]`) and extended (`type: veth | host |
 * mgmt-net | dummy | macvlan | vxlan…`), to veth links: same interface names, MACs and MTUs,
 * per-end addresses; `host:IF` and `mgmt-net:IF` ends in the host (the latter on the management bridge).
 */
import type { LabBuilder } from './import-build.js';
import type { NodeMap } from './import-clab-nodes.js';
import { isObj, type YPath, type YamlDoc } from './import-yaml.js';
import { parseCidr } from '../model/ip.js';
import { canonicalMac, macProblem } from '../model/mac.js';
import { HOST, IfName, type Endpoint } from '../model/model.js';

/** containerlab's default MTU of the veths it creates */
export const CLAB_MTU = 9500;

interface RawEnd { node: string; iface: string; extra?: Record<string, unknown>; path: YPath }

const LINK_KEYS = new Set(['type', 'endpoints', 'endpoint', 'host-interface', 'mtu', 'vars', 'labels']);

export function addClabLinks(doc: YamlDoc, map: NodeMap, b: LabBuilder, mgmtBridge: string | undefined): void {
  const links = (doc.value as { topology: Record<string, unknown> }).topology.links;
  if (links === undefined) return;
  if (!Array.isArray(links)) { b.report.refused('topology.links', 'links is a list', doc.line(['topology', 'links'])); return; }
  let mtuSaid = false;
  links.forEach((l, i) => {
    const said = addLink(doc, l, ['topology', 'links', i], map, b, mgmtBridge, mtuSaid);
    mtuSaid ||= said;
  });
}

/** one link; true when it said that containerlab's default MTU was written */
function addLink(doc: YamlDoc, l: unknown, path: YPath, map: NodeMap, b: LabBuilder, mgmtBridge: string | undefined, mtuSaid: boolean): boolean {
  const r = b.report;
  const line = doc.line(path);
  const what = `link ${Number(path[2]) + 1}`;
  if (!isObj(l)) { r.refused(what, 'a link is a map with endpoints', line); return false; }
  const type = l.type === undefined ? 'veth' : String(l.type);
  // the fields of a link type that is reported as a whole are not listed one by one
  if (['veth', 'host', 'mgmt-net'].includes(type)) {
    for (const k of Object.keys(l)) {
      if (!LINK_KEYS.has(k)) r.reported(`${what}: ${k}`, 'not imported', doc.line([...path, k]));
      else if (k === 'vars' || k === 'labels') r.mapped(`${what}: ${k}`, 'link metadata: not needed here', doc.line([...path, k]));
    }
  }
  let ends: RawEnd[] | undefined;
  if (type === 'veth') ends = vethEnds(l, path);
  else if (type === 'host' || type === 'mgmt-net') ends = hostEnds(l, path, type);
  else if (type === 'dummy') { r.reported(what, "type dummy: a dummy interface alone in a node; the topology has no such interface (and this machine's kernel has no dummy driver): not imported", line); return false; }
  else if (['macvlan', 'vxlan', 'vxlan-stitch'].includes(type)) { r.reported(what, `type ${type}: not imported (netns-lab makes veth links only)`, line); return false; }
  else { r.refused(what, `unknown link type '${type}'`, line); return false; }
  if (!ends) { r.refused(what, type === 'veth' ? 'endpoints must be two "node:interface" strings or two {node, interface} maps' : `type ${type} needs endpoint {node, interface} and host-interface`, line); return false; }
  const resolved = ends.map((e) => endpoint(doc, e, what, map, b, mgmtBridge));
  if (resolved.some((e) => e === undefined)) return false;
  const [a, z] = resolved as [Endpoint, Endpoint];
  if (a.node === HOST && z.node === HOST) { r.refused(what, 'both ends are in the host', line); return false; }
  let mtu: number | undefined = CLAB_MTU;
  if (l.mtu !== undefined) {
    mtu = Number(l.mtu);
    if (!Number.isInteger(mtu) || mtu < 68 || mtu > 65535) { r.refused(`${what}: mtu`, `${String(l.mtu)} is not an MTU (68-65535)`, doc.line([...path, 'mtu'])); return false; }
  }
  // the namespace's end first, as the canvas draws it
  const [x, y] = b.inHost(a.node) && !b.inHost(z.node) ? [z, a] : [a, z];
  const err = b.addLink(x, y, mtu);
  if (err) { r.refused(what, err, line); return false; }
  r.mapped(what, `veth ${x.node}:${x.name} - ${y.node}:${y.name}${l.mtu !== undefined ? `, MTU ${mtu}` : ''}`, line);
  if (l.mtu === undefined && !mtuSaid) { r.mapped(what, `MTU ${CLAB_MTU}: containerlab's default for the veths it makes, written on every link that sets none`, line); return true; }
  return false;
}

function splitEnd(s: string, path: YPath): RawEnd | undefined {
  const i = s.indexOf(':');
  return i > 0 && i < s.length - 1 ? { node: s.slice(0, i), iface: s.slice(i + 1), path } : undefined;
}

function vethEnds(l: Record<string, unknown>, path: YPath): RawEnd[] | undefined {
  const eps = l.endpoints;
  if (!Array.isArray(eps) || eps.length !== 2) return undefined;
  const ends = eps.map((e, i) => {
    const p = [...path, 'endpoints', i];
    if (typeof e === 'string') return splitEnd(e, p);
    if (isObj(e) && typeof e.node === 'string' && typeof e.interface === 'string') return { node: e.node, iface: e.interface, extra: e, path: p };
    return undefined;
  });
  return ends.every((e) => e !== undefined) ? ends : undefined;
}

function hostEnds(l: Record<string, unknown>, path: YPath, type: 'host' | 'mgmt-net'): RawEnd[] | undefined {
  const e = l.endpoint;
  const hi = l['host-interface'];
  if (!isObj(e) || typeof e.node !== 'string' || typeof e.interface !== 'string' || typeof hi !== 'string') return undefined;
  return [{ node: e.node, iface: e.interface, extra: e, path: [...path, 'endpoint'] }, { node: type, iface: hi, path: [...path, 'host-interface'] }];
}

/** one end: where it lives, its name, addresses; undefined (reported) when it cannot be made */
function endpoint(doc: YamlDoc, e: RawEnd, what: string, map: NodeMap, b: LabBuilder, mgmtBridge: string | undefined): Endpoint | undefined {
  const r = b.report;
  const line = doc.line(e.path);
  let node: string;
  if (e.node === 'host') node = HOST;
  else if (e.node === 'mgmt-net') {
    if (!mgmtBridge) { r.refused(what, 'mgmt-net end without a management network', line); return undefined; }
    node = mgmtBridge;
  } else if (e.node === 'macvlan') { r.reported(what, 'a macvlan end on a host interface: not imported', line); return undefined; }
  else {
    const m = map.get(e.node);
    if (!m) { r.refused(what, `link to an undefined node '${e.node}'`, line); return undefined; }
    if (m.as === 'skipped') return undefined;
    node = m.name;
  }
  if (!IfName.safeParse(e.iface).success) { r.refused(what, `'${e.iface}' is not an interface name (1-15 letters, digits, _ . -)`, line); return undefined; }
  if (b.inHost(node) && !b.claimHostIf(e.iface)) { r.refused(what, `host interface name '${e.iface}' is used twice`, line); return undefined; }
  const out: Endpoint = { node, name: e.iface };
  const x = e.extra ?? {};
  if (x.mac !== undefined) {
    const bad = macProblem(String(x.mac));
    if (bad) { r.refused(`${what}: mac`, bad, doc.line([...e.path, 'mac'])); return undefined; }
    out.mac = canonicalMac(String(x.mac));
    r.mapped(`${what}: mac`, `MAC ${out.mac} on ${node}/${e.iface}`, doc.line([...e.path, 'mac']));
  }
  for (const fam of ['ipv4', 'ipv6'] as const) {
    if (x[fam] === undefined) continue;
    const list = (Array.isArray(x[fam]) ? x[fam] : [x[fam]]).map(String);
    const l2 = doc.line([...e.path, fam]);
    if (b.bridges.has(node)) { r.reported(`${what}: ${fam}`, `${e.node}:${e.iface} is a bridge port, which carries no address: not imported`, l2); continue; }
    for (const c of list) {
      const p = parseCidr(c);
      if (!p || p.family !== (fam === 'ipv4' ? 4 : 6)) { r.refused(`${what}: ${fam}`, `'${c}' is not an ${fam === 'ipv4' ? 'IPv4' : 'IPv6'} address with a prefix length`, l2); return undefined; }
      (out.addresses ??= []).push(c);
    }
    r.mapped(`${what}: ${fam}`, `address ${list.join(', ')} on ${node}/${e.iface}`, l2);
  }
  return out;
}
