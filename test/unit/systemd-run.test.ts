/**
 * The systemd backend of services (issue 16), by argv: PID 1 is not systemd on the machines this
 * was built on, so nothing here runs systemd. A recorded runner answers as `systemctl` would
 * (real-looking `systemctl show` output), a fake /proc stands for the service's process: the
 * unit's argv word by word, its name (escaped, hostile names refused), the states parsed into the
 * own supervisor's shape, start/stop through the helper's side, and the machine's choice.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { Service } from '../../src/core/model/model-workloads.js';
import { serviceDigest } from '../../src/core/model/workloads.js';
import type { OpContext } from '../../src/helper/ops/context.js';
import { stopOne } from '../../src/helper/ops/service-stop.js';
import { PROTOCOL_VERSION } from '../../src/helper/protocol.js';
import { serviceBackend } from '../../src/helper/service-backend.js';
import type { Account } from '../../src/helper/service-argv.js';
import { logPath, recordPath } from '../../src/helper/service-files.js';
import { chooseSupervision, systemdVersion, type SupervisionProbe } from '../../src/helper/supervision.js';
import {
  escapePart, exitCode, journalArgv, parseShow, resetFailedArgv, showArgv, startArgv, stopArgv, unitName, unitView, wallOf, type SystemdBins,
} from '../../src/helper/systemd-run.js';
import { liveOfUnit, startUnit, stopUnit, unitFilePath, unitState, type SystemdDeps } from '../../src/helper/systemd-supervise.js';
import { article } from '../support/fixtures.js';
import { fakeProc } from '../support/fake-proc.js';
import { fakeSystem } from '../support/fake-system.js';

const BINS: SystemdBins = { systemdRun: '/usr/bin/systemd-run', systemctl: '/usr/bin/systemctl', env: '/usr/bin/env', sh: '/bin/sh' };
const ALICE: Account = { name: 'alice', uid: 1000, gid: 1000, home: '/home/alice', shell: '/bin/bash', inPasswd: true };
const ROOT: Account = { name: 'root', uid: 0, gid: 0, home: '/root', shell: '/bin/bash', inPasswd: true };
const ID = { topology: 'lab', ns: 'ns2', name: 'web' };
const UNIT = 'netns-lab-lab-ns2-web.service';
const LOG = '/run/netns-lab/services/lab/ns2/web.log';

/** the words every unit has, around what differs */
const head = (unit = UNIT, ns = 'ns2', desc = 'netns-lab service web in ns2 (topology lab)') => [
  '/usr/bin/systemd-run', '--quiet', `--unit=${unit}`, `--description=${desc}`,
  '--service-type=exec', '--property=RemainAfterExit=yes', `--property=NetworkNamespacePath=/run/netns/${ns}`,
  `--property=BindReadOnlyPaths=-/etc/netns/${ns}/resolv.conf:/etc/resolv.conf`, `--property=BindReadOnlyPaths=-/etc/netns/${ns}/hosts:/etc/hosts`,
];
const tail = (log = LOG) => [`--property=StandardOutput=append:${log}`, '--property=StandardError=inherit', '--property=TimeoutStopSec=2'];
const aliceEnv = ['HOME=/home/alice', 'USER=alice', 'LOGNAME=alice', 'SHELL=/bin/bash', 'PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin'].map((e) => `--setenv=${e}`);

describe('systemd-run: the start argv', () => {
  it("a user's service: in the namespace, as the user, its cwd and env, no restart; argv through env(1) by absolute path", () => {
    assert.deepEqual(startArgv({ id: ID, command: ['python3', '-m', 'http.server', '8080'], account: ALICE, cwd: '/srv/www', env: { GREETING: 'a b=c' }, restart: 'no', maxRestarts: 5 }, BINS), [
      ...head(),
      '--uid=1000', '--gid=1000', '--working-directory=/srv/www',
      ...aliceEnv, '--setenv=GREETING=a b=c',
      '--property=Restart=no',
      ...tail(),
      '--', '/usr/bin/env', '--', 'python3', '-m', 'http.server', '8080',
    ]);
  });

  it('a root service: uid 0, the PATH without /usr/local; on-failure bounded by StartLimitBurst = 1 + maxRestarts', () => {
    assert.deepEqual(startArgv({ id: ID, command: ['tcpdump', '-i', 'any'], account: ROOT, cwd: '/root', restart: 'on-failure', maxRestarts: 3 }, BINS), [
      ...head(),
      '--uid=0', '--gid=0', '--working-directory=/root',
      ...['HOME=/root', 'USER=root', 'LOGNAME=root', 'SHELL=/bin/bash', 'PATH=/usr/sbin:/usr/bin:/sbin:/bin'].map((e) => `--setenv=${e}`),
      '--property=Restart=on-failure', '--property=RestartSec=1', '--property=StartLimitBurst=4', '--property=StartLimitIntervalSec=1d',
      ...tail(),
      '--', '/usr/bin/env', '--', 'tcpdump', '-i', 'any',
    ]);
  });

  it('a string runs through /bin/sh -c as one word; "$" reaches the program as it is written ($$ for the manager)', () => {
    const a = startArgv({ id: ID, command: 'echo "$HOME" ${USER} $$', account: ALICE, cwd: '/', env: { PRICE: '$5' }, restart: 'no', maxRestarts: 5 }, BINS);
    assert.deepEqual(a.slice(a.indexOf('--')), ['--', '/bin/sh', '-c', 'echo "$$HOME" $${USER} $$$$']);
    // the environment is not expanded by the manager: as written
    assert.ok(a.includes('--setenv=PRICE=$5'));
    assert.ok(a.includes('--working-directory=/'));
  });

  it('the file may override PATH after the fixed one; a program with "=" is refused (env(1) would take it for a variable)', () => {
    const a = startArgv({ id: ID, command: ['app'], account: ALICE, cwd: '/', env: { PATH: '/opt/bin' }, restart: 'no', maxRestarts: 0 }, BINS);
    assert.deepEqual(a.filter((w) => w.startsWith('--setenv=PATH=')), ['--setenv=PATH=/opt/bin']);
    assert.throws(() => startArgv({ id: ID, command: ['A=1', 'sh'], account: ALICE, cwd: '/', restart: 'no', maxRestarts: 0 }, BINS), /the program 'A=1' contains '='/);
  });

  it('stop, reset-failed, show and the journal name the same unit', () => {
    assert.deepEqual(stopArgv(ID, 'systemctl'), ['systemctl', 'stop', '--', UNIT]);
    assert.deepEqual(resetFailedArgv(ID, 'systemctl'), ['systemctl', 'reset-failed', '--', UNIT]);
    assert.deepEqual(showArgv(ID, 'systemctl'), ['systemctl', 'show', '--property=LoadState,ActiveState,SubState,MainPID,ExecMainStatus,ExecMainCode,NRestarts,ExecMainStartTimestampMonotonic', '--', UNIT]);
    assert.deepEqual(journalArgv(ID, 'journalctl', 50), ['journalctl', '-u', UNIT, '-n', '50', '--no-pager', '-o', 'cat']);
  });
});

describe('systemd-run: unit names', () => {
  it("systemd-escape of each part: '-' is \\x2d, so '-' only separates parts and no two services share a unit", () => {
    assert.equal(escapePart('ns-2'), 'ns\\x2d2');
    assert.equal(escapePart('web.v1_a:b'), 'web.v1_a:b');
    assert.equal(escapePart('.x'), '\\x2ex');
    const id = { topology: 'my-lab', ns: 'ns-2', name: 'web.1' };
    assert.equal(unitName(id), 'netns-lab-my\\x2dlab-ns\\x2d2-web.1.service');
    assert.deepEqual(startArgv({ id, command: ['x'], account: ALICE, cwd: '/', restart: 'no', maxRestarts: 0 }, BINS).slice(0, 9),
      head('netns-lab-my\\x2dlab-ns\\x2d2-web.1.service', 'ns-2', 'netns-lab service web.1 in ns-2 (topology my-lab)'));
    assert.notEqual(unitName({ topology: 'a-b', ns: 'c', name: 'd' }), unitName({ topology: 'a', ns: 'b-c', name: 'd' }));
    assert.notEqual(unitName({ topology: 'a', ns: 'b', name: 'c-d' }), unitName({ topology: 'a', ns: 'b-c', name: 'd' }));
    const longest = unitName({ topology: 'T'.repeat(20), ns: 'n'.repeat(64), name: 's'.repeat(64) });
    assert.ok(longest.length <= 255 && /^[A-Za-z0-9:_.\\-]+$/.test(longest), longest);
  });

  it('a hostile name is refused before any argv exists, naming the field', () => {
    const hostile: [Partial<typeof ID>, RegExp][] = [
      [{ name: '../../etc/x' }, /name: /], [{ name: 'a b' }, /name: /], [{ name: 'x;reboot' }, /name: /], [{ name: '-rf' }, /name: /],
      [{ name: '' }, /name: /], [{ name: 'wéb' }, /name: /], [{ name: 'a\nb' }, /name: /], [{ name: 'a\\x2db' }, /name: /],
      [{ ns: 'ns/../x' }, /ns: /], [{ ns: 'ns 2' }, /ns: /], [{ topology: 'lab.service' }, /topology: /], [{ topology: 'a'.repeat(21) }, /topology: /],
    ];
    for (const [bad, field] of hostile) {
      const id = { ...ID, ...bad };
      assert.throws(() => unitName(id), (e: Error) => /^refusing a unit for service/.test(e.message) && field.test(e.message), JSON.stringify(bad));
      assert.throws(() => startArgv({ id, command: ['x'], account: ALICE, cwd: '/', restart: 'no', maxRestarts: 0 }, BINS), /refusing a unit/);
      assert.throws(() => stopArgv(id, 'systemctl'), /refusing a unit/);
    }
  });
});

/** `systemctl show` as systemd prints it (its own order: the service's properties, then the unit's) */
const show = (o: Record<string, string | number>) => Object.entries({
  MainPID: 0, NRestarts: 0, ExecMainStartTimestampMonotonic: 0, ExecMainCode: 0, ExecMainStatus: 0,
  LoadState: 'loaded', ActiveState: 'inactive', SubState: 'dead', ...o,
}).map(([k, v]) => `${k}=${v}`).join('\n') + '\n';
const RUNNING = show({ MainPID: 4242, NRestarts: 0, ExecMainStartTimestampMonotonic: 5_000_000_000, ActiveState: 'active', SubState: 'running' });
const EXITED_3 = show({ ExecMainStartTimestampMonotonic: 5_000_000_000, ExecMainCode: 1, ExecMainStatus: 3, ActiveState: 'failed', SubState: 'failed' });
const KILLED_9 = show({ ExecMainStartTimestampMonotonic: 5_000_000_000, ExecMainCode: 2, ExecMainStatus: 9, ActiveState: 'failed', SubState: 'failed' });
const AUTO_RESTART = show({ NRestarts: 2, ExecMainStartTimestampMonotonic: 5_000_000_000, ExecMainCode: 1, ExecMainStatus: 1, ActiveState: 'activating', SubState: 'auto-restart' });
const CLEAN_EXIT = show({ ExecMainStartTimestampMonotonic: 5_000_000_000, ExecMainCode: 1, ExecMainStatus: 0, ActiveState: 'active', SubState: 'exited' });
const NOT_FOUND = show({ LoadState: 'not-found' });

describe('systemd-run: state from `systemctl show`', () => {
  it('running, exited with a code, ended by a signal (128 + it), waiting to restart, a clean exit, no unit', () => {
    assert.deepEqual(unitView(parseShow(RUNNING)), { state: 'running', pid: 4242, restarts: 0, startMonoUs: 5_000_000_000 });
    assert.deepEqual(unitView(parseShow(EXITED_3)), { state: 'exited', restarts: 0, code: 3 });
    assert.deepEqual(unitView(parseShow(KILLED_9)), { state: 'exited', restarts: 0, code: 137 });
    assert.deepEqual(unitView(parseShow(AUTO_RESTART)), { state: 'starting', restarts: 2 });
    assert.deepEqual(unitView(parseShow(CLEAN_EXIT)), { state: 'exited', restarts: 0, code: 0 });
    assert.deepEqual(unitView(parseShow(NOT_FOUND)), { state: 'gone', restarts: 0 });
    // never started: no code (ExecMainStatus=0 of nothing is no exit code)
    assert.equal(exitCode(parseShow(show({ ExecMainCode: 0 }))), undefined);
    assert.equal(exitCode(parseShow(show({ ExecMainStartTimestampMonotonic: 7, ExecMainCode: 3, ExecMainStatus: 11 }))), 139);
  });

  it('a monotonic instant in wall-clock ms, from both clocks read now', () => {
    assert.equal(wallOf(5_000_000_000, { wallMs: 1_700_000_060_000, monoUs: 5_060_000_000 }), 1_700_000_000_000);
  });
});

const unitFile = (o: Record<string, unknown> = {}) => JSON.stringify({ v: 1, unit: UNIT, digest: 'a'.repeat(64), user: 'alice', uid: 1000, ...o });
const CLOCK = () => ({ wallMs: 1_700_000_060_000, monoUs: 5_060_000_000 });

/** a systemd that answers `show` with the given text, a fake /proc with the service's process in ns2 */
function machine(answers: { show: () => string; run?: number }, files: Record<string, string> = {}) {
  const runner = fakeSystem((argv) => {
    if (argv[0] === 'systemctl' && argv[1] === 'show') return { code: 0, stdout: answers.show(), stderr: '' };
    if (argv[0] === 'systemd-run') return { code: answers.run ?? 0, stdout: '', stderr: answers.run ? 'Job for netns-lab-lab-ns2-web.service failed.' : '' };
    return undefined;
  }, { '/etc/passwd': 'root:x:0:0:root:/root:/bin/bash\nalice:x:1000:1000::/home/alice:/bin/bash\n', ...files });
  runner.dirs.add('/home/alice');
  const { sys, killed } = fakeProc({ 4242: { net: 8, uid: 1000, cmd: ['python3', '-m', 'http.server'], start: 777 } }, { ns2: 8 });
  const d: SystemdDeps = { runner, sys, node: '/usr/bin/node', helperScript: '/x/helper.js', env: { SUDO_UID: '1000', SUDO_GID: '1000' }, clock: CLOCK };
  return { runner, sys, killed, d };
}

describe('systemd-run: the helper side (recorded runner)', () => {
  it('state: the unit file and systemd together, in the own supervisor\'s shape; the process checked inside the namespace', async () => {
    const m = machine({ show: () => RUNNING }, { [unitFilePath(ID)]: unitFile() });
    assert.deepEqual(await unitState(m.d, ID), {
      ns: 'ns2', name: 'web', digest: 'a'.repeat(64), restarts: 0, user: 'alice',
      state: 'running', pid: 4242, startTime: 777, nsInode: 8, since: 1_700_000_000_000,
    });
    assert.deepEqual(m.runner.calls.map((c) => c.argv), [showArgv(ID, 'systemctl')]);
    // the same pid in another network namespace (its namespace was re-created): not running
    const f = unitFile();
    assert.equal(liveOfUnit({ ...m.d, sys: fakeProc({ 4242: { net: 9, uid: 1000, cmd: ['x'], start: 1 } }, { ns2: 8 }).sys }, ID, JSON.parse(f), RUNNING).state, 'starting');
    assert.deepEqual(liveOfUnit(m.d, ID, JSON.parse(f), KILLED_9), { ns: 'ns2', name: 'web', digest: 'a'.repeat(64), restarts: 0, user: 'alice', state: 'exited', code: 137 });
    // the unit vanished behind the helper's back: exited, without a code
    assert.deepEqual(liveOfUnit(m.d, ID, JSON.parse(f), NOT_FOUND).state, 'exited');
    // no unit file: not started, and systemd is not asked
    const none = machine({ show: () => RUNNING });
    assert.deepEqual(await unitState(none.d, ID), { ns: 'ns2', name: 'web', state: 'not-started', restarts: 0 });
    assert.equal(none.runner.calls.length, 0);
  });

  it('start: stop what was there, the private directories, the unit file, then systemd-run; running once it kept running 1 s', async () => {
    const web: Service = { name: 'web', command: ['python3', '-m', 'http.server', '8080'], cwd: '/srv', restart: 'on-failure', maxRestarts: 2 };
    const m = machine({ show: () => RUNNING });
    m.runner.dirs.add('/run/netns-lab');
    for (const p of ['/run/netns-lab/services', '/run/netns-lab/services/lab', '/run/netns-lab/services/lab/ns2']) m.runner.dirs.add(p);
    const live = await startUnit(m.d, 'lab', 'ns2', web);
    assert.equal(live.state, 'running');
    assert.equal(live.digest, serviceDigest(web));
    const argvs = m.runner.calls.map((c) => c.argv);
    // nothing was there (no unit file: systemd is not asked its state, the unit stopped all the same)
    assert.deepEqual(argvs.slice(0, 3), [stopArgv(ID, 'systemctl'), resetFailedArgv(ID, 'systemctl'), [
      'systemd-run', '--quiet', `--unit=${UNIT}`, '--description=netns-lab service web in ns2 (topology lab)',
      ...head().slice(4),
      '--uid=1000', '--gid=1000', '--working-directory=/srv', ...aliceEnv,
      '--property=Restart=on-failure', '--property=RestartSec=1', '--property=StartLimitBurst=3', '--property=StartLimitIntervalSec=1d',
      ...tail(), '--', '/usr/bin/env', '--', 'python3', '-m', 'http.server', '8080',
    ]]);
    // then only `show`, until the same process has kept running for 1 s
    assert.ok(argvs.slice(3).every((a) => a.join(' ') === showArgv(ID, 'systemctl').join(' ')) && argvs.length > 4, JSON.stringify(argvs.slice(3)));
    assert.deepEqual(JSON.parse(m.runner.files.get(unitFilePath(ID))!), { v: 1, unit: UNIT, digest: serviceDigest(web), user: 'alice', uid: 1000 });
    // written before systemd-run ran: a unit is never started that the helper could not find again
    assert.ok(m.runner.writes.indexOf(`write ${unitFilePath(ID)}`) >= 0);
  });

  it('start: a service that exits before it is ready fails naming it and its code, and is stopped (nothing left)', async () => {
    // the service wrote its log (systemd appends its output to the file) and failed
    const m = machine({ show: () => { m.runner.files.set(LOG, 'Traceback: no module named foo\n'); return EXITED_3; } });
    for (const p of ['/run/netns-lab', '/run/netns-lab/services', '/run/netns-lab/services/lab', '/run/netns-lab/services/lab/ns2']) m.runner.dirs.add(p);
    await assert.rejects(startUnit(m.d, 'lab', 'ns2', { name: 'web', command: 'python3 -m foo' }), /service 'web' in ns2 exited with code 3 before it was ready; the end of its log:\nTraceback: no module named foo/);
    const argvs = m.runner.calls.map((c) => c.argv.slice(0, 2).join(' '));
    assert.deepEqual(argvs.slice(-2), ['systemctl stop', 'systemctl reset-failed']);
    assert.equal(m.runner.files.has(unitFilePath(ID)), false);
    assert.equal(m.runner.files.has(LOG), false);
  });

  it('start: systemd-run refusing (Type=exec: the command could not start) fails with its message and leaves nothing', async () => {
    const m = machine({ show: () => NOT_FOUND, run: 1 });
    for (const p of ['/run/netns-lab', '/run/netns-lab/services', '/run/netns-lab/services/lab', '/run/netns-lab/services/lab/ns2']) m.runner.dirs.add(p);
    await assert.rejects(startUnit(m.d, 'lab', 'ns2', { name: 'web', command: ['true'] }), /service 'web' in ns2: systemd-run failed with exit code 1: Job for netns-lab-lab-ns2-web.service failed\./);
    assert.equal(m.runner.files.has(unitFilePath(ID)), false);
  });

  it('start: the same checks as the own supervisor first (the file\'s schema, the namespace, the user)', async () => {
    const m = machine({ show: () => RUNNING });
    await assert.rejects(startUnit(m.d, 'lab', 'ns2', { name: 'x', command: 'true', user: 'Bad;' } as Service), /service in ns2: user: 'Bad;' is not a user name/);
    await assert.rejects(startUnit(m.d, 'lab', 'ns9', { name: 'x', command: 'true' }), /there is no namespace 'ns9'/);
    await assert.rejects(startUnit(m.d, 'lab', 'ns2', { name: 'x', command: 'true', user: 'mallory' }), /user 'mallory' does not exist/);
    assert.equal(m.runner.calls.length, 0);
  });

  it('stop: systemctl stop, reset-failed, the unit file and log removed; the pid it had', async () => {
    const m = machine({ show: () => RUNNING }, { [unitFilePath(ID)]: unitFile(), [LOG]: 'hello\n' });
    assert.deepEqual(await stopUnit(m.d, ID), { pid: 4242 });
    assert.deepEqual(m.runner.calls.map((c) => c.argv), [showArgv(ID, 'systemctl'), stopArgv(ID, 'systemctl'), resetFailedArgv(ID, 'systemctl')]);
    for (const f of [unitFilePath(ID), LOG]) assert.equal(m.runner.files.has(f), false, f);
    assert.deepEqual(m.killed, [], 'systemd ends the processes, the helper signals nothing');
  });

  it('stop: a failure of systemctl (other than "not loaded") is an error naming the unit', async () => {
    const runner = fakeSystem((argv) => (argv[1] === 'stop' ? { code: 1, stdout: '', stderr: 'Access denied' } : undefined));
    const d: SystemdDeps = { ...machine({ show: () => '' }).d, runner };
    await assert.rejects(stopUnit(d, ID), new RegExp(`systemctl stop ${UNIT.replace(/\./g, '\\.')} failed with exit code 1: Access denied`));
    const gone = fakeSystem((argv) => (argv[1] === 'stop' || argv[1] === 'reset-failed' ? { code: 5, stdout: '', stderr: 'Unit not loaded.' } : undefined));
    assert.deepEqual(await stopUnit({ ...d, runner: gone }, ID), {});
  });
});

describe('the service backend the ops use', () => {
  it('by the deps\' choice: systemd units, or the own supervisor (the default: deps without a choice)', async () => {
    const m = machine({ show: () => RUNNING }, { [unitFilePath(ID)]: unitFile() });
    assert.equal(serviceBackend(m.d).kind, 'own');
    const b = serviceBackend({ ...m.d, supervision: 'systemd' });
    assert.equal(b.kind, 'systemd');
    assert.deepEqual((await b.observe('lab')).map((l) => [l.ns, l.name, l.state, l.pid]), [['ns2', 'web', 'running', 4242]]);
    assert.equal(await b.known(ID), true);
    assert.equal(await serviceBackend(m.d).known(ID), false, 'the own supervisor looks for its record');
    m.runner.files.set(recordPath(ID), '{}');
    assert.equal(await serviceBackend(m.d).known(ID), true);
  });

  it('service-stop through systemd: a unit the helper holds is stopped under the lock', async () => {
    const m = machine({ show: () => RUNNING }, { [unitFilePath(ID)]: unitFile(), [logPath(ID)]: 'x' });
    const t = article();
    t.name = 'lab';
    const progress: string[] = [];
    const ctx = { runner: m.runner, progress: (s: string) => progress.push(s), lockWaitMs: 200 } as unknown as OpContext;
    const r = await stopOne({ v: PROTOCOL_VERSION, id: 1, op: 'service-stop', topology: t, ns: 'ns2', name: 'web' }, ctx, { ...m.d, supervision: 'systemd' });
    assert.deepEqual(r, { stopped: true, pid: 4242 });
    assert.ok(m.runner.calls.some((c) => c.argv.join(' ') === stopArgv(ID, 'systemctl').join(' ')));
    assert.equal(m.runner.files.has(unitFilePath(ID)), false);
  });
});

/** a machine as the choice sees it */
function probe(o: { comm?: string; bins?: string[]; mnt?: [number, number]; net?: [number, number]; version?: string; env?: NodeJS.ProcessEnv } = {}) {
  let asked = 0;
  const inodes: Record<string, number> = {
    '/proc/self/ns/mnt': (o.mnt ?? [1, 1])[0], '/proc/1/ns/mnt': (o.mnt ?? [1, 1])[1],
    '/proc/self/ns/net': (o.net ?? [2, 2])[0], '/proc/1/ns/net': (o.net ?? [2, 2])[1],
  };
  const p: SupervisionProbe = {
    read: (path) => (path === '/proc/1/comm' ? `${o.comm ?? 'systemd'}\n` : undefined),
    inode: (path) => inodes[path],
    bin: (name) => ((o.bins ?? ['systemd-run', 'systemctl']).includes(name) ? `/usr/bin/${name}` : undefined),
    systemctlVersion: async () => { asked++; return o.version ?? 'systemd 255 (255.4-1ubuntu8.4)\n+PAM +AUDIT +SELINUX\n'; },
    env: o.env ?? {},
  };
  return { p, asked: () => asked };
}

describe('who keeps the services: the machine\'s choice', () => {
  it('systemd where it is PID 1 with systemd-run and systemctl, 242 or later, and the helper beside it', async () => {
    assert.equal(await chooseSupervision(probe().p), 'systemd');
    assert.equal(await chooseSupervision(probe({ version: 'systemd 242 (242)\n' }).p), 'systemd');
  });

  it('the own supervisor otherwise: another init, a missing program, an old systemd, a sandbox or container', async () => {
    const cases: [string, ReturnType<typeof probe>][] = [
      ['PID 1 is not systemd', probe({ comm: 'tini' })],
      ['no /proc/1/comm', probe({ comm: '' })],
      ['no systemd-run', probe({ bins: ['systemctl'] })],
      ['no systemctl', probe({ bins: ['systemd-run'] })],
      ['systemd 239 (no NetworkNamespacePath=)', probe({ version: 'systemd 239 (239-78.el8)\n' })],
      ['an unreadable version', probe({ version: 'garbage' })],
      ['another mount namespace (test/sandbox/run.sh: its own /run/netns)', probe({ mnt: [5, 1] })],
      ['another network namespace', probe({ net: [6, 2] })],
      ['PID 1\'s namespaces unreadable', probe({ mnt: [1, undefined as unknown as number] })],
      ['forced by the environment', probe({ env: { NETNS_LAB_SUPERVISION: 'own' } })],
    ];
    for (const [why, c] of cases) assert.equal(await chooseSupervision(c.p), 'own', why);
    // systemctl is only run when everything else says systemd
    const tini = probe({ comm: 'tini' });
    await chooseSupervision(tini.p);
    assert.equal(tini.asked(), 0);
    // no other value of the variable changes anything
    assert.equal(await chooseSupervision(probe({ env: { NETNS_LAB_SUPERVISION: 'systemd; rm -rf /' } }).p), 'systemd');
  });

  it('the version line of `systemctl --version`', () => {
    assert.equal(systemdVersion('systemd 255 (255.4-1ubuntu8.4)\n+PAM'), 255);
    assert.equal(systemdVersion('systemd 242\n'), 242);
    assert.equal(systemdVersion('libsystemd 255'), undefined);
    assert.equal(systemdVersion(undefined), undefined);
  });
});
