/**
 * The one way the helper runs processes: argv arrays through execa, never a shell. Injected,
 * so tests can record instead of run.
 */
import { execa } from 'execa';

export interface RunResult {
  code: number;
  stdout: string;
  stderr: string;
}

export interface Runner {
  run(argv: string[], input?: string): Promise<RunResult>;
  /** number of processes started so far */
  readonly spawned: number;
}

/** the system binaries the helper may start, by absolute path (no PATH lookup as root) */
const BIN_DIRS = ['/usr/sbin', '/usr/bin', '/sbin', '/bin'];

export function createExecaRunner(resolve: (cmd: string) => string = defaultResolve): Runner {
  let spawned = 0;
  return {
    get spawned() { return spawned; },
    async run(argv, input) {
      const [cmd, ...args] = argv;
      if (!cmd) throw new Error('empty argv');
      spawned++;
      const r = await execa(resolve(cmd), args, {
        input: input ?? '',
        reject: false,
        shell: false,
        stripFinalNewline: false,
        env: { LC_ALL: 'C', PATH: BIN_DIRS.join(':') },
        extendEnv: false,
        maxBuffer: 256 * 1024 * 1024,
      });
      return { code: r.exitCode ?? (r.signal ? 128 : 1), stdout: String(r.stdout ?? ''), stderr: String(r.stderr ?? '') };
    },
  };
}

import { accessSync, constants } from 'node:fs';
const cache = new Map<string, string>();
function defaultResolve(cmd: string): string {
  if (!/^[a-z0-9-]+$/.test(cmd)) throw new Error(`refusing to run '${cmd}'`);
  const hit = cache.get(cmd);
  if (hit) return hit;
  for (const d of BIN_DIRS) {
    try {
      accessSync(`${d}/${cmd}`, constants.X_OK);
      cache.set(cmd, `${d}/${cmd}`);
      return `${d}/${cmd}`;
    } catch { /* next */ }
  }
  throw new Error(`'${cmd}' was not found in ${BIN_DIRS.join(', ')}; install it (iproute2, iptables, procps, util-linux)`);
}
