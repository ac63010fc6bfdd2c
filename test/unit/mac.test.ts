/**
 * MAC addresses on link ends: the field's validation (shape, unicast, not zero, unique on a
 * segment), the plan (a new veth pair made with its MACs, a differing MAC one `ip link set ...
 * address` step, a removed field no step, in sync nothing) and the script.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { readFileSync } from 'node:fs';
import { decideEdit } from '../../src/core/edit/edit-policy.js';
import { macProblem } from '../../src/core/model/mac.js';
import type { Topology } from '../../src/core/model/model.js';
import type { LiveLink, LiveNs, LiveState } from '../../src/core/observe/observe.js';
import { plan, type Plan } from '../../src/core/plan/plan.js';
import { renderCommands, renderScript } from '../../src/core/plan/render.js';
import { Step } from '../../src/core/plan/steps.js';
import { validateValue } from '../../src/core/model/validate.js';
import { article, articleLive, bareHost, live } from '../support/fixtures.js';
import { checkMac } from '../../webview/fields.js';

const M1 = '02:00:00:00:0a:01';
const M2 = '02:00:00:00:01:02';

/** the article with MACs on the namespaces' ends and on one bridge port */
function withMacs(): Topology {
  const t = article();
  t.links![0]!.a.mac = M1;
  t.links![1]!.a.mac = M2;
  t.links![1]!.b.mac = '02:00:00:00:02:02';
  return t;
}
const errorsOf = (v: unknown) => validateValue(v).diagnostics.filter((d) => d.severity === 'error').map((d) => ({ code: d.code, path: d.path.join('.'), message: d.message }));
const cmds = (p: Plan) => p.steps.flatMap((s) => renderCommands(s.step) ?? []);
const nsOf = (l: LiveState, name: string | null): LiveNs => (name === null ? l.host : l.namespaces.find((n) => n.name === name)!);
const linkIn = (l: LiveState, scope: string | null, name: string): LiveLink => nsOf(l, scope).links.find((x) => x.name === name)!;
/** the article applied with withMacs()'s MACs */
function liveWithMacs(): LiveState {
  const l = articleLive();
  linkIn(l, 'ns1', 'veth1').mac = M1;
  linkIn(l, 'ns2', 'veth2').mac = M2;
  linkIn(l, null, 'veth2-br').mac = '02:00:00:00:02:02';
  linkIn(l, null, 'veth1-br').mac = '6e:1f:00:aa:bb:cc'; // the kernel's random one: the file sets none
  return l;
}

describe('mac: the field', () => {
  it('accepts unicast MACs in either case, locally or universally administered', () => {
    for (const m of ['02:00:00:00:00:01', '0A:1b:2C:3d:4E:5f', '00:1b:21:3a:4f:10', 'fe:ff:ff:ff:ff:ff']) {
      assert.equal(macProblem(m), undefined, m);
      const t = article();
      t.links![0]!.a.mac = m;
      assert.deepEqual(errorsOf(t), [], m);
    }
  });

  it('refuses a malformed, multicast or zero MAC, naming the field and the reason', () => {
    const cases: [unknown, RegExp][] = [
      ['02:00:00:00:00', /not six hex octets separated by ':'/],
      ['02-00-00-00-00-01', /not six hex octets/],
      ['02:00:00:00:00:0g', /not six hex octets/],
      ['2:0:0:0:0:1', /not six hex octets/],
      ['02:00:00:00:00:01 ', /not six hex octets/],
      ['01:00:5e:00:00:01', /'01:00:5e:00:00:01' is a multicast address .*e\.g\. 00:00:5e:00:00:01/],
      ['ff:ff:ff:ff:ff:ff', /multicast/],
      ['03:00:00:00:00:01', /multicast/],
      ['00:00:00:00:00:00', /all zeros/],
    ];
    for (const [m, re] of cases) {
      const t = article() as unknown as { links: { a: Record<string, unknown> }[] };
      t.links[0]!.a.mac = m;
      const e = errorsOf(t);
      assert.equal(e.length, 1, String(m));
      assert.equal(e[0]!.code, 'invalid-mac', String(m));
      assert.equal(e[0]!.path, 'links.0.a.mac', String(m));
      assert.match(e[0]!.message, /^mac /, String(m));
      assert.match(e[0]!.message, re, String(m));
    }
    const t = article() as unknown as { links: { a: Record<string, unknown> }[] };
    t.links[0]!.a.mac = 42;
    assert.deepEqual(errorsOf(t).map((d) => d.path), ['links.0.a.mac']);
  });

  it('refuses one MAC twice on a bridge LAN, in either case, at the later end', () => {
    const t = withMacs();
    t.links![1]!.a.mac = M1.toUpperCase();
    assert.deepEqual(errorsOf(t), [{
      code: 'duplicate-mac', path: 'links.1.a.mac',
      message: "mac 02:00:00:00:0a:01 of 'veth2' in namespace 'ns2' is also the MAC of 'veth1' in namespace 'ns1' on the same segment (bridge 'br0'); each end of a segment needs its own MAC",
    }]);
    // a bridge port counts: it is on the segment too
    const u = withMacs();
    u.links![0]!.b.mac = M2;
    assert.deepEqual(errorsOf(u).map((d) => [d.code, d.path]), [['duplicate-mac', 'links.1.a.mac']]);
  });

  it('refuses both ends of one link with the same MAC, and allows one MAC on different segments', () => {
    const t: Topology = {
      version: 1, name: 'pair',
      namespaces: [{ name: 'r1' }, { name: 'r2' }, { name: 'r3' }],
      links: [
        { a: { node: 'r1', name: 'e1', mac: M1 }, b: { node: 'r2', name: 'e1', mac: M1 } },
        { a: { node: 'r2', name: 'e2', mac: M1 }, b: { node: 'r3', name: 'e1', mac: M2 } },
      ],
    };
    assert.deepEqual(errorsOf(t).map((d) => [d.code, d.path, d.message]), [
      ['duplicate-mac', 'links.0.b.mac', "mac 02:00:00:00:0a:01 of 'e1' in namespace 'r2' is also the MAC of 'e1' in namespace 'r1' on the same segment (one link); each end of a segment needs its own MAC"],
    ]);
    t.links![0]!.b.mac = M2;
    assert.deepEqual(errorsOf(t), []);
  });

  it('the step schema refuses a bad MAC too (the helper re-validates every step)', () => {
    assert.equal(Step.safeParse({ op: 'link-set', ns: 'ns1', name: 'veth1', mac: '01:00:00:00:00:01' }).success, false);
    assert.equal(Step.safeParse({ op: 'link-set', ns: 'ns1', name: 'veth1', mac: '02:00:00:00:00:01; reboot' }).success, false);
    assert.equal(Step.safeParse({ op: 'veth-add', a: { ns: 'a', name: 'x', mac: '00:00:00:00:00:00' }, b: { ns: 'b', name: 'y' } }).success, false);
    assert.equal(Step.safeParse({ op: 'link-set', ns: 'ns1', name: 'veth1', mac: M1 }).success, true);
  });
});

describe('mac: plan', () => {
  it('makes a new veth pair with its MACs (iproute2: address after each end\'s name and netns)', () => {
    const p = plan(withMacs(), live({ host: bareHost() }));
    assert.deepEqual(p.errors, []);
    const veths = cmds(p).filter((c) => c.includes('veth') && c.includes('add'));
    assert.deepEqual(veths, [
      ['ip', 'link', 'add', 'name', 'veth1', 'netns', 'ns1', 'address', M1, 'type', 'veth', 'peer', 'name', 'veth1-br'],
      ['ip', 'link', 'add', 'name', 'veth2', 'netns', 'ns2', 'address', M2, 'type', 'veth', 'peer', 'name', 'veth2-br', 'address', '02:00:00:00:02:02'],
    ]);
    // no extra `address` step for an interface made with it
    assert.equal(cmds(p).filter((c) => c.includes('address') && c.includes('set')).length, 0);
  });

  it('writes the MACs into the script (netns-lab script)', () => {
    const s = renderScript(plan(withMacs(), live({ host: bareHost() })).steps, 'article');
    assert.match(s, /^ip link add name veth1 netns ns1 address 02:00:00:00:0a:01 type veth peer name veth1-br$/m);
    assert.match(s, /^ip link add name veth2 netns ns2 address 02:00:00:00:01:02 type veth peer name veth2-br address 02:00:00:00:02:02$/m);
  });

  it('plans nothing when the MACs match (the kernel prints lower case; the file may not)', () => {
    const t = withMacs();
    t.links![0]!.a.mac = M1.toUpperCase();
    const p = plan(t, liveWithMacs());
    assert.deepEqual(p.errors, []);
    assert.deepEqual(cmds(p), []);
    assert.deepEqual(p.objects.filter((o) => o.state !== 'in-sync'), []);
  });

  it('a differing MAC is drift with one step: ip link set dev NAME address MAC', () => {
    const t = withMacs();
    t.links![1]!.a.mac = '02:00:00:00:01:99';
    const p = plan(t, liveWithMacs());
    assert.deepEqual(p.errors, []);
    assert.deepEqual(cmds(p), [['ip', '-n', 'ns2', 'link', 'set', 'dev', 'veth2', 'address', '02:00:00:00:01:99']]);
    assert.deepEqual(p.objects.filter((o) => o.state !== 'in-sync').map((o) => [o.kind, o.scope, o.name, o.state, o.detail]), [
      ['veth', 'ns2', 'veth2', 'drifted', `mac ${M2} -> 02:00:00:00:01:99`],
    ]);
  });

  it('a MAC changed by hand is put back, in the host too, with the other drift in the same step', () => {
    const t = withMacs();
    t.links![1]!.b.mtu = 1400;
    const l = liveWithMacs();
    linkIn(l, null, 'veth2-br').mac = '02:00:00:00:00:77';
    const p = plan(t, l);
    assert.deepEqual(cmds(p), [['ip', 'link', 'set', 'dev', 'veth2-br', 'mtu', '1400', 'address', '02:00:00:00:02:02']]);
    assert.deepEqual(p.objects.filter((o) => o.state === 'drifted').map((o) => o.detail), ['mtu 1500 -> 1400, mac 02:00:00:00:00:77 -> 02:00:00:00:02:02']);
  });

  it('removing the field leaves the interface as it is: no step', () => {
    const t = withMacs();
    delete t.links![0]!.a.mac;
    delete t.links![1]!.b.mac;
    const p = plan(t, liveWithMacs());
    assert.deepEqual(cmds(p), []);
    assert.deepEqual(p.objects.filter((o) => o.state !== 'in-sync'), []);
  });

  it('a veth pair recreated (its peer changed) is made with its MACs again', () => {
    const l = liveWithMacs();
    linkIn(l, 'ns1', 'veth1').peer = { ns: null, name: 'elsewhere' };
    const p = plan(withMacs(), l);
    const adds = cmds(p).filter((c) => c[1] === 'link' && c[2] === 'add');
    assert.deepEqual(adds, [['ip', 'link', 'add', 'name', 'veth1', 'netns', 'ns1', 'address', M1, 'type', 'veth', 'peer', 'name', 'veth1-br']]);
  });
});

describe('mac: the canvas panel', () => {
  const TEXT = readFileSync(new URL('../../../examples/article.netns.json', import.meta.url), 'utf8');
  const edited = (text: string, e: { offset: number; length: number; text: string }) => text.slice(0, e.offset) + e.text + text.slice(e.offset + e.length);
  const setMac = (value: unknown, text = TEXT) => decideEdit(text, { kind: 'set', target: { type: 'link', index: 0, side: 'a' }, field: 'mac', value });

  it('sets a link end\'s MAC, and an empty value removes it', () => {
    const d = setMac(M1);
    assert.ok(d.ok, JSON.stringify(d));
    const text = edited(TEXT, d.edit!);
    assert.equal((JSON.parse(text) as Topology).links![0]!.a.mac, M1);
    const back = setMac(null, text);
    assert.ok(back.ok);
    assert.equal((JSON.parse(edited(text, back.edit!)) as Topology).links![0]!.a.mac, undefined);
  });

  it('refuses a multicast MAC, or one its segment already has, with the validator\'s message', () => {
    const d = setMac('01:00:00:00:00:01');
    assert.equal(d.ok, false);
    assert.match(d.message!, /multicast/);
    const t = JSON.parse(TEXT) as Topology;
    t.links![1]!.a.mac = M1;
    const dup = setMac(M1, JSON.stringify(t, null, 2));
    assert.equal(dup.ok, false);
    assert.match(dup.message!, /'veth2' in namespace 'ns2' is also the MAC of 'veth1'/);
  });

  it('the field checks what is typed with the same schema (empty: remove)', () => {
    assert.deepEqual(checkMac(' 02:00:00:00:00:0A '), { ok: true, value: '02:00:00:00:00:0A' });
    assert.deepEqual(checkMac(''), { ok: true, value: null });
    assert.deepEqual(checkMac('00:00:00:00:00:00'), { ok: false, error: "mac '00:00:00:00:00:00' is all zeros, which the kernel refuses" });
  });
});
