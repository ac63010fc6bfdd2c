/**
 * Labs across three machines (issue 19), end to end: the CLI in the sandbox root ('local', no
 * nodes) drives three simulated hosts (test/integration/multihost.ts: own network and mount
 * namespaces, sshd on 192.0.2.1-3) through `ssh root@HOST node HELPER`; VXLAN joins their
 * parts over the underlay bridge.
 */
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { assertSandbox, CLI, cli, hostLinks, iptablesSave, listNetns, resetSandbox, ROOT, sh, type CliResult } from './sandbox.js';
import { sshdAvailable, ThreeHosts, UNDERLAY } from './multihost.js';

const skip = sshdAvailable();
let hosts: ThreeHosts;
const HELPER = join(ROOT, 'dist', 'helper.js');

const HOSTS = [
  // a's underlay by interface name (its helper is asked), b's from its ssh address, c's written out
  { name: 'a', ssh: 'root@192.0.2.1', underlay: UNDERLAY.ifname },
  { name: 'b', ssh: 'root@192.0.2.2' },
  { name: 'c', ssh: 'root@192.0.2.3', underlay: '192.0.2.3' },
];

/** a LAN whose bridge (on a) spans all three hosts, two namespaces on each */
function lan(b1Addr = '10.19.0.3/24'): Record<string, unknown> {
  const members = [['a1', 'a', '10.19.0.1/24'], ['a2', 'a', '10.19.0.2/24'], ['b1', 'b', b1Addr], ['b2', 'b', '10.19.0.4/24'], ['c1', 'c', '10.19.0.5/24'], ['c2', 'c', '10.19.0.6/24']];
  return {
    version: 1, name: 'mhlan', hosts: HOSTS,
    bridges: [{ name: 'lan', on: 'a' }],
    namespaces: members.map(([n, on]) => ({ name: n, on })),
    links: members.map(([n, , addr]) => ({ a: { node: n, name: 'eth0', addresses: [addr] }, b: { node: 'lan', name: `${n}-p` } })),
  };
}

/** r1 (a) - r2 (b) - r3 (c) with static routes */
const CHAIN = {
  version: 1, name: 'mhchain', hosts: HOSTS,
  namespaces: [
    { name: 'r1', on: 'a', routes: [{ to: '10.19.2.0/24', via: '10.19.1.2' }] },
    { name: 'r2', on: 'b', sysctls: { 'net.ipv4.ip_forward': 1 } },
    { name: 'r3', on: 'c', routes: [{ to: '10.19.1.0/24', via: '10.19.2.2' }] },
  ],
  links: [
    { a: { node: 'r1', name: 'eth0', addresses: ['10.19.1.1/24'] }, b: { node: 'r2', name: 'eth0', addresses: ['10.19.1.2/24'] } },
    { a: { node: 'r2', name: 'eth1', addresses: ['10.19.2.2/24'] }, b: { node: 'r3', name: 'eth0', addresses: ['10.19.2.3/24'] } },
  ],
};

let dir: string;
function file(name: string, t: unknown): string {
  const p = join(dir, `${name}.netns.json`);
  writeFileSync(p, JSON.stringify(t, null, 2));
  return p;
}

const opts = () => ['--ssh-config', hosts.sshConfig, '--remote-helper', HELPER, '--remote-node', process.execPath];
const run = (cmd: string, f: string, ...more: string[]): CliResult => cli([cmd, f, ...opts(), ...more]);
const explain = (r: CliResult) => `exit ${r.code}\n${r.stdout}\n${r.stderr}`;

/** every host's steps of a plan (--json) */
function planSteps(f: string): Record<string, unknown[]> {
  const r = run('plan', f, '--json');
  assert.equal(r.code, 0, explain(r));
  const out = JSON.parse(r.stdout) as { hosts: { host: string; steps: unknown[] }[] };
  return Object.fromEntries(out.hosts.map((h) => [h.host, h.steps]));
}

function allPairsPing(): string[] {
  const where: Record<string, string> = { a1: 'a', a2: 'a', b1: 'b', b2: 'b', c1: 'c', c2: 'c' };
  const addr: Record<string, string> = { a1: '10.19.0.1', a2: '10.19.0.2', b1: '10.19.0.3', b2: '10.19.0.4', c1: '10.19.0.5', c2: '10.19.0.6' };
  const failed: string[] = [];
  for (const from of Object.keys(where)) {
    for (const to of Object.keys(where)) {
      if (from !== to && !hosts.ping(hosts.host(where[from]!), from, addr[to]!)) failed.push(`${from} -> ${to}`);
    }
  }
  return failed;
}

/** the CLI's apply, run in the background: its stderr lines as they come */
function applyWatching(f: string, onLine: (line: string) => void): Promise<CliResult> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [CLI, 'apply', f, ...opts()], { stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    let buf = '';
    child.stdout.on('data', (d: Buffer) => { stdout += d.toString(); });
    child.stderr.on('data', (d: Buffer) => {
      stderr += d.toString();
      buf += d.toString();
      for (let nl = buf.indexOf('\n'); nl >= 0; nl = buf.indexOf('\n')) { onLine(buf.slice(0, nl)); buf = buf.slice(nl + 1); }
    });
    child.on('close', (code) => resolve({ code: code ?? 1, stdout, stderr }));
  });
}

describe('a lab across three hosts, through ssh', { skip }, () => {
  before(async () => {
    assertSandbox();
    await resetSandbox();
    hosts = await ThreeHosts.start();
    dir = hosts.dir;
  });
  after(async () => { await hosts?.stop(); await resetSandbox(); });

  it('a LAN whose bridge spans the three hosts: every one of the 6x5 pairs pings', () => {
    const r = run('apply', file('lan', lan()));
    assert.equal(r.code, 0, explain(r));
    // per-host progress and a per-host summary
    for (const h of ['a', 'b', 'c']) assert.match(r.stderr, new RegExp(`\\[${h}\\] \\[\\d+/\\d+\\] `), r.stderr);
    assert.match(r.stderr, /^ {2}c {8}ok: \d+ step\(s\)/m, r.stderr);
    // each host has its own namespaces only; nothing in the sandbox root (local)
    assert.deepEqual(hosts.netnsOf(hosts.host('a')), ['a1', 'a2']);
    assert.deepEqual(hosts.netnsOf(hosts.host('b')), ['b1', 'b2']);
    assert.deepEqual(hosts.netnsOf(hosts.host('c')), ['c1', 'c2']);
    assert.deepEqual(listNetns(), ['mh-a', 'mh-b', 'mh-c']);
    assert.deepEqual(allPairsPing(), []);
  });

  it('re-plan is empty on every host', () => {
    assert.deepEqual(planSteps(file('lan', lan())), { local: [], a: [], b: [], c: [] });
  });

  it('one address changed on host b: a plan on host b only, and it applies', () => {
    const f = file('lan', lan('10.19.0.13/24'));
    const steps = planSteps(f);
    assert.deepEqual({ local: steps.local, a: steps.a, c: steps.c }, { local: [], a: [], c: [] });
    assert.equal(steps.b!.length, 1, JSON.stringify(steps.b));
    const r = run('apply', f);
    assert.equal(r.code, 0, explain(r));
    assert.ok(hosts.ping(hosts.host('a'), 'a1', '10.19.0.13'));
    assert.ok(hosts.ping(hosts.host('c'), 'c2', '10.19.0.13'));
    assert.deepEqual(planSteps(f), { local: [], a: [], b: [], c: [] });
    assert.equal(run('apply', file('lan', lan())).code, 0);
  });

  it('status names each host\'s state', () => {
    const r = run('status', file('lan', lan()));
    assert.equal(r.code, 0, explain(r));
    for (const h of ['local', 'a', 'b', 'c']) assert.match(r.stdout, new RegExp(`^mhlan on ${h}: (in-sync|not-applied)$`, 'm'), r.stdout);
    assert.match(r.stdout, /^b {8}in-sync +namespace +b1 /m, r.stdout);
    assert.match(r.stdout, /^c {8}in-sync +vxlan /m, r.stdout);
    // commands of one host refuse it before any helper starts (ping and test run across hosts: below)
    for (const cmd of ['doctor', 'script']) assert.match(cli([cmd, file('lan', lan())]).stderr, /spans several hosts/, cmd);
  });

  it('an unknown host key, or a key the hosts refuse: an error per host at once, no prompt, nothing changed anywhere', () => {
    const base = readFileSync(hosts.sshConfig, 'utf8');
    writeFileSync(join(dir, 'empty_known_hosts'), '');
    sh('ssh-keygen', ['-q', '-t', 'ed25519', '-N', '', '-f', join(dir, 'stranger')]);
    const cases: [string, string, RegExp][] = [
      ['unknown-host', base.replace(/UserKnownHostsFile .*/, `UserKnownHostsFile ${join(dir, 'empty_known_hosts')}`), /the host key of host \S+ \(root@192\.0\.2\.\d\) is not in known_hosts/],
      ['stranger', base.replace(/IdentityFile .*/, `IdentityFile ${join(dir, 'stranger')}`), /ssh to host \S+ \(root@192\.0\.2\.\d\) was refused/],
    ];
    for (const [name, config, why] of cases) {
      const cfg = join(dir, `ssh_config.${name}`);
      writeFileSync(cfg, config, { mode: 0o600 });
      const r = cli(['apply', file('chain', CHAIN), '--ssh-config', cfg, '--remote-helper', HELPER, '--remote-node', process.execPath]);
      assert.equal(r.code, 1, explain(r));
      for (const h of ['a', 'b', 'c']) assert.match(r.stderr, new RegExp(`^ {2}${h} {8}UNREACHABLE: ${why.source.replace('\\S+', h)}`, 'm'), r.stderr);
      assert.match(r.stderr, /^nothing was changed on any host$/m);
    }
    for (const h of hosts.hosts) assert.deepEqual(hosts.netnsOf(h).filter((n) => /^r\d$/.test(n)), [], `host ${h.name}`);
  });

  it('a router chain r1 (a) - r2 (b) - r3 (c) with static routes: end-to-end ping', () => {
    const r = run('apply', file('chain', CHAIN));
    assert.equal(r.code, 0, explain(r));
    assert.ok(hosts.ping(hosts.host('a'), 'r1', '10.19.2.3'), 'r1 -> r3');
    assert.ok(hosts.ping(hosts.host('c'), 'r3', '10.19.1.1'), 'r3 -> r1');
    assert.deepEqual(planSteps(file('chain', CHAIN)), { local: [], a: [], b: [], c: [] });
  });

  it('root commands approved per host, services in status, lab tests and ping across hosts, destroy --kill', async () => {
    assert.equal(run('destroy', file('chain', CHAIN)).code, 0);
    // w3 (host c) runs a TCP echo service as root: it needs the person's approval
    const work = {
      ...CHAIN, name: 'mhwork',
      namespaces: CHAIN.namespaces.map((n) => ({ ...n, name: n.name.replace('r', 'w'),
        ...(n.name === 'r3' ? { services: [{ name: 'echo', user: 'root', command: ['socat', 'TCP-LISTEN:7000,reuseaddr,fork', 'EXEC:/bin/cat'] }] } : {}) })),
      links: CHAIN.links.map((l) => ({ a: { ...l.a, node: l.a.node.replace('r', 'w') }, b: { ...l.b, node: l.b.node.replace('r', 'w') } })),
      expect: [
        { kind: 'reach', from: 'w1', to: 'w3', ok: true },
        { kind: 'reach', from: 'w3', to: '10.19.1.1', ok: true },
        { kind: 'reach', from: 'w1', to: '10.19.2.3', proto: 'tcp', port: 7000, ok: true },
        { kind: 'reach', from: 'w2', to: '10.19.1.1', proto: 'tcp', port: 7001, ok: false },
      ],
    };
    const f = file('work', work);
    const refused = run('apply', f);
    assert.equal(refused.code, 1, explain(refused));
    assert.match(refused.stderr, /runs 1 command\(s\) as root:\n {2}\[c\] service 'echo' in w3/, refused.stderr);
    assert.match(refused.stderr, /^ {2}c {8}REFUSED: runs 1 command\(s\) as root that were not approved/m);
    assert.match(refused.stderr, /^ {2}a {8}not run: /m);
    for (const h of hosts.hosts) assert.deepEqual(hosts.netnsOf(h).filter((n) => /^w\d$/.test(n)), [], `nothing on ${h.name}`);
    const applied = run('apply', f, '--allow-root-commands');
    assert.equal(applied.code, 0, explain(applied));
    // status lists each host's services
    const st = run('status', f);
    assert.equal(st.code, 0, explain(st));
    assert.match(st.stdout, /^c {8}service +w3\/echo +running {2}pid \d+/m, st.stdout);
    // lab tests: icmp and tcp, each probe from its source namespace's host
    const tested = cli(['test', f, ...opts(), '--json']);
    assert.equal(tested.code, 0, explain(tested));
    const report = JSON.parse(tested.stdout) as { results: { status: string }[] };
    assert.deepEqual(report.results.map((x) => x.status), ['passed', 'passed', 'passed', 'passed'], tested.stdout);
    // the reachability matrix across hosts
    const pinged = run('ping', f);
    assert.equal(pinged.code, 0, explain(pinged));
    assert.match(pinged.stdout, /^8\/8 reachable in /m, pinged.stdout);
    // a shell left inside w2 (host b): destroy is refused there, naming it; --kill ends it
    const b = hosts.host('b');
    const shell = spawn('nsenter', ['--target', String(b.holder.pid), '--net', '--mount', '--', 'ip', 'netns', 'exec', 'w2', 'sleep', '300'], { stdio: 'ignore' });
    try {
      for (let i = 0; i < 50 && !hosts.run(b, ['ip', 'netns', 'pids', 'w2']).stdout.trim(); i++) await new Promise((r) => setTimeout(r, 100));
      const held = run('destroy', f);
      assert.equal(held.code, 1, explain(held));
      assert.match(held.stderr, /^ {2}b {8}REFUSED: 1 process\(es\) are still inside its namespaces.*\n {11}w2 {2}pid \d+ {2}root {2}sleep 300/m, held.stderr);
      assert.match(held.stderr, /--kill/);
      assert.deepEqual(hosts.netnsOf(b).filter((n) => n === 'w2'), ['w2']);
      const killed = run('destroy', f, '--kill');
      assert.equal(killed.code, 0, explain(killed));
    } finally { shell.kill('SIGKILL'); }
    for (const h of hosts.hosts) assert.deepEqual(hosts.netnsOf(h).filter((n) => /^w\d$/.test(n)), [], `host ${h.name}`);
  });

  it('a step failing on host c cancels the applies of a and b before their next group of steps; re-apply converges', async () => {
    const f = file('chain', CHAIN);
    assert.equal(run('destroy', f).code, 0);
    const c = hosts.host('c');
    // c's helper fails at its first step (the helper's test hook, set by c's sshd for its sessions)
    await hosts.restartSshd(c, ['SetEnv NETNS_LAB_FAULT_AT=0']);
    // a's and b's applies wait for the topology's lock (held here) until c has failed
    const holders = ['a', 'b'].map((n) => {
      const h = hosts.host(n);
      assert.equal(hosts.run(h, ['sh', '-c', 'mkdir -p -m 0755 /run/netns-lab && mkdir -p -m 0700 /run/netns-lab/locks']).code, 0);
      return spawn('nsenter', ['--target', String(h.holder.pid), '--net', '--mount', '--', 'flock', '-F', '/run/netns-lab/locks/topology.mhchain.lock', 'sleep', '120'], { stdio: 'ignore' });
    });
    try {
      const r = await applyWatching(f, (line) => {
        if (line.startsWith('[a] host c failed: this host stops')) for (const x of holders) x.kill('SIGKILL');
      });
      assert.equal(r.code, 1, explain(r));
      assert.match(r.stderr, /^ {2}c {8}FAILED: .*injected fault/m, r.stderr);
      for (const h of ['a', 'b']) assert.match(r.stderr, new RegExp(`^ {2}${h} {8}CANCELLED: stopped because another host failed: cancelled before any step ran`, 'm'), r.stderr);
      for (const h of hosts.hosts) assert.deepEqual(hosts.netnsOf(h).filter((n) => /^r\d$/.test(n)), [], `host ${h.name}`);
    } finally { for (const x of holders) x.kill('SIGKILL'); }
    await hosts.restartSshd(c);
    const again = run('apply', f);
    assert.equal(again.code, 0, explain(again));
    assert.deepEqual(planSteps(f), { local: [], a: [], b: [], c: [] });
  });

  it('host c\'s sshd stops in the middle of an apply: a per-host error, a and b consistent, re-apply converges', async () => {
    const f = file('chain', CHAIN);
    assert.equal(run('destroy', f).code, 0);
    const c = hosts.host('c');
    // c's helper will wait for the topology's lock (held here) once its apply has arrived
    assert.equal(hosts.run(c, ['sh', '-c', 'mkdir -p -m 0755 /run/netns-lab && mkdir -p -m 0700 /run/netns-lab/locks']).code, 0);
    const holder = spawn('nsenter', ['--target', String(c.holder.pid), '--net', '--mount', '--', 'flock', '-F', '/run/netns-lab/locks/topology.mhchain.lock', 'sleep', '120'], { stdio: 'ignore' });
    let stopped: Promise<void> | undefined;
    const r = await applyWatching(f, (line) => {
      if (!stopped && line.startsWith('[c] waiting for another apply')) stopped = hosts.stopSshd(c);
    });
    await stopped;
    holder.kill('SIGKILL');
    assert.ok(stopped, `host c never waited for the lock:\n${r.stderr}`);
    assert.equal(r.code, 1, explain(r));
    assert.match(r.stderr, /^ {2}c {8}UNREACHABLE: .*host c \(root@192\.0\.2\.3\)/m, r.stderr);
    // a and b had finished their applies, or were stopped between two groups of steps (cancel)
    const done = ['a', 'b'].filter((h) => new RegExp(`^ {2}${h} {8}ok: `, 'm').test(r.stderr));
    for (const h of ['a', 'b']) assert.match(r.stderr, new RegExp(`^ {2}${h} {8}(ok: |CANCELLED: stopped because another host failed)`, 'm'), r.stderr);
    // c has nothing of it
    assert.deepEqual(hosts.netnsOf(c).filter((n) => n.startsWith('r')), []);
    await hosts.startSshd(c);
    const steps = planSteps(f);
    for (const h of done) assert.deepEqual(steps[h], [], `host ${h} was reported applied`);
    assert.ok(steps.c!.length > 0);
    const again = run('apply', f);
    assert.equal(again.code, 0, explain(again));
    assert.deepEqual(planSteps(f), { local: [], a: [], b: [], c: [] });
    assert.ok(hosts.ping(hosts.host('a'), 'r1', '10.19.2.3'), 'r1 -> r3 after re-apply');
  });

  it('destroy with a host unreachable names it and what may be left there, then a full destroy leaves nothing on any host', async () => {
    const c = hosts.host('c');
    await hosts.stopSshd(c);
    const partial = run('destroy', file('chain', CHAIN));
    assert.equal(partial.code, 1, explain(partial));
    assert.match(partial.stderr, /^ {2}c {8}UNREACHABLE: .*\n {11}may still be there: namespace r3/m, partial.stderr);
    assert.match(partial.stderr, /^ {2}b {8}ok: /m);
    await hosts.startSshd(c);
    for (const f of [file('chain', CHAIN), file('lan', lan())]) {
      const r = run('destroy', f);
      assert.equal(r.code, 0, explain(r));
    }
    for (const h of hosts.hosts) assert.deepEqual(hosts.leftovers(h), [], `host ${h.name}`);
    // and 'local' (the sandbox root, whose parts were empty) was never touched
    assert.deepEqual(listNetns(), ['mh-a', 'mh-b', 'mh-c']);
    assert.deepEqual(hostLinks(), ['lo', UNDERLAY.bridge, 'mhul-a', 'mhul-b', 'mhul-c'].sort());
    assert.doesNotMatch(iptablesSave(), /NSL-/);
  });
});
