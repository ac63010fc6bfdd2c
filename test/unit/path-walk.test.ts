/**
 * The path walk on recorded kernel states: the two-router lab (pc1 - r1 - r2 - pc2) as observe
 * reads it, and each way it breaks: no route (there, and back), a wrong gateway, forwarding
 * off, a link down (set down, or its far end down); plus a LAN on a host bridge.
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { walkPath, lookupRoute } from '../../src/core/diagnose/path-walk.js';
import type { LiveLink, LiveState } from '../../src/core/observe/observe.js';
import { addr, link, live, lo, ns, route } from '../support/fixtures.js';

const veth = (name: string, cidr: string | undefined, peer: [string | null, string], o: Partial<LiveLink> = {}) =>
  link(name, { addresses: cidr ? [addr(cidr)] : [], peer: { ns: peer[0], name: peer[1] }, ...o });
const fwd = { 'net.ipv4.ip_forward': '1' };

/** pc1 (10.1.0.2) - r1 - (10.9.0.0/30) - r2 - pc2 (10.2.0.2): routes complete */
function twoRouters(): LiveState {
  return live({
    namespaces: [
      ns('pc1', { links: [lo(), veth('eth0', '10.1.0.2/24', ['r1', 'eth0'])], routes: [route('default', { via: '10.1.0.1', dev: 'eth0' })], sysctls: { 'net.ipv4.ip_forward': '0' } }),
      ns('r1', { links: [lo(), veth('eth0', '10.1.0.1/24', ['pc1', 'eth0']), veth('eth1', '10.9.0.1/30', ['r2', 'eth1'])], routes: [route('10.2.0.0/24', { via: '10.9.0.2', dev: 'eth1' })], sysctls: fwd }),
      ns('r2', { links: [lo(), veth('eth1', '10.9.0.2/30', ['r1', 'eth1']), veth('eth0', '10.2.0.1/24', ['pc2', 'eth0'])], routes: [route('10.1.0.0/24', { via: '10.9.0.1', dev: 'eth1' })], sysctls: fwd }),
      ns('pc2', { links: [lo(), veth('eth0', '10.2.0.2/24', ['r2', 'eth0'])], routes: [route('default', { via: '10.2.0.1', dev: 'eth0' })], sysctls: { 'net.ipv4.ip_forward': '0' } }),
    ],
  });
}
function edit(s: LiveState, name: string, f: (n: LiveState['namespaces'][number]) => void): LiveState {
  f(s.namespaces.find((n) => n.name === name)!);
  return s;
}

describe('path walk: a sound path', () => {
  it('pc1 -> pc2 through r1 and r2, and back', () => {
    const w = walkPath(twoRouters(), 'pc1', '10.2.0.2');
    assert.equal(w.ok, true, w.break?.message);
    assert.deepEqual(w.hops, [{ ns: 'pc1', dev: 'eth0', via: '10.1.0.1' }, { ns: 'r1', dev: 'eth1', via: '10.9.0.2' }, { ns: 'r2', dev: 'eth0' }]);
    assert.deepEqual(w.back, [{ ns: 'pc2', dev: 'eth0', via: '10.2.0.1' }, { ns: 'r2', dev: 'eth1', via: '10.9.0.1' }, { ns: 'r1', dev: 'eth0' }]);
  });
  it("a router's far address is delivered locally (no forwarding needed)", () => {
    const s = edit(twoRouters(), 'r1', (n) => { n.sysctls = { 'net.ipv4.ip_forward': '0' }; });
    assert.equal(walkPath(s, 'pc1', '10.9.0.1').ok, true);
  });
  it('the longest prefix wins over the default route', () => {
    const n = ns('x', { links: [veth('eth0', '10.0.0.2/24', ['y', 'eth0'])], routes: [route('default', { via: '10.0.0.1', dev: 'eth0' }), route('10.5.0.0/16', { via: '10.0.0.9', dev: 'eth0' })] });
    assert.equal(lookupRoute(n, '10.5.1.1')?.route.via, '10.0.0.9');
    assert.equal(lookupRoute(n, '10.6.1.1')?.route.via, '10.0.0.1');
    assert.equal(lookupRoute(n, '10.0.0.7')?.route.dev, 'eth0');
  });
});

describe('path walk: where it breaks', () => {
  it('no route (r1 lost its route to LAN 2)', () => {
    const w = walkPath(edit(twoRouters(), 'r1', (n) => { n.routes = []; }), 'pc1', '10.2.0.2');
    assert.deepEqual(w.break, { kind: 'no-route', at: 'r1', back: false, message: 'r1 has no route to 10.2.0.2: packets from pc1 stop at r1' });
  });
  it('no return route (r2 lost its route back to LAN 1)', () => {
    const w = walkPath(edit(twoRouters(), 'r2', (n) => { n.routes = []; }), 'pc1', '10.2.0.2');
    assert.equal(w.ok, false);
    assert.deepEqual(w.break, { kind: 'no-route', at: 'r2', back: true, message: 'r2 has no route to 10.1.0.2: answers to pc1 (10.1.0.2) stop at r2' });
    assert.equal(w.hops.length, 3, 'the way there was fine');
  });
  it('a wrong gateway (r1 sends LAN 2 to 10.9.0.3, which nobody has)', () => {
    const w = walkPath(edit(twoRouters(), 'r1', (n) => { n.routes = [route('10.2.0.0/24', { via: '10.9.0.3', dev: 'eth1' })]; }), 'pc1', '10.2.0.2');
    assert.equal(w.break?.kind, 'wrong-gateway');
    assert.equal(w.break?.at, 'r1');
    assert.match(w.break!.message, /^r1's gateway 10\.9\.0\.3 for 10\.2\.0\.2 is not on eth1's link/);
  });
  it('forwarding off in r2', () => {
    const w = walkPath(edit(twoRouters(), 'r2', (n) => { n.sysctls = { 'net.ipv4.ip_forward': '0' }; }), 'pc1', '10.2.0.2');
    assert.deepEqual(w.break, { kind: 'forwarding-off', at: 'r2', back: false, message: 'r2 does not forward (net.ipv4.ip_forward is 0): packets from pc1 stop at r2' });
  });
  it("a link down: r1's eth1 set down; or its far end (r2's eth1) down", () => {
    const down = walkPath(edit(twoRouters(), 'r1', (n) => { n.links[2]!.up = false; n.links[2]!.operstate = 'DOWN'; }), 'pc1', '10.2.0.2');
    // the kernel drops a down link's routes; the recorded route still names eth1 here, and the walk says why it is useless
    assert.deepEqual([down.break?.kind, down.break?.at], ['link-down', 'r1']);
    assert.match(down.break!.message, /^eth1 in r1 is down \(set down\)/);
    const far = walkPath(edit(twoRouters(), 'r2', (n) => { n.links[1]!.up = false; n.links[1]!.operstate = 'DOWN'; }), 'pc1', '10.2.0.2');
    assert.deepEqual([far.break?.kind, far.break?.at], ['link-down', 'r2']);
    assert.match(far.break!.message, /^the other end of eth1 \(eth1 in r2\) is down/);
  });
  it('a source that does not exist, and a destination nobody on the link has', () => {
    assert.equal(walkPath(twoRouters(), 'pc9', '10.2.0.2').break?.kind, 'no-source');
    const w = walkPath(twoRouters(), 'pc1', '10.1.0.99');
    assert.deepEqual([w.break?.kind, w.break?.message], ['no-neighbour', "nobody on eth0's link in pc1 has 10.1.0.99: packets from pc1 stop at pc1"]);
  });
});

describe('path walk: a LAN on a host bridge', () => {
  function lan(): LiveState {
    return live({
      host: ns(null, {
        links: [lo(), link('br0', { kind: 'bridge', addresses: [addr('10.0.0.1/24')] }),
          veth('v1', undefined, ['ns1', 'eth0'], { master: 'br0' }), veth('v2', undefined, ['ns2', 'eth0'], { master: 'br0' })],
        sysctls: { 'net.ipv4.ip_forward': '0' },
      }),
      namespaces: [
        ns('ns1', { links: [lo(), veth('eth0', '10.0.0.2/24', [null, 'v1'])], routes: [route('default', { via: '10.0.0.1', dev: 'eth0' })] }),
        ns('ns2', { links: [lo(), veth('eth0', '10.0.0.3/24', [null, 'v2'])], routes: [route('default', { via: '10.0.0.1', dev: 'eth0' })] }),
      ],
    });
  }
  it('ns1 reaches ns2 across the bridge and the host (its gateway) on it', () => {
    assert.deepEqual(walkPath(lan(), 'ns1', '10.0.0.3'), { ok: true, hops: [{ ns: 'ns1', dev: 'eth0' }], back: [{ ns: 'ns2', dev: 'eth0' }] });
    assert.equal(walkPath(lan(), 'ns1', '10.0.0.1').ok, true);
  });
  it('a port set down cuts ns2 off; the host, as gateway, does not forward', () => {
    const s = lan();
    s.host.links[3]!.up = false;
    assert.equal(walkPath(s, 'ns1', '10.0.0.3').break?.kind, 'no-neighbour');
    const w = walkPath(lan(), 'ns1', '10.7.0.5');
    assert.deepEqual([w.break?.kind, w.break?.at], ['forwarding-off', null]);
    assert.match(w.break!.message, /^the host does not forward/);
  });
});
