/**
 * The containerlab and Kathará importers (pure): each fixture lab's topology, report and outcome
 * deep-equal the reviewed expectations in test/fixtures/import/expected/; start-up lines parse to
 * the structured fields; malformed labs are refused naming the line.
 * NETNS_LAB_WRITE_EXPECTED=1 rewrites the expectation files (review the diff before committing).
 */
import assert from 'node:assert/strict';
import { existsSync, readFileSync, readdirSync, statSync, writeFileSync } from 'node:fs';
import { basename, join, relative } from 'node:path';
import { describe, it } from 'node:test';
import { importClab } from '../../src/core/import/import-clab.js';
import { importKathara } from '../../src/core/import/import-kathara.js';
import { parseLine } from '../../src/core/import/import-lines.js';
import { fitIfName, fitTopoName } from '../../src/core/import/import-names.js';
import type { ImportResult } from '../../src/core/import/import-report.js';
import { validateValue } from '../../src/core/model/validate.js';
import { fileURLToPath } from 'node:url';

const FIX = join(fileURLToPath(new URL('../../..', import.meta.url)), 'test', 'fixtures', 'import');

function clab(name: string, stub = false): ImportResult {
  const file = join(FIX, 'clab', name);
  const ann = `${file}.annotations.json`;
  return importClab({ text: readFileSync(file, 'utf8'), ...(existsSync(ann) ? { annotations: readFileSync(ann, 'utf8') } : {}), stubUnsupported: stub });
}

function kathara(name: string): ImportResult {
  const dir = join(FIX, 'kathara', name);
  const paths: string[] = [];
  const walk = (d: string) => { for (const e of readdirSync(d).sort()) { const p = join(d, e); if (statSync(p).isDirectory()) walk(p); else paths.push(relative(dir, p)); } };
  walk(dir);
  const files = Object.fromEntries(paths.filter((p) => /^(lab\.conf|lab\.dep|[^/]+\.startup|[^/]+\.shutdown)$/.test(p)).map((p) => [p, readFileSync(join(dir, p), 'utf8')]));
  return importKathara({ files, paths, dirName: basename(dir) });
}

function expectSame(actual: ImportResult, name: string): void {
  const file = join(FIX, 'expected', `${name}.json`);
  if (process.env.NETNS_LAB_WRITE_EXPECTED === '1') writeFileSync(file, JSON.stringify(actual, null, 2) + '\n');
  assert.deepEqual(JSON.parse(JSON.stringify(actual)), JSON.parse(readFileSync(file, 'utf8')));
}

describe('containerlab import', () => {
  it('office: linux, bridge and host nodes, inheritance, mgmt, exec lines, cmd/env, annotations', () => {
    const r = clab('office.clab.yml');
    expectSame(r, 'clab-office');
    assert.equal(r.outcome, 'partial');
    // the written file, exec entries and services included, is an ordinary topology
    const v = validateValue(r.topology);
    assert.deepEqual(v.diagnostics.filter((d) => d.severity === 'error'), []);
  });
  it('edge: extended link types, per-end addresses, mgmt-net, node sysctls, DNS limits, a service with a user', () => {
    const r = clab('edge.clab.yml');
    expectSame(r, 'clab-edge');
    const v = validateValue(r.topology);
    assert.deepEqual(v.diagnostics.filter((d) => d.severity === 'error'), []);
  });
  it('refuses bad YAML naming the line', () => {
    const r = clab('bad-yaml.clab.yml');
    assert.equal(r.outcome, 'invalid');
    assert.equal(r.topology, undefined);
    assert.deepEqual(r.report.map((i) => [i.status, i.construct, i.line]), [['refused', 'YAML', 6]]);
  });
  it('refuses Go templates, one item per line', () => {
    const r = clab('template.clab.yml');
    assert.deepEqual(r.report.map((i) => [i.status, i.construct, i.line]), [['refused', 'Go template', 4], ['refused', 'Go template', 5], ['refused', 'Go template', 7]]);
  });
  it('refuses a link to an undefined node', () => {
    const r = clab('undefined-node.clab.yml');
    assert.equal(r.outcome, 'invalid');
    assert.deepEqual(r.report.filter((i) => i.status === 'refused'), [{ line: 7, construct: 'link 1', status: 'refused', message: "link to an undefined node 'b'" }]);
  });
  it('stops at a vendor kind, or stubs it when asked', () => {
    const stop = clab('vendor.clab.yml');
    assert.equal(stop.outcome, 'invalid');
    assert.deepEqual(stop.report.filter((i) => i.status === 'refused').map((i) => [i.construct, i.line]), [['node srl', 4]]);
    const stub = clab('vendor.clab.yml', true);
    expectSame(stub, 'clab-vendor-stub');
    assert.equal(stub.outcome, 'partial');
  });
  it('writes exec entries and services into the namespace (this model has them)', () => {
    const ns = clab('office.clab.yml').topology!.namespaces!.find((n) => n.name === 'srv')!;
    assert.ok(ns.exec?.length, 'exec entries written');
    assert.ok(ns.services?.length, 'services written');
  });
});

describe('Kathará import', () => {
  it('campus: routers and PCs, static routes, lab.dep order, defaults, DEV/ files', () => {
    const r = kathara('campus');
    expectSame(r, 'kathara-campus');
    assert.deepEqual(r.topology!.namespaces!.map((n) => n.name), ['pc2', 'r1', 'pc1', 'r2', 'pc3']);
  });
  it('bridged, ipv6, long names shortened deterministically, a script with shell blocks kept whole', () => {
    expectSame(kathara('bridged'), 'kathara-bridged');
  });
  it('refuses an unknown collision domain syntax naming the line', () => {
    const r = kathara('bad-cd');
    assert.deepEqual(r.report.map((i) => [i.status, i.construct, i.line]), [['refused', 'pc1[0]', 1], ['refused', 'pc2[0]', 2]]);
  });
  it('refuses two interfaces of the same index', () => {
    const r = kathara('dup-index');
    assert.deepEqual(r.report, [{ file: 'lab.conf', line: 3, construct: 'r1[0]', status: 'refused', message: 'r1 already has interface eth0 (line 1): two interfaces of the same index' }]);
  });
  it('refuses a lab.dep cycle', () => {
    const r = kathara('dep-cycle');
    assert.equal(r.outcome, 'invalid');
    assert.match(r.report.find((i) => i.status === 'refused')!.message, /cycle among a, b/);
  });
});

describe('start-up lines', () => {
  it('become structured operations', () => {
    assert.deepEqual(parseLine('ip -4 addr add 10.0.0.1/24 brd + dev eth1'), { kind: 'ops', ops: [{ op: 'addr', dev: 'eth1', cidr: '10.0.0.1/24' }] });
    assert.deepEqual(parseLine('ip a add dev eth1 10.0.0.1'), { kind: 'ops', ops: [{ op: 'addr', dev: 'eth1', cidr: '10.0.0.1/32' }] });
    assert.deepEqual(parseLine('ip route replace default via 10.0.0.254 metric 10'), { kind: 'ops', ops: [{ op: 'route', route: { to: 'default', via: '10.0.0.254', metric: 10 } }] });
    assert.deepEqual(parseLine('ip -6 r add fd00:2::/64 via fd00:1::1 dev eth1'), { kind: 'ops', ops: [{ op: 'route', route: { to: 'fd00:2::/64', via: 'fd00:1::1', dev: 'eth1' } }] });
    assert.deepEqual(parseLine('ip link set dev eth1 mtu 9000 up'), { kind: 'ops', ops: [{ op: 'mtu', dev: 'eth1', mtu: 9000 }, { op: 'up', dev: 'eth1' }] });
    assert.deepEqual(parseLine('ip link set eth1 address 02:AA:00:00:00:01'), { kind: 'ops', ops: [{ op: 'mac', dev: 'eth1', mac: '02:aa:00:00:00:01' }] });
    assert.deepEqual(parseLine('sysctl -w net.ipv4.ip_forward=1 net/ipv4/conf/all/rp_filter=0'), { kind: 'ops', ops: [{ op: 'sysctl', key: 'net.ipv4.ip_forward', value: 1 }, { op: 'sysctl', key: 'net.ipv4.conf.all.rp_filter', value: 0 }] });
    assert.deepEqual(parseLine('echo 1 > /proc/sys/net/ipv4/ip_forward'), { kind: 'ops', ops: [{ op: 'sysctl', key: 'net.ipv4.ip_forward', value: 1 }] });
    assert.deepEqual(parseLine('ifconfig eth0 10.1.1.1 netmask 255.255.255.0 up'), { kind: 'ops', ops: [{ op: 'addr', dev: 'eth0', cidr: '10.1.1.1/24' }, { op: 'up', dev: 'eth0' }] });
    assert.deepEqual(parseLine('route add -net 10.2.0.0 netmask 255.255.0.0 gw 10.1.1.254 dev eth0'), { kind: 'ops', ops: [{ op: 'route', route: { to: '10.2.0.0/16', via: '10.1.1.254', dev: 'eth0' } }] });
  });
  it('name services, and keep everything else as commands', () => {
    assert.deepEqual(parseLine('systemctl start apache2'), { kind: 'service', name: 'apache2' });
    assert.deepEqual(parseLine('/etc/init.d/frr restart'), { kind: 'service', name: 'frr' });
    assert.deepEqual(parseLine('service bind9 start'), { kind: 'service', name: 'bind9' });
    assert.deepEqual(parseLine('ip route add 10.0.0.0/8 via 10.1.1.1 proto static'), { kind: 'command', privileged: true });
    assert.deepEqual(parseLine('ip addr add 10.0.0.1/24 dev eth1; echo done'), { kind: 'command', privileged: true });
    assert.deepEqual(parseLine('sysctl -w kernel.panic=1'), { kind: 'command', privileged: true });
    assert.deepEqual(parseLine('python3 -m http.server'), { kind: 'command', privileged: false });
    assert.deepEqual(parseLine('  # a comment'), { kind: 'blank' });
  });
});

describe('MAC addresses', () => {
  const clabText = (mac: string) => [
    'name: m', 'topology:', '  nodes:', '    a: { kind: linux }', '    b: { kind: linux }', '  links:', '    - type: veth', '      endpoints:',
    `        - { node: a, interface: eth1, mac: "${mac}" }`, '        - { node: b, interface: eth1 }', '',
  ].join('\n');
  it('containerlab: an endpoint\'s mac becomes the end\'s mac field (lower case), mapped', () => {
    const r = importClab({ text: clabText('02:00:00:00:AB:01') });
    assert.deepEqual(r.topology!.links![0]!.a, { node: 'a', name: 'eth1', mac: '02:00:00:00:ab:01' });
    assert.deepEqual(r.report.filter((i) => i.construct === 'link 1: mac'), [{ line: 9, construct: 'link 1: mac', status: 'mapped', message: 'MAC 02:00:00:00:ab:01 on a/eth1' }]);
  });
  it('containerlab: a multicast or malformed mac is refused naming the line', () => {
    for (const [mac, re] of [['01:00:5e:00:00:01', /multicast/], ['02:00:00:00:01', /not six hex octets/]] as const) {
      const r = importClab({ text: clabText(mac) });
      assert.equal(r.outcome, 'invalid', mac);
      const refused = r.report.filter((i) => i.status === 'refused');
      assert.deepEqual(refused.map((i) => [i.construct, i.line]), [['link 1: mac', 9]], mac);
      assert.match(refused[0]!.message, re, mac);
    }
  });
  const kath = (conf: string, startup?: string) => importKathara({
    files: { 'lab.conf': conf, ...(startup ? { 'a.startup': startup } : {}) }, paths: ['lab.conf', ...(startup ? ['a.startup'] : [])], dirName: 'm',
  });
  it('Kathará: dev[N]="CD/MAC" sets the MAC of ethN; a multicast one is refused', () => {
    const ok = kath('a[0]="lan/02:00:00:00:0C:01"\nb[0]="lan"\n');
    assert.deepEqual(ok.topology!.links![0]!.a, { node: 'a', name: 'eth0', mac: '02:00:00:00:0c:01' });
    assert.equal(ok.report.filter((i) => i.status !== 'mapped').length, 0);
    const bad = kath('a[0]="lan/03:00:00:00:0c:01"\n');
    assert.deepEqual(bad.report.map((i) => [i.status, i.construct, i.line]), [['refused', 'a[0]', 1]]);
    assert.match(bad.report[0]!.message, /'03:00:00:00:0c:01' is a multicast address/);
  });
  it('start-up lines: ip link set [dev] IF address MAC and ifconfig IF hw ether MAC set the field; a MAC the kernel refuses stays a root exec entry', () => {
    const r = kath('a[0]="lan"\na[1]="wan"\n', 'ip link set eth0 address 02:00:00:00:0d:01\nifconfig eth1 hw ether 02:00:00:00:0d:02 up\nip link set dev eth0 address 01:00:00:00:0d:01\n');
    assert.deepEqual(r.topology!.links!.map((l) => [l.a.name, l.a.mac]), [['eth0', '02:00:00:00:0d:01'], ['eth1', '02:00:00:00:0d:02']]);
    assert.deepEqual(r.topology!.namespaces![0]!.exec, [{ command: 'ip link set dev eth0 address 01:00:00:00:0d:01', user: 'root' }]);
    assert.deepEqual(r.report.filter((i) => i.file === 'a.startup').map((i) => [i.line, i.status, i.message]), [
      [1, 'mapped', 'MAC 02:00:00:00:0d:01 on a/eth0'],
      [2, 'mapped', 'MAC 02:00:00:00:0d:02 on a/eth1'],
      [2, 'mapped', 'eth1 is up: netns-lab brings every interface up'],
      [3, 'mapped', 'exec entry run as root in a: it runs only once you approve its exact text'],
    ]);
    assert.deepEqual(validateValue(r.topology).diagnostics.filter((d) => d.severity === 'error'), []);
  });
});

describe('names', () => {
  it('are kept when they fit, else shortened the same way every time', () => {
    assert.equal(fitIfName('lanA'), 'lanA');
    assert.equal(fitIfName('the_backbone_collision_domain'), fitIfName('the_backbone_collision_domain'));
    assert.ok(fitIfName('the_backbone_collision_domain').length <= 15);
    assert.notEqual(fitIfName('lanA', new Set(['lanA'])), 'lanA');
    assert.equal(fitIfName('host'), fitIfName('host'));
    assert.notEqual(fitIfName('host'), 'host');
    assert.ok(fitTopoName('a lab name that is far too long').length <= 20);
  });
});
