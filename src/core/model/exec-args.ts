/**
 * The arguments of the helper's `--exec` mode (`--exec NS [--user U] [--cwd DIR] [--env K=V]...
 * -- COMMAND ARGS...`), each checked by the file format's own rules. Pure: the CLI, a `netns`
 * task and the helper itself check the same way before anything runs.
 */
import type { z } from 'zod';
import { Command, Env, Service, UserName } from './model-workloads.js';
import { nsNameProblem } from './names.js';
import { zodToDiagnostics } from './validate.js';

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

