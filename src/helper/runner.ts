/**
 * The one door to the system: every process (argv arrays through execa, never a shell) and
 * every file the helper reads or writes goes through an injected Runner, so tests can record
 * and fake instead of touching the machine. Only this module may import execa or node:fs.
 */
import { lstat, mkdir, readFile, readdir, rename, rmdir, stat, unlink, writeFile } from 'node:fs/promises';
import { execFile } from 'node:child_process';
import { execa } from 'execa';
import { FIXED_PATH, systemBinary } from './bin.js';
import { flockLock, type Held } from './flock.js';

export interface RunResult {
  code: number;
  stdout: string;
  stderr: string;
}

export interface Runner {
  run(argv: string[], input?: string): Promise<RunResult>;
  /**
   * The same for a short process without input, started the lightest way (node's execFile:
   * ~1.7x more starts per second than execa on a loaded 2-core machine; for the ping matrix,
   * thousands of them). Optional: a recording runner may leave it out (run is used then).
   */
  runQuick?(argv: string[]): Promise<RunResult>;
  /** number of processes started so far */
  readonly spawned: number;
  /** the text of a file, or null when it does not exist */
  readFile(path: string): Promise<string | null>;
  /** write a file atomically (a temporary beside it, then rename) */
  writeFile(path: string, data: string, mode: number): Promise<void>;
  /** write into an existing file in place (for /proc/sys) */
  writeExisting(path: string, data: string): Promise<void>;
  mkdir(path: string, mode: number): Promise<void>;
  unlink(path: string): Promise<void>;
  /** remove a directory when it is empty; false when it is not */
  rmdirIfEmpty(path: string): Promise<boolean>;
  /** a real directory (not a symlink) owned by this user that no group or other may write */
  privateDir(path: string): Promise<boolean>;
  /** 'missing' | 'symlink' | 'dir' | 'file' (without following links) */
  kind(path: string): Promise<'missing' | 'symlink' | 'dir' | 'file'>;
  listDir(path: string): Promise<string[]>;
  /**
   * An exclusive lock only root can take, dropped by the kernel when this process dies; waits at
   * most waitMs, calling onBusy (with who holds it) once when it has to wait. Optional: without
   * it, locks are held within this process only (the recording runners of unit tests).
   */
  lock?(name: string, waitMs: number, onBusy: (holder: string | undefined) => void): Promise<Held>;
  /** inode and mtime (ns) of a path, following links, as decimal strings; null when missing (a namespace's identity) */
  statId?(path: string): Promise<{ ino: string; born: string } | null>;
  /** a long-running process whose stdout is read line by line (ip monitor); stop() kills it */
  stream(argv: string[], onLine: (line: string) => void, onExit?: (code: number | undefined) => void): { stop(): Promise<void> };
  /** the same for binary output (a pcap stream), chunk by chunk */
  streamRaw(argv: string[], onData: (chunk: Buffer) => void, onExit?: (code: number | undefined) => void): { stop(): Promise<void> };
}

/** no shell, no inherited environment, the whole output */
async function runProcess(file: string, args: string[], input: string | undefined): Promise<RunResult> {
  const r = await execa(file, args, {
    input: input ?? '',
    reject: false,
    shell: false,
    stripFinalNewline: false,
    env: { LC_ALL: 'C', PATH: FIXED_PATH },
    extendEnv: false,
    maxBuffer: 256 * 1024 * 1024,
  });
  return { code: r.exitCode ?? (r.signal ? 128 : 1), stdout: String(r.stdout ?? ''), stderr: String(r.stderr ?? '') };
}

/** the same through execFile, without input (cheaper to start: the ping matrix starts hundreds) */
function runQuickProcess(file: string, args: string[]): Promise<RunResult> {
  return new Promise((done) => {
    execFile(file, args, { encoding: 'utf8', env: { LC_ALL: 'C', PATH: FIXED_PATH }, maxBuffer: 16 * 1024 * 1024 }, (error, stdout, stderr) => {
      const e = error as (NodeJS.ErrnoException & { code?: number | string; signal?: string | null }) | null;
      const code = !e ? 0 : typeof e.code === 'number' ? e.code : e.signal ? 128 : 1;
      done({ code, stdout: String(stdout ?? ''), stderr: String(stderr ?? '') || (e && typeof e.code === 'string' ? e.message : '') });
    }).stdin?.end();
  });
}

export function createSystemRunner(resolve: (cmd: string) => string = systemBinary): Runner {
  let spawned = 0;
  return {
    get spawned() { return spawned; },
    async run(argv, input) {
      const [cmd, ...args] = argv;
      if (!cmd) throw new Error('empty argv');
      const file = resolve(cmd);
      spawned++;
      return runProcess(file, args, input);
    },
    runQuick(argv) {
      const [cmd, ...args] = argv;
      if (!cmd) return Promise.reject(new Error('empty argv'));
      const file = resolve(cmd);
      spawned++;
      return runQuickProcess(file, args);
    },
    async readFile(path) {
      try { return await readFile(path, 'utf8'); } catch { return null; }
    },
    async writeFile(path, data, mode) {
      const tmp = `${path.slice(0, path.lastIndexOf('/') + 1)}.${path.slice(path.lastIndexOf('/') + 1)}.netns-lab.tmp`;
      await writeFile(tmp, data, { mode });
      await rename(tmp, path);
    },
    async writeExisting(path, data) {
      await writeFile(path, data, { flag: 'r+' });
    },
    async mkdir(path, mode) {
      await mkdir(path, { recursive: true, mode });
    },
    async unlink(path) {
      await unlink(path).catch((e: NodeJS.ErrnoException) => { if (e.code !== 'ENOENT') throw e; });
    },
    async rmdirIfEmpty(path) {
      if ((await readdir(path)).length) return false;
      await rmdir(path);
      return true;
    },
    async privateDir(path) {
      const st = await lstat(path).catch(() => undefined);
      return !!st && st.isDirectory() && !st.isSymbolicLink() && st.uid === (process.getuid?.() ?? -1) && (st.mode & 0o022) === 0;
    },
    async kind(path) {
      try {
        const st = await lstat(path);
        return st.isSymbolicLink() ? 'symlink' : st.isDirectory() ? 'dir' : 'file';
      } catch (e) {
        if ((e as NodeJS.ErrnoException).code === 'ENOENT') return 'missing';
        throw e;
      }
    },
    async listDir(path) {
      try { return await readdir(path); } catch { return []; }
    },
    lock: flockLock,
    async statId(path) {
      try { const st = await stat(path, { bigint: true }); return { ino: String(st.ino), born: String(st.mtimeNs) }; } catch { return null; }
    },
    streamRaw(argv, onData, onExit) {
      const [cmd, ...args] = argv;
      if (!cmd) throw new Error('empty argv');
      spawned++;
      const child = execa(resolve(cmd), args, {
        stdin: 'ignore', stdout: 'pipe', stderr: 'ignore', buffer: false, reject: false, shell: false, encoding: 'buffer',
        env: { LC_ALL: 'C', PATH: FIXED_PATH }, extendEnv: false,
      });
      child.stdout!.on('data', (d: Buffer) => onData(d));
      void child.then((r) => onExit?.(r.exitCode));
      return { stop: async () => { child.kill('SIGTERM'); await child; } };
    },
    stream(argv, onLine, onExit) {
      const [cmd, ...args] = argv;
      if (!cmd) throw new Error('empty argv');
      spawned++;
      const child = execa(resolve(cmd), args, {
        stdin: 'ignore', stdout: 'pipe', stderr: 'ignore', buffer: false, reject: false, shell: false,
        env: { LC_ALL: 'C', PATH: FIXED_PATH }, extendEnv: false,
      });
      let rest = '';
      child.stdout!.on('data', (d: Buffer) => {
        rest += d.toString();
        let nl: number;
        while ((nl = rest.indexOf('\n')) >= 0) { onLine(rest.slice(0, nl)); rest = rest.slice(nl + 1); }
      });
      void child.then((r) => onExit?.(r.exitCode));
      return { stop: async () => { child.kill('SIGTERM'); await child; } };
    },
  };
}
