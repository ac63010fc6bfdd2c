/**
 * Three simulated machines inside the sandbox of test/sandbox/run.sh, for the multi-host tests
 * (issue 19). Each host is
 *  - its own network namespace (mh-a, mh-b, mh-c in the sandbox's /run/netns), joined to the
 *    others by an underlay bridge in the sandbox root (192.0.2.254/24; the hosts are .1, .2, .3
 *    on their interface ul0), and
 *  - its own mount namespace with a private /run (so /run/netns, /run/netns-lab and /run/sshd are
 *    the host's own) and an overlay over /etc (so /etc/netns is too), held by one long-lived
 *    process (`sleep`), and
 *  - Debian's sshd entered into both namespaces, listening only on the host's underlay address,
 *    with a throw-away host key, and a throw-away client key in authorized_keys.
 * A helper started by that sshd (`ssh root@192.0.2.N node HELPER`) therefore sees exactly that
 * host's network, /run/netns and /etc/netns, like a helper on another machine would.
 *
 * The sandbox root plays the machine where the engine (the CLI) runs: 'local' in the topology
 * file, with no nodes of the labs here; the three hosts are all remote, reached through ssh as
 * root (so without sudo: docs/multi-host.md says how a user login with sudo -n is set up).
 * Everything is stopped by stop(): sshd and the holders are killed, the namespaces deleted, the
 * key directory removed. The sandbox's own clean-up kills whatever is left in mh-a/b/c anyway.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { chmodSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { assertSandbox, sh } from './sandbox.js';

export interface SimHost {
  /** the host's name in topology files: a, b, c */
  name: string;
  /** its network namespace in the sandbox root */
  netns: string;
  /** its underlay address */
  addr: string;
  /** the process that holds its mount namespace */
  holder: ChildProcess;
  sshd: ChildProcess | undefined;
  dir: string;
}

export const UNDERLAY = { bridge: 'mhul0', self: '192.0.2.254', prefix: 24, ifname: 'ul0' };
const SSHD = '/usr/sbin/sshd';

export function sshdAvailable(): string | undefined {
  const r = spawnSync(SSHD, ['-V'], { encoding: 'utf8' });
  return r.error ? `${SSHD} is not installed (Debian openssh-server; scripts/setup.sh installs it)` : undefined;
}

/** the inode of a network namespace (a /proc/PID/ns/net link or a /run/netns file) */
function nsInode(path: string): number {
  return statSync(path).ino;
}

/** processes living in host h's network namespace (sshd, its sessions, helpers), but not its holder */
function processesIn(h: SimHost): number[] {
  let want: number;
  try { want = nsInode(`/run/netns/${h.netns}`); } catch { return []; }
  const out: number[] = [];
  for (const p of readdirSync('/proc')) {
    if (!/^\d+$/.test(p) || Number(p) === h.holder.pid) continue;
    try {
      if (nsInode(`/proc/${p}/ns/net`) !== want) continue;
      out.push(Number(p));
    } catch { /* gone */ }
  }
  return out;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

export class ThreeHosts {
  readonly hosts: SimHost[] = [];
  readonly dir: string;
  /** ssh options for the engine: this file as the whole ssh config (key, known_hosts, no agent) */
  readonly sshConfig: string;

  private constructor() {
    this.dir = mkdtempSync(join(tmpdir(), 'netns-lab-mh-'));
    chmodSync(this.dir, 0o700);
    this.sshConfig = join(this.dir, 'ssh_config');
  }

  static async start(names = ['a', 'b', 'c']): Promise<ThreeHosts> {
    assertSandbox();
    const t = new ThreeHosts();
    try {
      t.keys();
      t.underlay();
      for (const [i, name] of names.entries()) t.hosts.push(t.makeHost(name, `192.0.2.${i + 1}`));
      t.clientConfig();
      for (const h of t.hosts) await t.startSshd(h);
    } catch (e) {
      await t.stop();
      throw e;
    }
    return t;
  }

  host(name: string): SimHost {
    const h = this.hosts.find((x) => x.name === name);
    if (!h) throw new Error(`no simulated host ${name}`);
    return h;
  }

  private keys(): void {
    sh('ssh-keygen', ['-q', '-t', 'ed25519', '-N', '', '-C', 'netns-lab-test', '-f', join(this.dir, 'id_ed25519')]);
  }

  /** the underlay bridge in the sandbox root, with an address of its own (the engine reaches sshd through it) */
  private underlay(): void {
    sh('ip', ['link', 'add', UNDERLAY.bridge, 'type', 'bridge']);
    sh('ip', ['addr', 'add', `${UNDERLAY.self}/${UNDERLAY.prefix}`, 'dev', UNDERLAY.bridge]);
    sh('ip', ['link', 'set', UNDERLAY.bridge, 'up']);
  }

  private makeHost(name: string, addr: string): SimHost {
    const netns = `mh-${name}`;
    const dir = join(this.dir, name);
    mkdirSync(dir, { mode: 0o700 });
    sh('ip', ['netns', 'add', netns]);
    sh('ip', ['link', 'add', `mhul-${name}`, 'type', 'veth', 'peer', 'name', UNDERLAY.ifname, 'netns', netns]);
    sh('ip', ['link', 'set', `mhul-${name}`, 'master', UNDERLAY.bridge, 'up']);
    sh('ip', ['-n', netns, 'link', 'set', 'lo', 'up']);
    sh('ip', ['-n', netns, 'addr', 'add', `${addr}/${UNDERLAY.prefix}`, 'dev', UNDERLAY.ifname]);
    sh('ip', ['-n', netns, 'link', 'set', UNDERLAY.ifname, 'up']);
    // the host's private /run and /etc: a mount namespace held by a sleeping process (sshd can
    // then stop and start again without the host losing its /run/netns, like a real machine)
    const script = [
      'set -e',
      'mount --make-rprivate /',
      'mount -t tmpfs -o mode=0755 mh-run /run',
      'mkdir -p /run/netns /run/lock /run/sshd /run/.etc-upper /run/.etc-work',
      'mount -t overlay overlay -o lowerdir=/etc,upperdir=/run/.etc-upper,workdir=/run/.etc-work /etc',
      'exec sleep 86400',
    ].join('\n');
    const holder = spawn('ip', ['netns', 'exec', netns, 'unshare', '--mount', '--propagation', 'private', '--', 'sh', '-c', script], { stdio: ['ignore', 'ignore', 'inherit'] });
    sh('ssh-keygen', ['-q', '-t', 'ed25519', '-N', '', '-C', `host-${name}`, '-f', join(dir, 'host_key')]);
    writeFileSync(join(dir, 'authorized_keys'), readFileSync(join(this.dir, 'id_ed25519.pub')), { mode: 0o600 });
    writeFileSync(join(dir, 'sshd_config'), [
      `ListenAddress ${addr}:22`,
      `HostKey ${join(dir, 'host_key')}`,
      `AuthorizedKeysFile ${join(dir, 'authorized_keys')}`,
      'PidFile none',
      'UsePAM no',
      // the key files live in a root-only temporary directory under /tmp (world-writable above it)
      'StrictModes no',
      'PermitRootLogin prohibit-password',
      'PasswordAuthentication no',
      'KbdInteractiveAuthentication no',
      'AllowTcpForwarding no',
      'X11Forwarding no',
      'LogLevel ERROR',
      '',
    ].join('\n'), { mode: 0o600 });
    return { name, netns, addr, holder, sshd: undefined, dir };
  }

  private clientConfig(): void {
    const hostKeys = this.hosts.map((h) => `${h.addr} ${readFileSync(join(h.dir, 'host_key.pub'), 'utf8').split(' ').slice(0, 2).join(' ')}`);
    writeFileSync(join(this.dir, 'known_hosts'), hostKeys.join('\n') + '\n', { mode: 0o600 });
    writeFileSync(this.sshConfig, [
      'Host *',
      `  IdentityFile ${join(this.dir, 'id_ed25519')}`,
      '  IdentitiesOnly yes',
      '  IdentityAgent none',
      `  UserKnownHostsFile ${join(this.dir, 'known_hosts')}`,
      '  GlobalKnownHostsFile /dev/null',
      '  LogLevel ERROR',
      '',
    ].join('\n'), { mode: 0o600 });
  }

  /** the ssh options the engine gets (the CLI's --ssh-config) */
  get sshOptions(): string[] { return ['-F', this.sshConfig]; }

  /** starts host h's sshd in its namespaces; resolves once a login works */
  async startSshd(h: SimHost): Promise<void> {
    for (let i = 0; i < 50 && !this.holderReady(h); i++) await sleep(50);
    if (!this.holderReady(h)) throw new Error(`host ${h.name}: its mount namespace did not come up`);
    const sshd = spawn('nsenter', ['--target', String(h.holder.pid), '--net', '--mount', '--', SSHD, '-D', '-e', '-f', join(h.dir, 'sshd_config')], { stdio: ['ignore', 'ignore', 'pipe'] });
    let log = '';
    sshd.stderr!.on('data', (d: Buffer) => { log = (log + d.toString()).slice(-4000); });
    h.sshd = sshd;
    for (let i = 0; i < 100; i++) {
      if (this.ssh(h, ['true']).code === 0) return;
      if (sshd.exitCode !== null) break;
      await sleep(100);
    }
    throw new Error(`host ${h.name}: sshd did not accept a login: ${log}`);
  }

  /**
   * sshd and every session of it on host h end at once, with whatever else runs in the host's
   * own network namespace (the helper it started): the machine drops off the network. Its lab
   * namespaces (and the mount namespace holding /run/netns) stay.
   */
  async stopSshd(h: SimHost): Promise<void> {
    const gone = h.sshd && h.sshd.exitCode === null ? new Promise((r) => h.sshd!.once('exit', r)) : Promise.resolve();
    for (const pid of processesIn(h)) { try { process.kill(pid, 'SIGKILL'); } catch { /* gone */ } }
    await gone;
    h.sshd = undefined;
  }

  /** host h's sshd again, with these lines added to its config (none: as made), e.g. SetEnv for a helper's test hook */
  async restartSshd(h: SimHost, extra: string[] = []): Promise<void> {
    await this.stopSshd(h);
    const cfg = join(h.dir, 'sshd_config');
    const base = readFileSync(cfg, 'utf8').split('\n').filter((l) => l && !l.startsWith('SetEnv '));
    writeFileSync(cfg, [...base, ...extra, ''].join('\n'), { mode: 0o600 });
    await this.startSshd(h);
  }

  private holderReady(h: SimHost): boolean {
    try { return readFileSync(`/proc/${h.holder.pid}/comm`, 'utf8').trim() === 'sleep'; } catch { return false; }
  }

  /** ssh to host h as the engine would (same config), running argv there */
  ssh(h: SimHost, argv: string[]): { code: number; stdout: string; stderr: string } {
    const r = spawnSync('ssh', ['-F', this.sshConfig, '-o', 'BatchMode=yes', '-o', 'ConnectTimeout=2', '--', `root@${h.addr}`, ...argv], { encoding: 'utf8', timeout: 20_000 });
    return { code: r.status ?? 1, stdout: r.stdout, stderr: r.stderr };
  }

  /** runs argv inside host h (its network and mount namespace), without ssh */
  run(h: SimHost, argv: string[]): { code: number; stdout: string; stderr: string } {
    const r = spawnSync('nsenter', ['--target', String(h.holder.pid), '--net', '--mount', '--', ...argv], { encoding: 'utf8', timeout: 60_000 });
    return { code: r.status ?? 1, stdout: r.stdout, stderr: r.stderr };
  }

  /** the lab namespaces host h has (its own /run/netns) */
  netnsOf(h: SimHost): string[] {
    const out = this.run(h, ['ip', '-j', 'netns', 'list']).stdout.trim();
    return out ? (JSON.parse(out) as { name: string }[]).map((n) => n.name).sort() : [];
  }

  /** host h's links besides lo and its underlay interface */
  linksOf(h: SimHost): string[] {
    return (JSON.parse(this.run(h, ['ip', '-j', 'link', 'show']).stdout) as { ifname: string }[])
      .map((l) => l.ifname).filter((n) => n !== 'lo' && n !== UNDERLAY.ifname).sort();
  }

  /** everything host h has that a lab could have left: namespaces, links, rules, files */
  leftovers(h: SimHost): string[] {
    const rules = this.run(h, ['iptables-save']).stdout.split('\n').filter((l) => /NSL-|netns-lab/i.test(l));
    // the helper's lock files stay, empty, by design (test/integration/live-state.ts journalFiles)
    const files = [
      ...this.run(h, ['find', '/run/netns-lab', '-type', 'f']).stdout.split('\n').filter((f) => f && !f.startsWith('/run/netns-lab/locks/')),
      ...this.run(h, ['find', '/etc/netns', '-mindepth', '1']).stdout.split('\n').filter(Boolean),
    ];
    return [...this.netnsOf(h).map((n) => `netns ${n}`), ...this.linksOf(h).map((l) => `link ${l}`), ...rules.map((r) => `rule ${r}`), ...files.map((f) => `file ${f}`)];
  }

  /** ping from namespace ns of host h (within 5 s, a probe a second) */
  ping(h: SimHost, ns: string, target: string): boolean {
    const deadline = Date.now() + 5000;
    for (;;) {
      if (this.run(h, ['ip', 'netns', 'exec', ns, 'ping', '-c', '1', '-W', '1', target]).code === 0) return true;
      if (Date.now() > deadline) return false;
      spawnSync('sleep', ['0.3']);
    }
  }

  async stop(): Promise<void> {
    try {
      for (const h of this.hosts) {
        await this.stopSshd(h).catch(() => undefined);
        if (h.holder.exitCode === null && h.holder.signalCode === null) {
          const gone = new Promise((r) => h.holder.once('exit', r));
          h.holder.kill('SIGKILL');
          await gone;
        }
        spawnSync('ip', ['netns', 'del', h.netns]);
      }
      spawnSync('ip', ['link', 'del', UNDERLAY.bridge]);
    } finally {
      rmSync(this.dir, { recursive: true, force: true });
    }
  }
}
