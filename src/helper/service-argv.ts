/**
 * The argv of a workload, pure (unit-tested word by word). Every program by absolute path;
 * privileges dropped before anything from the file is looked at by a process:
 *   ip netns exec NS  setpriv --reuid=U --regid=G --init-groups --  env -i --chdir=DIR -- HOME=.. USER=.. ... K=V  COMMAND...
 * `ip netns exec` enters the namespace (with /etc/netns/NS in effect) and execs setpriv (no fork:
 * the pid stays the service's); setpriv becomes the user; env(1), already the user, clears the
 * environment, enters the working directory as the user and sets the user's variables. Nothing
 * the file says (env, cwd, command) reaches a root process: env would otherwise reach ip and
 * setpriv (LD_PRELOAD...) and a chdir as root could enter what the user may not.
 */
import type { Command } from '../core/model/model-workloads.js';

/** the absolute paths of the programs a workload's argv uses */
export interface Bins { ip: string; setpriv: string; env: string; sh: string }

/** who runs it, resolved from the passwd database */
export interface Account { name: string; uid: number; gid: number; home: string; shell: string; inPasswd: boolean }

/** the PATH a workload sees (its argv[0] is found through it, as the user) */
export const WORKLOAD_PATH = '/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin';
/** a root workload's PATH: not /usr/local, which others may write to (group staff on Debian) */
export const ROOT_WORKLOAD_PATH = '/usr/sbin:/usr/bin:/sbin:/bin';

export interface RunSpec {
  ns: string; command: Command; account: Account; cwd: string; env?: Record<string, string>;
  /** end it after this many seconds (coreutils timeout, as the user): for exec commands, which must end */
  timeout?: { seconds: number; bin: string };
}

export const commandArgv = (c: Command, sh: string): string[] => (typeof c === 'string' ? [sh, '-c', c] : [...c]);

/** the user's own environment, then the file's variables (which may override it) */
export function userEnv(a: Account, extra: Record<string, string> = {}): string[] {
  const base: Record<string, string> = { HOME: a.home, USER: a.name, LOGNAME: a.name, SHELL: a.shell, PATH: a.uid === 0 ? ROOT_WORKLOAD_PATH : WORKLOAD_PATH };
  return Object.entries({ ...base, ...extra }).map(([k, v]) => `${k}=${v}`);
}

/** setpriv's words: the user's groups when it is in passwd, none otherwise */
export function dropArgv(a: Account, setpriv: string): string[] {
  return [setpriv, `--reuid=${a.uid}`, `--regid=${a.gid}`, a.inPasswd ? '--init-groups' : '--clear-groups', '--'];
}

export function workloadArgv(r: RunSpec, bins: Bins): string[] {
  if (typeof r.command !== 'string' && r.command[0]!.includes('=')) throw new Error(`the program '${r.command[0]}' contains '='`);
  return [
    bins.ip, 'netns', 'exec', r.ns,
    ...dropArgv(r.account, bins.setpriv),
    bins.env, '-i', `--chdir=${r.cwd}`, '--', ...userEnv(r.account, r.env),
    ...(r.timeout ? [r.timeout.bin, '--kill-after=5', String(r.timeout.seconds)] : []),
    ...commandArgv(r.command, bins.sh),
  ];
}

/** the helper's own TCP probe, run inside the namespace (one connect to loopback, exit 0 when accepted) */
export function probeArgv(ns: string, port: number, node: string, helperScript: string, ip: string): string[] {
  return [ip, 'netns', 'exec', ns, node, helperScript, '--probe-tcp', String(port)];
}
