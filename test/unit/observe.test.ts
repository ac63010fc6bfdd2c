import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  emptyNs, nameservers, ownedChains, pairVeths, parseIptablesSave, parseJsonStream, parseLinks, parseNs, parseNsids,
  parseObservation, parseRoutes, type LiveNs, type LiveState,
} from '../../src/core/observe/observe.js';
import { articleCaptured, articleRaw, fixture, link, ns, routedSoloRaw } from '../support/fixtures.js';

const find = (live: LiveState, scope: string | null): LiveNs => {
  const n = scope === null ? live.host : live.namespaces.find((x) => x.name === scope);
  assert.ok(n, `namespace ${scope} observed`);
  return n;
};
const linkOf = (n: LiveNs, name: string) => {
  const l = n.links.find((x) => x.name === name);
  assert.ok(l, `link ${name} in ${n.name ?? 'host'}`);
  return l;
};

describe('parseJsonStream', () => {
  it('splits several JSON arrays printed back to back', () => {
    assert.deepEqual(parseJsonStream('[1,2][{"a":3}]\n[]\n[{"b":[4,[5]]}]'), [[1, 2], [{ a: 3 }], [], [{ b: [4, [5]] }]]);
  });
  it('is not fooled by brackets and escaped quotes inside strings', () => {
    const s = '[{"ifalias":"x]y[\\"z"}][{"n":"}"}]';
    assert.deepEqual(parseJsonStream(s), [[{ ifalias: 'x]y["z' }], [{ n: '}' }]]);
  });
  it('returns nothing for empty output', () => {
    assert.deepEqual(parseJsonStream(''), []);
    assert.deepEqual(parseJsonStream('\n'), []);
  });
  it('reads the three arrays of a real `ip -j -d -s -b -` batch', () => {
    const arrays = parseJsonStream(fixture('live/article/host.ip.txt'));
    assert.equal(arrays.length, 3);
    assert.ok(arrays.every(Array.isArray));
    assert.deepEqual(arrays[2], [{ nsid: 0, name: 'inet' }, { nsid: 1, name: 'ns1' }, { nsid: 2, name: 'ns2' }]);
  });
});

describe('parseObservation of a real capture (the article applied in a sandbox)', () => {
  const live = articleCaptured();

  it('lists the host and every namespace, namespaces sorted by name', () => {
    assert.equal(live.host.name, null);
    assert.deepEqual(live.namespaces.map((n) => n.name), ['foreign', 'inet', 'ns1', 'ns2']);
    assert.deepEqual(live.host.links.map((l) => l.name), ['lo', 'uplink0', 'br0', 'veth1-br', 'veth2-br']);
  });

  it('reads kind, owner (ifalias netns-lab:NAME), up, master and canonical addresses', () => {
    const br0 = linkOf(live.host, 'br0');
    assert.equal(br0.kind, 'bridge');
    assert.equal(br0.alias, 'netns-lab:article');
    assert.equal(br0.owner, 'article');
    assert.equal(br0.up, true);
    assert.equal(br0.master, undefined);
    assert.deepEqual(br0.addresses.filter((a) => a.scope === 'global'), [{ cidr: '10.0.0.1/24', family: 4, scope: 'global' }]);
    assert.deepEqual(br0.addresses.filter((a) => a.scope !== 'global').map((a) => [a.family, a.scope]), [[6, 'link']]);

    const port = linkOf(live.host, 'veth1-br');
    assert.equal(port.kind, 'veth');
    assert.equal(port.master, 'br0');
    assert.equal(port.owner, 'article');
    assert.equal(port.up, true);
    assert.equal(port.ifindex, 4);
    assert.equal(port.linkIndex, 2);
    assert.equal(port.linkNetnsid, 1);

    const up = linkOf(live.host, 'uplink0');
    assert.equal(up.owner, undefined);
    assert.equal(up.alias, undefined);
    assert.deepEqual(up.addresses.filter((a) => a.scope === 'global').map((a) => a.cidr), ['198.51.100.2/24', '2001:db8:1::2/64']);

    const lo = linkOf(live.host, 'lo');
    assert.equal(lo.kind, 'loopback');
    assert.deepEqual(lo.addresses.map((a) => a.cidr), ['127.0.0.1/8', '::1/128']);
  });

  it('takes a namespace\'s owner from the tag on its loopback', () => {
    assert.equal(find(live, 'ns1').owner, 'article');
    assert.equal(find(live, 'ns2').owner, 'article');
    assert.equal(find(live, 'foreign').owner, undefined);
    assert.equal(find(live, 'inet').owner, undefined);
    assert.equal(live.host.owner, undefined);
    const flo = linkOf(find(live, 'foreign'), 'lo');
    assert.equal(flo.up, false);
    assert.equal(flo.operstate, 'DOWN');
  });

  it('reads the addresses of a veth inside a namespace and its stats', () => {
    const v = linkOf(find(live, 'ns1'), 'veth1');
    assert.equal(v.owner, 'article');
    assert.equal(v.mtu, 1500);
    assert.equal(v.mac, 'c6:bb:6f:dc:03:ea');
    assert.deepEqual(v.addresses[0], { cidr: '10.0.0.2/24', family: 4, scope: 'global' });
    assert.deepEqual(v.stats, { rxBytes: 610, txBytes: 176, rxPackets: 7, txPackets: 2 });
  });

  it('reads default routes of both families, with protocol and metric', () => {
    const defaults = live.host.routes.filter((r) => r.to === 'default');
    assert.deepEqual(defaults, [
      { family: 4, to: 'default', via: '198.51.100.1', dev: 'uplink0', protocol: 'boot', metric: undefined, scope: 'global' },
      { family: 6, to: 'default', via: '2001:db8:1::1', dev: 'uplink0', protocol: 'boot', metric: 1024, scope: 'global' },
    ]);
    assert.deepEqual(find(live, 'ns1').routes, [
      { family: 4, to: 'default', via: '10.0.0.1', dev: 'veth1', protocol: 'static', metric: undefined, scope: 'global' },
      { family: 4, to: '10.0.0.0/24', via: undefined, dev: 'veth1', protocol: 'kernel', metric: undefined, scope: 'link' },
      { family: 6, to: 'fe80::/64', via: undefined, dev: 'veth1', protocol: 'kernel', metric: 256, scope: 'global' },
    ]);
  });

  it('maps nsids to names as seen from each namespace', () => {
    assert.deepEqual(live.host.nsids, { 0: 'inet', 1: 'ns1', 2: 'ns2' });
    // from inside ns1, the host has an id but no name
    assert.deepEqual(find(live, 'ns1').nsids, { 0: null });
    assert.deepEqual(find(live, 'foreign').nsids, {});
  });

  it('pairs veth peers across namespaces (both directions, host = null)', () => {
    assert.deepEqual(linkOf(live.host, 'veth1-br').peer, { ns: 'ns1', name: 'veth1' });
    assert.deepEqual(linkOf(live.host, 'veth2-br').peer, { ns: 'ns2', name: 'veth2' });
    assert.deepEqual(linkOf(live.host, 'uplink0').peer, { ns: 'inet', name: 'inet0' });
    assert.deepEqual(linkOf(find(live, 'ns1'), 'veth1').peer, { ns: null, name: 'veth1-br' });
    assert.deepEqual(linkOf(find(live, 'ns2'), 'veth2').peer, { ns: null, name: 'veth2-br' });
    assert.deepEqual(linkOf(find(live, 'inet'), 'inet0').peer, { ns: null, name: 'uplink0' });
    assert.equal(linkOf(live.host, 'br0').peer, undefined);
  });

  it('pairs a veth whose both ends are in one namespace (ip prints the peer by name, not link_index)', () => {
    const f = find(live, 'foreign');
    assert.equal(linkOf(f, 'p0').linkIndex, linkOf(f, 'p1').ifindex);
    assert.deepEqual(linkOf(f, 'p0').peer, { ns: 'foreign', name: 'p1' });
    assert.deepEqual(linkOf(f, 'p1').peer, { ns: 'foreign', name: 'p0' });
    assert.equal(linkOf(f, 'p1').up, false);
    assert.equal(linkOf(f, 'p0').up, true);
  });

  it('keeps sysctls, resolv.conf and host DNS as given', () => {
    assert.deepEqual(live.host.sysctls, { 'net.ipv4.ip_forward': '1' });
    assert.equal(find(live, 'ns1').resolvConf, articleRaw().namespaces[1]!.resolvConf);
    assert.equal(find(live, 'foreign').resolvConf, null);
    assert.deepEqual(live.hostDns, { resolvConf: 'nameserver 203.0.113.53\n', systemdResolvConf: null });
  });

  it('parses our chains from iptables-save', () => {
    assert.ok(live.firewall);
    const { filter, nat } = live.firewall;
    assert.deepEqual(ownedChains(filter), ['NSL-F-article', 'NSL-F-t', 'NSL-STATE']);
    assert.deepEqual(ownedChains(nat), ['NSL-N-article', 'NSL-N-t']);
    assert.deepEqual(filter.FORWARD, { policy: 'ACCEPT', rules: ['-m comment --comment "netns-lab:article" -j NSL-F-article'] });
    assert.deepEqual(filter['NSL-F-article'], {
      policy: undefined,
      rules: [
        '-s 10.0.0.0/24 -m comment --comment "netns-lab:article" -j ACCEPT',
        '-d 10.0.0.0/24 -m conntrack --ctstate RELATED,ESTABLISHED -m comment --comment "netns-lab:article" -j ACCEPT',
      ],
    });
    assert.deepEqual(filter['NSL-STATE']!.rules, [
      '-m comment --comment "netns-lab:ip_forward_was=0" -j RETURN',
      '-m comment --comment "netns-lab:uses_ip_forward=article" -j RETURN',
    ]);
    assert.deepEqual(nat.POSTROUTING, { policy: 'ACCEPT', rules: ['-m comment --comment "netns-lab:article" -j NSL-N-article'] });
    assert.deepEqual(nat['NSL-N-article']!.rules, ['-s 10.0.0.0/24 -o uplink0 -m comment --comment "netns-lab:article" -j MASQUERADE']);
  });

  it('leaves firewall undefined when iptables-save was not read, and host DNS null when absent', () => {
    const l = parseObservation({ namespaces: [] });
    assert.equal(l.firewall, undefined);
    assert.deepEqual(l.hostDns, { resolvConf: null, systemdResolvConf: null });
    assert.deepEqual(l.host, emptyNs(null));
    assert.deepEqual(l.namespaces, []);
  });
});

describe('parseObservation of a real capture (routed + solo applied in one sandbox)', () => {
  const live = parseObservation(routedSoloRaw());

  it('finds a bridge inside a namespace and its ports', () => {
    const router = find(live, 'router');
    const lanB = linkOf(router, 'lan-b');
    assert.equal(lanB.kind, 'bridge');
    assert.equal(lanB.owner, 'routed');
    assert.deepEqual(lanB.addresses.filter((a) => a.scope === 'global').map((a) => a.cidr), ['10.10.2.1/24']);
    assert.equal(linkOf(router, 'b1-p').master, 'lan-b');
    assert.equal(linkOf(router, 'b1-p').mtu, 1400);
    assert.deepEqual(linkOf(router, 'b1-p').peer, { ns: 'b1', name: 'eth0' });
    assert.deepEqual(linkOf(find(live, 'b1'), 'eth0').peer, { ns: 'router', name: 'b1-p' });
    assert.deepEqual(linkOf(find(live, 'router'), 'wan0').peer, { ns: null, name: 'router-p' });
    assert.deepEqual(router.sysctls, { 'net.ipv4.ip_forward': '1' });
  });

  it('keeps the IPv6 addresses of an interface canonical', () => {
    assert.deepEqual(linkOf(find(live, 'a1'), 'eth0').addresses.filter((a) => a.scope === 'global').map((a) => a.cidr),
      ['10.10.1.10/24', 'fd00:a::10/64']);
  });

  it('pairs a veth between a namespace and a bridge inside that same namespace', () => {
    const x = find(live, 'x');
    assert.equal(x.owner, 'solo');
    assert.deepEqual(linkOf(x, 'ex0').peer, { ns: 'x', name: 'ex0-p' });
    assert.deepEqual(linkOf(x, 'ex0-p').peer, { ns: 'x', name: 'ex0' });
    assert.equal(linkOf(x, 'ex0-p').master, 'brx');
    assert.deepEqual(linkOf(live.host, 'h-x0').peer, { ns: 'x', name: 'eth0' });
  });

  it('reads static routes with their protocol in the host and in namespaces', () => {
    assert.deepEqual(live.host.routes.filter((r) => r.protocol === 'static'),
      [{ family: 4, to: '10.10.2.0/24', via: '10.10.1.254', dev: 'lan-a', protocol: 'static', metric: undefined, scope: 'global' }]);
    assert.deepEqual(find(live, 'x').routes.filter((r) => r.protocol === 'static').map((r) => [r.to, r.via, r.dev]),
      [['10.99.0.0/16', '10.30.0.1', 'eth0']]);
  });
});

describe('parseRoutes', () => {
  it('keeps only unicast routes of the main table', () => {
    const r = parseRoutes([
      { type: 'unicast', dst: '10.1.0.0/16', gateway: '10.0.0.9', dev: 'e0', table: 'main', protocol: 'static', flags: [] },
      { type: 'local', dst: '10.0.0.2', dev: 'e0', table: 'local', protocol: 'kernel', scope: 'host' },
      { type: 'unicast', dst: '10.2.0.0/16', dev: 'e0', table: '100', protocol: 'static' },
      { type: 'blackhole', dst: '10.3.0.0/16', table: 'main', protocol: 'static' },
    ]);
    assert.deepEqual(r, [{ family: 4, to: '10.1.0.0/16', via: '10.0.0.9', dev: 'e0', protocol: 'static', metric: undefined, scope: undefined }]);
  });
  it('adds the host prefix to a bare destination and canonicalizes addresses', () => {
    const r = parseRoutes([
      { dst: '10.9.9.9', dev: 'e0', protocol: 'static' },
      { dst: '2001:0db8:0:0::1', gateway: 'FE80:0:0::1', dev: 'e0' },
      { dst: '2001:DB8:0::/48', dev: 'e0', protocol: 'kernel', metric: 256 },
    ]);
    assert.deepEqual(r.map((x) => [x.family, x.to, x.via, x.protocol]), [
      [4, '10.9.9.9/32', undefined, 'static'],
      [6, '2001:db8::1/128', 'fe80::1', 'boot'],
      [6, '2001:db8::/48', undefined, 'kernel'],
    ]);
  });
  it('guesses the family of a gatewayless default route (IPv6 ones carry pref / metric 1024)', () => {
    const r = parseRoutes([
      { dst: 'default', dev: 'ppp0', protocol: 'static' },
      { dst: 'default', dev: 'ppp0', protocol: 'static', metric: 1024, pref: 'medium' },
    ]);
    assert.deepEqual(r.map((x) => x.family), [4, 6]);
  });
  it('returns nothing for non-arrays', () => {
    assert.deepEqual(parseRoutes(undefined), []);
    assert.deepEqual(parseRoutes({}), []);
  });
});

describe('parseLinks / parseNsids / parseNs', () => {
  it('resolves a same-namespace peer printed by name and leaves an unknown name unresolved', () => {
    const links = parseLinks([
      { ifindex: 7, ifname: 'a', link: 'b', flags: ['UP'], linkinfo: { info_kind: 'veth' } },
      { ifindex: 9, ifname: 'b', link: 'a', flags: [], linkinfo: { info_kind: 'veth' } },
      { ifindex: 11, ifname: 'c', link: 'gone', flags: [], linkinfo: { info_kind: 'veth' } },
      { ifindex: 12, ifname: 'eth0', flags: ['UP'], link_type: 'ether' },
    ]);
    assert.deepEqual(links.map((l) => [l.name, l.linkIndex, l.kind, l.up]), [
      ['a', 9, 'veth', true], ['b', 7, 'veth', false], ['c', undefined, 'veth', false], ['eth0', undefined, 'device', true],
    ]);
  });
  it('ignores an ifalias that is not our tag, or a tag with an invalid topology name', () => {
    const links = parseLinks([
      { ifindex: 1, ifname: 'a', ifalias: 'uplink to ISP', flags: [] },
      { ifindex: 2, ifname: 'b', ifalias: 'netns-lab:bad name', flags: [] },
      { ifindex: 3, ifname: 'c', ifalias: 'netns-lab:lab-1', flags: [] },
    ]);
    assert.deepEqual(links.map((l) => l.owner), [undefined, undefined, 'lab-1']);
    assert.deepEqual(links.map((l) => l.alias), ['uplink to ISP', 'netns-lab:bad name', 'netns-lab:lab-1']);
  });
  it('maps unnamed nsids to null', () => {
    assert.deepEqual(parseNsids([{ nsid: 0 }, { nsid: 3, name: 'r' }, { name: 'no-id' }]), { 0: null, 3: 'r' });
  });
  it('does not take an owner for the host from its loopback', () => {
    const host = parseNs({ name: null, ipJson: '[{"ifindex":1,"ifname":"lo","ifalias":"netns-lab:x","link_type":"loopback","flags":["UP"]}][][]' });
    assert.equal(host.owner, undefined);
    const n = parseNs({ name: 'n', ipJson: '[{"ifindex":1,"ifname":"lo","ifalias":"netns-lab:x","link_type":"loopback","flags":["UP"]}][][]' });
    assert.equal(n.owner, 'x');
    assert.equal(n.resolvConf, undefined);
  });
});

describe('pairVeths', () => {
  it('pairs namespace-to-namespace veths through named nsids', () => {
    const a = ns('a', { nsids: { 5: 'b' }, links: [link('v1', { ifindex: 2, linkIndex: 3, linkNetnsid: 5 })] });
    const b = ns('b', { nsids: { 1: 'a' }, links: [link('v2', { ifindex: 3, linkIndex: 2, linkNetnsid: 1 })] });
    pairVeths([ns(null), a, b]);
    assert.deepEqual(a.links[0]!.peer, { ns: 'b', name: 'v2' });
    assert.deepEqual(b.links[0]!.peer, { ns: 'a', name: 'v1' });
  });
  it('leaves the peer unknown when the indexes do not point at each other', () => {
    const host = ns(null, { nsids: { 1: 'a' }, links: [link('h', { ifindex: 4, linkIndex: 2, linkNetnsid: 1 })] });
    const a = ns('a', { nsids: { 0: null }, links: [link('v', { ifindex: 2, linkIndex: 9, linkNetnsid: 0 })] });
    pairVeths([host, a]);
    assert.equal(host.links[0]!.peer, undefined);
    assert.equal(a.links[0]!.peer, undefined);
  });
  it('does not guess for an unnamed nsid seen from the host (a namespace outside /run/netns)', () => {
    const host = ns(null, { nsids: { 0: null }, links: [link('h', { ifindex: 4, linkIndex: 2, linkNetnsid: 0 })] });
    const a = ns('a', { nsids: { 0: null }, links: [link('v', { ifindex: 2, linkIndex: 4, linkNetnsid: 0 })] });
    pairVeths([host, a]);
    assert.equal(host.links[0]!.peer, undefined);
    assert.deepEqual(a.links[0]!.peer, { ns: null, name: 'h' });
  });
  it('only pairs veths', () => {
    const host = ns(null, { links: [link('vlan5', { kind: 'vlan', ifindex: 5, linkIndex: 2 }), link('eth0', { kind: 'device', ifindex: 2, linkIndex: 5 })] });
    pairVeths([host]);
    assert.equal(host.links[0]!.peer, undefined);
    assert.equal(host.links[1]!.peer, undefined);
  });
});

describe('parseIptablesSave', () => {
  it('reads policies and rules of the filter and nat tables only', () => {
    const t = parseIptablesSave([
      '# Generated by iptables-save v1.8.9 (nf_tables)',
      '*mangle', ':PREROUTING ACCEPT [0:0]', '-A PREROUTING -j MARK --set-mark 1', 'COMMIT',
      '*filter', ':INPUT ACCEPT [0:0]', ':FORWARD DROP [12:720]', ':NSL-F-x - [0:0]', ':DOCKER-USER - [0:0]',
      '-A FORWARD -j DOCKER-USER',
      '-A FORWARD -m comment --comment "netns-lab:x" -j NSL-F-x',
      '-A NSL-F-x -s 10.9.0.0/24 -m comment --comment "netns-lab:x" -j ACCEPT',
      '-A DOCKER-USER -j RETURN',
      'COMMIT',
      '*nat', ':POSTROUTING ACCEPT [0:0]', '-A POSTROUTING -s 172.17.0.0/16 ! -o docker0 -j MASQUERADE', 'COMMIT',
    ].join('\n'));
    assert.deepEqual(Object.keys(t), ['filter', 'nat']);
    assert.deepEqual(t.filter, {
      INPUT: { policy: 'ACCEPT', rules: [] },
      FORWARD: { policy: 'DROP', rules: ['-j DOCKER-USER', '-m comment --comment "netns-lab:x" -j NSL-F-x'] },
      'NSL-F-x': { policy: undefined, rules: ['-s 10.9.0.0/24 -m comment --comment "netns-lab:x" -j ACCEPT'] },
      'DOCKER-USER': { policy: undefined, rules: ['-j RETURN'] },
    });
    assert.deepEqual(t.nat, { POSTROUTING: { policy: 'ACCEPT', rules: ['-s 172.17.0.0/16 ! -o docker0 -j MASQUERADE'] } });
    assert.deepEqual(ownedChains(t.filter), ['NSL-F-x']);
  });
  it('returns empty tables for empty input', () => {
    assert.deepEqual(parseIptablesSave(''), { filter: {}, nat: {} });
  });
});

describe('nameservers', () => {
  it('lists valid nameserver addresses, canonical, in order', () => {
    const text = '# comment\nsearch a.example\nnameserver 192.0.2.1\n  nameserver   2001:DB8::0:53  \nnameserver not-an-ip\n#nameserver 10.0.0.9\noptions edns0\nnameserver 127.0.0.53\n';
    assert.deepEqual(nameservers(text), ['192.0.2.1', '2001:db8::53', '127.0.0.53']);
    assert.deepEqual(nameservers(null), []);
    assert.deepEqual(nameservers(undefined), []);
  });
});
