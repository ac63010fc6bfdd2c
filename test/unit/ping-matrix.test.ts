/**
 * The fping matrix: how probes become fping processes in groups under the neighbour budget,
 * the flush after each group (only the lab's namespaces), and the second try of failures.
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { fakeSystem } from '../support/fake-system.js';
import { flushBatch, matrixGroups, pingMatrix } from '../../src/helper/ping-matrix.js';
import type { Probe } from '../../src/core/diagnose/reach.js';

const probe = (from: string, target: string): Probe => ({ from, to: target, target, kind: 'namespace' });
/** a full mesh of n namespaces a1..an with one address each */
function mesh(n: number): Probe[] {
  const out: Probe[] = [];
  for (let i = 1; i <= n; i++) for (let j = 1; j <= n; j++) if (i !== j) out.push(probe(`a${i}`, `10.0.0.${j}`));
  return out;
}

describe('ping matrix: groups', () => {
  it('whole sources per group while two entries per probe fit the budget', () => {
    const g = matrixGroups(mesh(10), 40); // 9 probes a source = 18 entries: two sources a group
    assert.deepEqual(g.map((x) => x.map((u) => `${u.from}:${u.probes.length}`)), [
      ['a1:9', 'a2:9'], ['a3:9', 'a4:9'], ['a5:9', 'a6:9'], ['a7:9', 'a8:9'], ['a9:9', 'a10:9'],
    ]);
    assert.equal(matrixGroups(mesh(50)).length, 10, 'lan(50) at the default budget: 5 sources a group');
  });
  it('a source whose probes alone pass the budget is split', () => {
    const g = matrixGroups(mesh(10), 10);
    assert.deepEqual(g[0]!.map((u) => `${u.from}:${u.probes.join(',')}`), ['a1:0,1,2,3,4']);
    assert.deepEqual(g[1]!.map((u) => `${u.from}:${u.probes.join(',')}`), ['a1:5,6,7,8']);
    assert.equal(g.flat().reduce((n, u) => n + u.probes.length, 0), 90, 'every probe once');
  });
  it('the flush: one ip -b line per lab namespace, the program by absolute path', () => {
    assert.equal(flushBatch('/usr/sbin/ip', ['a1', 'a2']), 'netns exec a1 /usr/sbin/ip neigh flush all\nnetns exec a2 /usr/sbin/ip neigh flush all\n');
  });
});

describe('ping matrix: a run against a recorded runner', () => {
  it('fping per source, a flush after each group, failures tried once more, a missing source fails at once', async () => {
    let round = 0;
    const fs = fakeSystem((argv) => {
      if (argv[0] !== 'ip' || argv[1] !== 'netns') return undefined;
      const targets = argv.slice(argv.indexOf('--') + 1);
      // a2 -> 10.0.0.3 is lost the first time only; 10.0.0.9 never answers
      const lost = (t: string) => t === '10.0.0.9' || (argv[3] === 'a2' && t === '10.0.0.3' && round++ === 0);
      return { code: 0, stdout: targets.map((t) => (lost(t) ? `${t} is unreachable` : `${t} is alive (0.05 ms)`)).join('\n'), stderr: '' };
    });
    const list = [probe('a1', '10.0.0.2'), probe('a1', '10.0.0.9'), probe('a2', '10.0.0.1'), probe('a2', '10.0.0.3'), probe('gone', '10.0.0.1')];
    const r = await pingMatrix(fs, list, new Set(['a1', 'a2']), { fping: '/usr/bin/fping', labNamespaces: ['a1', 'a2'], budget: 4, ip: '/usr/sbin/ip' });
    assert.deepEqual(r.results.map((x) => [x.from, x.target, x.ok, x.error]), [
      ['a1', '10.0.0.2', true, undefined], ['a1', '10.0.0.9', false, 'no reply'],
      ['a2', '10.0.0.1', true, undefined], ['a2', '10.0.0.3', true, undefined],
      ['gone', '10.0.0.1', false, 'namespace gone does not exist'],
    ]);
    assert.equal(r.retried, 2);
    assert.deepEqual(fs.calls.map((c) => c.argv.join(' ') + (c.input ? ` < ${c.input.trim().split('\n').length} lines` : '')), [
      'ip netns exec a1 /usr/bin/fping -e -r 0 -t 1000 -i 1 -- 10.0.0.2 10.0.0.9',
      'ip -force -b - < 2 lines',
      'ip netns exec a2 /usr/bin/fping -e -r 0 -t 1000 -i 1 -- 10.0.0.1 10.0.0.3',
      'ip -force -b - < 2 lines',
      // the second round: only the failures
      'ip netns exec a1 /usr/bin/fping -e -r 0 -t 1000 -i 1 -- 10.0.0.9',
      'ip netns exec a2 /usr/bin/fping -e -r 0 -t 1000 -i 1 -- 10.0.0.3',
      'ip -force -b - < 2 lines',
    ]);
  });
});
