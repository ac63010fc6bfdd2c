/** Link impairments: the model's refusals, the plan (add / change one value / remove), render, observe, edits. */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { applyGesture, minimalEdit } from '../../src/core/edit/edits.js';
import { importLive } from '../../src/core/import/importer.js';
import { effectiveImpair, impairDetail, impairSummary, parseQdiscs, qdiscKind, sameImpair, tbfBurst } from '../../src/core/model/impair.js';
import type { Impair, Topology } from '../../src/core/model/model.js';
import { attachQdiscs, parseJsonStream, parseLinks, shapedScopes, type LiveState } from '../../src/core/observe/observe.js';
import { plan, type Plan } from '../../src/core/plan/plan.js';
import { renderCommands, renderScript, summarize } from '../../src/core/plan/render.js';
import { Phase, Step, touchedScopes } from '../../src/core/plan/steps.js';
import { validateText, validateValue } from '../../src/core/model/validate.js';
import { qdiscHint } from '../../src/helper/execute.js';
import { readShaping } from '../../src/helper/observe.js';
import type { Runner } from '../../src/helper/runner.js';
import { SETTABLE } from '../../src/shared/protocol.js';
import { checkImpairField } from '../../webview/fields.js';
import { buildElements, fitEndLabels, fitLinkLabels, impairLabel, readTopology } from '../../webview/model.js';
import { article, articleLive, fixture } from '../support/fixtures.js';
import { isReadCall } from '../support/reads.js';

/** the article with impairments on ns1's end (veth1) and/or the bridge port veth2-br */
function withImpair(a?: Impair, port?: Impair): Topology {
  const t = article();
  if (a) t.links![0]!.a.impair = a;
  if (port) t.links![1]!.b.impair = port;
  return t;
}
/** the applied article with live qdiscs on veth1 (in ns1) and veth2-br (host) */
function liveWith(v1?: { kind: string; impair: Impair }, port?: { kind: string; impair: Impair }): LiveState {
  const l = articleLive();
  const set = (links: LiveState['host']['links'], name: string, q?: { kind: string; impair: Impair }) => {
    const x = links.find((k) => k.name === name)!;
    x.qdisc = q?.kind ?? 'noqueue';
    if (q) x.shaping = q;
  };
  set(l.namespaces.find((n) => n.name === 'ns1')!.links, 'veth1', v1);
  set(l.host.links, 'veth2-br', port);
  return l;
}
const cmds = (p: Plan) => p.steps.flatMap((s) => renderCommands(s.step) ?? []);

describe('impair: the model', () => {
  const file = (impair: unknown) => JSON.stringify({
    version: 1, name: 't', namespaces: [{ name: 'a' }, { name: 'b' }],
    links: [{ a: { node: 'a', name: 'e0', addresses: ['10.1.0.1/30'], impair }, b: { node: 'b', name: 'e0', addresses: ['10.1.0.2/30'] } }],
  });
  const diag = (impair: unknown) => validateText(file(impair)).diagnostics.map((d) => `${d.severity} ${d.code} ${d.path.join('.')}: ${d.message}`);

  it('accepts every field with its unit, on a namespace end, a host end and a bridge port', () => {
    assert.deepEqual(diag({ delay: 100, jitter: 10, loss: 1, corrupt: 0.1, duplicate: 1, rate: 10000 }), []);
    assert.equal(validateValue(withImpair({ rate: 1000 }, { delay: 5 })).ok, true);
  });

  it('refuses out-of-range values with a message naming the field, its unit and the range', () => {
    assert.deepEqual(diag({ loss: 150 }), ['error out-of-range links.0.a.impair.loss: loss must be at most 100% (got 150)']);
    assert.deepEqual(diag({ corrupt: -1 }), ['error out-of-range links.0.a.impair.corrupt: corrupt must be at least 0% (got -1)']);
    assert.deepEqual(diag({ duplicate: 101 }), ['error out-of-range links.0.a.impair.duplicate: duplicate must be at most 100% (got 101)']);
    assert.deepEqual(diag({ delay: 60001 }), ['error out-of-range links.0.a.impair.delay: delay must be at most 60000 ms (got 60001)']);
    assert.deepEqual(diag({ delay: 10, jitter: -2 }), ['error out-of-range links.0.a.impair.jitter: jitter must be at least 0 ms (got -2)']);
    assert.deepEqual(diag({ rate: 7 }), ['error out-of-range links.0.a.impair.rate: rate must be at least 8 kbit/s (got 7)']);
    assert.deepEqual(diag({ rate: 1e9 }), ['error out-of-range links.0.a.impair.rate: rate must be at most 100000000 kbit/s (100 Gbit/s) (got 1000000000)']);
    assert.deepEqual(diag({ rate: 8.5 }), ['error invalid-value links.0.a.impair.rate: rate is a whole number of kbit/s (got 8.5)']);
    assert.deepEqual(diag({ delay: 0.0004 }), ['error invalid-value links.0.a.impair.delay: delay has more precision than a microsecond (got 0.0004 ms)']);
    assert.deepEqual(diag({ loss: 0.0000001 }), ['error invalid-value links.0.a.impair.loss: loss has more than 6 decimals (got 1e-7 %)']);
    assert.deepEqual(diag({ loss: 0.000001 }), []);
    assert.deepEqual(diag({ delay: '100ms' }), ['error invalid-type links.0.a.impair.delay: expected number, got string']);
    assert.deepEqual(diag({ latency: 5 }), ["error unknown-field links.0.a.impair.latency: unknown field 'latency'"]);
  });

  it('cross-field rules: jitter needs a delay; more jitter than delay is a warning; an empty impair is a warning', () => {
    assert.deepEqual(diag({ jitter: 5 }), ["error jitter-needs-delay links.0.a.impair.jitter: jitter (5 ms) varies the delay, but 'e0' has no delay; set impair.delay (ms) as well"]);
    assert.match(diag({ delay: 5, jitter: 10 })[0]!, /^warning jitter-exceeds-delay links\.0\.a\.impair\.jitter: /);
    assert.match(diag({})[0]!, /^warning empty-impair links\.0\.a\.impair: /);
    assert.match(diag({ loss: 0 })[0]!, /^warning empty-impair/);
  });

  it('which qdisc: netem for any of delay/jitter/loss/corrupt/duplicate, tbf for a rate alone; 0 means none', () => {
    assert.equal(qdiscKind({ rate: 1000 }), 'tbf');
    assert.equal(qdiscKind({ loss: 1, rate: 1000 }), 'netem');
    assert.deepEqual(effectiveImpair({ delay: 0, loss: 0, rate: 1000 }), { rate: 1000 });
    assert.equal(effectiveImpair({ delay: 0 }), undefined);
    assert.equal(tbfBurst(8, undefined), 1600, 'a frame at least');
    assert.equal(tbfBurst(10_000, 1500), 12_500, '10 ms worth of 10 Mbit/s');
    assert.equal(tbfBurst(100, 9000), 9014, 'a jumbo frame fits');
  });

  it('summary for the link label and detail for the tooltip', () => {
    assert.equal(impairSummary({ delay: 100, jitter: 10, loss: 1, rate: 10000 }), '100ms ±10ms · 1% loss · 10 Mbit/s');
    assert.equal(impairSummary({ corrupt: 0.1, duplicate: 2, rate: 512 }), '0.1% corrupt · 2% dup · 512 kbit/s');
    assert.equal(impairSummary({ rate: 2_500_000 }), '2.5 Gbit/s');
    assert.equal(impairSummary(undefined), '');
    assert.equal(impairDetail({ delay: 100, jitter: 10, rate: 1500 }), 'delay 100 ms ± 10 ms, rate 1500 kbit/s (1.5 Mbit/s)');
  });
});

describe('impair: plan', () => {
  it('a new impairment: exactly one qdisc-set per end, in the last phase, after the links are up', () => {
    const p = plan(withImpair({ delay: 100, jitter: 10, loss: 1 }, { rate: 10000 }), liveWith());
    assert.deepEqual(p.errors, []);
    assert.deepEqual(p.steps.map((s) => [s.phase, s.step]), [
      [Phase.Shape, { op: 'qdisc-set', ns: null, dev: 'veth2-br', impair: { rate: 10000 }, burst: 12500 }],
      [Phase.Shape, { op: 'qdisc-set', ns: 'ns1', dev: 'veth1', impair: { delay: 100, jitter: 10, loss: 1 } }],
    ]);
    assert.deepEqual(cmds(p), [
      ['tc', 'qdisc', 'replace', 'dev', 'veth2-br', 'root', 'tbf', 'rate', '10000kbit', 'burst', '12500', 'latency', '50ms'],
      ['tc', '-n', 'ns1', 'qdisc', 'replace', 'dev', 'veth1', 'root', 'netem', 'delay', '100ms', '10ms', 'loss', '1%'],
    ]);
    const v1 = p.objects.find((o) => o.name === 'veth1')!;
    assert.equal(v1.state, 'drifted');
    assert.equal(v1.detail, 'add impairment delay 100 ms ± 10 ms, loss 1 %');
  });

  it('from scratch the qdiscs come after every link is up', () => {
    const l = articleLive();
    const p = plan(withImpair({ rate: 1000 }), { ...l, host: { ...l.host, links: l.host.links.filter((x) => x.kind === 'device' || x.kind === 'loopback') }, namespaces: [] });
    const ops = p.steps.map((s) => s.step.op);
    const first = ops.indexOf('qdisc-set');
    assert.equal(ops.filter((o) => o === 'qdisc-set').length, 1);
    assert.ok(p.steps.slice(0, first).some((s) => s.step.op === 'link-set' && s.step.name === 'veth1' && s.step.up));
    assert.equal(first, ops.length - 1);
  });

  it('unchanged (tc read back in the model units): no step, in sync', () => {
    const p = plan(withImpair({ delay: 100, jitter: 10, loss: 1 }, { rate: 10000 }),
      liveWith({ kind: 'netem', impair: { delay: 100, jitter: 10, loss: 1.0000000233 } }, { kind: 'tbf', impair: { rate: 10000 } }));
    assert.deepEqual(p.steps, []);
    assert.ok(p.objects.filter((o) => o.kind === 'veth').every((o) => o.state === 'in-sync'));
  });

  it('an MTU raised on a rate-limited end also replaces its tbf (the bucket holds one frame)', () => {
    const t = withImpair(undefined, { rate: 1000 });
    t.links![1]!.b.mtu = 9000;
    const p = plan(t, liveWith(undefined, { kind: 'tbf', impair: { rate: 1000 } }));
    const q = p.steps.filter((s) => s.step.op === 'qdisc-set').map((s) => s.step);
    assert.deepEqual(q, [{ op: 'qdisc-set', ns: null, dev: 'veth2-br', impair: { rate: 1000 }, burst: 9014 }]);
    // a rate whose 10 ms already exceed a 9000-byte frame keeps its bucket
    const fast = withImpair(undefined, { rate: 10000 });
    fast.links![1]!.b.mtu = 9000;
    assert.deepEqual(plan(fast, liveWith(undefined, { kind: 'tbf', impair: { rate: 10000 } })).steps.filter((s) => s.step.op === 'qdisc-set'), []);
    // the same MTU as live: nothing to redo
    const same = withImpair(undefined, { rate: 10000 });
    same.links![1]!.b.mtu = 1500;
    assert.deepEqual(plan(same, liveWith(undefined, { kind: 'tbf', impair: { rate: 10000 } })).steps.filter((s) => s.step.op === 'qdisc-set'), []);
  });

  it('one value changed: exactly one replace, for that interface only', () => {
    const p = plan(withImpair({ delay: 100, jitter: 10, loss: 2 }, { rate: 10000 }),
      liveWith({ kind: 'netem', impair: { delay: 100, jitter: 10, loss: 1 } }, { kind: 'tbf', impair: { rate: 10000 } }));
    assert.deepEqual(p.steps.map((s) => s.step), [{ op: 'qdisc-set', ns: 'ns1', dev: 'veth1', impair: { delay: 100, jitter: 10, loss: 2 } }]);
    assert.equal(p.steps[0]!.summary, 'tc -n ns1 qdisc replace dev veth1 root netem delay 100ms 10ms loss 2%');
    assert.equal(p.objects.find((o) => o.name === 'veth1')!.detail, 'impairment delay 100 ms ± 10 ms, loss 1 % -> delay 100 ms ± 10 ms, loss 2 %');
  });

  it('a rate alone that gains a delay moves from tbf to netem (one replace)', () => {
    const p = plan(withImpair(undefined, { rate: 10000, delay: 5 }), liveWith(undefined, { kind: 'tbf', impair: { rate: 10000 } }));
    assert.deepEqual(cmds(p), [['tc', 'qdisc', 'replace', 'dev', 'veth2-br', 'root', 'netem', 'delay', '5ms', 'rate', '10000kbit']]);
  });

  it('removed from the file: one delete on the owned link', () => {
    const p = plan(article(), liveWith({ kind: 'netem', impair: { delay: 100 } }));
    assert.deepEqual(cmds(p), [['tc', '-n', 'ns1', 'qdisc', 'del', 'dev', 'veth1', 'root']]);
    assert.equal(p.steps[0]!.phase, Phase.Shape);
  });

  it('a netem/tbf root whose parameters were not read is replaced, never assumed equal', () => {
    const l = liveWith();
    l.namespaces.find((n) => n.name === 'ns1')!.links.find((x) => x.name === 'veth1')!.qdisc = 'tbf';
    assert.equal(plan(withImpair({ rate: 1000 }), l).steps.length, 1);
  });

  it('leaves qdiscs of links it does not own, and other qdisc kinds, alone', () => {
    const l = liveWith();
    l.host.links.find((x) => x.name === 'uplink0')!.qdisc = 'netem';
    l.namespaces.find((n) => n.name === 'ns1')!.links.find((x) => x.name === 'veth1')!.qdisc = 'fq_codel';
    assert.deepEqual(plan(article(), l).steps, []);
  });

  it('a link that is deleted takes its qdisc along: no qdisc step', () => {
    const t = article();
    t.links!.pop();
    const p = plan(t, liveWith(undefined, { kind: 'tbf', impair: { rate: 1000 } }));
    assert.equal(p.steps.some((s) => s.step.op.startsWith('qdisc')), false);
  });
});

describe('impair: render', () => {
  it('the steps are valid typed steps and refuse unsafe values', () => {
    assert.equal(Step.safeParse({ op: 'qdisc-set', ns: 'ns1', dev: 'veth1', impair: { loss: 200 } }).success, false);
    assert.equal(Step.safeParse({ op: 'qdisc-set', ns: 'ns1', dev: '-veth', impair: { loss: 2 } }).success, false);
    assert.equal(Step.safeParse({ op: 'qdisc-del', ns: 'ns1', dev: 'veth1' }).success, true);
  });

  it('the script enters a namespace the article way: ip netns exec NS tc ...', () => {
    const p = plan(withImpair({ delay: 100, jitter: 10, loss: 1, corrupt: 0.1, duplicate: 1, rate: 1000 }, { rate: 10000 }), liveWith());
    const s = renderScript(p.steps, 'test');
    assert.match(s, /\n# Link impairments \(tc qdiscs: netem for delay\/loss\/\.\.\., tbf for a rate alone\)\n/);
    assert.match(s, /\ntc qdisc replace dev veth2-br root tbf rate 10000kbit burst 12500 latency 50ms\n/);
    assert.match(s, /\nip netns exec ns1 tc qdisc replace dev veth1 root netem delay 100ms 10ms loss 1% corrupt 0\.1% duplicate 1% rate 1000kbit\n/);
    const del = renderScript(plan(article(), liveWith({ kind: 'netem', impair: { delay: 1 } })).steps, 'x');
    assert.match(del, /\nip netns exec ns1 tc qdisc del dev veth1 root\n/);
  });

  it('a verify after apply re-reads the namespace of a qdisc step', () => {
    assert.deepEqual(touchedScopes({ op: 'qdisc-set', ns: 'ns1', dev: 'veth1', impair: { rate: 8 } }, () => undefined), ['ns1']);
    assert.deepEqual(touchedScopes({ op: 'qdisc-del', ns: null, dev: 'veth1-br' }, () => undefined), [null]);
  });

  it('summaries name the tc command', () => {
    assert.equal(summarize({ op: 'qdisc-del', ns: null, dev: 'veth2-br' }), 'tc qdisc del dev veth2-br root');
  });

  it('a refused netem says what is missing and what to do', () => {
    const h = qdiscHint({ op: 'qdisc-set', ns: 'ns1', dev: 'veth1', impair: { delay: 100 } }, 'Error: Specified qdisc kind is unknown.');
    assert.match(h, /interface 'veth1' in namespace 'ns1'/);
    assert.match(h, /sch_netem/);
    assert.match(h, /modprobe sch_netem/);
    assert.equal(qdiscHint({ op: 'qdisc-set', ns: 'ns1', dev: 'veth1', impair: { delay: 100 } }, 'RTNETLINK answers: Invalid argument'), '');
    assert.match(qdiscHint({ op: 'qdisc-set', ns: null, dev: 'p', impair: { rate: 100 } }, 'Error: Specified qdisc kind is unknown.'), /sch_tbf/);
  });
});

describe('impair: observe', () => {
  it('ip -j -d link names each link\'s root qdisc (real capture)', () => {
    const links = parseLinks(parseJsonStream(fixture('live/impair/ns1.ip.txt'))[0]);
    assert.deepEqual(links.map((l) => [l.name, l.qdisc]), [['lo', 'noop'], ['v2', 'tbf'], ['v4', 'tbf']]);
  });

  it('parses tbf from real `tc -j qdisc show` output into kbit/s', () => {
    const q = parseQdiscs(parseJsonStream(fixture('live/impair/ns1.tc.json'))[0]);
    assert.deepEqual([...q], [['v2', { kind: 'tbf', impair: { rate: 10000 } }], ['v4', { kind: 'tbf', impair: { rate: 8 } }]]);
    const h = parseQdiscs(parseJsonStream(fixture('live/impair/host.tc.json'))[0]);
    assert.deepEqual(h.get('v1'), { kind: 'tbf', impair: { rate: 100_000_000 } }, 'a 64-bit rate');
    assert.deepEqual(h.get('lo'), { kind: 'noqueue', impair: {} });
  });

  it('with `dev X` tc omits "dev": the caller names it', () => {
    const q = parseQdiscs([{ kind: 'tbf', handle: '8002:', root: true, refcnt: 3, options: { rate: 125000, burst: 4096, lat: 50000 } }], 'v1');
    assert.deepEqual(q.get('v1'), { kind: 'tbf', impair: { rate: 1000 } });
  });

  it('parses netem (seconds and fractions, as iproute2 6.1 q_netem.c prints JSON) into ms and percent', () => {
    // not captured: this machine's kernel has no sch_netem. Built from netem_print_opt (print_float of
    // tick2time/1e6 for times, value/UINT32_MAX for percentages, tc_print_rate in bytes/s).
    const json = [{
      kind: 'netem', handle: '8001:', dev: 'veth1', root: true, refcnt: 2,
      options: {
        limit: 1000, delay: { delay: 0.1, jitter: 0.01, correlation: 0 }, 'loss-random': { loss: 0.010000000232830644, correlation: 0 },
        duplicate: { duplicate: 0.010000000232830644, correlation: 0 }, corrupt: { corrupt: 0.000999999977648258, correlation: 0 },
        rate: { rate: 125000, packetoverhead: 0, cellsize: 0, celloverhead: 0 }, ecn: false, gap: 0,
      },
    }];
    const q = parseQdiscs(json).get('veth1')!;
    assert.deepEqual(q, { kind: 'netem', impair: { delay: 100, jitter: 10, loss: 1, duplicate: 1, corrupt: 0.1, rate: 1000 } });
    assert.ok(sameImpair({ delay: 100, jitter: 10, loss: 1, duplicate: 1, corrupt: 0.1, rate: 1000 }, q));
    assert.ok(!sameImpair({ delay: 100, jitter: 10, loss: 1, duplicate: 1, corrupt: 0.1 }, q), 'a rate more than the file says');
    assert.ok(!sameImpair({ rate: 1000 }, q), 'kind differs');
  });

  it('tc is read only where ip named a netem/tbf root, and its parameters land on the links', () => {
    const l = articleLive();
    assert.deepEqual(shapedScopes(l), []);
    const ns1 = l.namespaces.find((n) => n.name === 'ns1')!;
    ns1.links.find((x) => x.name === 'veth1')!.qdisc = 'tbf';
    assert.deepEqual(shapedScopes(l), ['ns1']);
    attachQdiscs(l, 'ns1', parseJsonStream('[{"kind":"tbf","handle":"8003:","dev":"veth1","root":true,"refcnt":3,"options":{"rate":1000,"burst":1600,"lat":50000}}]\n')[0]);
    assert.deepEqual(ns1.links.find((x) => x.name === 'veth1')!.shaping, { kind: 'tbf', impair: { rate: 8 } });
    assert.deepEqual(plan(withImpair({ rate: 8 }), l).steps, []);
  });
});

describe('impair: canvas edits', () => {
  const TEXT = JSON.stringify(withImpair(), null, 2);
  const T = () => validateText(TEXT).topology!;
  const target = { type: 'link' as const, index: 0, side: 'a' as const };

  it('impair is a field the panel may set on a link end', () => {
    assert.ok(SETTABLE.link.includes('impair'));
  });

  it('adding an impairment inserts one object; the file stays valid', () => {
    const out = applyGesture(TEXT, T(), { kind: 'set', target, field: 'impair', value: { delay: 100, loss: 1 } });
    assert.deepEqual((JSON.parse(out) as Topology).links![0]!.a.impair, { delay: 100, loss: 1 });
    assert.equal(minimalEdit(TEXT, out)!.length, 0, 'a pure insertion');
    assert.equal(validateText(out).ok, true);
  });

  it('changing one value of an impairment changes only that value', () => {
    const one = applyGesture(TEXT, T(), { kind: 'set', target, field: 'impair', value: { delay: 100, loss: 1 } });
    const two = applyGesture(one, validateText(one).topology!, { kind: 'set', target, field: 'impair', value: { delay: 150, loss: 1 } });
    const e = minimalEdit(one, two)!;
    const at = one.indexOf('"delay": 100') + '"delay": '.length;
    assert.ok(e.offset >= at && e.offset + e.length <= at + 3, `the edit stays inside the old value: ${JSON.stringify(e)}`);
    assert.equal(two, one.replace('"delay": 100', '"delay": 150'));
    const three = applyGesture(two, validateText(two).topology!, { kind: 'set', target, field: 'impair', value: { delay: 150, loss: null } });
    assert.deepEqual((JSON.parse(three) as Topology).links![0]!.a.impair, { delay: 150 });
  });

  it('clearing every value removes the impairment, back to the original text', () => {
    const one = applyGesture(TEXT, T(), { kind: 'set', target, field: 'impair', value: { rate: 1000 } });
    assert.equal(applyGesture(one, validateText(one).topology!, { kind: 'set', target, field: 'impair', value: { rate: null } }), TEXT);
    assert.equal(applyGesture(one, validateText(one).topology!, { kind: 'set', target, field: 'impair', value: null }), TEXT);
  });
});

describe('impair: the canvas (label, tooltip, panel checks)', () => {
  const view = (a?: Impair, b?: Impair) => readTopology(withImpair(a, b));

  it('the link label is the short summary; both ends are named when they differ; hidden with labels off', () => {
    const v = view({ delay: 100, jitter: 10, loss: 1, rate: 10000 });
    assert.equal(impairLabel(v.links[0]!, 'all'), '100ms ±10ms · 1% loss · 10 Mbit/s');
    assert.equal(impairLabel(v.links[0]!, 'names'), '100ms ±10ms · 1% loss · 10 Mbit/s');
    assert.equal(impairLabel(v.links[0]!, 'none'), '');
    assert.equal(impairLabel(v.links[1]!, 'all'), '', 'no impairment, no label');
    const t = withImpair({ rate: 1000 });
    t.links![0]!.b.impair = { delay: 5 };
    assert.equal(impairLabel(readTopology(t).links[0]!, 'all'), 'veth1: 1 Mbit/s\nveth1-br: 5ms');
  });

  it('the edge carries the label, the tooltip every value with its unit, and the class "impaired"', () => {
    const { elements } = buildElements(view({ loss: 1 }, { rate: 512 }), [], 'all');
    const edges = elements.filter((e) => String(e.classes ?? '').includes('link'));
    assert.equal(edges[0]!.data.label, '1% loss');
    assert.match(String(edges[0]!.data.tooltip), /\nns1:veth1 sends with loss 1 %$/);
    assert.match(String(edges[1]!.data.tooltip), /br0:veth2-br sends with rate 512 kbit\/s \(512 kbit\/s\)/);
    assert.ok(edges.every((e) => String(e.classes).includes('impaired')));
    const plain = buildElements(view(), [], 'all').elements.filter((e) => String(e.classes ?? '').includes('link'));
    assert.ok(plain.every((e) => !String(e.classes).includes('impaired') && e.data.label === ''));
  });

  it('a value the schema refuses never reaches the view as something else', () => {
    const t = withImpair() as unknown as { links: { a: Record<string, unknown> }[] };
    t.links[0]!.a.impair = { delay: 'x', loss: 2 };
    assert.deepEqual(readTopology(t).links[0]!.a.impair, { loss: 2 });
  });

  it('panel fields: units may be typed, empty removes, the schema\'s message otherwise', () => {
    assert.deepEqual(checkImpairField('delay', '100 ms'), { ok: true, value: 100 });
    assert.deepEqual(checkImpairField('loss', '0.5%'), { ok: true, value: 0.5 });
    assert.deepEqual(checkImpairField('rate', '10000'), { ok: true, value: 10000 });
    assert.deepEqual(checkImpairField('rate', ''), { ok: true, value: null });
    assert.deepEqual(checkImpairField('loss', '150'), { ok: false, error: 'loss must be at most 100% (got 150)' });
    assert.deepEqual(checkImpairField('rate', '4'), { ok: false, error: 'rate must be at least 8 kbit/s (got 4)' });
    assert.deepEqual(checkImpairField('delay', 'soon'), { ok: false, error: "'soon' is not a number of ms" });
  });
});

describe('impair: import of a live network', () => {
  it('a netem/tbf root read back from tc becomes the end\'s impair; the imported file plans nothing', () => {
    const l = liveWith({ kind: 'netem', impair: { delay: 100, loss: 1 } }, { kind: 'tbf', impair: { rate: 10000 } });
    const { topology } = importLive(l, { name: 'article', namespaces: ['ns1', 'ns2'] });
    const ends = topology.links!.flatMap((k) => [k.a, k.b]);
    assert.deepEqual(ends.find((e) => e.name === 'veth1')!.impair, { delay: 100, loss: 1 });
    assert.deepEqual(ends.find((e) => e.name === 'veth2-br')!.impair, { rate: 10000 });
    assert.equal(ends.filter((e) => e.impair).length, 2);
    assert.equal(validateValue(topology).ok, true);
    assert.equal(plan(topology, l).steps.filter((s) => s.step.op.startsWith('qdisc')).length, 0);
  });
});

describe('impair: placing the middle label', () => {
  const node = { w: 84, h: 62 };
  const names: [string, string] = ['ns1', 'br0'];
  const full: [string, string] = ['veth1\n10.0.0.2/24', 'veth1-br'];
  const short: [string, string] = ['veth1', 'veth1-br'];
  const mid = '100ms ±10ms · 1% loss · 10 Mbit/s';

  it('a long link shows the end labels and the impairments', () => {
    const l = fitLinkLabels({ x: 0, y: 0 }, { x: 700, y: 0 }, node, names, full, short, mid);
    assert.deepEqual([l.src, l.tgt, l.mid], [...full, mid]);
  });
  it('with less room the impairments stay and the addresses go (they are in the tooltip)', () => {
    const l = fitLinkLabels({ x: 150, y: 340 }, { x: 300, y: 200 }, node, names, full, short, mid);
    assert.equal(l.mid, mid);
    assert.deepEqual([l.src, l.tgt], short);
  });
  it('when the middle label would cover a node it is left out', () => {
    const l = fitLinkLabels({ x: 0, y: 0 }, { x: 0, y: 90 }, node, names, full, short, mid);
    assert.equal(l.mid, '');
  });
  it('without impairments it places the end labels as before', () => {
    const l = fitLinkLabels({ x: 150, y: 340 }, { x: 300, y: 200 }, node, names, full, short, '');
    assert.deepEqual(l, { ...fitEndLabels({ x: 150, y: 340 }, { x: 300, y: 200 }, node, names, full, short), mid: '' });
  });
});

describe('impair: the helper reads qdiscs only where they are', () => {
  /** a runner that answers tc reads and records every call */
  function runner(calls: { argv: string[]; input: string }[]): Runner {
    const tbf = (dev: string) => `[{"kind":"tbf","handle":"8001:","dev":"${dev}","root":true,"refcnt":3,"options":{"rate":1250000,"burst":12500,"lat":50000}}]\n`;
    return {
      spawned: 0,
      async run(argv: string[], input?: string) {
        calls.push({ argv, input: input ?? '' });
        if (argv.join(' ') === 'ip -force -b -') return { code: 0, stdout: (input ?? '').split('\n').filter(Boolean).map(() => tbf('veth1')).join(''), stderr: '' };
        if (argv[0] === 'tc') return { code: 0, stdout: tbf(argv[1] === '-n' ? 'veth1' : 'veth1-br'), stderr: '' };
        return { code: 1, stdout: '', stderr: 'unexpected' };
      },
    } as unknown as Runner;
  }
  const shaped = (names: string[]) => {
    const l = articleLive();
    for (const n of [l.host, ...l.namespaces]) for (const x of n.links) x.qdisc = x.kind === 'loopback' ? 'noqueue' : (n.name === null ? names.includes('host') : names.includes(n.name)) ? 'tbf' : 'noqueue';
    return l;
  };

  it('nothing shaped: no process at all', async () => {
    const calls: { argv: string[]; input: string }[] = [];
    await readShaping(runner(calls), shaped([]));
    assert.deepEqual(calls, []);
  });

  it('several namespaces: one batched read; the host on its own; every call a read', async () => {
    const calls: { argv: string[]; input: string }[] = [];
    const l = shaped(['host', 'ns1', 'ns2']);
    await readShaping(runner(calls), l);
    assert.deepEqual(calls.map((c) => [c.argv.join(' '), c.input]).sort(), [
      ['ip -force -b -', 'netns exec ns1 tc -j qdisc show\nnetns exec ns2 tc -j qdisc show\n'],
      ['tc -j qdisc show', ''],
    ]);
    assert.ok(calls.every((c) => isReadCall(c.argv, c.input)));
    assert.deepEqual(l.namespaces.find((n) => n.name === 'ns1')!.links.find((x) => x.name === 'veth1')!.shaping, { kind: 'tbf', impair: { rate: 10000 } });
    assert.deepEqual(l.host.links.find((x) => x.name === 'veth1-br')!.shaping, { kind: 'tbf', impair: { rate: 10000 } });
  });

  it('one namespace: tc -n NS', async () => {
    const calls: { argv: string[]; input: string }[] = [];
    await readShaping(runner(calls), shaped(['ns2']));
    assert.deepEqual(calls.map((c) => c.argv.join(' ')), ['tc -n ns2 -j qdisc show']);
  });
});
