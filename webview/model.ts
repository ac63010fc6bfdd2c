/**
 * The canvas's graph logic that needs no DOM: reading a (possibly invalid) topology value
 * (view.ts), labels (labels.ts), diagnostics -> elements (diagnostics.ts, elements.ts),
 * automatic placement of nodes without a position and grid snap (placement.ts); here the paste
 * payload of a selection and the status line. This module is the one the rest imports.
 *
 * Pure functions over plain data, so they run in Node unit tests (with headless cytoscape)
 * and compile under both the root tsconfig (NodeNext, no DOM) and webview/tsconfig.json.
 */
import type { DiagnosticMap } from './diagnostics.js';
import { HOST_ID, type Diag, type NodeKind, type TopologyView } from './view.js';

export * from './diagnostics.js';
export * from './elements.js';
export * from './labels.js';
export * from './placement.js';
export * from './view.js';

// ---------------------------------------------------------------------------------------------
// copy / paste

export interface PastePayload {
  namespaces: unknown[];
  bridges: unknown[];
  links: unknown[];
}

const isObj = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);
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
