import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { describe, it } from 'node:test';
import { emptyTopology, firewallRules, plan } from '../../src/core/plan/plan.js';
import {
  RenderError, fwRuleSaveText, fwRuleWords, inNetns, ipLines, ipScope, ipWords, jumpSaveText, renderArgv, renderCommands,
  renderScript, restoreLines, shQuote, summarize, sysctlArgv,
} from '../../src/core/plan/render.js';
import { Phase, Step, executorKey, type FwRule, type PlannedStep } from '../../src/core/plan/steps.js';
import { article, articleCaptured, articleLive, bareHost, live } from '../support/fixtures.js';

const C = 'netns-lab:article';

/** [step, expected argv] for every op that renders to one command */
const CASES: [Step, string[]][] = [
  [{ op: 'netns-del', name: 'ns1' }, ['ip', 'netns', 'del', 'ns1']],
  [{ op: 'bridge-add', ns: null, name: 'br0' }, ['ip', 'link', 'add', 'name', 'br0', 'type', 'bridge']],
  [{ op: 'bridge-add', ns: 'r', name: 'lan-b' }, ['ip', 'link', 'add', 'name', 'lan-b', 'netns', 'r', 'type', 'bridge']],
  [{ op: 'veth-add', a: { ns: 'ns1', name: 'veth1' }, b: { ns: null, name: 'veth1-br' } },
    ['ip', 'link', 'add', 'name', 'veth1', 'netns', 'ns1', 'type', 'veth', 'peer', 'name', 'veth1-br']],
  [{ op: 'veth-add', a: { ns: 'b1', name: 'eth0' }, b: { ns: 'r', name: 'b1-p' } },
    ['ip', 'link', 'add', 'name', 'eth0', 'netns', 'b1', 'type', 'veth', 'peer', 'name', 'b1-p', 'netns', 'r']],
  [{ op: 'veth-add', a: { ns: null, name: 'h0' }, b: { ns: null, name: 'h1' } },
    ['ip', 'link', 'add', 'name', 'h0', 'type', 'veth', 'peer', 'name', 'h1']],
  [{ op: 'link-del', ns: null, name: 'br0' }, ['ip', 'link', 'del', 'dev', 'br0']],
  // a VXLAN device is made in the host (its tunnel's socket stays there) and placed in its namespace
  [{ op: 'vxlan-add', ns: 'r1', name: 'wan0', vni: 4242, local: '192.0.2.1', remote: '192.0.2.2', port: 4789 },
    ['ip', 'link', 'add', 'name', 'wan0', 'netns', 'r1', 'type', 'vxlan', 'id', '4242', 'local', '192.0.2.1', 'remote', '192.0.2.2', 'dstport', '4789']],
  [{ op: 'vxlan-add', ns: null, name: 'vx5000', vni: 5000, local: '2001:db8::1', remote: '2001:db8::2', port: 8472, dev: 'eth1' },
    ['ip', 'link', 'add', 'name', 'vx5000', 'type', 'vxlan', 'id', '5000', 'local', '2001:db8::1', 'remote', '2001:db8::2', 'dstport', '8472', 'dev', 'eth1']],
  [{ op: 'macvlan-add', ns: 'ns1', name: 'lan0', parent: 'eth1' },
    ['ip', 'link', 'add', 'link', 'eth1', 'name', 'lan0', 'netns', 'ns1', 'type', 'macvlan', 'mode', 'bridge']],
  [{ op: 'phys-attach', dev: 'eth2', master: 'br0' }, ['ip', 'link', 'set', 'dev', 'eth2', 'master', 'br0', 'up']],
  [{ op: 'phys-detach', dev: 'eth2', master: 'br0' }, ['ip', 'link', 'set', 'dev', 'eth2', 'nomaster']],
  [{ op: 'link-del', ns: 'ns1', name: 'veth1' }, ['ip', '-n', 'ns1', 'link', 'del', 'dev', 'veth1']],
  [{ op: 'link-set', ns: 'ns1', name: 'lo', up: true, alias: C }, ['ip', '-n', 'ns1', 'link', 'set', 'dev', 'lo', 'up', 'alias', C]],
  [{ op: 'link-set', ns: null, name: 'p1', master: 'br0', mtu: 1400, up: false, alias: C },
    ['ip', 'link', 'set', 'dev', 'p1', 'master', 'br0', 'mtu', '1400', 'down', 'alias', C]],
  [{ op: 'link-set', ns: null, name: 'p1', master: null }, ['ip', 'link', 'set', 'dev', 'p1', 'nomaster']],
  [{ op: 'addr-add', ns: null, dev: 'br0', cidr: '10.0.0.1/24' }, ['ip', 'addr', 'add', '10.0.0.1/24', 'dev', 'br0']],
  [{ op: 'addr-add', ns: 'a1', dev: 'eth0', cidr: 'fd00:a::10/64' }, ['ip', '-n', 'a1', 'addr', 'add', 'fd00:a::10/64', 'dev', 'eth0', 'nodad']],
  [{ op: 'addr-del', ns: 'a1', dev: 'eth0', cidr: 'fd00:a::10/64' }, ['ip', '-n', 'a1', 'addr', 'del', 'fd00:a::10/64', 'dev', 'eth0']],
  [{ op: 'route-add', ns: 'ns1', family: 4, to: 'default', via: '10.0.0.1' },
    ['ip', '-n', 'ns1', 'route', 'replace', '0.0.0.0/0', 'via', '10.0.0.1', 'proto', 'static']],
  [{ op: 'route-add', ns: 'ns1', family: 6, to: 'default', via: 'fd00::1', dev: 'veth1', metric: 100 },
    ['ip', '-n', 'ns1', 'route', 'replace', '::/0', 'via', 'fd00::1', 'dev', 'veth1', 'metric', '100', 'proto', 'static']],
  // in the host a new route is added (the kernel refuses to overwrite a route someone else holds);
  // replace only when the planner found the route in that slot to be ours (host-routes.ts)
  [{ op: 'route-add', ns: null, family: 4, to: '10.10.2.0/24', via: '10.10.1.254' },
    ['ip', 'route', 'add', '10.10.2.0/24', 'via', '10.10.1.254', 'proto', 'static']],
  [{ op: 'route-add', ns: null, family: 4, to: '10.10.2.0/24', via: '10.10.1.254', dev: 'lan-a', replace: true },
    ['ip', 'route', 'replace', '10.10.2.0/24', 'via', '10.10.1.254', 'dev', 'lan-a', 'proto', 'static']],
  [{ op: 'route-del', ns: 'ns2', family: 4, to: '192.168.9.0/24', via: '10.0.0.9', dev: 'veth2', metric: 0 },
    ['ip', '-n', 'ns2', 'route', 'del', '192.168.9.0/24', 'via', '10.0.0.9', 'dev', 'veth2', 'metric', '0']],
  [{ op: 'sysctl', ns: 'router', key: 'net.ipv4.ip_forward', value: '1' },
    ['nsenter', '--net=/run/netns/router', '--', 'sysctl', '-q', '-w', 'net.ipv4.ip_forward=1']],
  [{ op: 'sysctl', ns: null, key: 'net.ipv4.conf.all.rp_filter', value: '2' }, ['sysctl', '-q', '-w', 'net.ipv4.conf.all.rp_filter=2']],
  [{ op: 'fw-chain', table: 'filter', chain: 'NSL-F-article', rules: [] }, ['iptables', '-t', 'filter', '-N', 'NSL-F-article']],
  [{ op: 'fw-chain-del', table: 'nat', chain: 'NSL-N-article' }, ['iptables', '-t', 'nat', '-X', 'NSL-N-article']],
  [{ op: 'fw-jump', table: 'filter', from: 'FORWARD', chain: 'NSL-F-article', comment: C, action: 'add' },
    ['iptables', '-t', 'filter', '-I', 'FORWARD', '1', '-m', 'comment', '--comment', C, '-j', 'NSL-F-article']],
  [{ op: 'fw-jump', table: 'nat', from: 'POSTROUTING', chain: 'NSL-N-article', comment: C, action: 'del' },
    ['iptables', '-t', 'nat', '-D', 'POSTROUTING', '-m', 'comment', '--comment', C, '-j', 'NSL-N-article']],
  [{ op: 'ip-forward', topology: 'article', enable: true }, ['sysctl', '-w', 'net.ipv4.ip_forward=1']],
  [{ op: 'qdisc-set', ns: 'ns1', dev: 'veth1', impair: { delay: 100, jitter: 10, loss: 1, corrupt: 0.1, duplicate: 1, rate: 1000 } },
    ['tc', '-n', 'ns1', 'qdisc', 'replace', 'dev', 'veth1', 'root', 'netem', 'delay', '100ms', '10ms', 'loss', '1%', 'corrupt', '0.1%', 'duplicate', '1%', 'rate', '1000kbit']],
  [{ op: 'qdisc-set', ns: null, dev: 'veth1-br', impair: { rate: 10000 }, burst: 12500 },
    ['tc', 'qdisc', 'replace', 'dev', 'veth1-br', 'root', 'tbf', 'rate', '10000kbit', 'burst', '12500', 'latency', '50ms']],
  [{ op: 'qdisc-set', ns: 'ns2', dev: 'eth0', impair: { delay: 0.25, loss: 0.000001 } },
    ['tc', '-n', 'ns2', 'qdisc', 'replace', 'dev', 'eth0', 'root', 'netem', 'delay', '0.25ms', 'loss', '0.000001%']],
  [{ op: 'qdisc-del', ns: 'ns1', dev: 'veth1' }, ['tc', '-n', 'ns1', 'qdisc', 'del', 'dev', 'veth1', 'root']],
  [{ op: 'ip-forward', topology: 'article', enable: false, restore: '0' }, ['sysctl', '-w', 'net.ipv4.ip_forward=0']],
  [{ op: 'ip-forward', topology: 'article', enable: false, restore: '1' }, ['sysctl', '-w', 'net.ipv4.ip_forward=1']],
];

describe('renderArgv / ipWords: every op', () => {
  for (const [step, argv] of CASES) {
    it(`${step.op}: ${argv.join(' ')}`, () => {
      assert.ok(Step.safeParse(step).success, 'the hand-built step is valid');
      assert.deepEqual(renderArgv(step), argv);
      assert.deepEqual(renderCommands(step), [argv]);
      const ip = ipWords(step);
      if (argv[0] === 'ip') {
        const scope = ipScope(step);
        assert.deepEqual(ip, argv.slice(scope === null ? 1 : 3));
        assert.deepEqual(ipLines(step), [ip]);
      } else {
        assert.equal(ip, undefined);
      }
    });
  }

  it('netns-add is two commands: the namespace, and an nsid in the host (so ip monitor all-nsid sees it)', () => {
    assert.deepEqual(renderCommands({ op: 'netns-add', name: 'ns1' }), [['ip', 'netns', 'add', 'ns1'], ['ip', 'netns', 'set', 'ns1', 'auto']]);
    assert.deepEqual(ipLines({ op: 'netns-add', name: 'ns1' }), [['netns', 'add', 'ns1'], ['netns', 'set', 'ns1', 'auto']]);
  });

  it('covers every op of the Step union', () => {
    // the workload steps are not commands of their own (test/unit/workload-steps.test.ts)
    const covered = new Set([...CASES.map(([s]) => s.op), 'netns-add', 'addr-change', 'dns-write', 'dns-remove', 'exec-run', 'service-start', 'service-restart', 'service-stop']);
    assert.deepEqual([...covered].sort(), [...Step.options.map((o) => o.shape.op.value)].sort());
  });

  it('addr-change is two lines of one batch: del then add', () => {
    const s: Step = { op: 'addr-change', ns: 'ns1', dev: 'veth1', from: '10.0.0.2/24', to: 'fd00::4/64' };
    assert.equal(renderArgv(s), undefined);
    assert.equal(ipWords(s), undefined);
    assert.deepEqual(ipLines(s), [['addr', 'del', '10.0.0.2/24', 'dev', 'veth1'], ['addr', 'add', 'fd00::4/64', 'dev', 'veth1', 'nodad']]);
    assert.deepEqual(renderCommands(s), [
      ['ip', '-n', 'ns1', 'addr', 'del', '10.0.0.2/24', 'dev', 'veth1'],
      ['ip', '-n', 'ns1', 'addr', 'add', 'fd00::4/64', 'dev', 'veth1', 'nodad'],
    ]);
    assert.equal(summarize(s), 'ip -n ns1 addr del 10.0.0.2/24 dev veth1 && ip -n ns1 addr add fd00::4/64 dev veth1 nodad');
  });

  it('file steps render to no argv', () => {
    assert.equal(renderArgv({ op: 'dns-write', ns: 'ns1', content: 'nameserver 192.0.2.1\n' }), undefined);
    assert.equal(renderArgv({ op: 'dns-remove', ns: 'ns1' }), undefined);
    assert.equal(renderCommands({ op: 'dns-remove', ns: 'ns1' }), undefined);
  });
});

describe('where steps run', () => {
  it('creation runs in the root batch even when it targets a namespace; the rest in its scope', () => {
    assert.equal(ipScope({ op: 'veth-add', a: { ns: 'ns1', name: 'v' }, b: { ns: 'ns2', name: 'w' } }), null);
    assert.equal(ipScope({ op: 'bridge-add', ns: 'r', name: 'b' }), null);
    assert.equal(ipScope({ op: 'addr-add', ns: 'r', dev: 'b', cidr: '10.0.0.1/24' }), 'r');
    assert.equal(executorKey({ op: 'netns-add', name: 'x' }), 'ip:');
    assert.equal(executorKey({ op: 'link-set', ns: 'x', name: 'lo', up: true }), 'ip:x');
    assert.equal(executorKey({ op: 'addr-change', ns: null, dev: 'br0', from: '10.0.0.1/24', to: '10.0.0.2/24' }), 'ip:');
    assert.equal(executorKey({ op: 'sysctl', ns: 'x', key: 'net.ipv4.ip_forward', value: '1' }), 'sysctl:x');
    assert.equal(executorKey({ op: 'dns-write', ns: 'x', content: '' }), 'file:x');
    assert.equal(executorKey({ op: 'fw-chain-del', table: 'nat', chain: 'NSL-N-x' }), 'fw:nat');
    assert.equal(executorKey({ op: 'ip-forward', topology: 'x', enable: true }), 'ip-forward');
  });

  it('inNetns / sysctlArgv enter the namespace with nsenter, the host runs as is', () => {
    assert.deepEqual(inNetns(null, ['sysctl', '-n', 'a']), ['sysctl', '-n', 'a']);
    assert.deepEqual(inNetns('r', ['sysctl', '-n', 'a']), ['nsenter', '--net=/run/netns/r', '--', 'sysctl', '-n', 'a']);
    assert.deepEqual(sysctlArgv('r', [{ key: 'net.ipv4.ip_forward', value: '1' }, { key: 'net.ipv6.conf.all.forwarding', value: '1' }]),
      ['nsenter', '--net=/run/netns/r', '--', 'sysctl', '-q', '-w', 'net.ipv4.ip_forward=1', 'net.ipv6.conf.all.forwarding=1']);
  });
});

describe('firewall rendering', () => {
  const accept: FwRule = { src: '10.0.0.0/24', comment: 'netns-lab:t', target: 'ACCEPT' };
  const established: FwRule = { dst: '10.0.0.0/24', established: true, comment: 'netns-lab:t', target: 'ACCEPT' };
  const masq: FwRule = { src: '10.0.0.0/24', out: 'uplink0', comment: 'netns-lab:t', target: 'MASQUERADE' };

  it('fwRuleWords', () => {
    assert.deepEqual(fwRuleWords(established), ['-d', '10.0.0.0/24', '-m', 'conntrack', '--ctstate', 'RELATED,ESTABLISHED', '-m', 'comment', '--comment', 'netns-lab:t', '-j', 'ACCEPT']);
    assert.deepEqual(fwRuleWords(masq), ['-s', '10.0.0.0/24', '-o', 'uplink0', '-m', 'comment', '--comment', 'netns-lab:t', '-j', 'MASQUERADE']);
  });

  it('fwRuleSaveText is exactly what iptables-save prints (real capture of rules made with iptables -A)', () => {
    const fw = articleCaptured().firewall!;
    assert.deepEqual(fw.filter['NSL-F-t']!.rules, [fwRuleSaveText(accept), fwRuleSaveText(established)]);
    assert.deepEqual(fw.nat['NSL-N-t']!.rules, [fwRuleSaveText(masq)]);
    assert.equal(fwRuleSaveText(accept), '-s 10.0.0.0/24 -m comment --comment "netns-lab:t" -j ACCEPT');
  });

  it('the planner\'s rules for the article match the capture of the article applied', () => {
    const fw = articleCaptured().firewall!;
    const rules = firewallRules(article(), 'uplink0');
    assert.deepEqual(rules.filter.map(fwRuleSaveText), fw.filter['NSL-F-article']!.rules);
    assert.deepEqual(rules.nat.map(fwRuleSaveText), fw.nat['NSL-N-article']!.rules);
    assert.deepEqual(fw.filter.FORWARD!.rules, [jumpSaveText(C, 'NSL-F-article')]);
    assert.deepEqual(fw.nat.POSTROUTING!.rules, [jumpSaveText(C, 'NSL-N-article')]);
  });

  it('restoreLines: declare (create or flush) our chain, fill it, insert one jump; delete flushes then removes', () => {
    assert.deepEqual(restoreLines('filter', [
      { op: 'fw-chain', table: 'filter', chain: 'NSL-F-t', rules: [accept, established] },
      { op: 'fw-jump', table: 'filter', from: 'FORWARD', chain: 'NSL-F-t', comment: 'netns-lab:t', action: 'add' },
    ]), [
      '*filter',
      ':NSL-F-t - [0:0]',
      '-A NSL-F-t -s 10.0.0.0/24 -m comment --comment netns-lab:t -j ACCEPT',
      '-A NSL-F-t -d 10.0.0.0/24 -m conntrack --ctstate RELATED,ESTABLISHED -m comment --comment netns-lab:t -j ACCEPT',
      '-I FORWARD 1 -m comment --comment netns-lab:t -j NSL-F-t',
      'COMMIT',
    ]);
    assert.deepEqual(restoreLines('nat', [
      { op: 'fw-jump', table: 'nat', from: 'POSTROUTING', chain: 'NSL-N-t', comment: 'netns-lab:t', action: 'del' },
      { op: 'fw-chain-del', table: 'nat', chain: 'NSL-N-t' },
      { op: 'ip-forward', topology: 't', enable: true },
    ]), ['*nat', '-D POSTROUTING -m comment --comment netns-lab:t -j NSL-N-t', '-F NSL-N-t', '-X NSL-N-t', 'COMMIT']);
  });

  it('restoreLines of the article plan never touches a built-in chain except by one jump', () => {
    const p = plan(article(), live({ host: bareHost() }));
    for (const table of ['filter', 'nat'] as const) {
      const lines = restoreLines(table, p.steps.map((s) => s.step).filter((s) => 'table' in s && s.table === table));
      assert.equal(lines[0], `*${table}`);
      assert.equal(lines.at(-1), 'COMMIT');
      for (const l of lines.slice(1, -1)) assert.match(l, /^(:NSL-\S+ - \[0:0\]|-A NSL-\S+ .*|-I (FORWARD|POSTROUTING) 1 -m comment --comment netns-lab:article -j NSL-\S+)$/);
      assert.ok(!lines.some((l) => /^:(FORWARD|POSTROUTING|INPUT|OUTPUT|PREROUTING) /.test(l)), 'never declares (flushes) a built-in chain');
    }
  });
});

describe('RenderError: unsafe words never reach argv or a script', () => {
  const bad: [string, Step][] = [
    ['an option as an interface name', { op: 'link-del', ns: null, name: '-n' }],
    ['a shell metacharacter', { op: 'link-del', ns: null, name: 'a;b' }],
    ['whitespace', { op: 'addr-add', ns: null, dev: 'br0 up', cidr: '10.0.0.1/24' }],
    ['an option as a namespace (ip -n)', { op: 'link-set', ns: '-all', name: 'lo', up: true }],
    ['a path as a namespace', { op: 'netns-add', name: '../etc' }],
    ['a dot namespace', { op: 'netns-del', name: '..' }],
    ['a netns clause with a path', { op: 'veth-add', a: { ns: 'ns1/../x', name: 'v' }, b: { ns: null, name: 'w' } }],
    ['a path in nsenter', { op: 'sysctl', ns: '../../proc/1/ns/net', key: 'net.ipv4.ip_forward', value: '1' }],
    ['a command substitution in a route', { op: 'route-add', ns: null, family: 4, to: '$(reboot)', via: '10.0.0.1' }],
    ['an option as a master', { op: 'link-set', ns: null, name: 'p', master: '--help' }],
    ['an option as a chain', { op: 'fw-chain-del', table: 'filter', chain: '-F' }],
    ['a quote in a jump comment', { op: 'fw-jump', table: 'filter', from: 'FORWARD', chain: 'NSL-F-x', comment: 'a"b', action: 'add' }],
  ];
  for (const [what, step] of bad) {
    it(what, () => {
      assert.equal(Step.safeParse(step).success, false, 'the schema refuses it too');
      assert.throws(() => renderCommands(step), RenderError);
      assert.throws(() => renderScript([{ phase: Phase.Configure, step, summary: '' }], 't'), RenderError);
    });
  }

  it('an unsafe firewall rule value', () => {
    for (const r of [
      { src: '10.0.0.0/24', comment: '--x', target: 'ACCEPT' },
      { out: 'eth0 -j DROP', comment: 'c', target: 'ACCEPT' },
      { src: '10.0.0.0/24;', comment: 'c', target: 'ACCEPT' },
    ] as FwRule[]) {
      assert.throws(() => fwRuleWords(r), RenderError, JSON.stringify(r));
      assert.throws(() => restoreLines('filter', [{ op: 'fw-chain', table: 'filter', chain: 'NSL-F-x', rules: [r] }]), RenderError);
    }
  });

  it('an unsafe namespace or content in a dns step of a script', () => {
    const script = (step: Step) => renderScript([{ phase: Phase.Files, step, summary: '' }], 't');
    assert.throws(() => script({ op: 'dns-write', ns: 'a;rm -rf /', content: 'nameserver 192.0.2.1\n' }), RenderError);
    assert.throws(() => script({ op: 'dns-remove', ns: '../..' }), RenderError);
    assert.throws(() => script({ op: 'dns-write', ns: 'ns1', content: 'nameserver 192.0.2.1\nEOF\nrm -rf /\n' }), RenderError);
    assert.match(script({ op: 'dns-write', ns: 'ns1', content: 'nameserver 192.0.2.1\n' }), /^nameserver 192\.0\.2\.1$/m);
  });
});

describe('renderScript', () => {
  const p = plan(article(), live({ host: bareHost() }));
  const script = renderScript(p.steps, 'The article "Linux Network Namespace"');
  const lines = script.split('\n');

  it('starts like a bash script that stops at the first error', () => {
    assert.equal(lines[0], '#!/bin/bash');
    assert.equal(lines[1], '# The article "Linux Network Namespace"');
    assert.ok(lines.slice(0, 6).includes('set -euo pipefail'));
    assert.ok(script.endsWith('\n'));
  });

  it('contains the article\'s commands in order', () => {
    const expected = [
      'ip netns add ns1',
      'ip netns set ns1 auto',
      'ip netns add ns2',
      'ip netns set ns2 auto',
      'ip link add name br0 type bridge',
      'ip link add name veth1 netns ns1 type veth peer name veth1-br',
      'ip link add name veth2 netns ns2 type veth peer name veth2-br',
      'ip addr add 10.0.0.1/24 dev br0',
      'ip link set dev veth1-br master br0 alias netns-lab:article',
      'ip link set dev veth2-br master br0 alias netns-lab:article',
      'ip link set dev br0 up',
      'ip link set dev veth1-br up',
      'ip link set dev veth2-br up',
      'ip -n ns1 link set dev lo up alias netns-lab:article',
      'ip -n ns1 addr add 10.0.0.2/24 dev veth1',
      'ip -n ns1 link set dev veth1 up',
      'ip -n ns1 route replace 0.0.0.0/0 via 10.0.0.1 proto static',
      'ip -n ns2 link set dev lo up alias netns-lab:article',
      'ip -n ns2 addr add 10.0.0.3/24 dev veth2',
      'ip -n ns2 link set dev veth2 up',
      'ip -n ns2 route replace 0.0.0.0/0 via 10.0.0.1 proto static',
      'mkdir -p /etc/netns/ns1',
      "cat > /etc/netns/ns1/resolv.conf <<'EOF'",
      'nameserver 203.0.113.53',
      'EOF',
      'mkdir -p /etc/netns/ns2',
      'iptables -t filter -N NSL-F-article 2>/dev/null || iptables -t filter -F NSL-F-article',
      'iptables -t filter -A NSL-F-article -s 10.0.0.0/24 -m comment --comment netns-lab:article -j ACCEPT',
      'iptables -t filter -A NSL-F-article -d 10.0.0.0/24 -m conntrack --ctstate RELATED,ESTABLISHED -m comment --comment netns-lab:article -j ACCEPT',
      'iptables -t filter -I FORWARD 1 -m comment --comment netns-lab:article -j NSL-F-article',
      'iptables -t nat -N NSL-N-article 2>/dev/null || iptables -t nat -F NSL-N-article',
      'iptables -t nat -A NSL-N-article -s 10.0.0.0/24 -o uplink0 -m comment --comment netns-lab:article -j MASQUERADE',
      'iptables -t nat -I POSTROUTING 1 -m comment --comment netns-lab:article -j NSL-N-article',
    ];
    let at = 0;
    for (const e of expected) {
      const i = lines.indexOf(e, at);
      assert.ok(i >= 0, `missing or out of order: ${e}`);
      at = i + 1;
    }
    assert.ok(lines.some((l) => l.startsWith('sysctl -w net.ipv4.ip_forward=1')));
    assert.ok(!/iptables (-t \S+ )?-P /.test(script), 'never changes a policy');
    assert.ok(!/-F (FORWARD|POSTROUTING)\b/.test(script), 'never flushes a chain it does not own');
  });

  it('heads each phase with a comment', () => {
    const heads = lines.filter((l) => l.startsWith('# ') && lines[lines.indexOf(l) - 1] === '');
    assert.deepEqual(heads, [
      '# Namespaces, bridges and veth pairs',
      '# Addresses, links up, routes, sysctls',
      '# DNS (/etc/netns/NAME/resolv.conf)',
      '# Forwarding and NAT (own chains, one jump each)',
    ]);
  });

  it('passes bash -n, and so does a teardown script', () => {
    const destroy = plan(emptyTopology('article'), articleLive());
    const edit = article();
    edit.bridges![0]!.addresses = ['10.0.0.254/24'];
    const change = plan(edit, articleLive());
    for (const s of [script, renderScript(destroy.steps, 'destroy'), renderScript(change.steps, 'edit')]) {
      const r = spawnSync('bash', ['-n'], { input: s, encoding: 'utf8' });
      assert.equal(r.status, 0, r.stderr);
    }
    const d = renderScript(destroy.steps, 'destroy');
    assert.match(d, /^ip netns del ns1$/m);
    assert.match(d, /^rm -f \/etc\/netns\/ns1\/resolv\.conf$/m);
    assert.match(d, /^iptables -t filter -F NSL-F-article\niptables -t filter -X NSL-F-article$/m);
    assert.match(d, /^sysctl -w net\.ipv4\.ip_forward=0$/m);
    assert.match(renderScript(change.steps, 'edit'), /^ip addr del 10\.0\.0\.1\/24 dev br0\nip addr add 10\.0\.0\.254\/24 dev br0$/m);
  });

  it('bash -n catches a broken script (the check itself works)', () => {
    const r = spawnSync('bash', ['-n'], { input: 'if true; then\n', encoding: 'utf8' });
    assert.notEqual(r.status, 0);
  });
});

describe('summarize and shQuote', () => {
  it('one human line per step', () => {
    assert.equal(summarize({ op: 'dns-write', ns: 'ns1', content: '' }), 'write /etc/netns/ns1/resolv.conf');
    assert.equal(summarize({ op: 'dns-remove', ns: 'ns1' }), 'remove /etc/netns/ns1/resolv.conf');
    assert.equal(summarize({ op: 'fw-chain', table: 'nat', chain: 'NSL-N-a', rules: [] }), 'iptables -t nat: chain NSL-N-a with 0 rule(s)');
    assert.equal(summarize({ op: 'ip-forward', topology: 'a', enable: false, restore: '0' }), 'host: release net.ipv4.ip_forward (restore 0)');
    assert.equal(summarize({ op: 'netns-add', name: 'ns1' }), 'ip netns add ns1 && ip netns set ns1 auto');
  });
  it('quotes only what needs it', () => {
    assert.equal(shQuote('10.0.0.1/24'), '10.0.0.1/24');
    assert.equal(shQuote('a b'), "'a b'");
    assert.equal(shQuote("it's"), "'it'\\''s'");
  });
  it('PlannedStep summaries come from summarize', () => {
    const p = plan(article(), live({ host: bareHost() }));
    const ps: PlannedStep = p.steps[0]!;
    assert.equal(ps.summary, 'ip netns add ns1 && ip netns set ns1 auto');
  });
});
