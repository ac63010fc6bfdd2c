/**
 * An apply reads each namespace back at the end of its own batch (src/helper/execute.ts), and the
 * verify plans from those reads instead of starting a read of its own per namespace. These reads
 * come before other namespaces' and the host's later steps: the verify must still be right
 * (nothing left to do, as a fresh read confirms) and "applied" must still mean traffic flows.
 */
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { chain, lan } from '../../bench/topologies.js';
import { startHelper, type HelperClient } from '../../src/engine/helper-client.js';
import { ROOT, listNetns, ping, resetSandbox } from './sandbox.js';

const HELPER = join(ROOT, 'dist', 'helper.js');

describe('read-back at the end of each namespace batch', () => {
  let h: HelperClient;
  before(async () => { await resetSandbox(); h = await startHelper({ helperPath: HELPER, elevation: 'direct' }); });
  after(async () => { await h.close(); await resetSandbox(); });

  for (const [t, first, last] of [
    // a LAN: every namespace's veth peer is in the host (its host end comes up before)
    [lan(12, 'rb-lan'), 'n1', '10.200.0.13'],
    // a chain of routers: veths between namespaces (read back with their nsid maps) and sysctls;
    // the last router to its neighbour (the chain routes towards r1 only)
    [chain(10, 'rb-chain'), 'r10', '10.201.0.33'],
  ] as const) {
    it(`${t.name}: verified from its own read-backs, converged, traffic flows at once, a fresh read agrees`, async () => {
      const r = await h.apply({ topology: t });
      assert.deepEqual(r.remaining, []);
      assert.equal(r.readBack, t.namespaces!.length, `every namespace read back (${JSON.stringify(r.phases)})`);
      assert.ok(ping(first, last), `${first} -> ${last} right after the apply`);
      const p = await h.plan({ topology: t });
      assert.deepEqual(p.steps, [], 'a fresh read finds nothing to do');
      const again = await h.apply({ topology: t });
      assert.equal(again.steps, 0);
      await h.destroy({ name: t.name });
      assert.deepEqual(listNetns().filter((n) => n.startsWith('n') || n.startsWith('r')), []);
    });
  }

  it('a namespace changed by a later phase (a qdisc) is read again by the verify, not trusted', async () => {
    const t = lan(10, 'rb-shape');
    t.links![3]!.a.impair = { rate: 10_000 };
    const r = await h.apply({ topology: t });
    assert.deepEqual(r.remaining, []);
    assert.equal(r.readBack, 9, 'n4 is shaped after its batch: read again');
    assert.deepEqual((await h.plan({ topology: t })).steps, []);
    await h.destroy({ name: t.name });
  });
});
