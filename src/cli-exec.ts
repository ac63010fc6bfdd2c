/**
 * `netns-lab exec NS [--user U] [--cwd DIR] [--env K=V]... -- COMMAND ARGS...`: one command inside
 * a namespace, as you, with this terminal's stdin, stdout, stderr and the command's exit code.
 * The helper's `--exec` mode does the work (src/helper/exec-mode.ts): in this process when the
 * CLI already runs as root, else `sudo -n` (or pkexec) of the helper, as terminals do.
 * Everything is checked here first (the helper checks again): a bad name runs nothing.
 */
import { spawn } from 'node:child_process';
import { constants as osConstants } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { helperCommands, type Elevation } from './engine/helper-client.js';
import { systemPathFs } from './engine/path-fs.js';
import { pkexecProblems } from './engine/privilege.js';
import { parseExecArgs } from './core/model/exec-args.js';
import { runExecMode } from './engine/in-process-helper.js';

export const EXEC_USAGE = `  netns-lab exec NS [--user U] [--cwd DIR] [--env K=V]... -- COMMAND [ARGS...]
                                          run one command inside namespace NS as you; stdin,
                                          stdout and its exit code pass through`;

/**
 * Variables a debugger sets on the program it starts (VS Code's JavaScript debugger: its
 * bootloader and where to report to). The command's environment is cleared inside the
 * namespace, so these are handed on as --env when set, unless --env names them already.
 */
export const DEBUGGER_ENV = ['NODE_OPTIONS', 'VSCODE_INSPECTOR_OPTIONS'] as const;

const ELEVATIONS = ['auto', 'direct', 'sudo', 'pkexec'];

export interface ExecPlan { helperArgs: string[]; elevation: Elevation }

/** the helper's `--exec` arguments and how to start it, or the reason they are refused */
export function planExec(argv: readonly string[], env: NodeJS.ProcessEnv): ExecPlan | string {
  const dash = argv.indexOf('--');
  const opts = dash < 0 ? [...argv] : argv.slice(0, dash);
  let elevation: Elevation = 'auto';
  const at = opts.findIndex((a) => a === '--elevation' || a.startsWith('--elevation='));
  if (at >= 0) {
    const v = opts[at]!.includes('=') ? opts[at]!.slice(opts[at]!.indexOf('=') + 1) : opts[at + 1];
    if (v === undefined || !ELEVATIONS.includes(v)) return '--elevation is auto, direct, sudo or pkexec';
    elevation = v as Elevation;
    opts.splice(at, opts[at]!.includes('=') ? 1 : 2);
  }
  const given = new Set(opts.filter((_, i) => opts[i - 1] === '--env').map((kv) => kv.slice(0, kv.indexOf('='))));
  const forwarded = DEBUGGER_ENV.filter((k) => env[k] !== undefined && env[k] !== '' && !given.has(k)).flatMap((k) => ['--env', `${k}=${env[k]}`]);
  const helperArgs = [...opts, ...forwarded, ...(dash < 0 ? [] : argv.slice(dash))];
  const checked = parseExecArgs(helperArgs);
  return typeof checked === 'string' ? checked : { helperArgs, elevation };
}

/** the command that starts the helper's exec mode, or undefined to run it in this process (root) */
export function execCommandLine(plan: ExecPlan, helperPath: string, env: NodeJS.ProcessEnv, uid = process.getuid?.()): string[] | undefined {
  if (uid === 0 && plan.elevation !== 'sudo' && plan.elevation !== 'pkexec' && env.NETNS_LAB_HELPER === undefined) return undefined;
  // a command cannot be retried with another way (its stdin may be half read): the first way only
  const [cmd] = helperCommands({ helperPath, elevation: plan.elevation }, env, uid);
  return [...cmd!, '--exec', ...plan.helperArgs];
}

function runAttached(argv: string[]): Promise<number> {
  const child = spawn(argv[0]!, argv.slice(1), { stdio: 'inherit' });
  const forward = (sig: NodeJS.Signals) => () => { child.kill(sig); };
  const handlers = (['SIGINT', 'SIGTERM', 'SIGHUP'] as const).map((s) => [s, forward(s)] as const);
  for (const [s, h] of handlers) process.on(s, h);
  return new Promise((done) => {
    child.once('error', (e) => { process.stderr.write(`netns-lab exec: cannot start ${argv[0]}: ${e.message}\n`); done(127); });
    child.once('exit', (code, signal) => {
      for (const [s, h] of handlers) process.off(s, h);
      done(code ?? 128 + (signal ? osConstants.signals[signal] : 0));
    });
  });
}

/** `netns-lab exec ...` (argv after "exec"): the command's exit code; 2 for usage, 1 when it could not start */
export async function execCommand(argv: readonly string[]): Promise<number> {
  const plan = planExec(argv, process.env);
  if (typeof plan === 'string') { process.stderr.write(`netns-lab exec: ${plan}\n${EXEC_USAGE}\n`); return 2; }
  const helperPath = process.env.NETNS_LAB_HELPER ?? join(dirname(fileURLToPath(import.meta.url)), 'helper.js');
  const line = execCommandLine(plan, helperPath, process.env);
  if (!line) return runExecMode(plan.helperArgs, process.env);
  const unsafe = pkexecProblems(line, systemPathFs);
  if (unsafe.length) { process.stderr.write(`netns-lab exec: pkexec was not used: ${unsafe.join('; ')}\n`); return 1; }
  return runAttached(line);
}
