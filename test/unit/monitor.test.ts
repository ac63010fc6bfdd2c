/** Live events from recorded `ip -o monitor` output, and the helper's watch over a fake system. */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { parseMonitorLine, parseNetnsMonitorLine, toEvent } from '../../src/core/observe/monitor.js';
import { startWatch } from '../../src/helper/watch.js';
import { fakeSystem } from '../support/fake-system.js';

// recorded in the sandbox (iproute2 6.1)
const ROOT = [
  '[nsid current]3: h1@h2: <NO-CARRIER,BROADCAST,MULTICAST,UP,M-DOWN> mtu 1500 qdisc noqueue state LOWERLAYERDOWN group default \\    link/ether 76:1a:53:1b:cf:f2 brd ff:ff:ff:ff:ff:ff',
  '[nsid 0]2: v1    inet 10.1.1.1/24 scope global v1\\       valid_lft forever preferred_lft forever',
  '[nsid 0]local 10.1.1.1 dev v1 table local proto kernel scope host src 10.1.1.1 ',
  '[nsid 1]10.9.0.0/16 via 10.1.1.2 dev v1 ',
  '[nsid 0]Deleted 2: v1    inet6 fd00::1/64 scope global nodad \\       valid_lft forever preferred_lft forever',
  '[nsid current]Deleted 3: h1@h2: <BROADCAST,MULTICAST,M-DOWN> mtu 1500 qdisc noop state DOWN group default \\    link/ether 76:1a:53:1b:cf:f2 brd ff:ff:ff:ff:ff:ff',
  '[nsid 7]default via 10.0.0.1 dev veth1 proto static ',
];

describe('ip monitor lines', () => {
  it('tells link, address and route events apart, with nsid and interface', () => {
    assert.deepEqual(ROOT.map(parseMonitorLine), [
      { nsid: 'current', kind: 'link', ifname: 'h1', deleted: false },
      { nsid: 0, kind: 'address', ifname: 'v1', deleted: false },
      undefined, // local-table routes that follow every address change carry no news
      { nsid: 1, kind: 'route', ifname: 'v1', deleted: false },
      { nsid: 0, kind: 'address', ifname: 'v1', deleted: true },
      { nsid: 'current', kind: 'link', ifname: 'h1', deleted: true },
      { nsid: 7, kind: 'route', ifname: 'veth1', deleted: false },
    ]);
  });
  it('lines of a monitor inside one namespace have no nsid prefix', () => {
    assert.deepEqual(parseMonitorLine('2: v1@if2: <BROADCAST,MULTICAST,UP,LOWER_UP> mtu 1500 qdisc noqueue state UP group default \\    link/ether 56:24:62:75:a2:66 brd ff:ff:ff:ff:ff:ff link-netns b'),
      { nsid: undefined, kind: 'link', ifname: 'v1', deleted: false });
    assert.equal(parseMonitorLine(''), undefined);
    assert.equal(parseMonitorLine('garbage'), undefined);
  });
  it('maps nsids to namespace names; an unknown nsid is "unknown namespace"', () => {
    const ids = { 0: 'ns1', 1: 'ns2' };
    assert.deepEqual(toEvent(parseMonitorLine(ROOT[1]!)!, null, ids), { ns: 'ns1', kind: 'address', ifname: 'v1' });
    assert.deepEqual(toEvent(parseMonitorLine(ROOT[0]!)!, null, ids), { ns: null, kind: 'link', ifname: 'h1' });
    assert.equal(toEvent(parseMonitorLine(ROOT[6]!)!, null, ids).ns, undefined);
    assert.equal(toEvent(parseMonitorLine('2: v1    inet 10.0.0.1/24 scope global v1')!, 'ns9', {}).ns, 'ns9');
  });
  it('ip netns monitor lines', () => {
    assert.deepEqual(parseNetnsMonitorLine('add c'), { added: true, name: 'c' });
    assert.deepEqual(parseNetnsMonitorLine('delete c\n'), { added: false, name: 'c' });
    assert.equal(parseNetnsMonitorLine('something else'), undefined);
  });
});

describe('the helper watch', () => {
  it('one all-nsid monitor in the host, one more per namespace without a host nsid, netns add/del', async () => {
    const sys = fakeSystem((argv) => {
      const a = argv.join(' ');
      if (a === 'ip -j netns list-id') return { code: 0, stdout: '[{"nsid":0,"name":"ns1"}]', stderr: '' };
      if (a === 'ip -j netns list') return { code: 0, stdout: '[{"name":"ns1","id":0},{"name":"lonely"}]', stderr: '' };
      return undefined;
    });
    const events: unknown[] = [];
    const w = await startWatch(sys, (e) => events.push(e));
    assert.deepEqual(sys.streams.map((s) => s.argv.join(' ')), [
      'ip -n lonely -o monitor link address route',
      'ip -o monitor all-nsid link address route',
      'stdbuf -oL ip netns monitor',
    ]);
    sys.streams[1]!.feed('[nsid 0]2: veth1@if3: <BROADCAST,MULTICAST> mtu 1500 qdisc noqueue state DOWN');
    sys.streams[0]!.feed('2: eth0    inet 10.5.0.2/24 scope global eth0');
    sys.streams[2]!.feed('delete ns1');
    await new Promise((r) => setTimeout(r, 10));
    assert.deepEqual(events, [
      { ns: 'ns1', kind: 'link', ifname: 'veth1' },
      { ns: 'lonely', kind: 'address', ifname: 'eth0' },
      { ns: 'ns1', kind: 'netns', name: 'ns1', deleted: true },
    ]);
    await w.stop();
    assert.ok(sys.streams.every((s) => s.stopped));
  });
});
