/**
 * The reachability matrix painted on the drawing: the path of each probe through the topology
 * graph (namespace -> its link -> bridge -> link -> namespace, or the host), then a colour per
 * link (every probe crossing it succeeded / every one failed / both) and per source namespace
 * (its failing targets and latencies). Pure.
 *
 * The graph's vertices are the drawing's nodes (namespaces, bridges, "host"); its edges are the
 * links, plus "a bridge lives in its namespace (or the host)", which crosses no link. A probe
 * goes from its namespace to the node holding the target address (the host for outside
 * targets), by the fewest links, passing only through nodes that forward: bridges, the host
 * and namespaces with forwarding on. Not a routing-table walk: it is how the traffic goes in
 * the drawings this tool makes (trees of LANs and routers), and it never invents a path.
 */
import { formatIP, parseCidr, parseIP } from '../model/ip.js';
import { HOST, type Topology } from '../model/model.js';
import type { Probe, ProbeResult } from './reach.js';

export type PaintState = 'ok' | 'fail' | 'mixed';

export interface ProbePath {
  /** drawing nodes from the source to the destination */
  nodes: string[];
  /** link indices crossed, in order */
  links: number[];
}

export interface LinkPaint { state: PaintState; ok: number; failed: number; detail: string }
export interface NodePaint { state: PaintState; ok: number; failed: number; maxRttMs?: number; failing: string[]; detail: string }

export interface MatrixPaint {
  probes: number;
  failed: number;
  /** probes whose path could not be found in the drawing (e.g. a gateway that is not drawn) */
  unplaced: number;
  /** by link index */
  links: Record<string, LinkPaint>;
  /** by source namespace */
  nodes: Record<string, NodePaint>;
}

const MAX_DETAIL_LINES = 12;

interface Edge { to: string; link: number | undefined }

function forwards(sysctls: Record<string, string | number> | undefined): boolean {
  const on = (k: string) => sysctls?.[k] !== undefined && String(sysctls[k]) === '1';
  return on('net.ipv4.ip_forward') || on('net.ipv6.conf.all.forwarding');
}

/** the drawing as a graph, and where each address lives */
export function reachGraph(t: Topology) {
  const adj = new Map<string, Edge[]>();
  const edge = (a: string, b: string, link: number | undefined) => {
    if (!adj.has(a)) adj.set(a, []);
    if (!adj.has(b)) adj.set(b, []);
    adj.get(a)!.push({ to: b, link });
    adj.get(b)!.push({ to: a, link });
  };
  const transit = new Set<string>([HOST]);
  const owner = new Map<string, string>();
  const own = (cidrs: string[] | undefined, node: string) => {
    for (const a of cidrs ?? []) {
      const c = parseCidr(a);
      if (c && !owner.has(formatIP(c.family, c.addr))) owner.set(formatIP(c.family, c.addr), node);
    }
  };
  for (const b of t.bridges ?? []) {
    transit.add(b.name);
    edge(b.name, !b.in || b.in === HOST ? HOST : b.in, undefined);
    own(b.addresses, b.name);
  }
  for (const ns of t.namespaces ?? []) if (forwards(ns.sysctls)) transit.add(ns.name);
  (t.links ?? []).forEach((l, i) => {
    edge(l.a.node, l.b.node, i);
    own(l.a.addresses, l.a.node);
    own(l.b.addresses, l.b.node);
  });
  return { adj, transit, owner };
}

type Graph = ReturnType<typeof reachGraph>;

/** the canonical text of an address (so 2001:db8::0:1 finds 2001:db8::1) */
function canon(a: string): string {
  const ip = parseIP(a);
  return ip ? formatIP(ip.family, ip.addr) : a;
}

/** where a probe ends in the drawing: the node holding its target, the host for outside targets */
function destination(g: Graph, p: Probe): string | undefined {
  if (p.kind === 'outside') return HOST;
  return g.owner.get(canon(p.target));
}

/** the path of one probe (undefined: no path in the drawing) */
export function probePath(g: Graph, p: Probe): ProbePath | undefined {
  const dest = destination(g, p);
  if (dest === undefined) return undefined;
  if (dest === p.from) return { nodes: [p.from], links: [] };
  // breadth first, fewest links first (an edge inside a node's own scope counts as none)
  const prev = new Map<string, { from: string; link: number | undefined }>([[p.from, { from: '', link: undefined }]]);
  let frontier = [p.from];
  while (frontier.length && !prev.has(dest)) {
    const next: string[] = [];
    const visit = (from: string, e: Edge, queue: string[]) => {
      if (prev.has(e.to)) return;
      prev.set(e.to, { from, link: e.link });
      if (e.to === dest || g.transit.has(e.to)) queue.push(e.to);
    };
    // edges that cross no link first, at the same distance
    for (let i = 0; i < frontier.length; i++) {
      const n = frontier[i]!;
      for (const e of g.adj.get(n) ?? []) if (e.link === undefined) visit(n, e, frontier);
    }
    for (const n of frontier) for (const e of g.adj.get(n) ?? []) if (e.link !== undefined) visit(n, e, next);
    frontier = next;
  }
  if (!prev.has(dest)) return undefined;
  const nodes: string[] = [];
  const links: number[] = [];
  for (let n = dest; n !== p.from;) {
    const s = prev.get(n)!;
    nodes.push(n);
    if (s.link !== undefined) links.push(s.link);
    n = s.from;
  }
  nodes.push(p.from);
  return { nodes: nodes.reverse(), links: links.reverse() };
}

const stateOf = (ok: number, failed: number): PaintState => (failed === 0 ? 'ok' : ok === 0 ? 'fail' : 'mixed');
const ms = (r: ProbeResult) => (r.rttMs === undefined ? '' : `${r.rttMs < 10 ? r.rttMs.toFixed(2) : r.rttMs.toFixed(0)} ms`);
const line = (r: ProbeResult, withFrom: boolean) =>
  `${r.ok ? '✓' : '✗'} ${withFrom ? `${r.from} → ` : ''}${r.to}${r.to !== r.target ? ` (${r.target})` : ''}: ${r.ok ? ms(r) : r.error ?? 'failed'}`;
function lines(rs: ProbeResult[], withFrom: boolean): string {
  // failures first: they are what the paint is for
  const sorted = [...rs.filter((r) => !r.ok), ...rs.filter((r) => r.ok)];
  const shown = sorted.slice(0, MAX_DETAIL_LINES).map((r) => line(r, withFrom));
  if (sorted.length > shown.length) shown.push(`… and ${sorted.length - shown.length} more`);
  return shown.join('\n');
}

/** the paint of a run of the matrix on the topology it ran for */
export function matrixPaint(t: Topology, results: ProbeResult[]): MatrixPaint {
  const g = reachGraph(t);
  const byLink = new Map<number, ProbeResult[]>();
  const byNode = new Map<string, ProbeResult[]>();
  let unplaced = 0;
  for (const r of results) {
    if (!byNode.has(r.from)) byNode.set(r.from, []);
    byNode.get(r.from)!.push(r);
    const path = probePath(g, r);
    if (!path) { unplaced++; continue; }
    for (const i of new Set(path.links)) {
      if (!byLink.has(i)) byLink.set(i, []);
      byLink.get(i)!.push(r);
    }
  }
  const links: Record<string, LinkPaint> = {};
  for (const [i, rs] of [...byLink].sort((a, b) => a[0] - b[0])) {
    const ok = rs.filter((r) => r.ok).length;
    links[String(i)] = { state: stateOf(ok, rs.length - ok), ok, failed: rs.length - ok, detail: lines(rs, true) };
  }
  const nodes: Record<string, NodePaint> = {};
  for (const [name, rs] of byNode) {
    const good = rs.filter((r) => r.ok);
    const rtts = good.map((r) => r.rttMs).filter((x): x is number => x !== undefined);
    nodes[name] = {
      state: stateOf(good.length, rs.length - good.length), ok: good.length, failed: rs.length - good.length,
      ...(rtts.length ? { maxRttMs: Math.max(...rtts) } : {}),
      failing: rs.filter((r) => !r.ok).map((r) => `${r.to}${r.to !== r.target ? ` (${r.target})` : ''}`),
      detail: lines(rs, false),
    };
  }
  return { probes: results.length, failed: results.filter((r) => !r.ok).length, unplaced, links, nodes };
}

/**
 * What the network of a topology is, without what only the drawing changes (positions, notes):
 * results painted for one key are stale once the file's key differs.
 */
export function networkKey(t: Topology): string {
  return JSON.stringify(t, (k, v: unknown) => (k === 'position' || k === 'note' || k === '$schema' ? undefined : v));
}
