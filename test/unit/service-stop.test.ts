/**
 * The helper's `service-stop` (issue 16, the Namespaces view's Stop): the request is checked by
 * the protocol, the topology again by the helper; only a service of the file or one a record
 * holds is stopped, under the topology's lock: its supervisor first, then its process group,
 * then its files. Over a fake /proc and an in-memory runner: nothing runs, nothing is signalled.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { Topology } from '../../src/core/model/model.js';
import type { OpContext } from '../../src/helper/ops/context.js';
import { RequestError } from '../../src/helper/ops/context.js';
import { stopOne } from '../../src/helper/ops/service-stop.js';
import { LockBusy, withLock } from '../../src/helper/lock.js';
import { Request, PROTOCOL_VERSION, type RequestOf } from '../../src/helper/protocol.js';
import { logPath, recordPath, specPath } from '../../src/helper/service-files.js';
import type { SuperviseDeps } from '../../src/helper/supervise.js';
import { article } from '../support/fixtures.js';
import { fakeProc } from '../support/fake-proc.js';
import { fakeSystem } from '../support/fake-system.js';

const web = { name: 'web', command: ['python3', '-m', 'http.server', '8080'] };
function lab(): Topology {
  const t = article();
  t.namespaces = t.namespaces!.map((n) => (n.name === 'ns2' ? { ...n, services: [web] } : n));
  return t;
}
const id = (name = 'web') => ({ topology: 'article', ns: 'ns2', name });
const record = (o: Record<string, unknown> = {}) => JSON.stringify({
  v: 1, supervisor: { pid: 300, start: 50 }, pid: 301, start: 60, nsInode: 8, digest: 'a'.repeat(64), user: 'nobody', uid: 65534, restarts: 0, state: 'running', ...o,
});

function setup(files: Record<string, string>) {
  const runner = fakeSystem(() => undefined, files);
  const { sys, killed } = fakeProc({
    300: { net: 1, uid: 0, cmd: ['node', 'helper.js', '--supervise'], start: 50 },
    301: { net: 8, uid: 65534, cmd: ['python3', '-m', 'http.server'], start: 60 },
  }, { ns2: 8 });
  const progress: string[] = [];
  const ctx = { runner, progress: (m: string) => progress.push(m), lockWaitMs: 200 } as unknown as OpContext;
  const d: SuperviseDeps = { runner, sys, node: '/usr/bin/node', helperScript: '/x/helper.js', env: {} };
  const req = (o: Partial<RequestOf<'service-stop'>> = {}): RequestOf<'service-stop'> => ({ v: PROTOCOL_VERSION, id: 1, op: 'service-stop', topology: lab(), ns: 'ns2', name: 'web', ...o });
  return { runner, killed, progress, run: (o?: Partial<RequestOf<'service-stop'>>) => stopOne(req(o), ctx, d) };
}

const codeOf = async (p: Promise<unknown>) => { try { await p; return 'ok'; } catch (e) { return e instanceof RequestError ? e.detail.code : (e as Error).message; } };

describe('service-stop', () => {
  it('the protocol refuses a bad namespace or service name, or an unknown field, before any handler', () => {
    const base = { v: PROTOCOL_VERSION, id: 1, op: 'service-stop', topology: {}, ns: 'ns2', name: 'web' };
    assert.ok(Request.safeParse(base).success);
    for (const bad of [{ ns: '../x' }, { name: 'a b' }, { name: '-rf' }, { extra: 1 }]) assert.ok(!Request.safeParse({ ...base, ...bad }).success, JSON.stringify(bad));
  });

  it('stops a running service: supervisor first, then its process group; removes its record, spec and log', async () => {
    const s = setup({ [recordPath(id())]: record(), [specPath(id())]: '{}', [logPath(id())]: 'hello\n' });
    assert.deepEqual(await s.run(), { stopped: true, pid: 301 });
    assert.deepEqual(s.killed, [[300, 'SIGTERM'], [-301, 'SIGTERM']]);
    for (const f of [recordPath(id()), specPath(id()), logPath(id())]) assert.equal(s.runner.files.has(f), false, f);
    assert.match(s.progress.join('\n'), /stopping service web in ns2/);
  });

  it('a service of the file that never ran: nothing to signal, stopped: false', async () => {
    const s = setup({});
    assert.deepEqual(await s.run(), { stopped: false });
    assert.deepEqual(s.killed, []);
  });

  it('a recorded service the file no longer has is stopped too (as the next apply would)', async () => {
    const s = setup({ [recordPath(id('old'))]: record() });
    assert.deepEqual(await s.run({ name: 'old' }), { stopped: true, pid: 301 });
  });

  it('refuses, changing nothing: a service neither in the file nor recorded; an invalid topology', async () => {
    const s = setup({ [recordPath(id())]: record() });
    assert.equal(await codeOf(s.run({ name: 'nope' })), 'not-found');
    assert.equal(await codeOf(s.run({ ns: 'ns1' })), 'not-found', 'web is in ns2, not ns1');
    assert.equal(await codeOf(s.run({ topology: { ...lab(), namespaces: [{ name: 'a b' }] } as unknown as Topology })), 'invalid-topology');
    assert.deepEqual(s.killed, []);
    assert.deepEqual(s.runner.writes, []);
  });

  it('waits for the topology\'s lock (an apply in progress), and answers locked when it does not come', async () => {
    const s = setup({ [recordPath(id())]: record() });
    let release!: () => void;
    const held = withLock({}, 'topology/article', 1000, () => {}, () => new Promise<void>((r) => { release = r; }));
    await new Promise((r) => setTimeout(r, 10));
    await assert.rejects(s.run(), (e: Error) => e instanceof LockBusy && /topology\/article' is locked/.test(e.message));
    assert.deepEqual(s.killed, [], 'nothing stopped without the lock');
    assert.match(s.progress.join('\n'), /waiting for another apply of 'article'/);
    release();
    await held;
  });
});
