/**
 * Workloads on the helper's side (issue 16), without running anything: the argv of a service
 * and of an exec command (privileges dropped before the file's env, cwd and command count),
 * accounts, the supervisor's exit accounting and log rotation, and the namespace process
 * lister/killer over a fake /proc (the systemd-run argv: systemd-run.test.ts).
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { dropArgv, probeArgv, workloadArgv, type Account, type Bins } from '../../src/helper/service-argv.js';
import { resolveAccount, runExec, startService, type SuperviseDeps } from '../../src/helper/supervise.js';
import type { Service } from '../../src/core/model/model-workloads.js';
import { parseExecArgs } from '../../src/core/model/exec-args.js';
import { RotatingLog, backoffMs, outcome } from '../../src/helper/supervisor.js';
import { endProcesses, processesIn, type NsProcess } from '../../src/helper/procs.js';
import { sameProcess, startTimeOf } from '../../src/helper/procsys.js';
import { fakeProc } from '../support/fake-proc.js';

const BINS: Bins = { ip: '/usr/sbin/ip', setpriv: '/usr/bin/setpriv', env: '/usr/bin/env', sh: '/bin/sh' };
const NOBODY: Account = { name: 'nobody', uid: 65534, gid: 65534, home: '/nonexistent', shell: '/usr/sbin/nologin', inPasswd: true };
const USER_ENV = ['HOME=/nonexistent', 'USER=nobody', 'LOGNAME=nobody', 'SHELL=/usr/sbin/nologin', 'PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin'];

describe('the argv of a workload', () => {
  it('argv command: namespace, then the user, then env -i with the working directory, the env, the program', () => {
    assert.deepEqual(workloadArgv({ ns: 'ns2', command: ['python3', '-m', 'http.server', '8080'], account: NOBODY, cwd: '/srv', env: { GREETING: 'a b=c' } }, BINS), [
      '/usr/sbin/ip', 'netns', 'exec', 'ns2',
      '/usr/bin/setpriv', '--reuid=65534', '--regid=65534', '--init-groups', '--',
      '/usr/bin/env', '-i', '--chdir=/srv', '--', ...USER_ENV, 'GREETING=a b=c',
      'python3', '-m', 'http.server', '8080',
    ]);
  });

  it('a string command runs through /bin/sh -c as one word; the file may override PATH (after the fixed one)', () => {
    const a = workloadArgv({ ns: 'ns1', command: 'echo "$HOME"; id -u', account: NOBODY, cwd: '/', env: { PATH: '/opt/bin' } }, BINS);
    assert.deepEqual(a.slice(-3), ['/bin/sh', '-c', 'echo "$HOME"; id -u']);
    // one PATH= word, the file's, in the user's variables' place (env(1) would take the last anyway)
    assert.deepEqual(a.slice(a.indexOf('--chdir=/') + 2, -3), [...USER_ENV.slice(0, 4), 'PATH=/opt/bin']);
  });

  it('a root workload finds its program outside /usr/local (others may write there)', () => {
    const root: Account = { name: 'root', uid: 0, gid: 0, home: '/root', shell: '/bin/bash', inPasswd: true };
    const a = workloadArgv({ ns: 'ns1', command: ['tcpdump', '-i', 'any'], account: root, cwd: '/' }, BINS);
    assert.ok(a.includes('PATH=/usr/sbin:/usr/bin:/sbin:/bin'));
    assert.ok(!a.some((w) => w.includes('/usr/local')));
  });

  it('no word from the file comes before the privilege drop; a user outside passwd gets no groups', () => {
    const a = workloadArgv({ ns: 'ns1', command: ['LD_PRELOAD'], account: NOBODY, cwd: '/tmp', env: { LD_PRELOAD: '/tmp/x.so' } }, BINS);
    const drop = a.indexOf('--reuid=65534');
    for (const w of ['LD_PRELOAD=/tmp/x.so', '--chdir=/tmp', 'LD_PRELOAD']) assert.ok(a.indexOf(w) > drop, w);
    assert.deepEqual(dropArgv({ ...NOBODY, uid: 4242, gid: 4242, inPasswd: false }, 'setpriv'), ['setpriv', '--reuid=4242', '--regid=4242', '--clear-groups', '--']);
    assert.throws(() => workloadArgv({ ns: 'ns1', command: ['A=1'], account: NOBODY, cwd: '/' }, BINS), /contains '='/);
  });

  it('an exec command ends within its bound: coreutils timeout, as the user, right before the command', () => {
    const a = workloadArgv({ ns: 'ns1', command: 'make', account: NOBODY, cwd: '/', timeout: { seconds: 300, bin: '/usr/bin/timeout' } }, BINS);
    assert.deepEqual(a.slice(-6), ['/usr/bin/timeout', '--kill-after=5', '300', '/bin/sh', '-c', 'make']);
    assert.ok(a.indexOf('/usr/bin/timeout') > a.indexOf('--reuid=65534'));
  });

  it('the TCP probe runs the helper bundle inside the namespace', () => {
    assert.deepEqual(probeArgv('ns2', 8080, '/usr/bin/node', '/x/dist/helper.js', 'ip'), ['ip', 'netns', 'exec', 'ns2', '/usr/bin/node', '/x/dist/helper.js', '--probe-tcp', '8080']);
  });
});

describe('the helper trusts no caller', () => {
  it('parses a service or an exec command again before anything runs, naming the field', async () => {
    const nothing = {} as SuperviseDeps; // any use of it would throw a TypeError instead
    await assert.rejects(startService(nothing, 'lab', 'ns1', { name: 'x', command: 'true', user: 'Bad;' } as Service), /service in ns1: user: 'Bad;' is not a user name/);
    await assert.rejects(startService(nothing, 'lab', 'ns1', { name: 'x', command: ['a\0b'] } as Service), /service in ns1: command/);
    await assert.rejects(startService(nothing, 'lab', 'ns1', { name: 'x', command: 'true', cwd: '/proc/1' } as Service), /cwd '\/proc\/1' is under \/proc/);
    await assert.rejects(runExec(nothing, 'ns1', [] as unknown as string[], undefined), /exec in ns1: /);
    await assert.rejects(runExec(nothing, 'ns1', 'true', 'ROOT'), /exec in ns1: .*'ROOT' is not a user name/);
  });
});

describe('helper.js --exec arguments', () => {
  it('namespace, options, then the command after "--"', () => {
    assert.deepEqual(parseExecArgs(['ns1', '--user', 'nobody', '--cwd', '/srv', '--env', 'A=1=2', '--env', 'B=', '--', 'node', '--inspect', 'x.js']),
      { ns: 'ns1', user: 'nobody', cwd: '/srv', env: { A: '1=2', B: '' }, command: ['node', '--inspect', 'x.js'] });
    assert.deepEqual(parseExecArgs(['ns1', '--', 'id']), { ns: 'ns1', env: {}, command: ['id'] });
  });
  it('refuses, naming the reason, what the file format refuses', () => {
    const cases: [string[], RegExp][] = [
      [[], /usage/], [['../x', '--', 'id'], /namespace name/], [['ns1'], /follows "--"/], [['ns1', '--'], /follows "--"/],
      [['ns1', 'id'], /needs a value|unknown option/], [['ns1', '--user', 'Bad', '--', 'id'], /--user: 'Bad' is not a user name/],
      [['ns1', '--cwd', 'rel', '--', 'id'], /--cwd: .*not an absolute path/], [['ns1', '--cwd', '/proc/self', '--', 'id'], /under \/proc/],
      [['ns1', '--env', 'A-B=1', '--', 'id'], /--env: 'A-B' is not an environment variable name/], [['ns1', '--env', 'AB', '--', 'id'], /expects NAME=VALUE/],
      [['ns1', '--shell', 'x', '--', 'id'], /unknown option --shell/], [['ns1', '--', 'a\0'], /command/],
    ];
    for (const [argv, re] of cases) assert.match(parseExecArgs(argv) as string, re, JSON.stringify(argv));
  });
});

describe('accounts', () => {
  const passwd = 'root:x:0:0:root:/root:/bin/bash\nnobody:x:65534:65534:nobody:/nonexistent:/usr/sbin/nologin\nalice:x:1000:1000::/home/alice:/bin/zsh\n';
  it('a named user, the person who applies (sudo or pkexec), root when root applies directly', () => {
    assert.deepEqual(resolveAccount(passwd, 'nobody', {}), NOBODY);
    assert.deepEqual(resolveAccount(passwd, undefined, { SUDO_UID: '1000', SUDO_GID: '1000' }), { name: 'alice', uid: 1000, gid: 1000, home: '/home/alice', shell: '/bin/zsh', inPasswd: true });
    assert.equal((resolveAccount(passwd, undefined, { PKEXEC_UID: '1000' }) as Account).name, 'alice');
    assert.equal((resolveAccount(passwd, undefined, {}) as Account).uid, 0);
    assert.deepEqual(resolveAccount(passwd, undefined, { SUDO_UID: '4242' }), { name: '4242', uid: 4242, gid: 4242, home: '/', shell: '/bin/sh', inPasswd: false });
    assert.match(resolveAccount(passwd, 'mallory', {}) as string, /user 'mallory' does not exist/);
  });
});

describe('the supervisor', () => {
  it('records 128 + signal; like systemd, exit 0 and SIGHUP/INT/TERM/PIPE are not failures', () => {
    assert.deepEqual(outcome(0, null), { code: 0, failed: false });
    assert.deepEqual(outcome(3, null), { code: 3, failed: true });
    assert.deepEqual(outcome(null, 'SIGTERM'), { code: 143, failed: false });
    assert.deepEqual(outcome(null, 'SIGKILL'), { code: 137, failed: true });
    assert.deepEqual(outcome(null, 'SIGSEGV'), { code: 139, failed: true });
    assert.deepEqual([0, 1, 2, 3, 4, 5, 10].map(backoffMs), [500, 1000, 2000, 4000, 8000, 8000, 8000]);
  });

  it('rotates its log at the size bound, keeping one older part', () => {
    const dir = mkdtempSync(join(tmpdir(), 'netns-lab-log-'));
    try {
      const p = join(dir, 'web.log');
      const log = new RotatingLog(p, 100);
      log.write('a'.repeat(60));
      log.write('b'.repeat(30));
      log.write('c'.repeat(30));
      log.write('d'.repeat(80));
      log.write('e'.repeat(30));
      log.close();
      log.write('late output after the end');
      // 60+30 fit; c would pass 100: a+b go to .1; d would pass: c goes; e would pass: d goes
      assert.equal(readFileSync(`${p}.1`, 'utf8'), 'd'.repeat(80));
      assert.equal(readFileSync(p, 'utf8'), 'e'.repeat(30));
      assert.equal(statSync(p).mode & 0o777, 0o600);
    } finally { rmSync(dir, { recursive: true, force: true }); }
  });
});

describe('processes inside a namespace', () => {
  const procs = {
    10: { net: 1, uid: 0, cmd: ['/sbin/init'], start: 1 },
    20: { net: 7, uid: 65534, cmd: ['python3', '-m', 'http.server'], start: 500 },
    21: { net: 7, uid: 0, cmd: ['sleep', '1000'], start: 600 },
    22: { net: 7, uid: 1000, cmd: [], start: 700, comm: 'kworker' },
    30: { net: 8, uid: 0, cmd: ['sleep', '5'], start: 800 },
  };
  it('lists exactly those whose net namespace is /run/netns/NS, with user, start and command', () => {
    const { sys } = fakeProc(procs, { ns1: 7, ns2: 8 });
    assert.deepEqual(processesIn(sys, 'ns1'), [
      { pid: 20, start: 500, uid: 65534, user: 'nobody', command: 'python3 -m http.server' },
      { pid: 21, start: 600, uid: 0, user: '0', command: 'sleep 1000' },
      { pid: 22, start: 700, uid: 1000, user: '1000', command: '[kworker]' },
    ]);
    assert.deepEqual(processesIn(sys, 'missing'), []);
    assert.throws(() => processesIn(sys, '../x'), /namespace name/);
  });

  it('reads the start time after the last ")" of the command name', () => {
    const { sys } = fakeProc(procs, {});
    assert.equal(startTimeOf(sys, 20), 500);
    assert.equal(sameProcess(sys, 20, 500), true);
    assert.equal(sameProcess(sys, 20, 501), false, 'a reused pid is another process');
  });

  it('ends them: SIGTERM, then SIGKILL for what stays; a pid that is now another process is left alone', async () => {
    const { sys, killed } = fakeProc({ ...procs, 21: { ...procs[21], cmd: ['stubborn'] } }, { ns1: 7 });
    const list = processesIn(sys, 'ns1');
    const reused: NsProcess = { pid: 30, start: 1, uid: 0, user: 'root', command: 'old' };
    const r = await endProcesses(sys, [...list, reused]);
    assert.deepEqual(r.terminated.map((p) => p.pid), [20, 22, 30]);
    assert.deepEqual(r.killed.map((p) => p.pid), [21]);
    assert.deepEqual(killed, [[20, 'SIGTERM'], [21, 'SIGTERM'], [22, 'SIGTERM'], [21, 'SIGKILL']]);
  });
});
