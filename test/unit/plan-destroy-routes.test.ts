/**
 * Destroy of a topology with a host route through the host end of a veth whose other end is in
 * a namespace (a containerlab `host:IF` link with a host route behind it): deleting the namespace
 * takes the veth and the route with it, so no route-del may follow (it failed: Cannot find device).
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { emptyTopology, plan } from '../../src/core/plan/plan.js';
import { addr, bareHost, live, lo, ns, owned, route } from '../support/fixtures.js';

describe('destroy: routes through a host end that goes with its namespace', () => {
  it('are not deleted one by one after the namespace', () => {
    const host = bareHost();
    host.links.push(owned('lab', 'up-r1', { addresses: [addr('192.168.77.1/30')], peer: { ns: 'r1', name: 'eth3' } }));
    host.routes.push(route('10.1.0.0/24', { via: '192.168.77.2', dev: 'up-r1' }));
    const r1 = ns('r1', { owner: 'lab', links: [lo('lab'), owned('lab', 'eth3', { addresses: [addr('192.168.77.2/30')], peer: { ns: null, name: 'up-r1' } })] });
    const p = plan(emptyTopology('lab'), live({ host, namespaces: [r1] }));
    assert.deepEqual(p.errors, []);
    assert.deepEqual(p.steps.map((s) => s.step.op), ['netns-del']);
  });
});
