/** Two LANs joined by a router namespace (ip_forward on), with a bridge inside the router. */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { EXAMPLES, WAN, cli, listNetns, ping, resetSandbox, setupInternet, sh } from './sandbox.js';

const ROUTED = join(EXAMPLES, 'routed.netns.json');

describe('the routed example', () => {
  before(async () => { await resetSandbox(); await setupInternet(); });
  after(resetSandbox);

  it('applies; LAN A reaches LAN B through the router; both reach the internet', () => {
    const r = cli(['apply', ROUTED]);
    assert.equal(r.code, 0, r.stderr);
    assert.equal(sh('ip', ['netns', 'exec', 'router', 'sysctl', '-n', 'net.ipv4.ip_forward']).trim(), '1');
    assert.ok(ping('a1', '10.10.2.10'), 'a1 -> b1 across the router');
    assert.ok(ping('b1', '10.10.1.10'), 'b1 -> a1');
    assert.ok(ping('b2', '10.10.2.10'), 'b2 -> b1 on the bridge inside the router');
    assert.ok(ping('b1', WAN.outside), 'b1 -> internet: two hops, then NAT');
    assert.ok(ping('b1', WAN.name), 'b1 -> internet by name (explicit DNS server)');
    assert.ok(ping('a1', 'fd00:a::fe'), 'IPv6 on LAN A');
    assert.equal(sh('ip', ['-n', 'b1', '-j', 'link', 'show', 'eth0']).includes('"mtu":1400'), true);
    assert.equal(readFileSync('/etc/netns/b1/resolv.conf', 'utf8').includes(`nameserver ${WAN.dns}`), true);
  });

  it('is in sync afterwards, and destroy removes all of it', () => {
    assert.deepEqual(JSON.parse(cli(['plan', ROUTED, '--json']).stdout).steps, []);
    assert.equal(cli(['destroy', ROUTED]).code, 0);
    assert.deepEqual(listNetns(), ['wan']);
    assert.equal(sh('iptables-save', []).includes('NSL-'), false);
  });
});
