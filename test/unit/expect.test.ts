/**
 * Lab tests (`expect`): the model and its validation (each refusal names the field and the
 * reason), display names, Record (matrix -> expectations), JUnit/JSON rendering, the summary.
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { validateValue } from '../../src/core/model/validate.js';
import { topologyJsonSchema, type Expectation } from '../../src/core/model/model.js';
import { expectationName, resolveTarget, selectExpectations, summaryLine, type TestResult } from '../../src/core/model/expect.js';
import { recordExpectations } from '../../src/core/diagnose/expect-record.js';
import { renderJUnit, renderJson, xmlEscape } from '../../src/core/diagnose/expect-report.js';
import type { ProbeResult } from '../../src/core/diagnose/reach.js';

/** two routers between two LANs: pc1 - r1 - r2 - pc2 */
function routed(expect: unknown[]): Record<string, unknown> {
  return {
    version: 1, name: 'two',
    namespaces: [
      { name: 'pc1', routes: [{ to: 'default', via: '10.1.0.1' }] },
      { name: 'r1', sysctls: { 'net.ipv4.ip_forward': 1 }, routes: [{ to: '10.2.0.0/24', via: '10.9.0.2' }] },
      { name: 'r2', sysctls: { 'net.ipv4.ip_forward': 1 }, routes: [{ to: '10.1.0.0/24', via: '10.9.0.1' }] },
      { name: 'pc2', routes: [{ to: 'default', via: '10.2.0.1' }] },
      { name: 'lonely' },
    ],
    links: [
      { a: { node: 'pc1', name: 'eth0', addresses: ['10.1.0.2/24'] }, b: { node: 'r1', name: 'eth0', addresses: ['10.1.0.1/24'] } },
      { a: { node: 'r1', name: 'eth1', addresses: ['10.9.0.1/30'] }, b: { node: 'r2', name: 'eth1', addresses: ['10.9.0.2/30'] } },
      { a: { node: 'r2', name: 'eth0', addresses: ['10.2.0.1/24'] }, b: { node: 'pc2', name: 'eth0', addresses: ['10.2.0.2/24'] } },
    ],
    expect,
  };
}

function diagnostics(expect: unknown[]) {
  return validateValue(routed(expect)).diagnostics.map((d) => ({ severity: d.severity, code: d.code, path: d.path.join('.'), message: d.message }));
}

describe('expect: the model', () => {
  it('accepts every kind', () => {
    const all = [
      { kind: 'reach', from: 'pc1', to: 'pc2', ok: true },
      { kind: 'reach', from: 'pc1', to: '10.2.0.2', ok: true, proto: 'tcp', port: 80, title: 'web' },
      { kind: 'reach', from: 'pc1', to: 'lonely.example.org', ok: false, proto: 'udp', port: 53 },
      { kind: 'route', in: 'pc1', to: '10.2.0.2', via: '10.1.0.1', dev: 'eth0' },
      { kind: 'route', in: 'host', to: '10.2.0.2' },
      { kind: 'address', in: 'r1', dev: 'eth1', address: '10.9.0.1/30' },
      { kind: 'address', in: 'r1', dev: 'eth1', address: '10.9.0.1' },
      { kind: 'dns', in: 'pc1', name: 'example.org', address: '10.2.0.2' },
      { kind: 'service', in: 'pc2', name: 'web', state: 'ready' },
      { kind: 'http', from: 'pc1', url: 'http://10.2.0.2:8080/health', status: 204, contains: 'ok' },
      { kind: 'latency', from: 'pc1', to: 'pc2', rttMs: { max: 120 } },
      { kind: 'rate', from: 'pc1', to: 'pc2', mbit: { min: 8 } },
    ];
    assert.deepEqual(diagnostics(all), []);
  });

  it('refuses what the schema forbids, naming the field', () => {
    const cases: [unknown, string, string][] = [
      [{ kind: 'reach', from: 'pc1', to: 'pc2' }, 'missing-field', 'expect.0.ok'],
      [{ kind: 'reach', from: 'pc1', to: 'pc2', ok: true, proto: 'sctp', port: 1 }, 'invalid-value', 'expect.0.proto'],
      [{ kind: 'reach', from: 'pc1', to: 'pc2', ok: true, proto: 'tcp', port: 70000 }, 'out-of-range', 'expect.0.port'],
      [{ kind: 'reach', from: 'pc1', to: 'a b', ok: true }, 'invalid-target', 'expect.0.to'],
      [{ kind: 'reach', from: 'pc1', to: 'pc2', ok: true, color: 'red' }, 'unknown-field', 'expect.0.color'],
      [{ kind: 'route', in: 'pc1', to: '10.2.0.0/24' }, 'invalid-ip', 'expect.0.to'],
      [{ kind: 'http', from: 'pc1', url: 'file:///etc/shadow' }, 'invalid-url', 'expect.0.url'],
      [{ kind: 'http', from: 'pc1', url: 'http://user:pw@10.2.0.2/' }, 'invalid-url', 'expect.0.url'],
      [{ kind: 'dns', in: 'pc1', name: 'bad name' }, 'invalid-dns', 'expect.0.name'],
      [{ kind: 'latency', from: 'pc1', to: 'pc2', rttMs: { max: -1 } }, 'out-of-range', 'expect.0.rttMs.max'],
    ];
    for (const [e, code, path] of cases) {
      const d = diagnostics([e]);
      assert.ok(d.some((x) => x.code === code && x.path === path), `${JSON.stringify(e)}: expected ${code} at ${path}, got ${JSON.stringify(d)}`);
    }
  });

  it('an unknown kind is refused at kind, listing the kinds', () => {
    const d = diagnostics([{ kind: 'teleport', from: 'pc1' }]);
    assert.deepEqual(d.map((x) => [x.severity, x.path]), [['error', 'expect.0.kind']]);
    assert.match(d[0]!.message, /'reach' \| 'route'/);
  });

  it('the JSON Schema has the expect array', () => {
    const s = topologyJsonSchema() as { properties: Record<string, { items?: { oneOf?: unknown[]; anyOf?: unknown[] } }> };
    const items = s.properties.expect!.items!;
    assert.equal((items.oneOf ?? items.anyOf)!.length, 8);
  });
});

describe('expect: semantic validation', () => {
  const one = (e: unknown) => diagnostics([e]);
  it('an unknown source or scope namespace', () => {
    assert.deepEqual(one({ kind: 'reach', from: 'pc9', to: 'pc2', ok: true }).map((d) => [d.code, d.path]), [['unknown-namespace', 'expect.0.from']]);
    assert.deepEqual(one({ kind: 'reach', from: 'host', to: 'pc2', ok: true }).map((d) => [d.code, d.path]), [['unknown-namespace', 'expect.0.from']]);
    assert.deepEqual(one({ kind: 'route', in: 'r9', to: '10.2.0.2' }).map((d) => [d.code, d.path]), [['unknown-namespace', 'expect.0.in']]);
    assert.deepEqual(one({ kind: 'http', from: 'nope', url: 'http://x.org/' }).map((d) => [d.code, d.path]), [['unknown-namespace', 'expect.0.from']]);
  });
  it('a port without tcp/udp, tcp/udp without a port', () => {
    assert.deepEqual(one({ kind: 'reach', from: 'pc1', to: 'pc2', ok: true, port: 80 }).map((d) => [d.code, d.path]), [['invalid-value', 'expect.0.port']]);
    assert.deepEqual(one({ kind: 'reach', from: 'pc1', to: 'pc2', ok: true, proto: 'udp' }).map((d) => [d.code, d.path]), [['missing-field', 'expect.0.proto']]);
    assert.deepEqual(one({ kind: 'reach', from: 'pc1', to: 'pc2', ok: true, proto: 'icmp' }), []);
  });
  it('destinations: itself, a namespace without address, a host without address, a bridge, a bare word', () => {
    assert.deepEqual(one({ kind: 'reach', from: 'pc1', to: 'pc1', ok: true }).map((d) => d.code), ['invalid-value']);
    assert.deepEqual(one({ kind: 'reach', from: 'pc1', to: 'lonely', ok: false }).map((d) => [d.code, d.path]), [['no-address', 'expect.0.to']]);
    assert.deepEqual(one({ kind: 'reach', from: 'pc1', to: 'host', ok: false }).map((d) => d.code), ['no-address']);
    const typo = one({ kind: 'reach', from: 'pc1', to: 'pc3', ok: true });
    assert.deepEqual(typo.map((d) => [d.severity, d.code]), [['warning', 'unknown-target']]);
    assert.match(typo[0]!.message, /'pc3' is not a namespace/);
  });
  it('an address on an interface the namespace does not have', () => {
    assert.deepEqual(one({ kind: 'address', in: 'pc1', dev: 'eth9', address: '10.1.0.2' }).map((d) => [d.code, d.path]), [['unknown-interface', 'expect.0.dev']]);
    assert.deepEqual(one({ kind: 'address', in: 'pc1', dev: 'lo', address: '127.0.0.1' }), []);
  });
  it('a service is checked only where the namespace lists services', () => {
    assert.deepEqual(one({ kind: 'service', in: 'pc2', name: 'web' }), []);
    const t = routed([{ kind: 'service', in: 'pc2', name: 'web' }, { kind: 'service', in: 'pc2', name: 'db' }, { kind: 'service', in: 'pc2', name: 'web', state: 'ready' }]);
    ((t.namespaces as Record<string, unknown>[])[3]!).services = [{ name: 'web', command: ['python3', '-m', 'http.server'] }];
    assert.deepEqual(validateValue(t).diagnostics.filter((d) => d.code !== 'root-command').map((d) => [d.severity, d.code, d.path.join('.'), d.message]), [
      ['error', 'unknown-service', 'expect.1.name', "namespace 'pc2' has no service 'db' (it has web)"],
      ['warning', 'no-ready-check', 'expect.2.state', 'service \'web\' has no ready check; "ready" is the same as "running" for it'],
    ]);
  });
  it('two tests with the same name: a warning', () => {
    const d = diagnostics([{ kind: 'reach', from: 'pc1', to: 'pc2', ok: true }, { kind: 'reach', from: 'pc1', to: 'pc2', ok: true }]);
    assert.deepEqual(d.map((x) => [x.severity, x.code, x.path]), [['warning', 'duplicate-test', 'expect.1.kind']]);
  });
});

describe('expect: names, targets, selection, summary', () => {
  const e = (x: Record<string, unknown>) => x as unknown as Expectation;
  it('names each kind from its content', () => {
    assert.equal(expectationName(e({ kind: 'reach', from: 'ns1', to: 'ns2', ok: true })), 'ns1 → ns2 icmp');
    assert.equal(expectationName(e({ kind: 'reach', from: 'ns1', to: '10.2.0.1', ok: false, proto: 'tcp', port: 80 })), 'ns1 ↛ 10.2.0.1 tcp/80');
    assert.equal(expectationName(e({ kind: 'route', in: 'r1', to: '10.2.0.1', via: '10.9.0.2', dev: 'eth1' })), 'r1: route to 10.2.0.1 via 10.9.0.2 dev eth1');
    assert.equal(expectationName(e({ kind: 'address', in: 'r1', dev: 'eth1', address: '10.9.0.1/30' })), 'r1: eth1 has 10.9.0.1/30');
    assert.equal(expectationName(e({ kind: 'dns', in: 'pc1', name: 'a.org', address: '1.2.3.4' })), 'pc1: a.org resolves to 1.2.3.4');
    assert.equal(expectationName(e({ kind: 'service', in: 'pc2', name: 'web' })), 'pc2: service web running');
    assert.equal(expectationName(e({ kind: 'http', from: 'pc1', url: 'http://a/' })), 'pc1: GET http://a/ → 200');
    assert.equal(expectationName(e({ kind: 'latency', from: 'a', to: 'b', rttMs: { max: 120 } })), 'a → b rtt ≤ 120 ms');
    assert.equal(expectationName(e({ kind: 'rate', from: 'a', to: 'b', mbit: { min: 8 } })), 'a → b ≥ 8 Mbit/s');
    assert.equal(expectationName(e({ kind: 'reach', from: 'a', to: 'b', ok: true, title: 'guest cannot reach office' })), 'guest cannot reach office');
  });
  it('resolves destinations', () => {
    const t = validateValue(routed([])).topology!;
    assert.deepEqual(resolveTarget(t, 'r1'), { kind: 'namespace', targets: ['10.1.0.1', '10.9.0.1'] });
    assert.deepEqual(resolveTarget(t, 'host'), { kind: 'host', targets: [] });
    assert.deepEqual(resolveTarget(t, '10.2.0.2'), { kind: 'address', targets: ['10.2.0.2'] });
    assert.deepEqual(resolveTarget(t, 'fd00:0::1'), { kind: 'address', targets: ['fd00::1'] });
    assert.deepEqual(resolveTarget(t, 'web.example.org'), { kind: 'name', targets: ['web.example.org'] });
  });
  it('selects by a case-insensitive part of the name', () => {
    const list = [e({ kind: 'reach', from: 'pc1', to: 'pc2', ok: true }), e({ kind: 'route', in: 'r1', to: '10.2.0.1' }), e({ kind: 'reach', from: 'PC2', to: 'pc1', ok: true })];
    assert.deepEqual(selectExpectations(list, 'pc2'), [0, 2]);
    assert.deepEqual(selectExpectations(list, 'ROUTE'), [1]);
    assert.deepEqual(selectExpectations(list), [0, 1, 2]);
  });
  it('the summary line', () => {
    assert.equal(summaryLine([{ status: 'passed' }, { status: 'failed' }, { status: 'passed' }]), '2 passed, 1 failed');
    assert.equal(summaryLine([{ status: 'skipped' }]), '0 passed, 0 failed, 1 skipped');
    assert.equal(summaryLine([]), '0 passed, 0 failed');
  });
});

describe('expect: Record (matrix -> expectations)', () => {
  const p = (from: string, to: string, target: string, ok: boolean, kind: ProbeResult['kind'] = 'namespace'): ProbeResult => ({ from, to, target, kind, ok });
  it('all-ok pairs, all-failing pairs, partial pairs per address; gateways and outside by address', () => {
    const r = recordExpectations([
      p('a', 'b', '10.0.0.2', true), p('a', 'b', '10.1.0.2', true),
      p('a', 'c', '10.0.0.3', false), p('a', 'c', '10.1.0.3', false),
      p('b', 'c', '10.0.0.3', true), p('b', 'c', '10.1.0.3', false),
      p('a', 'host', '10.0.0.1', true, 'host'),
      p('a', 'gateway', '10.0.0.254', false, 'gateway'),
      p('a', 'example.org', 'example.org', true, 'outside'),
    ]);
    assert.deepEqual(r, [
      { kind: 'reach', from: 'a', to: 'b', ok: true },
      { kind: 'reach', from: 'a', to: 'c', ok: false },
      { kind: 'reach', from: 'b', to: '10.0.0.3', ok: true },
      { kind: 'reach', from: 'b', to: '10.1.0.3', ok: false },
      { kind: 'reach', from: 'a', to: 'host', ok: true },
      { kind: 'reach', from: 'a', to: '10.0.0.254', ok: false },
      { kind: 'reach', from: 'a', to: 'example.org', ok: true },
    ]);
  });
  it('what it records validates in the topology it came from', () => {
    const rec = recordExpectations([p('pc1', 'pc2', '10.2.0.2', true), p('pc1', 'r1', '10.1.0.1', true), p('pc1', 'r1', '10.9.0.1', false)]);
    assert.deepEqual(diagnostics(rec), []);
  });
});

describe('expect: JUnit and JSON', () => {
  const results: TestResult[] = [
    { index: 0, name: 'pc1 → pc2 icmp', kind: 'reach', status: 'passed', durationMs: 12 },
    { index: 1, name: 'a <b> & "c" \'d\'', kind: 'reach', status: 'failed', durationMs: 1500, message: 'no reply from 10.2.0.2 <timeout>\nline2 \u0001' },
    { index: 2, name: 'pc1 → pc2 ≥ 8 Mbit/s', kind: 'rate', status: 'skipped', durationMs: 0, message: 'rate is not run yet' },
  ];
  /** a tiny XML reader: elements with attributes (unescaped), enough to read JUnit back */
  function parseXml(xml: string): { name: string; attrs: Record<string, string>; text: string }[] {
    assert.doesNotMatch(xml.replace(/<\?xml[^?]*\?>/, ''), /&(?!(amp|lt|gt|quot|apos|#\d+);)/, 'every & starts an entity');
    const unescape = (s: string) => s.replace(/&#(\d+);/g, (_, n: string) => String.fromCharCode(Number(n)))
      .replace(/&lt;/g, '<').replace(/&gt;/g, '>').replace(/&quot;/g, '"').replace(/&apos;/g, "'").replace(/&amp;/g, '&');
    const out: { name: string; attrs: Record<string, string>; text: string }[] = [];
    const re = /<([a-z]+)((?:\s+[a-z]+="[^"<]*")*)\s*(\/>|>([^<]*))/g;
    for (let m; (m = re.exec(xml));) {
      const attrs: Record<string, string> = {};
      for (const a of m[2]!.matchAll(/([a-z]+)="([^"]*)"/g)) attrs[a[1]!] = unescape(a[2]!);
      out.push({ name: m[1]!, attrs, text: unescape(m[4] ?? '') });
    }
    // balanced: every opened element that is not self-closing is closed
    const opened = [...xml.matchAll(/<([a-z]+)[^>]*[^/]>/g)].map((m) => m[1]).filter((n) => n !== 'xml');
    const closed = [...xml.matchAll(/<\/([a-z]+)>/g)].map((m) => m[1]);
    assert.deepEqual([...opened].sort(), [...closed].sort());
    return out;
  }
  it('renders counts and escapes names and messages (parsed back)', () => {
    const xml = renderJUnit('two', results, 2345, 'two.netns.json');
    const els = parseXml(xml);
    const suite = els.find((e) => e.name === 'testsuite')!;
    assert.deepEqual([suite.attrs.tests, suite.attrs.failures, suite.attrs.skipped, suite.attrs.time, suite.attrs.name], ['3', '1', '1', '2.345', 'two']);
    const cases = els.filter((e) => e.name === 'testcase');
    assert.deepEqual(cases.map((c) => c.attrs.name), ['pc1 → pc2 icmp', 'a <b> & "c" \'d\'', 'pc1 → pc2 ≥ 8 Mbit/s']);
    const failure = els.find((e) => e.name === 'failure')!;
    assert.equal(failure.attrs.message, 'no reply from 10.2.0.2 <timeout>\nline2 ');
    assert.equal(failure.text, 'no reply from 10.2.0.2 <timeout>\nline2 ');
    assert.equal(els.filter((e) => e.name === 'skipped').length, 1);
  });
  it('escapes every XML special character', () => {
    assert.equal(xmlEscape('<a href="x">&\'</a>'), '&lt;a href=&quot;x&quot;&gt;&amp;&apos;&lt;/a&gt;');
  });
  it('JSON: the results and the summary', () => {
    const j = JSON.parse(renderJson('two', results, 2345)) as { summary: Record<string, unknown>; results: unknown[] };
    assert.deepEqual(j.summary, { passed: 1, failed: 1, skipped: 1, line: '1 passed, 1 failed, 1 skipped' });
    assert.equal(j.results.length, 3);
  });
});
