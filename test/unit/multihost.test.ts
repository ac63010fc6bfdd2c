/**
 * The multi-host orchestration (src/engine/multihost.ts) over recorded fake helpers: what is
 * asked of which host, in which order, and what a failure on one host does to the others.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { Topology } from '../../src/core/model/model.js';
import type { LiveState } from '../../src/core/observe/observe.js';
import type { ApplyResult, PlanWithDigest } from '../../src/helper/protocol.js';
import { HelperFailure } from '../../src/engine/helper-client.js';
import { addressOf, multiApply, multiDestroy, multiPlan, multiStatus, type HostEvent, type HostHelper, type LabHost, type Splitter } from '../../src/engine/multihost.js';

/** one namespace on each host (ns-local, ns-b, ns-c) */
const T = { version: 1, name: 'lab', namespaces: [{ name: 'ns-local' }, { name: 'ns-b' }, { name: 'ns-c' }] } as Topology;
const HOSTS: LabHost[] = [{ name: 'local' }, { name: 'b', ssh: 'root@192.0.2.2', underlay: 'ul0' }, { name: 'c', ssh: 'root@192.0.2.3' }];

/** a split where each host's part holds one namespace named after it */
const splitter: Splitter = {
  hostsOf: () => HOSTS,
  hostOf: (_t, node) => node.replace(/^ns-/, ''),
  hostsNeedingUnderlay: () => ['b', 'c'],
  underlaySpec: (h) => (h.underlay ? { ifname: h.underlay } : h.ssh ? { address: h.ssh.split('@')[1]! } : undefined),
  splitByHost: (_t, underlay) => HOSTS.map((h) => ({ host: h.name, topology: { version: 1, name: 'lab', namespaces: [{ name: `ns-${h.name}`, note: underlay[h.name] ?? '' }] } as Topology })),
};

const plan = (steps: number): PlanWithDigest => ({ steps: Array.from({ length: steps }, (_, i) => ({ step: { op: 'netns-add', name: `x${i}` }, summary: `s${i}` })), errors: [], objects: [], digest: 'd'.repeat(64) } as unknown as PlanWithDigest);
const done = (steps: number): ApplyResult => ({ steps, processes: 1, durationMs: 1, remaining: [] });
const live = (ifname: string, cidr: string): LiveState => ({ host: { links: [{ name: ifname, addresses: [{ cidr: 'fe80::1/64', family: 6, scope: 'link' }, { cidr, family: 4, scope: 'global' }] }] } } as unknown as LiveState);

interface Fake { calls: string[]; closed: boolean; helper: HostHelper }
type Behaviour = Partial<{ [K in keyof HostHelper]: (...a: Parameters<HostHelper[K]>) => ReturnType<HostHelper[K]> }>;

function fakes(behave: Record<string, Behaviour & { connect?: () => Promise<void> }> = {}) {
  const log: string[] = [];
  const made = new Map<string, Fake>();
  const connect = async (h: LabHost): Promise<HostHelper> => {
    log.push(`${h.name} connect`);
    await behave[h.name]?.connect?.();
    const b = behave[h.name] ?? {};
    const f: Fake = { calls: [], closed: false, helper: undefined as unknown as HostHelper };
    const rec = (op: string, detail = '') => { log.push(`${h.name} ${op}${detail}`); f.calls.push(op); };
    f.helper = {
      plan: (p) => { rec('plan'); return b.plan ? b.plan(p) : Promise.resolve(plan(2)); },
      apply: (p, on) => { rec('apply', `${p.expect ? ` expect ${p.expect.steps}` : ''}${p.approveRoot ? ` root ${p.approveRoot.slice(0, 4)}` : ''}`); on?.({ done: 1, total: 2, message: 'step one' }); return b.apply ? b.apply(p, on) : Promise.resolve(done(2)); },
      destroy: (p, on) => { rec('destroy', ` ${p.name}${p.kill ? ' kill' : ''}`); return b.destroy ? b.destroy(p, on) : Promise.resolve(done(3)); },
      observe: (p) => { rec('observe'); return b.observe ? b.observe(p) : Promise.resolve(live('ul0', '192.0.2.2/24')); },
      services: (p) => { rec('services'); return b.services ? b.services(p) : Promise.resolve({ services: [] }); },
      cancelRunning: (...a) => { rec('cancel'); return b.cancelRunning ? b.cancelRunning(...a) : Promise.resolve(); },
      close: async () => { f.closed = true; },
    };
    made.set(h.name, f);
    return f.helper;
  };
  const events: HostEvent[] = [];
  return { log, made, events, opts: { connect, onEvent: (e: HostEvent) => events.push(e) } };
}

const states = (r: { hosts: { host: string; state: string }[] }) => Object.fromEntries(r.hosts.map((h) => [h.host, h.state]));

describe('multi-host apply', () => {
  it('connects, resolves an underlay interface through its host, plans everywhere, then applies each host exactly its plan', async () => {
    const f = fakes();
    const r = await multiApply(T, splitter, f.opts);
    assert.equal(r.ok, true);
    assert.deepEqual(states(r), { local: 'ok', b: 'ok', c: 'ok' });
    // b's underlay was an interface name: its helper was asked; c's was its ssh address
    assert.deepEqual(f.made.get('b')!.calls, ['observe', 'plan', 'apply']);
    assert.deepEqual(f.made.get('c')!.calls, ['plan', 'apply']);
    // every plan came before any apply, each apply carried its plan's step count
    const firstApply = f.log.findIndex((l) => l.includes(' apply'));
    assert.ok(f.log.filter((l) => l.endsWith(' plan')).every((l) => f.log.indexOf(l) < firstApply));
    assert.deepEqual(f.log.filter((l) => l.includes(' apply')).sort(), ['b apply expect 2', 'c apply expect 2', 'local apply expect 2']);
    assert.ok([...f.made.values()].every((x) => x.closed), 'every helper closed');
    // progress says which host is at which step
    assert.ok(f.events.some((e) => e.host === 'c' && e.phase === 'apply' && e.done === 1 && e.total === 2));
  });

  it('the resolved underlay addresses reach the split', async () => {
    let seen: Record<string, string> = {};
    const f = fakes({ b: { observe: () => Promise.resolve(live('ul0', '192.0.2.22/24')) } });
    await multiPlan(T, { ...splitter, splitByHost: (t, u) => { seen = u; return splitter.splitByHost(t, u); } }, f.opts);
    assert.deepEqual(seen, { b: '192.0.2.22', c: '192.0.2.3' });
  });

  it('an unreachable host stops everything before anything changes anywhere', async () => {
    const f = fakes({ c: { connect: () => Promise.reject(new HelperFailure({ code: 'helper-exited', message: 'cannot reach host c (Connection refused)' })) } });
    const r = await multiApply(T, splitter, f.opts);
    assert.equal(r.ok, false);
    assert.equal(r.stage, 'connect');
    assert.deepEqual(states(r), { local: 'not-run', b: 'not-run', c: 'unreachable' });
    assert.match(r.hosts.find((h) => h.host === 'c')!.message!, /Connection refused/);
    assert.ok(!f.log.some((l) => / (plan|apply|observe)/.test(l)), f.log.join('\n'));
    assert.ok([...f.made.values()].every((x) => x.closed));
  });

  it('an underlay interface without an address is refused, naming the host and the interface', async () => {
    const f = fakes({ b: { observe: () => Promise.resolve(live('eth9', '192.0.2.2/24')) } });
    const r = await multiApply(T, splitter, f.opts);
    assert.equal(r.stage, 'underlay');
    assert.equal(r.hosts.find((h) => h.host === 'b')!.state, 'refused');
    assert.match(r.hosts.find((h) => h.host === 'b')!.message!, /ul0/);
    assert.ok(!f.log.some((l) => / (plan|apply)/.test(l)));
  });

  it('a plan refused on one host: no host applies', async () => {
    const f = fakes({ b: { plan: () => Promise.resolve({ ...plan(1), errors: [{ code: 'clash', severity: 'error', message: 'eth0 exists and is not owned', path: [] }] } as unknown as PlanWithDigest) } });
    const r = await multiApply(T, splitter, f.opts);
    assert.equal(r.stage, 'plan');
    assert.deepEqual(states(r), { local: 'not-run', b: 'refused', c: 'not-run' });
    assert.ok(!f.log.some((l) => l.includes(' apply')));
  });

  it('a host failing mid-apply: the others are asked to stop before their next group of steps, each host is reported', async () => {
    let releaseLocal: (cancelled: boolean) => void = () => {};
    const f = fakes({
      c: { apply: () => Promise.reject(new HelperFailure({ code: 'helper-exited', message: 'cannot reach host c (Connection closed by 192.0.2.3 port 22)' })) },
      local: {
        apply: () => new Promise((resolve, reject) => {
          releaseLocal = (cancelled) => (cancelled ? reject(new HelperFailure({ code: 'cancelled', message: 'cancelled after 1 of 2 step(s)' })) : resolve(done(2)));
        }),
        cancelRunning: async () => { releaseLocal(true); },
      },
    });
    const r = await multiApply(T, splitter, f.opts);
    assert.equal(r.ok, false);
    // b had finished before c failed; local was stopped between two groups of steps
    assert.deepEqual(states(r), { local: 'cancelled', b: 'ok', c: 'unreachable' });
    assert.match(r.hosts.find((h) => h.host === 'c')!.message!, /Connection closed/);
    assert.match(r.hosts.find((h) => h.host === 'local')!.message!, /stopped because another host failed: cancelled after 1 of 2/);
    assert.ok(f.events.some((e) => e.host === 'local' && /host c failed: this host stops before its next group of steps/.test(e.message)));
    // one apply per host and a cancel to the others, nothing after it
    assert.deepEqual(f.made.get('local')!.calls.slice(-2), ['apply', 'cancel']);
    assert.deepEqual(f.made.get('b')!.calls.slice(-2), ['apply', 'cancel']);
    assert.equal(f.made.get('c')!.calls.at(-1), 'apply');
  });

  it('a step failing on one host is that host\'s error, with the kernel\'s message', async () => {
    const f = fakes({ b: { apply: () => Promise.reject(new HelperFailure({ code: 'step-failed', message: 'step 3 failed: RTNETLINK answers: File exists', step: 3 })) } });
    const r = await multiApply(T, splitter, f.opts);
    assert.deepEqual(states(r), { local: 'ok', b: 'failed', c: 'ok' });
    assert.equal(r.hosts.find((h) => h.host === 'b')!.error!.step, 3);
  });

  it('an empty plan is not sent as an apply', async () => {
    const f = fakes({ b: { plan: () => Promise.resolve(plan(0)) } });
    const r = await multiApply(T, splitter, f.opts);
    assert.equal(r.ok, true);
    assert.deepEqual(f.made.get('b')!.calls, ['observe', 'plan']);
  });

  it('status: every host\'s objects and overall state', async () => {
    const f = fakes({ c: { plan: () => Promise.resolve({ ...plan(1), objects: [{ kind: 'namespace', name: 'n', scope: null, state: 'missing' }] } as unknown as PlanWithDigest) } });
    const r = await multiStatus(T, splitter, f.opts);
    assert.equal(r.overall.c, 'not-applied');
    assert.equal(r.overall.b, 'not-applied');
  });
});

describe('root commands across hosts', () => {
  const rootPlan = (digest: string) => () => Promise.resolve({ ...plan(2), rootCommands: [{ kind: 'service', ns: 'ns-c', which: 'echo', text: 'socat …', user: 'root' }], rootDigest: digest } as unknown as PlanWithDigest);
  it('not approved: refused on the host that runs them, nothing applied anywhere', async () => {
    const f = fakes({ c: { plan: rootPlan('c'.repeat(64)) } });
    let asked: unknown;
    const r = await multiApply(T, splitter, { ...f.opts, approveRoot: (roots) => { asked = roots; return false; } });
    assert.equal(r.ok, false);
    assert.equal(r.stage, 'plan');
    assert.deepEqual(states(r), { local: 'not-run', b: 'not-run', c: 'refused' });
    assert.deepEqual((asked as { host: string }[]).map((x) => x.host), ['c']);
    assert.equal(r.hosts.find((h) => h.host === 'c')!.error!.code, 'root-not-approved');
    assert.ok(!f.log.some((l) => l.includes(' apply')));
  });
  it('without an approver it is refused too', async () => {
    const f = fakes({ c: { plan: rootPlan('c'.repeat(64)) } });
    const r = await multiApply(T, splitter, f.opts);
    assert.equal(r.hosts.find((h) => h.host === 'c')!.state, 'refused');
  });
  it('approved: each host gets its own plan\'s digest, and only a host that runs any', async () => {
    const f = fakes({ b: { plan: rootPlan('b'.repeat(64)) }, c: { plan: rootPlan('c'.repeat(64)) } });
    const r = await multiApply(T, splitter, { ...f.opts, approveRoot: () => true });
    assert.equal(r.ok, true);
    assert.deepEqual(f.log.filter((l) => l.includes(' apply')).sort(), ['b apply expect 2 root bbbb', 'c apply expect 2 root cccc', 'local apply expect 2']);
  });
});

describe('destroy held by processes, and services in status', () => {
  const holder = { ns: 'ns-b', pid: 42, user: 'alice', command: 'bash -i' };
  it('a host held by processes refuses, naming them; the others are destroyed; kill is sent to every host', async () => {
    const f = fakes({ b: { destroy: (p) => (p.kill ? Promise.resolve(done(1)) : Promise.reject(new HelperFailure({ code: 'destroy-held', message: 'held', holders: [holder] }))) } });
    const r = await multiDestroy('lab', HOSTS, undefined, f.opts);
    assert.deepEqual(states(r), { local: 'ok', b: 'refused', c: 'ok' });
    assert.deepEqual(r.hosts.find((h) => h.host === 'b')!.holders, [holder]);
    assert.match(r.hosts.find((h) => h.host === 'b')!.message!, /1 process\(es\) are still inside/);
    const k = fakes({ b: { destroy: (p) => (p.kill ? Promise.resolve(done(1)) : Promise.reject(new HelperFailure({ code: 'destroy-held', message: 'held', holders: [holder] }))) } });
    const again = await multiDestroy('lab', HOSTS, undefined, { ...k.opts, kill: true });
    assert.equal(again.ok, true);
    assert.deepEqual(k.log.filter((l) => l.includes('destroy')).sort(), ['b destroy lab kill', 'c destroy lab kill', 'local destroy lab kill']);
  });
  it('status reads each host\'s services; one that does not run makes an in-sync host drifted', async () => {
    const inSync = () => Promise.resolve({ ...plan(0), objects: [{ kind: 'namespace', name: 'n', scope: null, state: 'in-sync' }] } as unknown as PlanWithDigest);
    const f = fakes({
      b: { plan: inSync, services: () => Promise.resolve({ services: [{ ns: 'ns-b', name: 'web', state: 'exited', code: 1 }] } as never) },
      c: { plan: inSync },
    });
    const r = await multiStatus(T, splitter, f.opts);
    assert.equal(r.overall.b, 'drifted');
    assert.equal(r.overall.c, 'in-sync');
    assert.equal(r.hosts.find((h) => h.host === 'b')!.services![0]!.name, 'web');
  });
});

describe('a host the file puts nothing on', () => {
  const onlyRemote = { ...T, namespaces: [{ name: 'ns-b' }, { name: 'ns-c' }] } as Topology;
  const noLocal = () => fakes({ local: { connect: () => Promise.reject(new HelperFailure({ code: 'no-privilege', message: 'sudo -n refused: the helper rule is not installed' })) } });
  it('is skipped when its helper cannot be started (a laptop driving remote hosts), and said so', async () => {
    const f = noLocal();
    const r = await multiApply(onlyRemote, splitter, f.opts);
    assert.equal(r.ok, true);
    assert.deepEqual(states(r), { local: 'skipped', b: 'ok', c: 'ok' });
    assert.match(r.hosts[0]!.message!, /nothing of this lab is on it.*sudo -n refused.*an earlier version of the file put there stays/);
    assert.deepEqual(r.hosts.map((h) => h.host), ['local', 'b', 'c']);
  });
  it('but a host the file puts something on stops everything when it cannot be reached', async () => {
    const f = noLocal();
    const r = await multiApply(T, splitter, f.opts);
    assert.deepEqual(states(r), { local: 'unreachable', b: 'not-run', c: 'not-run' });
  });
  it('destroy skips it too, and names what it skipped', async () => {
    const f = noLocal();
    const r = await multiDestroy('lab', HOSTS, splitter.splitByHost(onlyRemote, {}).map((p) => (p.host === 'local' ? { ...p, topology: { version: 1, name: 'lab' } as Topology } : p)), f.opts);
    assert.equal(r.ok, true);
    assert.deepEqual(states(r), { local: 'skipped', b: 'ok', c: 'ok' });
  });
});

describe('multi-host destroy', () => {
  it('destroys on every host, and names an unreachable one with what the file put there', async () => {
    const parts = splitter.splitByHost(T, {});
    const f = fakes({ b: { connect: () => Promise.reject(new HelperFailure({ code: 'helper-exited', message: 'cannot reach host b (No route to host)' })) } });
    const r = await multiDestroy('lab', HOSTS, parts, f.opts);
    assert.deepEqual(states(r), { local: 'ok', b: 'unreachable', c: 'ok' });
    assert.deepEqual(r.hosts.find((h) => h.host === 'b')!.left, ['namespace ns-b']);
    assert.deepEqual(f.log.filter((l) => l.includes('destroy')).sort(), ['c destroy lab', 'local destroy lab']);
  });

  it('a host that does not answer is left after its deadline instead of hanging', async () => {
    const f = fakes({ c: { destroy: () => new Promise(() => {}) } });
    const r = await multiDestroy('lab', HOSTS, undefined, { ...f.opts, destroyTimeoutMs: 50 });
    assert.deepEqual(states(r), { local: 'ok', b: 'ok', c: 'failed' });
    assert.match(r.hosts.find((h) => h.host === 'c')!.message!, /host c: no answer within/);
    assert.ok(f.made.get('c')!.closed);
  });
});

describe('underlay address of an interface', () => {
  it('the global IPv4 address first, never a link-local one', () => {
    assert.equal(addressOf(live('ul0', '192.0.2.9/24'), 'ul0'), '192.0.2.9');
    assert.equal(addressOf(live('ul0', '192.0.2.9/24'), 'eth0'), undefined);
  });
});
