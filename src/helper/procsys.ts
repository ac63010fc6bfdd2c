/**
 * The helper's door to processes for workloads (beside runner.ts): /proc, signals, and starting
 * a detached supervisor. Injected, so the logic in supervise.ts and procs.ts can be tested with
 * a fake. Only this file (and the supervisor process, supervisor.ts) touch these directly.
 */
import { systemBinary } from './bin.js';
import { spawn } from 'node:child_process';
import { readFileSync, readdirSync, statSync } from 'node:fs';
import { constants as osConstants } from 'node:os';

export interface ProcSys {
  /** inode of what path points to (following links): /run/netns/NS, /proc/PID/ns/net */
  inode(path: string): number | undefined;
  /** a small file's text (/proc/PID/stat, cmdline, status), undefined when it cannot be read */
  read(path: string): string | undefined;
  /** every pid in /proc */
  pids(): number[];
  /** send a signal (a negative pid: the process group); false when there is no such process */
  kill(pid: number, signal: NodeJS.Signals): boolean;
  /** start a process in its own session, stdio to /dev/null, not waited for; its pid */
  spawnDetached(file: string, args: string[], env: Record<string, string>): number;
  /**
   * run a process with this process's stdin, stdout and stderr, forwarding SIGINT, SIGTERM and
   * SIGHUP to it; its exit code (128 + the signal's number when a signal ended it)
   */
  runInherited(file: string, args: string[], env: Record<string, string>): Promise<number>;
  sleep(ms: number): Promise<void>;
  now(): number;
  /** absolute path of a system program (from BIN_DIRS), never through the caller's PATH */
  bin(name: string): string;
}

export { BIN_DIRS } from './bin.js';

export function createProcSys(): ProcSys {
  return {
    inode(path) {
      try { return statSync(path).ino; } catch { return undefined; }
    },
    read(path) {
      try { return readFileSync(path, 'utf8'); } catch { return undefined; }
    },
    pids() {
      return readdirSync('/proc').filter((f) => /^[0-9]+$/.test(f)).map(Number);
    },
    kill(pid, signal) {
      try { process.kill(pid, signal); return true; } catch { return false; }
    },
    spawnDetached(file, args, env) {
      const child = spawn(file, args, { detached: true, stdio: 'ignore', env, cwd: '/' });
      child.unref();
      if (child.pid === undefined) throw new Error(`could not start ${file}`);
      return child.pid;
    },
    runInherited(file, args, env) {
      const child = spawn(file, args, { stdio: 'inherit', env });
      const forward = (sig: NodeJS.Signals) => () => { child.kill(sig); };
      for (const sig of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) process.on(sig, forward(sig));
      return new Promise((done) => {
        child.once('error', () => done(127));
        child.once('exit', (code, signal) => done(code ?? 128 + (signal ? osConstants.signals[signal] : 0)));
      });
    },
    sleep: (ms) => new Promise((r) => setTimeout(r, ms)),
    now: () => Date.now(),
    bin: (name) => systemBinary(name),
  };
}

/** /proc/PID/stat field 22 (start time in clock ticks after boot); undefined when gone */
export function startTimeOf(sys: Pick<ProcSys, 'read'>, pid: number): number | undefined {
  const s = sys.read(`/proc/${pid}/stat`);
  if (!s) return undefined;
  // field 2 (comm) is in parentheses and may hold spaces or ')': split after the last ')'
  const rest = s.slice(s.lastIndexOf(')') + 2).split(' ');
  const v = Number(rest[22 - 3]);
  return Number.isSafeInteger(v) ? v : undefined;
}

/** a process that is still the one identified by pid and start time (a reused pid is not; a zombie is gone) */
export function sameProcess(sys: Pick<ProcSys, 'read'>, pid: number, start: number): boolean {
  const s = sys.read(`/proc/${pid}/stat`);
  if (!s) return false;
  const rest = s.slice(s.lastIndexOf(')') + 2).split(' ');
  return rest[0] !== 'Z' && rest[0] !== 'X' && Number(rest[22 - 3]) === start;
}
