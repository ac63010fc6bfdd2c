/**
 * The labels of the drawing: the text at each end of a link (names and addresses, or names
 * only), the impairments in its middle, and where they fit along the link without covering
 * the nodes, their names or each other (sizes estimated without a DOM).
 */
import { impairDetail, impairSummary } from '../src/core/model/impair.js';
import type { LabelMode, Pos, ViewEndpoint, ViewLink } from './view.js';

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
  // a name of several lines (a connectivity badge under it): as wide as its longest, 15 px a line more
  const lines = name.split('\n');
  const nw = Math.max(...lines.map((l) => l.length)) * 7.4 + 16;
  const top = p.y + node.h / 2 + 2;
  return [
    { x1: p.x - node.w / 2 - 5, y1: p.y - node.h / 2 - 5, x2: p.x + node.w / 2 + 5, y2: p.y + node.h / 2 + 5 },
    { x1: p.x - nw / 2, y1: top, x2: p.x + nw / 2, y2: top + 22 + 15 * (lines.length - 1) },
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
