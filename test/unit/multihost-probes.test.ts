/**
 * Lab tests and the reachability matrix across hosts (src/engine/multihost-probes.ts): every
 * probe goes to the helper of its source namespace's host, each host connected once.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { Topology } from '../../src/core/model/model.js';
import type { HelperApi } from '../../src/engine/helper-client.js';
import { crossHostMatrix, lazyHelpers, routedProbes } from '../../src/engine/multihost-probes.js';
import { runLabTests } from '../../src/engine/lab-tests.js';

const T = {
  version: 1, name: 'lab',
  namespaces: [{ name: 'r1' }, { name: 'r2' }],
  links: [{ a: { node: 'r1', name: 'eth0', addresses: ['10.9.0.1/24'] }, b: { node: 'r2', name: 'eth0', addresses: ['10.9.0.2/24'] } }],
  expect: [
    { kind: 'reach', from: 'r1', to: 'r2', ok: true },
    { kind: 'reach', from: 'r2', to: '10.9.0.1', proto: 'tcp', port: 22, ok: true },
    { kind: 'route', in: 'host', to: '10.9.0.2' },
  ],
} as unknown as Topology;
const ON: Record<string, string> = { r1: 'a', r2: 'b' };

/** a recorded helper per host: which host was asked what */
function recorded(down: string[] = []) {
  const log: string[] = [];
  const opened: string[] = [];
  const helper = (host: string) => ({
    probeIcmp: async (p: { ns: string; targets: string[] }) => { log.push(`${host} icmp ${p.ns} ${p.targets.join(',')}`); return { results: p.targets.map((target) => ({ target, ok: !down.includes(target) })) }; },
    probeTcp: async (p: { ns: string; target: string; port: number }) => { log.push(`${host} tcp ${p.ns} ${p.target}:${p.port}`); return { ok: true }; },
    routeGet: async (p: { ns: string | null; to: string }) => { log.push(`${host} route ${p.ns} ${p.to}`); return { ok: true, dev: 'x' }; },
    close: async () => { log.push(`${host} close`); },
  }) as unknown as HelperApi & { close(): Promise<void> };
  const helpers = lazyHelpers(async (host) => { opened.push(host); return helper(host); });
  return { log, opened, helpers };
}

describe('probes across hosts', () => {
  it('each probe runs on the host of its source namespace (the host itself: local), each host opened once', async () => {
    const r = recorded();
    const results = await runLabTests(T, routedProbes((n) => ON[n]!, r.helpers.helperOf));
    assert.deepEqual(results.map((x) => x.status), ['passed', 'passed', 'passed']);
    assert.deepEqual(r.log.sort(), ['a icmp r1 10.9.0.2', 'b tcp r2 10.9.0.1:22', 'local route null 10.9.0.2']);
    assert.deepEqual(r.opened.sort(), ['a', 'b', 'local']);
    await r.helpers.close();
    assert.deepEqual(r.log.filter((l) => l.endsWith('close')).sort(), ['a close', 'b close', 'local close']);
  });

  it('a failed reach is reported without a path walk (no one kernel shows a path across hosts)', async () => {
    const r = recorded(['10.9.0.2']);
    const results = await runLabTests(T, routedProbes((n) => ON[n]!, r.helpers.helperOf), { only: [0] });
    assert.equal(results[0]!.status, 'failed');
    assert.equal(results[0]!.finding, undefined);
  });

  it('the matrix: one probe-icmp per source namespace, through its host', async () => {
    const r = recorded(['10.9.0.1']);
    const m = await crossHostMatrix(T, (n) => ON[n]!, r.helpers.helperOf);
    assert.deepEqual(m.map((x) => `${x.from}>${x.target} ${x.ok}`), ['r1>10.9.0.2 true', 'r2>10.9.0.1 false']);
    assert.deepEqual(r.log.sort(), ['a icmp r1 10.9.0.2', 'b icmp r2 10.9.0.1']);
  });
});
