/**
 * Workloads (issue 16) on a real kernel, through the helper's modules directly (not yet through
 * the server): a service runs as its user inside its namespace under a detached supervisor,
 * serves another namespace, is found again by its record only, is reported exited with its code
 * when killed by hand, comes back (bounded) with on-failure, restarts alone when its definition
 * changes, and stops leaving no process, record or log. The namespace process lister finds a
 * `sleep` started by hand and the killer ends it. A service never ready fails naming itself.
 */
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { chmodSync, existsSync, mkdirSync, readFileSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { Service } from '../../src/core/model/model-workloads.js';
import { planWorkloads } from '../../src/core/model/workloads.js';
import { validateValue } from '../../src/core/model/validate.js';
import { endProcesses, processesIn } from '../../src/helper/procs.js';
import { createProcSys, sameProcess } from '../../src/helper/procsys.js';
import { createSystemRunner } from '../../src/helper/runner.js';
import { SERVICES_DIR, logPath, recordPath, specPath } from '../../src/helper/service-files.js';
import { observeServices, runExec, serviceLog, serviceState, startService, stopService, stopServices, type SuperviseDeps } from '../../src/helper/supervise.js';
import { ROOT, resetSandbox, sh } from './sandbox.js';

const sys = createProcSys();
const d: SuperviseDeps = { runner: createSystemRunner(), sys, node: process.execPath, helperScript: join(ROOT, 'dist', 'helper.js'), env: {} };
const T = 'lab';
const web: Service = { name: 'web', command: ['python3', '-m', 'http.server', '8080'], user: 'nobody', ready: { tcp: 8080 } };
const id = (ns: string, name: string) => ({ topology: T, ns, name });

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
async function until<T>(what: string, f: () => Promise<T | undefined> | T | undefined, ms = 10_000): Promise<T> {
  const deadline = Date.now() + ms;
  for (;;) {
    const v = await f();
    if (v !== undefined) return v;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await sleep(100);
  }
}

const statusField = (pid: number, key: string) => new RegExp(`^${key}:\\s+(\\S+)`, 'm').exec(readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1];
const sessionOf = (pid: number) => Number(readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]!.split(' ')[3]);
const fetchFrom = (ns: string, url: string) => spawnSync('ip', ['netns', 'exec', ns, 'curl', '-s', '-m', '5', url], { encoding: 'utf8' });

describe('services and exec in a namespace', () => {
  before(async () => {
    await resetSandbox();
    sh('ip', ['-b', '-'], 'netns add ns1\nnetns add ns2\nlink add veth1 netns ns1 type veth peer name veth2 netns ns2\n');
    for (const [ns, dev, addr] of [['ns1', 'veth1', '10.0.0.1/24'], ['ns2', 'veth2', '10.0.0.2/24']] as const) {
      sh('ip', ['-n', ns, '-b', '-'], `link set lo up\naddr add ${addr} dev ${dev}\nlink set ${dev} up\n`);
    }
  });
  after(async () => {
    await stopServices(d, T);
    await resetSandbox();
  });

  it('runs a service as its user, in its own session inside the namespace; another namespace fetches its page', async () => {
    const live = await startService(d, T, 'ns2', web);
    assert.equal(live.state, 'running');
    const pid = live.pid!;
    assert.equal(statusField(pid, 'Uid'), '65534', 'runs as nobody, not root');
    assert.equal(statusField(pid, 'Gid'), '65534');
    assert.equal(sys.inode(`/proc/${pid}/ns/net`), sys.inode('/run/netns/ns2'));
    assert.equal(sessionOf(pid), pid, 'leads its own session');
    const page = fetchFrom('ns1', 'http://10.0.0.2:8080/');
    assert.equal(page.status, 0, page.stderr);
    assert.match(page.stdout, /Directory listing for \//);
    // the record identifies it (pid, start time, namespace inode); the files are root's only
    const rec = JSON.parse(readFileSync(recordPath(id('ns2', 'web')), 'utf8')) as Record<string, unknown>;
    assert.equal(rec.pid, pid);
    assert.equal(rec.start, Number(readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]!.split(' ')[19]));
    assert.equal(rec.nsInode, sys.inode('/run/netns/ns2'));
    assert.equal(rec.user, 'nobody');
    for (const dir of [SERVICES_DIR, `${SERVICES_DIR}/${T}`, `${SERVICES_DIR}/${T}/ns2`]) assert.equal(statSync(dir).mode & 0o777, 0o700, dir);
    assert.equal(statSync(logPath(id('ns2', 'web'))).mode & 0o777, 0o600);
    await until('the request in the log', async () => ((await serviceLog(d, id('ns2', 'web'))).includes('"GET / HTTP') ? true : undefined));
    assert.deepEqual((await observeServices(d, T)).map((s) => [s.ns, s.name, s.state, s.pid]), [['ns2', 'web', 'running', pid]]);
  });

  it('killed by hand (restart "no"): exited with its code, and it stays so', async () => {
    const before = await serviceState(d, id('ns2', 'web'));
    process.kill(before.pid!, 'SIGTERM');
    const s = await until('exited', async () => { const x = await serviceState(d, id('ns2', 'web')); return x.state === 'exited' ? x : undefined; });
    assert.equal(s.code, 143);
    await sleep(1000);
    assert.equal((await serviceState(d, id('ns2', 'web'))).state, 'exited');
    // the plan starts it again
    const t = validateValue({ version: 1, name: T, namespaces: [{ name: 'ns1' }, { name: 'ns2', services: [web] }] }).topology!;
    assert.deepEqual(planWorkloads(t, await observeServices(d, T), new Set()).map((p) => p.step.op), ['service-start']);
  });

  it('on-failure brings it back after SIGKILL, at most maxRestarts times', async () => {
    const first = await startService(d, T, 'ns2', { ...web, restart: 'on-failure', maxRestarts: 1 });
    process.kill(first.pid!, 'SIGKILL');
    const again = await until('restarted', async () => { const x = await serviceState(d, id('ns2', 'web')); return x.state === 'running' && x.pid !== first.pid ? x : undefined; });
    assert.equal(again.restarts, 1);
    await until('serving again', () => (fetchFrom('ns1', 'http://10.0.0.2:8080/').status === 0 ? true : undefined));
    // (once it serves, it is past ip and setpriv: the program itself)
    assert.equal(statusField(again.pid!, 'Uid'), '65534');
    process.kill(again.pid!, 'SIGKILL');
    const end = await until('exited for good', async () => { const x = await serviceState(d, id('ns2', 'web')); return x.state === 'exited' ? x : undefined; });
    assert.equal(end.code, 137);
    await sleep(1500);
    const still = await serviceState(d, id('ns2', 'web'));
    assert.equal(still.state, 'exited', 'the bound holds');
    assert.match(readFileSync(logPath(id('ns2', 'web')), 'utf8'), /exited with code 137; starting it again \(1 of 1\)/);
  });

  it('a changed definition restarts only that service; unchanged ones keep their pid', async () => {
    const other: Service = { name: 'other', command: 'exec sleep 1000', user: 'nobody' };
    const w = await startService(d, T, 'ns2', web);
    const o = await startService(d, T, 'ns2', other);
    const changed = validateValue({ version: 1, name: T, namespaces: [{ name: 'ns1' }, { name: 'ns2', services: [{ ...web, command: ['python3', '-m', 'http.server', '8081'], ready: { tcp: 8081 } }, other] }] }).topology!;
    const plan = planWorkloads(changed, await observeServices(d, T), new Set());
    assert.deepEqual(plan.map((p) => [p.step.op, p.step.op === 'service-restart' ? p.step.service.name : '']), [['service-restart', 'web']]);
    const step = plan[0]!.step;
    assert.ok(step.op === 'service-restart');
    const w2 = await startService(d, T, 'ns2', step.service);
    assert.notEqual(w2.pid, w.pid);
    assert.equal(sameProcess(sys, w.pid!, w.startTime!), false, 'the old one is gone');
    assert.equal((await serviceState(d, id('ns2', 'other'))).pid, o.pid);
    assert.equal(fetchFrom('ns1', 'http://10.0.0.2:8081/').status, 0);
    assert.notEqual(fetchFrom('ns1', 'http://10.0.0.2:8080/').status, 0);
    assert.deepEqual(planWorkloads(changed, await observeServices(d, T), new Set()), [], 'then nothing to do');
  });

  it('the environment is the user\'s plus the file\'s, the working directory is entered as the user', async () => {
    const envSvc: Service = { name: 'env', command: 'echo "u=$(id -u) $USER $HOME g=$GREETING"; pwd; exec sleep 1000', user: 'nobody', env: { GREETING: 'hi there' }, cwd: '/tmp' };
    await startService(d, T, 'ns1', envSvc);
    const log = await until('its output', () => { const t = readFileSync(logPath(id('ns1', 'env')), 'utf8'); return t.includes('/tmp') ? t : undefined; });
    assert.match(log, /^u=65534 nobody \/nonexistent g=hi there$/m);
    await stopService(d, id('ns1', 'env'));
    // /root is root's (0700): nobody cannot enter it, so env --chdir fails as the user
    await assert.rejects(startService(d, T, 'ns1', { name: 'noroot', command: ['true'], user: 'nobody', cwd: '/root' }), /service 'noroot' in ns1 exited with code 125 before it was ready; the end of its log:\n.*cannot change directory to '\/root'/s);
    assert.equal(existsSync(recordPath(id('ns1', 'noroot'))), false);
  });

  it('exec runs to its end as its user; a failure names the command, its code and its output', async () => {
    const r = await runExec(d, 'ns1', ['sh', '-c', 'id -u; ip -br addr show veth1'], 'nobody');
    assert.match(r.stdout, /^65534$/m);
    assert.match(r.stdout, /veth1.*10\.0\.0\.1\/24/);
    await assert.rejects(runExec(d, 'ns1', 'echo oops >&2; exit 3', 'nobody'), /exec in ns1: echo oops >&2; exit 3 failed with exit code 3: oops/);
    await assert.rejects(runExec(d, 'ns1', ['true'], 'mallory'), /user 'mallory' does not exist/);
  });

  it('a service that ends at once fails its start with its last output, then the supervisor\'s line', async () => {
    await assert.rejects(startService(d, T, 'ns1', { name: 'quits', command: 'echo last words; exit 3', user: 'nobody' }),
      /service 'quits' in ns1 exited with code 3 before it was ready; the end of its log:\nlast words\n\[netns-lab\] \S+ exited with code 3$/);
    assert.equal(existsSync(logPath(id('ns1', 'quits'))), false);
  });

  it('a service that never becomes ready is stopped and the failure names it', async () => {
    const never: Service = { name: 'never', command: ['sleep', '1001'], user: 'nobody', ready: { tcp: 9999, timeout: 2 } };
    await assert.rejects(startService(d, T, 'ns2', never), /service 'never' in ns2 was not ready within 2 s: nothing accepted on TCP port 9999 inside the namespace/);
    assert.ok(!processesIn(sys, 'ns2').some((p) => p.command === 'sleep 1001'), 'its process is gone');
    assert.equal(existsSync(recordPath(id('ns2', 'never'))), false);
  });

  it('a ready file counts once the service\'s user sees it there; one it cannot see never does', async () => {
    // in the sandbox's own /run (a tmpfs): a directory anyone may write, and one only root may enter
    mkdirSync('/run/wl-open', { mode: 0o1777 });
    chmodSync('/run/wl-open', 0o1777);
    mkdirSync('/run/wl-private', { mode: 0o700 });
    writeFileSync('/run/wl-private/flag', '');
    try {
      const flag: Service = { name: 'flag', command: 'sleep 0.5; touch /run/wl-open/flag; exec sleep 1002', user: 'nobody', ready: { file: '/run/wl-open/flag', timeout: 5 } };
      const live = await startService(d, T, 'ns1', flag);
      assert.equal(live.state, 'running');
      assert.equal(statSync('/run/wl-open/flag').uid, 65534, 'the service made it');
      await stopService(d, id('ns1', 'flag'));
      // the file exists, but not for nobody: root never looks for it on the service's behalf
      await assert.rejects(startService(d, T, 'ns1', { name: 'hidden', command: ['sleep', '1003'], user: 'nobody', ready: { file: '/run/wl-private/flag', timeout: 1 } }),
        /service 'hidden' in ns1 was not ready within 1 s: \/run\/wl-private\/flag did not appear/);
    } finally { rmSync('/run/wl-open', { recursive: true, force: true }); rmSync('/run/wl-private', { recursive: true, force: true }); }
  });

  it('stop leaves no process, record, spec or log', async () => {
    const live = await observeServices(d, T);
    assert.deepEqual(live.map((s) => s.name).sort(), ['other', 'web']);
    assert.deepEqual((await stopServices(d, T)).map((s) => s.name).sort(), ['other', 'web']);
    for (const s of live) {
      assert.equal(sameProcess(sys, s.pid!, s.startTime!), false);
      for (const f of [recordPath(id(s.ns, s.name)), specPath(id(s.ns, s.name)), logPath(id(s.ns, s.name))]) assert.equal(existsSync(f), false, f);
    }
    assert.deepEqual(processesIn(sys, 'ns2'), []);
    assert.equal(existsSync(SERVICES_DIR), false, `left: ${existsSync(SERVICES_DIR) ? readdirSync(SERVICES_DIR).join(',') : ''}`);
    assert.ok(!sys.pids().some((p) => (sys.read(`/proc/${p}/cmdline`) ?? '').includes('--supervise')), 'no supervisor left');
  });

  it('helper.js --exec: a command in the namespace as the person who asked, stdin/stdout/exit code passed through', () => {
    const run = (args: string[], env: Record<string, string>, input = '') => spawnSync(process.execPath, [d.helperScript, '--exec', ...args], { input, encoding: 'utf8', env: { PATH: '/usr/bin:/bin', ...env }, timeout: 20_000 });
    const asNobody = { SUDO_UID: '65534', SUDO_GID: '65534' };
    const r = run(['ns1', '--cwd', '/tmp', '--env', 'GREETING=hi', '--', 'sh', '-c', 'id -u; ip -br addr show veth1; echo "$GREETING $NETNS_LAB_NS $USER"; pwd; cat'], asNobody, 'from stdin\n');
    assert.equal(r.status, 0, r.stderr);
    assert.match(r.stdout, /^65534\n.*veth1\S*\s.*10\.0\.0\.1\/24.*\nhi ns1 nobody\n\/tmp\nfrom stdin\n$/s);
    assert.equal(run(['ns1', '--', 'sh', '-c', 'exit 7'], asNobody).status, 7);
    const refused = run(['ns1', '--user', 'root', '--', 'id', '-u'], asNobody);
    assert.equal(refused.status, 2);
    assert.match(refused.stderr, /only root may run a command as another user \(you are uid 65534; --user root is uid 0\)/);
    assert.equal(refused.stdout, '', 'nothing ran');
    assert.match(run(['ns1', '--user', 'nobody', '--', 'id', '-u'], {}).stdout, /^65534$/m, 'root may name a user');
    const none = run(['nope', '--', 'true'], asNobody);
    assert.equal(none.status, 1);
    assert.match(none.stderr, /there is no namespace 'nope'/);
  });

  it('lists a process started by hand with ip netns exec, and ends it', async () => {
    const child = spawn('ip', ['netns', 'exec', 'ns1', 'sleep', '1000'], { stdio: 'ignore' });
    const exited = new Promise<number | null>((r) => child.once('exit', (_c, sig) => r(sig === 'SIGTERM' ? 143 : null)));
    const found = await until('the sleep inside ns1', () => processesIn(sys, 'ns1').find((p) => p.pid === child.pid && p.command === 'sleep 1000'));
    assert.equal(found.user, 'root');
    assert.deepEqual(processesIn(sys, 'ns2'), [], 'nothing of ns1 shows in ns2');
    const r = await endProcesses(sys, processesIn(sys, 'ns1'));
    assert.deepEqual(r.terminated.map((p) => p.pid), [child.pid]);
    assert.equal(await exited, 143);
    assert.deepEqual(processesIn(sys, 'ns1'), []);
  });
});
