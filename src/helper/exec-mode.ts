/**
 * `helper.js --exec NS [--user U] [--cwd DIR] [--env K=V]... -- COMMAND ARGS...`: one command
 * inside a namespace, with this process's stdin, stdout, stderr and exit code (for
 * `netns-lab exec`, a `netns` task, a debugger's runtime). Started as root (directly, or by sudo
 * or pkexec), it runs the command as the person who asked (SUDO_UID / PKEXEC_UID), the same way
 * a service runs (service-argv.ts: privileges dropped first, then env, cwd and command). Only
 * root itself may name another user: through sudo or pkexec the helper is no way to become
 * someone else.
 */
import type { z } from 'zod';
import { Command, Env, Service, UserName } from '../core/model-workloads.js';
import { nsNameProblem } from '../core/names.js';
import { zodToDiagnostics } from '../core/validate.js';
import { NETNS_DIR } from '../core/render.js';
import { createProcSys, type ProcSys } from './procsys.js';
import { workloadArgv } from './service-argv.js';
import { invokingUser } from './shell.js';
import { resolveAccount } from './supervise.js';

export interface ExecArgs { ns: string; user?: string; cwd?: string; env: Record<string, string>; command: string[] }

const Cwd = Service.shape.cwd;

/** the arguments, each checked by the file format's own rules; a string is the reason they are refused */
export function parseExecArgs(argv: string[]): ExecArgs | string {
  const ns = argv[0];
  if (ns === undefined || nsNameProblem(ns)) return ns === undefined ? 'usage: --exec NAMESPACE [--user U] [--cwd DIR] [--env K=V]... -- COMMAND [ARGS...]' : nsNameProblem(ns)!;
  const out: ExecArgs = { ns, env: {}, command: [] };
  let i = 1;
  for (; i < argv.length && argv[i] !== '--'; i += 2) {
    const [k, v] = [argv[i]!, argv[i + 1]];
    if (v === undefined) return `${k} needs a value`;
    if (k === '--user') out.user = v;
    else if (k === '--cwd') out.cwd = v;
    else if (k === '--env' && v.includes('=')) out.env[v.slice(0, v.indexOf('='))] = v.slice(v.indexOf('=') + 1);
    else return `unknown option ${k}${k === '--env' ? ' (expects NAME=VALUE)' : ''}`;
  }
  out.command = argv.slice(i + 1);
  if (argv[i] !== '--' || !out.command.length) return 'the command follows "--"';
  return problem(Command, out.command, 'command') ?? problem(Env, out.env, '--env')
    ?? (out.user !== undefined ? problem(UserName, out.user, '--user') : undefined)
    ?? (out.cwd !== undefined ? problem(Cwd, out.cwd, '--cwd') : undefined)
    ?? out;
}

function problem(schema: z.ZodType, v: unknown, what: string): string | undefined {
  const r = schema.safeParse(v, { reportInput: true });
  return r.success ? undefined : `${what}: ${zodToDiagnostics(r.error.issues)[0]!.message}`;
}

/** the exit code of the command, or 2 (refused) / 1 (no namespace, no user) with a message */
export async function runExecMode(argv: string[], env: NodeJS.ProcessEnv, sys: ProcSys = createProcSys()): Promise<number> {
  const say = (m: string) => process.stderr.write(`netns-lab exec: ${m}\n`);
  const a = parseExecArgs(argv);
  if (typeof a === 'string') { say(a); return 2; }
  if (sys.inode(`${NETNS_DIR}/${a.ns}`) === undefined) { say(`there is no namespace '${a.ns}'`); return 1; }
  const account = resolveAccount(sys.read('/etc/passwd') ?? '', a.user, env);
  if (typeof account === 'string') { say(account); return 1; }
  const caller = invokingUser(env).uid;
  if (caller !== 0 && account.uid !== caller) { say(`only root may run a command as another user (you are uid ${caller}; --user ${a.user} is uid ${account.uid})`); return 2; }
  const term: Record<string, string> = env.TERM && /^[A-Za-z0-9._+-]{1,64}$/.test(env.TERM) ? { TERM: env.TERM } : {};
  const cwd = a.cwd ?? (process.cwd().startsWith('/') ? process.cwd() : '/');
  const bins = { ip: sys.bin('ip'), setpriv: sys.bin('setpriv'), env: sys.bin('env'), sh: '/bin/sh' };
  const full = workloadArgv({ ns: a.ns, command: a.command, account, cwd, env: { ...term, NETNS_LAB_NS: a.ns, ...a.env } }, bins);
  return sys.runInherited(full[0]!, full.slice(1), { PATH: '/usr/sbin:/usr/bin:/sbin:/bin', LC_ALL: 'C' });
}
