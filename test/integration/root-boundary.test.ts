/**
 * Review findings of issue 13 (5, 6, 7, 8, 9), each attack performed for real in the sandbox
 * by an unprivileged user (nobody, through the helper's shell mode as sudo would start it) or
 * with planted programs: none may change anything outside the topology's own objects.
 */
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { chmodSync, chownSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, beforeEach, describe, it } from 'node:test';
import { startHelper, HelperFailure } from '../../src/engine/helper-client.js';
import { systemPathFs } from '../../src/engine/path-fs.js';
import { pathProblems } from '../../src/engine/privilege.js';
import { flockLock } from '../../src/helper/flock.js';
import { sandboxState, stateDiff } from './live-state.js';
import { EXAMPLES, ROOT, cli, listNetns, readableCopies, resetSandbox, setupInternet, sh, tryRun } from './sandbox.js';

const HELPER = join(ROOT, 'dist', 'helper.js');
const ARTICLE = join(EXAMPLES, 'article.netns.json');
const RC_COPY = readableCopies(['media/shell/bashrc']);
const RC = RC_COPY.path('media/shell/bashrc');
const NOBODY = { SUDO_UID: '65534', SUDO_GID: '65534' };

/** the helper's shell mode as sudo starts it for nobody; input goes to the user's shell */
function shell(input: string, args: string[], env: Record<string, string> = NOBODY, path = '/usr/bin:/bin') {
  return spawnSync(process.execPath, [HELPER, '--shell', 'ns1', ...args], { input, encoding: 'utf8', env: { PATH: path, TERM: 'dumb', ...env }, timeout: 20_000 });
}
/** a command run as nobody */
function asNobody(argv: string[]) {
  return spawnSync('setpriv', ['--reuid=65534', '--regid=65534', '--clear-groups', '--', ...argv], { encoding: 'utf8', timeout: 20_000 });
}

let work: string;
before(async () => {
  await resetSandbox();
  await setupInternet();
  work = mkdtempSync(join(tmpdir(), 'netns-lab-boundary-'));
  chmodSync(work, 0o755);
});
after(async () => { RC_COPY.remove(); rmSync(work, { recursive: true, force: true }); await resetSandbox(); });

describe('finding 5: the shell\'s --cwd is entered as the user, never in /proc', () => {
  let secret: ReturnType<typeof spawn> | undefined;
  before(() => {
    sh('ip', ['netns', 'add', 'ns1']);
    mkdirSync(join(work, 'private/sub'), { recursive: true });
    chmodSync(join(work, 'private'), 0o700);
    writeFileSync(join(work, 'private/sub/secret'), 'root only\n');
    mkdirSync(join(work, 'public'), { mode: 0o755 });
  });
  after(() => { secret?.kill('SIGKILL'); sh('ip', ['netns', 'del', 'ns1']); });
  const pwd = (args: string[]) => shell('pwd -P; ls; exit\n', args);

  it('a directory nobody may enter is used (the control)', () => {
    const r = pwd(['--cwd', join(work, 'public'), '--rcfile', RC]);
    assert.equal(r.status, 0, r.stderr);
    assert.equal(r.stdout.split('\n')[0], join(work, 'public'));
  });

  it('a subdirectory of root\'s 0700 directory: the shell starts elsewhere and sees nothing of it', () => {
    const r = pwd(['--cwd', join(work, 'private/sub')]);
    assert.equal(r.status, 0, r.stderr);
    assert.notEqual(r.stdout.split('\n')[0], join(work, 'private/sub'));
    assert.doesNotMatch(r.stdout, /secret/);
  });

  it('/proc/PID/root of a process in another mount namespace: refused before any process runs', async () => {
    secret = spawn('unshare', ['--mount', '--propagation', 'private', 'sh', '-c', 'mount -t tmpfs boundary /mnt && echo hidden > /mnt/hidden && echo ready && exec sleep 60'], { stdio: ['ignore', 'pipe', 'inherit'] });
    await new Promise((r) => secret!.stdout!.once('data', r));
    for (const p of [`/proc/${secret.pid}/root/mnt`, `//proc/${secret.pid}/root/mnt`, '/proc', `/proc/${secret.pid}/cwd`]) {
      const r = pwd(['--cwd', p]);
      assert.equal(r.status, 2, p);
      assert.match(r.stderr, /--cwd must not be in \/proc/);
      assert.doesNotMatch(r.stdout, /hidden/);
    }
  });

  it('a symbolic link nobody made into that /proc/PID/root: resolved as nobody (denied), so not entered', () => {
    mkdirSync(join(work, 'mine'), { mode: 0o755 });
    chownSync(join(work, 'mine'), 65534, 65534);
    assert.equal(asNobody(['ln', '-s', `/proc/${secret!.pid}/root/mnt`, join(work, 'mine', 'link')]).status, 0);
    const r = pwd(['--cwd', join(work, 'mine', 'link')]);
    assert.equal(r.status, 0, r.stderr);
    assert.doesNotMatch(r.stdout.split('\n')[0]!, /^\/proc/);
    assert.doesNotMatch(r.stdout, /hidden/);
  });

  it('a symbolic link nobody made that resolves into /proc: refused', () => {
    assert.equal(asNobody(['ln', '-s', '/proc/1', join(work, 'mine', 'proc1')]).status, 0);
    const r = pwd(['--cwd', join(work, 'mine', 'proc1')]);
    assert.equal(r.status, 2);
    assert.match(r.stderr, /--cwd must not be in \/proc \(it resolves to \/proc\/1\)/);
    assert.equal(r.stdout, '');
  });
});

describe('finding 9: the shell\'s --rcfile is looked at as the user', () => {
  before(() => {
    sh('ip', ['netns', 'add', 'ns1']);
    writeFileSync(join(work, 'root-rc'), 'echo ROOTRC\n', { mode: 0o600 });
  });
  after(() => sh('ip', ['netns', 'del', 'ns1']));

  it('a file nobody cannot read answers exactly as a missing one', () => {
    const a = shell('exit\n', ['--rcfile', join(work, 'root-rc')]);
    const b = shell('exit\n', ['--rcfile', join(work, 'missing-rc')]);
    assert.equal(a.status, b.status);
    assert.equal(a.stdout, b.stdout);
    assert.equal(a.stderr, b.stderr);
    assert.doesNotMatch(a.stdout + a.stderr, /ROOTRC|Permission denied/);
  });

  it('a readable rcfile is still used (the control)', () => {
    const r = shell('exit\n', ['--rcfile', RC]);
    assert.match(r.stderr, /\(ns1\) /);
  });
});

describe('finding 8: planted programs in PATH and /usr/local never run as root', () => {
  const plant = () => join(work, 'plant');
  const mark = () => join(work, 'planted-ran');
  const NAMES = ['setpriv', 'ip', 'ping', 'env', 'realpath', 'test', 'flock', 'cat', 'iptables', 'iptables-save', 'iptables-restore', 'sysctl', 'bash', 'sh', 'node'];
  const fill = (dir: string) => {
    for (const n of NAMES) writeFileSync(join(dir, n), `#!/bin/sh\necho "$0 $*" >> ${mark()}\nexit 1\n`, { mode: 0o755 });
  };
  let mounted: string[] = [];
  const savedPath = process.env.PATH;
  before(() => {
    sh('ip', ['netns', 'add', 'ns1']);
    // this test's own tools (sh, sandboxState) from the system directories while /usr/local is planted
    process.env.PATH = '/usr/sbin:/usr/bin:/sbin:/bin';
    mkdirSync(plant(), { mode: 0o755 });
    fill(plant());
    chmodSync(work, 0o777); // the planted programs write their mark as nobody, too
    // inside the sandbox's private mount namespace only: /usr/local/sbin replaced, /usr/local/bin overlaid
    sh('mount', ['-t', 'tmpfs', '-o', 'mode=0755', 'boundary-sbin', '/usr/local/sbin']);
    mounted.push('/usr/local/sbin');
    fill('/usr/local/sbin');
    const ov = join(work, 'ov');
    mkdirSync(join(ov, 'upper'), { recursive: true });
    mkdirSync(join(ov, 'work'));
    sh('mount', ['-t', 'overlay', 'boundary-bin', '-o', `lowerdir=/usr/local/bin,upperdir=${ov}/upper,workdir=${ov}/work`, '/usr/local/bin']);
    mounted.push('/usr/local/bin');
    for (const n of NAMES.filter((x) => x !== 'node')) writeFileSync(join('/usr/local/bin', n), `#!/bin/sh\necho "$0 $*" >> ${mark()}\nexit 1\n`, { mode: 0o755 });
  });
  after(() => {
    for (const m of mounted.reverse()) sh('umount', [m]);
    mounted = [];
    process.env.PATH = savedPath;
    chmodSync(work, 0o755);
    tryRun('ip', ['netns', 'del', 'ns1']);
  });
  const ran = () => (existsSync(mark()) ? readFileSync(mark(), 'utf8') : '');
  beforeEach(() => rmSync(mark(), { force: true }));

  // (root's own shell, started by root, runs root's own rc files with root's PATH: not an attack)
  it('the shell mode for nobody, with the caller\'s PATH starting at the planted programs', () => {
    const r = shell('id -u; exit\n', ['--cwd', '/tmp', '--rcfile', RC], NOBODY, `${plant()}:/usr/local/sbin:/usr/local/bin:/usr/bin:/bin`);
    assert.equal(r.status, 0, r.stderr);
    assert.match(r.stdout, /^65534$/m);
    assert.equal(ran(), '', 'a planted program ran');
  });

  it('apply, ping and destroy through the CLI and through a helper process, with PATH starting at the planted programs', () => {
    sh('ip', ['netns', 'del', 'ns1']);
    const before = sandboxState();
    for (const extra of [{}, { NETNS_LAB_HELPER: HELPER }] as Record<string, string>[]) {
      const env = { ...extra, PATH: `${plant()}:/usr/local/sbin:/usr/local/bin:${savedPath}` };
      const a = cli(['apply', ARTICLE], env);
      assert.equal(a.code, 0, a.stderr);
      assert.equal(cli(['ping', ARTICLE], env).code, 0);
      assert.equal(cli(['destroy', ARTICLE], env).code, 0);
      assert.equal(ran(), '', 'a planted program ran');
    }
    assert.deepEqual(stateDiff(sandboxState(), before), []);
  });
});

describe('finding 7: locks only root can take, and a waiter is told who holds one', () => {
  it('nobody holding the old abstract lock names stalls nothing', async () => {
    const holder = spawn('setpriv', ['--reuid=65534', '--regid=65534', '--clear-groups', '--', process.execPath, '-e',
      "const n=require('net');for(const k of ['topology/article','ip-forward'])n.createServer().listen({path:'\\0netns-lab/'+k});console.log('held')"], { stdio: ['ignore', 'pipe', 'inherit'] });
    await new Promise((r) => holder.stdout!.once('data', r));
    try {
      const r = cli(['apply', ARTICLE], { NETNS_LAB_LOCK_WAIT_MS: '2000' });
      assert.equal(r.code, 0, r.stderr);
      assert.doesNotMatch(r.stderr, /waiting for another apply/);
      assert.equal(cli(['destroy', ARTICLE], { NETNS_LAB_LOCK_WAIT_MS: '2000' }).code, 0);
    } finally { holder.kill('SIGKILL'); }
  });

  it('nobody can neither open, create nor flock the helper\'s lock files, nor make the lock directory', () => {
    assert.equal(cli(['apply', ARTICLE]).code, 0); // the lock files exist now
    assert.equal(cli(['destroy', ARTICLE]).code, 0);
    for (const argv of [
      ['flock', '-n', '/run/netns-lab/locks/topology.article.lock', 'true'],
      ['flock', '-n', '/run/netns-lab/locks/ip-forward.lock', 'true'],
      ['flock', '-n', '/run/netns-lab/locks/topology.other.lock', 'true'],
      ['ls', '/run/netns-lab/locks'],
      ['mkdir', '/run/netns-lab-x'],
    ]) assert.notEqual(asNobody(argv).status, 0, argv.join(' '));
  });

  it('a lock directory that is not root\'s alone: apply refuses, changes nothing', async () => {
    const before = sandboxState();
    chownSync('/run/netns-lab/locks', 65534, 65534);
    try {
      const r = cli(['apply', ARTICLE]);
      assert.notEqual(r.code, 0);
      assert.match(r.stderr, /cannot lock: \/run\/netns-lab\/locks is not a directory of root/);
      assert.deepEqual(stateDiff(sandboxState(), before), []);
    } finally { chownSync('/run/netns-lab/locks', 0, 0); }
  });

  it('a waiting apply names the holder (pid and command line); a holder killed with -9 frees the lock', async () => {
    const held = await flockLock('topology/article', 0, () => undefined);
    const r = cli(['apply', ARTICLE], { NETNS_LAB_LOCK_WAIT_MS: '300' });
    await held.release();
    assert.equal(r.code, 1);
    assert.match(r.stderr, new RegExp(`'topology/article' is locked by another netns-lab process \\(.*pid ${process.pid} \\(${process.execPath.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&')}`));
    assert.deepEqual(listNetns(), ['wan']);
    // a holder process killed with SIGKILL: the kernel drops its lock
    const script = `import('${join(ROOT, 'out', 'src', 'helper', 'flock.js')}').then(async (m) => { await m.flockLock('topology/article', 0, () => {}); console.log('held'); setInterval(() => {}, 1000); })`;
    const holder = spawn(process.execPath, ['-e', script], { stdio: ['ignore', 'pipe', 'inherit'] });
    await new Promise((r2) => holder.stdout!.once('data', r2));
    holder.kill('SIGKILL');
    const a = cli(['apply', ARTICLE], { NETNS_LAB_LOCK_WAIT_MS: '5000' });
    assert.equal(a.code, 0, a.stderr);
    assert.equal(cli(['destroy', ARTICLE]).code, 0);
  });
});

describe('finding 6: pkexec never runs a helper from a place someone else can change', () => {
  it('a helper in a directory nobody owns is refused before pkexec starts, with the reason', async () => {
    // under root's /run of the sandbox (not /tmp, which others may write: that alone is refused)
    mkdirSync('/run/boundary', { mode: 0o755 });
    const dir = '/run/boundary/nobody-ext';
    mkdirSync(dir, { mode: 0o755 });
    writeFileSync(join(dir, 'helper.js'), readFileSync(HELPER));
    chownSync(dir, 65534, 65534);
    assert.match(pathProblems(join(dir, 'helper.js'), systemPathFs).join(), /nobody-ext is owned by uid 65534/);
    await assert.rejects(startHelper({ helperPath: join(dir, 'helper.js'), elevation: 'pkexec', nodePath: '/usr/bin/node' }), (e: unknown) => {
      assert.ok(e instanceof HelperFailure);
      assert.match(e.message, /pkexec was not used: .*nobody-ext is owned by uid 65534/);
      return true;
    });
    rmSync('/run/boundary', { recursive: true });
  });

  it('the system\'s node in /usr/bin passes the same check (the control)', () => {
    assert.deepEqual(pathProblems('/usr/bin/node', systemPathFs), []);
  });
});

it('the sandbox is as it was: nothing outside the topologies\' own objects changed', async () => {
  await resetSandbox();
  await setupInternet();
  assert.deepEqual(listNetns(), ['wan']);
});
