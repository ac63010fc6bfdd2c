/**
 * kill -9 of the real helper process in the middle of an apply (and of a destroy), at step
 * indexes spread over every phase. The helper SIGKILLs itself at a deterministic point through
 * its test hook NETNS_LAB_KILL_AT=i (the steps before i have run, none after). Then a fresh
 * helper re-applies: it must succeed and the live state must equal a clean apply's; or it
 * destroys: nothing owned may remain. No tool process may be left running.
 */
import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { lan } from '../../bench/topologies.js';
import { HelperFailure, startHelper, type CallOp, type HelperClient, type Progress } from '../../src/engine/helper-client.js';
import type { Topology } from '../../src/core/model/model.js';
import type { ParamsOf, ResultOf } from '../../src/helper/protocol.js';
import { sandboxState, settledState, stateDiff, toolsLeft, type SandboxState } from './live-state.js';
import { EXAMPLES, ROOT, WAN, ping, resetSandbox, setupInternet } from './sandbox.js';

const HELPER = join(ROOT, 'dist', 'helper.js');
const ARTICLE = JSON.parse(readFileSync(join(EXAMPLES, 'article.netns.json'), 'utf8')) as Topology;
const LAN20 = lan(20, 'lan20');
const JOURNAL = (name: string) => `/run/netns-lab/intent/${name}.json`;

/** equal observations, or a failure that names where they differ */
function assertSame(actual: SandboxState, expected: SandboxState, what: string): void {
  const d = stateDiff(actual, expected);
  assert.ok(d.length === 0, `${what}; differences (actual != expected):\n  ${d.join('\n  ')}`);
}

function helper(env: Record<string, string> = {}): Promise<HelperClient> {
  return startHelper({ helperPath: HELPER, elevation: 'direct', env });
}

/** one request on a fresh helper, closed afterwards */
async function once<K extends CallOp>(op: K, params: ParamsOf<K>): Promise<ResultOf<K>> {
  const h = await helper();
  try { return await h.call(op, params); } finally { await h.close(); }
}

/** starts op on a helper told to SIGKILL itself before step `at`; resolves once it is dead */
async function killedAt<K extends 'apply' | 'destroy'>(op: K, params: ParamsOf<K>, at: number): Promise<Progress[]> {
  const h = await helper({ NETNS_LAB_KILL_AT: String(at) });
  const pid = h.pid!;
  const seen: Progress[] = [];
  await assert.rejects(h.call(op, params, (p) => seen.push(p)), (e: unknown) => {
    assert.ok(e instanceof HelperFailure, String(e));
    assert.equal(e.error.code, 'helper-exited');
    return true;
  });
  await h.close().catch(() => undefined);
  assert.ok(!existsSync(`/proc/${pid}`), `the helper ${pid} is gone`);
  // progress is reported per batch (batches of one phase may finish in parallel): never all of it
  for (const p of seen) assert.ok(p.done < p.total, `progress ${p.done}/${p.total} reported the whole plan done`);
  const left = await toolsLeft();
  assert.deepEqual(left, [], 'no tool process left running after the kill');
  return seen;
}

describe('kill -9 of the helper in the middle of an apply', () => {
  let baseline: SandboxState;
  const clean = new Map<string, SandboxState>();
  const stepsOf = new Map<string, number>();

  before(async () => {
    await resetSandbox();
    await setupInternet();
    baseline = await settledState();
    for (const t of [ARTICLE, LAN20]) {
      const r = await once('apply', { topology: t });
      assert.deepEqual(r.remaining, []);
      stepsOf.set(t.name, r.steps);
      clean.set(t.name, await settledState());
      await once('destroy', { name: t.name });
      assertSame(await settledState(baseline), baseline, `destroy of a clean ${t.name} leaves the sandbox as it was`);
    }
  });
  after(resetSandbox);

  it('the reference applies really differ from the empty sandbox (the comparison can fail)', () => {
    assert.ok(stateDiff(clean.get(ARTICLE.name), baseline).length > 0);
    const sysctls = (s: SandboxState) => (s.net.host as { sysctls: string[] }).sysctls;
    assert.ok(sysctls(baseline).includes('net.ipv4.ip_forward = 0'), sysctls(baseline).join('; '));
    assert.ok(sysctls(clean.get(ARTICLE.name)!).includes('net.ipv4.ip_forward = 1'));
    assert.ok(sysctls(clean.get(ARTICLE.name)!).includes('net.ipv4.conf.veth1-br.forwarding = 1'));
    assert.equal(stepsOf.get(ARTICLE.name), 29);
    assert.ok(stepsOf.get(LAN20.name)! > 150, `LAN-20 has ${stepsOf.get(LAN20.name)} steps`);
  });

  // article steps: 0-4 create (namespaces, bridge, veths), 5-21 configure (tags, addresses,
  // links up, routes), 22-23 /etc/netns files, 24-27 firewall chains and jumps, 28 ip_forward
  const cases: [typeof ARTICLE, number, string][] = [
    [ARTICLE, 1, 'after the first namespace, before the second'],
    [ARTICLE, 4, 'after the bridge and the first veth pair, before the second'],
    [ARTICLE, 7, 'in the host configure batch, after the bridge address'],
    [ARTICLE, 14, 'in ns1, tagged but before its address'],
    [ARTICLE, 16, 'before the default route of ns1'],
    [ARTICLE, 23, 'between the two resolv.conf files'],
    [ARTICLE, 25, 'after the filter chain, before its jump'],
    [ARTICLE, 28, 'before ip_forward is recorded and turned on'],
    [LAN20, 11, 'in the middle of creating 20 namespaces'],
    [LAN20, 120, 'in the middle of configuring addresses and routes'],
  ];
  for (const [t, at, where] of cases) {
    it(`${t.name}, killed before step ${at} (${where}): re-apply equals a clean apply; destroy removes everything`, async () => {
      await killedAt('apply', { topology: t }, at);
      assert.notEqual(stateDiff(sandboxState(), clean.get(t.name)).length, 0, 'the kill left the apply unfinished');
      assert.ok(existsSync(JOURNAL(t.name)), 'the intent journal survives the kill');

      const h = await helper();
      try {
        // the fresh helper sees a partial apply: some steps ran, not all
        const left = (await h.plan({ topology: t }));
        assert.deepEqual(left.errors, [], 'nothing the kill left is taken for a clash');
        assert.ok(left.steps.length > 0 && left.steps.length < stepsOf.get(t.name)!, `${left.steps.length} of ${stepsOf.get(t.name)} steps left`);
        const r = await h.apply({ topology: t });
        assert.deepEqual(r.remaining, [], 're-apply converges');
        assertSame(await settledState(clean.get(t.name)), clean.get(t.name)!, 'the live state equals a clean apply');
        assert.ok(!existsSync(JOURNAL(t.name)), 'the journal entry is gone once every object is tagged');
        if (t === ARTICLE) assert.ok(ping('ns2', WAN.name), 'ns2 reaches the fake internet by name');
        await h.destroy({ name: t.name });
        assertSame(await settledState(baseline), baseline, 'destroy leaves the sandbox as it was');
      } finally { await h.close(); }

      // the same kill, then destroy instead of re-apply
      await killedAt('apply', { topology: t }, at);
      await once('destroy', { name: t.name });
      assertSame(await settledState(baseline), baseline, 'destroy after the kill removes everything owned, and only that');
      assert.deepEqual(await toolsLeft(0), []);
    });
  }

  for (const at of [2, 9]) {
    it(`a destroy of the article killed before its step ${at}: destroy again removes everything`, async () => {
      await once('apply', { topology: ARTICLE });
      await killedAt('destroy', { name: ARTICLE.name }, at);
      assert.notEqual(stateDiff(sandboxState(), baseline).length, 0, 'the kill left the destroy unfinished');
      await once('destroy', { name: ARTICLE.name });
      assertSame(await settledState(baseline), baseline, 'destroy leaves the sandbox as it was');
    });
  }
});
