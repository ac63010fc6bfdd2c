/**
 * Where in a topology a JSON path points, in words ("end a (ns1) of link 2 (ns1 – br0)"): a
 * "missing required field" says which object lacks it, not only the field's name.
 */
import type { Diagnostic, JsonPath } from './diagnostics.js';

const rec = (v: unknown): Record<string, unknown> | undefined => (v && typeof v === 'object' && !Array.isArray(v) ? v as Record<string, unknown> : undefined);
const at = (v: unknown, i: unknown): unknown => (Array.isArray(v) && typeof i === 'number' ? v[i] : rec(v)?.[String(i)]);
const str = (v: unknown): string | undefined => (typeof v === 'string' && v ? v : undefined);

const KINDS: Record<string, string> = { namespaces: 'namespace', bridges: 'bridge', links: 'link' };

/** the object a path is inside, in words; '' at the top level or for an unknown place */
export function whereIs(value: unknown, path: JsonPath): string {
  const [list, i, side] = path;
  const kind = KINDS[String(list)];
  if (!kind || typeof i !== 'number') return '';
  const o = rec(at(at(value, list), i));
  const name = str(o?.name);
  if (kind !== 'link') return `${kind} ${i + 1}${name ? ` ('${name}')` : ''}`;
  const nodeOf = (s: 'a' | 'b') => str(rec(o?.[s])?.node);
  const ends = [nodeOf('a'), nodeOf('b')];
  const link = `link ${i + 1}${ends.some(Boolean) ? ` (${ends.map((n) => n ?? '?').join(' – ')})` : ''}`;
  if (side === 'a' || side === 'b') return `end ${side}${nodeOf(side) ? ` (${nodeOf(side)})` : ''} of ${link}`;
  return link;
}

/** missing-field messages that also name the object missing the field */
export function placeMissing(value: unknown, ds: Diagnostic[]): Diagnostic[] {
  return ds.map((d) => {
    if (d.code !== 'missing-field') return d;
    const where = whereIs(value, d.path.slice(0, -1));
    return where ? { ...d, message: `${d.message} in ${where}` } : d;
  });
}
