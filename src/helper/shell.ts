/**
 * `helper.js --shell NS [--cwd DIR] [--rcfile FILE]`: the process behind a terminal inside a
 * namespace. Started as root (directly, or by sudo/pkexec), it enters the namespace the way
 * `ip netns exec` does (so /etc/netns/NS files are in effect) and runs the invoking user's own
 * login shell as that user (SUDO_UID / PKEXEC_UID), with the namespace name in the prompt.
 * When the terminal closes, the shell gets SIGHUP and this process exits with it.
 */
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { posix } from 'node:path';
import { FIXED_PATH, systemBinary } from './bin.js';
import { nsNameProblem } from '../core/model/names.js';
import { NETNS_DIR } from '../core/plan/render.js';

export interface ShellArgs { ns: string; cwd?: string; rcfile?: string }

export function parseShellArgs(argv: string[]): ShellArgs | string {
  const out: Partial<ShellArgs> = {};
  for (let i = 0; i < argv.length; i += 2) {
    const k = argv[i];
    const v = argv[i + 1];
    if (v === undefined) return `${k} needs a value`;
    if (k === '--shell') out.ns = v;
    else if (k === '--cwd') out.cwd = v;
    else if (k === '--rcfile') out.rcfile = v;
    else return `unknown option ${k}`;
  }
  if (!out.ns) return '--shell NAMESPACE is required';
  const p = nsNameProblem(out.ns);
  if (p) return p;
  for (const f of ['cwd', 'rcfile'] as const) {
    const v = out[f];
    if (v !== undefined && (!v.startsWith('/') || v.includes('\0') || v.split('/').includes('..'))) return `--${f} must be an absolute path`;
  }
  return out as ShellArgs;
}

/** the user to run as: whoever asked sudo or pkexec; root when root started us directly */
export function invokingUser(env: NodeJS.ProcessEnv): { uid: number; gid?: number } {
  const uid = Number(env.SUDO_UID ?? env.PKEXEC_UID ?? 0);
  const gid = env.SUDO_GID !== undefined ? Number(env.SUDO_GID) : undefined;
  return { uid: Number.isSafeInteger(uid) && uid >= 0 ? uid : 0, ...(gid !== undefined && Number.isSafeInteger(gid) ? { gid } : {}) };
}

function passwdEntry(uid: number): { name: string; gid: number; home: string; shell: string } | undefined {
  for (const line of readFileSync('/etc/passwd', 'utf8').split('\n')) {
    const f = line.split(':');
    if (f.length >= 7 && Number(f[2]) === uid) return { name: f[0]!, gid: Number(f[3]), home: f[5]!, shell: f[6]! };
  }
  return undefined;
}

/** the privilege drop to the user, by absolute path (empty for root) */
export function dropTo(uid: number, gid: number, bin: (cmd: string) => string = systemBinary): string[] {
  return uid === 0 ? [] : [bin('setpriv'), `--reuid=${uid}`, `--regid=${gid}`, '--init-groups', '--'];
}

/** a path inside /proc (another process's root, cwd or fds): never a terminal's directory */
export function inProc(p: string): boolean {
  const n = posix.normalize(p);
  return n === '/proc' || n.startsWith('/proc/');
}

/** run a short check as the user (after the drop): its exit code and output */
function asUser(drop: string[], argv: string[]): { ok: boolean; out: string } {
  const [cmd, ...args] = [...drop, ...argv];
  const r = spawnSync(cmd!, args, { encoding: 'utf8', cwd: '/', env: { LC_ALL: 'C', PATH: FIXED_PATH }, timeout: 10_000 });
  return { ok: r.status === 0, out: r.stdout ?? '' };
}

/**
 * The directory, resolved as the user (no symbolic link left in it), or undefined when the user
 * cannot reach it: a directory the user cannot reach gives the same answer as a missing one.
 */
export function userDir(drop: string[], dir: string, bin: (cmd: string) => string = systemBinary): string | undefined {
  const r = asUser(drop, [bin('realpath'), '-e', '-z', '--', `${dir.replace(/\/+$/, '')}/.`]);
  const real = r.out.replace(/\0$/, '');
  return r.ok && real.startsWith('/') ? real : undefined;
}

/** the rcfile when the user can read it (checked as the user: unreadable looks like missing) */
export function userRcfile(drop: string[], rc: string | undefined, bin: (cmd: string) => string = systemBinary): string | undefined {
  return rc && asUser(drop, [bin('test'), '-f', rc, '-a', '-r', rc]).ok ? rc : undefined;
}

/**
 * The command that runs the user's shell: ip enters the namespace, setpriv drops to the user,
 * then env changes into the directory, as the user. Every program by absolute path from the
 * fixed system directories (the caller's PATH is never used); no shell text.
 */
export function shellArgv(o: { ns: string; drop: string[]; dir: string; shellArgv: string[] }, bin: (cmd: string) => string = systemBinary): string[] {
  return [bin('ip'), 'netns', 'exec', o.ns, ...o.drop, bin('env'), `--chdir=${o.dir}`, '--', ...o.shellArgv];
}

const SAFE_SHELL = /^\/[A-Za-z0-9_./+-]+$/;

export function runShell(argv: string[]): void {
  const a = parseShellArgs(argv);
  if (typeof a === 'string') { process.stderr.write(`netns-lab shell: ${a}\n`); process.exit(2); }
  if (a.cwd && inProc(a.cwd)) { process.stderr.write('netns-lab shell: --cwd must not be in /proc\n'); process.exit(2); }
  if (!existsSync(`${NETNS_DIR}/${a.ns}`)) { process.stderr.write(`netns-lab shell: there is no namespace '${a.ns}'\n`); process.exit(1); }
  const who = invokingUser(process.env);
  const pw = passwdEntry(who.uid);
  const gid = who.gid ?? pw?.gid ?? 0;
  let shell = pw?.shell && SAFE_SHELL.test(pw.shell) && existsSync(pw.shell) && !/nologin|false$/.test(pw.shell) ? pw.shell : '/bin/bash';
  if (!existsSync(shell)) shell = '/bin/sh';
  const isBash = /\/bash$/.test(shell);
  const drop = dropTo(who.uid, gid);
  // every look at a path the caller named is made as the user, never as root
  const rc = userRcfile(drop, a.rcfile);
  const cwd = a.cwd ? userDir(drop, a.cwd) : undefined;
  if (cwd && inProc(cwd)) { process.stderr.write(`netns-lab shell: --cwd must not be in /proc (it resolves to ${cwd})\n`); process.exit(2); }
  const home = pw?.home ? userDir(drop, pw.home) : undefined;
  const dir = cwd ?? (home && !inProc(home) ? home : '/');
  const shellCmd = isBash ? [shell, ...(rc ? ['--rcfile', rc] : []), '-i'] : [shell, '-i'];
  // (no --reset-env: it would drop NETNS_LAB_NS; the environment below is built from passwd anyway)
  const env: NodeJS.ProcessEnv = {
    TERM: process.env.TERM ?? 'xterm-256color',
    NETNS_LAB_NS: a.ns,
    // the user's shell's own PATH (it runs as the user); nothing run as root looks in it
    PATH: '/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin',
    HOME: pw?.home ?? '/root',
    USER: pw?.name ?? 'root',
    LOGNAME: pw?.name ?? 'root',
    SHELL: shell,
    // shells without our rcfile still show where they are
    PS1: `(${a.ns}) \\u@\\h:\\w\\$ `,
    ...(process.env.LANG ? { LANG: process.env.LANG } : {}),
    ...(process.env.COLORTERM ? { COLORTERM: process.env.COLORTERM } : {}),
  };
  const [cmd, ...args] = shellArgv({ ns: a.ns, drop, dir, shellArgv: shellCmd });
  const child = spawn(cmd!, args, { stdio: 'inherit', env, cwd: '/' });
  for (const sig of ['SIGHUP', 'SIGTERM', 'SIGINT'] as const) process.on(sig, () => child.kill(sig));
  child.on('exit', (code, signal) => process.exit(code ?? (signal ? 128 : 1)));
}
