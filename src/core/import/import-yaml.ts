/**
 * A YAML document read with line numbers: values as plain data, and the 1-based line of any path
 * (the line of a map key, or of a sequence item).
 */
import { LineCounter, isMap, isScalar, isSeq, parseDocument, type Document } from 'yaml';

export type YPath = (string | number)[];

export interface YamlDoc {
  value: unknown;
  line(path: YPath): number | undefined;
}

export interface YamlError { line?: number; message: string }

export function readYaml(text: string): { doc?: YamlDoc; errors: YamlError[] } {
  const lc = new LineCounter();
  const doc = parseDocument(text, { lineCounter: lc, prettyErrors: false, uniqueKeys: true });
  if (doc.errors.length) {
    return { errors: doc.errors.map((e) => ({ line: lc.linePos(e.pos[0]).line, message: e.message.split('\n')[0]! })) };
  }
  let value: unknown;
  try { value = doc.toJS({ maxAliasCount: 100 }); } catch (e) { return { errors: [{ message: (e as Error).message }] }; }
  return { doc: { value, line: (p) => lineOf(doc, lc, p) }, errors: [] };
}

function lineOf(doc: Document, lc: LineCounter, path: YPath): number | undefined {
  if (!path.length) return 1;
  const parent = path.length === 1 ? doc.contents : doc.getIn(path.slice(0, -1), true);
  const last = path[path.length - 1];
  let range: readonly number[] | null | undefined;
  if (isMap(parent)) {
    const pair = parent.items.find((p) => (isScalar(p.key) ? p.key.value : p.key) === last);
    range = pair && isScalar(pair.key) ? pair.key.range : undefined;
  } else if (isSeq(parent) && typeof last === 'number') {
    const item = parent.items[last] as { range?: [number, number, number] } | undefined;
    range = item?.range;
  }
  return range?.[0] !== undefined ? lc.linePos(range[0]).line : undefined;
}

export const isObj = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);
