/**
 * Each doctor check: break exactly that thing in the sandbox, the doctor names it, its fix
 * repairs it (and the network works again), and nothing it does not own is changed.
 */
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, beforeEach, describe, it } from 'node:test';
import type { Finding } from '../../src/core/diagnose/doctor.js';
import { EXAMPLES, WAN, cli, noPing, ping, resetSandbox, setupInternet, sh, tryRun } from './sandbox.js';

const ARTICLE = join(EXAMPLES, 'article.netns.json');
const codes = (file = ARTICLE) => {
  const r = cli(['doctor', file, '--json']);
  return (JSON.parse(r.stdout) as { findings: Finding[] }).findings.map((f) => f.code);
};
const fix = (file = ARTICLE) => {
  const r = cli(['doctor', file, '--fix', '--json']);
  return JSON.parse(r.stdout) as { fixed: string[]; findings: Finding[] };
};

describe('doctor', () => {
  before(async () => { await resetSandbox(); await setupInternet(); });
  beforeEach(() => {
    // a clean, working article network before every check
    tryRun('iptables', ['-P', 'FORWARD', 'ACCEPT']);
    tryRun('iptables', ['-F', 'FORWARD']);
    assert.equal(cli(['apply', ARTICLE]).code, 0);
    assert.deepEqual(codes(), []);
  });
  after(resetSandbox);

  it('ip_forward off', () => {
    sh('sysctl', ['-qw', 'net.ipv4.ip_forward=0']);
    assert.ok(noPing('ns1', WAN.outside));
    assert.deepEqual(codes(), ['ip-forward-off']);
    assert.deepEqual(fix().fixed, ['ip-forward-off']);
    assert.ok(ping('ns1', WAN.outside));
  });

  it('FORWARD policy DROP (Docker) with bridge netfilter: even the LAN breaks; the fix never touches the policy', () => {
    sh('iptables', ['-P', 'FORWARD', 'DROP']);
    sh('iptables', ['-I', 'FORWARD', '1', '-j', 'DROP']); // and a rule that drops before ours
    assert.ok(noPing('ns1', '10.0.0.3'));
    assert.ok(codes().includes('forward-drop') || codes().includes('br-netfilter-drop'));
    fix();
    assert.ok(ping('ns1', '10.0.0.3'));
    assert.ok(ping('ns1', WAN.outside));
    assert.match(sh('iptables', ['-S', 'FORWARD']), /^-P FORWARD DROP$/m);
    assert.match(sh('iptables', ['-S', 'FORWARD']), /^-A FORWARD -j DROP$/m);
  });

  it('masquerade missing', () => {
    sh('iptables', ['-t', 'nat', '-F', 'NSL-N-article']);
    assert.ok(noPing('ns1', WAN.outside));
    assert.deepEqual(codes(), ['masquerade-missing']);
    fix();
    assert.ok(ping('ns1', WAN.outside));
  });

  it('default route missing, and a gateway that is the namespace itself', () => {
    sh('ip', ['-n', 'ns1', 'route', 'del', 'default']);
    assert.deepEqual(codes(), ['default-route-missing']);
    fix();
    assert.ok(ping('ns1', WAN.outside));
    sh('ip', ['-n', 'ns2', 'route', 'replace', 'default', 'via', '10.0.0.2']); // the other veth, not the bridge
    assert.deepEqual(codes(), ['gateway-wrong']);
    fix();
    assert.ok(ping('ns2', WAN.outside));
  });

  it('DNS: no resolv.conf, and a loopback stub', () => {
    sh('rm', ['/etc/netns/ns1/resolv.conf']);
    assert.deepEqual(codes(), ['dns-missing']);
    fix();
    assert.ok(ping('ns1', WAN.name));
    writeFileSync('/etc/netns/ns2/resolv.conf', 'nameserver 127.0.0.53\n');
    assert.ok(noPing('ns2', WAN.name));
    assert.deepEqual(codes(), ['dns-loopback']);
    fix();
    assert.ok(ping('ns2', WAN.name));
  });

  it('an interface down', () => {
    sh('ip', ['link', 'set', 'veth2-br', 'down']);
    assert.deepEqual(codes(), ['link-down']);
    fix();
    assert.ok(ping('ns1', '10.0.0.3'));
  });

  it('MTU mismatch across a link', () => {
    sh('ip', ['-n', 'ns1', 'link', 'set', 'veth1', 'mtu', '1400']);
    assert.deepEqual(codes(), ['mtu-mismatch']);
    fix();
    // the file names no MTU: both ends get the smaller one, and the doctor is content
    assert.match(sh('ip', ['-n', 'ns1', '-j', 'link', 'show', 'veth1']), /"mtu":1400/);
    assert.match(sh('ip', ['-j', 'link', 'show', 'veth1-br']), /"mtu":1400/);
    assert.deepEqual(codes(), []);
  });

  it('an address the host also has (no automatic fix)', () => {
    sh('ip', ['addr', 'add', '10.0.0.3/32', 'dev', WAN.uplink]);
    try {
      const r = JSON.parse(cli(['doctor', ARTICLE, '--json']).stdout) as { findings: Finding[] };
      assert.deepEqual(r.findings.map((f) => [f.code, f.fix]), [['address-conflict', undefined]]);
    } finally {
      sh('ip', ['addr', 'del', '10.0.0.3/32', 'dev', WAN.uplink]);
    }
  });

  it('strict rp_filter on a router', () => {
    const routed = join(EXAMPLES, 'routed.netns.json');
    assert.equal(cli(['apply', routed]).code, 0);
    sh('ip', ['netns', 'exec', 'router', 'sysctl', '-qw', 'net.ipv4.conf.all.rp_filter=1']);
    assert.deepEqual(codes(routed), ['rp-filter']);
    fix(routed);
    assert.equal(sh('ip', ['netns', 'exec', 'router', 'sysctl', '-n', 'net.ipv4.conf.all.rp_filter']).trim(), '2');
    assert.equal(cli(['destroy', routed]).code, 0);
  });
});
