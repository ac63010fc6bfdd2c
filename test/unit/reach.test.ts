import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { formatMatrix, matrixAxes, parsePing, probes, validProbe } from '../../src/core/diagnose/reach.js';
import { matrixHtml } from '../../src/extension/matrix-html.js';
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
    // columns in the rows' order: the empty self cells make the diagonal
    assert.equal(text, 'from \\ to  ns1   ns2\nns1              ok 0.05ms\nns2        FAIL\n');
  });
});

describe('matrix axes (issue 15 item 6: columns in the rows\' order)', () => {
  const all = (t: ReturnType<typeof routed>, outside: string[] = []) => probes(t, outside).map((p) => ({ ...p, ok: true, rttMs: 0.1 }));
  it('the namespaces come first in the rows\' order, then the host, the gateways and the outside probes', () => {
    const t = routed();
    t.namespaces!.find((n) => n.name === 'a1')!.internet = true;
    const results = all(t, ['192.0.2.9']);
    // the probes' own order puts the first row's destinations first: the columns must not follow it
    assert.notDeepEqual([...new Set(results.map((r) => r.to))].slice(0, 4), [...new Set(results.map((r) => r.from))]);
    const { rows, cols } = matrixAxes(results);
    assert.deepEqual(cols.slice(0, rows.length), rows, 'the diagonal is the diagonal');
    const rest = cols.slice(rows.length);
    const kinds = rest.map((c) => results.find((r) => r.to === c)!.kind);
    assert.deepEqual(kinds, [...kinds].sort((a, b) => ['namespace', 'host', 'gateway', 'outside'].indexOf(a) - ['namespace', 'host', 'gateway', 'outside'].indexOf(b)));
    assert.equal(rest.at(-1), '192.0.2.9');
    assert.equal(new Set(cols).size, new Set(results.map((r) => r.to)).size, 'every destination once');
  });
  it('the text and the page put each row\'s self cell on the diagonal', () => {
    const results = all(routed());
    const { rows } = matrixAxes(results);
    const lines = formatMatrix(results).split('\n');
    const header = lines[0]!.split(/\s{2,}/);
    assert.deepEqual(header.slice(1, rows.length + 1), rows);
    const html = matrixHtml('m', results, 'n', 1);
    const trs = [...html.matchAll(/<tr><th scope="row">([^<]*)<\/th>([\s\S]*?)<\/tr>/g)];
    assert.equal(trs.length, rows.length);
    trs.forEach((m, i) => {
      const cells = [...m[2]!.matchAll(/<td class="([a-z]+)"/g)].map((c) => c[1]);
      assert.equal(cells.indexOf('self'), i, `row ${m[1]}: the self cell is column ${i}`);
    });
  });
});
