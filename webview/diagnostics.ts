/** The document's diagnostics on the drawing: which element each one is about, and its text. */
import { HOST_ID, type Diag, type JsonPath, type TopologyView } from './view.js';

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
