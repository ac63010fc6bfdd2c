/** Many namespaces' batches run as a few `ip -b -` processes of `netns exec NS ip -b FILE` lines. */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { APPLY_DIR, changedScopes, execute } from '../../src/helper/execute.js';
import { NS_BATCH } from '../../src/helper/observe.js';
import { Phase, type PlannedStep } from '../../src/core/plan/steps.js';
import { fakeSystem } from '../support/fake-system.js';

/** per namespace: an address and lo up (2 steps); 30 namespaces */
function plan(n = 30): PlannedStep[] {
  const out: PlannedStep[] = [];
  for (let i = 1; i <= n; i++) {
    out.push({ phase: Phase.Configure, step: { op: 'addr-add', ns: `n${i}`, dev: 'eth0', cidr: `10.0.${i}.2/24` }, summary: '' });
    out.push({ phase: Phase.Configure, step: { op: 'link-set', ns: `n${i}`, name: 'lo', up: true }, summary: '' });
  }
  return out;
}

describe('chunked execution of many namespaces', () => {
  it('runs 30 namespaces in 2 processes, one batch file each, removed afterwards', async () => {
    const sys = fakeSystem();
    const r = await execute(plan(), { runner: sys });
    assert.equal(r.ok, true);
    assert.equal(r.stepsRun, 60);
    assert.equal(sys.calls.length, 2);
    for (const c of sys.calls) assert.deepEqual(c.argv, ['ip', '-b', '-']);
    const lines = sys.calls.flatMap((c) => c.input.split('\n').filter(Boolean));
    assert.equal(lines.length, 30);
    assert.equal(lines[2], `netns exec n3 ip -b ${APPLY_DIR}/${process.pid}.n3.batch`);
    const n3 = sys.written.find((w) => w.path === `${APPLY_DIR}/${process.pid}.n3.batch`);
    assert.equal(n3?.data, 'addr add 10.0.3.2/24 dev eth0\nlink set dev lo up\n');
    assert.equal([...sys.files.keys()].filter((f) => f.startsWith(APPLY_DIR)).length, 0, 'batch files removed');
  });

  it('names the failing step from the parent\'s and the child\'s line numbers, with the kernel\'s message', async () => {
    const sys = fakeSystem((argv, input) => (input.includes('netns exec n3 ') && !input.includes('netns exec n30 ')
      ? { code: 1, stdout: '', stderr: `Error: ipv4: Address already assigned.\nCommand failed ${APPLY_DIR}/${process.pid}.n3.batch:2\nCommand failed -:3\n` }
      : undefined));
    const r = await execute(plan(), { runner: sys });
    assert.equal(r.ok, false);
    // n3's second step is index 5 of the plan (n1: 0,1; n2: 2,3; n3: 4,5)
    assert.equal(r.failure!.step, 5);
    assert.equal(r.failure!.kernel, 'Error: ipv4: Address already assigned.');
    assert.deepEqual(r.failure!.argv, ['ip', '-n', 'n3', 'link', 'set', 'dev', 'lo', 'up']);
  });

  it('an injected fault stops its chunk at that step: nothing after it in the chunk runs', async () => {
    const sys = fakeSystem();
    const r = await execute(plan(), { runner: sys, faultAt: 7 });
    assert.equal(r.ok, false);
    assert.equal(r.failure!.step, 7);
    assert.match(r.failure!.kernel, /injected fault/);
    const n4 = sys.written.find((w) => w.path === `${APPLY_DIR}/${process.pid}.n4.batch`);
    assert.equal(n4?.data, 'addr add 10.0.4.2/24 dev eth0\n');
    const first = sys.calls[0]!.input.split('\n').filter(Boolean);
    assert.equal(first[first.length - 1], `netns exec n4 ip -b ${APPLY_DIR}/${process.pid}.n4.batch`);
  });

  it('few namespaces keep one process each', async () => {
    const sys = fakeSystem();
    const r = await execute(plan(3), { runner: sys });
    assert.equal(r.ok, true);
    assert.deepEqual(sys.calls.map((c) => c.argv.join(' ')).sort(), ['ip -n n1 -b -', 'ip -n n2 -b -', 'ip -n n3 -b -']);
    assert.equal(sys.written.length, 0);
  });
});

describe('reading each namespace back at the end of its batch (the verify then starts no process for it)', () => {
  /** answers each chunk like iproute2 would: per read-back line, its JSON arrays, tagged with the namespace */
  const answering = (maps = new Set<string>()) => fakeSystem((argv, input) => {
    if (argv.join(' ') !== 'ip -b -') return undefined;
    const out = input.split('\n').filter(Boolean).map((l) => {
      const m = /^netns exec (\S+) ip (-j -d -s )?-b (\S+)$/.exec(l);
      if (!m?.[2]) return '';
      return `[{"ifname":"eth0","ns":"${m[1]}"}]\n[]\n[]\n${maps.has(m[1]!) ? '[{"nsid":0}]\n' : ''}`;
    }).join('');
    return { code: 0, stdout: out, stderr: '' };
  });

  it('appends the reads to the batch of every namespace no later phase changes, and returns what they printed', async () => {
    const sys = answering(new Set(['n3']));
    const p = plan(10);
    // n2 gets a qdisc in the last phase: its read would be stale, so it is read by the verify
    p.push({ phase: Phase.Shape, step: { op: 'qdisc-del', ns: 'n2', dev: 'eth0' }, summary: '' });
    const r = await execute(p, { runner: sys, readBack: { nsidMaps: new Set(['n3']) } });
    assert.equal(r.ok, true);
    const lines = sys.calls[0]!.input.split('\n').filter(Boolean);
    assert.equal(lines[0], `netns exec n1 ip -j -d -s -b ${APPLY_DIR}/${process.pid}.n1.batch`);
    assert.equal(lines[1], `netns exec n2 ip -b ${APPLY_DIR}/${process.pid}.n2.batch`);
    const file = (ns: string) => sys.written.find((w) => w.path === `${APPLY_DIR}/${process.pid}.${ns}.batch`)?.data;
    assert.equal(file('n1'), `addr add 10.0.1.2/24 dev eth0\nlink set dev lo up\n${NS_BATCH}`);
    assert.equal(file('n2'), 'addr add 10.0.2.2/24 dev eth0\nlink set dev lo up\n');
    // n3 has a veth to another namespace: its nsid map is read too
    assert.equal(file('n3'), `addr add 10.0.3.2/24 dev eth0\nlink set dev lo up\n${NS_BATCH}netns list-id\n`);
    assert.deepEqual([...r.reads!.keys()].sort(), ['n1', 'n10', 'n3', 'n4', 'n5', 'n6', 'n7', 'n8', 'n9']);
    assert.deepEqual(r.reads!.get('n7'), [[{ ifname: 'eth0', ns: 'n7' }], [], []]);
    assert.deepEqual(r.reads!.get('n3')![3], [{ nsid: 0 }]);
  });

  it('does not read back a namespace whose veth peer is in a namespace being deleted (the kernel removes that peer later)', async () => {
    const sys = answering();
    const p: PlannedStep[] = [{ phase: Phase.Teardown, step: { op: 'netns-del', name: 'gone' }, summary: '' }, ...plan(10)];
    const live = {
      host: { links: [] },
      namespaces: [{ name: 'gone', links: [{ name: 'x', peer: { ns: 'n5', name: 'y' } }] }],
    } as never;
    const r = await execute(p, { runner: sys, live, readBack: { nsidMaps: new Set() } });
    assert.equal(r.ok, true);
    assert.equal(r.reads!.has('n5'), false);
    assert.equal(r.reads!.size, 9);
  });

  it('reads back after the last phase that changes a namespace, whatever the order of the plan', async () => {
    const sys = answering();
    // a qdisc step listed before the Configure steps still runs after them
    const p: PlannedStep[] = [{ phase: Phase.Shape, step: { op: 'qdisc-del', ns: 'n1', dev: 'eth0' }, summary: '' }, ...plan(10)];
    const r = await execute(p, { runner: sys, readBack: { nsidMaps: new Set() } });
    assert.equal(r.reads!.has('n1'), false);
    assert.equal(r.reads!.size, 9);
  });

  it('uses nothing from output that does not split into each namespace\'s arrays', async () => {
    const sys = fakeSystem((argv) => (argv.join(' ') === 'ip -b -' ? { code: 0, stdout: '[]\n', stderr: '' } : undefined));
    const r = await execute(plan(10), { runner: sys, readBack: { nsidMaps: new Set() } });
    assert.equal(r.ok, true);
    assert.equal(r.reads!.size, 0);
  });

  it('runs the host\'s groups of a phase beside the chunked namespaces, and still reads every namespace back', async () => {
    const sys = answering();
    const p = plan(10);
    p.push({ phase: Phase.Configure, step: { op: 'link-set', ns: null, name: 'vn1', up: true }, summary: '' });
    const r = await execute(p, { runner: sys, readBack: { nsidMaps: new Set() } });
    assert.equal(r.stepsRun, 21);
    assert.deepEqual(sys.calls.map((c) => c.input.split('\n')[0]).sort(), ['link set dev vn1 up', `netns exec n1 ip -j -d -s -b ${APPLY_DIR}/${process.pid}.n1.batch`]);
    // setting the host end does not make n1's read stale (it changes only n1's operational state)
    assert.equal(r.reads!.size, 10);
  });

  it('with a test hook set, the host\'s groups run first and the namespaces after them', async () => {
    const sys = answering();
    const p = plan(10);
    p.push({ phase: Phase.Configure, step: { op: 'link-set', ns: null, name: 'vn1', up: true }, summary: '' });
    await execute(p, { runner: sys, killAt: 999, readBack: { nsidMaps: new Set() } });
    assert.equal(sys.calls[0]!.input, 'link set dev vn1 up\n');
  });

  it('a group cut by a hook is not read back', async () => {
    const sys = answering();
    const r = await execute(plan(10), { runner: sys, faultAt: 3, readBack: { nsidMaps: new Set() } });
    assert.equal(r.ok, false);
    assert.equal(sys.calls[0]!.input.split('\n').filter(Boolean).pop(), `netns exec n2 ip -b ${APPLY_DIR}/${process.pid}.n2.batch`);
  });

  it('what a step changes in a read: a veth end\'s settings do not change its peer\'s namespace, deleting it does', () => {
    const live = { host: { links: [{ name: 'vn1', peer: { ns: 'n1', name: 'eth0' } }] }, namespaces: [] } as never;
    assert.deepEqual(changedScopes({ op: 'link-set', ns: null, name: 'vn1', up: true }, live), [null]);
    assert.deepEqual(changedScopes({ op: 'link-del', ns: null, name: 'vn1' }, live), [null, 'n1']);
    assert.deepEqual(changedScopes({ op: 'dns-write', ns: 'n1', content: '' }, live), []);
    assert.deepEqual(changedScopes({ op: 'veth-add', a: { ns: 'n1', name: 'a' }, b: { ns: 'n2', name: 'b' } }, live), ['n1', 'n2']);
  });
});

describe('chunked execution and the kill hook (NETNS_LAB_KILL_AT)', () => {
  it('runs the steps before the index, then dies; nothing after it in the chunk runs', async () => {
    const sys = fakeSystem();
    let died = 0;
    const r = execute(plan(), { runner: sys, killAt: 9, die: () => { died++; throw new Error('killed'); } });
    await assert.rejects(r, /killed/);
    assert.equal(died, 1);
    const n5 = sys.written.find((w) => w.path === `${APPLY_DIR}/${process.pid}.n5.batch`);
    assert.equal(n5?.data, 'addr add 10.0.5.2/24 dev eth0\n');
    const first = sys.calls[0]!.input.split('\n').filter(Boolean);
    assert.equal(first[first.length - 1], `netns exec n5 ip -b ${APPLY_DIR}/${process.pid}.n5.batch`);
  });
});

describe('batch files of a killed helper', () => {
  it('are removed by the next apply; files of a live writer and other files stay', async () => {
    const sys = fakeSystem();
    sys.dirs.add('/proc/1');
    for (const f of [`${APPLY_DIR}/999999.n1.batch`, `${APPLY_DIR}/1.n2.batch`, '/run/netns-lab/observe.999999.4.batch', '/run/netns-lab/intent/x.json']) sys.files.set(f, 'x\n');
    const r = await execute(plan(2), { runner: sys });
    assert.equal(r.ok, true);
    assert.deepEqual([...sys.files.keys()].sort(), [`${APPLY_DIR}/1.n2.batch`, '/run/netns-lab/intent/x.json']);
  });
});

describe('batch files only in a private directory', () => {
  it('falls back to one process per namespace when the directory is not private', async () => {
    const sys = fakeSystem();
    sys.privateDir = async () => false;
    const r = await execute(plan(10), { runner: sys });
    assert.equal(r.ok, true);
    assert.equal(sys.calls.length, 10);
    assert.ok(sys.calls.every((c) => c.argv[1] === '-n'));
    assert.equal(sys.written.length, 0);
  });
});

describe('chunked sysctls of many namespaces (a chain of routers)', () => {
  const sysPlan = (n: number, value = '1'): PlannedStep[] => Array.from({ length: n }, (_, i) => ({ phase: Phase.Files, step: { op: 'sysctl' as const, ns: `r${i + 1}`, key: 'net.ipv4.ip_forward', value }, summary: '' }));
  it('runs them as netns exec lines of one ip -b process', async () => {
    const sys = fakeSystem();
    const r = await execute(sysPlan(10), { runner: sys });
    assert.equal(r.ok, true);
    assert.equal(r.stepsRun, 10);
    assert.equal(sys.calls.length, 1);
    assert.deepEqual(sys.calls[0]!.argv, ['ip', '-b', '-']);
    assert.equal(sys.calls[0]!.input.split('\n')[2], 'netns exec r3 sysctl -q -w net.ipv4.ip_forward=1');
  });
  it('names the namespace whose line failed, with the message', async () => {
    const sys = fakeSystem(() => ({ code: 1, stdout: '', stderr: 'sysctl: permission denied on key "net.ipv4.ip_forward"\nCommand failed -:4\n' }));
    const r = await execute(sysPlan(10), { runner: sys });
    assert.equal(r.ok, false);
    assert.equal(r.failure!.step, 3);
    assert.match(r.failure!.kernel, /permission denied/);
    assert.deepEqual(r.failure!.argv.slice(-1), ['net.ipv4.ip_forward=1']);
  });
  it('keeps one process per namespace for a value with spaces (a batch line would split it)', async () => {
    const sys = fakeSystem();
    const r = await execute(sysPlan(10, '4096 87380 6291456'), { runner: sys });
    assert.equal(r.ok, true);
    assert.equal(sys.calls.length, 10);
  });
});
