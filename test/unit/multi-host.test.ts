/** Multi-host labs (issue 19): the per-host split, VNI allocation, MTU rules and the validation of every new field. */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { VNI_MAX, VNI_MIN, allocateVnis, derivedVni, layout } from '../../src/core/model/hosts-layout.js';
import { hostOf, hostsNeedingUnderlay, hostsOf, splitByHost, underlayFromLive, underlaySpec, type HostPart } from '../../src/core/plan/hosts-split.js';
import { addr, link, live, ns } from '../support/fixtures.js';
import type { Topology, Vxlan } from '../../src/core/model/model.js';
import { validateValue } from '../../src/core/model/validate.js';
import { loadTopology } from '../support/fixtures.js';

const U = { local: '192.0.2.1', b: '192.0.2.2', c: '192.0.2.3' };
const example = (): Topology => loadTopology('examples/two-hosts.netns.json');
const part = (parts: HostPart[], host: string): Topology => parts.find((p) => p.host === host)!.topology;
const codes = (v: unknown) => validateValue(v).diagnostics.map((d) => `${d.severity === 'error' ? '' : 'warn:'}${d.code} ${d.path.join('.')}`);

/** a small lab: r1 (local) - r2 (b) as a tunnel, a LAN on local with one namespace on b */
function lab(): Topology {
  return {
    version: 1, name: 'mh',
    hosts: [{ name: 'local', underlay: U.local }, { name: 'b', ssh: `lab@${U.b}` }],
    bridges: [{ name: 'lan0', addresses: ['10.10.0.1/24'] }],
    namespaces: [{ name: 'a1' }, { name: 'b1', on: 'b' }, { name: 'r1' }, { name: 'r2', on: 'b' }],
    links: [
      { a: { node: 'a1', name: 'eth0', addresses: ['10.10.0.2/24'] }, b: { node: 'lan0', name: 'a1-p' } },
      { a: { node: 'b1', name: 'eth0', addresses: ['10.10.0.3/24'] }, b: { node: 'lan0', name: 'b1-p' } },
      { a: { node: 'r1', name: 'wan0', addresses: ['10.20.0.1/30'] }, b: { node: 'r2', name: 'wan0', addresses: ['10.20.0.2/30'] } },
    ],
  };
}

describe('hosts and where nodes are', () => {
  it('hostsOf: local first (with its underlay), then the file\'s hosts in order', () => {
    const t = lab();
    t.hosts!.reverse().push({ name: 'c', ssh: 'c.example', helper: '/opt/nl/helper' });
    assert.deepEqual(hostsOf(t), [
      { name: 'local', underlay: U.local }, { name: 'b', ssh: `lab@${U.b}` }, { name: 'c', ssh: 'c.example', helper: '/opt/nl/helper' },
    ]);
    assert.deepEqual(hostsOf({ version: 1, name: 'x' }), [{ name: 'local' }]);
  });

  it('hostOf: local unless "on" says otherwise; a bridge in a namespace is on that namespace\'s host', () => {
    const t = lab();
    t.bridges!.push({ name: 'inner', in: 'r2' });
    assert.equal(hostOf(t, 'a1'), 'local');
    assert.equal(hostOf(t, 'r2'), 'b');
    assert.equal(hostOf(t, 'inner'), 'b');
    assert.equal(hostOf(t, 'lan0'), 'local');
  });

  it('underlaySpec: an address, an interface, else the ssh address when it is an IP address', () => {
    assert.deepEqual(underlaySpec({ name: 'b', ssh: 'lab@192.0.2.2' }), { address: '192.0.2.2' });
    assert.deepEqual(underlaySpec({ name: 'b', ssh: 'lab@[2001:db8::2]:22' }), { address: '2001:db8::2' });
    assert.deepEqual(underlaySpec({ name: 'b', ssh: 'lab@b.example', underlay: 'enp2s0' }), { ifname: 'enp2s0' });
    assert.deepEqual(underlaySpec({ name: 'b', ssh: 'lab@b.example', underlay: '198.51.100.7' }), { address: '198.51.100.7' });
    assert.equal(underlaySpec({ name: 'b', ssh: 'lab@b.example' }), undefined);
    assert.equal(underlaySpec({ name: 'local' }), undefined);
  });

  it('underlayFromLive: the first global IPv4 address of the named interface, else IPv6', () => {
    const l = live({ host: ns(null, { links: [link('enp2s0', { addresses: [addr('fe80::1/64', 'link'), addr('2001:db8::5/64'), addr('192.0.2.5/24')] }), link('eth9')] }) });
    assert.equal(underlayFromLive('enp2s0', l), '192.0.2.5');
    l.host.links[0]!.addresses.pop();
    assert.equal(underlayFromLive('enp2s0', l), '2001:db8::5');
    assert.equal(underlayFromLive('eth9', l), undefined);
    assert.equal(underlayFromLive('nope', l), undefined);
  });
});

describe('splitByHost', () => {
  it('gives each host a single-host topology with the same name, no hosts and no on, that validates', () => {
    assert.deepEqual(validateValue(example()).diagnostics, [], 'examples/two-hosts.netns.json validates');
    const parts = splitByHost(example(), U);
    assert.deepEqual(parts.map((p) => p.host), ['local', 'b']);
    for (const p of parts) {
      assert.equal(p.topology.name, 'two-hosts');
      assert.equal(p.topology.hosts, undefined);
      assert.ok([...(p.topology.namespaces ?? []), ...(p.topology.bridges ?? [])].every((n) => n.on === undefined));
      const v = validateValue(p.topology);
      assert.ok(v.ok, JSON.stringify(v.diagnostics));
    }
    assert.deepEqual(part(parts, 'local').namespaces!.map((n) => n.name), ['a1', 'r1']);
    assert.deepEqual(part(parts, 'b').namespaces!.map((n) => n.name), ['b1', 'r2']);
  });

  it('a cross-host link is a VXLAN pair: same VNI, mirrored ends, the veth ends\' names and addresses, MTU 1450', () => {
    const parts = splitByHost(lab(), U);
    const wan = (h: string) => part(parts, h).vxlans!.find((v) => v.name === 'wan0')!;
    const vni = layout(lab()).tunnels[0]!.vni;
    assert.deepEqual(wan('local'), { name: 'wan0', node: 'r1', vni, local: U.local, remote: U.b, addresses: ['10.20.0.1/30'], mtu: 1450 });
    assert.deepEqual(wan('b'), { name: 'wan0', node: 'r2', vni, local: U.b, remote: U.local, addresses: ['10.20.0.2/30'], mtu: 1450 });
    assert.ok(!part(parts, 'local').links!.some((l) => l.a.name === 'wan0' || l.b.name === 'wan0'));
  });

  it('a bridge with a namespace on another host gets a replica there, joined by one VXLAN pair named vxVNI', () => {
    const parts = splitByHost(lab(), U);
    const b = part(parts, 'b');
    assert.deepEqual(b.bridges!.map((x) => [x.name, x.addresses]), [['lan0', undefined]]);
    assert.deepEqual(b.links!.map((l) => [l.a.node, l.a.name, l.b.node, l.b.name, l.mtu]), [['b1', 'eth0', 'lan0', 'b1-p', 1450]]);
    const seg = layout(lab()).segments[0]!;
    assert.deepEqual(seg, { bridge: 'lan0', home: 'local', host: 'b', vni: seg.vni, mtu: 1450, name: `vx${seg.vni}` });
    const devs = (h: string) => part(parts, h).vxlans!.filter((v) => v.node === 'lan0');
    assert.deepEqual(devs('local'), [{ name: `vx${seg.vni}`, node: 'lan0', vni: seg.vni, local: U.local, remote: U.b, mtu: 1450 }]);
    assert.deepEqual(devs('b'), [{ name: `vx${seg.vni}`, node: 'lan0', vni: seg.vni, local: U.b, remote: U.local, mtu: 1450 }]);
    // the home side's links on the spanning bridge are capped too (their frames cross the tunnel)
    assert.equal(part(parts, 'local').links!.find((l) => l.a.node === 'a1')!.mtu, 1450);
  });

  it('a bridge spanning three hosts is a star around its home: one arm per other host', () => {
    const t = lab();
    t.hosts!.push({ name: 'c', ssh: `lab@${U.c}` });
    t.namespaces!.push({ name: 'c1', on: 'c' });
    t.links!.push({ a: { node: 'c1', name: 'eth0', addresses: ['10.10.0.4/24'] }, b: { node: 'lan0', name: 'c1-p' } });
    const parts = splitByHost(t, U);
    const arms = (h: string) => part(parts, h).vxlans!.filter((v) => v.node === 'lan0').map((v) => v.remote);
    assert.deepEqual(arms('local'), [U.b, U.c]);
    assert.deepEqual(arms('b'), [U.local]);
    assert.deepEqual(arms('c'), [U.local]);
  });

  it('a link to "host" is in the root namespace of the other end\'s host', () => {
    const t = lab();
    t.links!.push({ a: { node: 'host', name: 'to-r2' }, b: { node: 'r2', name: 'up0' } });
    const parts = splitByHost(t, U);
    assert.ok(part(parts, 'b').links!.some((l) => l.a.node === 'host' && l.a.name === 'to-r2'));
    assert.ok(!(part(parts, 'local').links ?? []).some((l) => l.a.name === 'to-r2'));
    assert.ok(validateValue(t).ok);
  });

  it('takes the underlay interface as the VXLAN devices\' dev, an explicit vni as given, keeps host settings local', () => {
    const t = lab();
    t.hosts![1]!.underlay = 'enp2s0';
    t.links![2]!.vni = 77;
    t.links![2]!.b.impair = { delay: 20 };
    t.links![2]!.up = false;
    t.host = { routes: [{ to: '10.99.0.0/24', via: '10.10.0.9' }] };
    const parts = splitByHost(t, U);
    const wanB = part(parts, 'b').vxlans!.find((v) => v.name === 'wan0')!;
    assert.equal(wanB.dev, 'enp2s0');
    assert.equal(wanB.vni, 77);
    assert.deepEqual([wanB.impair, wanB.up], [{ delay: 20 }, false], 'the end\'s impairments and the link\'s admin state go with it');
    assert.equal(part(parts, 'local').vxlans!.find((v) => v.name === 'wan0')!.dev, undefined);
    assert.deepEqual(part(parts, 'local').host, t.host);
    assert.equal(part(parts, 'b').host, undefined);
    assert.equal(part(parts, 'b').links!.some((l) => 'vni' in l), false);
  });

  it('a host with nothing on it gets the empty topology (applying it removes what an earlier version left)', () => {
    const t = lab();
    t.hosts!.push({ name: 'c', ssh: `lab@${U.c}` });
    assert.deepEqual(part(splitByHost(t, U), 'c'), { version: 1, name: 'mh' });
  });

  it('refuses to build a tunnel without its underlay address, naming the host', () => {
    assert.throws(() => splitByHost(lab(), { local: U.local }), /host 'b' has no underlay address/);
    assert.deepEqual(hostsNeedingUnderlay(lab()).sort(), ['b', 'local']);
  });
});

describe('VNI allocation', () => {
  it('is deterministic and stable under unrelated edits', () => {
    const before = layout(lab());
    const t = lab();
    t.namespaces!.push({ name: 'z9' }, { name: 'z8', on: 'b' });
    t.links!.push({ a: { node: 'z9', name: 'eth0' }, b: { node: 'z8', name: 'eth0' } });
    t.links!.unshift({ a: { node: 'a1', name: 'eth1' }, b: { node: 'r1', name: 'eth1' } });
    const after = layout(t);
    const data = (l: ReturnType<typeof layout>) => ({ tunnels: l.tunnels, segments: l.segments, linkHost: [...l.linkHost], replicas: [...l.replicas], spanMtu: [...l.spanMtu] });
    assert.deepEqual(data(layout(lab())), data(before));
    assert.equal(after.tunnels.find((x) => t.links![x.link]!.a.name === 'wan0')!.vni, before.tunnels[0]!.vni);
    assert.equal(after.segments[0]!.vni, before.segments[0]!.vni);
    assert.notEqual(after.tunnels.find((x) => t.links![x.link]!.a.node === 'z9')!.vni, before.tunnels[0]!.vni);
  });

  it('depends on the topology name (two labs on the same hosts do not collide by accident)', () => {
    assert.notEqual(derivedVni('lab-a', 'link:r1/wan0|r2/wan0'), derivedVni('lab-b', 'link:r1/wan0|r2/wan0'));
  });

  it('resolves a clash with the next free number; explicit VNIs are kept', () => {
    const k = 'link:x/a|y/b';
    const v = derivedVni('t', k);
    const m = allocateVnis('t', [k], new Map([['link:explicit', v]]));
    assert.equal(m.get('link:explicit'), v);
    assert.equal(m.get(k), v === VNI_MAX ? VNI_MIN : v + 1);
  });

  it('property: distinct, in range, explicit kept, independent of the order of the keys', () => {
    fc.assert(fc.property(
      fc.uniqueArray(fc.string({ minLength: 1, maxLength: 12 }), { maxLength: 40 }),
      fc.uniqueArray(fc.integer({ min: 1, max: 5000 }), { maxLength: 5 }),
      (keys, fixed) => {
        const explicit = new Map(fixed.map((v, i) => [`explicit:${i}`, v]));
        const m = allocateVnis('prop', keys, explicit);
        const shuffled = allocateVnis('prop', [...keys].reverse(), explicit);
        assert.deepEqual([...m].sort(), [...shuffled].sort());
        assert.equal(new Set(m.values()).size, m.size);
        for (const [k, v] of explicit) assert.equal(m.get(k), v);
        for (const k of keys) { const v = m.get(k)!; assert.ok(v >= VNI_MIN && v <= VNI_MAX); }
      },
    ), { seed: 19, numRuns: 200 });
  });
});

describe('property: any valid multi-host lab splits into valid parts that build every link once', () => {
  const HOSTS = ['local', 'b', 'c'];
  const arb = fc.record({
    nsHosts: fc.array(fc.constantFrom(...HOSTS), { minLength: 2, maxLength: 8 }),
    brHost: fc.constantFrom(...HOSTS),
    pairs: fc.array(fc.tuple(fc.nat(), fc.nat(), fc.boolean()), { maxLength: 12 }),
  });
  const build = ({ nsHosts, brHost, pairs }: { nsHosts: string[]; brHost: string; pairs: [number, number, boolean][] }): Topology => {
    const nodes = nsHosts.map((h, i) => ({ name: `n${i}`, ...(h !== 'local' ? { on: h } : {}) }));
    let k = 0;
    const links = pairs.map(([x, y, toBridge]) => {
      const a = x % nodes.length;
      const b = (a + 1 + (y % (nodes.length - 1))) % nodes.length;
      k++;
      return toBridge
        ? { a: { node: `n${a}`, name: `p${k}`, addresses: [`10.1.0.${k}/24`] }, b: { node: 'br0', name: `br0-p${k}` } }
        : { a: { node: `n${a}`, name: `x${k}`, addresses: [`10.2.${k}.1/30`] }, b: { node: `n${b}`, name: `x${k}`, addresses: [`10.2.${k}.2/30`] } };
    });
    return {
      version: 1, name: 'prop',
      hosts: [{ name: 'local', underlay: U.local }, { name: 'b', ssh: `lab@${U.b}` }, { name: 'c', ssh: `lab@${U.c}` }],
      namespaces: nodes, bridges: [{ name: 'br0', addresses: ['10.1.0.254/24'], ...(brHost !== 'local' ? { on: brHost } : {}) }], links,
    };
  };

  it('holds', () => {
    fc.assert(fc.property(arb, (r) => {
      const t = build(r);
      const v = validateValue(t);
      assert.ok(v.ok, JSON.stringify(v.diagnostics));
      const parts = splitByHost(t, U);
      const vx = new Map<number, { host: string; x: Vxlan }[]>();
      for (const p of parts) {
        const pv = validateValue(p.topology);
        assert.ok(pv.ok, `${p.host}: ${JSON.stringify(pv.diagnostics)}`);
        const vnis = (p.topology.vxlans ?? []).map((x) => x.vni);
        assert.equal(new Set(vnis).size, vnis.length, 'one VNI once per host');
        for (const x of p.topology.vxlans ?? []) (vx.get(x.vni) ?? vx.set(x.vni, []).get(x.vni)!).push({ host: p.host, x });
      }
      for (const [vni, ends] of vx) {
        assert.equal(ends.length, 2, `VNI ${vni} has two ends`);
        assert.notEqual(ends[0]!.host, ends[1]!.host);
        assert.deepEqual([ends[0]!.x.local, ends[0]!.x.remote], [ends[1]!.x.remote, ends[1]!.x.local]);
      }
      // every link of the file is a veth in one part or a VXLAN pair across two
      const veths = parts.reduce((n, p) => n + (p.topology.links?.length ?? 0), 0);
      const pairs = [...vx.values()].filter((e) => e[0]!.x.name.startsWith('x')).length;
      assert.equal(veths + pairs, t.links!.length);
    }), { seed: 1919, numRuns: 150 });
  });
});

describe('validation of a multi-host file, per field', () => {
  const withHosts = (hosts: unknown[]) => ({ ...lab(), hosts });

  it('ssh: user@address[:port] only, never an option, no shell characters', () => {
    assert.deepEqual(codes(withHosts([{ name: 'local', underlay: U.local }, { name: 'b', ssh: 'lab@b; rm -rf /', underlay: U.b }])), ['invalid-ssh hosts.1.ssh']);
    const opt = validateValue(withHosts([{ name: 'b', ssh: '-oProxyCommand=x' }]));
    assert.match(opt.diagnostics[0]!.message, /starts with '-'.*option/);
    assert.deepEqual(opt.diagnostics[0]!.path, ['hosts', 0, 'ssh']);
    assert.deepEqual(codes(withHosts([{ name: 'b', ssh: 'lab@b:70000' }])), ['invalid-ssh hosts.0.ssh']);
    assert.deepEqual(codes(withHosts([{ name: 'b', ssh: 'lab@$(id)' }])), ['invalid-ssh hosts.0.ssh']);
    assert.ok(validateValue(withHosts([{ name: 'local', underlay: U.local }, { name: 'b', ssh: 'lab@[2001:db8::2]:2222', underlay: U.b }])).ok);
    assert.ok(validateValue(withHosts([{ name: 'local', underlay: U.local }, { name: 'b', ssh: 'b.lab.example', underlay: 'enp2s0' }])).ok);
  });

  it('helper: an absolute path of safe characters; name: like other names, not reserved; underlay: address or interface', () => {
    assert.deepEqual(codes(withHosts([{ name: 'b', ssh: 'lab@192.0.2.2', helper: 'bin/helper' }])), ['invalid-helper hosts.0.helper']);
    assert.deepEqual(codes(withHosts([{ name: 'b', ssh: 'lab@192.0.2.2', helper: '/opt/../bin/sh' }])), ['invalid-helper hosts.0.helper']);
    assert.deepEqual(codes(withHosts([{ name: 'b', ssh: 'lab@192.0.2.2', helper: '/opt/nl helper' }])), ['invalid-helper hosts.0.helper']);
    assert.deepEqual(codes(withHosts([{ name: 'host', ssh: 'lab@192.0.2.2' }])), ['invalid-name hosts.0.name']);
    assert.deepEqual(codes(withHosts([{ name: 'b c', ssh: 'lab@192.0.2.2' }])), ['invalid-name hosts.0.name']);
    assert.deepEqual(codes(withHosts([{ name: 'b', ssh: 'lab@b.example', underlay: '999.1.1.1' }])), ['invalid-underlay hosts.0.underlay']);
    assert.deepEqual(codes(withHosts([{ name: 'b', ssh: 'lab@b.example', underlay: '-eth0' }])), ['invalid-underlay hosts.0.underlay']);
  });

  it('hosts: ssh needed except for local, which must have none; names once', () => {
    assert.deepEqual(codes(withHosts([{ name: 'local', underlay: U.local }, { name: 'b', underlay: U.b }])), ['missing-field hosts.1.ssh']);
    assert.deepEqual(codes(withHosts([{ name: 'local', ssh: 'me@192.0.2.1' }, { name: 'b', ssh: 'lab@192.0.2.2' }])), ['local-ssh hosts.0.ssh']);
    assert.deepEqual(codes(withHosts([{ name: 'local', underlay: U.local }, { name: 'b', ssh: 'lab@192.0.2.2' }, { name: 'b', ssh: 'lab@192.0.2.3' }])), ['duplicate-name hosts.2.name']);
  });

  it('on: a known host; a bridge in a namespace agrees with it; no internet on a remote host', () => {
    const t = lab();
    t.namespaces![1]!.on = 'nowhere';
    assert.deepEqual(codes(t), ['unknown-host namespaces.1.on']);
    const m = lab();
    m.bridges!.push({ name: 'inner', in: 'r2', on: 'local' });
    assert.deepEqual(codes(m), ['host-mismatch bridges.1.on']);
    const i = lab();
    i.namespaces![3]!.internet = true;
    assert.ok(codes(i).includes('remote-internet namespaces.3.internet'));
  });

  it('no underlay address for a host a tunnel needs: at that host, or at hosts for local', () => {
    const t = lab();
    t.hosts = [{ name: 'b', ssh: 'lab@b.example' }];
    assert.deepEqual(codes(t), ['no-underlay hosts', 'no-underlay hosts.0']);
    assert.match(validateValue(t).diagnostics[0]!.message, /\{"name": "local", "underlay"/);
    assert.match(validateValue(t).diagnostics[1]!.message, /host 'b' needs an underlay address for the tunnel of link r1\/wan0 - r2\/wan0/);
  });

  it('VNI: two tunnels with one VNI clash; a VNI on a link within one host is unused', () => {
    const t = lab();
    t.namespaces!.push({ name: 'r3', on: 'b' });
    t.links!.push({ a: { node: 'r1', name: 'wan1', addresses: ['10.20.1.1/30'] }, b: { node: 'r3', name: 'wan1', addresses: ['10.20.1.2/30'] }, vni: 500 });
    t.links![2]!.vni = 500;
    t.links![0]!.vni = 9;
    assert.deepEqual(codes(t), ['warn:vni-unused links.0.vni', 'vni-clash links.3.vni']);
  });

  it('MTU: a tunnelled link carries at most underlay MTU - 50; a larger underlay allows more', () => {
    const t = lab();
    t.links![2]!.mtu = 1500;
    t.links![1]!.a.mtu = 1451;
    t.bridges![0]!.mtu = 1500;
    assert.deepEqual(codes(t), ['mtu-fragments links.1.a.mtu', 'mtu-fragments links.2.mtu', 'mtu-fragments bridges.0.mtu']);
    assert.match(validateValue(t).diagnostics[1]!.message, /MTU 1500.*at most 1450/);
    const j = lab();
    j.hosts = [{ name: 'local', underlay: U.local, underlayMtu: 9000 }, { name: 'b', ssh: `lab@${U.b}`, underlayMtu: 9000 }];
    j.links![2]!.mtu = 8950;
    assert.ok(validateValue(j).ok);
    assert.equal(part(splitByHost(j, U), 'b').vxlans!.find((v) => v.name === 'wan0')!.mtu, 8950);
    j.links![2]!.mtu = 8951;
    assert.deepEqual(codes(j), ['mtu-fragments links.2.mtu']);
  });

  it('MTU over an IPv6 underlay: 70 bytes of encapsulation; the two ends of a tunnel share a family', () => {
    const t = lab();
    t.hosts = [{ name: 'local', underlay: '2001:db8::1' }, { name: 'b', ssh: 'lab@[2001:db8::2]' }];
    assert.ok(validateValue(t).ok);
    assert.equal(part(splitByHost(t, { local: '2001:db8::1', b: '2001:db8::2' }), 'b').vxlans!.find((v) => v.name === 'wan0')!.mtu, 1430);
    t.links![2]!.mtu = 1450;
    assert.deepEqual(codes(t), ['mtu-fragments links.2.mtu']);
    t.hosts[1]!.ssh = `lab@${U.b}`;
    t.links![2]!.mtu = undefined;
    assert.deepEqual(codes(t), ['underlay-family hosts']);
  });

  it('interface names are unique per host: the same host-side name on two hosts is fine, twice on one is not', () => {
    const t = lab();
    t.links!.push({ a: { node: 'host', name: 'up0' }, b: { node: 'r1', name: 'up0' } });
    t.links!.push({ a: { node: 'host', name: 'up0' }, b: { node: 'r2', name: 'up0' } });
    assert.ok(validateValue(t).ok, JSON.stringify(validateValue(t).diagnostics));
    t.links!.push({ a: { node: 'host', name: 'up0' }, b: { node: 'b1', name: 'up0' } });
    assert.deepEqual(codes(t), ['duplicate-name links.5.a.name']);
  });

  it('a replica bridge takes its name on the other host', () => {
    const t = lab();
    t.links!.push({ a: { node: 'host', name: 'lan0' }, b: { node: 'r2', name: 'up0' } });
    assert.deepEqual(codes(t), ['duplicate-name bridges.0.name']);
    assert.match(validateValue(t).diagnostics[0]!.message, /replica of bridge 'lan0'.*host 'b'/);
  });
});

describe('validation of physical interfaces and hand-written VXLAN devices', () => {
  const base = (): Topology => ({
    version: 1, name: 'ph',
    namespaces: [{ name: 'm1' }],
    bridges: [{ name: 'lab0', addresses: ['10.3.0.1/24'] }],
  });

  it('exactly one of macvlan or bridge', () => {
    assert.deepEqual(codes({ ...base(), physical: [{ dev: 'eth1' }] }), ['invalid-physical physical.0']);
    assert.deepEqual(codes({ ...base(), physical: [{ dev: 'eth1', bridge: 'lab0', macvlan: { node: 'm1', name: 'l0' } }] }), ['invalid-physical physical.0']);
    assert.ok(validateValue({ ...base(), physical: [{ dev: 'eth1', bridge: 'lab0' }, { dev: 'eth2', macvlan: { node: 'm1', name: 'l0', addresses: ['192.168.1.5/24'] } }] }).ok);
  });

  it('names: a known bridge in the host, a known namespace, a dev once and not one the topology makes', () => {
    assert.deepEqual(codes({ ...base(), physical: [{ dev: 'eth1', bridge: 'nope' }] }), ['unknown-node physical.0.bridge']);
    assert.deepEqual(codes({ ...base(), physical: [{ dev: 'eth1', macvlan: { node: 'nope', name: 'l0' } }] }), ['unknown-node physical.0.macvlan.node']);
    const inner = base();
    inner.bridges!.push({ name: 'in0', in: 'm1' });
    assert.deepEqual(codes({ ...inner, physical: [{ dev: 'eth1', bridge: 'in0' }] }), ['physical-bridge physical.0.bridge']);
    assert.deepEqual(codes({ ...base(), physical: [{ dev: 'eth1', bridge: 'lab0' }, { dev: 'eth1', macvlan: { node: 'm1', name: 'l0' } }] }), ['duplicate-name physical.1.dev']);
    assert.deepEqual(codes({ ...base(), physical: [{ dev: 'lab0', macvlan: { node: 'm1', name: 'l0' } }] }), ['physical-clash physical.0.dev']);
    assert.deepEqual(codes({ ...base(), physical: [{ dev: 'eth1; reboot', bridge: 'lab0' }] }), ['invalid-name physical.0.dev']);
  });

  it('a hand-written VXLAN device: a known node, a VNI in range, addresses, names unique in its namespace', () => {
    const v = { name: 'vx0', node: 'm1', vni: 42, local: '192.0.2.1', remote: '192.0.2.9', addresses: ['10.9.0.1/24'] };
    assert.ok(validateValue({ ...base(), vxlans: [v] }).ok);
    assert.deepEqual(codes({ ...base(), vxlans: [{ ...v, node: 'x' }] }), ['unknown-node vxlans.0.node']);
    assert.deepEqual(codes({ ...base(), vxlans: [{ ...v, vni: 0 }] }), ['out-of-range vxlans.0.vni']);
    assert.deepEqual(codes({ ...base(), vxlans: [{ ...v, remote: 'b.example' }] }), ['invalid-ip vxlans.0.remote']);
    assert.deepEqual(codes({ ...base(), vxlans: [v, { ...v, vni: 43, addresses: ['10.9.1.1/24'] }] }), ['duplicate-name vxlans.1.name']);
    assert.deepEqual(codes({ ...base(), vxlans: [{ ...v, node: 'lab0' }] }), ['address-on-port vxlans.0.addresses']);
  });
});
