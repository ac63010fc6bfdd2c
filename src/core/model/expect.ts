/**
 * Lab tests (`expect` in the file): what each expectation means on its own, without running
 * anything. Display names ("ns1 → ns2 icmp"), what a destination stands for (a namespace's
 * addresses, the host's, an address, a DNS name) and the results' shape and summary. Pure.
 */
import { formatIP, parseIP } from './ip.js';
import { HOST, type Expectation, type Topology } from './model.js';
import { buildIndex } from './topo-index.js';

export type ExpectKind = Expectation['kind'];
export type Reach = Extract<Expectation, { kind: 'reach' }>;

/** "ns1 → ns2 icmp", "ns1 ↛ 10.2.0.1 tcp/80", "r1: route to 10.2.0.1 via 10.1.0.2" */
export function expectationName(e: Expectation): string {
  if (e.title) return e.title;
  switch (e.kind) {
    case 'reach': {
      const proto = e.proto ?? 'icmp';
      return `${e.from} ${e.ok ? '→' : '↛'} ${e.to} ${proto}${e.port !== undefined && proto !== 'icmp' ? `/${e.port}` : ''}`;
    }
    case 'route':
      return `${e.in}: route to ${e.to}${e.via ? ` via ${e.via}` : ''}${e.dev ? ` dev ${e.dev}` : ''}`;
    case 'address':
      return `${e.in}: ${e.dev} has ${e.address}`;
    case 'dns':
      return `${e.in}: ${e.name} resolves${e.address ? ` to ${e.address}` : ''}`;
    case 'service':
      return `${e.in}: service ${e.name} ${e.state ?? 'running'}`;
    case 'http':
      return `${e.from}: GET ${e.url} → ${e.status ?? 200}${e.contains !== undefined ? ` containing "${e.contains}"` : ''}`;
    case 'latency':
      return `${e.from} → ${e.to} rtt ≤ ${e.rttMs.max} ms`;
    case 'rate':
      return `${e.from} → ${e.to} ${[e.mbit.min !== undefined ? `≥ ${e.mbit.min}` : '', e.mbit.max !== undefined ? `≤ ${e.mbit.max}` : ''].filter(Boolean).join(' ')} Mbit/s`;
  }
}

export type TargetKind = 'namespace' | 'host' | 'address' | 'name';
export interface ResolvedTarget {
  kind: TargetKind;
  /** what to probe: the addresses of a namespace or the host, the address, or the DNS name itself */
  targets: string[];
}

/** what a destination stands for: a namespace (every address), "host", an address, else a DNS name */
export function resolveTarget(t: Topology, to: string): ResolvedTarget {
  const idx = buildIndex(t);
  const addrs = (scope: string | null) => idx.addressesOf(scope).map((c) => formatIP(c.family, c.addr));
  if (idx.namespaceNames.has(to)) return { kind: 'namespace', targets: addrs(to) };
  if (to === HOST) return { kind: 'host', targets: addrs(null) };
  const ip = parseIP(to);
  if (ip) return { kind: 'address', targets: [formatIP(ip.family, ip.addr)] };
  return { kind: 'name', targets: [to] };
}

export type TestStatus = 'passed' | 'failed' | 'skipped';

export interface TestResult {
  /** the index of the expectation in the file's `expect` array */
  index: number;
  name: string;
  kind: ExpectKind;
  status: TestStatus;
  durationMs: number;
  /** why it failed or was skipped, with the observed value */
  message?: string;
  /** for a failed reach: where the path breaks, from the path walk on the live state */
  finding?: string;
  /** what would mend that break: an edit of the file, or the live state back to what the file says */
  fix?: PathFix;
}

/** "3 passed, 1 failed" (+ ", 2 skipped" when any were skipped) */
export function summaryLine(results: readonly Pick<TestResult, 'status'>[]): string {
  const n = (s: TestStatus) => results.filter((r) => r.status === s).length;
  return `${n('passed')} passed, ${n('failed')} failed${n('skipped') ? `, ${n('skipped')} skipped` : ''}`;
}

/** the indexes of the expectations whose name contains the pattern (case-insensitive), or all */
export function selectExpectations(list: readonly Expectation[], pattern?: string): number[] {
  const p = pattern?.toLowerCase();
  return list.flatMap((e, i) => (!p || expectationName(e).toLowerCase().includes(p) ? [i] : []));
}

/** a change of one field of the file: the canvas's `set` gesture without its kind (core/edits.ts applies it) */
export interface FileChange {
  target: { type: 'namespace'; name: string } | { type: 'host' } | { type: 'link'; index: number; side?: 'a' | 'b' };
  field: string;
  /** null: the field goes */
  value: unknown;
}
export type PathFix =
  /** change the file (then apply) */
  | { where: 'file'; summary: string; change: FileChange }
  /** the file already says so: the live state drifted from it */
  | { where: 'live'; summary: string };
