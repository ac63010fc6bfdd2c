/** The helper's live watch sees changes made by plain `ip` commands (latency: bench/, not here). */
import assert from 'node:assert/strict';
import { readFileSync, readdirSync, readlinkSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { LiveEvent } from '../../src/core/observe/monitor.js';
import { startHelper, type HelperClient } from '../../src/engine/helper-client.js';
import { EXAMPLES, ROOT, cli, resetSandbox, setupInternet, sh } from './sandbox.js';

describe('live watch', () => {
  let h: HelperClient;
  let w: { stop(): Promise<void> };
  const events: { at: number; e: LiveEvent }[] = [];
  before(async () => {
    await resetSandbox();
    await setupInternet();
    assert.equal(cli(['apply', join(EXAMPLES, 'article.netns.json')]).code, 0);
    sh('ip', ['netns', 'add', 'hand']); // made by hand: no nsid in the host -> its own monitor
    h = await startHelper({ helperPath: join(ROOT, 'dist', 'helper.js'), elevation: 'direct' });
    w = h.watch((e) => events.push({ at: Date.now(), e }));
    // ready when both kinds of monitor report: the host's all-nsid one (ns1) and hand's own
    for (const ns of ['ns1', 'hand']) {
      for (let i = 0; ; i++) {
        const from = events.length;
        sh('ip', ['-n', ns, 'addr', 'add', '127.0.0.77/32', 'dev', 'lo']);
        sh('ip', ['-n', ns, 'addr', 'del', '127.0.0.77/32', 'dev', 'lo']);
        await new Promise((r) => setTimeout(r, 100));
        if (events.slice(from).some((x) => x.e.ns === ns)) break;
        if (i === 100) throw new Error(`the watch never reported ${ns}`);
      }
    }
  });
  after(async () => {
    await w?.stop();
    await h?.close();
    await resetSandbox();
  });

  async function expectEvent(what: () => void, match: (e: LiveEvent) => boolean): Promise<number> {
    const from = events.length;
    const t0 = Date.now();
    what();
    // generous: the machine may be busy; how fast events arrive is measured in bench/
    for (let i = 0; i < 1000; i++) {
      const hit = events.slice(from).find((x) => match(x.e));
      if (hit) return hit.at - t0;
      await new Promise((r) => setTimeout(r, 10));
    }
    throw new Error(`no event within 10 s; got ${JSON.stringify(events.slice(from).map((x) => x.e))}`);
  }

  it('a link set down and up in a namespace', async () => {
    await expectEvent(() => sh('ip', ['-n', 'ns1', 'link', 'set', 'veth1', 'down']), (e) => e.ns === 'ns1' && e.kind === 'link' && e.ifname === 'veth1');
    await expectEvent(() => sh('ip', ['-n', 'ns1', 'link', 'set', 'veth1', 'up']), (e) => e.ns === 'ns1' && e.kind === 'link');
  });

  it('an address added and deleted in the host', async () => {
    await expectEvent(() => sh('ip', ['addr', 'add', '10.0.0.200/24', 'dev', 'br0']), (e) => e.ns === null && e.kind === 'address' && e.ifname === 'br0' && !e.deleted);
    await expectEvent(() => sh('ip', ['addr', 'del', '10.0.0.200/24', 'dev', 'br0']), (e) => e.ns === null && e.kind === 'address' && e.deleted === true);
  });

  it('a namespace without a host nsid is watched on its own', async () => {
    await expectEvent(() => sh('ip', ['-n', 'hand', 'link', 'set', 'lo', 'up']), (e) => e.ns === 'hand' && e.kind === 'link' && e.ifname === 'lo');
  });

  it('namespaces added and deleted', async () => {
    await expectEvent(() => sh('ip', ['netns', 'add', 'newcomer']), (e) => e.kind === 'netns' && e.name === 'newcomer' && !e.deleted);
    await expectEvent(() => sh('ip', ['netns', 'del', 'newcomer']), (e) => e.kind === 'netns' && e.name === 'newcomer' && e.deleted === true);
  });

  it('stop() ends the watch and its monitor processes', async () => {
    await w.stop();
    await new Promise((r) => setTimeout(r, 200));
    // only processes in this sandbox's network namespace count: the machine may run other sandboxes
    const mine = readlinkSync('/proc/self/ns/net');
    const ps = readdirSync('/proc').filter((p) => /^\d+$/.test(p)).flatMap((p) => {
      try { return readlinkSync(`/proc/${p}/ns/net`) === mine ? [readFileSync(`/proc/${p}/cmdline`, 'utf8').split('\0').join(' ')] : []; } catch { return []; }
    }).join('\n');
    assert.equal(/ip (-n \S+ )?-o monitor/.test(ps), false, ps);
    assert.equal(ps.includes('ip netns monitor'), false);
  });
});
