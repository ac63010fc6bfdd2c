/**
 * The reachability matrix: which addresses each namespace should reach, and how to read the
 * answer of `ping`. Targets are only the topology's own addresses (other namespaces, the host
 * side, each default gateway) plus the outside probes the user configured, for namespaces with
 * internet access. Pure.
 */
import { formatIP, parseCidr, parseIP } from '../model/ip.js';
import type { Topology } from '../model/model.js';
import { buildIndex } from '../model/topo-index.js';

export type TargetKind = 'namespace' | 'host' | 'gateway' | 'outside';

export interface Probe {
  from: string;
  /** a node name, "host", or the probe text for outside targets */
  to: string;
  target: string;
  kind: TargetKind;
}

export interface ProbeResult extends Probe {
  ok: boolean;
  rttMs?: number;
  error?: string;
}

const NAME_RE = /^(?=.{1,253}$)[A-Za-z0-9]([A-Za-z0-9-]{0,62})(\.[A-Za-z0-9]([A-Za-z0-9-]{0,62}))*\.?$/;

/** an outside probe is an IP address or a DNS name; anything else is refused */
export function validProbe(p: string): boolean {
  return parseIP(p) !== undefined || NAME_RE.test(p);
}

export function probes(t: Topology, outside: string[] = []): Probe[] {
  const idx = buildIndex(t);
  const out: Probe[] = [];
  const addrsOf = (scope: string | null) => (idx.ifacesByScope.get(scope) ?? []).flatMap((f) => f.addresses.map((a) => parseCidr(a)!))
    .map((c) => formatIP(c.family, c.addr));
  const hostAddrs = addrsOf(null);
  for (const ns of t.namespaces ?? []) {
    const mine = addrsOf(ns.name);
    if (!mine.length) continue;
    for (const other of t.namespaces ?? []) {
      if (other.name === ns.name) continue;
      for (const a of addrsOf(other.name)) out.push({ from: ns.name, to: other.name, target: a, kind: 'namespace' });
    }
    for (const a of hostAddrs) out.push({ from: ns.name, to: 'host', target: a, kind: 'host' });
    for (const r of ns.routes ?? []) {
      if (r.to === 'default' && r.via && !hostAddrs.includes(r.via)) out.push({ from: ns.name, to: 'gateway', target: r.via, kind: 'gateway' });
    }
    if (ns.internet) for (const p of outside) if (validProbe(p)) out.push({ from: ns.name, to: p, target: p, kind: 'outside' });
  }
  return out;
}

/** read `ping -c1 -n` output: the round-trip time, or why it failed */
export function parsePing(code: number, stdout: string, stderr: string): { ok: boolean; rttMs?: number; error?: string } {
  const m = /time[=<]([\d.]+) ?ms/.exec(stdout);
  if (code === 0 && m) return { ok: true, rttMs: Number(m[1]) };
  const why = stderr.trim().split('\n').pop() || (/100% packet loss/.test(stdout) ? 'no reply' : `exit ${code}`);
  return { ok: false, error: why.replace(/^ping: /, '') };
}

/**
 * The rows (sources, in probe order) and columns of the matrix: the namespaces in the rows'
 * order first (so the diagonal is the diagonal), then the other namespaces, the host, the
 * gateways and the outside probes, each kind in the order first seen.
 */
export function matrixAxes(results: readonly Probe[]): { rows: string[]; cols: string[] } {
  const rows = [...new Set(results.map((r) => r.from))];
  const seen = [...new Set(results.map((r) => r.to))];
  const kindOf = new Map(results.map((r) => [r.to, r.kind] as const));
  const rank = (to: string) => {
    const i = rows.indexOf(to);
    return i >= 0 ? i : rows.length + (['namespace', 'host', 'gateway', 'outside'] as const).indexOf(kindOf.get(to)!);
  };
  const cols = seen.map((to, i) => ({ to, i, r: rank(to) })).sort((a, b) => a.r - b.r || a.i - b.i).map((x) => x.to);
  return { rows, cols };
}

/** the matrix as text: a row per source namespace, a column per destination */
export function formatMatrix(results: ProbeResult[]): string {
  const { rows, cols } = matrixAxes(results);
  const cell = (from: string, to: string): string => {
    const rs = results.filter((r) => r.from === from && r.to === to);
    if (!rs.length) return '-';
    if (rs.every((r) => r.ok)) return `ok ${Math.max(...rs.map((r) => r.rttMs ?? 0)).toFixed(2)}ms`;
    return rs.some((r) => r.ok) ? `PARTIAL ${rs.filter((r) => !r.ok).length}/${rs.length}` : 'FAIL';
  };
  const table = [['from \\ to', ...cols], ...rows.map((f) => [f, ...cols.map((c) => (c === f ? '' : cell(f, c)))])];
  const widths = table[0]!.map((_, i) => Math.max(...table.map((r) => r[i]!.length)));
  return table.map((r) => r.map((c, i) => c.padEnd(widths[i]!)).join('  ').trimEnd()).join('\n') + '\n';
}
