/**
 * The doctor follows the path: the fix of each break the walk names, on the two-router lab
 * (pc1 - r1 - r2 - pc2). A cause in the file (a route it never had, a router without
 * forwarding, a link it keeps down, a wrong gateway) is an edit of the file, and that edit,
 * applied to the text, gives a topology whose own kernel state walks through; a cause only in
 * the kernel (the file has what the kernel lost) is a live fix.
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { applyGesture } from '../../src/core/edit/edits.js';
import type { Topology } from '../../src/core/model/model.js';
import type { LiveLink, LiveState } from '../../src/core/observe/observe.js';
import { pathFix } from '../../src/core/diagnose/path-fix.js';
import { walkPath } from '../../src/core/diagnose/path-walk.js';
import { validateText } from '../../src/core/model/validate.js';
import { addr, link, live, lo, ns, route } from '../support/fixtures.js';

const FILE = `{
  "version": 1,
  "name": "two",
  "namespaces": [
    { "name": "pc1", "routes": [{ "to": "default", "via": "10.1.0.1" }] },
    { "name": "r1", "sysctls": { "net.ipv4.ip_forward": 1 }, "routes": [{ "to": "10.2.0.0/24", "via": "10.9.0.2" }] },
    { "name": "r2", "sysctls": { "net.ipv4.ip_forward": 1 }, "routes": [{ "to": "10.1.0.0/24", "via": "10.9.0.1" }] },
    { "name": "pc2", "routes": [{ "to": "default", "via": "10.2.0.1" }] }
  ],
  "links": [
    { "a": { "node": "pc1", "name": "eth0", "addresses": ["10.1.0.2/24"] }, "b": { "node": "r1", "name": "eth0", "addresses": ["10.1.0.1/24"] } },
    { "a": { "node": "r1", "name": "eth1", "addresses": ["10.9.0.1/30"] }, "b": { "node": "r2", "name": "eth1", "addresses": ["10.9.0.2/30"] } },
    { "a": { "node": "r2", "name": "eth0", "addresses": ["10.2.0.1/24"] }, "b": { "node": "pc2", "name": "eth0", "addresses": ["10.2.0.2/24"] } }
  ]
}
`;

function topo(text: string): Topology {
  const v = validateText(text);
  assert.deepEqual(v.diagnostics.filter((d) => d.severity === 'error'), []);
  return v.topology!;
}

const veth = (name: string, cidr: string, peer: [string | null, string], o: Partial<LiveLink> = {}) => link(name, { addresses: [addr(cidr)], peer: { ns: peer[0], name: peer[1] }, ...o });

/** the kernel state a topology asks for (the two-router shape), from the file's routes and sysctls */
function stateOf(t: Topology, tweak: (s: LiveState) => void = () => {}): LiveState {
  const nsOf = (n: string) => t.namespaces!.find((x) => x.name === n)!;
  const routes = (n: string, dev: (via: string) => string) => (nsOf(n).routes ?? []).map((r) => route(r.to, { via: r.via, dev: dev(r.via!) }));
  const fwd = (n: string) => ({ ...Object.fromEntries(Object.entries(nsOf(n).sysctls ?? {}).map(([k, v]) => [k, String(v)])), 'net.ipv4.ip_forward': String(nsOf(n).sysctls?.['net.ipv4.ip_forward'] ?? 0) });
  const up = (i: number) => t.links![i]!.up ?? true;
  const mtu = (i: number, side: 'a' | 'b') => t.links![i]![side].mtu ?? t.links![i]!.mtu ?? 1500;
  const s = live({
    namespaces: [
      ns('pc1', { links: [lo(), veth('eth0', '10.1.0.2/24', ['r1', 'eth0'], { up: up(0) })], routes: routes('pc1', () => 'eth0'), sysctls: fwd('pc1') }),
      ns('r1', { links: [lo(), veth('eth0', '10.1.0.1/24', ['pc1', 'eth0'], { up: up(0) }), veth('eth1', '10.9.0.1/30', ['r2', 'eth1'], { up: up(1), mtu: mtu(1, 'a') })], routes: routes('r1', (v) => (v.startsWith('10.9.') ? 'eth1' : 'eth0')), sysctls: fwd('r1') }),
      ns('r2', { links: [lo(), veth('eth1', '10.9.0.2/30', ['r1', 'eth1'], { up: up(1), mtu: mtu(1, 'b') }), veth('eth0', '10.2.0.1/24', ['pc2', 'eth0'], { up: up(2) })], routes: routes('r2', (v) => (v.startsWith('10.9.') ? 'eth1' : 'eth0')), sysctls: fwd('r2') }),
      ns('pc2', { links: [lo(), veth('eth0', '10.2.0.2/24', ['r2', 'eth0'], { up: up(2) })], routes: routes('pc2', () => 'eth0'), sysctls: fwd('pc2') }),
    ],
  });
  tweak(s);
  return s;
}

/** the fix of pc1 -> pc2 on the file's own state; a file fix is applied and the walk is tried again */
function fixAndWalk(text: string) {
  const t = topo(text);
  const w = walkPath(stateOf(t), 'pc1', '10.2.0.2');
  const fix = pathFix(t, w);
  if (fix?.where !== 'file') return { w, fix };
  const fixed = applyGesture(text, t, { kind: 'set', ...fix.change });
  return { w, fix, fixed, after: walkPath(stateOf(topo(fixed)), 'pc1', '10.2.0.2') };
}

describe('path fix: the cause is in the file', () => {
  it('a sound lab needs no fix', () => {
    const t = topo(FILE);
    assert.equal(walkPath(stateOf(t), 'pc1', '10.2.0.2').ok, true);
    assert.equal(pathFix(t, walkPath(stateOf(t), 'pc1', '10.2.0.2')), undefined);
  });

  it('r2 has no route back to LAN 1: add it via r1', () => {
    const r = fixAndWalk(FILE.replace(', "routes": [{ "to": "10.1.0.0/24", "via": "10.9.0.1" }]', ''));
    assert.equal(r.w.break?.message, 'r2 has no route to 10.1.0.2: answers to pc1 (10.1.0.2) stop at r2');
    assert.equal(r.w.towards, '10.1.0.2');
    assert.equal(r.fix?.where, 'file');
    assert.equal(r.fix?.summary, 'add the route 10.1.0.0/24 via 10.9.0.1 to r2');
    assert.match(r.fixed!, /"name": "r2",\s*"sysctls": \{\s*"net.ipv4.ip_forward": 1\s*\},\s*"routes": \[\s*\{\s*"to": "10.1.0.0\/24",\s*"via": "10.9.0.1"\s*\}\s*\]/);
    assert.equal(r.after?.ok, true, r.after?.break?.message);
  });

  it('pc1 has no default route: via r1, the router on its LAN that knows the way', () => {
    const r = fixAndWalk(FILE.replace('{ "name": "pc1", "routes": [{ "to": "default", "via": "10.1.0.1" }] }', '{ "name": "pc1" }'));
    assert.equal(r.w.break?.kind, 'no-route');
    assert.equal(r.fix?.summary, 'add the route 10.2.0.0/24 via 10.1.0.1 to pc1');
    assert.equal(r.after?.ok, true, r.after?.break?.message);
  });

  it('r1 does not forward: the file gains its ip_forward', () => {
    const r = fixAndWalk(FILE.replace('{ "name": "r1", "sysctls": { "net.ipv4.ip_forward": 1 }, ', '{ "name": "r1", '));
    assert.equal(r.w.break?.kind, 'forwarding-off');
    assert.equal(r.fix?.summary, 'let r1 forward (net.ipv4.ip_forward: 1)');
    assert.equal(r.after?.ok, true, r.after?.break?.message);
  });

  it('the middle link is kept down in the file: "up": false goes', () => {
    const text = FILE.replace('"addresses": ["10.9.0.2/30"] } }', '"addresses": ["10.9.0.2/30"] }, "up": false }');
    const r = fixAndWalk(text);
    assert.equal(r.w.break?.kind, 'link-down');
    assert.equal(r.fix?.summary, 'bring the link of eth1 in r1 up (the file keeps it down: "up": false)');
    assert.doesNotMatch(r.fixed!, /"up": false/);
    assert.equal(r.after?.ok, true, r.after?.break?.message);
  });

  it('the kernel dropped the routes of that link (as it does): no route at r1, still the link kept down in the file', () => {
    const text = FILE.replace('"addresses": ["10.9.0.2/30"] } }', '"addresses": ["10.9.0.2/30"] }, "up": false }');
    const t = topo(text);
    const w = walkPath(stateOf(t, (s) => { s.namespaces.find((n) => n.name === 'r1')!.routes = []; }), 'pc1', '10.2.0.2');
    assert.equal(w.break?.message, 'r1 has no route to 10.2.0.2: packets from pc1 stop at r1');
    assert.equal(pathFix(t, w)?.summary, 'bring the link of eth1 in r1 up (the file keeps it down: "up": false)');
  });

  it("r1's route to LAN 2 points at a gateway nobody has: r2's address instead", () => {
    const r = fixAndWalk(FILE.replace('"to": "10.2.0.0/24", "via": "10.9.0.2"', '"to": "10.2.0.0/24", "via": "10.9.0.3"'));
    assert.equal(r.w.break?.kind, 'wrong-gateway');
    assert.equal(r.fix?.summary, 'route 10.2.0.0/24 of r1 via 10.9.0.2 instead of 10.9.0.3');
    assert.equal(r.after?.ok, true, r.after?.break?.message);
  });
});

describe('path fix: the file has it, the kernel lost it', () => {
  it('a route deleted by hand: apply again', () => {
    const t = topo(FILE);
    const w = walkPath(stateOf(t, (s) => { s.namespaces.find((n) => n.name === 'r2')!.routes = []; }), 'pc1', '10.2.0.2');
    assert.deepEqual(pathFix(t, w), { where: 'live', summary: 'the file gives r2 a way to 10.1.0.2 that the kernel lost: apply again to restore it' });
  });
  it('forwarding turned off by hand: apply again', () => {
    const t = topo(FILE);
    const w = walkPath(stateOf(t, (s) => { s.namespaces.find((n) => n.name === 'r1')!.sysctls = { 'net.ipv4.ip_forward': '0' }; }), 'pc1', '10.2.0.2');
    assert.equal(pathFix(t, w)?.where, 'live');
  });
  it('a link set down by hand: set it up again', () => {
    const t = topo(FILE);
    const w = walkPath(stateOf(t, (s) => { s.namespaces.find((n) => n.name === 'r1')!.links[2]!.up = false; }), 'pc1', '10.2.0.2');
    assert.deepEqual(pathFix(t, w), { where: 'live', summary: 'the file has the link of eth1 in r1 up: set it up again (Set Link Up, or apply)' });
  });
  it('no router knows the way: no fix is made up', () => {
    const t = topo(FILE.replace(', "routes": [{ "to": "10.2.0.0/24", "via": "10.9.0.2" }]', '').replace('{ "name": "pc1", "routes": [{ "to": "default", "via": "10.1.0.1" }] }', '{ "name": "pc1" }'));
    const w = walkPath(stateOf(t), 'pc1', '10.2.0.2');
    assert.equal(w.break?.kind, 'no-route');
    assert.equal(pathFix(t, w), undefined);
  });
});

describe('path walk: the far end of a LAN is down', () => {
  it("ns2's own end set down: the walk stops at ns2, naming its interface (not a wrong gateway)", () => {
    const s = live({
      host: ns(null, {
        links: [lo(), link('br0', { kind: 'bridge', addresses: [addr('10.0.0.1/24')] }),
          link('v1', { master: 'br0', peer: { ns: 'ns1', name: 'eth0' } }), link('v2', { master: 'br0', peer: { ns: 'ns2', name: 'eth0' } })],
      }),
      namespaces: [
        ns('ns1', { links: [lo(), veth('eth0', '10.0.0.2/24', [null, 'v1'])], routes: [route('default', { via: '10.0.0.1', dev: 'eth0' })] }),
        ns('ns2', { links: [lo(), veth('eth0', '10.0.0.3/24', [null, 'v2'], { up: false })], routes: [] }),
      ],
    });
    const w = walkPath(s, 'ns1', '10.0.0.3');
    assert.deepEqual(w.break, { kind: 'link-down', at: 'ns2', back: false, message: 'eth0 in ns2 (10.0.0.3) is down (set down): packets from ns1 stop at ns2' });
    assert.deepEqual(w.down, { ns: 'ns2', dev: 'eth0' });
  });
});

describe('path fix: rp_filter, MTU, FORWARD, masquerade, DNS', () => {
  const RP = 'net.ipv4.conf.all.rp_filter';
  /** r2 routes LAN 1 back through eth0 (pc2's side): asymmetric */
  const asym = (s: LiveState) => { s.namespaces.find((n) => n.name === 'r2')!.routes = [route('10.1.0.0/24', { via: '10.2.0.2', dev: 'eth0' })]; };
  it('strict rp_filter that the file sets on r2: the file makes it loose (2)', () => {
    const text = FILE.replace('{ "name": "r2", "sysctls": { "net.ipv4.ip_forward": 1 }', `{ "name": "r2", "sysctls": { "net.ipv4.ip_forward": 1, "${RP}": 1 }`);
    const t = topo(text);
    const w = walkPath(stateOf(t, asym), 'pc1', '10.2.0.2');
    assert.equal(w.break?.message, 'r2 drops packets from 10.1.0.2 arriving on eth1: rp_filter is strict and its route back leaves by eth0');
    const fix = pathFix(t, w);
    assert.deepEqual(fix, { where: 'file', summary: `loose reverse-path filtering in r2 (${RP}: 2)`, change: { target: { type: 'namespace', name: 'r2' }, field: 'sysctls', value: { 'net.ipv4.ip_forward': 1, [RP]: 2 } } });
    const fixed = applyGesture(text, t, { kind: 'set', ...(fix as Extract<typeof fix, { where: 'file' }>).change });
    assert.notEqual(walkPath(stateOf(topo(fixed), asym), 'pc1', '10.2.0.2').break?.kind, 'rp-filter');
  });
  it('strict rp_filter the kernel has but the file does not say: the file gains the loose value; the file says loose: apply again', () => {
    const t = topo(FILE);
    const w = walkPath(stateOf(t, (s) => { asym(s); s.namespaces.find((n) => n.name === 'r2')!.sysctls[RP] = '1'; }), 'pc1', '10.2.0.2');
    assert.equal(pathFix(t, w)?.where, 'file');
    const loose = topo(FILE.replace('{ "name": "r2", "sysctls": { "net.ipv4.ip_forward": 1 }', `{ "name": "r2", "sysctls": { "net.ipv4.ip_forward": 1, "${RP}": 2 }`));
    assert.equal(pathFix(loose, w)?.where, 'live');
  });
  it("r2's end of the middle link has a smaller MTU in the file: r1's end takes it", () => {
    const text = FILE.replace('"addresses": ["10.9.0.2/30"] }', '"addresses": ["10.9.0.2/30"], "mtu": 1400 }');
    const r = fixAndWalk(text);
    assert.equal(r.w.break?.kind, 'mtu');
    assert.deepEqual(r.fix, { where: 'file', summary: 'MTU 1400 on eth1 in r1, as on its other end (eth1 in r2)', change: { target: { type: 'link', index: 1, side: 'a' }, field: 'mtu', value: 1400 } });
    assert.equal(r.after?.ok, true, r.after?.break?.message);
    // the file gives both ends one MTU: the kernel drifted
    const t = topo(FILE);
    assert.equal(pathFix(t, walkPath(stateOf(t, (s) => { s.namespaces.find((n) => n.name === 'r2')!.links[1]!.mtu = 1400; }), 'pc1', '10.2.0.2'))?.where, 'live');
  });
  const broke = (kind: 'forward-drop' | 'no-masquerade' | 'dns', at: string | null, extra = {}) => ({ ok: false, hops: [], back: [], break: { kind, at, back: false, message: '' }, ...extra });
  it("FORWARD drops: the file has no firewall rules, so the fix is the doctor's live repair", () => {
    assert.equal(pathFix(topo(FILE), broke('forward-drop', null))?.where, 'live');
  });
  it('a source leaving unmasqueraded: the file gets an uplink first, then the subnet joins host.masquerade (already there: apply again)', () => {
    const t = topo(FILE);
    const first = pathFix(t, broke('no-masquerade', null, { source: '10.1.0.2' }));
    assert.deepEqual(first, { where: 'file', summary: 'give the host an uplink ("uplink": "auto"), then masquerade 10.1.0.0/24 out of it (host.masquerade)', change: { target: { type: 'host' }, field: 'uplink', value: 'auto' } });
    const withUplink = applyGesture(FILE, t, { kind: 'set', ...(first as Extract<typeof first, { where: 'file' }>).change });
    const t2 = topo(withUplink);
    const fix = pathFix(t2, broke('no-masquerade', null, { source: '10.1.0.2' }));
    assert.deepEqual(fix, { where: 'file', summary: 'masquerade 10.1.0.0/24 out of the uplink: add it to host.masquerade', change: { target: { type: 'host' }, field: 'masquerade', value: ['10.1.0.0/24'] } });
    const fixed = topo(applyGesture(withUplink, t2, { kind: 'set', ...(fix as Extract<typeof fix, { where: 'file' }>).change }));
    assert.deepEqual(fixed.host, { uplink: 'auto', masquerade: ['10.1.0.0/24'] });
    assert.equal(pathFix(fixed, broke('no-masquerade', null, { source: '10.1.0.2' }))?.where, 'live');
  });
  it('a namespace without a usable resolver: "dns": "inherit" in the file (it has dns: apply again)', () => {
    const t = topo(FILE);
    const fix = pathFix(t, broke('dns', 'pc1'));
    assert.deepEqual(fix, { where: 'file', summary: 'give pc1 the host\'s upstream DNS servers ("dns": "inherit")', change: { target: { type: 'namespace', name: 'pc1' }, field: 'dns', value: 'inherit' } });
    const fixed = applyGesture(FILE, t, { kind: 'set', ...(fix as Extract<typeof fix, { where: 'file' }>).change });
    assert.equal(topo(fixed).namespaces!.find((n) => n.name === 'pc1')!.dns, 'inherit');
    assert.equal(pathFix(topo(fixed), broke('dns', 'pc1'))?.where, 'live');
  });
});
