/** What destroy says (issue 15 item 1): never success with anything left; holders named; held namespaces found in one pass. */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { destroyReport, holderLines, holdersQuestion } from '../../src/core/destroy-report.js';
import { heldNamespaces } from '../../src/helper/holders.js';

const bash = { ns: 'ns1', pid: 4242, user: 'alice', command: 'bash --rcfile /x/bashrc -i' };

describe('destroy report', () => {
  it('is a failure naming what is left when a fresh plan still finds objects', () => {
    const r = destroyReport('article', { steps: 10, durationMs: 10600, remaining: ['delete veth veth1-br', 'delete namespace ns1'] });
    assert.equal(r.ok, false);
    assert.match(r.message, /Destroy of 'article' is incomplete: 2 object\(s\) are left/);
    assert.doesNotMatch(r.message, /Destroyed/);
    assert.equal(r.detail, 'Still there:\ndelete veth veth1-br\ndelete namespace ns1');
  });
  it('is a success saying nothing is left, and which processes it ended', () => {
    const r = destroyReport('article', { steps: 10, durationMs: 300, remaining: [], ended: [bash] });
    assert.equal(r.ok, true);
    assert.equal(r.message, "Destroyed 'article': 10 step(s) in 0.30 s after ending 1 process(es) in ns1; nothing is left.");
    assert.equal(r.detail, 'Ended:\nns1  pid 4242  alice  bash --rcfile /x/bashrc -i');
  });
  it('asks before ending processes, with one line per process and the action counted', () => {
    const q = holdersQuestion('article', [bash, { ...bash, pid: 7, ns: 'ns2', command: 'x'.repeat(200) }]);
    assert.equal(q.action, 'End 2 process(es) and destroy');
    assert.match(q.message, /2 process\(es\) are still running inside 'article' \(ns1, ns2\)/);
    assert.equal(holderLines([{ ...bash, command: 'x'.repeat(200) }])[0]!.length, 'ns1  pid 4242  alice  '.length + 120);
  });
});

describe('held namespaces', () => {
  const sys = (nets: Record<number, number>, netns: Record<string, number>) => ({
    pids: () => Object.keys(nets).map(Number),
    inode: (p: string) => {
      const m = /^\/proc\/(\d+)\/ns\/net$/.exec(p);
      if (m) return nets[Number(m[1])];
      return netns[p.replace('/run/netns/', '')];
    },
  });
  it('finds the namespaces some process is in, not its own, not unknown inodes', () => {
    const s = sys({ 1: 100, 50: 201, 51: 201, 60: 203, 99: 202 }, { ns1: 201, ns2: 202, ns3: 203, idle: 204 });
    assert.deepEqual(heldNamespaces(s, ['ns1', 'ns2', 'idle'], 99), ['ns1']);
    assert.deepEqual(heldNamespaces(s, ['ns1', 'ns2', 'ns3', 'idle'], 1), ['ns1', 'ns2', 'ns3']);
    assert.deepEqual(heldNamespaces(s, ['gone'], 1), []);
  });
});
