/**
 * Link impairments in the sandbox: a rate alone (tbf) is applied, read back, left alone when
 * unchanged, replaced alone when changed, removed when the file drops it. Delay (netem) is
 * tested where the kernel has sch_netem; where it has not, an apply that needs it fails with a
 * clear error and the network stays re-appliable.
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { renderArgv } from '../../src/core/plan/render.js';
import { cli, listNetns, resetSandbox, sh, tryRun } from './sandbox.js';

interface Imp { delay?: number; jitter?: number; loss?: number; rate?: number }
interface Step { op: string; ns?: string | null; dev?: string }

const file = join(mkdtempSync(join(tmpdir(), 'netns-lab-impair-')), 'impair.netns.json');
function write(a: Imp | undefined, b: Imp | undefined): void {
  const end = (node: string, name: string, addr: string, impair: Imp | undefined) => ({ node, name, addresses: [addr], ...(impair ? { impair } : {}) });
  writeFileSync(file, JSON.stringify({
    version: 1, name: 'imp',
    namespaces: [{ name: 'ns1' }, { name: 'ns2' }],
    links: [{ a: end('ns1', 'v1', '10.9.0.1/30', a), b: end('ns2', 'v2', '10.9.0.2/30', b) }],
  }, null, 2));
}
const planSteps = (): Step[] => (JSON.parse(cli(['plan', file, '--json']).stdout) as { steps: { step: Step }[] | Step[] }).steps
  .map((s) => ('step' in s ? s.step : s));
/** the root qdisc of a device, as tc prints it */
function rootQdisc(ns: string, dev: string): { kind: string; handle: string; options: Record<string, unknown> } {
  const all = JSON.parse(sh('tc', ['-n', ns, '-j', 'qdisc', 'show', 'dev', dev])) as { kind: string; handle: string; root?: boolean; options: Record<string, unknown> }[];
  return all.find((q) => q.root)!;
}

/** reachable: at least one of 5 echo requests answered (a loaded machine may lose the first to ARP) */
function ping(ns: string, target: string): boolean {
  return spawnSync('ip', ['netns', 'exec', ns, 'ping', '-c', '5', '-i', '0.2', '-W', '2', target], { encoding: 'utf8' }).status === 0;
}

/** can this kernel make a netem qdisc? undefined when it can, else the kernel's message */
function netemMissing(): string | undefined {
  tryRun('ip', ['netns', 'add', 'netemprobe']);
  try {
    const r = spawnSync('ip', ['netns', 'exec', 'netemprobe', 'tc', 'qdisc', 'add', 'dev', 'lo', 'root', 'netem', 'delay', '1ms'], { encoding: 'utf8' });
    return r.status === 0 ? undefined : (r.stderr.trim() || `exit code ${r.status}`);
  } finally {
    tryRun('ip', ['netns', 'del', 'netemprobe']);
  }
}

/** the average round-trip time of 5 pings, in ms */
function rtt(ns: string, target: string): number {
  const r = spawnSync('ip', ['netns', 'exec', ns, 'ping', '-c', '5', '-i', '0.2', '-W', '3', target], { encoding: 'utf8' });
  const m = /= [\d.]+\/([\d.]+)\//.exec(r.stdout);
  assert.ok(m, `ping gave no round-trip times: ${r.stdout}${r.stderr}`);
  return Number(m[1]);
}

describe('impairments', () => {
  before(resetSandbox);
  after(resetSandbox);

  it('a rate alone is a tbf qdisc: applied, read back, re-apply plans nothing', () => {
    write({ rate: 1000 }, { rate: 500 });
    const plan = planSteps().filter((s) => s.op.startsWith('qdisc'));
    assert.deepEqual(plan.map((s) => [s.op, s.ns, s.dev]), [['qdisc-set', 'ns1', 'v1'], ['qdisc-set', 'ns2', 'v2']]);
    const r = cli(['apply', file]);
    assert.equal(r.code, 0, r.stderr);
    const q1 = rootQdisc('ns1', 'v1');
    assert.equal(q1.kind, 'tbf');
    assert.equal(q1.options.rate, 125_000, '1000 kbit/s = 125000 bytes/s');
    assert.equal(rootQdisc('ns2', 'v2').options.rate, 62_500);
    assert.ok(ping('ns1', '10.9.0.2'), 'traffic still flows through the shaped link');
    assert.deepEqual(planSteps(), [], 're-apply has nothing to do');
    const st = JSON.parse(cli(['status', file, '--json']).stdout) as { objects: { name: string; state: string }[] };
    assert.ok(st.objects.filter((o) => o.name === 'v1' || o.name === 'v2').every((o) => o.state === 'in-sync'), JSON.stringify(st.objects));
  });

  it('changing the rate of one end replaces only that qdisc', () => {
    const other = rootQdisc('ns2', 'v2').handle;
    write({ rate: 2000 }, { rate: 500 });
    const steps = planSteps();
    assert.deepEqual(steps.map((s) => [s.op, s.ns, s.dev]), [['qdisc-set', 'ns1', 'v1']]);
    const plan = cli(['plan', file]).stdout;
    assert.match(plan, /tc -n ns1 qdisc replace dev v1 root tbf rate 2000kbit burst \d+ latency 50ms/);
    assert.equal(cli(['apply', file]).code, 0);
    assert.equal(rootQdisc('ns1', 'v1').options.rate, 250_000);
    assert.equal(rootQdisc('ns2', 'v2').handle, other, 'the other end keeps its qdisc');
    assert.deepEqual(planSteps(), []);
  });

  it('removing it from the file deletes the qdisc', () => {
    write(undefined, { rate: 500 });
    assert.deepEqual(planSteps().map((s) => [s.op, s.ns, s.dev]), [['qdisc-del', 'ns1', 'v1']]);
    assert.equal(cli(['apply', file]).code, 0);
    assert.equal(rootQdisc('ns1', 'v1').kind, 'noqueue');
    assert.equal(rootQdisc('ns2', 'v2').kind, 'tbf');
    assert.deepEqual(planSteps(), []);
  });

  it('the script shows the tc commands the article way, after the links are up', () => {
    write({ rate: 1000 }, undefined);
    const s = cli(['script', file]).stdout;
    const line = /^ip netns exec ns1 tc qdisc replace dev v1 root tbf rate 1000kbit burst \d+ latency 50ms$/m.exec(s);
    assert.ok(line, s);
    assert.ok(s.indexOf('ip -n ns1 link set dev v1 up') < line.index);
    assert.doesNotMatch(s, /dev v2 root/);
  });

  it('destroy leaves nothing', () => {
    assert.equal(cli(['destroy', file]).code, 0);
    assert.deepEqual(listNetns(), []);
  });

  it("tc's parser accepts every netem form we render (the kernel may still lack netem)", () => {
    sh('ip', ['link', 'add', 'name', 'nlp0', 'type', 'veth', 'peer', 'name', 'nlp1']);
    try {
      for (const impair of [{ delay: 100, jitter: 10, loss: 1, corrupt: 0.1, duplicate: 1, rate: 1000 }, { delay: 0.25, loss: 0.000001 }, { delay: 60000 }, { duplicate: 100, rate: 100_000_000 }]) {
        const argv = renderArgv({ op: 'qdisc-set', ns: null, dev: 'nlp0', impair })!;
        const r = spawnSync(argv[0]!, argv.slice(1), { encoding: 'utf8' });
        assert.ok(r.status === 0 || /qdisc kind is unknown/.test(r.stderr), `${argv.join(' ')}: ${r.stderr}`);
      }
    } finally {
      tryRun('ip', ['link', 'del', 'nlp0']);
    }
  });

  it('100 ms of delay: ping takes >= 100 ms, and < 20 ms once removed', (t) => {
    const missing = netemMissing();
    if (missing) { t.skip(`kernel has no sch_netem: ${missing}`); return; }
    write({ delay: 100 }, undefined);
    assert.equal(cli(['apply', file]).code, 0);
    assert.equal(rootQdisc('ns1', 'v1').kind, 'netem');
    assert.deepEqual(planSteps(), [], 'netem read back equals the file');
    assert.ok(rtt('ns1', '10.9.0.2') >= 100);
    write(undefined, undefined);
    assert.equal(cli(['apply', file]).code, 0);
    assert.ok(rtt('ns1', '10.9.0.2') < 20);
    assert.equal(cli(['destroy', file]).code, 0);
  });

  it('without sch_netem, an apply that needs it fails clearly and stays re-appliable', (t) => {
    const missing = netemMissing();
    if (!missing) { t.skip('this kernel has sch_netem'); return; }
    write({ delay: 100, loss: 1 }, { rate: 500 });
    const r = cli(['apply', file]);
    assert.notEqual(r.code, 0);
    const out = r.stdout + r.stderr;
    assert.match(out, /step \d+ of \d+ failed/);
    assert.match(out, /tc -n ns1 qdisc replace dev v1 root netem delay 100ms loss 1%/, 'names the command and the interface');
    assert.match(out, /qdisc kind is unknown/, "the kernel's message");
    assert.match(out, /sch_netem/, 'the hint');
    // everything else was built
    assert.ok(ping('ns1', '10.9.0.2'));
    const left = planSteps();
    assert.ok(left.some((s) => s.op === 'qdisc-set' && s.dev === 'v1') && left.every((s) => s.op === 'qdisc-set'), `only qdiscs are left to do: ${JSON.stringify(left)}`);
    // without the delay the same network converges
    write(undefined, { rate: 500 });
    const again = cli(['apply', file]);
    assert.equal(again.code, 0, again.stderr);
    assert.equal(rootQdisc('ns2', 'v2').kind, 'tbf');
    assert.deepEqual(planSteps(), []);
    assert.equal(cli(['destroy', file]).code, 0);
    assert.deepEqual(listNetns(), []);
  });
});
