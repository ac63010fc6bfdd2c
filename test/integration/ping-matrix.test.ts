/**
 * The matrix of a larger lab through fping (src/helper/ping-matrix.ts): lan(20) plus an
 * isolated pair of namespaces. Every pair of the LAN answers on the first round (the only
 * probes tried again are the isolated ones, which fail twice); no sysctl of the sandbox's host
 * changes; the lab's neighbour tables are left empty; and the matrix recorded as expectations
 * (Record) passes as lab tests, ok:false pairs included.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { ProbeResult } from '../../src/core/diagnose/reach.js';
import { recordExpectations } from '../../src/core/diagnose/expect-record.js';
import type { Topology } from '../../src/core/model/model.js';
import { lan } from '../../bench/topologies.js';
import { cli, resetSandbox, sh } from './sandbox.js';

/** lan(20), and iso1 - iso2 on a veth of their own, reachable from nowhere else */
function lab(): Topology {
  const t = lan(20, 'matrix20');
  t.namespaces!.push({ name: 'iso1' }, { name: 'iso2' });
  t.links!.push({ a: { node: 'iso1', name: 'eth0', addresses: ['10.99.0.1/24'] }, b: { node: 'iso2', name: 'eth0', addresses: ['10.99.0.2/24'] } });
  return t;
}

const sysctls = () => sh('sysctl', ['-a']).split('\n').filter((l) => l.startsWith('net.') && !/\.(stable_secret|conf\.(all|default)\.)/.test(l) && !/^net\.(netfilter|ipv4\.neigh\.[^.]+\.(ucast|mcast))/.test(l)).sort().join('\n');

describe('the ping matrix through fping', () => {
  const dir = mkdtempSync(join(tmpdir(), 'netns-lab-matrix-'));
  const file = join(dir, 'matrix20.netns.json');
  before(async () => {
    await resetSandbox();
    writeFileSync(file, JSON.stringify(lab()));
    const r = cli(['apply', file]);
    assert.equal(r.code, 0, r.stderr);
  });
  after(async () => { rmSync(dir, { recursive: true, force: true }); await resetSandbox(); });

  let results: ProbeResult[] = [];
  it('every LAN pair answers on the first round; the isolated pairs fail (twice); nothing else changes', () => {
    const before = sysctls();
    const r = cli(['ping', file, '--json']);
    const j = JSON.parse(r.stdout) as { results: ProbeResult[]; retried: number; overflow: number; fping?: boolean };
    results = j.results;
    assert.equal(j.fping, true, 'the fping path ran');
    const lanProbes = j.results.filter((p) => p.from.startsWith('n') && (p.to.startsWith('n') || p.to === 'host'));
    assert.equal(lanProbes.length, 20 * 19 + 20);
    assert.deepEqual(lanProbes.filter((p) => !p.ok), []);
    const isolated = j.results.filter((p) => p.from.startsWith('iso') || p.to.startsWith('iso'));
    // iso1 and iso2 reach each other (their own link); nothing else reaches them or is reached by them
    assert.deepEqual(isolated.filter((p) => p.ok).map((p) => `${p.from}>${p.to}`).sort(), ['iso1>iso2', 'iso2>iso1']);
    const failing = isolated.filter((p) => !p.ok).length;
    assert.ok(failing > 0);
    assert.equal(j.retried, failing, 'only the probes that fail for real were tried a second time');
    assert.equal(j.overflow, 0);
    assert.equal(r.code, 1, 'some probes failed');
    assert.equal(sysctls(), before, 'no sysctl changed');
    for (const ns of ['n1', 'n7', 'n20', 'iso1']) assert.equal(sh('ip', ['-n', ns, 'neigh', 'show']).trim(), '', `${ns}'s neighbour table is flushed`);
  });

  it('the matrix recorded as expectations passes as lab tests', () => {
    const expect = recordExpectations(results);
    assert.ok(expect.some((e) => !e.ok) && expect.some((e) => e.ok));
    const t = { ...(JSON.parse(readFileSync(file, 'utf8')) as Topology), expect };
    const recorded = join(dir, 'recorded.netns.json');
    writeFileSync(recorded, JSON.stringify(t));
    const r = cli(['test', recorded]);
    assert.equal(r.code, 0, r.stdout.split('\n').filter((l) => l.startsWith('FAIL')).join('\n') + r.stderr);
    assert.equal(r.stdout.trimEnd().split('\n').at(-1), `${expect.length} passed, 0 failed`);
  });
});
