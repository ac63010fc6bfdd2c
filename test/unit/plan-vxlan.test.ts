/**
 * The single-host planner with the objects a multi-host lab adds (issue 19): VXLAN devices,
 * macvlans of a host interface, host interfaces moved into a lab bridge. Plans are compared as
 * the argv they render to; live states are built as observe would read them.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { Topology } from '../../src/core/model/model.js';
import { parseLinks, type FwTable, type LiveLink, type LiveState } from '../../src/core/observe/observe.js';
import { emptyTopology, plan, type Plan } from '../../src/core/plan/plan.js';
import { fwRuleSaveText, jumpSaveText, renderCommands } from '../../src/core/plan/render.js';
import { importLive } from '../../src/core/import/importer.js';
import { executorKey, touchedScopes } from '../../src/core/plan/steps.js';
import { createdBy } from '../../src/helper/journal.js';
import { addr, link, live, lo, ns, owned, route } from '../support/fixtures.js';

const T = 'mh';
const cmds = (p: Plan) => p.steps.flatMap((s) => renderCommands(s.step)!.map((c) => c.join(' ')));
const ops = (p: Plan) => p.steps.map((s) => s.step.op);
const errs = (p: Plan) => p.errors.map((e) => `${e.code} ${e.path.join('.')}`);

/** host "b"'s part of a lab: r2 with a VXLAN link to local, and a replica of lan0 with its arm */
function part(): Topology {
  return {
    version: 1, name: T,
    namespaces: [{ name: 'r2' }],
    bridges: [{ name: 'lan0' }],
    vxlans: [
      { name: 'wan0', node: 'r2', vni: 4242, local: '192.0.2.2', remote: '192.0.2.1', addresses: ['10.20.0.2/30'], mtu: 1450 },
      { name: 'vx5000', node: 'lan0', vni: 5000, local: '192.0.2.2', remote: '192.0.2.1', mtu: 1450 },
    ],
  };
}

/** the firewall a plan's fw steps leave behind */
function firewallOf(p: Plan): { filter: FwTable; nat: FwTable } {
  const fw: { filter: FwTable; nat: FwTable } = { filter: { FORWARD: { policy: 'ACCEPT', rules: [] } }, nat: { POSTROUTING: { policy: 'ACCEPT', rules: [] } } };
  for (const { step: s } of p.steps) {
    if (s.op === 'fw-chain') fw[s.table][s.chain] = { policy: undefined, rules: s.rules.map(fwRuleSaveText) };
    if (s.op === 'fw-jump') fw[s.table][s.from]!.rules.push(jumpSaveText(s.comment, s.chain));
  }
  return fw;
}

const vx = (name: string, vni: number, o: Partial<LiveLink> = {}): LiveLink => owned(T, name, {
  kind: 'vxlan', mtu: 1450, operstate: 'UNKNOWN', vxlan: { vni, local: '192.0.2.2', remote: '192.0.2.1', port: 4789, dev: undefined }, ...o,
});

/** what the kernel holds once part() is applied */
function applied(): LiveState {
  const fw = firewallOf(plan(part(), live()));
  return live({
    host: ns(null, { links: [lo(), link('ul-b', { kind: 'veth', addresses: [addr('192.0.2.2/24')] }), owned(T, 'lan0', { kind: 'bridge', mtu: 1450 }), vx('vx5000', 5000, { master: 'lan0' })] }),
    namespaces: [ns('r2', { owner: T, links: [lo(T), vx('wan0', 4242, { linkNetnsid: 0, addresses: [addr('10.20.0.2/30')] })] })],
    firewall: fw,
  });
}

describe('VXLAN devices in the planner', () => {
  const underlay = () => live({ host: ns(null, { links: [lo(), link('ul-b', { addresses: [addr('192.0.2.2/24')] })] }) });

  it('from scratch: made in the host and placed in their namespace or bridge, tagged, MTU, address, up', () => {
    const p = plan(part(), underlay());
    assert.deepEqual(p.errors, []);
    const c = cmds(p);
    assert.ok(c.includes('ip link add name wan0 netns r2 type vxlan id 4242 local 192.0.2.2 remote 192.0.2.1 dstport 4789'), c.join('\n'));
    assert.ok(c.includes('ip link add name vx5000 type vxlan id 5000 local 192.0.2.2 remote 192.0.2.1 dstport 4789'));
    assert.ok(c.includes('ip link set dev vx5000 master lan0 mtu 1450 alias netns-lab:mh'));
    assert.ok(c.includes('ip -n r2 link set dev wan0 mtu 1450 alias netns-lab:mh'));
    assert.ok(c.includes('ip -n r2 addr add 10.20.0.2/30 dev wan0'));
    assert.ok(c.includes('ip -n r2 link set dev wan0 up'));
    // created after the namespace it goes into
    assert.ok(c.indexOf('ip netns add r2') < c.indexOf('ip link add name wan0 netns r2 type vxlan id 4242 local 192.0.2.2 remote 192.0.2.1 dstport 4789'));
    assert.deepEqual(p.objects.filter((o) => o.kind === 'vxlan').map((o) => `${o.scope ?? 'host'} ${o.name} ${o.state}`), ['r2 wan0 missing', 'host vx5000 missing']);
  });

  it('re-plans empty when the kernel holds what the part says', () => {
    const p = plan(part(), applied());
    assert.deepEqual(cmds(p), []);
    assert.deepEqual(p.objects.filter((o) => o.kind === 'vxlan').map((o) => o.state), ['in-sync', 'in-sync']);
  });

  it('one changed address is one step', () => {
    const t = part();
    t.vxlans![0]!.addresses = ['10.20.0.1/30'];
    assert.deepEqual(cmds(plan(t, applied())), ['ip -n r2 addr del 10.20.0.2/30 dev wan0', 'ip -n r2 addr add 10.20.0.1/30 dev wan0']);
    assert.deepEqual(ops(plan(t, applied())), ['addr-change']);
  });

  it('a device whose tunnel differs (remote, VNI, port) is made again', () => {
    for (const change of [{ remote: '192.0.2.9' }, { vni: 4243 }, { port: 8472 }]) {
      const t = part();
      Object.assign(t.vxlans![0]!, change);
      const p = plan(t, applied());
      assert.deepEqual(ops(p).slice(0, 2), ['link-del', 'vxlan-add'], JSON.stringify(change));
      assert.match(p.objects.find((o) => o.name === 'wan0')!.detail!, /^tunnel vni 4242 192\.0\.2\.2 -> 192\.0\.2\.1:4789, want /);
    }
  });

  it('a device of another kind by that name, if ours, is replaced; if not ours, a clash and nothing runs', () => {
    const l = applied();
    l.namespaces[0]!.links[1] = owned(T, 'wan0', { kind: 'veth' });
    assert.deepEqual(ops(plan(part(), l)).slice(0, 2), ['link-del', 'vxlan-add']);
    const c = applied();
    c.host.links.push(link('vx6000', { kind: 'vxlan' }));
    const t = part();
    t.vxlans!.push({ name: 'vx6000', node: 'host', vni: 6000, local: '192.0.2.2', remote: '192.0.2.3' });
    const p = plan(t, c);
    assert.deepEqual(errs(p), ['unowned-clash vxlans.2.name']);
  });

  it('an owned VXLAN device the part no longer has is deleted; destroy deletes them all', () => {
    const t = part();
    t.vxlans!.pop();
    assert.deepEqual(cmds(plan(t, applied())), ['ip link del dev vx5000']);
    const d = plan(emptyTopology(T), applied());
    assert.deepEqual(cmds(d).filter((x) => x.startsWith('ip link del') || x.startsWith('ip netns del')).sort(), ['ip link del dev lan0', 'ip link del dev vx5000', 'ip netns del r2']);
  });

  it('refuses a tunnel from an address this host does not have, or over an interface it lacks (the helper\'s own checks)', () => {
    const p = plan(part(), live());
    assert.deepEqual(errs(p), ['no-underlay vxlans.0.local', 'no-underlay vxlans.1.local']);
    assert.match(p.errors[0]!.message, /'wan0' would send from 192\.0\.2\.2, which is not an address of this host/);
    const t = part();
    t.vxlans![1]!.dev = 'eth7';
    assert.deepEqual(errs(plan(t, underlay())), ['no-underlay vxlans.1.dev']);
  });

  it('a device in the host over another underlay interface is made again; in a namespace the interface is not read back', () => {
    const t = part();
    t.vxlans![1]!.dev = 'ul-b';
    const l = applied();
    assert.deepEqual(ops(plan(t, l)).slice(0, 2), ['link-del', 'vxlan-add']);
    l.host.links[3]!.vxlan!.dev = 'ul-b';
    assert.deepEqual(cmds(plan(t, l)), []);
    t.vxlans![0]!.dev = 'ul-b';
    assert.deepEqual(cmds(plan(t, l)), [], 'wan0 sits in r2: its underlay device is not compared');
  });

  it('a tunnelled end keeps its impairments (a root qdisc on the VXLAN device)', () => {
    const t = part();
    t.vxlans![0]!.impair = { rate: 10000 };
    assert.deepEqual(cmds(plan(t, applied())), ['tc -n r2 qdisc replace dev wan0 root tbf rate 10000kbit burst 12500 latency 50ms']);
  });

  it('a whole multi-host file is refused: a helper only builds one host\'s part', () => {
    const t: Topology = { ...part(), hosts: [{ name: 'b', ssh: 'lab@192.0.2.2' }] };
    const p = plan(t, live());
    assert.deepEqual([errs(p), p.steps], [['multi-host hosts'], []]);
    assert.deepEqual(errs(plan({ ...part(), namespaces: [{ name: 'r2', on: 'b' }] }, live())), ['multi-host hosts']);
  });
});

describe('physical interfaces in the planner', () => {
  const base = (physical: Topology['physical']): Topology => ({
    version: 1, name: T, namespaces: [{ name: 'm1' }], bridges: [{ name: 'lab0', addresses: ['10.3.0.1/24'] }], physical,
  });
  const host = (...links: LiveLink[]) => ns(null, {
    links: [lo(), link('eth0', { kind: 'device', addresses: [addr('198.51.100.2/24')] }), ...links],
    routes: [route('default', { via: '198.51.100.1', dev: 'eth0' }), route('198.51.100.0/24', { dev: 'eth0', protocol: 'kernel' })],
  });

  it('a macvlan of a host interface: made into its namespace; the parent must exist', () => {
    const t = base([{ dev: 'eth0', macvlan: { node: 'm1', name: 'lan0', addresses: ['198.51.100.50/24'] } }]);
    const p = plan(t, live({ host: host() }));
    assert.deepEqual(p.errors, []);
    assert.ok(cmds(p).includes('ip link add link eth0 name lan0 netns m1 type macvlan mode bridge'));
    assert.ok(cmds(p).includes('ip -n m1 addr add 198.51.100.50/24 dev lan0'));
    const gone = plan(base([{ dev: 'eth7', macvlan: { node: 'm1', name: 'lan0' } }]), live({ host: host() }));
    assert.deepEqual(errs(gone), ['physical-missing physical.0.dev']);
  });

  it('a macvlan in another mode or of another parent is made again', () => {
    const t: Topology = { ...base([{ dev: 'eth0', macvlan: { node: 'm1', name: 'lan0' } }]), bridges: [] };
    const h = host();
    h.links[1]!.ifindex = 2;
    const mv = (o: Partial<LiveLink>) => live({ host: h, namespaces: [ns('m1', { owner: T, links: [lo(T), owned(T, 'lan0', { kind: 'macvlan', macvlanMode: 'bridge', linkIndex: 2, linkNetnsid: 0, ...o })] })] });
    assert.deepEqual(ops(plan(t, mv({}))).filter((o) => o !== 'fw-chain' && o !== 'fw-jump'), []);
    assert.deepEqual(ops(plan(t, mv({ macvlanMode: 'vepa' }))).slice(0, 2), ['link-del', 'macvlan-add']);
    assert.deepEqual(ops(plan(t, mv({ linkIndex: 9 }))).slice(0, 2), ['link-del', 'macvlan-add']);
  });

  it('moves a free host interface into a lab bridge, and only such a one', () => {
    const t = base([{ dev: 'eth1', bridge: 'lab0' }]);
    const ok = plan(t, live({ host: host(link('eth1', { kind: 'device' })) }));
    assert.deepEqual(ok.errors, []);
    assert.ok(cmds(ok).includes('ip link set dev eth1 master lab0 up'));
    const refused = (l: LiveLink | undefined, extraRoutes = [] as ReturnType<typeof route>[]) => {
      const h = l ? host(l) : host();
      h.routes.push(...extraRoutes);
      const p = plan(t, live({ host: h }));
      assert.ok(!ops(p).includes('phys-attach'));
      return p.errors.map((e) => `${e.code}: ${e.message}`);
    };
    assert.match(refused(link('eth1', { kind: 'device', addresses: [addr('192.168.7.2/24')] }))[0]!, /^physical-carries-host: .*holds the host's address 192\.168\.7\.2\/24; use a macvlan/);
    assert.match(refused(link('eth1', { kind: 'device' }), [route('10.77.0.0/16', { via: '10.1.1.1', dev: 'eth1' })])[0]!, /^physical-carries-host: .*route 10\.77\.0\.0\/16 via 10\.1\.1\.1/);
    assert.match(refused(undefined)[0]!, /^physical-missing: the host has no interface 'eth1'/);
    assert.match(refused(owned('other', 'eth1'))[0]!, /^physical-owned: .*topology 'other'/);
    assert.match(refused(link('eth1', { kind: 'device', master: 'docker0' }))[0]!, /^physical-busy: .*port of 'docker0'/);
    assert.match(refused(link('eth1', { kind: 'bridge' }))[0]!, /^physical-kind/);
    // an IPv6 link-local route alone is no reason
    const ll = plan(t, live({ host: host(link('eth1', { kind: 'device' })) }));
    ll.errors.length = 0;
    const h = host(link('eth1', { kind: 'device', addresses: [addr('fe80::1/64', 'link')] }));
    h.routes.push(route('fe80::/64', { family: 6, dev: 'eth1', protocol: 'kernel' }));
    assert.deepEqual(plan(t, live({ host: h })).errors, []);
  });

  it('in sync when it is already a port; given back (never deleted) when the file drops it; destroy only deletes the bridge', () => {
    const t = base([{ dev: 'eth1', bridge: 'lab0' }]);
    const first = plan(t, live({ host: host(link('eth1', { kind: 'device' })) }));
    const state = () => live({
      host: host(link('eth1', { kind: 'device', master: 'lab0' }), owned(T, 'lab0', { kind: 'bridge', addresses: [addr('10.3.0.1/24')] })),
      namespaces: [ns('m1', { owner: T, links: [lo(T)] })], firewall: firewallOf(first),
    });
    const again = plan(t, state());
    assert.deepEqual(cmds(again), []);
    assert.deepEqual(again.objects.filter((o) => o.kind === 'physical').map((o) => o.state), ['in-sync']);
    assert.deepEqual(cmds(plan(base([]), state())), ['ip link set dev eth1 nomaster']);
    const d = plan(emptyTopology(T), state());
    assert.ok(!ops(d).includes('phys-detach'), 'deleting the bridge gives its ports back');
    assert.deepEqual(cmds(d).filter((c) => c.includes('eth1')), []);
    assert.ok(cmds(d).includes('ip link del dev lab0'));
  });
});

describe('observe reads VXLAN and macvlan details back', () => {
  it('from ip -d -j', () => {
    const [v, m] = parseLinks([
      { ifindex: 2, link_index: 2, ifname: 'wan0', flags: ['UP'], mtu: 1450, operstate: 'UNKNOWN', link_netnsid: 0, ifalias: 'netns-lab:mh',
        linkinfo: { info_kind: 'vxlan', info_data: { id: 4242, remote: '192.0.2.2', local: '192.0.2.1', link: 'ul0', port: 4789, learning: true } } },
      { ifindex: 3, link_index: 3, ifname: 'mv0', flags: [], mtu: 1500, operstate: 'DOWN', link_netnsid: 0,
        linkinfo: { info_kind: 'macvlan', info_data: { mode: 'bridge', bcqueuelen: 1000 } } },
    ]);
    assert.deepEqual([v!.kind, v!.owner, v!.vxlan], ['vxlan', 'mh', { vni: 4242, local: '192.0.2.1', remote: '192.0.2.2', port: 4789, dev: 'ul0' }]);
    assert.deepEqual([m!.kind, m!.macvlanMode, m!.linkIndex], ['macvlan', 'bridge', 3]);
  });
});

describe('import of VXLAN devices and macvlans', () => {
  it('writes them as vxlans and physical macvlans; skips what the file cannot hold, saying why', () => {
    const l = applied();
    l.host.links[1]!.ifindex = 7;
    l.namespaces.push(ns('m1', { links: [lo(), link('lan0', { kind: 'macvlan', linkIndex: 7, linkNetnsid: 0, addresses: [addr('192.0.2.50/24')] }),
      link('mcast0', { kind: 'vxlan', vxlan: { vni: 9, local: undefined, remote: undefined, port: 4789, dev: undefined } })] }));
    const r = importLive(l, { name: 'back', namespaces: ['r2', 'm1'] });
    assert.deepEqual(r.topology.vxlans, [{ name: 'wan0', node: 'r2', vni: 4242, local: '192.0.2.2', remote: '192.0.2.1', addresses: ['10.20.0.2/30'], mtu: 1450 }]);
    assert.deepEqual(r.topology.physical, [{ dev: 'ul-b', macvlan: { node: 'm1', name: 'lan0', addresses: ['192.0.2.50/24'] } }]);
    assert.ok(r.notes.some((n) => /m1\/mcast0: a VXLAN device without a local and a remote/.test(n)));
  });
});

describe('the new steps in the helper\'s bookkeeping', () => {
  const vxAdd = { op: 'vxlan-add', ns: 'r2', name: 'wan0', vni: 4242, local: '192.0.2.2', remote: '192.0.2.1', port: 4789 } as const;
  const mvAdd = { op: 'macvlan-add', ns: 'm1', name: 'lan0', parent: 'eth0' } as const;
  const attach = { op: 'phys-attach', dev: 'eth1', master: 'lab0' } as const;

  it('the intent journal records the devices a create step makes (so an interrupted apply can claim them)', () => {
    assert.deepEqual(createdBy(vxAdd), { namespaces: [], links: [{ ns: 'r2', name: 'wan0' }] });
    assert.deepEqual(createdBy(mvAdd), { namespaces: [], links: [{ ns: 'm1', name: 'lan0' }] });
    assert.deepEqual(createdBy(attach), { namespaces: [], links: [] }, 'a physical interface is never the topology\'s');
  });

  it('they run in the host\'s batch and are verified where they land', () => {
    assert.deepEqual([vxAdd, mvAdd, attach].map((x) => executorKey(x)), ['ip:', 'ip:', 'ip:']);
    assert.deepEqual(touchedScopes(vxAdd, () => undefined), ['r2']);
    assert.deepEqual(touchedScopes(attach, () => undefined), [null]);
  });
});
