/**
 * Every program the helper runs as root comes from the fixed system directories, by absolute
 * path: never from PATH (it may start with /usr/local/sbin, where a planted `setpriv` would run
 * as root), and never from /usr/local. Children get only these directories as PATH, so a
 * program they start by name (`ip netns exec NS ping`) is found there too.
 */
import { accessSync, constants } from 'node:fs';

export const BIN_DIRS = ['/usr/sbin', '/usr/bin', '/sbin', '/bin'] as const;
export const FIXED_PATH = BIN_DIRS.join(':');

const cache = new Map<string, string>();

/** the absolute path of a system program (a plain name), from BIN_DIRS only */
export function systemBinary(cmd: string, executable: (p: string) => boolean = isExecutable): string {
  if (!/^[a-z0-9-]+$/.test(cmd)) throw new Error(`refusing to run '${cmd}'`);
  const hit = executable === isExecutable ? cache.get(cmd) : undefined;
  if (hit) return hit;
  for (const d of BIN_DIRS) {
    if (!executable(`${d}/${cmd}`)) continue;
    if (executable === isExecutable) cache.set(cmd, `${d}/${cmd}`);
    return `${d}/${cmd}`;
  }
  throw new Error(`'${cmd}' was not found in ${BIN_DIRS.join(', ')}; install it (iproute2, iptables, procps, util-linux)`);
}

function isExecutable(p: string): boolean {
  try { accessSync(p, constants.X_OK); return true; } catch { return false; }
}
