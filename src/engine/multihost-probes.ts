/**
 * Lab tests and the reachability matrix of a file with `hosts` (issue 19): every probe runs in
 * its source namespace, so it goes to the helper of the host that namespace is on (a probe from
 * the host, null, to the local machine's). Helpers are connected on first use, once per host.
 */
import type { AddressAnswer, ProbeAnswer } from '../core/diagnose/expect-verdict.js';
import { probes as matrixProbes, type ProbeResult } from '../core/diagnose/reach.js';
import type { Topology } from '../core/model/model.js';
import type { HelperApi } from './helper-client.js';
import { helperProbes, type Probes } from './lab-tests.js';

/** the helper of a host, connected on first use (the caller closes them) */
export type HelperOf = (host: string) => Promise<HelperApi>;

/** connects each host once, on first use; close() closes what was opened */
export function lazyHelpers<H extends HelperApi & { close(): Promise<void> }>(open: (host: string) => Promise<H>): { helperOf: HelperOf; close(): Promise<void> } {
  const made = new Map<string, Promise<H>>();
  return {
    helperOf: (host) => {
      let p = made.get(host);
      if (!p) { p = open(host); made.set(host, p); p.catch(() => undefined); }
      return p;
    },
    close: async () => { await Promise.allSettled([...made.values()].map(async (p) => (await p).close())); },
  };
}

/** the host of a scope: a namespace's `on`, or local for the host itself */
const hostOfScope = (hostOf: (node: string) => string, ns: string | null) => (ns === null ? 'local' : hostOf(ns));

/** the lab tests' probes, each through the helper of its source namespace's host */
export function routedProbes(hostOf: (node: string) => string, helperOf: HelperOf): Probes {
  const viaHost = async (host: string) => helperProbes(await helperOf(host));
  const via = (ns: string | null) => viaHost(hostOfScope(hostOf, ns));
  return {
    icmp: async (ns, targets) => (await via(ns)).icmp(ns, targets),
    tcp: async (ns, target, port) => (await via(ns)).tcp(ns, target, port),
    udp: async (ns, target, port) => (await via(ns)).udp(ns, target, port),
    route: async (ns, to) => (await via(ns)).route(ns, to),
    resolve: async (ns, name) => (await via(ns)).resolve(ns, name),
    http: async (ns, url) => (await via(ns)).http(ns, url),
    latency: async (ns, targets) => (await via(ns)).latency(ns, targets),
    // iperf3's two ends run through one helper: both namespaces must be on the same host
    rate: async (from, server, target) => {
      if (hostOf(from) !== hostOf(server)) throw new Error(`a rate between hosts is not measured: ${from} is on ${hostOf(from)}, ${server} on ${hostOf(server)}`);
      return (await via(from)).rate(from, server, target);
    },
    // each host's helper knows only its own part of the file (it refuses a file with hosts)
    services: () => Promise.reject(new Error('service expectations are not checked across hosts yet')),
    // the path walk reads one machine's kernel state; a lab across hosts has none that shows a whole path
    state: () => Promise.reject(new Error('the path walk does not cross hosts')),
    addresses: async (scopes) => {
      const byHost = new Map<string, (string | null)[]>();
      for (const s of scopes) { const h = hostOfScope(hostOf, s); byHost.set(h, [...(byHost.get(h) ?? []), s]); }
      const out = new Map<string | null, AddressAnswer>();
      for (const [h, list] of byHost) for (const [k, v] of await (await viaHost(h)).addresses(list)) out.set(k, v);
      return out;
    },
  };
}

/**
 * The reachability matrix across hosts: from every namespace to every other namespace's
 * addresses and to its default gateway, one probe-icmp request per source namespace, through
 * its host's helper. (Probes to "the host" are left out: in a lab across hosts each link to
 * the host node is its own host's.)
 */
export async function crossHostMatrix(t: Topology, hostOf: (node: string) => string, helperOf: HelperOf): Promise<ProbeResult[]> {
  const list = matrixProbes(t).filter((p) => p.kind === 'namespace' || p.kind === 'gateway');
  const bySource = new Map<string, string[]>();
  for (const p of list) bySource.set(p.from, [...new Set([...(bySource.get(p.from) ?? []), p.target])]);
  const answers = new Map<string, ProbeAnswer>();
  await Promise.all([...bySource].map(async ([from, targets]) => {
    const h = await helperOf(hostOf(from));
    for (const a of (await h.probeIcmp({ ns: from, targets })).results) answers.set(`${from} ${a.target}`, a);
  }));
  return list.map((p) => {
    const a = answers.get(`${p.from} ${p.target}`);
    return { ...p, ok: a?.ok ?? false, ...(a?.rttMs !== undefined ? { rttMs: a.rttMs } : {}), ...(a?.ok ? {} : { error: a?.error ?? 'not probed' }) };
  });
}
