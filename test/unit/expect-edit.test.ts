/**
 * Lab tests in the text: where each `expect` entry is, Record's edit (appended one a line, no
 * duplicates, the array made when missing, CRLF kept), the Test Explorer's item ids; and the
 * verdicts and parsers of the measured kinds (latency, rate, service).
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { applyGesture } from '../../src/core/edit/edits.js';
import { appendExpectations, expectMemberSpan, expectSpans, expectationKey, inlineJson, newExpectations, recordEdit } from '../../src/core/edit/expect-edit.js';
import { reachResultsAsProbes } from '../../src/core/diagnose/expect-record.js';
import { latencyVerdict, rateVerdict, serviceVerdict } from '../../src/core/diagnose/expect-verdict.js';
import { expectationName } from '../../src/core/model/expect.js';
import { parseJsonText } from '../../src/core/model/json.js';
import type { Expectation } from '../../src/core/model/model.js';
import { validateText } from '../../src/core/model/validate.js';
import { fpingCountArgv, iperfClientArgv, iperfServerArgv, parseFpingCount, parseIperf } from '../../src/helper/perf-probes.js';

const BASE = `{
  "version": 1,
  "name": "lan",
  "namespaces": [{ "name": "a" }, { "name": "b" }],
  "links": [{ "a": { "node": "a", "name": "e0", "addresses": ["10.0.0.1/24"] }, "b": { "node": "b", "name": "e0", "addresses": ["10.0.0.2/24"] } }]
}
`;
const reach = (from: string, to: string, ok = true): Expectation => ({ kind: 'reach', from, to, ok });

describe('expect in the text', () => {
  it('spans: each entry by its place in the array', () => {
    const text = BASE.replace('\n}\n', ',\n  "expect": [\n    { "kind": "reach", "from": "a", "to": "b", "ok": true },\n    { "kind": "reach", "from": "b", "to": "a", "ok": true }\n  ]\n}\n');
    const spans = expectSpans(parseJsonText(text));
    assert.equal(spans.length, 2);
    assert.equal(text.slice(spans[1]!.offset, spans[1]!.offset + spans[1]!.length), '{ "kind": "reach", "from": "b", "to": "a", "ok": true }');
    assert.deepEqual(expectSpans(parseJsonText(BASE)), []);
    const member = expectMemberSpan(parseJsonText(text))!;
    assert.ok(text.slice(member.offset).startsWith('"expect": ['), 'the member starts at its key');
    assert.equal(expectMemberSpan(parseJsonText(BASE)), undefined);
  });

  it('a key is the content without the title; icmp is the default protocol; addresses are canonical', () => {
    assert.equal(expectationKey({ ...reach('a', 'b'), title: 'x' }), expectationKey(reach('a', 'b')));
    assert.equal(expectationKey({ kind: 'reach', from: 'a', to: 'b', ok: true, proto: 'icmp' }), expectationKey(reach('a', 'b')));
    assert.equal(expectationKey(reach('a', 'fd00::0:1')), expectationKey(reach('a', 'fd00::1')));
    assert.notEqual(expectationKey(reach('a', 'b')), expectationKey(reach('b', 'a')));
  });

  it('new expectations: none the file has, none twice; a pair the file tests the other way round is the person\'s', () => {
    const had = [reach('a', 'b'), reach('b', 'a', false)];
    assert.deepEqual(newExpectations(had, [reach('a', 'b'), reach('b', 'a'), reach('a', '10.0.0.9', false), reach('a', '10.0.0.9', false)]), [reach('a', '10.0.0.9', false)]);
  });

  it('appends to an existing array, one entry a line at its indentation', () => {
    const text = BASE.replace('\n}\n', ',\n  "expect": [\n    { "kind": "reach", "from": "a", "to": "b", "ok": true }\n  ]\n}\n');
    const out = appendExpectations(text, parseJsonText(text), [reach('b', 'a'), reach('b', '10.0.0.9', false)]);
    assert.ok(out.endsWith('"ok": true },\n    { "kind": "reach", "from": "b", "to": "a", "ok": true },\n    { "kind": "reach", "from": "b", "to": "10.0.0.9", "ok": false }\n  ]\n}\n'), out);
    assert.deepEqual(validateText(out).topology?.expect?.length, 3);
  });

  it('makes the array when the file has none, and fills an empty one', () => {
    const out = appendExpectations(BASE, parseJsonText(BASE), [reach('a', 'b')]);
    assert.ok(out.endsWith('"e0", "addresses": ["10.0.0.2/24"] } }],\n  "expect": [\n    { "kind": "reach", "from": "a", "to": "b", "ok": true }\n  ]\n}\n'), out);
    const empty = BASE.replace('\n}\n', ',\n  "expect": []\n}\n');
    const out2 = appendExpectations(empty, parseJsonText(empty), [reach('a', 'b')]);
    assert.ok(out2.endsWith('\n  "expect": [\n    { "kind": "reach", "from": "a", "to": "b", "ok": true }\n  ]\n}\n'), out2);
  });

  it('keeps CRLF line ends', () => {
    const crlf = BASE.replace(/\n/g, '\r\n');
    const out = appendExpectations(crlf, parseJsonText(crlf), [reach('a', 'b'), reach('b', 'a')]);
    assert.equal(out.replace(/\r\n/g, '').includes('\n'), false, 'no bare LF');
    assert.equal(validateText(out).topology?.expect?.length, 2);
  });

  it('the record edit is one replacement that leaves the rest of the text alone; nothing new, no edit', () => {
    const p = parseJsonText(BASE);
    const r = recordEdit(p, [], [reach('a', 'b'), reach('b', 'a')])!;
    assert.equal(r.added.length, 2);
    const out = BASE.slice(0, r.edit.offset) + r.edit.text + BASE.slice(r.edit.offset + r.edit.length);
    assert.equal(validateText(out).topology?.expect?.length, 2);
    assert.ok(r.edit.offset > BASE.indexOf('"links"'), 'the edit starts after the links');
    const again = parseJsonText(out);
    assert.equal(recordEdit(again, validateText(out).topology!.expect!, [reach('a', 'b')]), undefined);
  });

  it('inline JSON: one line, keys in order', () => {
    assert.equal(inlineJson({ kind: 'latency', from: 'a', to: 'b', rttMs: { max: 5 } }), '{ "kind": "latency", "from": "a", "to": "b", "rttMs": {"max":5} }');
  });
});

describe('measured kinds: latency, rate, service', () => {
  const lat: Extract<Expectation, { kind: 'latency' }> = { kind: 'latency', from: 'a', to: 'b', rttMs: { max: 10 } };
  it('latency: the average of the answered echoes against the bound', () => {
    assert.deepEqual(latencyVerdict(lat, [{ target: '10.0.0.2', sent: 5, rttMs: [1, 2, 20] }]), { status: 'passed' }, 'an average of 7.7 ms (one echo of 20 ms)');
    assert.deepEqual(latencyVerdict(lat, [{ target: '10.0.0.2', sent: 5, rttMs: [20, 30] }]),
      { status: 'failed', message: 'a → b exceeds 10 ms: 10.0.0.2: average 25.0 ms (min 20.0, max 30.0, 2/5 answered)' });
    assert.deepEqual(latencyVerdict(lat, [{ target: '10.0.0.2', sent: 5, rttMs: [], error: 'no reply' }]),
      { status: 'failed', message: 'a → b exceeds 10 ms: 10.0.0.2: no reply to 5 echoes (no reply)' });
  });

  it('rate: at least min, at most max; a missing iperf3 skips', () => {
    const e = (mbit: { min?: number; max?: number }): Extract<Expectation, { kind: 'rate' }> => ({ kind: 'rate', from: 'a', to: 'b', mbit });
    assert.deepEqual(rateVerdict(e({ min: 8 }), { mbit: 9.5 }), { status: 'passed' });
    assert.deepEqual(rateVerdict(e({ min: 8 }), { mbit: 5 }), { status: 'failed', message: 'a → b carried 5.00 Mbit/s, expected at least 8 Mbit/s' });
    assert.deepEqual(rateVerdict(e({ max: 2 }), { mbit: 940.25 }), { status: 'failed', message: 'a → b carried 940.3 Mbit/s, expected at most 2 Mbit/s' });
    assert.deepEqual(rateVerdict(e({ min: 1, max: 2 }), { mbit: 1.5 }), { status: 'passed' });
    assert.deepEqual(rateVerdict(e({ min: 8 }), { skip: 'iperf3 is not installed' }), { status: 'skipped', message: 'iperf3 is not installed' });
    assert.deepEqual(rateVerdict(e({ min: 8 }), { error: 'unable to connect' }), { status: 'failed', message: 'iperf3 from a to b failed: unable to connect' });
    assert.equal(expectationName(e({ min: 1, max: 2 })), 'a → b ≥ 1 ≤ 2 Mbit/s');
  });

  it('rate: the model wants min or max', () => {
    const text = BASE.replace('\n}\n', ',\n  "expect": [{ "kind": "rate", "from": "a", "to": "b", "mbit": {} }]\n}\n');
    const d = validateText(text).diagnostics.filter((x) => x.severity === 'error');
    assert.equal(d.length, 1);
    assert.match(d[0]!.message, /mbit needs min or max/);
  });

  it('service: running, else its state; ready also needs its port to accept', () => {
    const e: Extract<Expectation, { kind: 'service' }> = { kind: 'service', in: 'a', name: 'web' };
    assert.deepEqual(serviceVerdict(e, { state: 'running' }), { status: 'passed' });
    assert.deepEqual(serviceVerdict(e, { state: 'exited', code: 1 }), { status: 'failed', message: 'service web in a is exited (exit code 1)' });
    assert.deepEqual(serviceVerdict(e, undefined), { status: 'failed', message: "a has no service 'web' in this topology" });
    assert.deepEqual(serviceVerdict({ ...e, state: 'ready' }, { state: 'running' }, { port: 80, ok: false, error: 'refused' }),
      { status: 'failed', message: 'service web in a runs but port 80 does not accept: refused' });
  });

  it("fping -C: each target's answered echoes, '-' for a lost one, a reason for one never answered", () => {
    const stderr = '10.0.0.2 : 0.05 - 0.07\n10.0.0.3 : - - -\nweb.lab: Name or service not known\n';
    assert.deepEqual(parseFpingCount(['10.0.0.2', '10.0.0.3', 'web.lab'], 3, 1, stderr), [
      { target: '10.0.0.2', sent: 3, rttMs: [0.05, 0.07] },
      { target: '10.0.0.3', sent: 3, rttMs: [], error: 'no reply' },
      { target: 'web.lab', sent: 3, rttMs: [], error: 'Name or service not known' },
    ]);
    assert.deepEqual(fpingCountArgv('/usr/bin/fping', 'a', ['10.0.0.2'], 5), ['ip', 'netns', 'exec', 'a', '/usr/bin/fping', '-C', '5', '-q', '-p', '100', '-t', '1000', '-r', '0', '--', '10.0.0.2']);
  });

  it('iperf3: the receiver\'s rate, or its error; argv bounded in time and bound to the address', () => {
    assert.deepEqual(parseIperf(JSON.stringify({ end: { sum_received: { bits_per_second: 9.6e6 } } })), { mbit: 9.6 });
    assert.deepEqual(parseIperf(JSON.stringify({ error: 'unable to connect to server: Connection refused' })), { error: 'unable to connect to server: Connection refused' });
    assert.deepEqual(parseIperf('garbage'), { error: 'unreadable iperf3 output' });
    assert.deepEqual(iperfServerArgv('/usr/bin/iperf3', 'b', '10.0.0.2'), ['ip', 'netns', 'exec', 'b', '/usr/bin/iperf3', '-s', '-1', '-B', '10.0.0.2', '-p', '5201']);
    assert.deepEqual(iperfClientArgv('/usr/bin/iperf3', 'a', '10.0.0.2', 2), ['ip', 'netns', 'exec', 'a', '/usr/bin/iperf3', '-c', '10.0.0.2', '-p', '5201', '-t', '2', '-J', '--connect-timeout', '1000']);
  });
});

describe('canvas gestures and lab tests', () => {
  const text = BASE.replace('"namespaces": [{ "name": "a" }, { "name": "b" }],', '"namespaces": [\n    { "name": "a" },\n    { "name": "b" }\n  ],')
    .replace('\n}\n', ',\n  "expect": [\n    { "kind": "reach", "from": "a", "to": "b", "ok": true },\n    { "kind": "reach", "from": "b", "to": "10.0.0.1", "ok": false },\n    { "kind": "route", "in": "a", "to": "10.0.0.2" },\n    { "kind": "address", "in": "b", "dev": "e0", "address": "10.0.0.2/24" }\n  ]\n}\n');
  const t = () => validateText(text).topology!;
  it('deleting a namespace deletes the tests that name it (and only those)', () => {
    const out = applyGesture(text, t(), { kind: 'delete', nodes: ['b'], links: [] });
    const v = validateText(out);
    assert.deepEqual(v.diagnostics.filter((d) => d.severity === 'error'), []);
    assert.deepEqual(v.topology!.expect, [{ kind: 'route', in: 'a', to: '10.0.0.2' }], 'a route test names an address, not a node');
  });
  it('renaming a namespace renames it in its tests', () => {
    const out = applyGesture(text, t(), { kind: 'rename', from: 'b', to: 'web' });
    const v = validateText(out);
    assert.deepEqual(v.diagnostics.filter((d) => d.severity === 'error'), []);
    assert.deepEqual(v.topology!.expect!.map((e) => expectationName(e)), ['a → web icmp', 'web ↛ 10.0.0.1 icmp', 'a: route to 10.0.0.2', 'web: e0 has 10.0.0.2/24']);
  });
});

describe('a run painted on the canvas', () => {
  it('each reach that must pass (icmp, towards a namespace or the host) becomes a probe per address; the rest are not paths', () => {
    const text = BASE.replace('\n}\n', ',\n  "expect": [\n    { "kind": "reach", "from": "a", "to": "b", "ok": true },\n    { "kind": "reach", "from": "b", "to": "a", "ok": false },\n    { "kind": "reach", "from": "a", "to": "10.0.0.2", "ok": true },\n    { "kind": "route", "in": "a", "to": "10.0.0.2" }\n  ]\n}\n');
    const t = validateText(text).topology!;
    assert.deepEqual(reachResultsAsProbes(t, [{ index: 0, status: 'failed' }, { index: 1, status: 'passed' }, { index: 2, status: 'passed' }, { index: 3, status: 'passed' }]),
      [{ from: 'a', to: 'b', target: '10.0.0.2', kind: 'namespace', ok: false }]);
    assert.deepEqual(reachResultsAsProbes(t, [{ index: 0, status: 'skipped' }]), [], 'a skipped test paints nothing');
  });
});
