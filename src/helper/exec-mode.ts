/**
 * `helper.js --exec NS [--user U] [--cwd DIR] [--env K=V]... -- COMMAND ARGS...`: one command
 * inside a namespace, with this process's stdin, stdout, stderr and exit code (for
 * `netns-lab exec`, a `netns` task, a debugger's runtime). Started as root (directly, or by sudo
 * or pkexec), it runs the command as the person who asked (SUDO_UID / PKEXEC_UID), the same way
 * a service runs (service-argv.ts: privileges dropped first, then env, cwd and command). Only
 * root itself may name another user: through sudo or pkexec the helper is no way to become
 * someone else.
 */
import { parseExecArgs } from '../core/model/exec-args.js';
import { NETNS_DIR } from '../core/plan/render.js';
import { createProcSys, type ProcSys } from './procsys.js';
import { workloadArgv } from './service-argv.js';
import { invokingUser } from './shell.js';
import { resolveAccount } from './supervise.js';

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
