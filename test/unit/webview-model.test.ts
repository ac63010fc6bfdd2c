/**
 * The canvas's graph logic (webview/model.ts), its field checks (webview/fields.ts) and its
 * stylesheet (webview/style.ts), in Node: plain data, and headless cytoscape for the elements.
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { after, describe, it } from 'node:test';
import cytoscape from 'cytoscape';
import { validateText } from '../../src/core/model/validate.js';
import { checkCidrList, checkIfName, checkMtu, checkNsName, checkRoute, checkServers, checkUplink, splitList } from '../../webview/fields.js';
import {
  autoPlace, buildElements, clipboardText, diffElements, elementOfPath, endpointLabel, firstProblem, fitEndLabels,
  isForwarding, linkIndexOfId, mapDiagnostics, namespaceKind, nextLabelMode, nodeId, parseClipboard, pastePayload, readTopology,
  placeEndLabel, refOfId, signature, snap, summary, type Diag, type ElementDef, type Pos,
} from '../../webview/model.js';
import { buildStylesheet } from '../../webview/style.js';
import { DARK_THEME } from '../support/theme.js';

const example = (name: string): unknown => JSON.parse(readFileSync(new URL(`../../../examples/${name}.netns.json`, import.meta.url), 'utf8'));
const article = example('article');
const routed = example('routed');

// cytoscape instances keep timers: destroy them, or the test process never exits
const instances: cytoscape.Core[] = [];
after(() => { for (const cy of instances) cy.destroy(); });
const track = (cy: cytoscape.Core) => { instances.push(cy); return cy; };
// (layout 'preset': the positions given; cytoscape's default layout puts every node at 0,0)
const headless = (elements: ElementDef[]) => track(cytoscape({ headless: true, styleEnabled: false, layout: { name: 'preset' }, elements: elements as unknown as cytoscape.ElementDefinition[] }));

describe('webview model: reading a topology', () => {
  it('finds the article\'s host, bridge, namespaces and links', () => {
    const v = readTopology(article);
    assert.equal(v.name, 'article');
    assert.deepEqual(v.nodes.map((n) => [n.id, n.kind]), [['host', 'host'], ['n:br0', 'bridge'], ['n:ns1', 'namespace'], ['n:ns2', 'namespace']]);
    assert.deepEqual(v.links.map((l) => l.id), ['l:0:ns1:br0', 'l:1:ns2:br0']);
    assert.deepEqual(v.byRef.get('ns1')?.position, { x: 150, y: 340 });
    assert.equal(v.byRef.get('ns1')?.internet, true);
    assert.deepEqual(v.dangling, []);
  });

  it('draws a namespace with ip_forward 1 or "1" as a router', () => {
    assert.equal(isForwarding({ 'net.ipv4.ip_forward': 1 }), true);
    assert.equal(isForwarding({ 'net.ipv4.ip_forward': '1' }), true);
    assert.equal(isForwarding({ 'net.ipv4.ip_forward': 0 }), false);
    assert.equal(isForwarding(undefined), false);
    assert.equal(namespaceKind({ name: 'r', sysctls: { 'net.ipv4.ip_forward': 1 } }), 'router');
    assert.equal(readTopology(routed).byRef.get('router')?.kind, 'router');
    assert.equal(readTopology(routed).byRef.get('lan-b')?.in, 'router');
  });

  it('reads what it can of an invalid value and never throws', () => {
    for (const bad of [undefined, null, 42, 'x', [], { namespaces: 'x' }, { namespaces: [null, 1, { name: 5 }] }]) {
      assert.deepEqual(readTopology(bad).nodes, []);
    }
    const v = readTopology({
      namespaces: [{ name: 'a' }, { name: 'a' }, { name: 'host' }, { name: 'b', position: { x: 'no', y: 1 } }],
      bridges: [{ name: 'a' }],
      links: [{ a: { node: 'a', name: 'e0' }, b: { node: 'zz', name: 'e1' } }, { a: { node: 'a', name: 'e0' }, b: { node: 'b', name: 'e1', addresses: ['x', 3] } }, 'junk'],
    });
    // the first of two nodes with one name wins; "host" is not a namespace name
    assert.deepEqual(v.nodes.map((n) => [n.ref, n.kind]), [['a', 'bridge'], ['b', 'namespace']]);
    assert.equal(v.byRef.get('b')?.position, undefined);
    assert.deepEqual(v.links.map((l) => l.index), [1]);
    assert.deepEqual(v.links[0]?.b.addresses, ['x']);
    assert.deepEqual(v.dangling, [0, 2]);
  });

  it('maps ids both ways', () => {
    assert.equal(nodeId('host'), 'host');
    assert.equal(nodeId('ns1'), 'n:ns1');
    assert.equal(refOfId('n:ns1'), 'ns1');
    assert.equal(refOfId('host'), 'host');
    assert.equal(refOfId('l:0:a:b'), undefined);
    assert.equal(linkIndexOfId('l:12:a:b'), 12);
    assert.equal(linkIndexOfId('in:br0'), undefined);
  });
});

describe('webview model: elements', () => {
  it('builds the article\'s elements, and headless cytoscape holds them', () => {
    const b = buildElements(readTopology(article), [], 'all');
    const cy = headless(b.elements);
    assert.equal(cy.nodes().length, 4);
    assert.equal(cy.edges().length, 3); // two veth links and br0 "in" the host
    assert.deepEqual(cy.nodes().map((n) => n.id()).sort(), ['host', 'n:br0', 'n:ns1', 'n:ns2']);
    assert.deepEqual(cy.edges('.link').map((e) => e.id()), ['l:0:ns1:br0', 'l:1:ns2:br0']);
    assert.equal(cy.getElementById('in:br0').source().id(), 'n:br0');
    assert.equal(cy.getElementById('in:br0').target().id(), 'host');
    const l0 = cy.getElementById('l:0:ns1:br0');
    assert.equal(l0.source().id(), 'n:ns1');
    assert.equal(l0.target().id(), 'n:br0');
    assert.equal(l0.data('srcLabel'), 'veth1\n10.0.0.2/24');
    assert.equal(l0.data('tgtLabel'), 'veth1-br');
    assert.equal(l0.data('index'), 0);
    assert.equal(cy.getElementById('n:ns1').data('label'), 'ns1');
    assert.equal(cy.getElementById('n:ns1').data('kind'), 'namespace');
    assert.ok(cy.getElementById('n:ns1').hasClass('kind-namespace'));
    assert.ok(cy.getElementById('n:ns1').hasClass('internet'));
    assert.ok(cy.getElementById('host').hasClass('kind-host'));
    assert.deepEqual(cy.getElementById('n:br0').position(), { x: 300, y: 200 });
    assert.deepEqual(b.unplaced, []);
    assert.match(cy.getElementById('n:br0').data('tooltip') as string, /veth1-br → ns1/);
  });

  it('draws a bridge inside a namespace with a dashed "in" edge to it', () => {
    const cy = headless(buildElements(readTopology(routed), [], 'all').elements);
    const e = cy.getElementById('in:lan-b');
    assert.ok(e.hasClass('contain'));
    assert.equal(e.target().id(), 'n:router');
    assert.equal(cy.getElementById('n:router').data('kind'), 'router');
    assert.equal(cy.nodes().length, 7);
    assert.equal(cy.edges('.link').length, 4);
  });

  it('labels link ends by the labels setting', () => {
    const e = { node: 'ns1', name: 'veth1', addresses: ['10.0.0.2/24', 'fd00::2/64'], mtu: undefined };
    assert.equal(endpointLabel(e, 'all'), 'veth1\n10.0.0.2/24\nfd00::2/64');
    assert.equal(endpointLabel(e, 'names'), 'veth1');
    assert.equal(endpointLabel(e, 'none'), '');
    assert.deepEqual(['all', 'names', 'none'].map((m) => nextLabelMode(m as 'all')), ['names', 'none', 'all']);
    const names = buildElements(readTopology(article), [], 'names').elements.find((x) => x.data.id === 'l:0:ns1:br0')!;
    assert.equal(names.data.srcLabel, 'veth1');
    assert.equal(names.data.srcShort, 'veth1');
  });

  it('lists nodes the file does not place, and places them in layers below the placed ones', () => {
    const t = { version: 1, name: 't', host: {}, bridges: [{ name: 'br0', position: { x: 0, y: 0 } }, { name: 'br1' }], namespaces: [{ name: 'a' }, { name: 'b' }, { name: 'c' }],
      links: [{ a: { node: 'a', name: 'e' }, b: { node: 'br1', name: 'a-p' } }, { a: { node: 'b', name: 'e' }, b: { node: 'br1', name: 'b-p' } }] };
    const v = readTopology(t);
    const b = buildElements(v, [], 'all');
    assert.deepEqual(b.unplaced, ['host', 'n:br1', 'n:a', 'n:b', 'n:c']);
    const fixed = new Map<string, Pos>([['n:br0', { x: 0, y: 0 }]]);
    const p = autoPlace(v, b.unplaced, fixed);
    assert.equal(p.size, 5);
    for (const q of p.values()) assert.ok(q.y > 0, 'below the placed nodes');
    // the host above its bridge, the bridge above its namespaces
    assert.ok(p.get('host')!.y < p.get('n:br1')!.y);
    assert.ok(p.get('n:br1')!.y < p.get('n:a')!.y);
    assert.equal(p.get('n:a')!.y, p.get('n:b')!.y);
    // no two nodes in one place; deterministic
    assert.equal(new Set([...p.values()].map((q) => `${q.x},${q.y}`)).size, 5);
    assert.deepEqual(autoPlace(v, b.unplaced, fixed), p);
    assert.equal(autoPlace(v, [], fixed).size, 0);
  });

  it('wraps long layers of unplaced nodes', () => {
    const t = { bridges: [{ name: 'br' }], namespaces: Array.from({ length: 100 }, (_, i) => ({ name: `n${i}` })),
      links: Array.from({ length: 100 }, (_, i) => ({ a: { node: `n${i}`, name: 'e' }, b: { node: 'br', name: `p${i}` } })) };
    const v = readTopology(t);
    const p = autoPlace(v, v.nodes.map((n) => n.id), new Map());
    const rows = new Set([...p.values()].map((q) => q.y));
    assert.ok(rows.size >= 5, `${rows.size} rows`);
    assert.equal(new Set([...p.values()].map((q) => `${q.x},${q.y}`)).size, 101);
  });
});

describe('webview model: diagnostics', () => {
  const bad: Diag[] = [
    { severity: 'warning', code: 'not-masqueraded', message: 'w', path: ['namespaces', 1, 'internet'] },
    { severity: 'error', code: 'gateway-unreachable', message: '[gateway-unreachable] gateway 10.9.9.9 is off', path: ['namespaces', 0, 'routes', 0, 'via'] },
    { severity: 'error', code: 'address-on-port', message: 'port', path: ['links', 1, 'b', 'addresses', 0] },
    { severity: 'error', code: 'invalid-name', message: 'topo', path: ['name'] },
    { severity: 'warning', code: 'x', message: 'host', path: ['host', 'masquerade', 0] },
  ];

  it('puts each diagnostic on the node or link its path points into', () => {
    const v = readTopology(article);
    assert.equal(elementOfPath(v, ['namespaces', 0, 'routes', 0]), 'n:ns1');
    assert.equal(elementOfPath(v, ['bridges', 0, 'addresses']), 'n:br0');
    assert.equal(elementOfPath(v, ['links', 1]), 'l:1:ns2:br0');
    assert.equal(elementOfPath(v, ['host', 'uplink']), 'host');
    assert.equal(elementOfPath(v, ['name']), undefined);
    assert.equal(elementOfPath(v, ['namespaces', 9]), undefined);
    const m = mapDiagnostics(v, bad);
    assert.deepEqual([...m.byElement.keys()].sort(), ['host', 'l:1:ns2:br0', 'n:ns1', 'n:ns2']);
    assert.deepEqual(m.general.map((d) => d.code), ['invalid-name']);
  });

  it('marks elements with errors and warnings and shows the message without its code', () => {
    const b = buildElements(readTopology(article), bad, 'all');
    const cy = headless(b.elements);
    assert.ok(cy.getElementById('n:ns1').hasClass('has-error'));
    assert.equal(cy.getElementById('n:ns1').data('problem'), 'gateway 10.9.9.9 is off');
    assert.ok(cy.getElementById('n:ns2').hasClass('has-warning'));
    assert.ok(!cy.getElementById('n:ns2').hasClass('has-error'));
    assert.ok(cy.getElementById('l:1:ns2:br0').hasClass('has-error'));
    assert.ok(!cy.getElementById('n:br0').hasClass('has-error'));
    // the first error for the status line: a file-level one first
    assert.equal(firstProblem(b.diagnostics, readTopology(article))?.diag.code, 'invalid-name');
    const only = buildElements(readTopology(article), bad.slice(0, 3), 'all');
    assert.deepEqual(firstProblem(only.diagnostics, readTopology(article)), { id: 'n:ns1', diag: bad[1] });
  });

  it('maps the real validator\'s diagnostics of a broken article onto the canvas', () => {
    const broken = structuredClone(article) as { namespaces: { routes: { via: string }[] }[] };
    broken.namespaces[1]!.routes[0]!.via = '10.9.9.9';
    const text = JSON.stringify(broken, null, 2);
    const diags = validateText(text).diagnostics as Diag[];
    const b = buildElements(readTopology(broken), diags, 'all');
    const ns2 = b.elements.find((e) => e.data.id === 'n:ns2')!;
    assert.match(ns2.classes, /has-error/);
    assert.match(String(ns2.data.problem), /10\.9\.9\.9/);
  });
});

describe('webview model: incremental updates', () => {
  it('diffs by element id: adds, removes, and updates only what changed', () => {
    const before = buildElements(readTopology(article), [], 'all').elements;
    const drawn = new Map(before.map((e) => [e.data.id, signature(e)]));
    assert.deepEqual(diffElements(drawn, before), { add: [], remove: [], update: [] });

    const t = structuredClone(article) as { namespaces: { name: string; internet?: boolean; position?: Pos }[]; links: unknown[] };
    t.namespaces[0]!.position = { x: 1, y: 1 }; // a move changes no signature
    t.namespaces[1]!.internet = false; // ns2 changes its classes (and br0, ns1 their tooltips: a link goes)
    t.namespaces.push({ name: 'ns3' });
    t.links.splice(0, 1); // link 1 becomes link 0: a new id
    const after = buildElements(readTopology(t), [], 'all').elements;
    const d = diffElements(drawn, after);
    assert.deepEqual(d.add.map((e) => e.data.id).sort(), ['l:0:ns2:br0', 'n:ns3']);
    assert.deepEqual(d.remove.sort(), ['l:0:ns1:br0', 'l:1:ns2:br0']);
    assert.deepEqual(d.update.map((e) => e.data.id), ['n:br0', 'n:ns1', 'n:ns2']);
  });

  it('applies a diff to headless cytoscape and ends with the new document\'s elements', () => {
    const a = buildElements(readTopology(article), [], 'all').elements;
    const cy = headless(a);
    const drawn = new Map(a.map((e) => [e.data.id, signature(e)]));
    const t = structuredClone(article) as { namespaces: { name: string }[]; links: unknown[] };
    t.namespaces = t.namespaces.filter((n) => n.name !== 'ns1');
    t.links = t.links.slice(1);
    const b = buildElements(readTopology(t), [], 'all').elements;
    const d = diffElements(drawn, b);
    cy.batch(() => {
      for (const id of d.remove) cy.getElementById(id).remove();
      cy.add(d.add as unknown as cytoscape.ElementDefinition[]);
    });
    assert.deepEqual(cy.elements().map((e) => e.id()).sort(), b.map((e) => e.data.id).sort());
  });
});

describe('webview model: copy, paste, snap, labels', () => {
  it('copies the selected nodes as they are in the file, with the links among them', () => {
    const v = readTopology(article);
    const p = pastePayload(v, ['ns1', 'br0', 'host']);
    assert.deepEqual((p.namespaces as { name: string }[]).map((n) => n.name), ['ns1']);
    assert.deepEqual((p.bridges as { name: string }[]).map((n) => n.name), ['br0']);
    assert.equal(p.links.length, 1);
    assert.deepEqual(p.links[0], (article as { links: unknown[] }).links[0]);
    // only one end selected: no link
    assert.equal(pastePayload(v, ['ns1']).links.length, 0);
    // a copy, not the document's objects
    (p.namespaces[0] as { name: string }).name = 'changed';
    assert.equal(v.byRef.get('ns1')?.raw.name, 'ns1');
  });

  it('takes a namespace\'s bridges along', () => {
    const p = pastePayload(readTopology(routed), ['router']);
    assert.deepEqual((p.bridges as { name: string }[]).map((b) => b.name), ['lan-b']);
  });

  it('round-trips the clipboard text and ignores other text', () => {
    const p = pastePayload(readTopology(article), ['ns1', 'br0']);
    assert.deepEqual(parseClipboard(clipboardText(p)), p);
    assert.equal(parseClipboard('hello'), undefined);
    assert.equal(parseClipboard('{"namespaces":[{"name":"x"}]}'), undefined);
    assert.equal(parseClipboard(JSON.stringify({ netnsLabClipboard: 1, namespaces: [] })), undefined);
  });

  it('snaps to the grid', () => {
    assert.deepEqual(snap({ x: 29, y: 31 }, 20), { x: 20, y: 40 });
    assert.deepEqual(snap({ x: -29, y: 10 }, 20), { x: -20, y: 20 });
    assert.deepEqual(snap({ x: 29.4, y: 31.6 }, undefined), { x: 29, y: 32 });
  });

  it('places end labels clear of the nodes and their names, and shortens or drops them when a link is too short', () => {
    const node = { w: 84, h: 62 };
    // leaving downwards, a label must also pass the node's name under it
    const down = placeEndLabel({ x: 0, y: 0 }, { x: 0, y: 300 }, node, 'a-long-name', 'eth0')!;
    const up = placeEndLabel({ x: 0, y: 300 }, { x: 0, y: 0 }, node, 'a-long-name', 'eth0')!;
    assert.ok(down.offset > up.offset, `${down.offset} > ${up.offset}`);
    assert.ok(down.box.y1 > 31 + 3 + 18, 'below the name');
    // sideways: clear of the node by the label's half width
    const side = placeEndLabel({ x: 0, y: 0 }, { x: 300, y: 0 }, node, 'n', 'eth0\n10.0.0.2/24')!;
    assert.ok(side.box.x1 >= 42, `${side.box.x1}`);
    assert.equal(placeEndLabel({ x: 0, y: 0 }, { x: 0, y: 0 }, node, 'n', 'eth0'), undefined);
    assert.equal(placeEndLabel({ x: 0, y: 0 }, { x: 9, y: 0 }, node, 'n', ''), undefined);

    const full: [string, string] = ['veth1\n10.0.0.2/24', 'veth1-br'];
    const short: [string, string] = ['veth1', 'veth1-br'];
    const names: [string, string] = ['ns1', 'br0'];
    // the article's ns1 -> br0 has room for everything
    assert.deepEqual(fitEndLabels({ x: 150, y: 340 }, { x: 300, y: 200 }, node, names, full, short).src, full[0]);
    assert.equal(fitEndLabels({ x: 0, y: 0 }, { x: 400, y: 0 }, node, names, full, short).src, full[0]);
    // too close for the addresses, then too close for anything
    assert.equal(fitEndLabels({ x: 0, y: 0 }, { x: 190, y: 0 }, node, names, full, short).src, 'veth1');
    assert.deepEqual(fitEndLabels({ x: 0, y: 0 }, { x: 100, y: 10 }, node, names, full, short), { src: '', tgt: '', srcOffset: 8, tgtOffset: 8 });
    assert.equal(fitEndLabels({ x: 0, y: 0 }, { x: 0, y: 0 }, node, names, full, short).src, '');
  });

  it('summarizes the topology for the status line', () => {
    assert.equal(summary(readTopology(article)), '2 namespaces · 1 bridge · 2 links · host');
    assert.equal(summary(readTopology(routed)), '3 namespaces · 1 router · 2 bridges · 4 links · host');
    assert.equal(summary(readTopology({})), '0 namespaces · 0 links');
  });
});

describe('webview fields: checks before sending', () => {
  it('uses the model\'s messages without their codes', () => {
    assert.deepEqual(checkIfName('veth1'), { ok: true, value: 'veth1' });
    const long = checkIfName('a-very-long-interface');
    assert.equal(long.ok, false);
    assert.doesNotMatch(!long.ok ? long.error : '', /^\[/);
    assert.equal(checkNsName('ns 1').ok, false);
    assert.deepEqual(checkCidrList('10.0.0.2/24, fd00::2/64'), { ok: true, value: ['10.0.0.2/24', 'fd00::2/64'] });
    assert.deepEqual(checkCidrList('  '), { ok: true, value: null });
    const c = checkCidrList('10.0.0.300/24');
    assert.ok(!c.ok && /10\.0\.0\.300\/24/.test(c.error));
    assert.deepEqual(checkMtu(''), { ok: true, value: null });
    assert.deepEqual(checkMtu('1400'), { ok: true, value: 1400 });
    assert.equal(checkMtu('12').ok, false);
    assert.equal(checkMtu('1.5').ok, false);
    assert.deepEqual(checkServers('1.1.1.1 9.9.9.9'), { ok: true, value: ['1.1.1.1', '9.9.9.9'] });
    assert.equal(checkServers('').ok, false);
    assert.equal(checkServers('1.1.1.1,2.2.2.2,3.3.3.3,4.4.4.4').ok, false);
    assert.deepEqual(checkUplink('auto'), { ok: true, value: 'auto' });
    assert.deepEqual(checkUplink(''), { ok: true, value: null });
    assert.deepEqual(splitList('a, b;c  d'), ['a', 'b', 'c', 'd']);
  });

  it('checks a route row like the validator', () => {
    assert.deepEqual(checkRoute({ to: 'default', via: '10.0.0.1', dev: '' }), { ok: true, value: { to: 'default', via: '10.0.0.1' } });
    assert.deepEqual(checkRoute({ to: '10.1.0.0/24', via: '', dev: 'eth0', metric: 5 }), { ok: true, value: { to: '10.1.0.0/24', dev: 'eth0', metric: 5 } });
    assert.equal(checkRoute({ to: '', via: '10.0.0.1', dev: '' }).ok, false);
    assert.equal(checkRoute({ to: 'default', via: '', dev: '' }).ok, false);
    assert.equal(checkRoute({ to: 'default', via: '10.0.0.256', dev: '' }).ok, false);
  });
});

describe('webview style', () => {
  const theme = DARK_THEME;

  it('a lab across hosts: each node carries its host, coloured by the host\'s place in the file (a bridge in a namespace: that namespace\'s host)', () => {
    const t = {
      version: 1, name: 'two', hosts: [{ name: 'b', ssh: 'root@192.0.2.2' }],
      bridges: [{ name: 'lan', on: 'b' }, { name: 'inner', in: 'r1' }],
      namespaces: [{ name: 'r1', on: 'b' }, { name: 'r0' }],
      links: [],
    };
    const view = readTopology(t);
    assert.deepEqual(view.hosts, ['local', 'b']);
    assert.deepEqual(Object.fromEntries(view.nodes.map((n) => [n.ref, n.host])), { lan: 'b', inner: 'b', r1: 'b', r0: 'local' });
    const els = buildElements(view, [], 'all').elements;
    const r1 = els.find((e) => e.data.id === 'n:r1')!;
    assert.match(r1.classes, /\bhost-1\b/);
    assert.equal(r1.data.host, 'b');
    assert.match(String(r1.data.tooltip), /on host b/);
    assert.match(els.find((e) => e.data.id === 'n:r0')!.classes, /\bhost-0\b/);
    const sheet = buildStylesheet(theme, {}, { w: 84, h: 62 });
    const cy = track(cytoscape({ headless: true, styleEnabled: true, layout: { name: 'preset' }, elements: els as unknown as cytoscape.ElementDefinition[] }));
    cy.style(sheet as unknown as cytoscape.StylesheetJson);
    assert.equal(cy.getElementById('n:r1').style('border-color'), 'rgb(188,63,188)');
    // a single-host lab has no hosts and no host classes
    assert.equal(readTopology(article).hosts, undefined);
    assert.ok(buildElements(readTopology(article), [], 'all').elements.every((e) => !/host-\d/.test(e.classes)));
  });

  it('is a stylesheet cytoscape accepts, with a picture per kind', () => {
    const sheet = buildStylesheet(theme, { namespace: 'data:a', 'namespace-internet': 'data:b', router: 'data:c', bridge: 'data:d', host: 'data:e' }, { w: 84, h: 62 });
    const cy = track(cytoscape({ headless: true, styleEnabled: true, layout: { name: 'preset' }, elements: buildElements(readTopology(article), [], 'all').elements as unknown as cytoscape.ElementDefinition[] }));
    cy.style(sheet as unknown as cytoscape.StylesheetJson);
    assert.ok(sheet.some((r) => r.selector === 'node.kind-namespace.internet'));
    assert.equal(cy.getElementById('n:ns1').style('label'), 'ns1');
    assert.equal(cy.getElementById('l:0:ns1:br0').style('source-label'), 'veth1\n10.0.0.2/24');
    assert.equal(cy.getElementById('n:ns1').style('width'), '84px');
  });

  it('with a label gate, labels are styled only on elements of that class; the same rules otherwise (zoomed far out)', () => {
    const full = buildStylesheet(theme, {}, { w: 84, h: 62 });
    const gated = buildStylesheet(theme, {}, { w: 84, h: 62 }, 'labels-on');
    const cy = track(cytoscape({ headless: true, styleEnabled: true, layout: { name: 'preset' }, elements: buildElements(readTopology(article), [], 'all').elements as unknown as cytoscape.ElementDefinition[] }));
    cy.style(gated as unknown as cytoscape.StylesheetJson);
    const ns1 = cy.getElementById('n:ns1');
    const link = cy.getElementById('l:0:ns1:br0');
    assert.equal(ns1.style('label'), '');
    assert.equal(link.style('source-label'), '');
    assert.equal(ns1.style('width'), '84px', 'the rest of the style is unchanged');
    // an element carrying the gate's class gets exactly the full stylesheet's labels and fonts
    cy.elements().addClass('labels-on');
    const ref = track(cytoscape({ headless: true, styleEnabled: true, layout: { name: 'preset' }, elements: buildElements(readTopology(article), [], 'all').elements as unknown as cytoscape.ElementDefinition[] }));
    ref.style(full as unknown as cytoscape.StylesheetJson);
    for (const id of ['n:ns1', 'n:ns2', 'n:br0', 'l:0:ns1:br0', 'l:1:ns2:br0']) {
      assert.ok(cy.getElementById(id).nonempty(), id);
      for (const prop of ['label', 'source-label', 'target-label', 'font-size', 'color', 'text-valign', 'min-zoomed-font-size', 'line-color', 'background-color']) {
        assert.equal(cy.getElementById(id).style(prop), ref.getElementById(id).style(prop), `${id} ${prop}`);
      }
    }
    // every rule that still sets a label property is gated
    const labelProps = ['label', 'source-label', 'target-label', 'font-size', 'color', 'text-background-color'];
    for (const r of gated) {
      if (Object.keys(r.style).some((k) => labelProps.includes(k))) assert.ok(r.selector.split(',').every((p) => p.includes('.labels-on')), r.selector);
    }
  });

  it('paints connectivity as a halo in the theme\'s colours, beside the live state, and a second label line', () => {
    const sheet = buildStylesheet(theme, {}, { w: 84, h: 62 });
    const cy = track(cytoscape({ headless: true, styleEnabled: true, layout: { name: 'preset' }, elements: buildElements(readTopology(article), [], 'all').elements as unknown as cytoscape.ElementDefinition[] }));
    cy.style(sheet as unknown as cytoscape.StylesheetJson);
    const e = cy.getElementById('l:1:ns2:br0');
    e.addClass('live-up reach reach-fail');
    assert.equal(e.style('underlay-color'), 'rgb(241,76,76)'); // the error colour as a halo
    assert.equal(e.style('line-color'), 'rgb(115,201,145)'); // the link is up: the line stays the live colour
    cy.getElementById('l:0:ns1:br0').addClass('reach reach-mixed');
    assert.equal(cy.getElementById('l:0:ns1:br0').style('underlay-color'), 'rgb(204,167,0)');
    const n = cy.getElementById('n:ns2');
    n.data('reachLabel', 'ns2\n✗ 2 of 2 unreachable');
    n.addClass('reach reach-fail');
    assert.equal(n.style('label'), 'ns2\n✗ 2 of 2 unreachable');
    assert.equal(n.style('underlay-color'), 'rgb(241,76,76)');
    n.select();
    assert.equal(n.style('underlay-color'), 'rgb(0,120,212)'); // the selection shows over it
  });
});
