/**
 * The baselines the tool is measured against, as bash scripts generated from the same topology
 * (pure: text only). Supported shapes: what bench/topologies.ts makes (namespaces, host bridges
 * with addresses, veths namespace-bridge or namespace-namespace, addresses, routes, sysctls).
 *
 * - article: the article's way, one process per command: `ip netns exec NS ip ...`, veths made
 *   in the host and moved with `ip link set X netns NS`.
 * - floor: the least iproute2 can do: one root `ip -b` (bridges, namespaces, veths created with
 *   the peer directly in its namespace) + one `ip -n NS -b -` per namespace. A namespace with
 *   sysctls is entered with `nsenter --net ... sh -c 'echo ... > /proc/sys/...; exec ip -b -'`:
 *   still one process per namespace (nsenter execs sh, sh execs ip).
 */
import type { Topology } from '../src/core/model/model.js';

interface End { node: string; name?: string; addresses?: string[] }

function parts(t: Topology) {
  const bridges = new Set((t.bridges ?? []).map((b) => b.name));
  const links = (t.links ?? []).map((l) => ({ a: l.a as End, b: l.b as End }));
  for (const l of links) {
    if (bridges.has(l.a.node)) throw new Error('baselines: the namespace must be the a side of a link');
    if (!l.a.name || !l.b.name) throw new Error('baselines: links need interface names');
  }
  return { bridges, links };
}

const sysctlPath = (key: string) => `/proc/sys/${key.replace(/\./g, '/')}`;
const routeTo = (to: string) => (to === 'default' ? 'default' : to);

/** the article's way: one process per command */
export function articleScript(t: Topology): string {
  const { bridges, links } = parts(t);
  const out = ['#!/bin/bash', `# ${t.name}: the article's way, one process per command`, 'set -e'];
  for (const ns of t.namespaces ?? []) out.push(`ip netns add ${ns.name}`);
  for (const b of t.bridges ?? []) {
    out.push(`ip link add ${b.name} type bridge`);
    for (const a of b.addresses ?? []) out.push(`ip addr add ${a} dev ${b.name}`);
    out.push(`ip link set ${b.name} up`);
  }
  // names unique in the host while the veth is made there (the article's veth1 / veth1-br)
  const dev = new Map<string, string>();
  links.forEach((l, i) => {
    const a = `va${i}`, b = `vb${i}`;
    dev.set(`${l.a.node}/${l.a.name}`, a);
    dev.set(`${l.b.node}/${l.b.name}`, b);
    out.push(`ip link add ${a} type veth peer name ${b}`);
    out.push(`ip link set ${a} netns ${l.a.node}`);
    if (bridges.has(l.b.node)) {
      out.push(`ip link set ${b} master ${l.b.node}`);
      out.push(`ip link set ${b} up`);
    } else out.push(`ip link set ${b} netns ${l.b.node}`);
  });
  for (const ns of t.namespaces ?? []) {
    const x = `ip netns exec ${ns.name}`;
    for (const [k, v] of Object.entries(ns.sysctls ?? {})) out.push(`${x} sysctl -q -w ${k}=${String(v)}`);
    out.push(`${x} ip link set lo up`);
    for (const l of links) {
      for (const e of [l.a, l.b]) {
        if (e.node !== ns.name) continue;
        const d = dev.get(`${e.node}/${e.name}`)!;
        for (const a of e.addresses ?? []) out.push(`${x} ip addr add ${a} dev ${d}`);
        out.push(`${x} ip link set ${d} up`);
      }
    }
    for (const r of ns.routes ?? []) out.push(`${x} ip route add ${routeTo(r.to)} via ${r.via}`);
  }
  return out.join('\n') + '\n';
}

/** the floor: one root `ip -b` + one `ip -n NS -b -` (or nsenter ... ip -b -) per namespace */
export function floorScript(t: Topology): string {
  const { bridges, links } = parts(t);
  const root: string[] = [];
  for (const b of t.bridges ?? []) {
    root.push(`link add ${b.name} type bridge`);
    for (const a of b.addresses ?? []) root.push(`addr add ${a} dev ${b.name}`);
    root.push(`link set ${b.name} up`);
  }
  for (const ns of t.namespaces ?? []) root.push(`netns add ${ns.name}`);
  for (const l of links) {
    if (bridges.has(l.b.node)) root.push(`link add ${l.b.name} master ${l.b.node} up type veth peer name ${l.a.name} netns ${l.a.node}`);
    else root.push(`link add ${l.a.name} netns ${l.a.node} type veth peer name ${l.b.name} netns ${l.b.node}`);
  }
  const out = ['#!/bin/bash', `# ${t.name}: the floor, one root ip -batch + one ip -batch per namespace`, 'set -e', "ip -b - <<'EOF'", ...root, 'EOF'];
  for (const ns of t.namespaces ?? []) {
    const lines = ['link set lo up'];
    for (const l of links) {
      for (const e of [l.a, l.b]) {
        if (e.node !== ns.name) continue;
        for (const a of e.addresses ?? []) lines.push(`addr add ${a} dev ${e.name}`);
        lines.push(`link set ${e.name} up`);
      }
    }
    for (const r of ns.routes ?? []) lines.push(`route add ${routeTo(r.to)} via ${r.via}`);
    const sysctls = Object.entries(ns.sysctls ?? {});
    if (sysctls.length) {
      const writes = sysctls.map(([k, v]) => `echo ${String(v)} > ${sysctlPath(k)}`).join('; ');
      out.push(`nsenter --net=/run/netns/${ns.name} sh -c '${writes}; exec ip -b -' <<'EOF'`, ...lines, 'EOF');
    } else out.push(`ip -n ${ns.name} -b - <<'EOF'`, ...lines, 'EOF');
  }
  return out.join('\n') + '\n';
}

/** teardown, the article's way: one `ip netns del` per namespace, one `ip link del` per bridge */
export function articleDestroyScript(t: Topology): string {
  return ['#!/bin/bash', 'set -e', ...(t.namespaces ?? []).map((n) => `ip netns del ${n.name}`), ...(t.bridges ?? []).map((b) => `ip link del ${b.name}`)].join('\n') + '\n';
}

/** teardown, the floor: one `ip -b` deleting every namespace and bridge (veths go with their namespace) */
export function floorDestroyScript(t: Topology): string {
  return ['#!/bin/bash', 'set -e', "ip -b - <<'EOF'", ...(t.namespaces ?? []).map((n) => `netns del ${n.name}`), ...(t.bridges ?? []).map((b) => `link del ${b.name}`), 'EOF'].join('\n') + '\n';
}

/** reading the state, the floor: one `ip -n NS -j -d -b -` per namespace (links, addresses, routes) and the host */
export function floorObserveScript(t: Topology): string {
  const batch = "<<'EOF'\nlink show\naddr show\nroute show table all\nEOF";
  return ['#!/bin/bash', 'set -e', `ip -j -d -b - >/dev/null ${batch}`, ...(t.namespaces ?? []).map((n) => `ip -n ${n.name} -j -d -b - >/dev/null ${batch}`)].join('\n') + '\n';
}

/**
 * One address changed, for "change one address": the namespace, the interface, the old and
 * the new address, the file with the change, and the article's three commands (the kernel drops
 * the routes through an interface with its last IPv4 address: they are added again).
 * LAN: n1 gets a free address on the same /16. Chain: the last router's address goes from /30 to
 * /29 (the same host address; the /29 holds only its own link and unused space when N is even).
 */
export function changeOneAddress(t: Topology): { topology: Topology; ns: string; iface: string; from: string; to: string; script: string } {
  const copy = JSON.parse(JSON.stringify(t)) as Topology;
  const { links } = parts(copy);
  const bridged = copy.bridges?.length;
  // lan: n1's address to a free one on the same /16; chain: the last router's left address, /30 -> /29
  const li = bridged ? 0 : links.length - 1;
  // the last link's /30 and the (unused) one after it make the /29 only when the last link's index is even
  if (!bridged && li % 2 === 1) throw new Error('change one address in a chain needs an even number of routers');
  const end = (bridged ? copy.links![li]!.a : copy.links![li]!.b) as End;
  const from = end.addresses![0]!;
  const [host, len] = from.split('/');
  const to = bridged ? `${host!.split('.').slice(0, 2).join('.')}.250.250/${len}` : `${host}/29`;
  end.addresses = [to];
  const ns = copy.namespaces!.find((n) => n.name === end.node)!;
  const x = `ip netns exec ${ns.name}`;
  const routes = (ns.routes ?? []).map((r) => `${x} ip route add ${routeTo(r.to)} via ${r.via}`);
  const script = ['#!/bin/bash', 'set -e', `${x} ip addr del ${from} dev ${end.name}`, `${x} ip addr add ${to} dev ${end.name}`, ...routes].join('\n') + '\n';
  return { topology: copy, ns: ns.name, iface: end.name!, from, to, script };
}
