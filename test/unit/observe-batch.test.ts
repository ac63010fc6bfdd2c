import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { mergeObservation, parseObservation, splitBatchOutput, sysctlFromNetconf } from '../../src/core/observe.js';
import { touchedScopes } from '../../src/core/steps.js';
import { linksNotRunning } from '../../src/core/plan.js';
import { article, articleCaptured, articleRaw } from '../support/fixtures.js';
import { isObserveWrite, isReadCall } from '../support/reads.js';

// `ip -n a -j netconf show` in a namespace with forwarding on (iproute2 6.1, kernel 6.18)
const NETCONF = [
  { family: 'inet', interface: 'lo', forwarding: true, rp_filter: 'off', mc_forwarding: false, proxy_neigh: false, ignore_routes_with_linkdown: false },
  { family: 'inet', interface: 'all', forwarding: true, rp_filter: 'strict', mc_forwarding: false, proxy_neigh: false, ignore_routes_with_linkdown: false },
  { family: 'inet', interface: 'default', forwarding: false, rp_filter: 'loose', mc_forwarding: false, proxy_neigh: false, ignore_routes_with_linkdown: false },
  { family: 'inet6', interface: 'all', forwarding: false, mc_forwarding: false, proxy_neigh: false, ignore_routes_with_linkdown: false },
];

describe('sysctlFromNetconf', () => {
  it('reads ip_forward, conf forwarding and rp_filter as the sysctl would print them', () => {
    assert.equal(sysctlFromNetconf(NETCONF, 'net.ipv4.ip_forward'), '1');
    assert.equal(sysctlFromNetconf(NETCONF, 'net.ipv4.conf.default.forwarding'), '0');
    assert.equal(sysctlFromNetconf(NETCONF, 'net.ipv4.conf.all.rp_filter'), '1');
    assert.equal(sysctlFromNetconf(NETCONF, 'net.ipv4.conf.default.rp_filter'), '2');
    assert.equal(sysctlFromNetconf(NETCONF, 'net.ipv4.conf.lo.rp_filter'), '0');
    assert.equal(sysctlFromNetconf(NETCONF, 'net.ipv6.conf.all.forwarding'), '0');
  });
  it('says nothing for keys netconf does not carry, interfaces it does not list, or no netconf', () => {
    assert.equal(sysctlFromNetconf(NETCONF, 'net.ipv4.tcp_syncookies'), undefined);
    assert.equal(sysctlFromNetconf(NETCONF, 'net.ipv6.conf.all.rp_filter'), undefined);
    assert.equal(sysctlFromNetconf(NETCONF, 'net.ipv4.conf.eth9.forwarding'), undefined);
    assert.equal(sysctlFromNetconf(undefined, 'net.ipv4.ip_forward'), undefined);
  });
});

describe('splitBatchOutput', () => {
  it('gives each namespace its arrays, in line order', () => {
    const m = splitBatchOutput(['a', 'b'], 2, '[{"x":1}]\n[]\n[{"x":2}]\n[]\n', '');
    assert.deepEqual(m && [...m], [['a', [[{ x: 1 }], []]], ['b', [[{ x: 2 }], []]]]);
  });
  it('refuses to align when a line failed or the count is off (the caller reads one by one)', () => {
    assert.equal(splitBatchOutput(['a', 'b'], 2, '[]\n[]\n', 'Cannot open network namespace "b"\nCommand failed -:2\n'), undefined);
    assert.equal(splitBatchOutput(['a', 'b'], 2, '[]\n[]\n[]\n', ''), undefined);
    assert.equal(splitBatchOutput(['a'], 2, '[]\n{}\n', ''), undefined);
  });
});

describe('mergeObservation (verify re-reads only what an apply touched)', () => {
  it('takes re-read namespaces from the fresh read, the others from before, and pairs veths across both', () => {
    const before = articleCaptured();
    const raw = articleRaw();
    const fresh = parseObservation({ ...raw, namespaces: raw.namespaces.filter((n) => n.name === null || n.name === 'ns1') });
    const m = mergeObservation(before, fresh, new Set(['ns1']));
    assert.deepEqual(m.namespaces.map((n) => n.name), before.namespaces.map((n) => n.name));
    assert.equal(m.namespaces.find((n) => n.name === 'ns1'), fresh.namespaces.find((n) => n.name === 'ns1'));
    const peers = (x: typeof m) => x.host.links.filter((l) => l.kind === 'veth').map((l) => `${l.name}>${l.peer?.ns}:${l.peer?.name}`).sort();
    assert.ok(peers(m).includes('veth1-br>ns1:veth1') && peers(m).includes('veth2-br>ns2:veth2'), peers(m).join());
    assert.deepEqual(peers(m), peers(articleCaptured()));
    assert.equal(m.host, fresh.host);
  });
  it('drops a re-read namespace that is gone', () => {
    const before = articleCaptured();
    const raw = articleRaw();
    const fresh = parseObservation({ ...raw, namespaces: raw.namespaces.filter((n) => n.name === null) });
    const m = mergeObservation(before, fresh, new Set(['ns2']));
    assert.deepEqual(m.namespaces.map((n) => n.name), before.namespaces.map((n) => n.name).filter((n) => n !== 'ns2'));
    assert.ok(before.namespaces.some((n) => n.name === 'ns2'));
  });
});

describe('touchedScopes', () => {
  const peerOf = (ns: string | null, name: string) => (ns === null && name === 'veth1-br' ? 'ns1' : undefined);
  it('names the namespaces a step changes, including a veth peer\'s', () => {
    assert.deepEqual(touchedScopes({ op: 'netns-add', name: 'ns3' }, peerOf), ['ns3']);
    assert.deepEqual(touchedScopes({ op: 'link-del', ns: null, name: 'veth1-br' }, peerOf), [null, 'ns1']);
    assert.deepEqual(touchedScopes({ op: 'veth-add', a: { ns: 'ns1', name: 'eth0' }, b: { ns: null, name: 'v1' } }, peerOf), ['ns1', null]);
    assert.deepEqual(touchedScopes({ op: 'route-add', ns: 'ns2', family: 4, to: 'default', via: '10.0.0.1' }, peerOf), ['ns2']);
    assert.deepEqual(touchedScopes({ op: 'fw-chain-del', table: 'nat', chain: 'NSL-N-x' }, peerOf), [null]);
  });
});

describe('what tests count as only reading', () => {
  it('accepts observe\'s reads and refuses anything that changes', () => {
    assert.ok(isReadCall(['ip', '-force', '-b', '-'], 'netns exec ns1 ip -j -d -s -b /run/netns-lab/observe.batch\nnetns exec n.2 ip -j netns list-id\n'));
    assert.ok(!isReadCall(['ip', '-force', '-b', '-'], 'netns exec ns1 ip -j -d -s -b /tmp/evil\n'));
    assert.ok(!isReadCall(['ip', '-force', '-b', '-'], 'netns exec ns1 ip link del eth0\n'));
    assert.ok(isReadCall(['ip', '-n', 'ns1', '-j', '-d', '-s', '-b', '-'], 'addr show\nroute show table all type unicast\nnetconf show\n'));
    assert.ok(!isReadCall(['ip', '-j', '-b', '-'], 'addr show\nlink del eth0\n'));
    assert.ok(!isReadCall(['sysctl', '-w', '-n', 'net.ipv4.ip_forward=1']));
    assert.ok(isObserveWrite('write /run/netns-lab/observe.batch'));
    assert.ok(!isObserveWrite('write /run/netns-lab/intent/x.json'));
  });
});

describe('linksNotRunning (an apply waits until traffic can flow)', () => {
  it('lists veth ends set up whose carrier the kernel has not activated yet, and only those', () => {
    const live = articleCaptured();
    assert.deepEqual(linksNotRunning(article(), live), []);
    const v1 = live.namespaces.find((n) => n.name === 'ns1')!.links.find((l) => l.name === 'veth1')!;
    v1.operstate = 'LOWERLAYERDOWN';
    assert.deepEqual(linksNotRunning(article(), live), [{ scope: 'ns1', name: 'veth1' }]);
    // a link the file wants down is not waited for
    const t = article();
    t.links![0]!.up = false;
    assert.deepEqual(linksNotRunning(t, live).filter((x) => x.name === 'veth1'), []);
  });
});
