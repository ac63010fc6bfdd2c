/**
 * The helper's locks: flock(2) on files in a directory only root can reach (/run/netns-lab/locks,
 * 0700 root). No other user can open the files, so no other user can take a lock (an abstract
 * unix socket, used before, has no permissions: any local user could hold it). Node has no
 * flock: the holder is a child `flock -F FILE cat` whose stdin is a pipe from this process.
 * When this process ends, even by SIGKILL, the pipe closes, cat ends and the kernel drops the
 * lock with it. Who holds a lock is read from /proc/locks (pid of the holder's parent).
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { lstatSync, mkdirSync, readFileSync, statSync } from 'node:fs';
import { FIXED_PATH, systemBinary } from './bin.js';

export const LOCK_DIR = '/run/netns-lab/locks';
/** flock's exit code when the lock is taken (-E) */
const BUSY = 75;

export class LockBusy extends Error {}

export interface Held { release(): Promise<void> }

/** lock names: "ip-forward", "topology/NAME" (NAME a valid topology name) */
export function lockFile(name: string): string {
  if (!/^[a-z-]+(\/[A-Za-z0-9][A-Za-z0-9_-]{0,63})?$/.test(name)) throw new Error(`bad lock name '${name}'`);
  return `${LOCK_DIR}/${name.replace('/', '.')}.lock`;
}

/** /run/netns-lab and its locks directory: real directories of root that no one else may write */
function privateLockDir(): void {
  mkdirSync(LOCK_DIR, { recursive: true, mode: 0o700 });
  for (const d of [LOCK_DIR.slice(0, LOCK_DIR.lastIndexOf('/')), LOCK_DIR]) {
    const st = lstatSync(d);
    if (!st.isDirectory() || st.uid !== 0 || (st.mode & 0o022) !== 0 || (d === LOCK_DIR && (st.mode & 0o077) !== 0)) {
      throw new Error(`cannot lock: ${d} is not a directory of root that only root may write (remove it; the helper makes it again)`);
    }
  }
}

/** "pid N (command line)" of the process holding the lock on file, or undefined */
export function lockHolder(file: string, locks = (): string => readFileSync('/proc/locks', 'utf8'), proc = (p: string): string => readFileSync(p, 'utf8')): string | undefined {
  let st;
  try { st = statSync(file); } catch { return undefined; }
  const dev = `${((st.dev >> 8) & 0xfff).toString(16).padStart(2, '0')}:${((st.dev & 0xff) | ((st.dev >> 12) & 0xfff00)).toString(16).padStart(2, '0')}`;
  for (const line of locks().split('\n')) {
    const m = /^\d+:\s+FLOCK\s+\S+\s+WRITE\s+(\d+)\s+([0-9a-f]+:[0-9a-f]+):(\d+)\s/.exec(line);
    if (!m || m[2] !== dev || Number(m[3]) !== st.ino) continue;
    try {
      // the lock is held by the `flock ... cat` child: name its parent, the netns-lab process
      const stat = proc(`/proc/${m[1]}/stat`);
      const ppid = stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1];
      const cmd = proc(`/proc/${ppid}/cmdline`).split('\0').filter(Boolean).join(' ').replace(/[^\x20-\x7e]/g, '?').slice(0, 200);
      return `pid ${ppid} (${cmd})`;
    } catch {
      return `pid ${m[1]}`;
    }
  }
  return undefined;
}

/** one try (wait: undefined) or a bounded wait for the lock; the holder child, or undefined when busy */
function attempt(file: string, waitMs?: number): Promise<ChildProcess | undefined> {
  const how = waitMs === undefined ? ['-n'] : ['-w', (waitMs / 1000).toFixed(3)];
  const child = spawn(systemBinary('flock'), ['-F', ...how, '-E', String(BUSY), file, systemBinary('cat')], {
    stdio: ['pipe', 'pipe', 'pipe'], env: { LC_ALL: 'C', PATH: FIXED_PATH },
  });
  let stderr = '';
  child.stderr!.on('data', (d: Buffer) => { stderr += d.toString(); });
  child.stdin!.on('error', () => undefined);
  return new Promise((resolve, reject) => {
    // cat echoes the line once flock holds the lock and has started it
    child.stdout!.once('data', () => resolve(child));
    child.once('error', reject);
    child.once('exit', (code) => (code === BUSY ? resolve(undefined) : reject(new Error(`flock ${file} failed (exit ${code}): ${stderr.trim()}`))));
    child.stdin!.write('locked\n');
  });
}

export function busyMessage(name: string, waitMs: number, holder: string | undefined): string {
  return `'${name}' is locked by another netns-lab process (an apply or destroy of the same topology is running${holder ? `: ${holder}` : ''}); waited ${Math.round(waitMs / 1000)} s`;
}

/** take the lock `name`, waiting at most waitMs; onBusy(holder) once when it has to wait */
export async function flockLock(name: string, waitMs: number, onBusy: (holder: string | undefined) => void): Promise<Held> {
  const file = lockFile(name);
  privateLockDir();
  let child = await attempt(file);
  if (!child) {
    const holder = lockHolder(file);
    onBusy(holder);
    child = await attempt(file, waitMs);
    if (!child) throw new LockBusy(busyMessage(name, waitMs, lockHolder(file) ?? holder));
  }
  const held = child;
  const exited = new Promise<void>((r) => (held.exitCode !== null ? r() : held.once('exit', () => r())));
  return { release: async () => { held.stdin!.end(); await exited; } };
}
