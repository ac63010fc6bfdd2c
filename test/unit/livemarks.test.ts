import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { liveMarks } from '../../src/core/diagnose/livemarks.js';
import { plan } from '../../src/core/plan/plan.js';
import { article, articleLive, bareHost, live } from '../support/fixtures.js';

describe('live marks on the canvas', () => {
  it('everything in sync and up when the machine matches the file', () => {
    const l = articleLive();
    const m = liveMarks(article(), plan(article(), l).objects, l);
    assert.equal(m.applied, true);
    assert.deepEqual(m.nodes, { host: { state: 'in-sync' }, ns1: { state: 'in-sync' }, ns2: { state: 'in-sync' }, br0: { state: 'in-sync' } });
    assert.deepEqual(m.links['0'], { a: { state: 'in-sync', up: true }, b: { state: 'in-sync', up: true } });
  });
  it('a link end set down shows down and drifted', () => {
    const l = articleLive();
    const v = l.namespaces.find((n) => n.name === 'ns1')!.links.find((x) => x.name === 'veth1')!;
    v.up = false;
    const m = liveMarks(article(), plan(article(), l).objects, l);
    assert.equal(m.links['0']!.a.up, false);
    assert.equal(m.links['0']!.a.state, 'drifted');
    assert.equal(m.links['0']!.b.up, true);
  });
  it('nothing applied: not applied, every node missing', () => {
    const l = live({ host: bareHost(), namespaces: [] });
    const m = liveMarks(article(), plan(article(), l).objects, l);
    assert.equal(m.applied, false);
    assert.equal(m.nodes.ns1!.state, 'missing');
    assert.equal(m.links['1']!.b.state, 'missing');
  });
});
