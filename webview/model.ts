/**
 * The canvas's graph logic that needs no DOM: reading a (possibly invalid) topology value,
 * node kinds, element ids and labels, diagnostics -> elements, automatic placement of nodes
 * without a position, the paste payload of a selection, grid snap and the incremental diff.
 *
 * Pure functions over plain data, so they run in Node unit tests (with headless cytoscape)
 * and compile under both the root tsconfig (NodeNext, no DOM) and webview/tsconfig.json.
 */

import type { NodeKind } from '../src/core/gestures.js';
import { impairDetail, impairSummary } from '../src/core/impair.js';

export type { NodeKind };
export type LabelMode = 'all' | 'names' | 'none';
export type JsonPath = (string | number)[];
export interface Pos { x: number; y: number }

/** a diagnostic as the host sends it (the shape of protocol.ts's Diag) */
export interface Diag {
  severity: 'error' | 'warning';
  code: string;
  message: string;
  path: JsonPath;
}

export const HOST_ID = 'host';

export interface ViewEndpoint {
  node: string;
  name: string;
  addresses: string[];
  mtu: number | undefined;
  /** the numeric fields of the end's impair object, as written */
  impair?: Impairment;
}

/** an endpoint's impairments (delay/jitter ms, loss/corrupt/duplicate %, rate kbit/s) */
export interface Impairment { delay?: number; jitter?: number; loss?: number; corrupt?: number; duplicate?: number; rate?: number }
export const IMPAIR_FIELDS = ['delay', 'jitter', 'loss', 'corrupt', 'duplicate', 'rate'] as const;

export interface ViewNode {
  /** the name used in gestures: a namespace or bridge name, or "host" */
  ref: string;
  id: string;
  kind: NodeKind;
  /** JSON path of the node's object in the file */
  path: JsonPath;
  position: Pos | undefined;
  /** for a bridge: the namespace it lives in (undefined = the host) */
  in: string | undefined;
  internet: boolean;
  note: string | undefined;
  /** the node's object as it is in the file */
  raw: Record<string, unknown>;
}

export interface ViewLink {
  index: number;
  id: string;
  a: ViewEndpoint;
  b: ViewEndpoint;
  mtu: number | undefined;
  note: string | undefined;
  raw: Record<string, unknown>;
}

/** what the canvas can draw of a topology value */
export interface TopologyView {
  name: string;
  nodes: ViewNode[];
  byRef: Map<string, ViewNode>;
  links: ViewLink[];
  /** element id for a node path (['namespaces', 3]) */
  byPath: Map<string, string>;
  /** links that cannot be drawn (an end names no node) */
  dangling: number[];
}

// ---------------------------------------------------------------------------------------------
// reading

const isObj = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);
const str = (v: unknown): string | undefined => (typeof v === 'string' ? v : undefined);
const num = (v: unknown): number | undefined => (typeof v === 'number' && Number.isFinite(v) ? v : undefined);
const strings = (v: unknown): string[] => (Array.isArray(v) ? v.filter((x): x is string => typeof x === 'string') : []);

function position(v: unknown): Pos | undefined {
  if (!isObj(v)) return undefined;
  const x = num(v.x);
  const y = num(v.y);
  return x === undefined || y === undefined ? undefined : { x, y };
}

export function nodeId(ref: string): string {
  return ref === HOST_ID ? HOST_ID : `n:${ref}`;
}

export function refOfId(id: string): string | undefined {
  if (id === HOST_ID) return HOST_ID;
  return id.startsWith('n:') ? id.slice(2) : undefined;
}

export function linkId(index: number, a: string, b: string): string {
  return `l:${index}:${a}:${b}`;
}

/** link index of an edge id, or undefined for other edges */
export function linkIndexOfId(id: string): number | undefined {
  const m = /^l:(\d+):/.exec(id);
  return m ? Number(m[1]) : undefined;
}

/** a namespace with forwarding on is drawn as a router */
export function isForwarding(sysctls: unknown): boolean {
  if (!isObj(sysctls)) return false;
  const v = sysctls['net.ipv4.ip_forward'];
  return v === 1 || v === '1';
}

export function namespaceKind(ns: unknown): 'namespace' | 'router' {
  return isObj(ns) && isForwarding(ns.sysctls) ? 'router' : 'namespace';
}

function endpoint(v: unknown): ViewEndpoint | undefined {
  if (!isObj(v)) return undefined;
  const node = str(v.node);
  if (!node) return undefined;
  const impair = impairment(v.impair);
  return { node, name: str(v.name) ?? '', addresses: strings(v.addresses), mtu: num(v.mtu), ...(impair ? { impair } : {}) };
}

function impairment(v: unknown): Impairment | undefined {
  if (!isObj(v)) return undefined;
  const out: Impairment = {};
  for (const k of IMPAIR_FIELDS) { const n = num(v[k]); if (n !== undefined && Number.isFinite(n)) out[k] = n; }
  return Object.keys(out).length ? out : undefined;
}

/** the text in the middle of a link: the impairments of its ends ("100ms ±10ms · 1% loss") */
export function impairLabel(l: Pick<ViewLink, 'a' | 'b'>, mode: LabelMode): string {
  if (mode === 'none') return '';
  const a = impairSummary(l.a.impair);
  const b = impairSummary(l.b.impair);
  if (!a || !b) return a || b;
  return a === b ? a : `${l.a.name}: ${a}\n${l.b.name}: ${b}`;
}

/** the tooltip lines of a link's impairments, one per impaired end, every value with its unit */
export function impairTooltip(l: Pick<ViewLink, 'a' | 'b'>): string {
  return [l.a, l.b].filter((e) => impairDetail(e.impair)).map((e) => `${e.node}:${e.name || '?'} sends with ${impairDetail(e.impair)}`).join('\n');
}

/**
 * Read what can be drawn from a parsed file. The value may break the schema (the text editor
 * is open next to the canvas): nodes without a usable name and links without two ends are
 * left out, the second of two nodes with the same name too (validation reports both).
 */
export function readTopology(raw: unknown): TopologyView {
  const t = isObj(raw) ? raw : {};
  const nodes: ViewNode[] = [];
  const byRef = new Map<string, ViewNode>();
  const byPath = new Map<string, string>();
  const add = (n: ViewNode) => {
    if (byRef.has(n.ref)) return;
    byRef.set(n.ref, n);
    byPath.set(n.path.join('/'), n.id);
    nodes.push(n);
  };
  if (isObj(t.host)) {
    add({
      ref: HOST_ID, id: HOST_ID, kind: 'host', path: ['host'], position: position(t.host.position),
      in: undefined, internet: false, note: undefined, raw: t.host,
    });
  }
  (Array.isArray(t.bridges) ? t.bridges : []).forEach((b, i) => {
    const name = isObj(b) ? str(b.name) : undefined;
    if (!isObj(b) || !name || name === HOST_ID) return;
    const inNs = str(b.in);
    add({
      ref: name, id: nodeId(name), kind: 'bridge', path: ['bridges', i], position: position(b.position),
      in: inNs && inNs !== HOST_ID ? inNs : undefined, internet: false, note: str(b.note), raw: b,
    });
  });
  (Array.isArray(t.namespaces) ? t.namespaces : []).forEach((ns, i) => {
    const name = isObj(ns) ? str(ns.name) : undefined;
    if (!isObj(ns) || !name || name === HOST_ID) return;
    add({
      ref: name, id: nodeId(name), kind: namespaceKind(ns), path: ['namespaces', i], position: position(ns.position),
      in: undefined, internet: ns.internet === true, note: str(ns.note), raw: ns,
    });
  });
  const links: ViewLink[] = [];
  const dangling: number[] = [];
  (Array.isArray(t.links) ? t.links : []).forEach((l, index) => {
    if (!isObj(l)) { dangling.push(index); return; }
    const a = endpoint(l.a);
    const b = endpoint(l.b);
    if (!a || !b || !byRef.has(a.node) || !byRef.has(b.node)) { dangling.push(index); return; }
    const id = linkId(index, a.node, b.node);
    byPath.set(`links/${index}`, id);
    links.push({ index, id, a, b, mtu: num(l.mtu), note: str(l.note), raw: l });
  });
  return { name: str(t.name) ?? '', nodes, byRef, links, byPath, dangling };
}

// ---------------------------------------------------------------------------------------------
// labels

export const KIND_TEXT: Record<NodeKind, string> = {
  namespace: 'namespace', router: 'router', bridge: 'bridge', host: 'host',
};

/** size of an end label in model pixels (monospace 10.5 px, 2 px padding), estimated without a DOM */
export function labelSize(text: string): { w: number; h: number } {
  if (!text) return { w: 0, h: 0 };
  const lines = text.split('\n');
  return { w: Math.max(...lines.map((l) => l.length)) * 6.4 + 4, h: lines.length * 13 + 4 };
}

export const END_LABEL_MIN = 8;

interface Box { x1: number; y1: number; x2: number; y2: number }
const overlaps = (p: Box, q: Box) => p.x1 < q.x2 && q.x1 < p.x2 && p.y1 < q.y2 && q.y1 < p.y2;

/** a node's box and the box of its name under it (bold 12 px, estimated) */
function nodeBoxes(p: Pos, node: { w: number; h: number }, name: string): [Box, Box] {
  // (with a few pixels of air around both)
  const nw = name.length * 7.4 + 16;
  const top = p.y + node.h / 2 + 2;
  return [
    { x1: p.x - node.w / 2 - 5, y1: p.y - node.h / 2 - 5, x2: p.x + node.w / 2 + 5, y2: p.y + node.h / 2 + 5 },
    { x1: p.x - nw / 2, y1: top, x2: p.x + nw / 2, y2: top + 22 },
  ];
}

export interface EndLabel {
  /** distance along the link from where it leaves the node (cytoscape's *-text-offset) */
  offset: number;
  box: Box;
}

/**
 * Where the label at the `from` end of a link goes: the first place along the link, from the
 * node's border outwards, where it covers neither the node nor the node's name.
 */
export function placeEndLabel(from: Pos, to: Pos, node: { w: number; h: number }, name: string, text: string): EndLabel | undefined {
  const dx = to.x - from.x;
  const dy = to.y - from.y;
  const len = Math.hypot(dx, dy);
  if (!text || !len) return undefined;
  const ux = dx / len;
  const uy = dy / len;
  const border = Math.min(ux ? node.w / 2 / Math.abs(ux) : Infinity, uy ? node.h / 2 / Math.abs(uy) : Infinity);
  const { w, h } = labelSize(text);
  const [nb, name_] = nodeBoxes(from, node, name);
  for (let t = END_LABEL_MIN; ; t += 2) {
    const cx = from.x + ux * (border + t);
    const cy = from.y + uy * (border + t);
    const box = { x1: cx - w / 2, y1: cy - h / 2, x2: cx + w / 2, y2: cy + h / 2 };
    if ((!overlaps(box, nb) && !overlaps(box, name_)) || t > 400) return { offset: t, box };
  }
}

export interface EndLabels { src: string; tgt: string; srcOffset: number; tgtOffset: number }

/**
 * The two end labels of a link between nodes (of size node) at a and b, named names: the full
 * labels when they fit (neither covers the other label, the far node or its name), else only
 * the interface names, else none (the addresses stay in the tooltip and the panel).
 */
export function fitEndLabels(
  a: Pos, b: Pos, node: { w: number; h: number }, names: [string, string], full: [string, string], short: [string, string],
): EndLabels {
  const l = fitLinkLabels(a, b, node, names, full, short, '');
  return { src: l.src, tgt: l.tgt, srcOffset: l.srcOffset, tgtOffset: l.tgtOffset };
}

export interface LinkLabels extends EndLabels {
  /** the label in the middle of the link (its impairments), '' when it does not fit */
  mid: string;
}

/**
 * The end labels and the middle label (impairments) of a link: both when they fit, else the
 * middle with only the interface names, else the end labels alone, else the middle alone
 * (what is left out stays in the tooltip and the panel).
 */
export function fitLinkLabels(
  a: Pos, b: Pos, node: { w: number; h: number }, names: [string, string], full: [string, string], short: [string, string], mid: string,
): LinkLabels {
  const none = { src: '', tgt: '', srcOffset: END_LABEL_MIN, tgtOffset: END_LABEL_MIN, mid: '' };
  if (a.x === b.x && a.y === b.y) return none;
  const [na, nameA] = nodeBoxes(a, node, names[0]);
  const [nb, nameB] = nodeBoxes(b, node, names[1]);
  const m = labelSize(mid);
  const cx = (a.x + b.x) / 2;
  const cy = (a.y + b.y) / 2;
  const midBox = { x1: cx - m.w / 2, y1: cy - m.h / 2, x2: cx + m.w / 2, y2: cy + m.h / 2 };
  const midFree = !!mid && ![na, nameA, nb, nameB].some((x) => overlaps(midBox, x));
  const place = ([src, tgt]: [string, string], withMid: boolean): LinkLabels | undefined => {
    if (withMid && !midFree) return undefined;
    const ls = placeEndLabel(a, b, node, names[0], src);
    const lt = placeEndLabel(b, a, node, names[1], tgt);
    const ok = !(ls && lt && overlaps(ls.box, lt.box))
      && !(ls && (overlaps(ls.box, nb) || overlaps(ls.box, nameB)))
      && !(lt && (overlaps(lt.box, na) || overlaps(lt.box, nameA)))
      && !(withMid && [ls, lt].some((x) => x && overlaps(x.box, midBox)));
    return ok ? { src, tgt, srcOffset: ls?.offset ?? END_LABEL_MIN, tgtOffset: lt?.offset ?? END_LABEL_MIN, mid: withMid ? mid : '' } : undefined;
  };
  return (mid ? place(full, true) ?? place(short, true) : undefined)
    ?? place(full, false) ?? place(short, false) ?? place(['', ''], true) ?? none;
}

/** the label at one end of a link */
export function endpointLabel(e: ViewEndpoint, mode: LabelMode): string {
  if (mode === 'none') return '';
  if (mode === 'names') return e.name;
  return [e.name, ...e.addresses].filter(Boolean).join('\n');
}

export function nextLabelMode(m: LabelMode): LabelMode {
  return m === 'all' ? 'names' : m === 'names' ? 'none' : 'all';
}

// ---------------------------------------------------------------------------------------------
// diagnostics

export interface DiagnosticMap {
  /** element id -> its diagnostics (errors first) */
  byElement: Map<string, Diag[]>;
  /** diagnostics about the file as a whole or about something not drawn */
  general: Diag[];
}

/** the element a JSON path points into: a node, a link, or nothing (the topology) */
export function elementOfPath(view: TopologyView, path: JsonPath): string | undefined {
  const [head, index] = path;
  if (head === 'host') return view.byRef.has(HOST_ID) ? HOST_ID : undefined;
  if ((head === 'namespaces' || head === 'bridges' || head === 'links') && typeof index === 'number') {
    return view.byPath.get(`${head}/${index}`);
  }
  return undefined;
}

export function mapDiagnostics(view: TopologyView, diags: readonly Diag[]): DiagnosticMap {
  const byElement = new Map<string, Diag[]>();
  const general: Diag[] = [];
  const sorted = [...diags].sort((x, y) => (x.severity === y.severity ? 0 : x.severity === 'error' ? -1 : 1));
  for (const d of sorted) {
    const id = elementOfPath(view, d.path);
    if (id === undefined) { general.push(d); continue; }
    const list = byElement.get(id);
    if (list) list.push(d); else byElement.set(id, [d]);
  }
  return { byElement, general };
}

/** does `path` lie under `prefix` (or equal it)? */
export function pathStartsWith(path: JsonPath, prefix: JsonPath): boolean {
  return prefix.length <= path.length && prefix.every((p, i) => path[i] === p);
}

/** "error code: message" text without the schema's "[code] " prefix */
export function diagText(d: Diag): string {
  return d.message.replace(/^\[[a-z0-9-]+\]\s*/, '');
}

// ---------------------------------------------------------------------------------------------
// elements

/** a cytoscape element definition (structurally compatible with cytoscape's ElementDefinition) */
export interface ElementDef {
  group: 'nodes' | 'edges';
  data: Record<string, string | number | boolean> & { id: string };
  position?: Pos;
  classes: string;
}

export interface BuildResult {
  elements: ElementDef[];
  /** node ids that have no position in the file */
  unplaced: string[];
  diagnostics: DiagnosticMap;
}

function severityClass(list: Diag[] | undefined): string {
  if (!list?.length) return '';
  return list.some((d) => d.severity === 'error') ? ' has-error' : ' has-warning';
}

function nodeTooltip(n: ViewNode, ends: readonly string[] | undefined): string {
  const lines = [`${n.ref} — ${KIND_TEXT[n.kind]}${n.in ? ` in ${n.in}` : ''}`, ...(ends ?? [])];
  if (n.internet) lines.push('internet access');
  if (n.note) lines.push(n.note);
  return lines.join('\n');
}

/** the document's topology -> cytoscape elements (nodes first, then links) */
export function buildElements(view: TopologyView, diags: readonly Diag[], labels: LabelMode): BuildResult {
  const dm = mapDiagnostics(view, diags);
  const elements: ElementDef[] = [];
  const unplaced: string[] = [];
  // each node's interfaces, for its tooltip
  const ends = new Map<string, string[]>();
  for (const l of view.links) {
    for (const [mine, other] of [[l.a, l.b], [l.b, l.a]] as const) {
      const line = `${mine.name || '?'}${mine.addresses.length ? ` ${mine.addresses.join(', ')}` : ''} → ${other.node}`;
      const list = ends.get(mine.node);
      if (list) list.push(line); else ends.set(mine.node, [line]);
    }
  }
  for (const n of view.nodes) {
    const d = dm.byElement.get(n.id);
    const el: ElementDef = {
      group: 'nodes',
      data: {
        id: n.id, ref: n.ref, kind: n.kind, label: n.ref,
        tooltip: nodeTooltip(n, ends.get(n.ref)),
        problem: d?.[0] ? diagText(d[0]) : '',
      },
      classes: `kind-${n.kind}${n.internet ? ' internet' : ''}${severityClass(d)}`,
    };
    if (n.position) el.position = { x: n.position.x, y: n.position.y };
    else unplaced.push(n.id);
    elements.push(el);
  }
  // where a bridge lives: a dashed "in" edge to its namespace, or to the host node when the
  // topology draws one (a compound node would take the namespace's position from its children,
  // but positions are the file's; an edge keeps every node where the file puts it)
  for (const n of view.nodes) {
    if (n.kind !== 'bridge') continue;
    const owner = view.byRef.get(n.in ?? HOST_ID);
    if (!owner || owner.kind === 'bridge') continue;
    elements.push({
      group: 'edges',
      data: { id: `in:${n.ref}`, source: n.id, target: owner.id, label: 'in', tooltip: `${n.ref} lives in ${owner.ref === HOST_ID ? 'the host' : owner.ref}`, problem: '' },
      classes: 'contain',
    });
  }
  for (const l of view.links) {
    const d = dm.byElement.get(l.id);
    elements.push({
      group: 'edges',
      data: {
        id: l.id, source: nodeId(l.a.node), target: nodeId(l.b.node), index: l.index,
        // the labels drawn: the canvas picks full or short ones for the room between the nodes
        srcFull: endpointLabel(l.a, labels), tgtFull: endpointLabel(l.b, labels),
        srcShort: endpointLabel(l.a, labels === 'all' ? 'names' : labels), tgtShort: endpointLabel(l.b, labels === 'all' ? 'names' : labels),
        srcLabel: endpointLabel(l.a, labels), tgtLabel: endpointLabel(l.b, labels),
        srcOffset: END_LABEL_MIN, tgtOffset: END_LABEL_MIN,
        // the impairments in the middle (placed with the end labels: see fitLinkLabels)
        midFull: impairLabel(l, labels), label: impairLabel(l, labels),
        tooltip: `${l.a.node}:${l.a.name || '?'} ⟷ ${l.b.node}:${l.b.name || '?'}${l.mtu ? ` (mtu ${l.mtu})` : ''}${impairTooltip(l) ? `\n${impairTooltip(l)}` : ''}${l.note ? `\n${l.note}` : ''}`,
        problem: d?.[0] ? diagText(d[0]) : '',
      },
      classes: `link${l.a.node === l.b.node ? ' loop' : ''}${impairSummary(l.a.impair) || impairSummary(l.b.impair) ? ' impaired' : ''}${severityClass(d)}`,
    });
  }
  return { elements, unplaced, diagnostics: dm };
}

// ---------------------------------------------------------------------------------------------
// incremental update

export interface ElementDiff {
  add: ElementDef[];
  remove: string[];
  /** elements whose data or classes changed (positions are handled by the caller) */
  update: ElementDef[];
}

/** a signature of what an element looks like, positions excluded */
export function signature(e: ElementDef): string {
  return JSON.stringify([e.data, e.classes]);
}

/** compare the drawn elements (id -> signature) with the next ones */
export function diffElements(current: ReadonlyMap<string, string>, next: readonly ElementDef[]): ElementDiff {
  const add: ElementDef[] = [];
  const update: ElementDef[] = [];
  const seen = new Set<string>();
  for (const e of next) {
    seen.add(e.data.id);
    const sig = current.get(e.data.id);
    if (sig === undefined) add.push(e);
    else if (sig !== signature(e)) update.push(e);
  }
  const remove = [...current.keys()].filter((id) => !seen.has(id));
  return { add, remove, update };
}

// ---------------------------------------------------------------------------------------------
// placement of nodes without a position

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

// ---------------------------------------------------------------------------------------------
// copy / paste, snap

export interface PastePayload {
  namespaces: unknown[];
  bridges: unknown[];
  links: unknown[];
}

const clone = <T>(v: T): T => JSON.parse(JSON.stringify(v)) as T;

/**
 * The selected nodes as they are in the file, with the bridges inside selected namespaces and
 * the links among them (the host is not copied: there is only one).
 */
export function pastePayload(view: TopologyView, refs: Iterable<string>): PastePayload {
  const sel = new Set([...refs].filter((r) => r !== HOST_ID && view.byRef.has(r)));
  for (const n of view.nodes) if (n.kind === 'bridge' && n.in && sel.has(n.in)) sel.add(n.ref);
  const namespaces: unknown[] = [];
  const bridges: unknown[] = [];
  for (const n of view.nodes) {
    if (!sel.has(n.ref)) continue;
    (n.kind === 'bridge' ? bridges : namespaces).push(clone(n.raw));
  }
  const links = view.links.filter((l) => sel.has(l.a.node) && sel.has(l.b.node)).map((l) => clone(l.raw));
  return { namespaces, bridges, links };
}

/** the clipboard text of a copy: recognizable, so a paste of other text is ignored */
export function clipboardText(p: PastePayload): string {
  return JSON.stringify({ netnsLabClipboard: 1, ...p });
}

export function parseClipboard(text: string): PastePayload | undefined {
  try {
    const v: unknown = JSON.parse(text);
    if (!isObj(v) || v.netnsLabClipboard !== 1) return undefined;
    const arr = (x: unknown) => (Array.isArray(x) ? x : []);
    const p = { namespaces: arr(v.namespaces), bridges: arr(v.bridges), links: arr(v.links) };
    return p.namespaces.length + p.bridges.length ? p : undefined;
  } catch {
    return undefined;
  }
}

export function snap(p: Pos, grid: number | undefined): Pos {
  if (!grid || grid <= 0) return { x: Math.round(p.x), y: Math.round(p.y) };
  return { x: Math.round(p.x / grid) * grid, y: Math.round(p.y / grid) * grid };
}

// ---------------------------------------------------------------------------------------------
// status

export function summary(view: TopologyView): string {
  const count = (k: NodeKind) => view.nodes.filter((n) => n.kind === k).length;
  const plural = (n: number, one: string, many = `${one}s`) => `${n} ${n === 1 ? one : many}`;
  const parts = [
    plural(count('namespace'), 'namespace'),
    plural(count('router'), 'router'),
    plural(count('bridge'), 'bridge'),
    plural(view.links.length, 'link'),
  ].filter((s) => !s.startsWith('0 ') || s.endsWith('namespaces') || s.endsWith('links'));
  if (view.byRef.has(HOST_ID)) parts.push('host');
  return parts.join(' · ');
}

/** the element and text of the first error (or warning) to show in the status line */
export function firstProblem(dm: DiagnosticMap, view: TopologyView): { id: string | undefined; diag: Diag } | undefined {
  let best: { id: string | undefined; diag: Diag } | undefined;
  const consider = (id: string | undefined, d: Diag) => {
    if (!best || (best.diag.severity === 'warning' && d.severity === 'error')) best = { id, diag: d };
  };
  for (const d of dm.general) consider(undefined, d);
  // in drawing order, so "the first" is stable
  for (const n of view.nodes) for (const d of dm.byElement.get(n.id) ?? []) consider(n.id, d);
  for (const l of view.links) for (const d of dm.byElement.get(l.id) ?? []) consider(l.id, d);
  return best;
}
