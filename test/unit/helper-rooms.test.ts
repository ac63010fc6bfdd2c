/**
 * The shared pieces of the helper's rooms (issue 14): the typed client sends each operation
 * under its protocol name; the netns batches run with their two failure policies; the step
 * gate lets through what runs before a test hook and stops there.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { connect, type HelperClient } from '../../src/engine/helper-client.js';
import { stepGate } from '../../src/helper/gate.js';
import { batchFailure, chunksOf, netnsBatches } from '../../src/helper/netns-batch.js';
import { OPS, PROTOCOL_VERSION } from '../../src/helper/protocol.js';
import { fakeSystem } from '../support/fake-system.js';

/** a client over a transport that answers every request with its own op and params, after one progress event */
async function echoClient(): Promise<{ client: HelperClient; sent: Record<string, unknown>[] }> {
  const sent: Record<string, unknown>[] = [];
  let deliver: (line: string) => void = () => {};
  const client = await connect({
    pid: 1,
    write(line) {
      const req = JSON.parse(line) as { id: number; op: string };
      sent.push(req);
      queueMicrotask(() => {
        deliver(JSON.stringify({ v: PROTOCOL_VERSION, id: req.id, event: 'progress', done: 1, total: 2, message: req.op }));
        deliver(JSON.stringify({ v: PROTOCOL_VERSION, id: req.id, ok: true, result: req }));
      });
    },
    onLines(d) { deliver = d; },
    exited: new Promise(() => {}),
    close: async () => {},
  });
  return { client, sent };
}

describe('helper client: one typed method per operation', () => {
  it('has a method for every operation that answers once, and sends it under its protocol name with its params', async () => {
    const { client, sent } = await echoClient();
    const ops = (Object.keys(OPS) as (keyof typeof OPS)[]).filter((op) => !['watch', 'capture', 'unwatch'].includes(op));
    assert.equal(ops.length, 23, '10 + services, logs, restart and service-stop (issue 16) + the 8 probes of the lab tests (issue 18: 6, and the latency and rate measurements) + cancel (issue 19)');
    for (const op of ops) {
      const method = op.replace(/-([a-z])/g, (_, c: string) => c.toUpperCase());
      const fn = (client as unknown as Record<string, (p: unknown, on?: (p: { message: string }) => void) => Promise<{ op: string; marker?: number }>>)[method];
      assert.equal(typeof fn, 'function', `client.${method}`);
      const seen: string[] = [];
      const r = await fn!({ marker: 7 }, (p) => seen.push(p.message));
      assert.equal(r.op, op);
      assert.equal(r.marker, 7);
      assert.deepEqual(seen, [op], `${op}: its progress reaches its caller`);
    }
    // hello first (connect), then one request per operation, each with a fresh id
    assert.deepEqual(sent.map((s) => s.op), ['hello', ...ops]);
    assert.equal(new Set(sent.map((s) => s.id)).size, sent.length);
    assert.ok(sent.every((s) => s.v === PROTOCOL_VERSION));
  });

  it('call(op) is the same request by name', async () => {
    const { client, sent } = await echoClient();
    await client.call('link-state', { ns: 'ns1', name: 'veth1', up: false });
    assert.deepEqual(sent.at(-1), { v: PROTOCOL_VERSION, id: sent.at(-1)!.id, op: 'link-state', ns: 'ns1', name: 'veth1', up: false });
  });
});

describe('netns batches: many namespaces in a few ip -b processes, two failure policies', () => {
  it('chunksOf keeps the order and the size', () => {
    assert.deepEqual(chunksOf([1, 2, 3, 4, 5], 2), [[1, 2], [3, 4], [5]]);
    assert.deepEqual(chunksOf([], 3), []);
  });

  it('read: ip -force -b -, every chunk\'s output goes on, a failed one too', async () => {
    const sys = fakeSystem((argv, input) => (argv[0] === 'ip' ? { code: input.includes('nsb') ? 1 : 0, stdout: `out:${input.length}`, stderr: '' } : undefined));
    const outputs: { chunk: string[]; code: number }[] = [];
    await netnsBatches(sys, [['nsa'], ['nsb', 'nsc']], 2, (c) => c.map((ns) => ({ ns, command: 'ip -j addr show' })), 'read',
      (chunk, r) => { outputs.push({ chunk, code: r.code }); });
    assert.deepEqual(sys.calls.map((c) => c.argv), [['ip', '-force', '-b', '-'], ['ip', '-force', '-b', '-']]);
    assert.deepEqual(sys.calls.map((c) => c.input), ['netns exec nsa ip -j addr show\n', 'netns exec nsb ip -j addr show\nnetns exec nsc ip -j addr show\n']);
    assert.deepEqual(outputs.sort((a, b) => a.chunk.length - b.chunk.length), [{ chunk: ['nsa'], code: 0 }, { chunk: ['nsb', 'nsc'], code: 1 }]);
  });

  it('change: ip -b -, the first failing line stops its chunk and is named (with the line of the child\'s batch file)', async () => {
    const stderr = 'RTNETLINK answers: File exists\nCommand failed /run/netns-lab/apply/nsb.batch:3\nCommand failed -:2\n';
    const sys = fakeSystem((argv) => (argv[0] === 'ip' ? { code: 1, stdout: '', stderr } : undefined));
    let failure: unknown;
    await assert.rejects(netnsBatches(sys, [['nsa', 'nsb']], 1, (c) => c.map((ns) => ({ ns, command: `ip -b /run/netns-lab/apply/${ns}.batch` })),
      { onFailure: (chunk, f) => { failure = { chunk, ...f }; throw new Error('stopped'); } }, () => assert.fail('no output after a failure')), /stopped/);
    assert.deepEqual(sys.calls[0]!.argv, ['ip', '-b', '-']);
    assert.deepEqual(failure, { chunk: ['nsa', 'nsb'], line: 1, childLine: 2, kernel: 'RTNETLINK answers: File exists' });
  });

  it('a chunk without lines runs nothing', async () => {
    const sys = fakeSystem();
    let outputs = 0;
    await netnsBatches(sys, [['nsa']], 1, () => [], { onFailure: () => assert.fail('no failure') }, () => { outputs++; });
    assert.deepEqual(sys.calls, []);
    assert.equal(outputs, 1);
  });

  it('batchFailure without a line number blames the first line, and keeps the exit code when there is no message', () => {
    assert.deepEqual(batchFailure({ code: 2, stdout: '', stderr: '' }), { line: 0, childLine: undefined, kernel: 'exit code 2' });
  });
});

describe('the step gate of the fault and kill hooks', () => {
  const items = [{ index: 4 }, { index: 5 }, { index: 6 }];
  it('without hooks: everything runs, nothing stops', () => {
    const g = stepGate({});
    assert.equal(g.hooked, false);
    assert.equal(g.cut(items), 3);
    assert.equal(g.after(items), undefined);
  });
  it('a fault: the items before it run, then the run stops at it (no kill)', () => {
    const g = stepGate({ faultAt: 5, die: () => assert.fail('no kill') });
    assert.equal(g.hooked, true);
    assert.equal(g.cut(items), 1);
    assert.deepEqual(g.after(items), { index: 5 });
    assert.equal(g.after([{ index: 1 }]), undefined, 'items without the hook\'s step pass');
  });
  it('a kill: the items before it run, then the gate dies there; the earlier of a fault and a kill wins', () => {
    let died = 0;
    const g = stepGate({ killAt: 6, faultAt: 9, die: () => { died++; } });
    assert.equal(g.cut(items), 2);
    assert.deepEqual(g.after(items), { index: 6 });
    assert.equal(died, 1);
    const f = stepGate({ killAt: 6, faultAt: 4, die: () => assert.fail('the fault comes first') });
    assert.equal(f.cut(items), 0);
    assert.deepEqual(f.after(items), { index: 4 });
  });
});
