/**
 * Planning of workloads (issue 16), pure: the desired `exec` and `services` of a topology against
 * the services observed live give the steps that reconcile them.
 *
 * - a service not running (never started, or exited) -> service-start
 * - a running service whose definition digest differs -> service-restart (only that one)
 * - a running service in a namespace this plan creates (or re-creates) -> service-restart
 * - a service (record) no longer in the file -> service-stop
 * - an unchanged running service -> nothing
 * - exec entries run, in order, when their namespace is created (or re-created) by this plan
 *
 * The step kinds live here, not yet in the Step union of steps.ts. To add them: spread
 * `WorkloadStepSchemas` into the `z.discriminatedUnion('op', [...])` of steps.ts, give
 * touchedScopes() `[s.ns]` and executorKey() `workload:${s.ns}` for the four ops, and place them
 * with `workloadPhase()` (stops in Teardown, before their namespace goes; exec after Shape,
 * services after exec). The plan's digest then covers every command text, root ones included.
 */
import { z } from 'zod';
import type { Topology } from './model.js';
import { NsName, TopoName } from './model.js';
import {
  Command, DEFAULT_MAX_RESTARTS, Service, UserName,
  type Command as CommandT, type ExecEntry, type Service as ServiceT,
} from './model-workloads.js';
import { sha256Hex } from './sha256.js';

const Digest = z.string().regex(/^[0-9a-f]{64}$/);

export const WorkloadStepSchemas = [
  /** one exec entry of a namespace, run once (index: its place in the namespace's exec list) */
  z.strictObject({ op: z.literal('exec-run'), topology: TopoName, ns: NsName, index: z.int().min(0).max(255), command: Command, user: UserName.optional() }),
  z.strictObject({ op: z.literal('service-start'), topology: TopoName, ns: NsName, service: Service, digest: Digest }),
  z.strictObject({ op: z.literal('service-restart'), topology: TopoName, ns: NsName, service: Service, digest: Digest, reason: z.enum(['changed', 'namespace-recreated']) }),
  z.strictObject({ op: z.literal('service-stop'), topology: TopoName, ns: NsName, name: Service.shape.name }),
] as const;
export const WorkloadStep = z.discriminatedUnion('op', [...WorkloadStepSchemas]);
export type WorkloadStep = z.infer<typeof WorkloadStep>;

/** phases of workload steps, numbered after steps.ts's Phase (Teardown = 0 ... Shape = 5) */
export const WorkloadPhase = { Teardown: 0, Exec: 6, Services: 7 } as const;
export function workloadPhase(s: WorkloadStep): number {
  if (s.op === 'service-stop') return WorkloadPhase.Teardown;
  return s.op === 'exec-run' ? WorkloadPhase.Exec : WorkloadPhase.Services;
}

/** what the helper observed of one service (from its record, checked against /proc) */
export interface LiveService {
  ns: string;
  name: string;
  /**
   * running: pid, start time and namespace inode all match; exited: the record holds the code (none
   * when its supervisor vanished); starting: its supervisor is starting it (again, after a failure)
   */
  state: 'running' | 'starting' | 'exited' | 'not-started';
  pid?: number;
  /** /proc/PID/stat field 22: clock ticks after boot */
  startTime?: number;
  /** inode of the network namespace it runs in */
  nsInode?: number;
  /** when the current run started (ms since the epoch) */
  since?: number;
  /** definition digest recorded when it was started (serviceDigest) */
  digest?: string;
  /** exit code (128 + signal number when a signal ended it) */
  code?: number;
  restarts: number;
  user?: string;
}

/** JSON with object keys sorted: the same definition always gives the same text */
export function canonicalJson(v: unknown): string {
  if (Array.isArray(v)) return `[${v.map(canonicalJson).join(',')}]`;
  if (v && typeof v === 'object') {
    const o = v as Record<string, unknown>;
    return `{${Object.keys(o).filter((k) => o[k] !== undefined).sort().map((k) => `${JSON.stringify(k)}:${canonicalJson(o[k])}`).join(',')}}`;
  }
  return JSON.stringify(v);
}

/** the digest of a service's definition (defaults filled in, so leaving out a default changes nothing) */
export function serviceDigest(s: ServiceT): string {
  const onFailure = s.restart === 'on-failure';
  return sha256Hex(canonicalJson({
    ...s,
    restart: onFailure ? 'on-failure' : 'no',
    maxRestarts: onFailure ? (s.maxRestarts ?? DEFAULT_MAX_RESTARTS) : undefined,
  }));
}

export const execCommand = (e: ExecEntry): CommandT => (typeof e === 'object' && !Array.isArray(e) ? e.command : e);
export const execUser = (e: ExecEntry): string | undefined => (typeof e === 'object' && !Array.isArray(e) ? e.user : undefined);

/** the exact text of a command: a string as it is, an argv as its JSON array */
export const commandText = (c: CommandT): string => (typeof c === 'string' ? c : JSON.stringify(c));

export interface RootCommand {
  ns: string;
  kind: 'exec' | 'service';
  /** the service's name, or the exec entry's index */
  which: string | number;
  /** exactly what runs as root */
  text: string;
  env?: Record<string, string>;
  cwd?: string;
}

/**
 * Every command the file runs as root, in file order: what the person must see and approve.
 * `applierIsRoot`: root applies directly (no sudo/pkexec), so an entry without a user runs as
 * root too and needs the same approval.
 */
export function rootCommands(t: Topology, opts: { applierIsRoot?: boolean } = {}): RootCommand[] {
  const out: RootCommand[] = [];
  const isRoot = (user: string | undefined) => user === 'root' || (user === undefined && !!opts.applierIsRoot);
  for (const ns of t.namespaces ?? []) {
    (ns.exec ?? []).forEach((e, i) => {
      if (isRoot(execUser(e))) out.push({ ns: ns.name, kind: 'exec', which: i, text: commandText(execCommand(e)) });
    });
    for (const s of ns.services ?? []) {
      if (isRoot(s.user)) out.push({ ns: ns.name, kind: 'service', which: s.name, text: commandText(s.command), ...(s.env ? { env: s.env } : {}), ...(s.cwd ? { cwd: s.cwd } : {}) });
    }
  }
  return out;
}

/** digest of the root commands: an approval is valid for exactly this list */
export const rootCommandsDigest = (list: RootCommand[]): string => sha256Hex(canonicalJson(list));

/** one line per root command, for a confirmation dialog or the CLI */
export function describeRootCommand(r: RootCommand): string {
  const where = r.kind === 'exec' ? `exec #${Number(r.which) + 1} in ${r.ns}` : `service '${r.which}' in ${r.ns}`;
  const env = r.env && Object.keys(r.env).length ? ` with env ${canonicalJson(r.env)}` : '';
  const cwd = r.cwd ? ` in ${r.cwd}` : '';
  return `${where} as root: ${r.text}${env}${cwd}`;
}

export interface PlannedWorkloadStep { phase: number; step: WorkloadStep; summary: string }

const as = (user: string | undefined) => `as ${user ?? 'you'}`;

/**
 * The workload steps of a plan. `created`: the namespaces this plan creates or re-creates (their
 * exec entries run; their running services are restarted in the new namespace).
 */
export function planWorkloads(t: Topology, live: readonly LiveService[], created: ReadonlySet<string>): PlannedWorkloadStep[] {
  const out: PlannedWorkloadStep[] = [];
  const add = (step: WorkloadStep, summary: string) => out.push({ phase: workloadPhase(step), step, summary });
  const topology = t.name;
  const desired = new Map((t.namespaces ?? []).map((ns) => [ns.name, new Set((ns.services ?? []).map((s) => s.name))]));
  for (const l of live) {
    if (l.state === 'not-started' || desired.get(l.ns)?.has(l.name)) continue;
    add({ op: 'service-stop', topology, ns: l.ns, name: l.name }, `stop service ${l.name} in ${l.ns}${l.state === 'running' ? ` (pid ${l.pid})` : ''}`);
  }
  for (const ns of t.namespaces ?? []) {
    if (!created.has(ns.name)) continue;
    (ns.exec ?? []).forEach((e, index) => {
      const user = execUser(e);
      add({ op: 'exec-run', topology, ns: ns.name, index, command: execCommand(e), ...(user ? { user } : {}) },
        `run in ${ns.name} ${as(user)}: ${commandText(execCommand(e))}`);
    });
  }
  for (const ns of t.namespaces ?? []) {
    for (const service of ns.services ?? []) {
      const digest = serviceDigest(service);
      const l = live.find((x) => x.ns === ns.name && x.name === service.name);
      const what = `service ${service.name} in ${ns.name} ${as(service.user)}: ${commandText(service.command)}`;
      if (!l || l.state !== 'running') add({ op: 'service-start', topology, ns: ns.name, service, digest }, `start ${what}`);
      else if (created.has(ns.name)) add({ op: 'service-restart', topology, ns: ns.name, service, digest, reason: 'namespace-recreated' }, `restart ${what} (its namespace is re-created)`);
      else if (l.digest !== digest) add({ op: 'service-restart', topology, ns: ns.name, service, digest, reason: 'changed' }, `restart ${what} (its definition changed)`);
    }
  }
  return out;
}
