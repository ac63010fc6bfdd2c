/** Canvas gestures -> minimal text edits of the topology file. */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { describe, it } from 'node:test';
import { applyGesture, freeAddress, minimalEdit, nextName, proposeLink, EditError, type GestureInput } from '../../src/core/edit/edits.js';
import { decideEdit } from '../../src/core/edit/edit-policy.js';
import { parseCidr } from '../../src/core/model/ip.js';
import { renumber } from '../../src/core/edit/renumber.js';
import type { Topology } from '../../src/core/model/model.js';
import { validateText } from '../../src/core/model/validate.js';

const TEXT = readFileSync(new URL('../../../examples/article.netns.json', import.meta.url), 'utf8');
const T = () => validateText(TEXT).topology!;
const apply = (g: GestureInput, text = TEXT) => applyGesture(text, validateText(text).topology ?? (JSON.parse(text) as Topology), g);
const parse = (s: string) => JSON.parse(s) as Topology;

function applyEdit(a: string, e: { offset: number; length: number; text: string } | undefined): string {
  return e ? a.slice(0, e.offset) + e.text + a.slice(e.offset + e.length) : a;
}

describe('minimalEdit', () => {
  it('turns a into b with one replacement, for many pairs', () => {
    const samples = ['', 'a', 'abc', 'abXc', '{"a":1}', '{"a":12}', 'xxxx', 'xyxyxy', 'line\nline\n', 'ab', 'ba'];
    for (const a of samples) for (const b of samples) assert.equal(applyEdit(a, minimalEdit(a, b)), b, `${a} -> ${b}`);
  });
  it('keeps the common prefix and suffix out of the edit', () => {
    assert.deepEqual(minimalEdit('{"x": 10, "y": 20}', '{"x": 11, "y": 20}'), { offset: 7, length: 1, text: '1' });
    assert.equal(minimalEdit('same', 'same'), undefined);
  });
});

describe('gestures', () => {
  it('add-node puts a new namespace at the end, named ns3, and leaves the rest of the file as it was', () => {
    const out = apply({ kind: 'add-node', node: 'namespace', position: { x: 600.4, y: 339.6 } });
    const t = parse(out);
    assert.deepEqual(t.namespaces!.at(-1), { name: 'ns3', position: { x: 600, y: 340 } });
    const e = minimalEdit(TEXT, out)!;
    assert.equal(e.length, 0, 'a pure insertion');
    assert.equal(validateText(out).ok, true);
  });

  it('add-node router enables forwarding; bridge and host get their own names and places', () => {
    assert.deepEqual(parse(apply({ kind: 'add-node', node: 'router', position: { x: 1, y: 2 } })).namespaces!.at(-1),
      { name: 'r1', sysctls: { 'net.ipv4.ip_forward': 1 }, position: { x: 1, y: 2 } });
    assert.deepEqual(parse(apply({ kind: 'add-node', node: 'bridge', position: { x: 1, y: 2 } })).bridges!.at(-1), { name: 'br1', position: { x: 1, y: 2 } });
    assert.throws(() => apply({ kind: 'add-node', node: 'host', position: { x: 0, y: 0 } }), EditError);
    const noHost = JSON.stringify({ version: 1, name: 'x' }, null, 2);
    assert.deepEqual(parse(apply({ kind: 'add-node', node: 'host', position: { x: 5, y: 6 } }, noHost)).host, { position: { x: 5, y: 6 } });
  });

  it('move changes only the positions', () => {
    const out = apply({ kind: 'move', moves: [{ node: 'ns1', position: { x: 151, y: 341 } }, { node: 'host', position: { x: 10, y: 20 } }] });
    const a = parse(TEXT);
    const b = parse(out);
    assert.deepEqual(b.namespaces![0]!.position, { x: 151, y: 341 });
    assert.deepEqual(b.host!.position, { x: 10, y: 20 });
    b.namespaces![0]!.position = a.namespaces![0]!.position;
    b.host!.position = a.host!.position;
    assert.deepEqual(b, a);
    assert.throws(() => apply({ kind: 'move', moves: [{ node: 'nope', position: { x: 0, y: 0 } }] }), /no node 'nope'/);
    // the inline position keeps its one line
    assert.match(out, /"position": \{ "x": 151, "y": 341 \}/);
    assert.deepEqual(minimalEdit(TEXT, apply({ kind: 'move', moves: [{ node: 'br0', position: { x: 301, y: 200 } }] })), { offset: TEXT.indexOf('"x": 300, "y": 200') + 7, length: 1, text: '1' });
  });

  it('add-link from a new namespace to br0 proposes names, a free address and the default route via the bridge', () => {
    const withNs = apply({ kind: 'add-node', node: 'namespace', position: { x: 0, y: 0 } });
    const out = apply({ kind: 'add-link', a: 'ns3', b: 'br0' }, withNs);
    const t = parse(out);
    assert.deepEqual(t.links!.at(-1), { a: { node: 'ns3', name: 'eth0', addresses: ['10.0.0.4/24'] }, b: { node: 'br0', name: 'ns3-br0' } });
    assert.deepEqual(t.namespaces!.at(-1)!.routes, [{ to: 'default', via: '10.0.0.1' }]);
    assert.equal(validateText(out).ok, true);
  });

  it('add-link from namespaces to a router proposes /30s and the default route via the router\'s address on each link (issue 15 item 3)', () => {
    const pool = { pool: '10.99.0.0/16' };
    const empty = '{\n  "version": 1,\n  "name": "lab",\n  "namespaces": []\n}\n';
    const step = (text: string, g: GestureInput) => applyGesture(text, validateText(text).topology ?? parse(text), g, pool);
    let text = step(empty, { kind: 'add-node', node: 'router', position: { x: 0, y: 0 } });
    text = step(text, { kind: 'add-node', node: 'namespace', position: { x: 100, y: 0 } });
    text = step(text, { kind: 'add-node', node: 'namespace', position: { x: 200, y: 0 } });
    text = step(text, { kind: 'add-link', a: 'ns1', b: 'r1' });
    text = step(text, { kind: 'add-link', a: 'r1', b: 'ns2' });
    const t = parse(text);
    assert.deepEqual(t.links!.map((l) => [l.a.addresses, l.b.addresses]), [[['10.99.0.1/30'], ['10.99.0.2/30']], [['10.99.0.5/30'], ['10.99.0.6/30']]]);
    const routes = (n: string) => t.namespaces!.find((x) => x.name === n)!.routes;
    assert.deepEqual(routes('ns1'), [{ to: 'default', via: '10.99.0.2' }]);
    assert.deepEqual(routes('ns2'), [{ to: 'default', via: '10.99.0.5' }]);
    assert.equal(routes('r1'), undefined, 'the router gets no default route from its LANs');
    assert.equal(validateText(text).ok, true, JSON.stringify(validateText(text).diagnostics));
    // a namespace that already has a default route keeps it; a second router link adds none
    text = step(text, { kind: 'add-node', node: 'router', position: { x: 0, y: 100 } });
    text = step(text, { kind: 'add-link', a: 'ns1', b: 'r2' });
    assert.deepEqual(parse(text).namespaces!.find((x) => x.name === 'ns1')!.routes, [{ to: 'default', via: '10.99.0.2' }]);
    // router to router: no default either way
    text = step(text, { kind: 'add-link', a: 'r1', b: 'r2' });
    const after = parse(text);
    assert.equal(after.namespaces!.find((x) => x.name === 'r1')!.routes, undefined);
    assert.equal(after.namespaces!.find((x) => x.name === 'r2')!.routes, undefined);
    // without a pool (no addresses on the link) there is no gateway to propose
    const bare = apply({ kind: 'add-node', node: 'router', position: { x: 0, y: 0 } }, empty);
    const bare2 = apply({ kind: 'add-node', node: 'namespace', position: { x: 0, y: 0 } }, bare);
    const bare3 = apply({ kind: 'add-link', a: 'ns1', b: 'r1' }, bare2);
    assert.equal(parse(bare3).namespaces!.find((x) => x.name === 'ns1')!.routes, undefined);
  });

  it('add-link between two namespaces names both ends and leaves addresses to the user', () => {
    assert.deepEqual(proposeLink(T(), 'ns1', 'ns2'), { a: { node: 'ns1', name: 'eth0' }, b: { node: 'ns2', name: 'eth0' } });
    assert.throws(() => apply({ kind: 'add-link', a: 'ns1', b: 'ns1' }), /two different nodes/);
  });

  it('with an address pool, a link between two namespaces gets the first free /30 of it', () => {
    assert.deepEqual(proposeLink(T(), 'ns1', 'ns2', '10.99.0.0/16'), {
      a: { node: 'ns1', name: 'eth0', addresses: ['10.99.0.1/30'] }, b: { node: 'ns2', name: 'eth0', addresses: ['10.99.0.2/30'] },
    });
    // a /30 already used is skipped
    const t = T();
    t.links![0]!.a.addresses = ['10.99.0.1/30'];
    assert.deepEqual(proposeLink(t, 'ns1', 'ns2', '10.99.0.0/16').a.addresses, ['10.99.0.5/30']);
    // links to a bridge keep the bridge's subnet
    assert.deepEqual(proposeLink(T(), 'ns1', 'br0', '10.99.0.0/16').a.addresses, ['10.0.0.4/24']);
  });

  it('delete removes the node and every link that touches it', () => {
    const t = parse(apply({ kind: 'delete', nodes: ['ns1'], links: [] }));
    assert.deepEqual(t.namespaces!.map((n) => n.name), ['ns2']);
    assert.deepEqual(t.links!.map((l) => l.a.name), ['veth2']);
    const t2 = parse(apply({ kind: 'delete', nodes: ['br0'], links: [] }));
    assert.deepEqual(t2.links, []);
    assert.deepEqual(t2.bridges, []);
    const t3 = parse(apply({ kind: 'delete', nodes: [], links: [1, 0] }));
    assert.deepEqual(t3.links, []);
    assert.equal(t3.namespaces!.length, 2);
  });

  it('rename keeps references consistent (links, bridges inside the namespace, routes through a bridge)', () => {
    const t = parse(apply({ kind: 'rename', from: 'ns1', to: 'client' }));
    assert.deepEqual(t.namespaces!.map((n) => n.name), ['client', 'ns2']);
    assert.equal(t.links![0]!.a.node, 'client');
    const routed = readFileSync(new URL('../../../examples/routed.netns.json', import.meta.url), 'utf8');
    const r = parse(apply({ kind: 'rename', from: 'router', to: 'gw' }, routed));
    assert.equal(r.bridges!.find((b) => b.name === 'lan-b')!.in, 'gw');
    assert.equal(validateText(apply({ kind: 'rename', from: 'lan-a', to: 'lan-x' }, routed)).ok, true);
    assert.throws(() => apply({ kind: 'rename', from: 'ns1', to: 'ns2' }), /already taken/);
    assert.throws(() => apply({ kind: 'rename', from: 'br0', to: 'a-very-long-bridge' }), /15/);
  });

  it('rename and delete carry VXLAN devices and physical interfaces along (the interface itself stays the host\'s)', () => {
    const t = T();
    t.vxlans = [{ name: 'vx0', node: 'ns1', vni: 42, local: '192.0.2.1', remote: '192.0.2.2', addresses: ['10.9.0.1/24'] }];
    t.physical = [{ dev: 'eth1', bridge: 'br0' }, { dev: 'eth2', macvlan: { node: 'ns1', name: 'lan0' } }];
    const text = JSON.stringify(t, null, 2);
    const r = apply({ kind: 'rename', from: 'ns1', to: 'client' }, text);
    assert.equal(validateText(r).ok, true, JSON.stringify(validateText(r).diagnostics));
    assert.deepEqual([parse(r).vxlans![0]!.node, parse(r).physical![1]!.macvlan!.node], ['client', 'client']);
    const rb = apply({ kind: 'rename', from: 'br0', to: 'lan' }, text);
    assert.equal(parse(rb).physical![0]!.bridge, 'lan');
    assert.equal(validateText(rb).ok, true);
    const d = apply({ kind: 'delete', nodes: ['ns1', 'br0'], links: [] }, text);
    assert.deepEqual([parse(d).vxlans, parse(d).physical], [[], []]);
    assert.deepEqual(validateText(d).diagnostics.filter((x) => x.code === 'unknown-node'), [], 'no dangling reference');
  });

  it('set writes one field and null removes it', () => {
    const t = parse(apply({ kind: 'set', target: { type: 'namespace', name: 'ns1' }, field: 'internet', value: false }));
    assert.equal(t.namespaces![0]!.internet, false);
    const t2 = parse(apply({ kind: 'set', target: { type: 'link', index: 0, side: 'a' }, field: 'addresses', value: ['10.0.0.9/24'] }));
    assert.deepEqual(t2.links![0]!.a.addresses, ['10.0.0.9/24']);
    const t3 = parse(apply({ kind: 'set', target: { type: 'namespace', name: 'ns1' }, field: 'dns', value: null }));
    assert.equal('dns' in t3.namespaces![0]!, false);
  });

  it('paste copies nodes with the links among them under free names, without duplicating addresses', () => {
    const t = T();
    const out = apply({ kind: 'paste', namespaces: [t.namespaces![0]], bridges: [t.bridges![0]], links: [t.links![0]], offset: { x: 40, y: 40 } });
    const p = parse(out);
    assert.deepEqual(p.namespaces!.map((n) => n.name), ['ns1', 'ns2', 'ns3']);
    assert.deepEqual(p.bridges!.map((b) => b.name), ['br0', 'br1']);
    assert.deepEqual(p.links!.at(-1), { a: { node: 'ns3', name: 'veth1' }, b: { node: 'br1', name: 'veth1' } });
    assert.deepEqual(p.namespaces!.at(-1)!.position, { x: 190, y: 380 });
    // no duplicate address, and no route or internet access the copy cannot have yet: a valid file
    assert.deepEqual(validateText(out).diagnostics.filter((d) => d.severity === 'error'), []);
    assert.equal(p.namespaces!.at(-1)!.routes, undefined);
  });

  it('an undo is the reverse minimal edit: the text round-trips exactly', () => {
    const out = apply({ kind: 'move', moves: [{ node: 'br0', position: { x: 333, y: 222 } }] });
    const redo = minimalEdit(TEXT, out)!;
    const undo = minimalEdit(out, TEXT)!;
    assert.equal(applyEdit(applyEdit(TEXT, redo), undo), TEXT);
  });
});

describe('deleting from arrays written on one line', () => {
  // jsonc-parser 3.3.1 cut the wrong range for an element after the first ([1, 2] -> [12])
  const ONE_LINE = '{"version": 1, "name": "t", "namespaces": [{"name": "a"}, {"name": "b"}, {"name": "c"}], "links": []}\n';
  for (const [gone, left] of [[['c'], ['a', 'b']], [['b'], ['a', 'c']], [['a'], ['b', 'c']], [['b', 'c'], ['a']], [['a', 'b', 'c'], []]] as const) {
    it(`deleting ${gone.join(', ')} leaves valid JSON with ${left.join(', ') || 'no namespace'}`, () => {
      const out = apply({ kind: 'delete', nodes: [...gone], links: [] }, ONE_LINE);
      assert.deepEqual(parse(out).namespaces?.map((n) => n.name), [...left]);
    });
  }
  it('a multi-line array keeps its layout around the cut', () => {
    const text = '{\n  "version": 1,\n  "name": "t",\n  "namespaces": [\n    { "name": "a" },\n    { "name": "b" }\n  ]\n}\n';
    assert.equal(apply({ kind: 'delete', nodes: ['b'], links: [] }, text), '{\n  "version": 1,\n  "name": "t",\n  "namespaces": [\n    { "name": "a" }\n  ]\n}\n');
  });
});

describe('names and addresses', () => {
  it('nextName skips taken names and respects the length limit', () => {
    assert.equal(nextName(new Set(['ns1', 'ns2']), 'ns'), 'ns3');
    assert.equal(nextName(new Set(['eth0']), 'eth', 0), 'eth1');
    assert.equal(nextName(new Set(), 'abcdefghijklmno'), 'abcdefghijklmn1');
  });
  it('freeAddress skips the network address, used ones, and the broadcast', () => {
    assert.equal(freeAddress(parseCidr('10.0.0.0/24')!, new Set(['10.0.0.1', '10.0.0.2'])), '10.0.0.3/24');
    assert.equal(freeAddress(parseCidr('10.0.0.0/30')!, new Set(['10.0.0.1', '10.0.0.2'])), undefined);
    assert.equal(freeAddress(parseCidr('fd00::/64')!, new Set(['fd00::1'])), 'fd00::2/64');
  });
});

describe('renumbering a link (issue 15 item 5)', () => {
  const ROUTED = `${JSON.stringify({
    version: 1, name: 'routed',
    namespaces: [
      { name: 'ns1', routes: [{ to: 'default', via: '10.99.0.2' }] },
      { name: 'r1', sysctls: { 'net.ipv4.ip_forward': 1 }, routes: [{ to: '10.50.0.0/24', via: '10.99.0.6' }] },
      { name: 'ns2', routes: [{ to: '10.99.0.0/30', via: '10.99.0.5' }, { to: 'default', via: '10.99.0.5' }] },
    ],
    links: [
      { a: { node: 'ns1', name: 'eth0', addresses: ['10.99.0.1/30'] }, b: { node: 'r1', name: 'eth0', addresses: ['10.99.0.2/30'] } },
      { a: { node: 'r1', name: 'eth1', addresses: ['10.99.0.5/30'] }, b: { node: 'ns2', name: 'eth0', addresses: ['10.99.0.6/30', '10.50.0.1/24'] } },
    ],
  }, null, 2)}\n`;
  const t = () => validateText(ROUTED).topology!;

  it('the file is valid to start with', () => assert.equal(validateText(ROUTED).ok, true, JSON.stringify(validateText(ROUTED).diagnostics)));

  it('no single address edit of a /30 stays valid: each is refused for the error it adds', () => {
    const d = decideEdit(ROUTED, { kind: 'set', target: { type: 'link', index: 0, side: 'a' }, field: 'addresses', value: ['10.1.0.1/30'] });
    assert.equal(d.ok, false);
    assert.ok(!d.ok && d.insistable && /gateway 10\.99\.0\.2 is not on any subnet/.test(d.message), JSON.stringify(d));
  });

  it('renumber moves both ends (host part kept), the routes via them and to the old subnet', () => {
    const n = renumber(t(), 0, '10.1.0.0/30');
    assert.deepEqual(n.links![0]!.a.addresses, ['10.1.0.1/30']);
    assert.deepEqual(n.links![0]!.b.addresses, ['10.1.0.2/30']);
    assert.deepEqual(n.namespaces![0]!.routes, [{ to: 'default', via: '10.1.0.2' }]);
    assert.deepEqual(n.links![1], t().links![1], 'the other link is untouched');
    assert.deepEqual(n.namespaces![2]!.routes, [{ to: '10.1.0.0/30', via: '10.99.0.5' }, { to: 'default', via: '10.99.0.5' }]);
    assert.deepEqual(n.namespaces![1]!.routes, t().namespaces![1]!.routes);
    // the second link: the router's route via ns2's address follows, ns2's other address stays
    const m = renumber(t(), 1, '172.16.5.8/29');
    assert.deepEqual(m.links![1]!.a.addresses, ['172.16.5.9/29']);
    assert.deepEqual(m.links![1]!.b.addresses, ['172.16.5.10/29', '10.50.0.1/24']);
    assert.deepEqual(m.namespaces![1]!.routes, [{ to: '10.50.0.0/24', via: '172.16.5.10' }]);
    assert.deepEqual(m.namespaces![2]!.routes, [{ to: '10.99.0.0/30', via: '172.16.5.9' }, { to: 'default', via: '172.16.5.9' }]);
  });

  it('a host part that does not fit takes the first free addresses of the new subnet', () => {
    const wide = renumber(t(), 1, '172.16.5.8/29');
    wide.links![1]!.a.addresses = ['172.16.5.13/29'];
    wide.links![1]!.b.addresses = ['172.16.5.14/29', '10.50.0.1/24'];
    const n = renumber(wide, 1, '10.2.0.0/30'); // host parts 5 and 6 do not fit in a /30
    assert.deepEqual([n.links![1]!.a.addresses, n.links![1]!.b.addresses], [['10.2.0.1/30'], ['10.2.0.2/30', '10.50.0.1/24']]);
    const ok = renumber(t(), 1, '10.2.0.0/30');
    assert.equal(validateText(JSON.stringify(ok)).ok, true, JSON.stringify(validateText(JSON.stringify(ok)).diagnostics));
  });

  it('refuses with the reason: a bridge port, no IPv4 address, not IPv4, too small, no such link', () => {
    const article = T();
    assert.throws(() => renumber(article, 0, '10.5.0.0/24'), /port of a bridge/);
    assert.throws(() => renumber(t(), 0, 'fd00::/64'), /not an IPv4 subnet/);
    assert.throws(() => renumber(t(), 0, '10.1.0.0/31'), /no room for two ends/);
    assert.throws(() => renumber(t(), 9, '10.1.0.0/30'), /no link 9/);
    const bare = { ...t(), links: [{ a: { node: 'ns1', name: 'eth0' }, b: { node: 'r1', name: 'eth0' } }] };
    assert.throws(() => renumber(bare, 0, '10.1.0.0/30'), /no IPv4 address/);
  });

  it('the renumber gesture is one valid edit of the file; the rest of the file stays byte for byte', () => {
    const d = decideEdit(ROUTED, { kind: 'renumber', link: 0, cidr: '10.1.0.0/30' });
    assert.ok(d.ok && d.edit, JSON.stringify(d));
    const out = applyEdit(ROUTED, d.edit);
    assert.equal(validateText(out).ok, true);
    assert.deepEqual(parse(out), renumber(t(), 0, '10.1.0.0/30'));
    assert.equal(out.split('\n').length, ROUTED.split('\n').length, 'same lines');
    const refused = decideEdit(ROUTED, { kind: 'renumber', link: 0, cidr: '10.99.0.4/30' });
    assert.ok(!refused.ok, 'a subnet that overlaps the other link is refused (an added error)');
    assert.ok(!decideEdit(TEXT, { kind: 'renumber', link: 0, cidr: '10.5.0.0/24' }).ok);
  });

  it('insisting makes an edit that adds errors, never one the edits reject or a field the panel lacks', () => {
    const g: GestureInput = { kind: 'set', target: { type: 'link', index: 0, side: 'a' }, field: 'addresses', value: ['10.1.0.1/30'] };
    const d = decideEdit(ROUTED, g, { insist: true });
    assert.ok(d.ok && d.edit);
    const out = applyEdit(ROUTED, d.edit);
    assert.deepEqual(parse(out).links![0]!.a.addresses, ['10.1.0.1/30']);
    assert.equal(validateText(out).ok, false, 'the error is in the file, for the Problems panel and Apply to see');
    assert.equal(decideEdit(ROUTED, { kind: 'rename', from: 'nope', to: 'x' }, { insist: true }).ok, false);
    assert.equal(decideEdit(ROUTED, { kind: 'set', target: { type: 'topology' }, field: 'version', value: 2 }, { insist: true }).ok, false);
    assert.equal(decideEdit('{ not json', g, { insist: true }).ok, false);
  });
});
