/**
 * MAC addresses on one L2 segment (a bridge with every end connected to it, or a bare veth
 * pair) must differ: two ends with one MAC make the bridge's forwarding table flap and each
 * end drop the other's frames as its own. The same MAC on different segments is fine (routers
 * often use one MAC on all their interfaces).
 */
import type { Diagnostic, JsonPath } from './diagnostics.js';
import type { IfaceInfo, TopoIndex } from './topo-index.js';

const where = (f: IfaceInfo) => `'${f.name}' in ${f.scope === null ? 'the host' : `namespace '${f.scope}'`}`;
const macPath = (f: IfaceInfo): JsonPath => [...f.namePath.slice(0, -1), 'mac'];

export function duplicateMacs(idx: TopoIndex): Diagnostic[] {
  const out: Diagnostic[] = [];
  const seen = new Map<string, IfaceInfo>();
  const bridgeOf = new Map<number, string>();
  for (const f of idx.ifaces) if (f.kind === 'bridge' && !bridgeOf.has(f.segment)) bridgeOf.set(f.segment, f.name);
  for (const f of idx.ifaces) {
    if (f.mac === undefined) continue;
    const key = `${f.segment}|${f.mac}`;
    const first = seen.get(key);
    if (!first) { seen.set(key, f); continue; }
    const seg = bridgeOf.get(f.segment);
    out.push({
      severity: 'error', code: 'duplicate-mac', path: macPath(f),
      message: `mac ${f.mac} of ${where(f)} is also the MAC of ${where(first)} on the same segment (${seg ? `bridge '${seg}'` : 'one link'}); each end of a segment needs its own MAC`,
    });
  }
  return out;
}
