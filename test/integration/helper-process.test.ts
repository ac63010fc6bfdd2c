/**
 * The helper as a process: framing (oversized lines, half a message then EOF), and the
 * per-topology lock (a second apply waits, or fails clearly; it never interleaves).
 */
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { flockLock } from '../../src/helper/flock.js';
import { EXAMPLES, ROOT, cli, listNetns, resetSandbox, setupInternet, tryRun } from './sandbox.js';

const HELPER = join(ROOT, 'dist', 'helper.js');
const ARTICLE = join(EXAMPLES, 'article.netns.json');

function helperSession(chunks: (string | Buffer)[]): Promise<{ lines: Record<string, any>[]; code: number | null }> {
  return new Promise((resolve, reject) => {
    const p = spawn(process.execPath, [HELPER], { stdio: ['pipe', 'pipe', 'inherit'] });
    let out = '';
    p.stdout.on('data', (d) => { out += d; });
    p.on('error', reject);
    p.on('exit', (code) => resolve({ lines: out.split('\n').filter(Boolean).map((l) => JSON.parse(l)), code }));
    (async () => {
      for (const c of chunks) {
        if (!p.stdin.write(c)) await new Promise((r) => p.stdin.once('drain', r));
      }
      p.stdin.end();
    })().catch(reject);
  });
}

/** hold the helper's lock `name` (as root, the way the helper does) until close() (a previous close may still be releasing it) */
async function holdLock(name: string): Promise<{ close(): void }> {
  const held = await flockLock(name, 5000, () => undefined);
  return { close: () => { void held.release(); } };
}

describe('the helper process', () => {
  before(async () => { await resetSandbox(); await setupInternet(); });
  after(resetSandbox);

  it('refuses an oversized line without reading it, then serves the next request', async () => {
    const big = Buffer.alloc(17 * 1024 * 1024, 'a');
    const { lines, code } = await helperSession([big, '\n', '{"v":1,"id":5,"op":"hello"}\n']);
    assert.equal(code, 0);
    assert.equal(lines[0]!.ok, false);
    assert.equal(lines[0]!.error.code, 'too-large');
    assert.equal(lines[1]!.id, 5);
    assert.equal(lines[1]!.ok, true);
  });

  it('reports half a message followed by end of input, and exits cleanly', async () => {
    const { lines, code } = await helperSession(['{"v":1,"id":1,"op":"hel']);
    assert.equal(code, 0);
    assert.deepEqual(lines.map((l) => l.error?.code), ['truncated']);
  });

  it('answers garbage with an error and keeps serving', async () => {
    const { lines } = await helperSession([Buffer.from([0xff, 0xfe, 0x00, 0x41, 0x0a]), '{"v":1,"id":2,"op":"hello"}\n']);
    assert.deepEqual(lines.map((l) => [l.id, l.ok, l.error?.code]), [[null, false, 'bad-json'], [2, true, undefined]]);
  });

  it('a second apply of the same topology waits for the first (the lock is held meanwhile)', async () => {
    const lock = await holdLock('topology/article');
    const child = spawn(process.execPath, [join(ROOT, 'dist', 'cli.js'), 'apply', ARTICLE], { stdio: ['ignore', 'pipe', 'pipe'] });
    let err = '';
    child.stderr.on('data', (d) => { err += d; });
    const exited = new Promise<number | null>((r) => child.on('exit', r));
    for (let i = 0; i < 100 && !err.includes('waiting for another apply'); i++) await new Promise((r) => setTimeout(r, 50));
    assert.match(err, /waiting for another apply of 'article' to finish/);
    assert.deepEqual(listNetns(), ['wan'], 'nothing ran while the lock was held');
    lock.close();
    assert.equal(await exited, 0, err);
    assert.deepEqual(listNetns(), ['ns1', 'ns2', 'wan']);
    assert.equal(cli(['destroy', ARTICLE]).code, 0);
  });

  it('gives up clearly when the lock is not released in time, and changes nothing', async () => {
    const lock = await holdLock('topology/article');
    try {
      const r = cli(['apply', ARTICLE], { NETNS_LAB_LOCK_WAIT_MS: '300' });
      assert.equal(r.code, 1);
      assert.match(r.stderr, /'topology\/article' is locked by another netns-lab process/);
      assert.deepEqual(listNetns(), ['wan']);
    } finally {
      lock.close();
    }
  });

  it('the CLI run as root uses the helper\'s code in its own process; with NETNS_LAB_HELPER, a helper process', async () => {
    // while the apply waits for the lock, look at the CLI's children
    const children = async (env: Record<string, string>) => {
      const lock = await holdLock('topology/article');
      const child = spawn(process.execPath, [join(ROOT, 'dist', 'cli.js'), 'apply', ARTICLE], { stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, ...env } });
      let err = '';
      child.stderr.on('data', (d) => { err += d; });
      const exited = new Promise<number | null>((r) => child.on('exit', r));
      for (let i = 0; i < 100 && !err.includes('waiting for another apply'); i++) await new Promise((r) => setTimeout(r, 50));
      // ps exits with 1 when there is no such process
      const kids = tryRun('ps', ['-o', 'args=', '--ppid', String(child.pid)]).stdout.split('\n').filter(Boolean);
      lock.close();
      assert.equal(await exited, 0, err);
      assert.equal(cli(['destroy', ARTICLE]).code, 0);
      return kids;
    };
    assert.deepEqual((await children({})).filter((k) => k.includes('helper.js')), []);
    assert.equal((await children({ NETNS_LAB_HELPER: HELPER })).filter((k) => k.includes('helper.js')).length, 1);
  });

  it('two different topologies apply in parallel without disturbing each other', async () => {
    const run = (f: string) => new Promise<number | null>((resolve) => {
      const c = spawn(process.execPath, [join(ROOT, 'dist', 'cli.js'), 'apply', join(EXAMPLES, f)], { stdio: 'ignore' });
      c.on('exit', resolve);
    });
    const [a, b] = await Promise.all([run('article.netns.json'), run('routed.netns.json')]);
    assert.equal(a, 0);
    assert.equal(b, 0);
    assert.deepEqual(JSON.parse(cli(['plan', ARTICLE, '--json']).stdout).steps, []);
    assert.deepEqual(JSON.parse(cli(['plan', join(EXAMPLES, 'routed.netns.json'), '--json']).stdout).steps, []);
    // destroying one leaves the other, and ip_forward stays on until the last user is gone
    assert.equal(cli(['destroy', ARTICLE]).code, 0);
    assert.deepEqual(JSON.parse(cli(['plan', join(EXAMPLES, 'routed.netns.json'), '--json']).stdout).steps, []);
    assert.equal(cli(['destroy', join(EXAMPLES, 'routed.netns.json')]).code, 0);
    assert.deepEqual(listNetns(), ['wan']);
  });
});
