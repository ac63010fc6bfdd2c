/**
 * containerlab's management network (docker network `clab`, 172.20.20.0/24 by default: eth0 in
 * every node, a default route via the gateway, masquerade out of the host) is made only where the
 * lab relies on it: a node sets mgmt-ipv4/mgmt-ipv6, a link ends on mgmt-net, the file sets
 * mgmt.ipv4-subnet, or an exec/cmd line names eth0 or an address of the management subnet.
 * Then: a bridge with the gateway address, eth0 of each namespace on it, a default route via the
 * gateway where the node sets none, and masquerade of the subnet out of the host's uplink.
 */
import type { LabBuilder } from './import-build.js';
import type { ClabNode, NodeMap } from './import-clab-nodes.js';
import { fitIfName } from './import-names.js';
import { isObj, type YamlDoc } from './import-yaml.js';
import { contains, formatIP, network, parseCidr, parseIP, subnetOf, type Cidr } from '../model/ip.js';
import { IfName } from '../model/model.js';

export const CLAB_MGMT_V4 = '172.20.20.0/24';

export interface MgmtPlan {
  bridge: string;
  subnet: Cidr;
  gw: string;
  v6?: { subnet: Cidr; gw: string };
  /** the namespaces put on it, for the default routes */
  members: string[];
  finish(b: LabBuilder): void;
}

const MGMT_KEYS = new Set(['network', 'bridge', 'ipv4-subnet', 'ipv6-subnet', 'ipv4-gw', 'ipv6-gw']);

function reasons(doc: YamlDoc, nodes: ClabNode[], map: NodeMap, subnet: Cidr, m: Record<string, unknown>): string[] {
  const why: string[] = [];
  const ns = nodes.filter((n) => map.get(n.name)?.as === 'namespace');
  const withAddr = ns.filter((n) => n.fields.has('mgmt-ipv4') || n.fields.has('mgmt-ipv6')).map((n) => n.name);
  if (withAddr.length) why.push(`mgmt-ipv4/ipv6 set on ${withAddr.join(', ')}`);
  const links = (doc.value as { topology: { links?: unknown } }).topology.links;
  if (Array.isArray(links) && links.some((l) => isObj(l) && (l.type === 'mgmt-net' || (Array.isArray(l.endpoints) && l.endpoints.some((e) => typeof e === 'string' && e.startsWith('mgmt-net:')))))) why.push('a link ends on mgmt-net');
  if (m['ipv4-subnet'] !== undefined) why.push('mgmt.ipv4-subnet is set');
  const usesIt = (s: string) => /\beth0\b/.test(s) || (s.match(/\b\d{1,3}(\.\d{1,3}){3}\b/g) ?? []).some((a) => { const ip = parseIP(a); return ip !== undefined && contains(subnet, ip); });
  const lines = ns.filter((n) => [n.fields.get('exec')?.value, n.fields.get('cmd')?.value].flat().some((v) => v !== undefined && usesIt(String(v)))).map((n) => n.name);
  if (lines.length) why.push(`exec/cmd lines of ${lines.join(', ')} use eth0 or the management subnet`);
  return why;
}

export function mgmtPlan(doc: YamlDoc, nodes: ClabNode[], map: NodeMap, b: LabBuilder): MgmtPlan | undefined {
  const r = b.report;
  const raw = (doc.value as { mgmt?: unknown }).mgmt;
  const m = isObj(raw) ? raw : {};
  const line = doc.line(['mgmt']);
  const net = typeof m.network === 'string' ? m.network : 'clab';
  const subnet = parseCidr(String(m['ipv4-subnet'] ?? CLAB_MGMT_V4));
  if (!subnet || subnet.family !== 4) { r.refused('mgmt.ipv4-subnet', `'${String(m['ipv4-subnet'])}' is not an IPv4 subnet`, doc.line(['mgmt', 'ipv4-subnet'])); return undefined; }
  const why = reasons(doc, nodes, map, subnet, m);
  if (!why.length) {
    r.mapped('mgmt', `management network '${net}' (${subnetOf(subnet)}, eth0 in each node) not created: nothing in the lab relies on it (no mgmt-ipv4/ipv6, no mgmt-net link, no mgmt.ipv4-subnet, no exec line using eth0 or the subnet)`, line);
    return undefined;
  }
  for (const k of Object.keys(m)) if (!MGMT_KEYS.has(k)) r.reported(`mgmt.${k}`, 'not imported', doc.line(['mgmt', k]));
  const wanted = typeof m.bridge === 'string' && IfName.safeParse(m.bridge).success && !b.isNode(m.bridge) ? m.bridge : fitIfName(`${net}-mgmt`, new Set([...b.bridges.keys(), ...b.namespaces.keys()]));
  const bridge = b.hostIfName(wanted);
  const gw = typeof m['ipv4-gw'] === 'string' && parseIP(m['ipv4-gw']) ? m['ipv4-gw'] : formatIP(4, network(subnet) + 1n);
  const br = b.bridge(bridge);
  br.addresses = [`${gw}/${subnet.prefix}`];
  const v6s = parseCidr(String(m['ipv6-subnet'] ?? ''));
  const anyV6 = nodes.some((n) => n.fields.has('mgmt-ipv6'));
  const v6 = v6s && v6s.family === 6 && (anyV6 || m['ipv6-subnet'] !== undefined)
    ? { subnet: v6s, gw: typeof m['ipv6-gw'] === 'string' ? m['ipv6-gw'] : formatIP(6, network(v6s) + 1n) } : undefined;
  if (v6) br.addresses.push(`${v6.gw}/${v6.subnet.prefix}`);
  b.host.uplink = 'auto';
  b.host.masquerade = [subnetOf(subnet)];
  r.mapped('mgmt', `management network '${net}': bridge ${bridge} (${br.addresses.join(', ')}), masquerade of ${subnetOf(subnet)} out of the host's uplink; the lab relies on it: ${why.join('; ')}`, line);
  const plan: MgmtPlan = {
    bridge, subnet, gw, ...(v6 ? { v6 } : {}), members: [],
    finish: (bb) => defaultRoutes(plan, bb),
  };
  return plan;
}

/** eth0 of every namespace on the management bridge, with its mgmt-ipv4 or the next free address */
export function addMgmt(doc: YamlDoc, plan: MgmtPlan, nodes: ClabNode[], map: NodeMap, b: LabBuilder): void {
  const r = b.report;
  const taken = new Set<bigint>([plan.subnet.addr, parseIP(plan.gw)!.addr]);
  const fixed = new Map<string, string>();
  for (const n of nodes) {
    const f = n.fields.get('mgmt-ipv4');
    const ip = f ? parseIP(String(f.value)) : undefined;
    if (f && (!ip || ip.family !== 4 || !contains(plan.subnet, ip))) { r.refused(`node ${n.name}: mgmt-ipv4`, `'${String(f.value)}' is not an address in ${subnetOf(plan.subnet)}`, doc.line(f.path)); continue; }
    if (ip) { taken.add(ip.addr); fixed.set(n.name, String(f!.value)); }
  }
  let next = network(plan.subnet) + 2n;
  for (const n of nodes) {
    const m = map.get(n.name);
    if (m?.as !== 'namespace') continue;
    let addr = fixed.get(n.name);
    if (!addr) {
      while (taken.has(next)) next++;
      taken.add(next);
      addr = formatIP(4, next);
    }
    const addrs = [`${addr}/${plan.subnet.prefix}`];
    const f6 = n.fields.get('mgmt-ipv6');
    if (f6 && plan.v6) {
      const ip6 = parseIP(String(f6.value));
      if (ip6 && ip6.family === 6 && contains(plan.v6.subnet, ip6)) addrs.push(`${String(f6.value)}/${plan.v6.subnet.prefix}`);
      else r.refused(`node ${n.name}: mgmt-ipv6`, `'${String(f6.value)}' is not an address in ${subnetOf(plan.v6.subnet)}`, doc.line(f6.path));
    }
    const err = b.addLink({ node: m.name, name: 'eth0', addresses: addrs }, { node: plan.bridge, name: b.hostIfName(`m-${m.name}`) });
    if (err) { r.refused(`node ${n.name}`, `${err}: eth0 is the management interface`, doc.line(n.path)); continue; }
    plan.members.push(m.name);
    const f = n.fields.get('mgmt-ipv4');
    r.mapped(`node ${n.name}: ${f ? 'mgmt-ipv4' : 'management address'}`, `eth0 ${addrs.join(', ')} on ${plan.bridge}${f ? '' : ' (assigned in node order: docker would pick one)'}`, doc.line(f ? f.path : n.path));
  }
}

/** docker's default route via the gateway, where the node has none of its own */
function defaultRoutes(plan: MgmtPlan, b: LabBuilder): void {
  for (const name of plan.members) {
    const ns = b.namespace(name);
    if (ns.routes?.some((x) => x.to === 'default' && !x.via?.includes(':'))) continue;
    (ns.routes ??= []).push({ to: 'default', via: plan.gw });
    ns.internet = true;
  }
  b.report.mapped('mgmt', `default route via ${plan.gw} in ${plan.members.filter((n) => b.namespace(n).internet).join(', ') || 'no namespace (each sets its own)'}, as docker gives containers`);
}
