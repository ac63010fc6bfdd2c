/**
 * The fixes of the path walk's later break kinds (issue 18): strict rp_filter, an MTU that
 * differs between a link's ends, the host's FORWARD chain, a source not masqueraded out of the
 * uplink, a namespace without a usable resolver. A file change where the cause is a field of
 * the file (its sysctls, an end's mtu, host.masquerade, a namespace's dns), else the live state.
 * Pure.
 */
import { contains, formatIP, parseCidr, parseIP, subnetOf } from '../model/ip.js';
import type { Topology } from '../model/model.js';
import type { PathFix } from '../model/expect.js';
import type { TopoIndex } from '../model/topo-index.js';
import { forwardChain } from '../model/names.js';
import { RP_FILTER } from './doctor.js';
import type { MtuEnds } from './path-checks.js';

const name = (scope: string | null) => scope ?? 'the host';

/** the subnet the address is on in the topology (else the address alone) */
export function subnetFor(idx: TopoIndex, to: string): string {
  const ip = parseIP(to)!;
  for (const f of idx.ifaces) for (const a of f.addresses) { const c = parseCidr(a)!; if (c.family === ip.family && contains(c, ip)) return subnetOf(c); }
  return `${formatIP(ip.family, ip.addr)}/${ip.family === 4 ? 32 : 128}`;
}

/** loose reverse-path filtering (2) where the packet arrives, as the doctor's fix does: `all`, and the interface's own key when the file makes it strict */
export function rpFilterFix(t: Topology, at: { ns: string | null; dev: string }): PathFix {
  const devKey = `net.ipv4.conf.${at.dev}.rp_filter`;
  if (at.ns === null) return { where: 'live', summary: `loose reverse-path filtering in the host: ${RP_FILTER}=2 (the file has no sysctls of the host)` };
  const sysctls = t.namespaces!.find((n) => n.name === at.ns)!.sysctls ?? {};
  const strict = (k: string) => String(sysctls[k] ?? '') === '1';
  // all at 2 makes every interface loose (the kernel takes the larger of all's and the interface's)
  if (String(sysctls[RP_FILTER] ?? '') === '2') {
    return { where: 'live', summary: `the file has ${at.ns} filter loosely (${RP_FILTER}: ${sysctls[RP_FILTER]}): apply again to restore it` };
  }
  const value = { ...sysctls, [RP_FILTER]: 2, ...(strict(devKey) ? { [devKey]: 2 } : {}) };
  return { where: 'file', summary: `loose reverse-path filtering in ${at.ns} (${RP_FILTER}: 2${strict(devKey) ? `, ${devKey}: 2` : ''})`, change: { target: { type: 'namespace', name: at.ns }, field: 'sysctls', value } };
}

/** the larger end takes the smaller end's MTU in the file (or the file gives both one MTU: apply again) */
export function mtuFix(idx: TopoIndex, t: Topology, ends: MtuEnds): PathFix | undefined {
  const f = idx.ifaces.find((x) => x.scope === ends.from.ns && x.name === ends.from.dev && x.linkIndex !== undefined && x.side);
  if (f?.linkIndex === undefined || !f.side) return undefined;
  const link = t.links![f.linkIndex]!;
  const mine = link[f.side].mtu ?? link.mtu;
  const other = link[f.side === 'a' ? 'b' : 'a'];
  const theirs = other.mtu ?? link.mtu;
  if (mine === theirs) return { where: 'live', summary: `the file gives both ends of ${ends.from.dev} in ${name(ends.from.ns)} one MTU${mine ? ` (${mine})` : ''}: apply again to restore it` };
  return {
    where: 'file',
    summary: `MTU ${ends.to.mtu} on ${ends.from.dev} in ${name(ends.from.ns)}, as on its other end (${ends.to.dev} in ${name(ends.to.ns)})`,
    change: { target: { type: 'link', index: f.linkIndex, side: f.side }, field: 'mtu', value: ends.to.mtu },
  };
}

/** the file has no firewall rules: accepting the lab's traffic ahead of the drop is the doctor's repair of the live FORWARD chain */
export function forwardDropFix(t: Topology): PathFix {
  return { where: 'live', summary: `accept the lab's traffic ahead of the drop: the doctor's repair (Diagnose, or netns-lab doctor --fix) puts netns-lab's own chain ${forwardChain(t.name)} at the top of FORWARD; the policy and other rules stay` };
}

/** the source's subnet joins host.masquerade (the file already has it: apply again) */
export function masqueradeFix(t: Topology, idx: TopoIndex, source: string): PathFix {
  const ip = parseIP(source)!;
  const have = t.host?.masquerade ?? [];
  if (have.some((m) => { const c = parseCidr(m); return !!c && c.family === ip.family && contains(c, ip); })) {
    return { where: 'live', summary: `the file masquerades ${source} (host.masquerade): apply again to restore the rule` };
  }
  const subnet = subnetFor(idx, source);
  // masquerade needs an uplink in the file (validation refuses it without): that edit comes first
  if (!t.host?.uplink) {
    return { where: 'file', summary: `give the host an uplink ("uplink": "auto"), then masquerade ${subnet} out of it (host.masquerade)`, change: { target: { type: 'host' }, field: 'uplink', value: 'auto' } };
  }
  return { where: 'file', summary: `masquerade ${subnet} out of the uplink: add it to host.masquerade`, change: { target: { type: 'host' }, field: 'masquerade', value: [...have, subnet] } };
}

/** a namespace without its own resolver in the file gets the host's upstream servers ("dns": "inherit") */
export function dnsFix(t: Topology, ns: string): PathFix | undefined {
  const n = t.namespaces!.find((x) => x.name === ns)!;
  if (n.dns) return { where: 'live', summary: `the file gives ${ns} its DNS servers: apply again to write /etc/netns/${ns}/resolv.conf; if it is there, the servers do not know the name` };
  return { where: 'file', summary: `give ${ns} the host's upstream DNS servers ("dns": "inherit")`, change: { target: { type: 'namespace', name: ns }, field: 'dns', value: 'inherit' } };
}
