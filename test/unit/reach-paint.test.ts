import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { Topology } from '../../src/core/model/model.js';
import { matrixPaint, networkKey, probePath, reachGraph } from '../../src/core/diagnose/reach-paint.js';
import { probes, type Probe, type ProbeResult } from '../../src/core/diagnose/reach.js';
import { article, routed } from '../support/fixtures.js';

const path = (t: Topology, p: Probe) => probePath(reachGraph(t), p);
const ok = (p: Probe, rttMs = 0.05): ProbeResult => ({ ...p, ok: true, rttMs });
const bad = (p: Probe, error = 'no reply'): ProbeResult => ({ ...p, ok: false, error });

describe('probe paths through the drawing', () => {
  it('the article: namespace -> its link -> br0 -> link -> namespace; to the host side: to br0; outside: through the host', () => {
    const t = article();
    const by = (from: string, to: string, kind = 'namespace') => probes(t, ['198.51.100.10']).find((p) => p.from === from && p.to === to && p.kind === kind)!;
    assert.deepEqual(path(t, by('ns1', 'ns2')), { nodes: ['ns1', 'br0', 'ns2'], links: [0, 1] });
    assert.deepEqual(path(t, by('ns2', 'ns1')), { nodes: ['ns2', 'br0', 'ns1'], links: [1, 0] });
    assert.deepEqual(path(t, by('ns1', 'host', 'host')), { nodes: ['ns1', 'br0'], links: [0] });
    assert.deepEqual(path(t, by('ns2', '198.51.100.10', 'outside')), { nodes: ['ns2', 'br0', 'host'], links: [1] });
  });

  it('the routed example: through a router and the bridge that lives in it; gateways; IPv6 written another way', () => {
    const t = routed();
    assert.deepEqual(path(t, { from: 'a1', to: 'b1', target: '10.10.2.10', kind: 'namespace' }), { nodes: ['a1', 'lan-a', 'router', 'lan-b', 'b1'], links: [0, 1, 2] });
    assert.deepEqual(path(t, { from: 'b1', to: 'gateway', target: '10.10.2.1', kind: 'gateway' }), { nodes: ['b1', 'lan-b'], links: [2] });
    assert.deepEqual(path(t, { from: 'b2', to: 'router', target: 'fd00:a:0::fe', kind: 'namespace' })?.links, [3]); // the router holds it: b2 -> lan-b, which lives in the router
    // every probe the matrix makes has a path
    for (const p of probes(t)) assert.ok(path(t, p), `${p.from} -> ${p.target}`);
  });

  it('never goes through a namespace that does not forward; no path for an address not in the drawing', () => {
    // ns1 - mid - ns2 in a row, mid without forwarding: no path from ns1 to ns2
    const t: Topology = {
      version: 1, name: 'row',
      namespaces: [{ name: 'ns1' }, { name: 'mid' }, { name: 'ns2' }],
      links: [
        { a: { node: 'ns1', name: 'e0', addresses: ['10.1.0.1/30'] }, b: { node: 'mid', name: 'e0', addresses: ['10.1.0.2/30'] } },
        { a: { node: 'mid', name: 'e1', addresses: ['10.1.0.5/30'] }, b: { node: 'ns2', name: 'e0', addresses: ['10.1.0.6/30'] } },
      ],
    };
    assert.equal(path(t, { from: 'ns1', to: 'ns2', target: '10.1.0.6', kind: 'namespace' }), undefined);
    assert.deepEqual(path(t, { from: 'ns1', to: 'mid', target: '10.1.0.5', kind: 'namespace' }), { nodes: ['ns1', 'mid'], links: [0] });
    t.namespaces![1]!.sysctls = { 'net.ipv4.ip_forward': 1 };
    assert.deepEqual(path(t, { from: 'ns1', to: 'ns2', target: '10.1.0.6', kind: 'namespace' })?.links, [0, 1]);
    assert.equal(path(t, { from: 'ns1', to: 'gateway', target: '192.0.2.1', kind: 'gateway' }), undefined);
  });
});

describe('the matrix painted', () => {
  it('all green: every link ok, each namespace with its latency', () => {
    const t = article();
    const p = matrixPaint(t, probes(t).map((x, i) => ok(x, [0.05, 0.06, 0.07, 0.08][i])));
    assert.deepEqual(Object.keys(p.links), ['0', '1']);
    assert.ok(Object.values(p.links).every((l) => l.state === 'ok' && l.failed === 0));
    assert.equal(p.links['0']!.ok, 3); // ns1>ns2, ns1>host, ns2>ns1
    assert.deepEqual(Object.keys(p.nodes).sort(), ['ns1', 'ns2']);
    assert.equal(p.nodes.ns1!.state, 'ok');
    assert.equal(p.nodes.ns1!.maxRttMs, 0.06);
    assert.match(p.nodes.ns1!.detail, /^✓ ns2 \(10\.0\.0\.3\): 0\.05 ms\n✓ host \(10\.0\.0\.1\): 0\.06 ms$/);
    assert.equal(p.failed, 0);
    assert.equal(p.unplaced, 0);
  });

  it('veth2 down: its link red (every probe across it failed), the other mixed, ns2 red with its failing targets', () => {
    const t = article();
    const res = probes(t).map((x) => (x.from === 'ns2' || x.to === 'ns2' ? bad(x) : ok(x)));
    const p = matrixPaint(t, res);
    assert.equal(p.links['1']!.state, 'fail');
    assert.equal(p.links['0']!.state, 'mixed');
    assert.deepEqual([p.links['0']!.ok, p.links['0']!.failed], [1, 2]);
    assert.equal(p.nodes.ns2!.state, 'fail');
    assert.deepEqual(p.nodes.ns2!.failing, ['ns1 (10.0.0.2)', 'host (10.0.0.1)']);
    assert.equal(p.nodes.ns2!.maxRttMs, undefined);
    assert.equal(p.nodes.ns1!.state, 'mixed');
    assert.match(p.links['1']!.detail, /^✗ ns1 → ns2 \(10\.0\.0\.3\): no reply/);
    assert.equal(p.failed, 3);
  });

  it('a long list is cut, failures first', () => {
    const t = article();
    const many = Array.from({ length: 30 }, (_, i) => ({ from: 'ns1', to: 'ns2', target: '10.0.0.3', kind: 'namespace' as const, i }));
    const p = matrixPaint(t, many.map((x) => (x.i === 29 ? bad(x) : ok(x))));
    const lines = p.links['0']!.detail.split('\n');
    assert.equal(lines.length, 13);
    assert.match(lines[0]!, /^✗/);
    assert.equal(lines[12], '… and 18 more');
  });

  it('probes with no path are counted, not painted', () => {
    const t = article();
    const p = matrixPaint(t, [bad({ from: 'ns1', to: 'gateway', target: '192.0.2.1', kind: 'gateway' })]);
    assert.deepEqual(p.links, {});
    assert.equal(p.unplaced, 1);
    assert.equal(p.nodes.ns1!.state, 'fail');
  });
});

describe('network key', () => {
  it('ignores positions and notes, not addresses or names', () => {
    const t = article();
    const k = networkKey(t);
    const moved = structuredClone(t);
    moved.namespaces![0]!.position = { x: 1, y: 2 };
    moved.links![0]!.note = 'hello';
    assert.equal(networkKey(moved), k);
    const readdressed = structuredClone(t);
    readdressed.links![0]!.a.addresses = ['10.0.0.9/24'];
    assert.notEqual(networkKey(readdressed), k);
    const renamed = structuredClone(t);
    renamed.namespaces![1]!.name = 'ns9';
    assert.notEqual(networkKey(renamed), k);
  });
});
