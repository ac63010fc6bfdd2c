import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { mergeObservation, parseJsonStream, parseObservation, pathSysctls, splitBatchOutput, sysctlFromNetconf, withLinkStates } from '../../src/core/observe/observe.js';
import { touchedScopes } from '../../src/core/plan/steps.js';
import { linksNotRunning } from '../../src/core/plan/plan.js';
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

// `ip -n pwa -j netconf show` after `sysctl -w net.ipv4.conf.all.rp_filter=1 net.ipv4.conf.eth1.rp_filter=2 net.ipv4.ip_forward=1` (veth eth1/eth2; iproute2 6.1, sandbox)
const NETCONF_RP = '[{"family":"inet","interface":"lo","forwarding":true,"rp_filter":"off","mc_forwarding":false,"proxy_neigh":false,"ignore_routes_with_linkdown":false},{"family":"inet","interface":"eth2","forwarding":true,"rp_filter":"off","mc_forwarding":false,"proxy_neigh":false,"ignore_routes_with_linkdown":false},{"family":"inet","interface":"eth1","forwarding":true,"rp_filter":"loose","mc_forwarding":false,"proxy_neigh":false,"ignore_routes_with_linkdown":false},{"family":"inet","interface":"all","forwarding":true,"rp_filter":"strict","mc_forwarding":false,"proxy_neigh":false,"ignore_routes_with_linkdown":false},{"family":"inet","interface":"default","forwarding":true,"rp_filter":"off","mc_forwarding":false,"proxy_neigh":false,"ignore_routes_with_linkdown":false},{"family":"inet6","interface":"lo","forwarding":false,"mc_forwarding":false,"proxy_neigh":false,"ignore_routes_with_linkdown":false},{"family":"inet6","interface":"eth2","forwarding":false,"mc_forwarding":false,"proxy_neigh":false,"ignore_routes_with_linkdown":false},{"family":"inet6","interface":"eth1","forwarding":false,"mc_forwarding":false,"proxy_neigh":false,"ignore_routes_with_linkdown":false},{"family":"inet6","interface":"all","forwarding":false,"mc_forwarding":false,"proxy_neigh":false,"ignore_routes_with_linkdown":false},{"family":"inet6","interface":"default","forwarding":false,"mc_forwarding":false,"proxy_neigh":false,"ignore_routes_with_linkdown":false}]\n';

describe('pathSysctls (what the path walk reads of netconf)', () => {
  it('forwarding, and the rp_filter of all and of every interface, as sysctl prints them', () => {
    assert.deepEqual(pathSysctls(parseJsonStream(NETCONF_RP)[0]), {
      'net.ipv4.ip_forward': '1',
      'net.ipv4.conf.lo.rp_filter': '0',
      'net.ipv4.conf.eth2.rp_filter': '0',
      'net.ipv4.conf.eth1.rp_filter': '2',
      'net.ipv4.conf.all.rp_filter': '1',
    });
  });
  it('no netconf: nothing', () => {
    assert.deepEqual(pathSysctls(undefined), {});
  });
});

describe('parseJsonStream', () => {
  it('reads one value per line (iproute2\'s -j output) and anything else by scanning', () => {
    assert.deepEqual(parseJsonStream('[{"a":"]"}]\n[]\n{"b":[1,{"c":"\\"["}]}\n'), [[{ a: ']' }], [], { b: [1, { c: '"[' }] }]);
    // pretty-printed over several lines, two values on one line, text between, scalars skipped
    assert.deepEqual(parseJsonStream('[\n  {"a": 1}\n]\n'), [[{ a: 1 }]]);
    assert.deepEqual(parseJsonStream('[1][2]\n'), [[1], [2]]);
    assert.deepEqual(parseJsonStream('Warning: x\n[1]\n7\n{"k":"}"}'), [[1], { k: '}' }]);
    assert.deepEqual(parseJsonStream(''), []);
    assert.deepEqual(parseJsonStream('\n\n'), []);
  });
});

describe('splitBatchOutput', () => {
  it('gives each namespace its arrays, in line order', () => {
    const m = splitBatchOutput(['a', 'b'], 2, '[{"x":1}]\n[]\n[{"x":2}]\n[]\n', '');
    assert.deepEqual(m && [...m], [['a', [[{ x: 1 }], []]], ['b', [[{ x: 2 }], []]]]);
  });
  it('takes a count per namespace (a read-back with its nsid map prints one array more)', () => {
    const m = splitBatchOutput(['a', 'b'], [1, 2], '[1]\n[2]\n[3]\n', '');
    assert.deepEqual(m && [...m], [['a', [[1]]], ['b', [[2], [3]]]]);
    assert.equal(splitBatchOutput(['a', 'b'], [2, 2], '[1]\n[2]\n[3]\n', ''), undefined);
    assert.equal(splitBatchOutput(['a'], [1, 1], '[1]\n', ''), undefined);
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
    assert.ok(isReadCall(['ip', '-force', '-b', '-'], 'netns exec ns1 ip -j -d -s -b /run/netns-lab/observe.12.3.batch\nnetns exec n.2 ip -j netns list-id\n'));
    assert.ok(!isReadCall(['ip', '-force', '-b', '-'], 'netns exec ns1 ip -j -d -s -b /tmp/evil\n'));
    assert.ok(!isReadCall(['ip', '-force', '-b', '-'], 'netns exec ns1 ip link del eth0\n'));
    assert.ok(isReadCall(['ip', '-n', 'ns1', '-j', '-d', '-s', '-b', '-'], 'addr show\nroute show table all type unicast\nnetconf show\n'));
    assert.ok(!isReadCall(['ip', '-j', '-b', '-'], 'addr show\nlink del eth0\n'));
    assert.ok(!isReadCall(['sysctl', '-w', '-n', 'net.ipv4.ip_forward=1']));
    assert.ok(isObserveWrite('write /run/netns-lab/observe.12.3.batch'));
    assert.ok(isObserveWrite('unlink /run/netns-lab/observe.12.3.batch'));
    assert.ok(!isObserveWrite('write /run/netns-lab/intent/x.json'));
  });
});

describe('linksNotRunning (an apply waits until traffic can flow)', () => {
  it('lists veth ends set up whose carrier the kernel has not activated yet, and only those', () => {
    const live = articleCaptured();
    assert.deepEqual(linksNotRunning(article(), live), []);
    const v1 = live.namespaces.find((n) => n.name === 'ns1')!.links.find((l) => l.name === 'veth1')!;
    v1.operstate = 'LOWERLAYERDOWN';
    // its peer (the host end) runs: the kernel activated both ends in one pass (the namespace was read earlier)
    assert.equal(v1.peer?.ns, null);
    const br = live.host.links.find((l) => l.name === v1.peer!.name)!;
    assert.equal(br.operstate, 'UP');
    assert.deepEqual(linksNotRunning(article(), live), []);
    br.operstate = 'LOWERLAYERDOWN';
    assert.deepEqual(linksNotRunning(article(), live), [{ scope: 'ns1', name: 'veth1' }, { scope: null, name: br.name }]);
    br.operstate = 'UP';
    v1.operstate = 'LOWERLAYERDOWN';
    // the same between two namespaces: the peer's state tells
    const v2 = live.namespaces.find((n) => n.name === 'ns2')!.links.find((l) => l.name === 'veth2')!;
    const v2peer = v2.peer;
    v1.peer = { ns: 'ns2', name: 'veth2' };
    v2.peer = { ns: 'ns1', name: 'veth1' };
    assert.deepEqual(linksNotRunning(article(), live), []);
    v2.operstate = 'LOWERLAYERDOWN';
    assert.deepEqual(linksNotRunning(article(), live), [{ scope: 'ns1', name: 'veth1' }, { scope: 'ns2', name: 'veth2' }]);
    v1.peer = { ns: null, name: br.name };
    v2.peer = v2peer;
    // a link the file wants down is not waited for
    const t = article();
    t.links![0]!.up = false;
    assert.deepEqual(linksNotRunning(t, live).filter((x) => x.name === 'veth1'), []);
  });
});

describe('withLinkStates (settle re-reads only the links still coming up)', () => {
  it('sets admin and operational state of the links of the scopes read, and nothing else', () => {
    const live = articleCaptured();
    const v1 = () => live2.namespaces.find((n) => n.name === 'ns1')!.links.find((l) => l.name === 'veth1')!;
    let live2 = withLinkStates(live, new Map([['ns1', [{ ifname: 'veth1', flags: ['BROADCAST'], operstate: 'DOWN' }]]]));
    assert.equal(v1().up, false);
    assert.equal(v1().operstate, 'DOWN');
    assert.deepEqual(v1().addresses, live.namespaces.find((n) => n.name === 'ns1')!.links.find((l) => l.name === 'veth1')!.addresses);
    assert.deepEqual(live2.host, live.host);
    assert.deepEqual(live2.namespaces.find((n) => n.name === 'ns2'), live.namespaces.find((n) => n.name === 'ns2'));
    // the input is not changed
    assert.equal(live.namespaces.find((n) => n.name === 'ns1')!.links.find((l) => l.name === 'veth1')!.operstate, 'UP');
    live2 = withLinkStates(live, new Map([[null, 'not an array']]));
    assert.deepEqual(live2, live);
  });
});
