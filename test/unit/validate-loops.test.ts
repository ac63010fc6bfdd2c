/** Switching loops between bridges are warned about (issue 15 item 7: two parallel bridge–bridge links passed silently). */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { validateValue } from '../../src/core/model/validate.js';

const link = (a: string, an: string, b: string, bn: string) => ({ a: { node: a, name: an }, b: { node: b, name: bn } });
const topo = (bridges: string[], links: unknown[]) => ({ version: 1, name: 'loops', bridges: bridges.map((name) => ({ name })), links });
const loops = (v: unknown) => validateValue(v).diagnostics.filter((d) => d.code === 'bridge-loop');

describe('bridge loops', () => {
  it('two parallel links between two bridges: one warning, on the second link', () => {
    const r = validateValue(topo(['br0', 'br1'], [link('br0', 'p0', 'br1', 'p1'), link('br0', 'p2', 'br1', 'p3')]));
    const w = r.diagnostics.filter((d) => d.code === 'bridge-loop');
    assert.equal(w.length, 1, JSON.stringify(r.diagnostics));
    assert.equal(w[0]!.severity, 'warning');
    assert.deepEqual(w[0]!.path, ['links', 1]);
    assert.match(w[0]!.message, /closes a loop between bridges .*no STP/);
    assert.ok(r.topology && r.ok, 'a warning, not an error: the file stays valid');
  });
  it('a ring of three bridges: one warning; a chain: none', () => {
    assert.equal(loops(topo(['a', 'b', 'c'], [link('a', 'x1', 'b', 'x2'), link('b', 'x3', 'c', 'x4'), link('c', 'x5', 'a', 'x6')])).length, 1);
    assert.equal(loops(topo(['a', 'b', 'c'], [link('a', 'x1', 'b', 'x2'), link('b', 'x3', 'c', 'x4')])).length, 0);
  });
});
