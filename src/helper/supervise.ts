/**
 * Services and exec commands of a topology, on the helper's side (issue 16): start a service
 * under its own supervisor (supervisor.ts), wait until it is ready, tell its state from its
 * record, stop it leaving nothing behind, and run an exec command to its end. Every process is
 * found again by pid + start time (+ namespace inode for "running"), never by a pid alone.
 * Files through the Runner, processes through ProcSys: both injected.
 */
import type { z } from 'zod';
import type { Command, Service } from '../core/model/model-workloads.js';
import {
  Command as CommandSchema, DEFAULT_MAX_RESTARTS, DEFAULT_READY_TIMEOUT, Service as ServiceSchema, UserName,
} from '../core/model/model-workloads.js';
import { nsNameProblem, topoNameProblem } from '../core/model/names.js';
import { zodToDiagnostics } from '../core/model/validate.js';
import { NETNS_DIR } from '../core/plan/render.js';
import type { LiveService } from '../core/model/workloads.js';
import { commandText, serviceDigest } from '../core/model/workloads.js';
import { BIN_DIRS, sameProcess, type ProcSys } from './procsys.js';
import type { RunResult, Runner } from './runner.js';
import { workloadArgv, probeArgv, type Account, type Bins } from './service-argv.js';
import {
  SERVICES_DIR, ServiceIdSchema, logPath, nsDir, parseRecord, recordPath, specPath, topoDir,
  type Record, type ServiceId, type Spec,
} from './service-files.js';
import { invokingUser } from './shell.js';

export interface SuperviseDeps {
  runner: Runner;
  sys: ProcSys;
  /** node and the helper's bundle (dist/helper.js): the supervisor and the TCP probe run them */
  node: string;
  helperScript: string;
  /** the helper's environment: SUDO_UID / PKEXEC_UID name the person who applies */
  env: NodeJS.ProcessEnv;
}

/** the helper trusts no caller: what reaches a process is parsed again by the file's own schema */
export function parsed<T>(schema: z.ZodType<T>, v: unknown, what: string): T {
  const r = schema.safeParse(v, { reportInput: true });
  if (!r.success) throw new Error(`${what}: ${zodToDiagnostics(r.error.issues).map((x) => `${x.path.join('.') || 'value'}: ${x.message}`).join('; ')}`);
  return r.data;
}

export function checkId(id: ServiceId): void {
  const r = ServiceIdSchema.safeParse(id);
  if (!r.success) throw new Error(topoNameProblem(id.topology) ?? nsNameProblem(id.ns) ?? `'${id.name}' is not a service name`);
}

/** who runs it: the named user, or the person who applies (root when root applies directly) */
export function resolveAccount(passwd: string, user: string | undefined, env: NodeJS.ProcessEnv): Account | string {
  const rows = passwd.split('\n').map((l) => l.split(':')).filter((f) => f.length >= 7 && /^\d+$/.test(f[2]!) && /^\d+$/.test(f[3]!));
  const account = (f: string[]): Account => ({ name: f[0]!, uid: Number(f[2]), gid: Number(f[3]), home: f[5] || '/', shell: f[6] || '/bin/sh', inPasswd: true });
  if (user !== undefined) {
    const f = rows.find((x) => x[0] === user);
    return f ? account(f) : `user '${user}' does not exist on this machine`;
  }
  const who = invokingUser(env);
  const f = rows.find((x) => Number(x[2]) === who.uid);
  if (f) return { ...account(f), ...(who.gid !== undefined ? { gid: who.gid } : {}) };
  return { name: String(who.uid), uid: who.uid, gid: who.gid ?? who.uid, home: '/', shell: '/bin/sh', inPasswd: false };
}

export async function account(d: SuperviseDeps, user: string | undefined, what: string): Promise<Account> {
  const a = resolveAccount((await d.runner.readFile('/etc/passwd')) ?? '', user, d.env);
  if (typeof a === 'string') throw new Error(`${what}: ${a}`);
  return a;
}

/** the working directory: the one given, else the user's home when it exists, else / (entered as the user) */
export async function workdir(d: SuperviseDeps, cwd: string | undefined, a: Account): Promise<string> {
  if (cwd) return cwd;
  return a.home.startsWith('/') && (await d.runner.kind(a.home)) === 'dir' ? a.home : '/';
}

const bins = (d: SuperviseDeps, ip: string): Bins => ({ ip, setpriv: d.sys.bin('setpriv'), env: d.sys.bin('env'), sh: '/bin/sh' });

export function needNamespace(d: SuperviseDeps, ns: string): number {
  const p = nsNameProblem(ns);
  if (p) throw new Error(p);
  const ino = d.sys.inode(`${NETNS_DIR}/${ns}`);
  if (ino === undefined) throw new Error(`there is no namespace '${ns}'`);
  return ino;
}

const tail = (text: string, lines = 10): string => text.trimEnd().split('\n').slice(-lines).join('\n');

/** an exec command that has not ended after this long is ended (SIGTERM, 5 s later SIGKILL) and fails */
export const EXEC_TIMEOUT_S = 300;

/**
 * Run one exec entry inside the namespace as its user (working directory: its home, or /), to its
 * end, at most EXEC_TIMEOUT_S; a failure names the command, its exit code and the end of its output.
 */
export async function runExec(d: SuperviseDeps, ns: string, cmd: Command, user: string | undefined): Promise<RunResult> {
  const command = parsed(CommandSchema, cmd, `exec in ${ns}`);
  if (user !== undefined) parsed(UserName, user, `exec in ${ns}`);
  needNamespace(d, ns);
  const what = `exec in ${ns}: ${commandText(command)}`;
  const a = await account(d, user, what);
  const timeout = { seconds: EXEC_TIMEOUT_S, bin: d.sys.bin('timeout') };
  const r = await d.runner.run(workloadArgv({ ns, command, account: a, cwd: await workdir(d, undefined, a), timeout }, bins(d, 'ip')));
  if (r.code === 124) throw new Error(`${what} did not end within ${EXEC_TIMEOUT_S} s: ${tail(r.stderr + r.stdout) || '(no output)'}`);
  if (r.code !== 0) throw new Error(`${what} failed with exit code ${r.code}: ${tail(r.stderr + r.stdout) || '(no output)'}`);
  return r;
}

async function readRecord(d: SuperviseDeps, id: ServiceId): Promise<Record | undefined> {
  return parseRecord(await d.runner.readFile(recordPath(id)));
}

/** running: the recorded pid is still the process started then, inside the namespace as it is now */
function isRunning(d: SuperviseDeps, id: ServiceId, r: Record): boolean {
  if (r.pid === undefined || r.start === undefined || !sameProcess(d.sys, r.pid, r.start)) return false;
  const now = d.sys.inode(`${NETNS_DIR}/${id.ns}`);
  return now !== undefined && r.nsInode === now && d.sys.inode(`/proc/${r.pid}/ns/net`) === now;
}

function liveOf(d: SuperviseDeps, id: ServiceId, r: Record): LiveService {
  const base = { ns: id.ns, name: id.name, digest: r.digest, restarts: r.restarts, user: r.user };
  if (isRunning(d, id, r)) return { ...base, state: 'running', pid: r.pid, startTime: r.start, nsInode: r.nsInode, ...(r.since !== undefined ? { since: r.since } : {}) };
  // between an exit and its record (or a restart's backoff), its supervisor still holds it
  if (r.state !== 'exited' && sameProcess(d.sys, r.supervisor.pid, r.supervisor.start)) return { ...base, state: 'starting' };
  return { ...base, state: 'exited', ...(r.code !== undefined ? { code: r.code } : {}) };
}

/**
 * The record and what it says now. A supervisor writes the final state before it exits: when it
 * is found gone while the record read just before still says otherwise, it exited in between,
 * and the record read again is its last word.
 */
async function current(d: SuperviseDeps, id: ServiceId): Promise<{ r: Record; live: LiveService } | undefined> {
  const r = await readRecord(d, id);
  if (!r) return undefined;
  const live = liveOf(d, id, r);
  if (live.state !== 'exited' || r.state === 'exited') return { r, live };
  const last = await readRecord(d, id);
  return last ? { r: last, live: liveOf(d, id, last) } : undefined;
}

export async function serviceState(d: SuperviseDeps, id: ServiceId): Promise<LiveService> {
  checkId(id);
  return (await current(d, id))?.live ?? { ns: id.ns, name: id.name, state: 'not-started', restarts: 0 };
}

/** every service of a topology with a file NAME.SUFFIX under its namespace's directory */
export async function filedIds(d: SuperviseDeps, topology: string, suffix: string): Promise<ServiceId[]> {
  const out: ServiceId[] = [];
  for (const ns of await d.runner.listDir(topoDir({ topology }))) {
    if (nsNameProblem(ns)) continue;
    for (const f of (await d.runner.listDir(nsDir({ topology, ns }))).sort()) {
      const name = f.endsWith(suffix) ? f.slice(0, -suffix.length) : '';
      if (name && ServiceIdSchema.safeParse({ topology, ns, name }).success) out.push({ topology, ns, name });
    }
  }
  return out;
}

/** every service of a topology that has a record (for the planner and for status) */
export async function observeServices(d: SuperviseDeps, topology: string): Promise<LiveService[]> {
  const out: LiveService[] = [];
  for (const id of await filedIds(d, topology, '.record')) {
    const c = await current(d, id);
    if (c) out.push(c.live);
  }
  return out;
}

/** end a process group led by pid (if it is still that process): SIGTERM, up to 2 s, SIGKILL */
async function endGroup(d: SuperviseDeps, pid: number, start: number): Promise<void> {
  if (!sameProcess(d.sys, pid, start)) return;
  d.sys.kill(-pid, 'SIGTERM');
  const deadline = d.sys.now() + 2000;
  while (sameProcess(d.sys, pid, start) && d.sys.now() < deadline) await d.sys.sleep(50);
  if (sameProcess(d.sys, pid, start)) d.sys.kill(-pid, 'SIGKILL');
  for (let i = 0; i < 100 && sameProcess(d.sys, pid, start); i++) await d.sys.sleep(20);
}

/** stop a service: its supervisor first (so nothing restarts it), then its process group; remove its files */
export async function stopService(d: SuperviseDeps, id: ServiceId): Promise<{ pid?: number }> {
  checkId(id);
  const r = await readRecord(d, id);
  if (r) {
    const sup = r.supervisor;
    if (sameProcess(d.sys, sup.pid, sup.start)) {
      d.sys.kill(sup.pid, 'SIGTERM');
      const deadline = d.sys.now() + 3000;
      while (sameProcess(d.sys, sup.pid, sup.start) && d.sys.now() < deadline) await d.sys.sleep(50);
      if (sameProcess(d.sys, sup.pid, sup.start)) d.sys.kill(sup.pid, 'SIGKILL');
    }
    if (r.pid !== undefined && r.start !== undefined) await endGroup(d, r.pid, r.start);
  }
  await forget(d, id, [specPath(id), recordPath(id)]);
  return r?.pid !== undefined ? { pid: r.pid } : {};
}

/** remove a service's files (these, and its logs) and the directories that became empty */
export async function forget(d: SuperviseDeps, id: ServiceId, files: string[]): Promise<void> {
  for (const f of [...files, logPath(id), `${logPath(id)}.1`]) await d.runner.unlink(f);
  for (const dir of [nsDir(id), topoDir(id), SERVICES_DIR]) {
    if (!(await d.runner.rmdirIfEmpty(dir).catch(() => false))) break;
  }
}

export async function privateDirs(d: SuperviseDeps, id: ServiceId): Promise<void> {
  for (const dir of ['/run/netns-lab', SERVICES_DIR, topoDir(id), nsDir(id)]) {
    await d.runner.mkdir(dir, 0o700);
    if (!(await d.runner.privateDir(dir))) throw new Error(`${dir} is not a directory private to root; refusing to keep services there`);
  }
}

async function lastLog(d: SuperviseDeps, id: ServiceId): Promise<string> {
  const t = tail((await d.runner.readFile(logPath(id))) ?? '', 5);
  return t ? `; the end of its log:\n${t}` : '';
}

/**
 * True when the service answers as its ready check says: a connection to the port accepted inside
 * the namespace, or the file there as the service's user sees it (`test -e` run as that user, in
 * the namespace: root never looks up a path the file names)
 */
async function readyNow(d: SuperviseDeps, id: ServiceId, s: Service, a: Account): Promise<boolean> {
  if (!s.ready) return true;
  if ('tcp' in s.ready) return (await d.runner.run(probeArgv(id.ns, s.ready.tcp, d.node, d.helperScript, 'ip'))).code === 0;
  return (await d.runner.run(workloadArgv({ ns: id.ns, command: ['test', '-e', s.ready.file], account: a, cwd: '/' }, bins(d, 'ip')))).code === 0;
}

/**
 * A service without a ready check counts as started once it has kept running (the same process)
 * this long, as supervisord's startsecs: one that fails at once (a bad cwd, a missing program)
 * fails the start instead of passing for started for the few milliseconds it lived.
 */
export const START_SECONDS = 1;

/** what a wait for readiness looks at: the state now, and whether it is final (nothing will start it again) */
export interface Look { live?: LiveService; final: boolean }

/** wait until the service runs (and is ready); else stop it and fail naming it */
export async function awaitReady(d: SuperviseDeps, id: ServiceId, s: Service, a: Account, look: () => Promise<Look>, stop: () => Promise<unknown>): Promise<LiveService> {
  const timeout = s.ready?.timeout ?? DEFAULT_READY_TIMEOUT;
  const deadline = d.sys.now() + timeout * 1000;
  const who = `service '${id.name}' in ${id.ns}`;
  let seen: { pid: number; at: number } | undefined;
  for (;;) {
    const { live, final } = await look();
    if (live?.state === 'running') {
      const since = seen && seen.pid === live.pid ? seen.at : d.sys.now();
      seen = { pid: live.pid!, at: since };
      const settled = s.ready ? await readyNow(d, id, s, a) : d.sys.now() - since >= START_SECONDS * 1000;
      if (settled) return live;
    }
    if (final) {
      const log = await lastLog(d, id);
      await stop();
      throw new Error(`${who} exited with code ${live?.code ?? '?'} before it was ready${log}`);
    }
    if (d.sys.now() >= deadline) {
      const why = !s.ready ? `it did not keep running for ${START_SECONDS} s` : 'tcp' in s.ready ? `nothing accepted on TCP port ${s.ready.tcp} inside the namespace` : `${s.ready.file} did not appear`;
      const log = await lastLog(d, id);
      await stop();
      throw new Error(`${who} was not ready within ${timeout} s: ${why}${log}`);
    }
    await d.sys.sleep(200);
  }
}

/** the own supervisor's record: final once it says exited and its supervisor is gone */
async function lookRecord(d: SuperviseDeps, id: ServiceId): Promise<Look> {
  const c = await current(d, id);
  const r = c?.r;
  const supervised = r && sameProcess(d.sys, r.supervisor.pid, r.supervisor.start);
  return { ...(c ? { live: c.live } : {}), final: !!r && r.state === 'exited' && !supervised };
}

/**
 * What every start does first, under either supervisor: the service checked by the file's own
 * schema, its namespace and account resolved, the running one stopped (`stop`), its private
 * directories made
 */
export async function prepareStart(d: SuperviseDeps, topology: string, ns: string, service: Service,
  stop: (id: ServiceId) => Promise<unknown>): Promise<{ s: Service; id: ServiceId; a: Account }> {
  const s = parsed(ServiceSchema, service, `service in ${ns}`);
  const id: ServiceId = { topology, ns, name: s.name };
  checkId(id);
  needNamespace(d, ns);
  const a = await account(d, s.user, `service '${s.name}' in ${ns}`);
  await stop(id);
  await privateDirs(d, id);
  return { s, id, a };
}

/** start (or restart: the running one is stopped first) a service under its own supervisor */
export async function startService(d: SuperviseDeps, topology: string, ns: string, service: Service): Promise<LiveService> {
  const { s, id, a } = await prepareStart(d, topology, ns, service, (x) => stopService(d, x));
  const spec: Spec = {
    v: 1, topology, ns, name: s.name,
    argv: workloadArgv({ ns, command: s.command, account: a, cwd: await workdir(d, s.cwd, a), ...(s.env ? { env: s.env } : {}) }, bins(d, d.sys.bin('ip'))),
    restart: s.restart ?? 'no', maxRestarts: s.maxRestarts ?? DEFAULT_MAX_RESTARTS,
    digest: serviceDigest(s), user: a.name, uid: a.uid,
  };
  await d.runner.writeFile(specPath(id), JSON.stringify(spec), 0o600);
  d.sys.spawnDetached(d.node, [d.helperScript, '--supervise', topology, ns, s.name], { PATH: BIN_DIRS.join(':'), LC_ALL: 'C' });
  return awaitReady(d, id, s, a, () => lookRecord(d, id), () => stopService(d, id));
}

/**
 * Stop every service of a topology (or of one of its namespaces): what destroy does first, before
 * it ends the other processes inside the namespaces (a supervisor would otherwise restart them).
 */
export async function stopServices(d: SuperviseDeps, topology: string, ns?: string): Promise<LiveService[]> {
  const live = (await observeServices(d, topology)).filter((s) => ns === undefined || s.ns === ns);
  for (const s of live) await stopService(d, { topology, ns: s.ns, name: s.name });
  return live;
}

/** the end of a service's output (the rotated part first), at most maxBytes: for `logs` and Show Logs */
export async function serviceLog(d: SuperviseDeps, id: ServiceId, maxBytes = 64 * 1024): Promise<string> {
  checkId(id);
  const text = ((await d.runner.readFile(`${logPath(id)}.1`)) ?? '') + ((await d.runner.readFile(logPath(id))) ?? '');
  return text.length > maxBytes ? text.slice(text.length - maxBytes) : text;
}
