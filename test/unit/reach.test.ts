import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { formatMatrix, parsePing, probes, validProbe } from '../../src/core/reach.js';
import { article, routed } from '../support/fixtures.js';

describe('reachability targets', () => {
  it('the article: each namespace to the other, to the host side (the bridge), and outside probes only with internet', () => {
    const p = probes(article(), ['198.51.100.10', 'bad probe']);
    assert.deepEqual(p.map((x) => `${x.from}>${x.to}:${x.target}:${x.kind}`), [
      'ns1>ns2:10.0.0.3:namespace', 'ns1>host:10.0.0.1:host', 'ns1>198.51.100.10:198.51.100.10:outside',
      'ns2>ns1:10.0.0.2:namespace', 'ns2>host:10.0.0.1:host', 'ns2>198.51.100.10:198.51.100.10:outside',
    ]);
  });
  it('the routed example: gateways that are not host addresses are probed as gateways', () => {
    const p = probes(routed());
    assert.ok(p.some((x) => x.from === 'b1' && x.kind === 'gateway' && x.target === '10.10.2.1'));
    assert.ok(p.some((x) => x.from === 'a1' && x.to === 'router' && x.target === 'fd00:a::fe'));
    assert.ok(!p.some((x) => x.kind === 'outside'));
  });
  it('probes must be addresses or DNS names', () => {
    assert.ok(validProbe('example.test') && validProbe('2001:db8::1') && validProbe('198.51.100.10'));
    assert.ok(!validProbe('-c 1') && !validProbe('a b') && !validProbe('$(id)') && !validProbe(''));
  });
});

describe('ping output', () => {
  it('reads the round-trip time or the reason', () => {
    assert.deepEqual(parsePing(0, '64 bytes from 10.0.0.3: icmp_seq=1 ttl=64 time=0.071 ms\n', ''), { ok: true, rttMs: 0.071 });
    assert.deepEqual(parsePing(1, '1 packets transmitted, 0 received, 100% packet loss, time 0ms\n', ''), { ok: false, error: 'no reply' });
    assert.deepEqual(parsePing(2, '', 'ping: connect: Network is unreachable\n'), { ok: false, error: 'connect: Network is unreachable' });
  });
  it('formats a matrix with a row per source', () => {
    const text = formatMatrix([
      { from: 'ns1', to: 'ns2', target: '10.0.0.3', kind: 'namespace', ok: true, rttMs: 0.05 },
      { from: 'ns2', to: 'ns1', target: '10.0.0.2', kind: 'namespace', ok: false, error: 'no reply' },
    ]);
    assert.equal(text, 'from \\ to  ns2        ns1\nns1        ok 0.05ms\nns2                   FAIL\n');
  });
});
