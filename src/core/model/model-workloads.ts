/**
 * Workloads of a namespace (issue 16): the commands run once after the namespace is up (`exec`)
 * and the long-running processes kept in it (`services`). The shapes are fixed by
 * CONTRACT-workloads.md (the importers of other tools' labs produce exactly these).
 * model.ts adds them to Namespace; types are inferred here.
 */
import { z } from 'zod';
import { printable } from './names.js';

export const SERVICE_NAME_PATTERN = '^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$';
export const USER_NAME_PATTERN = '^[a-z_][a-z0-9_-]{0,31}\\$?$';
export const ENV_KEY_PATTERN = '^[A-Za-z_][A-Za-z0-9_]{0,127}$';
export const DEFAULT_READY_TIMEOUT = 10;
export const DEFAULT_MAX_RESTARTS = 5;

const text = (field: string, max: number) => z.string()
  .min(1, { error: `[invalid-value] ${field} is empty` })
  .max(max, { error: (iss) => `[out-of-range] ${field} must be at most ${max} characters (got ${String((iss.input as string | undefined)?.length)})` })
  .refine((s) => !s.includes('\0'), { error: `[invalid-value] ${field} contains a NUL character` });

export const Command = z.union([
  text('command', 4096).meta({ description: 'A command line run by /bin/sh -c, as the entry\'s user.' }),
  z.array(text('argument', 4096))
    .min(1, { error: '[out-of-range] an argv command needs at least 1 word (the program)' })
    .max(256, { error: (iss) => `[out-of-range] an argv command has at most 256 words (got ${String((iss.input as unknown[] | undefined)?.length)})` })
    .meta({ description: 'An argv array run directly (argv[0] found through a fixed PATH, as the entry\'s user).' }),
]).meta({ description: 'A command: an argv array (run directly) or a string (run by /bin/sh -c).' });

export const UserName = z.string()
  .regex(new RegExp(USER_NAME_PATTERN), { error: (iss) => `[invalid-user] '${printable(String(iss.input))}' is not a user name (lower-case letters, digits, _ and -, at most 32)` })
  .meta({ description: 'Who runs it: a user name, or "root" (needs the person\'s approval of the exact command). Default: the person who applies.' });

/** an absolute path a process may use: no NUL, no ".." step, nothing under /proc */
const absPath = (field: string) => z.string().max(4096)
  .refine((s) => s.startsWith('/'), { error: (iss) => `[invalid-path] ${field} '${printable(String(iss.input))}' is not an absolute path`, abort: true })
  .refine((s) => !s.includes('\0'), { error: `[invalid-path] ${field} contains a NUL character`, abort: true })
  .refine((s) => !s.split('/').includes('..'), { error: (iss) => `[invalid-path] ${field} '${printable(String(iss.input))}' contains a '..' step` })
  .refine((s) => !/^\/+proc(\/|$)/.test(s), { error: (iss) => `[invalid-path] ${field} '${printable(String(iss.input))}' is under /proc` });

const timeout = z.int()
  .min(1, { error: (iss) => `[out-of-range] ready.timeout must be at least 1 s (got ${String(iss.input)})` })
  .max(300, { error: (iss) => `[out-of-range] ready.timeout must be at most 300 s (got ${String(iss.input)})` })
  .meta({ description: `Seconds to wait for readiness (1-300, default ${DEFAULT_READY_TIMEOUT}).` });

export const Ready = z.union([
  z.strictObject({
    tcp: z.int().min(1).max(65535).meta({ description: 'A TCP port that must accept a connection inside the namespace.' }),
    timeout: timeout.optional(),
  }),
  z.strictObject({
    file: absPath('ready.file').meta({ description: 'A file that must appear.' }),
    timeout: timeout.optional(),
  }),
]).meta({ description: 'When the service counts as started: a TCP port accepts, or a file appears, within the timeout; else it is stopped and the apply fails naming it.' });

const MAX_ENV = 64;
export const Env = z.record(
  z.string().regex(new RegExp(ENV_KEY_PATTERN), { error: (iss) => `[invalid-env] '${printable(String(iss.input))}' is not an environment variable name (letters, digits and _, not starting with a digit)` }),
  z.string().max(4096, { error: '[out-of-range] an environment value must be at most 4096 characters' })
    .refine((s) => !s.includes('\0'), { error: '[invalid-env] an environment value contains a NUL character' }),
).refine((r) => Object.keys(r).length <= MAX_ENV, { error: (iss) => `[out-of-range] env has ${Object.keys(iss.input as object).length} entries; at most ${MAX_ENV} are allowed` })
  .meta({ description: 'Environment variables added to the user\'s own (HOME, USER, LOGNAME, SHELL, PATH).' });

export const Service = z.strictObject({
  name: z.string().regex(new RegExp(SERVICE_NAME_PATTERN), { error: (iss) => `[invalid-name] service name '${printable(String(iss.input))}' must be 1-64 letters, digits, _ . -, starting with a letter or digit` }),
  command: Command,
  user: UserName.optional(),
  env: Env.optional(),
  cwd: absPath('cwd').optional().meta({ description: 'Working directory, entered as the user (default: the user\'s home, or /).' }),
  restart: z.enum(['no', 'on-failure']).optional().meta({ description: 'Start it again when it exits with a failure (default "no").' }),
  maxRestarts: z.int().min(0).max(100).optional()
    .meta({ description: `How many times on-failure starts it again (0-100, default ${DEFAULT_MAX_RESTARTS}).` }),
  ready: Ready.optional(),
}).meta({ description: 'A long-running process kept inside the namespace.' });

export const ExecEntry = z.union([
  Command,
  z.strictObject({ command: Command, user: UserName.optional() }),
]).meta({ description: 'A command run once after the namespace, its links, addresses and routes are up (and again when the namespace is re-created).' });

export const workloadFields = {
  exec: z.array(ExecEntry).max(256).optional()
    .meta({ description: 'Commands run once, in order, after the namespace is up. A failing one stops the apply.' }),
  services: z.array(Service).max(64).optional()
    .meta({ description: 'Long-running processes in this namespace (names unique within it).' }),
};

export type Command = z.infer<typeof Command>;
export type Service = z.infer<typeof Service>;
export type ExecEntry = z.infer<typeof ExecEntry>;
export type Ready = z.infer<typeof Ready>;
