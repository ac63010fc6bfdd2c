/**
 * `helper.js --supervise TOPOLOGY NS NAME`: the supervisor of one service, started by the helper
 * as root, detached (its own session), so the service outlives the helper, the CLI command and
 * the VS Code window. It runs the argv of NAME.spec (already dropping privileges: see
 * service-argv.ts) in a new session, copies its output into NAME.log (rotated at LOG_LIMIT),
 * keeps NAME.record true (pid, start time, namespace inode, state, exit code, restarts) and,
 * with restart "on-failure", starts it again after a failure, at most maxRestarts times.
 * SIGTERM: it ends the service's process group (SIGTERM, 2 s, SIGKILL) and exits.
 * Like systemd, an exit code 0 or an end by SIGHUP, SIGINT, SIGTERM or SIGPIPE is not a failure.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { closeSync, lstatSync, openSync, renameSync, statSync, writeFileSync, writeSync } from 'node:fs';
import { constants } from 'node:os';
import { NETNS_DIR } from '../core/plan/render.js';
import { BIN_DIRS, createProcSys, startTimeOf } from './procsys.js';
import {
  LOG_LIMIT, SERVICES_DIR, ServiceIdSchema, logPath, nsDir, parseSpec, recordPath, specPath,
  type Record, type ServiceId, type Spec,
} from './service-files.js';

const CLEAN_SIGNALS = new Set(['SIGHUP', 'SIGINT', 'SIGTERM', 'SIGPIPE']);

/** the exit code to record (128 + the signal's number) and whether on-failure restarts it */
export function outcome(code: number | null, signal: NodeJS.Signals | null): { code: number; failed: boolean } {
  if (signal) return { code: 128 + (constants.signals[signal] ?? 0), failed: !CLEAN_SIGNALS.has(signal) };
  return { code: code ?? 1, failed: code !== 0 };
}

/** delay before restart number n (0-based): 0.5 s, 1 s, 2 s, ... at most 8 s */
export const backoffMs = (n: number): number => Math.min(500 * 2 ** n, 8000);

/** a log file that becomes NAME.log.1 when it would grow past the limit */
export class RotatingLog {
  private fd: number | undefined;
  private size: number;
  constructor(private readonly path: string, private readonly limit = LOG_LIMIT) {
    this.fd = openSync(path, 'a', 0o600);
    this.size = statSync(path).size;
  }
  write(chunk: Buffer | string): void {
    if (this.fd === undefined) return; // output that arrives after the end has nowhere to go
    const buf = typeof chunk === 'string' ? Buffer.from(chunk) : chunk;
    if (this.size > 0 && this.size + buf.length > this.limit) this.rotate();
    writeSync(this.fd, buf);
    this.size += buf.length;
  }
  private rotate(): void {
    closeSync(this.fd!);
    renameSync(this.path, `${this.path}.1`);
    this.fd = openSync(this.path, 'a', 0o600);
    this.size = 0;
  }
  close(): void {
    if (this.fd !== undefined) closeSync(this.fd);
    this.fd = undefined;
  }
}

/** every directory from /run/netns-lab down to the service's: root's, nobody else may write or read */
function privateDirs(id: ServiceId): boolean {
  const dirs = ['/run/netns-lab', SERVICES_DIR, `${SERVICES_DIR}/${id.topology}`, nsDir(id)];
  return dirs.every((d) => {
    try { const st = lstatSync(d); return st.isDirectory() && st.uid === 0 && (st.mode & 0o077) === 0; } catch { return false; }
  });
}

function writeRecord(id: ServiceId, r: Record): void {
  const tmp = `${nsDir(id)}/.${id.name}.record.tmp`;
  writeFileSync(tmp, JSON.stringify(r), { mode: 0o600 });
  renameSync(tmp, recordPath(id));
}

class Supervisor {
  private child: ChildProcess | undefined;
  /** resolves when the last run's stdout and stderr are closed (its output is all in the log) */
  private drained: Promise<void> = Promise.resolve();
  private stopping = false;
  private readonly sys = createProcSys();
  private record: Record;
  private readonly log: RotatingLog;

  constructor(private readonly id: ServiceId, private readonly spec: Spec) {
    this.log = new RotatingLog(logPath(id));
    this.record = {
      v: 1, supervisor: { pid: process.pid, start: startTimeOf(this.sys, process.pid) ?? 0 },
      digest: spec.digest, user: spec.user, uid: spec.uid, restarts: 0, state: 'starting',
    };
    writeRecord(id, this.record);
  }

  private note(text: string): void { this.log.write(`[netns-lab] ${new Date().toISOString()} ${text}\n`); }

  /** one run of the service; resolves when it has exited */
  private runOnce(): Promise<{ code: number; failed: boolean }> {
    const [file, ...args] = this.spec.argv;
    const child = spawn(file!, args, { detached: true, stdio: ['ignore', 'pipe', 'pipe'], env: { PATH: BIN_DIRS.join(':'), LC_ALL: 'C' }, cwd: '/' });
    this.child = child;
    child.stdout!.on('data', (d: Buffer) => this.log.write(d));
    child.stderr!.on('data', (d: Buffer) => this.log.write(d));
    this.drained = new Promise((r) => child.once('close', () => r()));
    const pid = child.pid;
    if (pid !== undefined) {
      const start = startTimeOf(this.sys, pid);
      this.record = { ...this.record, pid, ...(start !== undefined ? { start } : {}), nsInode: this.sys.inode(`${NETNS_DIR}/${this.id.ns}`), state: 'running', code: undefined, since: Date.now() };
      writeRecord(this.id, this.record);
    }
    return new Promise((done) => {
      child.once('error', (e) => { this.note(`could not start: ${e.message}`); done({ code: 127, failed: true }); });
      child.once('exit', (code, signal) => done(outcome(code, signal)));
    });
  }

  async run(): Promise<void> {
    for (;;) {
      const r = await this.runOnce();
      this.child = undefined;
      this.record = { ...this.record, state: 'exited', code: r.code };
      writeRecord(this.id, this.record);
      if (this.stopping) break;
      await this.drain();
      const again = this.spec.restart === 'on-failure' && r.failed && this.record.restarts < this.spec.maxRestarts;
      this.note(`exited with code ${r.code}${again ? `; starting it again (${this.record.restarts + 1} of ${this.spec.maxRestarts})` : ''}`);
      if (!again) break;
      await new Promise((w) => setTimeout(w, backoffMs(this.record.restarts)));
      if (this.stopping) break;
      this.record = { ...this.record, restarts: this.record.restarts + 1, state: 'starting' };
    }
    await this.drain();
    this.log.close();
  }

  /** wait for the output of the run that ended, at most 1 s (a child it left behind may hold the pipe) */
  private drain(): Promise<void> {
    return Promise.race([this.drained, new Promise<void>((r) => setTimeout(r, 1000).unref())]);
  }

  stop(): void {
    if (this.stopping) return;
    this.stopping = true;
    this.record = { ...this.record, state: 'stopping' };
    writeRecord(this.id, this.record);
    const pid = this.child?.pid;
    if (pid === undefined) process.exit(0);
    this.sys.kill(-pid, 'SIGTERM');
    setTimeout(() => this.sys.kill(-pid, 'SIGKILL'), 2000).unref();
  }
}

export async function runSupervisor(argv: string[]): Promise<number> {
  const id = ServiceIdSchema.safeParse({ topology: argv[0], ns: argv[1], name: argv[2] });
  if (!id.success || argv.length !== 3) { process.stderr.write('usage: helper.js --supervise TOPOLOGY NAMESPACE SERVICE\n'); return 2; }
  if (process.getuid?.() !== 0 || !privateDirs(id.data)) { process.stderr.write('netns-lab supervisor: must run as root, with the service directory private to root\n'); return 2; }
  const spec = parseSpec(createProcSys().read(specPath(id.data)));
  if (!spec || spec.topology !== id.data.topology || spec.ns !== id.data.ns || spec.name !== id.data.name) {
    process.stderr.write('netns-lab supervisor: no valid spec for this service\n');
    return 1;
  }
  const s = new Supervisor(id.data, spec);
  process.on('SIGTERM', () => s.stop());
  for (const sig of ['SIGHUP', 'SIGINT', 'SIGPIPE'] as const) process.on(sig, () => undefined);
  await s.run();
  return 0;
}
