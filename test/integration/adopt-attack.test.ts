/**
 * Issue 13, findings 1, 3 and 4: the review's attacks, performed against a real helper in the
 * sandbox, by a caller that is not root (SUDO_UID set, as the sudo rule that "Install
 * Privileged Helper" writes runs it) unless a case says otherwise. After each attack nothing
 * outside the topology's own objects may have changed: interfaces (with their ifindex and
 * alias), addresses, routes, policy rules, namespaces (with their identity), /etc/netns, the
 * intent journal, iptables and the processes.
 *  - the sandbox's "eth0": a veth in the sandbox root with an address and the default route;
 *  - "docker0": a bridge with a port that is no topology's; "vx0": a vxlan device;
 *  - "victimns": a namespace with a process of another user (nobody, through setpriv);
 *  - c1 and c2 on a shared host bridge "cni0".
 */
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync, readdirSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { Topology } from '../../src/core/model/model.js';
import { HelperFailure, startHelper, type HelperClient } from '../../src/engine/helper-client.js';
import { sandboxProcesses, settledState, stateDiff, type SandboxState } from './live-state.js';
import { ROOT, cli, listNetns, resetSandbox, sh, tryRun } from './sandbox.js';

const HELPER = join(ROOT, 'dist', 'helper.js');
/** the unprivileged caller the sudo rule runs the helper for */
const USER = { SUDO_UID: '1000', SUDO_GID: '1000' };
const JOURNAL_DIR = '/run/netns-lab/intent';

interface Preview { take: { kind: string; scope: string | null; name: string }[]; refuse: { kind: string; name: string; reason: string }[]; clashes: string[]; lines: string[]; digest: string }

function helper(env: Record<string, string> = USER): Promise<HelperClient> {
  return startHelper({ helperPath: HELPER, elevation: 'direct', env });
}

async function refused(p: Promise<unknown>, code: string): Promise<void> {
  await assert.rejects(p, (e: unknown) => {
    assert.ok(e instanceof HelperFailure, String(e));
    assert.equal(e.error.code, code, e.error.message);
    return true;
  });
}

/** what the kernel assigns: every link's ifindex and every namespace's identity (a delete and re-create shows here) */
function identities(): Record<string, string> {
  const out: Record<string, string> = {};
  for (const ns of [null, ...listNetns()]) {
    const links = JSON.parse(sh('ip', [...(ns ? ['-n', ns] : []), '-j', 'link', 'show'])) as { ifindex: number; ifname: string }[];
    for (const l of links) out[`${ns ?? 'host'}/${l.ifname}`] = String(l.ifindex);
    if (ns) { const st = statSync(`/run/netns/${ns}`, { bigint: true }); out[`netns/${ns}`] = `${st.ino}@${st.mtimeNs}`; }
  }
  return out;
}

interface Whole { state: SandboxState; ids: Record<string, string>; procs: string[] }
const procList = () => sandboxProcesses().filter((p) => p.comm !== 'node' && p.comm !== 'ip').map((p) => `${p.pid} ${p.comm}`).sort();
async function whole(expected?: Whole): Promise<Whole> {
  return { state: await settledState(expected?.state), ids: identities(), procs: procList() };
}
function assertUnchanged(after: Whole, before: Whole, what: string): void {
  const d = [...stateDiff(after.state, before.state), ...stateDiff(after.ids, before.ids), ...stateDiff(after.procs, before.procs)];
  assert.deepEqual(d, [], `${what} changed the sandbox:\n  ${d.join('\n  ')}`);
}

/** the victim's process, as another user */
let victim: ChildProcess | undefined;

function buildHost(): void {
  sh('ip', ['link', 'set', 'lo', 'up']);
  sh('ip', ['-b', '-'], [
    // the host's "eth0" with the default route
    'link add eth0 type veth peer name eth0-far', 'addr add 192.0.2.10/24 dev eth0', 'link set eth0 up', 'link set eth0-far up',
    'route add default via 192.0.2.1',
    // "docker0" with a container's port, and a dummy device
    'link add docker0 type bridge', 'addr add 172.17.0.1/16 dev docker0', 'link set docker0 up',
    'link add vethd1 type veth peer name vethd1-c', 'link set vethd1 master docker0', 'link set vethd1 up',
    'link add vx0 type vxlan id 5 dstport 4789',
    'netns add victimns',
    // c1 and c2 on the shared bridge cni0
    'netns add c1', 'netns add c2',
    // a fixed MAC (as CNI sets one): a bridge losing a port keeps its address, c2's ARP entry stays right
    'link add cni0 address 02:00:00:00:00:88 type bridge', 'addr add 10.88.0.1/24 dev cni0', 'link set cni0 up',
    'link add cni-c1 type veth peer name eth0 netns c1', 'link set cni-c1 master cni0', 'link set cni-c1 up',
    'link add cni-c2 type veth peer name eth0 netns c2', 'link set cni-c2 master cni0', 'link set cni-c2 up',
  ].join('\n') + '\n');
  for (const [ns, a] of [['c1', '10.88.0.2/24'], ['c2', '10.88.0.3/24']] as const) {
    sh('ip', ['-n', ns, '-b', '-'], `link set lo up\naddr add ${a} dev eth0\nlink set eth0 up\nroute add default via 10.88.0.1\n`);
  }
  victim = spawn('ip', ['netns', 'exec', 'victimns', 'setpriv', '--reuid=65534', '--regid=65534', '--clear-groups', 'sleep', '600'], { stdio: 'ignore' });
}

async function waitForVictim(): Promise<void> {
  for (let i = 0; i < 100 && !sh('ip', ['netns', 'pids', 'victimns']).trim(); i++) await new Promise((r) => setTimeout(r, 20));
  assert.ok(sh('ip', ['netns', 'pids', 'victimns']).trim(), 'the victim process runs in victimns');
}

const topo = (name: string, parts: Record<string, unknown>) => ({ version: 1, name, ...parts }) as Topology;
const pingC2 = () => tryRun('ip', ['netns', 'exec', 'c2', 'ping', '-c', '1', '-W', '1', '10.88.0.1']).code === 0;

describe('adopt: the review attacks (issue 13, findings 1 and 4)', () => {
  let h: HelperClient;
  let baseline: Whole;
  before(async () => {
    await resetSandbox();
    buildHost();
    await waitForVictim();
    h = await helper();
    baseline = await whole();
  });
  after(async () => {
    await h?.close();
    if (victim) { const exited = new Promise((r) => victim!.once('exit', r)); victim.kill('SIGKILL'); await exited; }
    await resetSandbox();
  });

  /** preview, adopt exactly what it shows; both as the unprivileged caller */
  async function adopt(t: Topology, client = h): Promise<Preview> {
    const p = await client.adopt({ topology: t, preview: true });
    await client.adopt({ topology: t, expect: { digest: p.digest } });
    return p;
  }

  it('the sandbox really has what the attacks aim at (the checks can fail)', () => {
    assert.match(sh('ip', ['route', 'show', 'default']), /dev eth0/);
    assert.match(sh('ip', ['-br', 'link', 'show', 'master', 'docker0']), /vethd1/);
    assert.ok(pingC2());
    assert.notDeepEqual(identities(), {});
  });

  it('1a: the four-line takeover (eth0, docker0 as bridges; victimns) takes nothing; link-state and remove are refused', async () => {
    const t = topo('evil', { bridges: [{ name: 'eth0' }, { name: 'docker0' }], namespaces: [{ name: 'victimns' }] });
    const p = await adopt(t);
    assert.deepEqual(p.take, []);
    assert.deepEqual(p.refuse.map((r) => r.name).sort(), ['docker0', 'eth0', 'victimns']);
    assert.match(p.refuse.find((r) => r.name === 'eth0')!.reason, /veth, the topology declares a bridge/);
    assert.match(p.refuse.find((r) => r.name === 'victimns')!.reason, /processes of another user \(uid 65534\)/);
    await refused(h.linkState({ ns: null, name: 'eth0', up: false }), 'not-owned');
    await refused(h.remove({ ns: null, name: 'docker0' }), 'not-owned');
    await refused(h.remove({ ns: 'victimns' }), 'not-owned');
    assertUnchanged(await whole(baseline), baseline, 'the four-line attack');
  });

  it('1b: eth0 declared as the veth it is: refused for the default route it carries', async () => {
    const t = topo('evil', { bridges: [], namespaces: [], links: [{ a: { node: 'host', name: 'eth0', addresses: ['192.0.2.10/24'] }, b: { node: 'host', name: 'eth0-far' } }] });
    const p = await adopt(t);
    assert.deepEqual(p.take.filter((o) => o.name === 'eth0'), []);
    assert.match(p.refuse.find((r) => r.name === 'eth0')!.reason, /host route 'default via 192\.0\.2\.1'/);
    // its peer goes with it: a veth pair is taken whole or not at all
    assert.match(p.refuse.find((r) => r.name === 'eth0-far')!.reason, /peer 'eth0' in the host is not adopted/);
    await refused(h.linkState({ ns: null, name: 'eth0', up: false }), 'not-owned');
    assertUnchanged(await whole(baseline), baseline, 'adopting eth0 as a veth');
  });

  it('1c: docker0 with its own port declared too, but not the container end: the bridge and the pair stay alone', async () => {
    const t = topo('evil', { bridges: [{ name: 'docker0', addresses: ['172.17.0.1/16'] }], namespaces: [], links: [{ a: { node: 'docker0', name: 'vethd1' }, b: { node: 'host', name: 'vethd1-x' } }] });
    const p = await adopt(t);
    assert.deepEqual(p.take, []);
    assert.match(p.refuse.find((r) => r.name === 'docker0')!.reason, /port 'vethd1' is not adopted/);
    await refused(h.remove({ ns: null, name: 'docker0' }), 'not-owned');
    assertUnchanged(await whole(baseline), baseline, 'adopting docker0 with a port');
  });

  it('1d: a device of another kind (a vxlan) is never taken', async () => {
    const p = await adopt(topo('evil', { bridges: [{ name: 'vx0' }] }));
    assert.deepEqual(p.take, []);
    assert.match(p.refuse[0]!.reason, /vxlan device, not a veth or a bridge/);
    await refused(h.remove({ ns: null, name: 'vx0' }), 'not-owned');
    assertUnchanged(await whole(baseline), baseline, 'adopting a vxlan');
  });

  it('1e: no adoption without the digest of a preview; a stale digest is refused and changes nothing', async () => {
    const t = topo('twostep', { namespaces: [{ name: 'c9' }] });
    await refused(h.call('adopt', { topology: t }), 'bad-request');
    sh('ip', ['netns', 'add', 'c9']);
    const before9 = await whole();
    await refused(h.adopt({ topology: t, expect: { digest: '0'.repeat(64) } }), 'plan-changed');
    const p = await h.adopt({ topology: t, preview: true });
    assert.deepEqual(p.lines, ["namespace 'c9'"]);
    // the network changes between the preview and the adoption: a link appears in c9
    sh('ip', ['-n', 'c9', 'link', 'add', 'stray0', 'type', 'veth', 'peer', 'name', 'stray1']);
    const changed = await whole();
    await refused(h.adopt({ topology: t, expect: { digest: p.digest } }), 'plan-changed');
    assertUnchanged(await whole(changed), changed, 'a stale adoption');
    assert.notDeepEqual(changed.ids, before9.ids);
    sh('ip', ['netns', 'del', 'c9']);
  });

  it('1f: the same namespace with another user\'s process is taken when root asks (the rule can pass)', async () => {
    const root = await helper({});
    try {
      const p = await root.adopt({ topology: topo('rootok', { namespaces: [{ name: 'victimns' }] }), preview: true });
      assert.deepEqual(p.lines, ["namespace 'victimns'"]);
      assert.deepEqual(p.refuse, []);
    } finally { await root.close(); }
    assertUnchanged(await whole(baseline), baseline, 'a preview');
  });

  it('4a: import --ns c1 --adopt leaves the shared cni0 out; destroy removes c1 and its veth only, c2 still works', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'netns-lab-adopt-'));
    const file = join(dir, 'c1.netns.json');
    const r = cli(['import', '--name', 'c1only', '--ns', 'c1', '--adopt', '--yes', '-o', file], USER);
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stderr, /host\/cni0: bridge also has ports that are not imported \(cni-c2\); left out/);
    const t = JSON.parse(readFileSync(file, 'utf8')) as { bridges: unknown[] };
    assert.deepEqual(t.bridges, []);
    assert.match(r.stderr, /adopted 3 object\(s\)/);
    assert.equal(cli(['destroy', file]).code, 0);
    assert.ok(!listNetns().includes('c1'));
    assert.ok(pingC2(), 'c2 still reaches cni0');
    // everything else as it was: the baseline without c1, its veth pair
    const now = await whole();
    const strip = (w: Whole) => ({
      ids: Object.fromEntries(Object.entries(w.ids).filter(([k]) => !/^(c1\/|netns\/c1$|host\/cni-c1$)/.test(k))),
      procs: w.procs,
      namespaces: w.state.namespaces.filter((n) => n !== 'c1'),
      host: ((w.state.net.host as { links: { ifname: string }[] }).links).filter((l) => l.ifname !== 'cni-c1'),
      c2: w.state.net.c2, iptables: w.state.iptables, etcNetns: w.state.etcNetns, journal: w.state.journal,
    });
    const d = stateDiff(strip(now), strip(baseline));
    assert.deepEqual(d, [], d.join('\n'));
  });

  it('4b: a topology naming cni0 with c1 only (sent to the helper directly): cni0 is refused, c1 and its pair are taken', async () => {
    sh('ip', ['netns', 'add', 'c1']);
    sh('ip', ['-b', '-'], 'link add cni-c1 type veth peer name eth0 netns c1\nlink set cni-c1 master cni0\n');
    const t = topo('c1cni', { bridges: [{ name: 'cni0', addresses: ['10.88.0.1/24'] }], namespaces: [{ name: 'c1' }], links: [{ a: { node: 'c1', name: 'eth0' }, b: { node: 'cni0', name: 'cni-c1' } }] });
    const p = await adopt(t);
    assert.match(p.refuse.find((o) => o.name === 'cni0')!.reason, /port 'cni-c2' is not adopted/);
    assert.deepEqual(p.take.map((o) => `${o.kind} ${o.name}`).sort(), ['namespace c1', 'veth cni-c1', 'veth eth0']);
    await refused(h.remove({ ns: null, name: 'cni0' }), 'not-owned');
    assert.ok(pingC2());
    await h.remove({ ns: 'c1' });
    assert.ok(pingC2());
    assert.match(sh('ip', ['-br', 'link', 'show', 'master', 'cni0']), /cni-c2/);
  });
});

describe('intent journal: a stale entry claims nothing made later by someone else (issue 13, finding 3)', () => {
  before(resetSandbox);
  after(resetSandbox);
  const t = topo('stale', {
    bridges: [{ name: 'sbr0' }],
    namespaces: [{ name: 'sa', sysctls: { 'net.ipv4.conf.all.no_such_key_x': 1 } }],
    links: [{ a: { node: 'sa', name: 'eth0', addresses: ['10.77.0.2/24'] }, b: { node: 'sbr0', name: 'sa-p' } }],
  });
  const handMade = () => sh('ip', ['-b', '-'], 'netns add sa\nlink add sbr0 type bridge\n');
  const journal = () => { try { return readdirSync(JOURNAL_DIR).map((f) => readFileSync(join(JOURNAL_DIR, f), 'utf8')); } catch { return []; } };

  /** steps 0-2 create (namespace, bridge, veth), 3 is the first of Configure: killed there */
  async function killedAfterCreate(): Promise<void> {
    const k = await helper({ NETNS_LAB_KILL_AT: '3' });
    try {
      await refused(k.apply({ topology: { ...t, namespaces: [{ name: 'sa' }] } }), 'helper-exited');
    } finally { await k.close().catch(() => undefined); }
  }

  async function assertHandMadeSafe(h: HelperClient): Promise<void> {
    const before = await whole();
    await refused(h.remove({ ns: 'sa' }), 'not-owned');
    await refused(h.remove({ ns: null, name: 'sbr0' }), 'not-owned');
    await refused(h.linkState({ ns: null, name: 'sbr0', up: true }), 'not-owned');
    await refused(h.apply({ topology: { ...t, namespaces: [{ name: 'sa' }] } }), 'plan-refused');
    const d = await h.destroy({ name: 'stale' });
    assert.equal(d.steps, 0, 'destroy finds nothing of its own');
    // the only change: the destroy found nothing of its own and cleared the topology's journal
    const now = await whole();
    assert.deepEqual(journal(), []);
    assertUnchanged({ ...now, state: { ...now.state, journal: {} } }, { ...before, state: { ...before.state, journal: {} } }, 'the stale journal');
  }

  it('3a: a failed apply (unknown sysctl key), remove, then the same names by hand: remove, apply and destroy leave them alone', async () => {
    await resetSandbox();
    const h = await helper();
    try {
      await refused(h.apply({ topology: t }), 'step-failed');
      for (const e of journal()) assert.doesNotMatch(e, /"name":"sa"(?![^}]*"born")/, `an entry without evidence: ${e}`);
      await h.remove({ ns: 'sa' });
      await h.remove({ ns: null, name: 'sbr0' });
      assert.deepEqual(journal().filter((e) => /"sa"|"sbr0"/.test(e)), [], 'remove clears the journal of what it removed');
      handMade();
      await assertHandMadeSafe(h);
    } finally { await h.close(); }
  });

  it('3b: a helper killed after the creation (evidence recorded), objects deleted and made again by hand: nothing is claimed', async () => {
    await resetSandbox();
    await killedAfterCreate();
    const entry = journal().join('');
    assert.match(entry, /"name":"sa","at":\d+,"ino":"\d+","born":"\d+"/, `evidence recorded right after the creation: ${entry}`);
    assert.match(entry, /"name":"sbr0","above":\d+,"ifindex":\d+/);
    // deleted and made again by someone else, with the same names
    sh('ip', ['netns', 'del', 'sa']);
    sh('ip', ['link', 'del', 'sbr0']);
    for (let i = 0; i < 100 && sh('ip', ['-br', 'link']).includes('sa-p'); i++) await new Promise((r) => setTimeout(r, 20));
    handMade();
    const h = await helper();
    try { await assertHandMadeSafe(h); } finally { await h.close(); }
  });

  it('3c: the same kill, objects left as they were: re-apply claims them by their evidence and converges', async () => {
    await resetSandbox();
    await killedAfterCreate();
    const h = await helper();
    try {
      const r = await h.apply({ topology: { ...t, namespaces: [{ name: 'sa' }] } });
      assert.deepEqual(r.remaining, []);
      assert.deepEqual(journal(), []);
      await h.destroy({ name: 'stale' });
      assert.deepEqual(listNetns(), []);
    } finally { await h.close(); }
  });
});
