/**
 * Labs across several machines (issue 19), the orchestration: one helper per host (the local
 * one as for a single-host lab, the others through ssh), each given its host's part of the
 * topology as an ordinary single-host topology (src/core/plan/hosts-split.ts).
 *
 * Failure semantics, in order:
 *  1. connect to every host (in parallel): a host that cannot be reached stops everything
 *     before anything changes anywhere;
 *  2. resolve underlay addresses (an interface name is looked up by that host's helper) and
 *     split the topology per host;
 *  3. plan every host (in parallel, read-only): a refusal on one host (a clash, an invalid
 *     part) stops everything, nothing changed anywhere;
 *  4. apply every host in parallel, each exactly the plan it showed (its digest). A host's
 *     helper runs its plan to the end or to its first failure, and what ran stays consistent
 *     (it applies in groups; a half-done apply is converged by the next). When one host fails,
 *     no further request goes to any host but a `cancel` of the apply each other host is
 *     running: its helper stops it before its next group of steps (between two phases, so what
 *     ran is whole) and answers `cancelled`. Every host ends applied, failed, or stopped at a
 *     consistent point, and the report says which, per host. Re-apply converges.
 * Destroy asks every host in parallel, each within a deadline, and names the hosts it could
 * not reach with what their part of the file put there (it may still be there).
 */
import type { HostPart, LabHost } from '../core/plan/hosts-split.js';
import type { Topology } from '../core/model/model.js';
import type { ObjectStatus } from '../core/plan/plan.js';
import type { LiveState } from '../core/observe/observe.js';
import type { LiveService, RootCommand } from '../core/model/workloads.js';
import type { ApplyResult, HelperError, PlanWithDigest } from '../helper/protocol.js';
import { overallStatus, type Overall } from './engine.js';
import { HelperFailure, type Progress } from './helper-client.js';

export type { HostPart, LabHost };

/** what the orchestration needs of one host's helper */
export interface HostHelper {
  plan(p: { topology: Topology }): Promise<PlanWithDigest>;
  apply(p: { topology: Topology; expect?: { steps: number; digest: string }; approveRoot?: string }, onProgress?: (p: Progress) => void): Promise<ApplyResult>;
  destroy(p: { name: string; kill?: boolean }, onProgress?: (p: Progress) => void): Promise<ApplyResult>;
  observe(p: { namespaces?: string[] }): Promise<LiveState>;
  /** the services of a host's part (status) */
  services(p: { topology: Topology }): Promise<{ services: LiveService[] }>;
  /** stop its running apply before its next group of steps (it answers `cancelled`) */
  cancelRunning(): Promise<void>;
  close(): Promise<void>;
}

/** the commands one host's part runs as root (from that host's own plan) */
export interface HostRoots { host: string; commands: RootCommand[] }

/** the model's side (src/core/plan/hosts-split.ts), passed in so this file stays about orchestration */
export interface Splitter {
  hostsOf(t: Topology): LabHost[];
  splitByHost(t: Topology, underlay: Record<string, string>): HostPart[];
  underlaySpec(h: LabHost): { address: string } | { ifname: string } | undefined;
  hostsNeedingUnderlay(t: Topology): string[];
  hostOf(t: Topology, node: string): string;
}

export type Phase = 'connect' | 'underlay' | 'plan' | 'apply' | 'destroy' | 'done' | 'failed';
export interface HostEvent { host: string; phase: Phase; message: string; done?: number; total?: number }

/** skipped: the file puts nothing on the host and its helper could not be started (a laptop without the local rule driving remote hosts) */
export type HostState = 'ok' | 'failed' | 'unreachable' | 'refused' | 'not-run' | 'skipped' | 'cancelled';
export interface HostOutcome {
  host: string;
  state: HostState;
  message?: string;
  error?: HelperError;
  plan?: PlanWithDigest;
  result?: ApplyResult;
  /** destroy: what the file puts on a host that could not be reached (it may still be there) */
  left?: string[];
  /** destroy refused (destroy-held): the processes inside the topology's namespaces there */
  holders?: { ns: string; pid: number; user: string; command: string }[];
  /** status: the host's services */
  services?: LiveService[];
}

export interface MultiOptions {
  connect(h: LabHost): Promise<HostHelper>;
  onEvent?: (e: HostEvent) => void;
  /** destroy: how long one host may take (connect + destroy) before it is reported and left */
  destroyTimeoutMs?: number;
  /** destroy: end the processes inside the topology's namespaces (else a host they hold refuses, naming them) */
  kill?: boolean;
  /**
   * apply: the person's answer to every host's root commands (each printed or shown in full
   * first); without it, or on false, an apply whose parts run anything as root is refused
   * before any host changes
   */
  approveRoot?: (roots: HostRoots[]) => boolean | Promise<boolean>;
  /** plan/status: also read each host's services */
  services?: boolean;
  /**
   * apply: asked with every host's plan (exactly what then runs: each host's digest is sent)
   * before any host changes; false stops there (VS Code's confirmation)
   */
  confirm?: (planned: HostOutcome[]) => boolean | Promise<boolean>;
}

export interface MultiResult { ok: boolean; stage: 'connect' | 'underlay' | 'plan' | 'apply' | 'destroy' | 'status'; hosts: HostOutcome[] }

const messageOf = (e: unknown) => (e instanceof HelperFailure || e instanceof Error ? e.message : String(e));
const errorOf = (e: unknown): HelperError => (e instanceof HelperFailure ? e.error : { code: 'internal', message: messageOf(e) });

/** the open helpers of one run; closes them all */
class Hosts {
  readonly open = new Map<string, HostHelper>();
  private closed = false;
  constructor(private readonly opts: MultiOptions) {}
  emit(host: string, phase: Phase, message: string, p?: Progress): void {
    this.opts.onEvent?.({ host, phase, message, ...(p && p.total ? { done: p.done, total: p.total } : {}) });
  }
  /** connects to every host in parallel: the failures, per host */
  async connectAll(hosts: LabHost[]): Promise<HostOutcome[]> {
    const failed: HostOutcome[] = [];
    await Promise.all(hosts.map(async (h) => {
      this.emit(h.name, 'connect', h.ssh ? `connecting (ssh ${h.ssh})` : 'starting the local helper');
      try { this.keep(h.name, await this.opts.connect(h)); } catch (e) {
        this.emit(h.name, 'failed', messageOf(e));
        failed.push({ host: h.name, state: 'unreachable', message: messageOf(e), error: errorOf(e) });
      }
    }));
    return failed;
  }
  /** a helper that connected; one that connects after the run ended (its deadline passed) is closed */
  keep(host: string, c: HostHelper): void {
    if (this.closed) void c.close().catch(() => undefined);
    else this.open.set(host, c);
  }
  get(host: string): HostHelper {
    const c = this.open.get(host);
    if (!c) throw new Error(`no helper for host ${host}`);
    return c;
  }
  async closeAll(): Promise<void> {
    this.closed = true;
    await Promise.allSettled([...this.open.values()].map((c) => c.close()));
    this.open.clear();
  }
}

/** the global IPv4 (else IPv6) address of interface ifname in live's root namespace */
export function addressOf(live: LiveState, ifname: string): string | undefined {
  const global = (live.host.links.find((l) => l.name === ifname)?.addresses ?? []).filter((a) => a.scope === 'global');
  return (global.find((a) => a.family === 4) ?? global[0])?.cidr.replace(/\/\d+$/, '');
}

/** every host's underlay address: as written, or asked of that host's helper (an interface name) */
export async function resolveUnderlays(t: Topology, sp: Splitter, hosts: Hosts): Promise<{ underlay: Record<string, string>; failed: HostOutcome[] }> {
  const underlay: Record<string, string> = {};
  const failed: HostOutcome[] = [];
  const needed = new Set(sp.hostsNeedingUnderlay(t));
  await Promise.all(sp.hostsOf(t).filter((h) => needed.has(h.name)).map(async (h) => {
    const spec = sp.underlaySpec(h);
    if (!spec) { failed.push({ host: h.name, state: 'refused', message: 'no underlay address: set "underlay" in its entry of "hosts"' }); return; }
    if ('address' in spec) { underlay[h.name] = spec.address; return; }
    hosts.emit(h.name, 'underlay', `reading the address of ${spec.ifname}`);
    try {
      const a = addressOf(await hosts.get(h.name).observe({ namespaces: [] }), spec.ifname);
      if (a) underlay[h.name] = a;
      else failed.push({ host: h.name, state: 'refused', message: `underlay interface ${spec.ifname} has no address there (or does not exist)` });
    } catch (e) { failed.push({ host: h.name, state: 'unreachable', message: messageOf(e), error: errorOf(e) }); }
  }));
  return { underlay, failed };
}

/** every host that is not in `failed`, as not run (the run stopped before reaching it) */
function withNotRun(all: string[], failed: HostOutcome[], why: string): HostOutcome[] {
  return all.map((h) => failed.find((f) => f.host === h) ?? { host: h, state: 'not-run', message: why });
}

/** the file puts no namespace and no bridge on host h (so no link, tunnel or device either) */
export function holdsNothing(t: Topology, sp: Splitter, h: string): boolean {
  return [...(t.namespaces ?? []), ...(t.bridges ?? [])].every((n) => sp.hostOf(t, n.name) !== h);
}

const SKIPPED = 'nothing of this lab is on it, and its helper could not be started';
const skip = (f: HostOutcome): HostOutcome => ({ ...f, state: 'skipped', message: `${SKIPPED} (${f.message ?? ''}); whatever an earlier version of the file put there stays` });
const good = (o: HostOutcome) => o.state === 'ok' || o.state === 'skipped';

/** outcomes in the file's order of hosts */
function ordered(names: string[], out: HostOutcome[]): HostOutcome[] {
  return names.flatMap((n) => out.filter((o) => o.host === n));
}

interface Prepared { parts: HostPart[]; skipped: HostOutcome[]; names: string[] }

/** connect, resolve, split: the parts to work on, or the outcome that stopped it */
async function prepare(t: Topology, sp: Splitter, hosts: Hosts): Promise<Prepared | MultiResult> {
  const names = sp.hostsOf(t).map((h) => h.name);
  const failed = await hosts.connectAll(sp.hostsOf(t));
  const skipped = failed.filter((f) => holdsNothing(t, sp, f.host)).map(skip);
  const unreachable = failed.filter((f) => !holdsNothing(t, sp, f.host));
  if (unreachable.length) return { ok: false, stage: 'connect', hosts: withNotRun(names, [...unreachable, ...skipped], 'nothing was done: another host could not be reached') };
  const u = await resolveUnderlays(t, sp, hosts);
  if (u.failed.length) return { ok: false, stage: 'underlay', hosts: withNotRun(names, u.failed, 'nothing was done: another host\'s underlay address is not known') };
  try {
    return { parts: sp.splitByHost(t, u.underlay).filter((p) => !skipped.some((x) => x.host === p.host)), skipped, names };
  } catch (e) {
    return { ok: false, stage: 'underlay', hosts: names.map((h) => ({ host: h, state: 'refused', message: messageOf(e) })) };
  }
}

/** plans every part in parallel (read-only) */
async function planAll(parts: HostPart[], hosts: Hosts, withServices = false): Promise<HostOutcome[]> {
  return Promise.all(parts.map(async (p): Promise<HostOutcome> => {
    hosts.emit(p.host, 'plan', 'planning');
    try {
      const h = hosts.get(p.host);
      const plan = await h.plan({ topology: p.topology });
      const services = withServices ? (await h.services({ topology: p.topology })).services : undefined;
      if (plan.errors.length) return { host: p.host, state: 'refused', plan, message: plan.errors.map((d) => d.message).join('; ') };
      return { host: p.host, state: 'ok', plan, ...(services ? { services } : {}) };
    } catch (e) {
      return { host: p.host, state: e instanceof HelperFailure && e.error.code === 'helper-exited' ? 'unreachable' : 'failed', message: messageOf(e), error: errorOf(e) };
    }
  }));
}

/** what `plan` shows: every host's steps (nothing changes) */
export async function multiPlan(t: Topology, sp: Splitter, opts: MultiOptions): Promise<MultiResult> {
  const hosts = new Hosts(opts);
  try {
    const prep = await prepare(t, sp, hosts);
    if (!('parts' in prep)) return prep;
    const out = ordered(prep.names, [...await planAll(prep.parts, hosts, opts.services), ...prep.skipped]);
    return { ok: out.every(good), stage: 'plan', hosts: out };
  } finally { await hosts.closeAll(); }
}

/** applies one host's plan; a failure elsewhere (stopping) is noted, the running apply finishes */
async function applyOne(p: HostPart, plan: PlanWithDigest, hosts: Hosts, onFail: (host: string) => void): Promise<HostOutcome> {
  if (!plan.steps.length) { hosts.emit(p.host, 'done', 'in sync: nothing to do'); return { host: p.host, state: 'ok', plan, result: { steps: 0, processes: 0, durationMs: 0, remaining: [] } }; }
  hosts.emit(p.host, 'apply', `applying ${plan.steps.length} step(s)`, { done: 0, total: plan.steps.length, message: '' });
  try {
    const approveRoot = plan.rootCommands?.length ? plan.rootDigest : undefined;
    const result = await hosts.get(p.host).apply({ topology: p.topology, expect: { steps: plan.steps.length, digest: plan.digest }, ...(approveRoot ? { approveRoot } : {}) },
      (pr) => hosts.emit(p.host, 'apply', pr.message, pr));
    if (result.remaining.length) {
      onFail(p.host);
      return { host: p.host, state: 'failed', plan, result, message: `not converged, still to do: ${result.remaining.join('; ')}` };
    }
    hosts.emit(p.host, 'done', `applied ${result.steps} step(s)`);
    return { host: p.host, state: 'ok', plan, result };
  } catch (e) {
    onFail(p.host);
    hosts.emit(p.host, 'failed', messageOf(e));
    const code = e instanceof HelperFailure ? e.error.code : 'internal';
    if (code === 'cancelled') return { host: p.host, state: 'cancelled', plan, message: `stopped because another host failed: ${messageOf(e)}`, error: errorOf(e) };
    return { host: p.host, state: code === 'helper-exited' ? 'unreachable' : 'failed', plan, message: messageOf(e), error: errorOf(e) };
  }
}

/** every host's root commands (its own plan's list), or undefined when there are none */
export function rootsOf(planned: HostOutcome[]): HostRoots[] | undefined {
  const roots = planned.filter((o) => o.plan?.rootCommands?.length).map((o) => ({ host: o.host, commands: o.plan!.rootCommands }));
  return roots.length ? roots : undefined;
}

/** the outcomes when root commands were not approved (undefined: approved, or none); nothing has changed yet */
async function rootRefusals(planned: HostOutcome[], opts: MultiOptions): Promise<HostOutcome[] | undefined> {
  const roots = rootsOf(planned);
  if (!roots || (opts.approveRoot && await opts.approveRoot(roots))) return undefined;
  return planned.map((o): HostOutcome => {
    const mine = roots.find((r) => r.host === o.host);
    return mine
      ? { ...o, state: 'refused', message: `runs ${mine.commands.length} command(s) as root that were not approved`, error: { code: 'root-not-approved', message: 'root commands not approved', rootDigest: o.plan!.rootDigest } }
      : { ...o, state: 'not-run', message: 'nothing was done: root commands were not approved' };
  });
}

/** connect, plan everywhere, then apply everywhere in parallel (see the file's comment for failures) */
export async function multiApply(t: Topology, sp: Splitter, opts: MultiOptions): Promise<MultiResult> {
  const hosts = new Hosts(opts);
  try {
    const prep = await prepare(t, sp, hosts);
    if (!('parts' in prep)) return prep;
    const planned = await planAll(prep.parts, hosts);
    if (planned.some((o) => o.state !== 'ok')) {
      const out = planned.map((o): HostOutcome => (o.state === 'ok' ? { ...o, state: 'not-run', message: 'nothing was done: another host refused its plan' } : o));
      return { ok: false, stage: 'plan', hosts: ordered(prep.names, [...out, ...prep.skipped]) };
    }
    if (opts.confirm && !(await opts.confirm(planned))) {
      return { ok: false, stage: 'plan', hosts: ordered(prep.names, [...planned.map((o): HostOutcome => ({ ...o, state: 'not-run', message: 'not confirmed: nothing was done' })), ...prep.skipped]) };
    }
    const refused = await rootRefusals(planned, opts);
    if (refused) return { ok: false, stage: 'plan', hosts: ordered(prep.names, [...refused, ...prep.skipped]) };
    let failedFirst: string | undefined;
    const onFail = (h: string) => {
      if (failedFirst) return;
      failedFirst = h;
      for (const other of prep.parts) {
        if (other.host === h) continue;
        hosts.emit(other.host, 'apply', `host ${h} failed: this host stops before its next group of steps`);
        void hosts.open.get(other.host)?.cancelRunning().catch(() => undefined);
      }
    };
    const out = ordered(prep.names, [...await Promise.all(prep.parts.map((p, i) => applyOne(p, planned[i]!.plan!, hosts, onFail))), ...prep.skipped]);
    return { ok: out.every(good), stage: 'apply', hosts: out };
  } finally { await hosts.closeAll(); }
}

/** status: every host's objects (a plan, nothing changes) and each host's overall state */
export async function multiStatus(t: Topology, sp: Splitter, opts: MultiOptions): Promise<MultiResult & { overall: Record<string, Overall> }> {
  const r = await multiPlan(t, sp, { ...opts, services: true });
  const overall: Record<string, Overall> = {};
  for (const o of r.hosts) {
    if (!o.plan) continue;
    const s = overallStatus(o.plan.objects as ObjectStatus[]);
    // a service that does not run makes an in-sync host drifted (as for one host)
    overall[o.host] = s === 'in-sync' && o.services?.some((x) => x.state !== 'running') ? 'drifted' : s;
  }
  return { ...r, stage: 'status', overall };
}

/** what a host's part puts there, for a host destroy could not reach */
export function partObjects(t: Topology): string[] {
  return [
    ...(t.namespaces ?? []).map((n) => `namespace ${n.name}`),
    ...(t.bridges ?? []).map((b) => `bridge ${b.name}`),
    ...(t.links ?? []).map((l) => `veth ${l.a.node}/${l.a.name} - ${l.b.node}/${l.b.name}`),
    ...(t.vxlans ?? []).map((v) => `vxlan ${v.node}/${v.name} (vni ${v.vni})`),
  ];
}

/** a destroy refused on a host because processes are inside its namespaces (nothing changed there) */
function heldOutcome(host: string, e: unknown): HostOutcome | undefined {
  if (!(e instanceof HelperFailure) || e.error.code !== 'destroy-held') return undefined;
  const holders = e.error.holders ?? [];
  return { host, state: 'refused', holders, error: e.error, message: `${holders.length} process(es) are still inside its namespaces (nothing was changed there; --kill ends them)` };
}

function withDeadline<T>(p: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<never>((_, reject) => { timer = setTimeout(() => reject(new Error(`${what}: no answer within ${Math.round(ms / 1000)} s`)), ms); });
  return Promise.race([p, late]).finally(() => clearTimeout(timer));
}

/**
 * Destroys the topology named `name` on every host, in parallel, each within a deadline. parts
 * (from the file) say what was meant to be on a host that could not be reached.
 */
export async function multiDestroy(name: string, hostList: LabHost[], parts: HostPart[] | undefined, opts: MultiOptions): Promise<MultiResult> {
  const hosts = new Hosts(opts);
  const deadline = opts.destroyTimeoutMs ?? 120_000;
  const left = (h: string) => partObjects(parts?.find((p) => p.host === h)?.topology ?? { version: 1, name } as Topology);
  try {
    const out = await Promise.all(hostList.map(async (h): Promise<HostOutcome> => {
      let reached = false;
      const one = async () => {
        hosts.emit(h.name, 'connect', h.ssh ? `connecting (ssh ${h.ssh})` : 'starting the local helper');
        const c = await opts.connect(h);
        hosts.keep(h.name, c);
        reached = true;
        hosts.emit(h.name, 'destroy', 'destroying');
        return c.destroy({ name, ...(opts.kill ? { kill: true } : {}) }, (pr) => hosts.emit(h.name, 'destroy', pr.message, pr));
      };
      try {
        const result = await withDeadline(one(), deadline, `host ${h.name}`);
        hosts.emit(h.name, result.remaining.length ? 'failed' : 'done', result.remaining.length ? `left: ${result.remaining.join('; ')}` : `destroyed (${result.steps} step(s))`);
        return result.remaining.length
          ? { host: h.name, state: 'failed', result, message: 'not everything was removed', left: result.remaining }
          : { host: h.name, state: 'ok', result };
      } catch (e) {
        hosts.emit(h.name, 'failed', messageOf(e));
        const held = heldOutcome(h.name, e);
        if (held) return held;
        const out: HostOutcome = { host: h.name, state: reached ? 'failed' : 'unreachable', message: messageOf(e), error: errorOf(e), left: left(h.name) };
        return !reached && parts && !out.left!.length ? skip(out) : out;
      }
    }));
    return { ok: out.every(good), stage: 'destroy', hosts: out };
  } finally { await withDeadline(hosts.closeAll(), 10_000, 'closing').catch(() => undefined); }
}
