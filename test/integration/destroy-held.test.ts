/**
 * Destroy with a process still inside a namespace (issue 15 item 1: a terminal left in ns1 kept
 * it alive, destroy reported success and veth1-br stayed in the host). The destroy must refuse,
 * naming the process (pid, user, command), and change nothing; with --kill it ends the process
 * first and leaves nothing; a destroy that leaves anything is never a success.
 */
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { EXAMPLES, cli, hostLinks, listNetns, resetSandbox, setupInternet } from './sandbox.js';

const ARTICLE = join(EXAMPLES, 'article.netns.json');

/** a long sleep inside ns, as a shell left in a terminal would be; resolves once it is inside */
async function sleeper(ns: string): Promise<ChildProcess> {
  const c = spawn('ip', ['netns', 'exec', ns, 'sleep', '300'], { stdio: 'ignore' });
  // ip netns exec execs sleep: the pid is the sleep's once its cmdline says so
  for (let i = 0; i < 100; i++) {
    if (c.pid && existsSync(`/proc/${c.pid}/cmdline`)) {
      const { readFileSync } = await import('node:fs');
      if (readFileSync(`/proc/${c.pid}/cmdline`, 'utf8').startsWith('sleep')) return c;
    }
    await new Promise((r) => setTimeout(r, 20));
  }
  throw new Error('the sleeper did not start');
}

describe('destroy with processes inside the namespaces', () => {
  before(async () => { await resetSandbox(); await setupInternet(); });
  after(async () => { await resetSandbox(); });

  it('refuses and names the process without --kill, ends it and leaves nothing with --kill', async () => {
    const a = cli(['apply', ARTICLE]);
    assert.equal(a.code, 0, a.stderr);
    const proc = await sleeper('ns1');
    const exited = new Promise((r) => proc.once('exit', r));
    try {
      const linksBefore = hostLinks();
      const refused = cli(['destroy', ARTICLE]);
      assert.equal(refused.code, 1, refused.stderr);
      assert.match(refused.stderr, /refusing to destroy 'article': 1 process\(es\)/);
      assert.match(refused.stderr, new RegExp(`ns1  pid ${proc.pid}  root  sleep 300`));
      assert.match(refused.stderr, /--kill/);
      assert.deepEqual(listNetns(), ['ns1', 'ns2', 'wan'], 'nothing was changed');
      assert.deepEqual(hostLinks(), linksBefore, 'nothing was changed');

      const killed = cli(['destroy', ARTICLE, '--kill']);
      assert.equal(killed.code, 0, killed.stderr);
      assert.match(killed.stderr, /Destroyed 'article': .* after ending 1 process\(es\) in ns1; nothing is left/);
      assert.match(killed.stderr, new RegExp(`Ended:\\nns1  pid ${proc.pid}  root  sleep 300`));
      await exited;
      assert.equal(proc.signalCode, 'SIGTERM', 'ended by SIGTERM');
      assert.deepEqual(listNetns(), ['wan']);
      assert.deepEqual(hostLinks().filter((l) => l !== 'lo' && l !== 'uplink0'), [], 'no veth end left in the host');
      const status = cli(['status', ARTICLE, '--json']);
      assert.doesNotMatch(status.stdout, /"in-sync"|"drifted"/);
    } finally {
      proc.kill('SIGKILL');
    }
  });

  it('a destroy with nothing inside runs as before and says nothing is left', () => {
    assert.equal(cli(['apply', ARTICLE]).code, 0);
    const d = cli(['destroy', '--name', 'article']);
    assert.equal(d.code, 0, d.stderr);
    assert.match(d.stderr, /Destroyed 'article': \d+ step\(s\) in [0-9.]+ s; nothing is left\./);
    assert.deepEqual(listNetns(), ['wan']);
  });
});
