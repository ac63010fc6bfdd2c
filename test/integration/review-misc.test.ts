/**
 * Issue 13, items 9b and 9c against the real helper process in the sandbox: an interface named
 * like the kernel's reserved sysctl directories is refused before anything runs; one connection
 * cannot have more than 64 requests in flight.
 */
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { flockLock } from '../../src/helper/flock.js';
import { MAX_IN_FLIGHT } from '../../src/helper/lines.js';
import { sandboxState, settledState, stateDiff } from './live-state.js';
import { EXAMPLES, ROOT, resetSandbox, setupInternet } from './sandbox.js';

const HELPER = join(ROOT, 'dist', 'helper.js');
type Line = { id: number | null; ok?: boolean; error?: { code: string; message: string } };

/** hold the helper's lock `name` as root, the way the helper does (flock on /run/netns-lab/locks) */
async function holdLock(name: string): Promise<{ close(): void }> {
  const held = await flockLock(name, 5000, () => undefined);
  return { close: () => { void held.release(); } };
}

/** a helper started as sudo starts it for an unprivileged user; answers collected by id */
function startHelper(env: Record<string, string> = {}) {
  const p = spawn(process.execPath, [HELPER], { stdio: ['pipe', 'pipe', 'inherit'], env: { ...process.env, SUDO_UID: '65534', SUDO_GID: '65534', ...env } });
  const lines: Line[] = [];
  let out = '';
  const waiters: (() => void)[] = [];
  p.stdout.on('data', (d: Buffer) => {
    out += d.toString();
    let nl;
    while ((nl = out.indexOf('\n')) >= 0) { lines.push(JSON.parse(out.slice(0, nl)) as Line); out = out.slice(nl + 1); }
    for (const w of waiters.splice(0)) w();
  });
  const exited = new Promise<number | null>((r) => p.on('exit', r));
  return {
    send: (o: unknown) => p.stdin.write(JSON.stringify(o) + '\n'),
    lines,
    async until(pred: () => boolean, ms = 20000) {
      const end = Date.now() + ms;
      while (!pred()) {
        if (Date.now() > end) throw new Error(`timed out; got ${JSON.stringify(lines).slice(0, 400)}`);
        await new Promise<void>((r) => { waiters.push(r); setTimeout(r, 100); });
      }
    },
    async close() { p.stdin.end(); return exited; },
  };
}

describe('review findings 9b, 9c against the real helper', () => {
  before(async () => { await resetSandbox(); await setupInternet(); });
  after(resetSandbox);

  for (const name of ['all', 'default']) {
    it(`refuses an interface named '${name}' before anything runs, naming the field`, async () => {
      const t = JSON.parse(readFileSync(join(EXAMPLES, 'article.netns.json'), 'utf8')) as { links: { a: { name: string } }[] };
      t.links[1]!.a.name = name;
      const before = await settledState();
      const h = startHelper();
      h.send({ v: 1, id: 1, op: 'apply', topology: t });
      await h.until(() => h.lines.length > 0);
      assert.equal(await h.close(), 0);
      assert.equal(h.lines[0]!.error?.code, 'invalid-topology');
      assert.match(h.lines[0]!.error!.message, new RegExp(`links\\.1\\.a\\.name: interface name '${name}' is reserved`));
      assert.deepEqual(stateDiff(sandboxState(), before), [], 'nothing changed');
    });
  }

  it(`answers too-many beyond ${MAX_IN_FLIGHT} requests in flight on one connection, then serves again`, async () => {
    const lock = await holdLock('topology/inflight');
    const h = startHelper({ NETNS_LAB_LOCK_WAIT_MS: '60000' });
    try {
      const extra = 6;
      // each destroy waits for the held lock: in flight until it is released
      for (let i = 0; i < MAX_IN_FLIGHT + extra; i++) h.send({ v: 1, id: i, op: 'destroy', name: 'inflight' });
      // progress events ("waiting for …") are not answers: only lines with "ok" are
      const answers = () => h.lines.filter((l) => l.ok !== undefined);
      await h.until(() => answers().length >= extra);
      await new Promise((r) => setTimeout(r, 300));
      assert.deepEqual(answers().map((l) => [l.id, l.error?.code]), Array.from({ length: extra }, (_, k) => [MAX_IN_FLIGHT + k, 'too-many']));
      assert.match(answers()[0]!.error!.message, /at most 64 requests/);
    } finally { lock.close(); }
    const final = () => h.lines.filter((l) => l.ok !== undefined);
    await h.until(() => final().length >= MAX_IN_FLIGHT + 6);
    assert.equal(final().slice(6).filter((l) => l.ok === true).length, MAX_IN_FLIGHT, 'every waiting destroy answered once the lock was free');
    h.send({ v: 1, id: 500, op: 'hello' });
    await h.until(() => h.lines.some((l) => l.id === 500));
    assert.equal(h.lines.find((l) => l.id === 500)!.ok, true);
    assert.equal(await h.close(), 0);
  });
});
