import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { Topology } from '../../src/core/model/model.js';
import { parseObservation, resolvConfOwner, type LiveLink, type LiveNs, type LiveState } from '../../src/core/observe/observe.js';
import {
  emptyTopology, firewallRules, inheritedDns, plan, resolvConfText, stateComments, wantsIpForward, type Plan,
} from '../../src/core/plan/plan.js';
import { renderArgv, renderCommands } from '../../src/core/plan/render.js';
import { Phase, type Step } from '../../src/core/plan/steps.js';
import {
  ARTICLE_RESOLV, addr, article, articleCaptured, articleLive, bareHost, link, live, lo, ns, owned, route, routed,
  routedSoloRaw, solo,
} from '../support/fixtures.js';

/** each step as the argv a person would type; file steps (dns) as the step itself */
const cmds = (p: Plan): (string[] | Step)[] => p.steps.flatMap((s): (string[] | Step)[] => renderCommands(s.step) ?? [s.step]);
const ops = (p: Plan): string[] => p.steps.map((s) => s.step.op);
const nsOf = (l: LiveState, name: string | null): LiveNs => (name === null ? l.host : l.namespaces.find((n) => n.name === name)!);
const linkIn = (l: LiveState, scope: string | null, name: string): LiveLink => nsOf(l, scope).links.find((x) => x.name === name)!;
const objectKeys = (p: Plan) => p.objects.map((o) => `${o.kind} ${o.scope ?? 'host'} ${o.name} ${o.state}`).sort();
const clone = <T>(v: T): T => structuredClone(v);

const FWD = ['-m', 'comment', '--comment', 'netns-lab:article'];
const ARTICLE_FROM_SCRATCH: (string[] | Step)[] = [
  ['ip', 'netns', 'add', 'ns1'],
  ['ip', 'netns', 'set', 'ns1', 'auto'],
  ['ip', 'netns', 'add', 'ns2'],
  ['ip', 'netns', 'set', 'ns2', 'auto'],
  ['ip', 'link', 'add', 'name', 'br0', 'type', 'bridge'],
  ['ip', 'link', 'add', 'name', 'veth1', 'netns', 'ns1', 'type', 'veth', 'peer', 'name', 'veth1-br'],
  ['ip', 'link', 'add', 'name', 'veth2', 'netns', 'ns2', 'type', 'veth', 'peer', 'name', 'veth2-br'],
  ['ip', 'link', 'set', 'dev', 'br0', 'alias', 'netns-lab:article'],
  ['ip', 'addr', 'add', '10.0.0.1/24', 'dev', 'br0'],
  ['ip', 'link', 'set', 'dev', 'veth1-br', 'master', 'br0', 'alias', 'netns-lab:article'],
  ['ip', 'link', 'set', 'dev', 'veth2-br', 'master', 'br0', 'alias', 'netns-lab:article'],
  ['ip', 'link', 'set', 'dev', 'br0', 'up'],
  ['ip', 'link', 'set', 'dev', 'veth1-br', 'up'],
  ['ip', 'link', 'set', 'dev', 'veth2-br', 'up'],
  ['ip', '-n', 'ns1', 'link', 'set', 'dev', 'lo', 'up', 'alias', 'netns-lab:article'],
  ['ip', '-n', 'ns1', 'link', 'set', 'dev', 'veth1', 'alias', 'netns-lab:article'],
  ['ip', '-n', 'ns1', 'addr', 'add', '10.0.0.2/24', 'dev', 'veth1'],
  ['ip', '-n', 'ns1', 'link', 'set', 'dev', 'veth1', 'up'],
  ['ip', '-n', 'ns1', 'route', 'replace', '0.0.0.0/0', 'via', '10.0.0.1', 'proto', 'static'],
  ['ip', '-n', 'ns2', 'link', 'set', 'dev', 'lo', 'up', 'alias', 'netns-lab:article'],
  ['ip', '-n', 'ns2', 'link', 'set', 'dev', 'veth2', 'alias', 'netns-lab:article'],
  ['ip', '-n', 'ns2', 'addr', 'add', '10.0.0.3/24', 'dev', 'veth2'],
  ['ip', '-n', 'ns2', 'link', 'set', 'dev', 'veth2', 'up'],
  ['ip', '-n', 'ns2', 'route', 'replace', '0.0.0.0/0', 'via', '10.0.0.1', 'proto', 'static'],
  { op: 'dns-write', ns: 'ns1', content: ARTICLE_RESOLV },
  { op: 'dns-write', ns: 'ns2', content: ARTICLE_RESOLV },
  ['iptables', '-t', 'filter', '-N', 'NSL-F-article'],
  ['iptables', '-t', 'filter', '-I', 'FORWARD', '1', ...FWD, '-j', 'NSL-F-article'],
  ['iptables', '-t', 'nat', '-N', 'NSL-N-article'],
  ['iptables', '-t', 'nat', '-I', 'POSTROUTING', '1', ...FWD, '-j', 'NSL-N-article'],
  ['sysctl', '-w', 'net.ipv4.ip_forward=1'],
];

describe('plan: the article from scratch', () => {
  const p = plan(article(), live({ host: bareHost() }));

  it('has no errors', () => {
    assert.deepEqual(p.errors, []);
    assert.equal(p.topology, 'article');
  });

  it('renders to the article\'s commands, in order', () => {
    assert.deepEqual(cmds(p), ARTICLE_FROM_SCRATCH);
  });

  it('puts every step in its phase, phases in order', () => {
    const phases = p.steps.map((s) => s.phase);
    assert.deepEqual(phases, [
      ...Array<Phase>(5).fill(Phase.Create), ...Array<Phase>(17).fill(Phase.Configure),
      Phase.Files, Phase.Files, ...Array<Phase>(5).fill(Phase.Firewall),
    ]);
  });

  it('scopes FORWARD acceptance to the LAN and masquerades it out of the uplink (from "auto")', () => {
    const chains = p.steps.map((s) => s.step).filter((s): s is Extract<Step, { op: 'fw-chain' }> => s.op === 'fw-chain');
    assert.deepEqual(chains.map((c) => [c.table, c.chain, c.rules]), [
      ['filter', 'NSL-F-article', [
        { src: '10.0.0.0/24', comment: 'netns-lab:article', target: 'ACCEPT' },
        { dst: '10.0.0.0/24', established: true, comment: 'netns-lab:article', target: 'ACCEPT' },
      ]],
      ['nat', 'NSL-N-article', [{ src: '10.0.0.0/24', out: 'uplink0', comment: 'netns-lab:article', target: 'MASQUERADE' }]],
    ]);
    assert.deepEqual(p.steps.at(-1)!.step, { op: 'ip-forward', topology: 'article', enable: true });
  });

  it('never flushes or changes the policy of a chain it does not own', () => {
    for (const s of p.steps) {
      const argv = renderArgv(s.step) ?? [];
      if (argv[0] !== 'iptables') continue;
      assert.ok(!argv.includes('-P') && !argv.includes('-F'), argv.join(' '));
      if (argv.includes('FORWARD') || argv.includes('POSTROUTING')) assert.equal(argv.at(-1)!.startsWith('NSL-'), true);
    }
  });

  it('reports every object as missing', () => {
    assert.ok(p.objects.length > 0);
    assert.deepEqual(p.objects.filter((o) => o.state !== 'missing'), []);
    assert.deepEqual(objectKeys(p), [
      'bridge host br0 missing',
      'dns ns1 resolv.conf missing',
      'dns ns2 resolv.conf missing',
      'firewall host filter/NSL-F-article missing',
      'firewall host nat/NSL-N-article missing',
      'ip-forward host net.ipv4.ip_forward missing',
      'namespace ns1 ns1 missing',
      'namespace ns2 ns2 missing',
      'route ns1 default via 10.0.0.1 missing',
      'route ns2 default via 10.0.0.1 missing',
      'veth ns1 veth1<->veth1-br missing',
      'veth ns2 veth2<->veth2-br missing',
    ]);
  });

  it('leaves unowned objects of the host alone', () => {
    for (const s of p.steps) assert.ok(!JSON.stringify(s.step).includes('uplink0') || s.step.op === 'fw-chain', JSON.stringify(s.step));
  });
});

describe('plan: live equals the file', () => {
  const IN_SYNC = [
    'bridge host br0 in-sync',
    'dns ns1 resolv.conf in-sync',
    'dns ns2 resolv.conf in-sync',
    'firewall host filter/NSL-F-article in-sync',
    'firewall host nat/NSL-N-article in-sync',
    'ip-forward host net.ipv4.ip_forward in-sync',
    'namespace ns1 ns1 in-sync',
    'namespace ns2 ns2 in-sync',
    'route ns1 default via 10.0.0.1 in-sync',
    'route ns2 default via 10.0.0.1 in-sync',
    'veth host veth1-br in-sync',
    'veth host veth2-br in-sync',
    'veth ns1 veth1 in-sync',
    'veth ns2 veth2 in-sync',
  ];

  it('plans nothing for hand-built live state of an applied article', () => {
    const p = plan(article(), articleLive());
    assert.deepEqual(p.errors, []);
    assert.deepEqual(cmds(p), []);
    assert.deepEqual(objectKeys(p), IN_SYNC);
  });

  it('plans nothing for the real capture of the applied article (with foreign objects around)', () => {
    const p = plan(article(), articleCaptured());
    assert.deepEqual(p.errors, []);
    assert.deepEqual(cmds(p), []);
    assert.deepEqual(objectKeys(p), IN_SYNC);
  });

  it('plans nothing for the real capture of routed and solo (bridge in a namespace, same-namespace veth)', () => {
    const l = parseObservation(routedSoloRaw());
    for (const t of [routed(), solo()]) {
      const p = plan(t, l);
      assert.deepEqual(p.errors, [], t.name);
      assert.deepEqual(cmds(p), [], t.name);
      assert.deepEqual(p.objects.filter((o) => o.state !== 'in-sync'), [], t.name);
    }
  });

  it('notices what drifted: a link down, a lost master, an MTU, a stray owned route', () => {
    const l = articleLive();
    linkIn(l, null, 'veth1-br').up = false;
    linkIn(l, null, 'veth2-br').master = undefined;
    linkIn(l, 'ns1', 'lo').up = false;
    nsOf(l, 'ns2').routes.push(route('192.168.9.0/24', { via: '10.0.0.9', dev: 'veth2' }));
    nsOf(l, 'ns2').routes.push(route('192.168.8.0/24', { via: '10.0.0.8', dev: 'veth2', protocol: 'kernel' }));
    const t = article();
    t.links![1]!.mtu = 9000;
    const p = plan(t, l);
    assert.deepEqual(p.errors, []);
    assert.deepEqual(cmds(p), [
      ['ip', '-n', 'ns2', 'route', 'del', '192.168.9.0/24', 'via', '10.0.0.9', 'dev', 'veth2'],
      ['ip', 'link', 'set', 'dev', 'veth2-br', 'master', 'br0', 'mtu', '9000'],
      ['ip', 'link', 'set', 'dev', 'veth1-br', 'up'],
      ['ip', '-n', 'ns1', 'link', 'set', 'dev', 'lo', 'up'],
      ['ip', '-n', 'ns2', 'link', 'set', 'dev', 'veth2', 'mtu', '9000'],
    ]);
    const drifted = p.objects.filter((o) => o.state === 'drifted').map((o) => [o.scope, o.name, o.detail]);
    assert.deepEqual(drifted, [
      [null, 'veth1-br', 'down -> up'],
      [null, 'veth2-br', 'mtu 1500 -> 9000, master none -> br0'],
      ['ns2', 'veth2', 'mtu 1500 -> 9000'],
    ]);
    assert.ok(p.objects.some((o) => o.kind === 'route' && o.scope === 'ns2' && o.state === 'extra'));
  });

  it('rewrites a resolv.conf that was edited and a firewall chain that lost a rule', () => {
    const l = articleLive();
    nsOf(l, 'ns1').resolvConf = 'nameserver 9.9.9.9\n';
    l.firewall!.filter['NSL-F-article']!.rules.pop();
    const p = plan(article(), l);
    assert.deepEqual(ops(p), ['dns-write', 'fw-chain']);
    assert.deepEqual(p.steps[0]!.step, { op: 'dns-write', ns: 'ns1', content: ARTICLE_RESOLV });
    const states = p.objects.filter((o) => o.state !== 'in-sync').map((o) => `${o.kind} ${o.name} ${o.state}`);
    assert.deepEqual(states, ['dns resolv.conf drifted', 'firewall filter/NSL-F-article drifted']);
  });

  it('re-inserts a jump that someone deleted, without rebuilding the chain', () => {
    const l = articleLive();
    l.firewall!.nat.POSTROUTING!.rules = [];
    const p = plan(article(), l);
    assert.deepEqual(cmds(p), [['iptables', '-t', 'nat', '-I', 'POSTROUTING', '1', ...FWD, '-j', 'NSL-N-article']]);
  });
});

describe('plan: one address edited', () => {
  it('changes one address in place: one step, rendered as del + add', () => {
    const t = article();
    t.bridges![0]!.addresses = ['10.0.0.254/24'];
    const p = plan(t, articleLive());
    assert.deepEqual(p.errors, []);
    assert.deepEqual(p.steps.map((s) => [s.phase, s.step]), [
      [Phase.Configure, { op: 'addr-change', ns: null, dev: 'br0', from: '10.0.0.1/24', to: '10.0.0.254/24' }],
    ]);
    assert.deepEqual(renderCommands(p.steps[0]!.step), [
      ['ip', 'addr', 'del', '10.0.0.1/24', 'dev', 'br0'],
      ['ip', 'addr', 'add', '10.0.0.254/24', 'dev', 'br0'],
    ]);
    assert.deepEqual(p.objects.filter((o) => o.state !== 'in-sync').map((o) => [o.kind, o.name, o.state, o.detail]),
      [['bridge', 'br0', 'drifted', '10.0.0.1/24 -> 10.0.0.254/24']]);
  });

  it('re-adds the routes the kernel drops when a device loses its last IPv4 address', () => {
    // measured in a sandbox: `ip addr del` of the only IPv4 address of veth1 removes the default route through it
    const t = article();
    t.links![0]!.a.addresses = ['10.0.0.4/24'];
    const p = plan(t, articleLive());
    // still one step: the address change puts the dropped route back in the same batch
    assert.deepEqual(p.steps.map((s) => s.step), [
      { op: 'addr-change', ns: 'ns1', dev: 'veth1', from: '10.0.0.2/24', to: '10.0.0.4/24', restore: [{ family: 4, to: 'default', via: '10.0.0.1', dev: 'veth1' }] },
    ]);
    assert.deepEqual(renderCommands(p.steps[0]!.step), [
      ['ip', '-n', 'ns1', 'addr', 'del', '10.0.0.2/24', 'dev', 'veth1'],
      ['ip', '-n', 'ns1', 'addr', 'add', '10.0.0.4/24', 'dev', 'veth1'],
      ['ip', '-n', 'ns1', 'route', 'replace', '0.0.0.0/0', 'via', '10.0.0.1', 'dev', 'veth1', 'proto', 'static'],
    ]);
    assert.deepEqual(p.objects.filter((o) => o.state !== 'in-sync').map((o) => [o.kind, o.name, o.state]), [['veth', 'veth1', 'drifted']]);
  });

  it('keeps routes when another IPv4 address stays on the device', () => {
    const l = articleLive();
    linkIn(l, 'ns1', 'veth1').addresses.push(addr('192.168.5.2/24'));
    const t = article();
    t.links![0]!.a.addresses = ['10.0.0.4/24', '192.168.5.2/24'];
    const p = plan(t, l);
    // (the file's subnets changed, so the FORWARD chain is rewritten too; no route step)
    assert.deepEqual(ops(p), ['addr-change', 'fw-chain']);
  });

  it('uses del and add when more than one address changes', () => {
    const t = article();
    t.links![0]!.a.addresses = ['10.0.0.4/24', 'fd00::4/64'];
    const l = articleLive();
    linkIn(l, 'ns1', 'veth1').addresses.push(addr('fd00::2/64'));
    const p = plan(t, l);
    assert.deepEqual(cmds(p), [
      ['ip', '-n', 'ns1', 'addr', 'del', '10.0.0.2/24', 'dev', 'veth1'],
      ['ip', '-n', 'ns1', 'addr', 'del', 'fd00::2/64', 'dev', 'veth1'],
      ['ip', '-n', 'ns1', 'addr', 'add', '10.0.0.4/24', 'dev', 'veth1'],
      ['ip', '-n', 'ns1', 'addr', 'add', 'fd00::4/64', 'dev', 'veth1', 'nodad'],
      ['ip', '-n', 'ns1', 'route', 'replace', '0.0.0.0/0', 'via', '10.0.0.1', 'proto', 'static'],
    ]);
    assert.deepEqual(p.steps.map((s) => s.phase), [Phase.Teardown, Phase.Teardown, Phase.Configure, Phase.Configure, Phase.Configure]);
  });

  it('compares addresses canonically (no change for another spelling of the same address)', () => {
    const t = article();
    t.links![0]!.a.addresses = ['10.0.0.2/24', 'FD00:0:0::2/64'];
    const l = articleLive();
    linkIn(l, 'ns1', 'veth1').addresses.push(addr('fd00::2/64'));
    assert.deepEqual(cmds(plan(t, l)), []);
  });
});

describe('plan: clashes with unowned objects', () => {
  it('refuses an unowned interface named like a desired one and never touches it', () => {
    const host = bareHost();
    host.links.push(link('br0', { kind: 'bridge', ifindex: 7, addresses: [addr('10.0.0.1/24')] }));
    const p = plan(article(), live({ host }));
    assert.equal(p.errors.length, 1);
    const e = p.errors[0]!;
    assert.equal(e.code, 'unowned-clash');
    assert.equal(e.severity, 'error');
    assert.match(e.message, /interface 'br0' already exists in the host and is not managed by netns-lab/);
    assert.deepEqual(e.path, ['bridges', 0, 'name']);
    assert.deepEqual(p.objects.filter((o) => o.state === 'unowned-clash'), [{ kind: 'bridge', scope: null, name: 'br0', state: 'unowned-clash', detail: 'not managed by netns-lab' }]);
    for (const s of p.steps) {
      const st = s.step as Record<string, unknown>;
      assert.ok(st.name !== 'br0' && st.dev !== 'br0', `a step touches br0: ${JSON.stringify(st)}`);
    }
  });

  it('refuses an interface owned by another topology', () => {
    const host = bareHost();
    host.links.push(owned('other', 'veth1-br', { peer: { ns: 'x', name: 'y' } }));
    const p = plan(article(), live({ host }));
    assert.deepEqual(p.errors.map((e) => [e.code, e.path]), [['unowned-clash', ['links', 0, 'b', 'name']]]);
    assert.match(p.errors[0]!.message, /owned by topology 'other'/);
    assert.ok(!p.steps.some((s) => s.step.op === 'link-del'));
  });

  it('refuses a namespace owned by another topology, or by nobody', () => {
    const l = live({
      host: bareHost(),
      namespaces: [ns('ns1', { owner: 'other', links: [lo('other')] }), ns('ns2', { links: [lo()] })],
    });
    const p = plan(article(), l);
    assert.deepEqual(p.errors.map((e) => [e.code, e.path]), [
      ['unowned-clash', ['namespaces', 0, 'name']],
      ['unowned-clash', ['namespaces', 1, 'name']],
    ]);
    assert.match(p.errors[0]!.message, /namespace 'ns1' already exists and is owned by topology 'other'/);
    assert.match(p.errors[1]!.message, /namespace 'ns2' already exists and is owned by nobody/);
    assert.ok(!p.steps.some((s) => s.step.op === 'netns-add' || s.step.op === 'netns-del'));
    assert.ok(!p.steps.some((s) => s.step.op === 'dns-write'), 'no file written into a namespace we do not own');
    assert.deepEqual(p.objects.filter((o) => o.kind === 'namespace').map((o) => [o.name, o.state, o.detail]), [
      ['ns1', 'unowned-clash', 'owned by other'],
      ['ns2', 'unowned-clash', 'not managed by netns-lab'],
    ]);
  });
});

describe('plan: objects the file no longer has', () => {
  it('deletes an owned namespace that left the file, with its resolv.conf; its veth goes along', () => {
    const t = article();
    t.namespaces = t.namespaces!.filter((n) => n.name !== 'ns2');
    t.links = t.links!.filter((l) => l.a.node !== 'ns2');
    const p = plan(t, articleLive());
    assert.deepEqual(p.errors, []);
    assert.deepEqual(p.steps.map((s) => [s.phase, s.step]), [
      [Phase.Teardown, { op: 'netns-del', name: 'ns2' }],
      [Phase.Teardown, { op: 'dns-remove', ns: 'ns2' }],
    ]);
    assert.deepEqual(p.objects.filter((o) => o.state === 'extra').map((o) => [o.kind, o.scope, o.name]), [
      ['namespace', 'ns2', 'ns2'], ['veth', null, 'veth2-br'],
    ]);
  });

  it('deletes an owned link that left the file and removes a resolv.conf when dns left the file', () => {
    const l = articleLive();
    l.host.links.push(owned('article', 'stray0', { kind: 'bridge' }));
    const t = article();
    delete t.namespaces![0]!.dns;
    const p = plan(t, l);
    assert.deepEqual(cmds(p), [
      ['ip', 'link', 'del', 'dev', 'stray0'],
      { op: 'dns-remove', ns: 'ns1' },
    ]);
  });
});

describe('plan: destroy = plan(emptyTopology(name), live)', () => {
  const withNeighbours = (): LiveState => {
    const l = articleLive();
    l.host.links.push(link('eth0', { kind: 'device', addresses: [addr('192.0.2.10/24')] }));
    l.host.links.push(owned('other', 'obr', { kind: 'bridge' }));
    l.host.routes.push(route('10.50.0.0/16', { via: '192.0.2.1', dev: 'eth0' }));
    l.namespaces.push(ns('foreign', { links: [lo(), link('p0'), link('p1')], resolvConf: 'nameserver 1.1.1.1\n' }));
    l.namespaces.push(ns('o1', { owner: 'other', links: [lo('other')], resolvConf: 'x\n' }));
    l.namespaces.sort((a, b) => (a.name! < b.name! ? -1 : 1));
    l.firewall!.filter.FORWARD!.rules.push('-m comment --comment "netns-lab:other" -j NSL-F-other');
    l.firewall!.filter['NSL-F-other'] = { policy: undefined, rules: ['-s 10.9.0.0/24 -m comment --comment "netns-lab:other" -j ACCEPT'] };
    return l;
  };

  it('removes every owned object and restores ip_forward', () => {
    const p = plan(emptyTopology('article'), withNeighbours());
    assert.deepEqual(p.errors, []);
    assert.deepEqual(cmds(p), [
      ['ip', 'netns', 'del', 'ns1'],
      ['ip', 'netns', 'del', 'ns2'],
      ['ip', 'link', 'del', 'dev', 'br0'],
      { op: 'dns-remove', ns: 'ns1' },
      { op: 'dns-remove', ns: 'ns2' },
      ['iptables', '-t', 'filter', '-D', 'FORWARD', ...FWD, '-j', 'NSL-F-article'],
      ['iptables', '-t', 'filter', '-X', 'NSL-F-article'],
      ['iptables', '-t', 'nat', '-D', 'POSTROUTING', ...FWD, '-j', 'NSL-N-article'],
      ['iptables', '-t', 'nat', '-X', 'NSL-N-article'],
      ['sysctl', '-w', 'net.ipv4.ip_forward=0'],
    ]);
    assert.deepEqual(p.steps.at(-1)!.step, { op: 'ip-forward', topology: 'article', enable: false, restore: '0' });
  });

  it('never touches unowned objects or another topology\'s', () => {
    const p = plan(emptyTopology('article'), withNeighbours());
    const text = JSON.stringify(p.steps.map((s) => s.step));
    for (const w of ['foreign', 'eth0', 'p0', 'obr', '"o1"', 'NSL-F-other', '10.50.0.0', 'uplink0']) {
      assert.ok(!text.includes(w), `destroy touches ${w}: ${text}`);
    }
    assert.ok(!p.objects.some((o) => o.scope === 'foreign' || o.scope === 'o1' || o.name === 'eth0' || o.name === 'obr'));
  });

  it('removes its own resolv.conf left without a namespace (a destroy killed after netns del), and only its own', () => {
    const l = articleLive();
    l.namespaces = [];
    l.strayDns = [
      { ns: 'ns1', owner: resolvConfOwner(ARTICLE_RESOLV) },
      { ns: 'gone', owner: 'other' },
      { ns: 'hand', owner: resolvConfOwner('nameserver 192.0.2.1\n') },
    ];
    const p = plan(emptyTopology('article'), l);
    assert.deepEqual(p.steps.filter((s) => s.step.op.startsWith('dns')).map((s) => [s.phase, s.step]), [[Phase.Teardown, { op: 'dns-remove', ns: 'ns1' }]]);
    assert.ok(p.objects.some((o) => o.kind === 'dns' && o.scope === 'ns1' && o.state === 'extra'));
    // re-applying the article: removed in teardown, written afresh for the new ns1 afterwards
    const again = plan(article(), { ...live({ host: bareHost() }), strayDns: [{ ns: 'ns1', owner: 'article' }] });
    const dns = again.steps.filter((s) => s.step.op.startsWith('dns') && 'ns' in s.step && s.step.ns === 'ns1');
    assert.deepEqual(dns.map((s) => [s.phase, s.step.op]), [[Phase.Teardown, 'dns-remove'], [Phase.Files, 'dns-write']]);
  });

  it('reads the owner of a generated resolv.conf from its first line only', () => {
    assert.equal(resolvConfOwner(ARTICLE_RESOLV), 'article');
    assert.equal(resolvConfOwner(resolvConfText('t-1', ['192.0.2.1'], [])), 't-1');
    assert.equal(resolvConfOwner('nameserver 1.1.1.1\n# netns-lab:article (generated by netns-lab)\n'), undefined);
    assert.equal(resolvConfOwner('# netns-lab:../x (generated by netns-lab)\n'), undefined);
  });

  it('destroys what the real capture holds and nothing else', () => {
    const p = plan(emptyTopology('article'), articleCaptured());
    assert.deepEqual(ops(p), ['netns-del', 'netns-del', 'link-del', 'dns-remove', 'dns-remove', 'fw-jump', 'fw-chain-del', 'fw-jump', 'fw-chain-del', 'ip-forward']);
    assert.ok(!JSON.stringify(p.steps).includes('NSL-F-t"'));
  });

  it('destroying one of two topologies leaves the other intact (real capture)', () => {
    const p = plan(emptyTopology('solo'), parseObservation(routedSoloRaw()));
    assert.deepEqual(cmds(p), [
      ['ip', 'netns', 'del', 'x'],
      ['iptables', '-t', 'filter', '-D', 'FORWARD', '-m', 'comment', '--comment', 'netns-lab:solo', '-j', 'NSL-F-solo'],
      ['iptables', '-t', 'filter', '-X', 'NSL-F-solo'],
    ]);
  });

  it('is empty when nothing is owned', () => {
    const p = plan(emptyTopology('article'), live({ host: bareHost(), namespaces: [ns('foreign', { links: [lo()] })] }));
    assert.deepEqual(p.steps, []);
    assert.deepEqual(p.objects, []);
  });
});

describe('plan: uplink', () => {
  const natRules = (p: Plan) => p.steps.map((s) => s.step).find((s) => s.op === 'fw-chain' && s.table === 'nat');

  it('"auto" takes the interface of the IPv4 default route with the lowest metric', () => {
    const host = bareHost();
    host.routes = [
      route('default', { via: '192.0.2.1', dev: 'wan0', metric: 600, protocol: 'dhcp' }),
      route('default', { via: '198.51.100.1', dev: 'wan1', metric: 100, protocol: 'dhcp' }),
      route('default', { family: 6, via: 'fe80::1', dev: 'wan6', metric: 1, protocol: 'ra' }),
    ];
    const p = plan(article(), live({ host }));
    assert.deepEqual(p.errors, []);
    assert.deepEqual(natRules(p), {
      op: 'fw-chain', table: 'nat', chain: 'NSL-N-article',
      rules: [{ src: '10.0.0.0/24', out: 'wan1', comment: 'netns-lab:article', target: 'MASQUERADE' }],
    });
  });

  it('"auto" without an IPv4 default route is the error no-uplink', () => {
    const host = bareHost();
    host.routes = [route('default', { family: 6, via: 'fe80::1', dev: 'wan6', protocol: 'ra' })];
    const p = plan(article(), live({ host }));
    assert.deepEqual(p.errors.map((e) => [e.code, e.severity, e.path]), [['no-uplink', 'error', ['host', 'uplink']]]);
    assert.equal(natRules(p), undefined);
  });

  it('a named uplink must exist on the host', () => {
    const t = article();
    t.host!.uplink = 'wan9';
    const p = plan(t, live({ host: bareHost() }));
    assert.deepEqual(p.errors.map((e) => e.code), ['uplink-missing']);
    t.host!.uplink = 'uplink0';
    const q = plan(t, live({ host: bareHost() }));
    assert.deepEqual(q.errors, []);
    assert.equal((natRules(q) as Extract<Step, { op: 'fw-chain' }>).rules[0]!.out, 'uplink0');
  });

  it('firewallRules: subnets of the topology, IPv4 only, sorted; no FORWARD rules when the host has no interface', () => {
    assert.deepEqual(firewallRules(routed(), 'up0').filter.map((r) => [r.src ?? r.dst, r.established ?? false]), [
      ['10.10.1.0/24', false], ['10.10.1.0/24', true], ['10.10.2.0/24', false], ['10.10.2.0/24', true],
    ]);
    assert.deepEqual(firewallRules(routed(), 'up0').nat, [{ src: '10.10.0.0/16', out: 'up0', comment: 'netns-lab:routed', target: 'MASQUERADE' }]);
    assert.deepEqual(firewallRules(routed(), undefined).nat, []);
    const t: Topology = {
      version: 1, name: 'iso', namespaces: [{ name: 'a' }, { name: 'b' }],
      links: [{ a: { node: 'a', name: 'e0', addresses: ['10.1.0.1/30'] }, b: { node: 'b', name: 'e0', addresses: ['10.1.0.2/30'] } }],
    };
    assert.deepEqual(firewallRules(t, 'up0'), { filter: [], nat: [] });
  });
});

describe('plan: dns "inherit"', () => {
  const SYSTEMD = '# This is /run/systemd/resolve/resolv.conf\nnameserver 192.0.2.53\nnameserver 2001:DB8::53\nsearch corp.example lab.example\n';

  it('replaces a loopback stub by the upstream servers behind it', () => {
    const l = live({ host: bareHost(), hostDns: { resolvConf: 'nameserver 127.0.0.53\noptions edns0 trust-ad\nsearch corp.example\n', systemdResolvConf: SYSTEMD } });
    assert.deepEqual(inheritedDns(l), {
      servers: ['192.0.2.53', '2001:db8::53'], search: ['corp.example', 'lab.example'], source: '/run/systemd/resolve/resolv.conf',
    });
    const p = plan(article(), l);
    const content = '# netns-lab:article (generated by netns-lab from /run/systemd/resolve/resolv.conf; edits are overwritten)\n'
      + 'search corp.example lab.example\nnameserver 192.0.2.53\nnameserver 2001:db8::53\n';
    assert.equal(resolvConfText('article', ['192.0.2.53', '2001:db8::53'], ['corp.example', 'lab.example'], '/run/systemd/resolve/resolv.conf'), content);
    assert.deepEqual(p.steps.filter((s) => s.step.op === 'dns-write').map((s) => s.step), [
      { op: 'dns-write', ns: 'ns1', content }, { op: 'dns-write', ns: 'ns2', content },
    ]);
    assert.ok(!content.includes('127.0.0.53'));
  });

  it('uses /etc/resolv.conf directly when it names real servers (at most 3)', () => {
    const l = live({ hostDns: { resolvConf: 'nameserver 10.1.1.1\nnameserver 127.0.0.1\nnameserver 10.1.1.2\nnameserver 10.1.1.3\nnameserver 10.1.1.4\n', systemdResolvConf: SYSTEMD } });
    assert.deepEqual(inheritedDns(l), { servers: ['10.1.1.1', '10.1.1.2', '10.1.1.3'], search: [], source: '/etc/resolv.conf' });
  });

  it('is an error when no upstream server can be found', () => {
    const l = live({ host: bareHost(), hostDns: { resolvConf: 'nameserver 127.0.0.53\n', systemdResolvConf: null } });
    assert.equal(inheritedDns(l), undefined);
    const p = plan(article(), l);
    assert.deepEqual(p.errors.map((e) => [e.code, e.path]), [['dns-inherit', ['namespaces', 0, 'dns']], ['dns-inherit', ['namespaces', 1, 'dns']]]);
    assert.ok(!p.steps.some((s) => s.step.op === 'dns-write'));
  });

  it('writes explicit servers canonically, with search domains', () => {
    const t = article();
    t.namespaces![0]!.dns = { servers: ['2001:0DB8::1', '192.0.2.1'], search: ['lab.example'] };
    const p = plan(t, live({ host: bareHost() }));
    assert.deepEqual(p.steps.find((s) => s.step.op === 'dns-write')!.step, {
      op: 'dns-write', ns: 'ns1',
      content: '# netns-lab:article (generated by netns-lab; edits are overwritten)\nsearch lab.example\nnameserver 2001:db8::1\nnameserver 192.0.2.1\n',
    });
  });
});

describe('plan: a veth whose live peer differs', () => {
  it('deletes and recreates both pairs when their ends were swapped, then reconfigures them', () => {
    const l = articleLive();
    linkIn(l, null, 'veth1-br').peer = { ns: 'ns2', name: 'veth2' };
    linkIn(l, null, 'veth2-br').peer = { ns: 'ns1', name: 'veth1' };
    linkIn(l, 'ns1', 'veth1').peer = { ns: null, name: 'veth2-br' };
    linkIn(l, 'ns2', 'veth2').peer = { ns: null, name: 'veth1-br' };
    const p = plan(article(), l);
    assert.deepEqual(p.errors, []);
    assert.deepEqual(cmds(p), [
      ['ip', '-n', 'ns1', 'link', 'del', 'dev', 'veth1'],
      ['ip', 'link', 'del', 'dev', 'veth1-br'],
      ['ip', 'link', 'add', 'name', 'veth1', 'netns', 'ns1', 'type', 'veth', 'peer', 'name', 'veth1-br'],
      ['ip', 'link', 'add', 'name', 'veth2', 'netns', 'ns2', 'type', 'veth', 'peer', 'name', 'veth2-br'],
      ['ip', 'link', 'set', 'dev', 'veth1-br', 'master', 'br0', 'alias', 'netns-lab:article'],
      ['ip', 'link', 'set', 'dev', 'veth2-br', 'master', 'br0', 'alias', 'netns-lab:article'],
      ['ip', 'link', 'set', 'dev', 'veth1-br', 'up'],
      ['ip', 'link', 'set', 'dev', 'veth2-br', 'up'],
      ['ip', '-n', 'ns1', 'link', 'set', 'dev', 'veth1', 'alias', 'netns-lab:article'],
      ['ip', '-n', 'ns1', 'addr', 'add', '10.0.0.2/24', 'dev', 'veth1'],
      ['ip', '-n', 'ns1', 'link', 'set', 'dev', 'veth1', 'up'],
      // the routes through the deleted veths went with them
      ['ip', '-n', 'ns1', 'route', 'replace', '0.0.0.0/0', 'via', '10.0.0.1', 'proto', 'static'],
      ['ip', '-n', 'ns2', 'link', 'set', 'dev', 'veth2', 'alias', 'netns-lab:article'],
      ['ip', '-n', 'ns2', 'addr', 'add', '10.0.0.3/24', 'dev', 'veth2'],
      ['ip', '-n', 'ns2', 'link', 'set', 'dev', 'veth2', 'up'],
      ['ip', '-n', 'ns2', 'route', 'replace', '0.0.0.0/0', 'via', '10.0.0.1', 'proto', 'static'],
    ]);
    assert.deepEqual(p.objects.filter((o) => o.state === 'drifted').map((o) => [o.scope, o.name, o.detail]), [
      ['ns1', 'veth1', 'peer is host/veth2-br, want host/veth1-br'],
      [null, 'veth1-br', 'peer is ns2/veth2, want ns1/veth1'],
      ['ns2', 'veth2', 'peer is host/veth1-br, want host/veth2-br'],
      [null, 'veth2-br', 'peer is ns1/veth1, want ns2/veth2'],
    ]);
  });

  it('recreates a pair whose peer is unknown: link-del of both ends, then veth-add', () => {
    const l = articleLive();
    linkIn(l, 'ns1', 'veth1').peer = undefined;
    linkIn(l, null, 'veth1-br').peer = undefined;
    const p = plan(article(), l);
    const head = cmds(p).slice(0, 3);
    assert.deepEqual(head, [
      ['ip', '-n', 'ns1', 'link', 'del', 'dev', 'veth1'],
      ['ip', 'link', 'del', 'dev', 'veth1-br'],
      ['ip', 'link', 'add', 'name', 'veth1', 'netns', 'ns1', 'type', 'veth', 'peer', 'name', 'veth1-br'],
    ]);
    assert.deepEqual(ops(p).filter((o) => o === 'veth-add' || o === 'link-del'), ['link-del', 'link-del', 'veth-add']);
  });

  it('recreates a bridge that is not a bridge', () => {
    const l = articleLive();
    linkIn(l, null, 'br0').kind = 'veth';
    const p = plan(article(), l);
    assert.deepEqual(cmds(p).slice(0, 2), [['ip', 'link', 'del', 'dev', 'br0'], ['ip', 'link', 'add', 'name', 'br0', 'type', 'bridge']]);
    assert.ok(p.objects.some((o) => o.name === 'br0' && o.state === 'drifted' && o.detail === 'is a veth, not a bridge'));
  });
});

describe('plan: ip_forward bookkeeping', () => {
  const withState = (rules: string[], fwd: string): LiveState => {
    const l = articleLive();
    l.firewall!.filter['NSL-STATE'] = { policy: undefined, rules };
    l.host.sysctls['net.ipv4.ip_forward'] = fwd;
    return l;
  };
  const use = (t: string) => `-m comment --comment "netns-lab:uses_ip_forward=${t}" -j RETURN`;
  const was = (v: string) => `-m comment --comment "netns-lab:ip_forward_was=${v}" -j RETURN`;
  const fwdSteps = (p: Plan) => p.steps.map((s) => s.step).filter((s) => s.op === 'ip-forward');

  it('stateComments reads the recorded value and the users, quoted or not', () => {
    assert.deepEqual(stateComments([was('0'), use('article'), '-m comment --comment netns-lab:uses_ip_forward=lab2 -j RETURN', '-s 10.0.0.0/8 -j ACCEPT']),
      { was: '0', users: ['article', 'lab2'] });
    assert.deepEqual(stateComments([]), { was: undefined, users: [] });
  });

  it('enables forwarding when this topology is not yet recorded as a user, even if it is already on', () => {
    const p = plan(article(), withState([was('1'), use('other')], '1'));
    assert.deepEqual(fwdSteps(p), [{ op: 'ip-forward', topology: 'article', enable: true }]);
    assert.equal(p.objects.find((o) => o.kind === 'ip-forward')!.state, 'missing');
  });

  it('turns it back on when a recorded user finds it off (drift)', () => {
    const p = plan(article(), withState([was('0'), use('article')], '0'));
    assert.deepEqual(fwdSteps(p), [{ op: 'ip-forward', topology: 'article', enable: true }]);
    assert.equal(p.objects.find((o) => o.kind === 'ip-forward')!.state, 'drifted');
  });

  it('the last user restores the recorded value on destroy', () => {
    for (const v of ['0', '1'] as const) {
      const p = plan(emptyTopology('article'), withState([was(v), use('article')], '1'));
      assert.deepEqual(fwdSteps(p), [{ op: 'ip-forward', topology: 'article', enable: false, restore: v }]);
      assert.deepEqual(renderArgv(fwdSteps(p)[0]!), ['sysctl', '-w', `net.ipv4.ip_forward=${v}`]);
    }
  });

  it('a user that is not the last releases without restoring', () => {
    const p = plan(emptyTopology('article'), withState([was('0'), use('article'), use('other')], '1'));
    assert.deepEqual(fwdSteps(p), [{ op: 'ip-forward', topology: 'article', enable: false }]);
  });

  it('does not restore a value that was never recorded', () => {
    const p = plan(emptyTopology('article'), withState([use('article')], '1'));
    assert.deepEqual(fwdSteps(p), [{ op: 'ip-forward', topology: 'article', enable: false }]);
  });

  it('a topology that never used forwarding does nothing to it', () => {
    const p = plan(emptyTopology('lab2'), withState([was('0'), use('article')], '1'));
    assert.deepEqual(fwdSteps(p), []);
  });

  it('releases forwarding when the file turns it off, and wantsIpForward follows host.ipForward, else masquerade', () => {
    const t = article();
    t.host!.ipForward = false;
    assert.equal(wantsIpForward(t), false);
    assert.equal(wantsIpForward(article()), true);
    assert.equal(wantsIpForward(emptyTopology('x')), false);
    assert.equal(wantsIpForward({ version: 1, name: 'r', host: { ipForward: true } }), true);
    const p = plan(t, withState([was('0'), use('article')], '1'));
    assert.deepEqual(fwdSteps(p), [{ op: 'ip-forward', topology: 'article', enable: false, restore: '0' }]);
  });
});

describe('plan: the routed example from scratch', () => {
  const p = plan(routed(), live({ host: bareHost() }));

  it('creates the bridge inside the router namespace and veths with both ends in namespaces', () => {
    assert.deepEqual(p.errors, []);
    const create = p.steps.filter((s) => s.phase === Phase.Create).flatMap((s) => renderCommands(s.step)!);
    assert.deepEqual(create, [
      ['ip', 'netns', 'add', 'router'],
      ['ip', 'netns', 'set', 'router', 'auto'],
      ['ip', 'netns', 'add', 'a1'],
      ['ip', 'netns', 'set', 'a1', 'auto'],
      ['ip', 'netns', 'add', 'b1'],
      ['ip', 'netns', 'set', 'b1', 'auto'],
      ['ip', 'netns', 'add', 'b2'],
      ['ip', 'netns', 'set', 'b2', 'auto'],
      ['ip', 'link', 'add', 'name', 'lan-a', 'type', 'bridge'],
      ['ip', 'link', 'add', 'name', 'lan-b', 'netns', 'router', 'type', 'bridge'],
      ['ip', 'link', 'add', 'name', 'eth0', 'netns', 'a1', 'type', 'veth', 'peer', 'name', 'a1-p'],
      ['ip', 'link', 'add', 'name', 'wan0', 'netns', 'router', 'type', 'veth', 'peer', 'name', 'router-p'],
      ['ip', 'link', 'add', 'name', 'eth0', 'netns', 'b1', 'type', 'veth', 'peer', 'name', 'b1-p', 'netns', 'router'],
      ['ip', 'link', 'add', 'name', 'eth0', 'netns', 'b2', 'type', 'veth', 'peer', 'name', 'b2-p', 'netns', 'router'],
    ]);
  });

  it('sets the router\'s sysctl inside its namespace, MTUs on both ends, IPv6 without DAD, host routes', () => {
    const c = cmds(p);
    assert.deepEqual(c.filter((x) => Array.isArray(x) && x[0] === 'nsenter'), [
      ['nsenter', '--net=/run/netns/router', '--', 'sysctl', '-q', '-w', 'net.ipv4.ip_forward=1'],
    ]);
    assert.ok(c.some((x) => JSON.stringify(x) === JSON.stringify(['ip', '-n', 'router', 'link', 'set', 'dev', 'b1-p', 'master', 'lan-b', 'mtu', '1400', 'alias', 'netns-lab:routed'])));
    assert.ok(c.some((x) => JSON.stringify(x) === JSON.stringify(['ip', '-n', 'b1', 'link', 'set', 'dev', 'eth0', 'mtu', '1400', 'alias', 'netns-lab:routed'])));
    assert.ok(c.some((x) => JSON.stringify(x) === JSON.stringify(['ip', '-n', 'a1', 'addr', 'add', 'fd00:a::10/64', 'dev', 'eth0', 'nodad'])));
    assert.ok(c.some((x) => JSON.stringify(x) === JSON.stringify(['ip', 'route', 'add', '10.10.2.0/24', 'via', '10.10.1.254', 'dev', 'lan-a', 'proto', 'static'])));
    assert.deepEqual(p.steps.filter((s) => s.step.op === 'dns-write').map((s) => (s.step as { ns: string }).ns), ['router', 'a1', 'b1']);
  });

  it('runs steps in non-decreasing phase order', () => {
    const phases = p.steps.map((s) => s.phase);
    assert.deepEqual(phases, [...phases].sort((a, b) => a - b));
    assert.ok(p.steps.every((s) => typeof s.summary === 'string' && s.summary.length > 0));
  });
});

describe('plan: determinism', () => {
  it('gives the same plan for the same input and does not modify its inputs', () => {
    const t = article();
    const l = articleLive();
    linkIn(l, null, 'br0').up = false;
    const tBefore = clone(t);
    const lBefore = clone(l);
    assert.deepEqual(plan(t, l), plan(t, l));
    assert.deepEqual(t, tBefore);
    assert.deepEqual(l, lBefore);
  });
});
