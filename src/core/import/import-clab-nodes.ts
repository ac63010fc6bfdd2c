/**
 * containerlab nodes: `defaults`, `kinds` and `groups` resolved into each node (node > group >
 * kind > defaults; `env` and `labels` merged key by key), each field remembering where it was
 * written so the report can point at that line.
 */
import { isObj, type YPath, type YamlDoc } from './import-yaml.js';

export interface Field { value: unknown; path: YPath }
export interface ClabNode {
  name: string;
  path: YPath;
  kind: string | undefined;
  fields: Map<string, Field>;
}

/** lab node name -> what it became */
export type NodeMap = Map<string, { as: 'namespace' | 'bridge' | 'host' | 'skipped'; name: string }>;

const MERGED = new Set(['env', 'labels']);

export function resolveNodes(doc: YamlDoc): ClabNode[] {
  const topo = (doc.value as { topology?: Record<string, unknown> }).topology ?? {};
  const nodes = isObj(topo.nodes) ? topo.nodes : {};
  const defaults = isObj(topo.defaults) ? topo.defaults : {};
  const kinds = isObj(topo.kinds) ? topo.kinds : {};
  const groups = isObj(topo.groups) ? topo.groups : {};
  return Object.entries(nodes).map(([name, raw]) => {
    const own = isObj(raw) ? raw : {};
    const group = typeof own.group === 'string' ? own.group : typeof defaults.group === 'string' ? defaults.group : undefined;
    const g = group !== undefined && isObj(groups[group]) ? groups[group] : {};
    const kind = [own.kind, g.kind, defaults.kind].find((k) => typeof k === 'string') as string | undefined;
    const k = kind !== undefined && isObj(kinds[kind]) ? kinds[kind] : {};
    const layers: [Record<string, unknown>, YPath][] = [
      [defaults, ['topology', 'defaults']],
      [k, ['topology', 'kinds', kind ?? '']],
      [g, ['topology', 'groups', group ?? '']],
      [own, ['topology', 'nodes', name]],
    ];
    const fields = new Map<string, Field>();
    for (const [layer, base] of layers) {
      for (const [key, value] of Object.entries(layer)) {
        const prev = fields.get(key);
        const v = MERGED.has(key) && isObj(prev?.value) && isObj(value) ? { ...prev.value, ...value } : value;
        fields.set(key, { value: v, path: [...base, key] });
      }
    }
    return { name, path: ['topology', 'nodes', name], kind, fields };
  });
}

/** exec lines of a node as [text, line] pairs */
export function execLines(doc: YamlDoc, f: Field | undefined): { text: string; line?: number }[] {
  if (!f) return [];
  const list = Array.isArray(f.value) ? f.value : [f.value];
  return list.map((v, i) => ({ text: String(v), ...(lineAt(doc, Array.isArray(f.value) ? [...f.path, i] : f.path)) }));
}

const lineAt = (doc: YamlDoc, p: YPath): { line?: number } => {
  const l = doc.line(p);
  return l !== undefined ? { line: l } : {};
};
