/** Where nodes without a position in the file are drawn, and the grid snap of positions. */
import { HOST_ID, nodeId, type NodeKind, type Pos, type TopologyView } from './view.js';

export const LAYOUT_DX = 160;
export const LAYOUT_DY = 170;

/**
 * Positions for nodes the file does not place: a layered drawing (host on top, then what is
 * one cable further, ...) below everything that has a position. Deterministic, O(V+E); the
 * result stays local until the user asks for "Auto layout", which sends it as one move.
 */
export function autoPlace(
  view: TopologyView,
  unplaced: readonly string[],
  fixed: ReadonlyMap<string, Pos>,
): Map<string, Pos> {
  const out = new Map<string, Pos>();
  if (!unplaced.length) return out;
  const todo = new Set(unplaced);
  const adj = new Map<string, string[]>();
  const link = (a: string, b: string) => {
    if (!todo.has(a) || !todo.has(b) || a === b) return;
    (adj.get(a) ?? adj.set(a, []).get(a)!).push(b);
    (adj.get(b) ?? adj.set(b, []).get(b)!).push(a);
  };
  for (const l of view.links) link(nodeId(l.a.node), nodeId(l.b.node));
  for (const n of view.nodes) if (n.kind === 'bridge') link(n.id, nodeId(n.in ?? HOST_ID));
  const kindRank: Record<NodeKind, number> = { host: 0, bridge: 1, router: 2, namespace: 3 };
  const order = view.nodes.filter((n) => todo.has(n.id))
    .sort((x, y) => kindRank[x.kind] - kindRank[y.kind] || (adj.get(y.id)?.length ?? 0) - (adj.get(x.id)?.length ?? 0));
  const level = new Map<string, number>();
  for (const start of order) {
    if (level.has(start.id)) continue;
    level.set(start.id, 0);
    const queue = [start.id];
    for (let q = 0; q < queue.length; q++) {
      const cur = queue[q]!;
      for (const nb of adj.get(cur) ?? []) {
        if (level.has(nb)) continue;
        level.set(nb, level.get(cur)! + 1);
        queue.push(nb);
      }
    }
  }
  // rows: one per level, long rows wrapped; within a row, by the mean x of the row above
  const rows: string[][] = [];
  for (const n of order) {
    const lv = level.get(n.id)!;
    (rows[lv] ??= []).push(n.id);
  }
  const perRow = Math.max(8, Math.ceil(Math.sqrt(unplaced.length) * 1.5));
  let top = 0;
  let left = 0;
  if (fixed.size) {
    let minX = Infinity;
    let maxY = -Infinity;
    for (const p of fixed.values()) { minX = Math.min(minX, p.x); maxY = Math.max(maxY, p.y); }
    top = maxY + LAYOUT_DY;
    left = minX;
  }
  let y = top;
  const xOf = new Map<string, number>();
  for (const row of rows) {
    if (!row) continue;
    const bary = (id: string) => {
      const xs = (adj.get(id) ?? []).map((nb) => xOf.get(nb)).filter((x): x is number => x !== undefined);
      return xs.length ? xs.reduce((s, x) => s + x, 0) / xs.length : Infinity;
    };
    const sorted = row.map((id, i) => ({ id, i, b: bary(id) })).sort((p, q) => p.b - q.b || p.i - q.i);
    for (let start = 0; start < sorted.length; start += perRow) {
      const chunk = sorted.slice(start, start + perRow);
      const width = (chunk.length - 1) * LAYOUT_DX;
      const x0 = fixed.size ? left : -width / 2;
      chunk.forEach((c, k) => {
        const p = { x: Math.round(x0 + k * LAYOUT_DX), y: Math.round(y) };
        out.set(c.id, p);
        xOf.set(c.id, p.x);
      });
      y += LAYOUT_DY;
    }
  }
  return out;
}

export function snap(p: Pos, grid: number | undefined): Pos {
  if (!grid || grid <= 0) return { x: Math.round(p.x), y: Math.round(p.y) };
  return { x: Math.round(p.x / grid) * grid, y: Math.round(p.y / grid) * grid };
}
