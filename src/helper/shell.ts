/**
 * `helper.js --shell NS [--cwd DIR] [--rcfile FILE]`: the process behind a terminal inside a
 * namespace. Started as root (directly, or by sudo/pkexec), it enters the namespace the way
 * `ip netns exec` does (so /etc/netns/NS files are in effect) and runs the invoking user's own
 * login shell as that user (SUDO_UID / PKEXEC_UID), with the namespace name in the prompt.
 * When the terminal closes, the shell gets SIGHUP and this process exits with it.
 */
import { spawn } from 'node:child_process';
import { existsSync, readFileSync, statSync } from 'node:fs';
import { nsNameProblem } from '../core/names.js';
import { NETNS_DIR } from '../core/render.js';

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

export function runShell(argv: string[]): void {
  const a = parseShellArgs(argv);
  if (typeof a === 'string') { process.stderr.write(`netns-lab shell: ${a}\n`); process.exit(2); }
  if (!existsSync(`${NETNS_DIR}/${a.ns}`)) { process.stderr.write(`netns-lab shell: there is no namespace '${a.ns}'\n`); process.exit(1); }
  const who = invokingUser(process.env);
  const pw = passwdEntry(who.uid);
  const gid = who.gid ?? pw?.gid ?? 0;
  let shell = pw?.shell && existsSync(pw.shell) && !/nologin|false$/.test(pw.shell) ? pw.shell : '/bin/bash';
  if (!existsSync(shell)) shell = '/bin/sh';
  const isBash = /\/bash$/.test(shell);
  const rc = a.rcfile && existsSync(a.rcfile) && statSync(a.rcfile).isFile() ? a.rcfile : undefined;
  const shellArgv = isBash ? [shell, ...(rc ? ['--rcfile', rc] : []), '-i'] : [shell, '-i'];
  // (no --reset-env: it would drop NETNS_LAB_NS; the environment below is built from passwd anyway)
  const drop = who.uid === 0 ? [] : ['setpriv', `--reuid=${who.uid}`, `--regid=${gid}`, '--init-groups', '--'];
  const env: NodeJS.ProcessEnv = {
    TERM: process.env.TERM ?? 'xterm-256color',
    NETNS_LAB_NS: a.ns,
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
  const cwd = a.cwd && existsSync(a.cwd) ? a.cwd : pw?.home && existsSync(pw.home) ? pw.home : '/';
  const ip = ['/usr/sbin/ip', '/sbin/ip', '/usr/bin/ip', '/bin/ip'].find((p) => existsSync(p)) ?? '/usr/sbin/ip';
  const child = spawn(ip, ['netns', 'exec', a.ns, ...drop, ...shellArgv], { stdio: 'inherit', env, cwd });
  for (const sig of ['SIGHUP', 'SIGTERM', 'SIGINT'] as const) process.on(sig, () => child.kill(sig));
  child.on('exit', (code, signal) => process.exit(code ?? (signal ? 128 : 1)));
}
