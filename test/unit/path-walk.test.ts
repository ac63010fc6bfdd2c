/**
 * The path walk on recorded kernel states: the two-router lab (pc1 - r1 - r2 - pc2) as observe
 * reads it, and each way it breaks: no route (there, and back), a wrong gateway, forwarding
 * off, a link down (set down, or its far end down), strict rp_filter on an asymmetric path, an
 * MTU that differs between the ends of a hop; plus a LAN on a host bridge: its FORWARD chain
 * (routed, and bridged with bridge netfilter), masquerade out of the uplink, and DNS names.
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { walkName, walkPath, lookupRoute } from '../../src/core/diagnose/path-walk.js';
import type { LiveLink, LiveState } from '../../src/core/observe/observe.js';
import { addr, link, live, lo, ns, route } from '../support/fixtures.js';

const veth = (name: string, cidr: string | undefined, peer: [string | null, string], o: Partial<LiveLink> = {}) =>
  link(name, { addresses: cidr ? [addr(cidr)] : [], peer: { ns: peer[0], name: peer[1] }, ...o });
const fwd = { 'net.ipv4.ip_forward': '1' };

/** pc1 (10.1.0.2) - r1 - (10.9.0.0/30) - r2 - pc2 (10.2.0.2): routes complete */
function twoRouters(): LiveState {
  return live({
    namespaces: [
      ns('pc1', { links: [lo(), veth('eth0', '10.1.0.2/24', ['r1', 'eth0'])], routes: [route('default', { via: '10.1.0.1', dev: 'eth0' })], sysctls: { 'net.ipv4.ip_forward': '0' } }),
      ns('r1', { links: [lo(), veth('eth0', '10.1.0.1/24', ['pc1', 'eth0']), veth('eth1', '10.9.0.1/30', ['r2', 'eth1'])], routes: [route('10.2.0.0/24', { via: '10.9.0.2', dev: 'eth1' })], sysctls: fwd }),
      ns('r2', { links: [lo(), veth('eth1', '10.9.0.2/30', ['r1', 'eth1']), veth('eth0', '10.2.0.1/24', ['pc2', 'eth0'])], routes: [route('10.1.0.0/24', { via: '10.9.0.1', dev: 'eth1' })], sysctls: fwd }),
      ns('pc2', { links: [lo(), veth('eth0', '10.2.0.2/24', ['r2', 'eth0'])], routes: [route('default', { via: '10.2.0.1', dev: 'eth0' })], sysctls: { 'net.ipv4.ip_forward': '0' } }),
    ],
  });
}
function edit(s: LiveState, name: string, f: (n: LiveState['namespaces'][number]) => void): LiveState {
  f(s.namespaces.find((n) => n.name === name)!);
  return s;
}

describe('path walk: a sound path', () => {
  it('pc1 -> pc2 through r1 and r2, and back', () => {
    const w = walkPath(twoRouters(), 'pc1', '10.2.0.2');
    assert.equal(w.ok, true, w.break?.message);
    assert.deepEqual(w.hops, [{ ns: 'pc1', dev: 'eth0', via: '10.1.0.1' }, { ns: 'r1', dev: 'eth1', via: '10.9.0.2' }, { ns: 'r2', dev: 'eth0' }]);
    assert.deepEqual(w.back, [{ ns: 'pc2', dev: 'eth0', via: '10.2.0.1' }, { ns: 'r2', dev: 'eth1', via: '10.9.0.1' }, { ns: 'r1', dev: 'eth0' }]);
  });
  it("a router's far address is delivered locally (no forwarding needed)", () => {
    const s = edit(twoRouters(), 'r1', (n) => { n.sysctls = { 'net.ipv4.ip_forward': '0' }; });
    assert.equal(walkPath(s, 'pc1', '10.9.0.1').ok, true);
  });
  it('the longest prefix wins over the default route', () => {
    const n = ns('x', { links: [veth('eth0', '10.0.0.2/24', ['y', 'eth0'])], routes: [route('default', { via: '10.0.0.1', dev: 'eth0' }), route('10.5.0.0/16', { via: '10.0.0.9', dev: 'eth0' })] });
    assert.equal(lookupRoute(n, '10.5.1.1')?.route.via, '10.0.0.9');
    assert.equal(lookupRoute(n, '10.6.1.1')?.route.via, '10.0.0.1');
    assert.equal(lookupRoute(n, '10.0.0.7')?.route.dev, 'eth0');
  });
});

describe('path walk: where it breaks', () => {
  it('no route (r1 lost its route to LAN 2)', () => {
    const w = walkPath(edit(twoRouters(), 'r1', (n) => { n.routes = []; }), 'pc1', '10.2.0.2');
    assert.deepEqual(w.break, { kind: 'no-route', at: 'r1', back: false, message: 'r1 has no route to 10.2.0.2: packets from pc1 stop at r1' });
  });
  it('no return route (r2 lost its route back to LAN 1)', () => {
    const w = walkPath(edit(twoRouters(), 'r2', (n) => { n.routes = []; }), 'pc1', '10.2.0.2');
    assert.equal(w.ok, false);
    assert.deepEqual(w.break, { kind: 'no-route', at: 'r2', back: true, message: 'r2 has no route to 10.1.0.2: answers to pc1 (10.1.0.2) stop at r2' });
    assert.equal(w.hops.length, 3, 'the way there was fine');
  });
  it('a wrong gateway (r1 sends LAN 2 to 10.9.0.3, which nobody has)', () => {
    const w = walkPath(edit(twoRouters(), 'r1', (n) => { n.routes = [route('10.2.0.0/24', { via: '10.9.0.3', dev: 'eth1' })]; }), 'pc1', '10.2.0.2');
    assert.equal(w.break?.kind, 'wrong-gateway');
    assert.equal(w.break?.at, 'r1');
    assert.match(w.break!.message, /^r1's gateway 10\.9\.0\.3 for 10\.2\.0\.2 is not on eth1's link/);
  });
  it('forwarding off in r2', () => {
    const w = walkPath(edit(twoRouters(), 'r2', (n) => { n.sysctls = { 'net.ipv4.ip_forward': '0' }; }), 'pc1', '10.2.0.2');
    assert.deepEqual(w.break, { kind: 'forwarding-off', at: 'r2', back: false, message: 'r2 does not forward (net.ipv4.ip_forward is 0): packets from pc1 stop at r2' });
  });
  it("a link down: r1's eth1 set down; or its far end (r2's eth1) down", () => {
    const down = walkPath(edit(twoRouters(), 'r1', (n) => { n.links[2]!.up = false; n.links[2]!.operstate = 'DOWN'; }), 'pc1', '10.2.0.2');
    // the kernel drops a down link's routes; the recorded route still names eth1 here, and the walk says why it is useless
    assert.deepEqual([down.break?.kind, down.break?.at], ['link-down', 'r1']);
    assert.match(down.break!.message, /^eth1 in r1 is down \(set down\)/);
    const far = walkPath(edit(twoRouters(), 'r2', (n) => { n.links[1]!.up = false; n.links[1]!.operstate = 'DOWN'; }), 'pc1', '10.2.0.2');
    assert.deepEqual([far.break?.kind, far.break?.at], ['link-down', 'r2']);
    assert.match(far.break!.message, /^the other end of eth1 \(eth1 in r2\) is down/);
  });
  it('a source that does not exist, and a destination nobody on the link has', () => {
    assert.equal(walkPath(twoRouters(), 'pc9', '10.2.0.2').break?.kind, 'no-source');
    const w = walkPath(twoRouters(), 'pc1', '10.1.0.99');
    assert.deepEqual([w.break?.kind, w.break?.message], ['no-neighbour', "nobody on eth0's link in pc1 has 10.1.0.99: packets from pc1 stop at pc1"]);
  });
});

describe('path walk: a LAN on a host bridge', () => {
  function lan(): LiveState {
    return live({
      host: ns(null, {
        links: [lo(), link('br0', { kind: 'bridge', addresses: [addr('10.0.0.1/24')] }),
          veth('v1', undefined, ['ns1', 'eth0'], { master: 'br0' }), veth('v2', undefined, ['ns2', 'eth0'], { master: 'br0' })],
        sysctls: { 'net.ipv4.ip_forward': '0' },
      }),
      namespaces: [
        ns('ns1', { links: [lo(), veth('eth0', '10.0.0.2/24', [null, 'v1'])], routes: [route('default', { via: '10.0.0.1', dev: 'eth0' })] }),
        ns('ns2', { links: [lo(), veth('eth0', '10.0.0.3/24', [null, 'v2'])], routes: [route('default', { via: '10.0.0.1', dev: 'eth0' })] }),
      ],
    });
  }
  it('ns1 reaches ns2 across the bridge and the host (its gateway) on it', () => {
    assert.deepEqual(walkPath(lan(), 'ns1', '10.0.0.3'), { ok: true, hops: [{ ns: 'ns1', dev: 'eth0' }], back: [{ ns: 'ns2', dev: 'eth0' }] });
    assert.equal(walkPath(lan(), 'ns1', '10.0.0.1').ok, true);
  });
  it('a port set down cuts ns2 off; the host, as gateway, does not forward', () => {
    const s = lan();
    s.host.links[3]!.up = false;
    assert.equal(walkPath(s, 'ns1', '10.0.0.3').break?.kind, 'no-neighbour');
    const w = walkPath(lan(), 'ns1', '10.7.0.5');
    assert.deepEqual([w.break?.kind, w.break?.at], ['forwarding-off', null]);
    assert.match(w.break!.message, /^the host does not forward/);
  });
});

const RP = 'net.ipv4.conf.all.rp_filter';

describe('path walk: rp_filter', () => {
  /** r2 routes LAN 1 back through eth2 (to r3), so pc1's packets arrive on eth1 and would leave by eth2 */
  function asymmetric(rp: Record<string, string>): LiveState {
    return edit(twoRouters(), 'r2', (n) => {
      n.links.push(veth('eth2', '10.8.0.1/30', ['r3', 'eth0']));
      n.routes = [route('10.1.0.0/24', { via: '10.8.0.2', dev: 'eth2' })];
      n.sysctls = { ...fwd, ...rp };
    });
  }
  it('strict on all: r2 drops what arrives on eth1, since its route back leaves by eth2', () => {
    const w = walkPath(asymmetric({ [RP]: '1' }), 'pc1', '10.2.0.2');
    assert.deepEqual(w.break, { kind: 'rp-filter', at: 'r2', back: false, message: 'r2 drops packets from 10.1.0.2 arriving on eth1: rp_filter is strict and its route back leaves by eth2' });
    assert.deepEqual(w.rp, { ns: 'r2', dev: 'eth1' });
    assert.equal(w.hops.length, 2, 'pc1 and r1 sent it on');
  });
  it("strict on the interface alone counts too (the kernel takes the larger of all's and the interface's)", () => {
    assert.equal(walkPath(asymmetric({ [RP]: '0', 'net.ipv4.conf.eth1.rp_filter': '1' }), 'pc1', '10.2.0.2').break?.kind, 'rp-filter');
  });
  it('loose (2) or off lets it through; strict with a symmetric route does too', () => {
    for (const v of ['2', '0']) assert.notEqual(walkPath(asymmetric({ [RP]: v }), 'pc1', '10.2.0.2').break?.kind, 'rp-filter');
    const sym = edit(twoRouters(), 'r2', (n) => { n.sysctls = { ...fwd, [RP]: '1' }; });
    assert.equal(walkPath(sym, 'pc1', '10.2.0.2').ok, true);
  });
  it('the destination filters too: answers from pc2 back at pc1 (strict, its default route via another interface)', () => {
    const s = edit(twoRouters(), 'pc1', (n) => {
      n.links.push(veth('eth1', '10.7.0.2/24', ['gw', 'eth0']));
      n.routes = [route('10.2.0.0/24', { via: '10.1.0.1', dev: 'eth0' }), route('default', { via: '10.7.0.1', dev: 'eth1' })];
      n.sysctls = { 'net.ipv4.ip_forward': '0', [RP]: '1' };
    });
    // pc1 sends from eth0's address; pc2's answers arrive on eth0 and the route back to 10.1.0.2 is connected on eth0: no drop
    assert.equal(walkPath(s, 'pc1', '10.2.0.2').ok, true);
    const w = walkPath(edit(twoRouters(), 'r1', (n) => {
      n.links.push(veth('eth2', '10.6.0.1/30', ['r9', 'eth0']));
      n.routes.push(route('10.2.0.0/25', { via: '10.6.0.2', dev: 'eth2' }));
      n.sysctls = { ...fwd, [RP]: '1' };
    }), 'pc2', '10.1.0.2');
    assert.deepEqual([w.break?.kind, w.break?.at, w.break?.back], ['rp-filter', 'r1', false]);
    assert.equal(w.break?.message, 'r1 drops packets from 10.2.0.2 arriving on eth1: rp_filter is strict and its route back leaves by eth2');
  });
});

describe('path walk: the way back', () => {
  it('the destination itself has no route back: no-route at pc2, back, said as the answers', () => {
    const w = walkPath(edit(twoRouters(), 'pc2', (n) => { n.routes = []; }), 'pc1', '10.2.0.2');
    assert.deepEqual(w.break, { kind: 'no-route', at: 'pc2', back: true, message: 'pc2 has no route to 10.1.0.2: answers to pc1 (10.1.0.2) stop at pc2' });
    assert.equal(w.towards, '10.1.0.2');
    assert.deepEqual(w.back, []);
  });
});

describe('path walk: MTU', () => {
  const smallR2 = () => edit(twoRouters(), 'r2', (n) => { n.links[1]!.mtu = 1400; });
  it("r1's eth1 (1500) sends into r2's eth1 (1400): with nothing else wrong, that is the break", () => {
    const w = walkPath(smallR2(), 'pc1', '10.2.0.2');
    assert.equal(w.ok, false);
    assert.deepEqual(w.break, { kind: 'mtu', at: 'r2', back: false, message: 'the MTU of eth1 in r1 (1500) is larger than that of eth1 in r2 (1400): packets larger than 1400 bytes from pc1 are lost at r2' });
    assert.deepEqual(w.mtu, { from: { ns: 'r1', dev: 'eth1', mtu: 1500 }, to: { ns: 'r2', dev: 'eth1', mtu: 1400 } });
    assert.equal(w.hops.length, 3, 'the walk went on to the end');
  });
  it('a probe size: too big is the break at once, small enough passes', () => {
    const big = walkPath(smallR2(), 'pc1', '10.2.0.2', { size: 1400 });
    assert.equal(big.break?.message, 'the MTU of eth1 in r1 (1500) is larger than that of eth1 in r2 (1400): packets of 1428 bytes from pc1 are lost at r2');
    assert.equal(walkPath(smallR2(), 'pc1', '10.2.0.2', { size: 1372 }).ok, true);
  });
  it('the way back: r2 (1400) sends into r1 (1500) harmlessly; the other direction names the smaller end', () => {
    const s = edit(twoRouters(), 'r1', (n) => { n.links[2]!.mtu = 1400; });
    const w = walkPath(s, 'pc1', '10.2.0.2');
    assert.deepEqual([w.break?.kind, w.break?.at, w.break?.back], ['mtu', 'r1', true]);
    assert.equal(w.break!.message, 'the MTU of eth1 in r2 (1500) is larger than that of eth1 in r1 (1400): answers larger than 1400 bytes to pc1 (10.1.0.2) are lost at r1');
  });
  it('a real break further on is named, not the MTU', () => {
    const s = edit(smallR2(), 'pc2', (n) => { n.routes = []; });
    assert.equal(walkPath(s, 'pc1', '10.2.0.2').break?.kind, 'no-route');
  });
});

const BR_NF = 'net.bridge.bridge-nf-call-iptables';
/** a LAN on the host's bridge br0 (ns1, ns2) and ns3 on a routed veth (10.5.0.0/24) of the host */
function hostLan(hostSysctls: Record<string, string>, forward: { policy: string; rules: string[] }, nat: string[] = []): LiveState {
  return live({
    host: ns(null, {
      links: [lo(), link('br0', { kind: 'bridge', addresses: [addr('10.0.0.1/24')] }),
        veth('v1', undefined, ['ns1', 'eth0'], { master: 'br0' }), veth('v2', undefined, ['ns2', 'eth0'], { master: 'br0' }),
        veth('v3', '10.5.0.1/24', ['ns3', 'eth0']), link('uplink0', { kind: 'device', addresses: [addr('198.51.100.2/24')] })],
      routes: [route('default', { via: '198.51.100.1', dev: 'uplink0' })],
      sysctls: { 'net.ipv4.ip_forward': '1', ...hostSysctls },
    }),
    namespaces: [
      ns('ns1', { links: [lo(), veth('eth0', '10.0.0.2/24', [null, 'v1'])], routes: [route('default', { via: '10.0.0.1', dev: 'eth0' })] }),
      ns('ns2', { links: [lo(), veth('eth0', '10.0.0.3/24', [null, 'v2'])], routes: [route('default', { via: '10.0.0.1', dev: 'eth0' })] }),
      ns('ns3', { links: [lo(), veth('eth0', '10.5.0.2/24', [null, 'v3'])], routes: [route('default', { via: '10.5.0.1', dev: 'eth0' })] }),
    ],
    firewall: { filter: { FORWARD: forward }, nat: { POSTROUTING: { policy: 'ACCEPT', rules: nat } } },
  });
}
const DROP = { policy: 'DROP', rules: [] as string[] };

describe("path walk: the host's FORWARD chain", () => {
  it('bridge netfilter on and FORWARD drops by policy: the LAN itself is cut', () => {
    const w = walkPath(hostLan({ [BR_NF]: '1' }, DROP), 'ns1', '10.0.0.3');
    assert.deepEqual(w.break, { kind: 'forward-drop', at: null, back: false, message: "the host's FORWARD chain drops 10.0.0.2 → 10.0.0.3 (policy DROP; bridge netfilter is on)" });
  });
  it('bridge netfilter off (or not read): bridged frames never see FORWARD', () => {
    assert.equal(walkPath(hostLan({ [BR_NF]: '0' }, DROP), 'ns1', '10.0.0.3').ok, true);
    assert.equal(walkPath(hostLan({}, DROP), 'ns1', '10.0.0.3').ok, true);
  });
  it('routed through the host (br0 -> v3): the rule that drops is named', () => {
    const w = walkPath(hostLan({}, { policy: 'ACCEPT', rules: ['-s 10.0.0.2/32 -o v3 -j DROP'] }), 'ns1', '10.5.0.2');
    assert.deepEqual(w.break, { kind: 'forward-drop', at: null, back: false, message: "the host's FORWARD chain drops 10.0.0.2 → 10.5.0.2 (-A FORWARD -s 10.0.0.2/32 -o v3 -j DROP)" });
    assert.equal(walkPath(hostLan({}, { policy: 'ACCEPT', rules: ['-s 10.0.0.3/32 -o v3 -j DROP'] }), 'ns1', '10.5.0.2').ok, true, 'another source');
  });
  it("the topology's own chain accepts its subnet ahead of a DROP policy; answers are established; a match it cannot decide (physdev) is not taken for a drop", () => {
    const own = { policy: 'DROP', rules: ['-m comment --comment "netns-lab:lan" -j NSL-F-lan'] };
    const s = hostLan({ [BR_NF]: '1' }, own);
    s.firewall!.filter['NSL-F-lan'] = { policy: undefined, rules: ['-s 10.0.0.0/24 -m comment --comment "netns-lab:lan" -j ACCEPT', '-d 10.0.0.0/24 -m conntrack --ctstate RELATED,ESTABLISHED -m comment --comment "netns-lab:lan" -j ACCEPT'] };
    assert.equal(walkPath(s, 'ns1', '10.0.0.3').ok, true);
    // ns3 (10.5.0.2) is not in the chain: its packets to the LAN are dropped by policy on the way there
    const w = walkPath(s, 'ns3', '10.0.0.2');
    assert.equal(w.break?.message, "the host's FORWARD chain drops 10.5.0.2 → 10.0.0.2 (policy DROP)");
    // the answers from the LAN to ns3 are established: the conntrack rule accepts them
    const answers = hostLan({}, { policy: 'DROP', rules: ['-m conntrack --ctstate RELATED,ESTABLISHED -j ACCEPT', '-s 10.5.0.0/24 -j ACCEPT'] });
    assert.equal(walkPath(answers, 'ns3', '10.0.0.2').ok, true);
    // a match the walk cannot decide (physdev) may apply: its DROP is not taken for certain
    const maybe = hostLan({ [BR_NF]: '1' }, { policy: 'ACCEPT', rules: ['-m physdev --physdev-in v1 -j DROP'] });
    assert.equal(walkPath(maybe, 'ns1', '10.0.0.3').ok, true);
  });
});

describe('path walk: out of the uplink', () => {
  it('a LAN address leaves by uplink0 without masquerade: named at the host', () => {
    const w = walkPath(hostLan({}, { policy: 'ACCEPT', rules: [] }), 'ns1', '203.0.113.9');
    assert.deepEqual(w.break, { kind: 'no-masquerade', at: null, back: false, message: 'the host sends packets from 10.0.0.2 to 203.0.113.9 out of uplink0 without masquerade: answers to a private address cannot come back' });
    assert.equal(w.source, '10.0.0.2');
  });
  it('masqueraded (through the topology chain), or the host itself: the walk ends at the uplink', () => {
    const s = hostLan({}, { policy: 'ACCEPT', rules: [] }, ['-m comment --comment "netns-lab:lan" -j NSL-N-lan']);
    s.firewall!.nat['NSL-N-lan'] = { policy: undefined, rules: ['-s 10.0.0.0/24 -o uplink0 -m comment --comment "netns-lab:lan" -j MASQUERADE'] };
    assert.deepEqual(walkPath(s, 'ns1', '203.0.113.9'), { ok: true, hops: [{ ns: 'ns1', dev: 'eth0', via: '10.0.0.1' }, { ns: null, dev: 'uplink0', via: '198.51.100.1' }], back: [] });
    assert.equal(walkPath(s, 'ns3', '203.0.113.9').break?.kind, 'no-masquerade', 'ns3 is not in the masqueraded subnet');
    assert.equal(walkPath(hostLan({}, { policy: 'ACCEPT', rules: [] }), null, '203.0.113.9').ok, true);
  });
});

describe('path walk: a DNS name', () => {
  const withDns = (conf: string | null, hostConf = 'nameserver 203.0.113.53\n') => {
    const s = hostLan({}, { policy: 'ACCEPT', rules: [] }, ['-s 10.0.0.0/24 -j MASQUERADE']);
    s.namespaces[0]!.resolvConf = conf;
    s.hostDns.resolvConf = hostConf;
    return s;
  };
  it('no resolv.conf of its own, and the host names only its loopback stub', () => {
    const w = walkName(withDns(null, 'nameserver 127.0.0.53\n'), 'ns1', 'www.example.com');
    assert.deepEqual(w?.break, { kind: 'dns', at: 'ns1', back: false, message: "ns1 asks 127.0.0.53 for names (the host's /etc/resolv.conf (ns1 has no /etc/netns/ns1/resolv.conf)): a resolver on the host's loopback, which the namespace's own loopback does not have" });
  });
  it('its own resolv.conf names no server', () => {
    assert.equal(walkName(withDns('search lab\n'), 'ns1', 'www.example.com')?.break?.message, 'ns1 has no DNS server: /etc/netns/ns1/resolv.conf names none');
  });
  it('the way to the server breaks: that break, said of the server', () => {
    const w = walkName(withDns('nameserver 10.5.0.9\n'), 'ns1', 'www.example.com');
    assert.equal(w?.break?.kind, 'no-neighbour');
    assert.equal(w?.break?.message, "the way to ns1's DNS server 10.5.0.9 breaks: nobody on v3's link in the host has 10.5.0.9: packets from ns1 stop at the host");
  });
  it("the server is reachable but the name does not resolve (the lab test's answer); resolving names nothing", () => {
    const s = withDns('nameserver 10.5.0.2\n');
    assert.equal(walkName(s, 'ns1', 'nope.example', { addresses: [], error: 'NXDOMAIN' })?.break?.message, 'nope.example does not resolve in ns1: 10.5.0.2 answered: NXDOMAIN (/etc/netns/ns1/resolv.conf)');
    assert.equal(walkName(s, 'ns1', 'www.example.com', { addresses: ['203.0.113.9'] }), undefined);
  });
});
