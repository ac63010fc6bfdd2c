/**
 * Runs a topology's lab tests (`expect`) against the live lab: the engine gathers what each
 * expectation needs through typed probes (the helper's probe-* operations), core decides each
 * verdict (src/core/diagnose/expect-verdict.ts). icmp probes are batched: one request (one fping
 * process) per source namespace; everything else runs with a bounded parallelism.
 */
import { expectationName, resolveTarget, type TestResult } from '../core/model/expect.js';
import {
  addressVerdict, dnsVerdict, httpVerdict, latencyVerdict, rateVerdict, reachVerdict, routeVerdict, serviceVerdict,
  type AddressAnswer, type HttpAnswer, type LatencyAnswer, type ProbeAnswer, type RateAnswer, type ResolveAnswer, type RouteAnswer, type Verdict,
} from '../core/diagnose/expect-verdict.js';
import { HOST, type Expectation, type Topology } from '../core/model/model.js';
import type { LiveState } from '../core/observe/observe.js';
import { pathFix } from '../core/diagnose/path-fix.js';
import { walkName, walkPath, type PathWalk } from '../core/diagnose/path-walk.js';
import type { HelperApi } from './helper-client.js';

/** what the tests may ask of the live lab; ns null = the host */
export interface Probes {
  icmp(ns: string, targets: string[]): Promise<ProbeAnswer[]>;
  tcp(ns: string, target: string, port: number): Promise<{ ok: boolean; error?: string }>;
  udp(ns: string, target: string, port: number): Promise<{ ok: boolean; error?: string }>;
  route(ns: string | null, to: string): Promise<RouteAnswer>;
  resolve(ns: string | null, name: string): Promise<ResolveAnswer>;
  http(ns: string, url: string): Promise<HttpAnswer>;
  /** the whole live state with every namespace's forwarding sysctl, for the path walk */
  state(): Promise<LiveState>;
  /** the interfaces and addresses of these scopes (a scope that does not exist is left out) */
  addresses(scopes: (string | null)[]): Promise<Map<string | null, AddressAnswer>>;
  /** a few echoes to each target: their round-trip times (skip: the tool is missing) */
  latency(ns: string, targets: string[]): Promise<{ results: LatencyAnswer[]; skip?: string }>;
  /** a bounded iperf3 run from a namespace to an address of the server namespace */
  rate(from: string, server: string, target: string): Promise<RateAnswer>;
  /** the live state of the topology's services */
  services(t: Topology): Promise<{ ns: string; name: string; state: string; code?: number }[]>;
}

/** the probes through the privileged helper's typed operations */
export function helperProbes(h: HelperApi): Probes {
  return {
    icmp: async (ns, targets) => (await h.probeIcmp({ ns, targets })).results,
    tcp: (ns, target, port) => h.probeTcp({ ns, target, port }),
    udp: (ns, target, port) => h.probeUdp({ ns, target, port }),
    route: (ns, to) => h.routeGet({ ns, to }),
    resolve: (ns, name) => h.resolve({ ns, name }),
    http: (ns, url) => h.httpGet({ ns, url }),
    latency: (ns, targets) => h.probeLatency({ ns, targets }),
    rate: (from, server, target) => h.probeRate({ from, server, target }),
    services: async (t) => (await h.services({ topology: t })).services,
    state: () => h.observe({ forwarding: true }),
    addresses: async (scopes) => {
      const names = scopes.filter((s): s is string => s !== null);
      const live = await h.observe({ namespaces: names });
      const out = new Map<string | null, AddressAnswer>();
      const ifaces = (links: LiveState['host']['links']) => links.map((l) => ({ dev: l.name, addresses: l.addresses.map((a) => a.cidr) }));
      if (scopes.includes(null)) out.set(null, ifaces(live.host.links));
      for (const n of live.namespaces) if (n.name && names.includes(n.name)) out.set(n.name, ifaces(n.links));
      return out;
    },
  };
}

export interface RunOptions {
  /** run only these indexes of `expect` (default: all) */
  only?: number[];
  /** probes at a time (default 8) */
  concurrency?: number;
  onResult?: (r: TestResult) => void;
}

export const LAB_TEST_CONCURRENCY = 8;

export async function runLabTests(t: Topology, probes: Probes, opts: RunOptions = {}): Promise<TestResult[]> {
  const list = t.expect ?? [];
  const chosen = opts.only ?? list.map((_, i) => i);
  const limit = opts.concurrency ?? LAB_TEST_CONCURRENCY;
  // measurements one at a time: two iperf3 runs would share the links (and the server's port)
  probes = { ...probes, rate: serially(probes.rate) };
  const icmp = await icmpAnswers(t, chosen.map((i) => list[i]!), probes, limit);
  const scopes = [...new Set(chosen.map((i) => list[i]!).flatMap((e) => (e.kind === 'address' ? [e.in === HOST ? null : e.in] : [])))];
  const addresses = scopes.length ? await probes.addresses(scopes) : new Map<string | null, AddressAnswer>();
  const results = await bounded(chosen, limit, async (i) => {
    const e = list[i]!;
    const t0 = Date.now();
    let v: Verdict;
    try {
      v = await verdictOf(t, e, probes, icmp, addresses);
    } catch (err) {
      v = { status: 'failed', message: `the probe failed: ${(err as Error).message}` };
    }
    // an icmp reach was probed in its source's batch: its time is that batch's
    const batch = e.kind === 'reach' && (e.proto ?? 'icmp') === 'icmp' ? icmp.ms.get(e.from) ?? 0 : 0;
    const r: TestResult = { index: i, name: expectationName(e), kind: e.kind, status: v.status, durationMs: Date.now() - t0 + batch, ...(v.message ? { message: v.message } : {}) };
    opts.onResult?.(r);
    return r;
  });
  return explainFailures(t, results, probes);
}

/**
 * A reach that must pass and failed: walk the path on the live state (one observation for all)
 * to each address of its destination, and say where it breaks first.
 */
async function explainFailures(t: Topology, results: TestResult[], probes: Probes): Promise<TestResult[]> {
  const list = t.expect ?? [];
  const failed = results.filter((r) => r.status === 'failed' && list[r.index]?.kind === 'reach' && (list[r.index] as { ok: boolean }).ok);
  if (!failed.length) return results;
  let live: LiveState;
  try { live = await probes.state(); } catch { return results; }
  for (const r of failed) {
    const e = list[r.index] as Extract<Expectation, { kind: 'reach' }>;
    const w = await walkReach(t, e, live, probes);
    if (!w?.break) continue;
    r.finding = w.break.message;
    const fix = pathFix(t, w);
    if (fix) r.fix = fix;
  }
  return results;
}

/** the first break on the way to each address of the reach's destination (a DNS name: its resolver first, then its addresses) */
async function walkReach(t: Topology, e: Extract<Expectation, { kind: 'reach' }>, live: LiveState, probes: Probes): Promise<PathWalk | undefined> {
  const opts = { proto: e.proto ?? 'icmp' };
  const r = resolveTarget(t, e.to);
  let targets = r.targets;
  if (r.kind === 'name') {
    const answer = await probes.resolve(e.from, e.to).catch((err: Error) => ({ addresses: [], error: err.message }));
    const dns = walkName(live, e.from, e.to, answer, opts);
    if (dns) return dns;
    targets = answer.addresses;
  }
  for (const target of targets) {
    const w = walkPath(live, e.from, target, opts);
    if (w.break) return w;
  }
  return undefined;
}

const icmpKey = (from: string, target: string) => `${from}\u0000${target}`;
/** the answers of the icmp batches by source and target, and each source's batch time */
interface IcmpBatches { answers: Map<string, ProbeAnswer>; ms: Map<string, number> }

/** every icmp reach probe, one request per source namespace with all its targets */
async function icmpAnswers(t: Topology, list: Expectation[], probes: Probes, limit: number): Promise<IcmpBatches> {
  const bySource = new Map<string, Set<string>>();
  /** targets that must answer: a lost first echo (an ARP the kernel dropped moments after an apply) is tried once more */
  const mustAnswer = new Set<string>();
  for (const e of list) {
    if (e.kind !== 'reach' || (e.proto ?? 'icmp') !== 'icmp') continue;
    const set = bySource.get(e.from) ?? new Set<string>();
    for (const target of resolveTarget(t, e.to).targets) {
      set.add(target);
      if (e.ok) mustAnswer.add(icmpKey(e.from, target));
    }
    bySource.set(e.from, set);
  }
  const out: IcmpBatches = { answers: new Map(), ms: new Map() };
  await bounded([...bySource], limit, async ([from, targets]) => {
    const t0 = Date.now();
    for (const a of await probes.icmp(from, [...targets])) out.answers.set(icmpKey(from, a.target), a);
    const again = [...targets].filter((x) => mustAnswer.has(icmpKey(from, x)) && !out.answers.get(icmpKey(from, x))?.ok);
    if (again.length) for (const a of await probes.icmp(from, again)) out.answers.set(icmpKey(from, a.target), a);
    out.ms.set(from, Date.now() - t0);
  });
  return out;
}

async function verdictOf(t: Topology, e: Expectation, probes: Probes, icmp: IcmpBatches, addresses: Map<string | null, AddressAnswer>): Promise<Verdict> {
  switch (e.kind) {
    case 'reach': {
      const targets = resolveTarget(t, e.to).targets;
      const proto = e.proto ?? 'icmp';
      const answers = proto === 'icmp'
        ? targets.map((target) => icmp.answers.get(icmpKey(e.from, target)) ?? { target, ok: false, error: 'not probed' })
        : await Promise.all(targets.map(async (target) => ({ target, ...(await (proto === 'tcp' ? probes.tcp : probes.udp)(e.from, target, e.port!)) })));
      return reachVerdict(e, answers);
    }
    case 'route': return routeVerdict(e, await probes.route(e.in === HOST ? null : e.in, e.to));
    case 'address': return addressVerdict(e, addresses.get(e.in === HOST ? null : e.in));
    case 'dns': return dnsVerdict(e, await probes.resolve(e.in === HOST ? null : e.in, e.name));
    case 'http': return httpVerdict(e, await probes.http(e.from, e.url));
    case 'latency': {
      const r = await probes.latency(e.from, resolveTarget(t, e.to).targets);
      return r.skip ? { status: 'skipped', message: r.skip } : latencyVerdict(e, r.results);
    }
    case 'rate': return rateVerdict(e, await rateOf(t, e, probes));
    case 'service': return serviceOf(t, e, probes);
  }
}

/** iperf3 needs a server: the destination namespace, or the namespace of the file that has the address */
async function rateOf(t: Topology, e: Extract<Expectation, { kind: 'rate' }>, probes: Probes): Promise<RateAnswer> {
  const r = resolveTarget(t, e.to);
  const target = r.targets.find((a) => !a.includes(':')) ?? r.targets[0];
  if (!target) return { error: `'${e.to}' has no address to measure towards` };
  const server = r.kind === 'namespace' ? e.to : ownerOf(t, target);
  if (!server) return { skip: `${e.to} is not an address of a namespace of this topology: iperf3 needs a server there` };
  return probes.rate(e.from, server, target);
}

function ownerOf(t: Topology, address: string): string | undefined {
  return (t.namespaces ?? []).map((n) => n.name).find((n) => resolveTarget(t, n).targets.includes(address));
}

async function serviceOf(t: Topology, e: Extract<Expectation, { kind: 'service' }>, probes: Probes): Promise<Verdict> {
  const live = (await probes.services(t)).find((s) => s.ns === e.in && s.name === e.name);
  const def = (t.namespaces ?? []).find((n) => n.name === e.in)?.services?.find((s) => s.name === e.name);
  const tcp = def?.ready && 'tcp' in def.ready ? def.ready.tcp : undefined;
  const port = (e.state ?? 'running') === 'ready' && tcp !== undefined && live?.state === 'running'
    ? { port: tcp, ...(await probes.tcp(e.in, '127.0.0.1', tcp)) } : undefined;
  return serviceVerdict(e, live, port);
}

/** the same function, one call at a time */
function serially<A extends unknown[], R>(fn: (...a: A) => Promise<R>): (...a: A) => Promise<R> {
  let last: Promise<unknown> = Promise.resolve();
  return (...a) => { const next = last.then(() => fn(...a)); last = next.catch(() => undefined); return next; };
}

/** fn over items, at most n at a time, results in the items' order */
async function bounded<T, R>(items: T[], n: number, fn: (t: T) => Promise<R>): Promise<R[]> {
  const out = new Array<R>(items.length);
  let next = 0;
  await Promise.all(Array.from({ length: Math.min(Math.max(1, n), items.length) }, async () => {
    while (next < items.length) { const i = next++; out[i] = await fn(items[i]!); }
  }));
  return out;
}
