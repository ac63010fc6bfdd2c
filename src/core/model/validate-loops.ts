/**
 * Switching loops: links between bridges that close a cycle (two parallel bridge–bridge links,
 * or a ring of bridges). Linux bridges run no STP by default, so a broadcast circles the loop
 * for ever and floods the segment: a warning on the link that closes it.
 */
import type { Diagnostic } from './diagnostics.js';
import type { Topology } from './model.js';

export function bridgeLoops(t: Topology): Diagnostic[] {
  const bridges = new Set((t.bridges ?? []).map((b) => b.name));
  const parent = new Map<string, string>();
  const root = (x: string): string => {
    let r = x;
    while (parent.has(r) && parent.get(r) !== r) r = parent.get(r)!;
    return r;
  };
  const out: Diagnostic[] = [];
  (t.links ?? []).forEach((l, i) => {
    const a = l.a.node;
    const b = l.b.node;
    if (!bridges.has(a) || !bridges.has(b)) return;
    const ra = root(a);
    const rb = root(b);
    if (ra === rb) {
      out.push({
        severity: 'warning', code: 'bridge-loop', path: ['links', i],
        message: `link ${a}:${l.a.name} – ${b}:${l.b.name} closes a loop between bridges (${a === b ? a : `${a} and ${b} are already connected`}); Linux bridges run no STP by default, so broadcasts circle the loop and flood it: remove one of the links`,
      });
    } else parent.set(ra, rb);
  });
  return out;
}
