/**
 * The document's topology -> cytoscape element definitions (nodes, "lives in" edges of
 * bridges, links with their labels, tooltips and problems), and the incremental diff of the
 * next elements against those drawn.
 */
import { impairSummary } from '../src/core/model/impair.js';
import { diagText, mapDiagnostics, type DiagnosticMap } from './diagnostics.js';
import { END_LABEL_MIN, endpointLabel, impairLabel, impairTooltip } from './labels.js';
import { HOST_ID, KIND_TEXT, nodeId, type Diag, type LabelMode, type Pos, type TopologyView, type ViewNode } from './view.js';


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
  if (n.host) lines.push(`on host ${n.host}`);
  if (n.internet) lines.push('internet access');
  if (n.note) lines.push(n.note);
  return lines.join('\n');
}

/** the colours of hosts (style.ts, the legend), in the file's order of hosts */
export const HOST_COLOURS = 6;

/** a lab across hosts: the class of the node's host colour */
export function hostClass(view: TopologyView, n: ViewNode): string {
  const i = n.host ? view.hosts?.indexOf(n.host) ?? -1 : -1;
  return i >= 0 ? ` on-host host-${i % HOST_COLOURS}` : '';
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
      classes: `kind-${n.kind}${n.internet ? ' internet' : ''}${hostClass(view, n)}${severityClass(d)}`,
    };
    if (n.host) el.data.host = n.host;
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
