/** What destroy says (issue 15 item 1): never success with anything left; holders named; held namespaces found in one pass. */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { destroyReport, holderLines, holdersQuestion } from '../../src/core/plan/destroy-report.js';
import { othersInside } from '../../src/helper/ops/end-workloads.js';

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
  it('names the services it stopped (always) and the processes it ended (asked), in that order', () => {
    const r = destroyReport('web', { steps: 3, durationMs: 100, remaining: [], stoppedServices: ['ns2/web'], ended: [bash] });
    assert.equal(r.ok, true);
    assert.equal(r.detail, 'Stopped services:\nns2/web\nEnded:\nns1  pid 4242  alice  bash --rcfile /x/bashrc -i');
  });
  it('asks before ending processes, with one line per process and the action counted', () => {
    const q = holdersQuestion('article', [bash, { ...bash, pid: 7, ns: 'ns2', command: 'x'.repeat(200) }]);
    assert.equal(q.action, 'End 2 process(es) and destroy');
    assert.match(q.message, /2 process\(es\) are still running inside 'article' \(ns1, ns2\)/);
    assert.equal(holderLines([{ ...bash, command: 'x'.repeat(200) }])[0]!.length, 'ns1  pid 4242  alice  '.length + 120);
  });
});

describe('processes that hold a destroy', () => {
  // pid -> [netns inode, session id, uid]; the namespaces' inodes by name
  const sys = (procs: Record<number, [number, number, number]>, netns: Record<string, number>) => ({
    pids: () => Object.keys(procs).map(Number),
    inode: (p: string) => {
      const m = /^\/proc\/(\d+)\/ns\/net$/.exec(p);
      if (m) return procs[Number(m[1])]?.[0];
      return netns[p.replace('/run/netns/', '')];
    },
    read: (p: string) => {
      const m = /^\/proc\/(\d+)\/(stat|status|cmdline)$/.exec(p);
      const proc = m ? procs[Number(m[1])] : undefined;
      if (!proc) return p === '/etc/passwd' ? 'root:x:0:0::/root:/bin/sh\nalice:x:1000:1000::/home/alice:/bin/sh\n' : undefined;
      const [, sid, uid] = proc;
      if (m![2] === 'stat') return `${m![1]} (a b) S 1 ${sid} ${sid} 0 -1 0 0 0 0 0 0 0 0 0 20 0 1 0 777 0`;
      if (m![2] === 'status') return `Name:\tx\nUid:\t${uid}\t${uid}\t${uid}\t${uid}\n`;
      return `cmd-${m![1]}\0`;
    },
  }) as unknown as Parameters<typeof othersInside>[0];
  it('names each process inside the namespaces, except a running service\'s session; not other namespaces', () => {
    const s = sys({ 10: [201, 10, 1000], 11: [201, 10, 1000], 20: [201, 20, 1000], 30: [202, 30, 0], 40: [203, 40, 0] }, { ns1: 201, ns2: 202, other: 203 });
    const running = [{ ns: 'ns1', name: 'web', state: 'running' as const, pid: 10, restarts: 0 }];
    assert.deepEqual(othersInside(s, ['ns1', 'ns2'], running).map(({ ns, proc }) => `${ns} ${proc.pid} ${proc.user} ${proc.command}`),
      ['ns1 20 alice cmd-20', 'ns2 30 root cmd-30']);
    // an exited service's session is nobody's: its leftovers hold the namespace like any process
    assert.equal(othersInside(s, ['ns1'], [{ ...running[0]!, state: 'exited' }]).length, 3);
    assert.deepEqual(othersInside(s, ['gone'], []), []);
  });
});
