/**
 * Each host's part of a multi-host lab on the real kernel (issue 19). The sandbox's root plays
 * host "local"; hosts "b" and "c" are sandboxes inside it: each its own network and mount
 * namespaces (its own /run, /run/netns, /etc/netns) held by a sleeping process, reached with
 * nsenter, joined to "local" by an underlay bridge on 192.0.2.0/24. The file is split with
 * splitByHost and each host's part is applied by the CLI on that host (the helper's code in its
 * process, as root), exactly as a single-host topology. Proven: ping across a VXLAN link and
 * across a bridge that spans three hosts (a star around its home), the 1450-byte MTU, re-plan
 * empty on every host, one changed address is one step on one host, import reads the devices
 * back, a macvlan of a "physical" interface (a veth played by the test), a physical interface
 * moved into a lab bridge and given back, the refusal of one that carries the host's address,
 * an apply stopped before tagging its devices converges on re-apply (the intent journal), and
 * destroy leaves nothing on any host.
 */
import assert from 'node:assert/strict';
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { splitByHost } from '../../src/core/plan/hosts-split.js';
import type { Topology } from '../../src/core/model/model.js';
import { validateValue } from '../../src/core/model/validate.js';
import { CLI, assertSandbox, cli, hostLinks, listNetns, noPing, ping, resetSandbox, sh, tryRun, type CliResult } from './sandbox.js';

const UNDERLAY = { local: '192.0.2.1', b: '192.0.2.2', c: '192.0.2.3' };

function lab(b1Addr = '10.10.0.3/24'): Topology {
  return {
    version: 1, name: 'mh',
    // b's underlay is named by its interface: its VXLAN devices are bound to it (dev uplink)
    hosts: [{ name: 'local', underlay: UNDERLAY.local }, { name: 'b', ssh: 'lab@b.example', underlay: 'uplink' }, { name: 'c', ssh: `lab@${UNDERLAY.c}` }],
    bridges: [{ name: 'lan0', addresses: ['10.10.0.1/24'] }],
    namespaces: [
      { name: 'a1', routes: [{ to: 'default', via: '10.10.0.1' }] },
      { name: 'b1', on: 'b', routes: [{ to: 'default', via: '10.10.0.1' }] },
      { name: 'r1' },
      { name: 'r2', on: 'b' },
      { name: 'm1' },
      { name: 'c1', on: 'c', routes: [{ to: 'default', via: '10.10.0.1' }] },
    ],
    links: [
      { a: { node: 'a1', name: 'eth0', addresses: ['10.10.0.2/24'] }, b: { node: 'lan0', name: 'a1-p' } },
      { a: { node: 'b1', name: 'eth0', addresses: [b1Addr] }, b: { node: 'lan0', name: 'b1-p' } },
      { a: { node: 'c1', name: 'eth0', addresses: ['10.10.0.5/24'] }, b: { node: 'lan0', name: 'c1-p' } },
      { a: { node: 'r1', name: 'wan0', addresses: ['10.20.0.1/30'] }, b: { node: 'r2', name: 'wan0', addresses: ['10.20.0.2/30'] } },
    ],
    physical: [
      { dev: 'phys0', macvlan: { node: 'm1', name: 'lan0', addresses: ['198.51.100.10/24'] } },
      { dev: 'phys1', bridge: 'lan0' },
    ],
  };
}

/** a remote host: a sleeping process in its own network and mount namespaces */
class Host {
  private proc: ChildProcess | undefined;
  pid = 0;
  async start(): Promise<void> {
    this.proc = spawn('unshare', ['--net', '--mount', '--propagation', 'private', 'bash', '-c',
      'mount -t tmpfs hostb-run /run && mkdir -p /run/netns /run/lock && mkdir -p /etc/netns && mount -t tmpfs hostb-etc /etc/netns'
      + ' && mount -t sysfs sysfs /sys && ip link set lo up && echo ready && exec sleep 100000'], { stdio: ['ignore', 'pipe', 'inherit'] });
    await new Promise<void>((resolve, reject) => {
      this.proc!.stdout!.once('data', () => resolve());
      this.proc!.once('exit', (code) => reject(new Error(`a host did not start (exit ${code})`)));
    });
    this.pid = this.proc.pid!;
  }
  run(argv: string[], env: Record<string, string> = {}): CliResult {
    const r = spawnSync('nsenter', ['-t', String(this.pid), '--net', '--mount', '--', ...argv], { encoding: 'utf8', timeout: 120_000, env: { ...process.env, ...env } });
    return { code: r.status ?? 1, stdout: r.stdout, stderr: r.stderr };
  }
  cli(args: string[], env: Record<string, string> = {}): CliResult { return this.run([process.execPath, CLI, ...args], env); }
  ping(ns: string, target: string): boolean { return this.run(['ip', 'netns', 'exec', ns, 'ping', '-c', '1', '-w', '5', target]).code === 0; }
  async stop(): Promise<void> {
    const p = this.proc;
    if (!p || p.exitCode !== null) return;
    const gone = new Promise((r) => p.once('exit', r));
    p.kill('SIGKILL');
    await gone;
  }
}

describe('a host\'s part of a multi-host lab: VXLAN, spanning bridge, macvlan and a physical port', () => {
  const b = new Host();
  const c = new Host();
  const dir = mkdtempSync(join(tmpdir(), 'netns-lab-vxlan-'));
  const files = { local: join(dir, 'local.netns.json'), b: join(dir, 'b.netns.json'), c: join(dir, 'c.netns.json') };
  const part = (h: string) => JSON.parse(readFileSync(files[h as 'local' | 'b' | 'c'], 'utf8')) as Topology;
  const writeParts = (t: Topology) => {
    assert.ok(validateValue(t).ok, JSON.stringify(validateValue(t).diagnostics));
    for (const p of splitByHost(t, UNDERLAY)) writeFileSync(files[p.host as 'local' | 'b' | 'c'], JSON.stringify(p.topology));
  };
  const steps = (r: CliResult) => { assert.equal(r.code, 0, r.stderr); return (JSON.parse(r.stdout) as { steps: { op: string }[] }).steps; };

  before(async () => {
    assertSandbox();
    await resetSandbox();
    await b.start();
    await c.start();
    // the underlay: a bridge "ul" of the sandbox (a switch between the machines) holding host
    // local's address, a veth into each other host; and the "physical" interfaces of host local
    // (veths whose other ends sit in a namespace "ext" of the test, with addresses the lab can reach)
    sh('ip', ['-b', '-'], [
      'link add ul type bridge', `addr add ${UNDERLAY.local}/24 dev ul`, 'link set ul up',
      'link add ul-b type veth peer name uplink', `link set uplink netns ${b.pid}`, 'link set ul-b master ul', 'link set ul-b up',
      'link add ul-c type veth peer name uplink', `link set uplink netns ${c.pid}`, 'link set ul-c master ul', 'link set ul-c up',
      'netns add ext',
      'link add phys0 type veth peer name ext0 netns ext', 'link set phys0 up',
      'link add phys1 type veth peer name ext1 netns ext', 'link set phys1 up',
      'link add phys2 type veth peer name ext2 netns ext', 'addr add 203.0.113.77/24 dev phys2', 'link set phys2 up',
    ].join('\n') + '\n');
    sh('ip', ['-n', 'ext', '-b', '-'], ['link set lo up', 'addr add 198.51.100.1/24 dev ext0', 'link set ext0 up',
      'addr add 10.10.0.99/24 dev ext1', 'link set ext1 up', 'link set ext2 up'].join('\n') + '\n');
    for (const [h, a] of [[b, UNDERLAY.b], [c, UNDERLAY.c]] as const) {
      assert.equal(h.run(['ip', 'addr', 'add', `${a}/24`, 'dev', 'uplink']).code, 0);
      assert.equal(h.run(['ip', 'link', 'set', 'uplink', 'up']).code, 0);
    }
    writeParts(lab());
  });
  after(async () => {
    await b.stop();
    await c.stop();
    rmSync(dir, { recursive: true, force: true });
    await resetSandbox();
  });

  it('host c: an apply stopped right after it made its devices (not tagged yet) converges on re-apply', () => {
    const p = steps(c.cli(['plan', files.c, '--json']));
    const at = p.findIndex((x) => !['netns-add', 'bridge-add', 'veth-add', 'vxlan-add'].includes(x.op));
    assert.ok(p.slice(0, at).some((x) => x.op === 'vxlan-add'));
    const r = c.cli(['apply', files.c], { NETNS_LAB_FAULT_AT: String(at) });
    assert.equal(r.code, 1, r.stderr);
    assert.match(r.stderr, /injected fault/);
    const arm = part('c').vxlans![0]!.name;
    const shown = JSON.parse(c.run(['ip', '-d', '-j', 'link', 'show', arm]).stdout)[0] as { ifalias?: string };
    assert.equal(shown.ifalias, undefined, 'made, not tagged: only the intent journal vouches for it');
    const again = c.cli(['apply', files.c]);
    assert.equal(again.code, 0, again.stderr);
    assert.deepEqual(steps(c.cli(['plan', files.c, '--json'])), []);
  });

  it('applies each host\'s part; traffic crosses the VXLAN link and the bridge that spans three hosts', () => {
    const ra = cli(['apply', files.local]);
    assert.equal(ra.code, 0, ra.stderr);
    const rb = b.cli(['apply', files.b]);
    assert.equal(rb.code, 0, rb.stderr);
    const rc = c.cli(['apply', files.c]);
    assert.equal(rc.code, 0, rc.stderr);
    assert.ok(ping('r1', '10.20.0.2'), 'r1 (local) -> r2 (b) over the VXLAN link');
    assert.ok(ping('a1', '10.10.0.3'), 'a1 (local) -> b1 (b) across the spanning bridge');
    assert.ok(b.ping('b1', '10.10.0.1'), 'b1 (b) -> the bridge address on its home host');
    assert.ok(b.ping('b1', '10.10.0.2'), 'b1 -> a1');
    // three hosts on one bridge: a star around its home; b and c reach each other through it
    assert.ok(c.ping('c1', '10.10.0.3'), 'c1 (c) -> b1 (b), through the home bridge on local');
    assert.ok(c.ping('c1', '10.10.0.2'), 'c1 -> a1');
    assert.ok(ping('a1', '10.10.0.5'), 'a1 -> c1');
    // the tunnel devices: tagged, with the VNI both hosts agree on, MTU 1450
    const wan = JSON.parse(sh('ip', ['-n', 'r1', '-d', '-j', 'link', 'show', 'wan0']))[0] as { ifalias: string; mtu: number; linkinfo: { info_kind: string; info_data: { id: number; remote: string } } };
    assert.equal(wan.linkinfo.info_kind, 'vxlan');
    assert.equal(wan.ifalias, 'netns-lab:mh');
    assert.equal(wan.mtu, 1450);
    assert.equal(wan.linkinfo.info_data.remote, UNDERLAY.b);
    const wanB = JSON.parse(b.run(['ip', '-n', 'r2', '-d', '-j', 'link', 'show', 'wan0']).stdout)[0] as typeof wan;
    assert.equal(wanB.linkinfo.info_data.id, wan.linkinfo.info_data.id);
    const arm = part('b').vxlans!.find((v) => v.node === 'lan0')!;
    assert.equal(arm.dev, 'uplink');
    assert.equal((JSON.parse(b.run(['ip', '-d', '-j', 'link', 'show', arm.name]).stdout)[0] as { linkinfo: { info_data: { link: string } } }).linkinfo.info_data.link, 'uplink');
  });

  it('a tunnelled frame of 1450 bytes passes whole; one byte more is refused, not fragmented', () => {
    assert.equal(tryRun('ip', ['netns', 'exec', 'a1', 'ping', '-M', 'do', '-s', '1422', '-c', '1', '-W', '3', '10.10.0.3']).code, 0);
    const big = tryRun('ip', ['netns', 'exec', 'a1', 'ping', '-M', 'do', '-s', '1423', '-c', '1', '-W', '3', '10.10.0.3']);
    assert.notEqual(big.code, 0);
    assert.match(big.stdout + big.stderr, /mtu = 1450|message too long/i);
  });

  it('the macvlan of a physical interface reaches its network; the physical port joins the LAN', () => {
    assert.ok(ping('m1', '198.51.100.1'), 'm1 -> the network behind phys0, through its macvlan');
    assert.ok(ping('a1', '10.10.0.99'), 'a1 -> the machine behind phys1, a port of lan0');
    const m = JSON.parse(sh('ip', ['-n', 'm1', '-d', '-j', 'link', 'show', 'lan0']))[0] as { ifalias: string; linkinfo: { info_kind: string; info_data: { mode: string } } };
    assert.deepEqual([m.linkinfo.info_kind, m.linkinfo.info_data.mode, m.ifalias], ['macvlan', 'bridge', 'netns-lab:mh']);
    const p1 = JSON.parse(sh('ip', ['-j', 'link', 'show', 'phys1']))[0] as { master?: string; ifalias?: string };
    assert.equal(p1.master, 'lan0');
    assert.equal(p1.ifalias, undefined, 'a physical interface is never tagged');
  });

  it('import reads the VXLAN devices and the macvlan back into a file', () => {
    const out = join(dir, 'imported.netns.json');
    const r = cli(['import', '--name', 'back', '--ns', 'r1,m1', '-o', out]);
    assert.equal(r.code, 0, r.stderr);
    const t = JSON.parse(readFileSync(out, 'utf8')) as Topology;
    const vni = part('local').vxlans!.find((v) => v.name === 'wan0')!.vni;
    assert.deepEqual(t.vxlans!.find((v) => v.name === 'wan0'), { name: 'wan0', node: 'r1', vni, local: UNDERLAY.local, remote: UNDERLAY.b, addresses: ['10.20.0.1/30'], mtu: 1450 });
    assert.deepEqual(t.physical, [{ dev: 'phys0', macvlan: { node: 'm1', name: 'lan0', addresses: ['198.51.100.10/24'] } }]);
  });

  it('re-plans empty on every host', () => {
    assert.deepEqual(steps(cli(['plan', files.local, '--json'])), []);
    assert.deepEqual(steps(b.cli(['plan', files.b, '--json'])), []);
    assert.deepEqual(steps(c.cli(['plan', files.c, '--json'])), []);
  });

  it('one changed address on host b is one step there and none on local', () => {
    writeParts(lab('10.10.0.4/24'));
    assert.deepEqual(steps(cli(['plan', files.local, '--json'])), []);
    assert.deepEqual(steps(c.cli(['plan', files.c, '--json'])), []);
    assert.deepEqual(steps(b.cli(['plan', files.b, '--json'])).map((s) => s.op), ['addr-change']);
    const r = b.cli(['apply', files.b]);
    assert.equal(r.code, 0, r.stderr);
    assert.ok(ping('a1', '10.10.0.4'));
    assert.ok(noPing('a1', '10.10.0.3'));
  });

  it('refuses to move an interface that carries the host\'s address into a lab bridge; nothing changes', () => {
    const t = lab('10.10.0.4/24');
    t.physical!.push({ dev: 'phys2', bridge: 'lan0' });
    writeParts(t);
    const r = cli(['apply', files.local]);
    assert.notEqual(r.code, 0);
    assert.match(r.stderr + r.stdout, /phys2.*203\.0\.113\.77\/24/);
    const p2 = JSON.parse(sh('ip', ['-j', 'addr', 'show', 'phys2']))[0] as { master?: string; addr_info: { local: string }[] };
    assert.equal(p2.master, undefined);
    assert.ok(p2.addr_info.some((a) => a.local === '203.0.113.77'));
    writeParts(lab('10.10.0.4/24'));
  });

  it('taken out of the file, the physical port is given back; destroy leaves nothing on any host', () => {
    const t = lab('10.10.0.4/24');
    t.physical = t.physical!.filter((p) => p.dev !== 'phys1');
    writeParts(t);
    assert.deepEqual(steps(cli(['plan', files.local, '--json'])).map((s) => s.op), ['phys-detach']);
    assert.equal(cli(['apply', files.local]).code, 0);
    assert.equal((JSON.parse(sh('ip', ['-j', 'link', 'show', 'phys1']))[0] as { master?: string }).master, undefined);

    writeParts(lab('10.10.0.4/24'));
    assert.equal(cli(['apply', files.local]).code, 0, 'phys1 joins again');
    const da = cli(['destroy', files.local]);
    assert.equal(da.code, 0, da.stderr);
    const db = b.cli(['destroy', files.b]);
    assert.equal(db.code, 0, db.stderr);
    assert.equal(c.cli(['destroy', files.c]).code, 0);
    assert.deepEqual(listNetns(), ['ext']);
    assert.deepEqual(hostLinks(), ['lo', 'phys0', 'phys1', 'phys2', 'ul', 'ul-b', 'ul-c']);
    const p1 = JSON.parse(sh('ip', ['-j', 'link', 'show', 'phys1']))[0] as { master?: string };
    assert.equal(p1.master, undefined, 'destroy gave phys1 back (its bridge is gone, it is not)');
    for (const h of [b, c]) {
      assert.deepEqual((JSON.parse(h.run(['ip', '-j', 'link', 'show']).stdout) as { ifname: string }[]).map((l) => l.ifname).sort(), ['lo', 'uplink']);
      assert.equal(h.run(['ip', 'netns', 'list']).stdout.trim(), '');
      assert.equal(h.run(['iptables-save']).stdout.includes('NSL-'), false);
    }
    assert.equal(sh('iptables-save', []).includes('NSL-'), false);
  });
});
