/**
 * Names of other tools' labs made to fit the model's rules (interface names of 15 bytes, namespace
 * names of 64, topology names of 20), deterministically: the same lab always gives the same names.
 */
import { ifNameProblem, isReservedNodeName, nsNameProblem, topoNameProblem } from '../model/names.js';

/** FNV-1a, 32 bits, as 8 hex digits */
export function shortHash(s: string): string {
  let h = 0x811c9dc5;
  for (const b of new TextEncoder().encode(s)) {
    h ^= b;
    h = Math.imul(h, 0x01000193) >>> 0;
  }
  return h.toString(16).padStart(8, '0');
}

function sanitize(s: string, keep: RegExp): string {
  const out = [...s].map((c) => (keep.test(c) ? c : '-')).join('').replace(/^[^A-Za-z0-9]+/, '');
  return out || 'x';
}

/**
 * `raw` when it is valid and free; else a sanitized prefix of it, '-' and 4 hex digits of its hash
 * (more digits if still taken), at most `max` bytes.
 */
function fit(raw: string, max: number, keep: RegExp, valid: (s: string) => boolean, taken: ReadonlySet<string>): string {
  if (valid(raw) && !taken.has(raw)) return raw;
  const base = sanitize(raw, keep);
  const h = shortHash(raw);
  for (let n = 4; n <= 8; n++) {
    const cand = `${base.slice(0, max - n - 1)}-${h.slice(0, n)}`;
    if (valid(cand) && !taken.has(cand)) return cand;
  }
  for (let i = 2; ; i++) {
    const cand = `${base.slice(0, max - 10 - String(i).length)}-${h}-${i}`;
    if (valid(cand) && !taken.has(cand)) return cand;
  }
}

export function fitIfName(raw: string, taken: ReadonlySet<string> = new Set()): string {
  return fit(raw, 15, /[A-Za-z0-9_.-]/, (s) => !ifNameProblem(s) && !isReservedNodeName(s), taken);
}

export function fitNsName(raw: string, taken: ReadonlySet<string> = new Set()): string {
  return fit(raw, 64, /[A-Za-z0-9_.-]/, (s) => !nsNameProblem(s) && !isReservedNodeName(s), taken);
}

export function fitTopoName(raw: string): string {
  return fit(raw, 20, /[A-Za-z0-9_-]/, (s) => !topoNameProblem(s), new Set());
}
