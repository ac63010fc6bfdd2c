/**
 * cancel (issue 19, a consistent stop across hosts): a running apply of the same connection
 * stops before its next group of steps (phase) and answers `cancelled`, saying how many ran.
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { describe, it } from 'node:test';
import { createServer } from '../../src/helper/server.js';
import type { Response } from '../../src/helper/protocol.js';
import { emptyHost } from '../support/fake-system.js';

const ARTICLE = JSON.parse(readFileSync(new URL('../../../examples/article.netns.json', import.meta.url), 'utf8')) as Record<string, unknown>;
const line = (o: Record<string, unknown>) => JSON.stringify({ v: 1, ...o });
const answer = (out: Response[], id: number) => out.find((r) => !('event' in r) && r.id === id) as (Response & { ok: boolean; error?: { code: string; message: string; step?: number }; result?: unknown }) | undefined;

describe('helper: cancel', () => {
  it('stops a running apply after its first group of steps: cancelled, with how many ran; nothing after it runs', async () => {
    const runner = emptyHost();
    const out: Response[] = [];
    let cancelSent: Promise<void> | undefined;
    const srv = createServer({
      runner, lockWaitMs: 0,
      send: (r) => {
        out.push(r);
        // the first group of steps is done: cancel the apply (request 1) from request 2
        if ('event' in r && r.event === 'progress' && r.done > 0 && !cancelSent) cancelSent = srv.onLine(line({ id: 2, op: 'cancel', request: 1 }));
      },
    });
    await srv.onLine(line({ id: 1, op: 'apply', topology: ARTICLE }));
    await cancelSent;
    const a = answer(out, 1)!;
    assert.equal(a.ok, false, JSON.stringify(a));
    assert.equal(a.error!.code, 'cancelled');
    assert.match(a.error!.message, /cancelled after \d+ of \d+ step\(s\), between two groups of steps: what ran is consistent, a re-apply converges/);
    assert.deepEqual(answer(out, 2)!.result, { cancelled: true });
    // the firewall (a later phase) never ran
    assert.ok(!runner.calls.some((c) => c.argv[0] === 'iptables-restore'), runner.calls.map((c) => c.argv.join(' ')).join('\n'));
    // nor did the resolv.conf files (the Files phase); fewer steps ran than the plan has
    assert.ok(!runner.files.has('/etc/netns/ns1/resolv.conf'));
    const [, ran, total] = /after (\d+) of (\d+)/.exec(a.error!.message)!.map(Number);
    assert.ok(ran! > 0 && ran! < total!, a.error!.message);
    assert.equal(a.error!.step, ran);
  });

  it('a request that is not running (or has answered) is not cancelled', async () => {
    const out: Response[] = [];
    const srv = createServer({ runner: emptyHost(), send: (r) => out.push(r), lockWaitMs: 0 });
    await srv.onLine(line({ id: 7, op: 'cancel', request: 3 }));
    assert.deepEqual(answer(out, 7)!.result, { cancelled: false });
    await srv.onLine(line({ id: 8, op: 'cancel', request: 8 }));
    assert.deepEqual(answer(out, 8)!.result, { cancelled: false });
  });

  it('an apply that finished before the cancel came is not affected', async () => {
    const out: Response[] = [];
    const srv = createServer({ runner: emptyHost(), send: (r) => out.push(r), lockWaitMs: 0 });
    await srv.onLine(line({ id: 1, op: 'apply', topology: ARTICLE }));
    await srv.onLine(line({ id: 2, op: 'cancel', request: 1 }));
    assert.equal(answer(out, 1)!.ok, true);
    assert.deepEqual(answer(out, 2)!.result, { cancelled: false });
  });
});
