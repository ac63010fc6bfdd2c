/**
 * Runs a plan: consecutive steps of one phase that run in the same place become one process
 * (`ip [-n NS] -b -`, `tc [-n NS] -b -`, one iptables-restore per table, one sysctl per namespace).
 * Groups of the Configure, Files and Shape phases run in parallel; many namespaces' groups run
 * as a few chunked processes (execute-chunks.ts). The first failure stops the run and names the
 * step, its argv and the kernel's message; what ran stays consistent, so re-apply converges.
 */
import type { LiveState } from '../core/observe/observe.js';
import { ipScope } from '../core/plan/render.js';
import { Phase, touchedScopes, type PlannedStep, type Step } from '../core/plan/steps.js';
import { Failed, groupPlan, type ExecOptions, type ExecResult, type Group, type RunContext } from './exec-base.js';
import { runChunked, runSysctlChunks } from './execute-chunks.js';
import { describe, runGroup } from './execute-group.js';
import { stepGate } from './gate.js';
import { pool, settleAll } from './pool.js';
import { APPLY_DIR, sweepScratch } from './scratch.js';

export { APPLY_DIR };
export { groupPlan, type ExecOptions, type ExecResult, type StepFailure } from './exec-base.js';
export { qdiscHint } from './execute-group.js';

/** namespaces' groups from which batches are chunked */
const CHUNK_MIN_GROUPS = 8;

/** where a namespace can be read back: at the end of its batch in the last phase that changes it, unless it is being dismantled */
function readBackPlaces(plan: PlannedStep[], opts: ExecOptions): { lastPhase: Map<string, Phase>; dismantling: Set<string> } {
  const lastPhase = new Map<string, Phase>();
  if (opts.readBack) for (const p of plan) for (const sc of changedScopes(p.step, opts.live)) if (sc !== null) lastPhase.set(sc, Math.max(lastPhase.get(sc) ?? p.phase, p.phase));
  // `netns del` returns before the kernel dismantles the namespace: the other ends of its veths
  // in other namespaces go some time later, so those namespaces are not read back (verify reads them)
  const dismantling = new Set<string>();
  for (const { step: s } of plan) {
    if (s.op !== 'netns-del') continue;
    for (const l of opts.live?.namespaces.find((n) => n.name === s.name)?.links ?? []) if (l.peer?.ns) dismantling.add(l.peer.ns);
  }
  return { lastPhase, dismantling };
}

/** one phase: its groups, many namespaces' as chunks beside the others */
async function runPhase(phase: Group[], ctx: RunContext, places: ReturnType<typeof readBackPlaces>, reads: Map<string, unknown[]>): Promise<void> {
  const { opts, gate } = ctx;
  const parallel = phase[0]!.phase === Phase.Configure || phase[0]!.phase === Phase.Files || phase[0]!.phase === Phase.Shape;
  // many namespaces' ip batches: a few processes that fork one `ip -b` per namespace
  const nsGroups = parallel ? phase.filter((g) => g.key.startsWith('ip:') && g.key !== 'ip:') : [];
  const chunkIp = nsGroups.length >= CHUNK_MIN_GROUPS;
  // many namespaces' sysctls (a chain of routers): lines `netns exec NS sysctl -q -w K=V`
  const sysGroups = parallel ? phase.filter((g) => g.key.startsWith('sysctl:') && g.key !== 'sysctl:' && g.items.every((i) => !(i.step as Extract<Step, { op: 'sysctl' }>).value.includes(' '))) : [];
  const chunkSys = sysGroups.length >= CHUNK_MIN_GROUPS && !gate.hooked;
  const runEach = (gs: Group[]) => pool(gs, parallel ? opts.concurrency ?? 2 : 1, async (g) => {
    const ran = await runGroup(g, ctx);
    ctx.progress(ran, describe(g));
  });
  // The groups of one phase are independent: the others (the host's) run beside the chunked
  // namespaces. A namespace's sysctls run before its ip batch, which reads it back at its end
  // (a veth end whose host side was not up yet then: settle asks its peer, see linksNotRunning).
  const others = phase.filter((g) => !(chunkIp && nsGroups.includes(g)) && !(chunkSys && sysGroups.includes(g)));
  const chunks = async () => {
    if (chunkSys) await runSysctlChunks(sysGroups, ctx);
    if (chunkIp) {
      const readBack = new Set(opts.readBack ? nsGroups.map((g) => ipScope(g.items[0]!.step)!).filter((ns) => places.lastPhase.get(ns) === phase[0]!.phase && !places.dismantling.has(ns)) : []);
      const chunked = await runChunked(nsGroups, ctx, readBack, opts.readBack?.nsidMaps, reads);
      if (!chunked.length) await runEach(nsGroups);
    }
  };
  // with a test hook set, one after the other: nothing after the hook's step may run
  if (gate.hooked) { await runEach(others); await chunks(); } else await settleAll([runEach(others), chunks()]);
  if (phase[0]!.phase === Phase.Teardown) await waitForDismantle(phase, opts);
  if (phase[0]!.phase === Phase.Create) await opts.onCreated?.();
}

export async function execute(plan: PlannedStep[], opts: ExecOptions): Promise<ExecResult> {
  const { runner } = opts;
  const start = runner.spawned;
  let done = 0;
  const ctx: RunContext = {
    opts, gate: stepGate(opts),
    progress: (n, msg) => { done += n; opts.onProgress?.(done, plan.length, msg); },
  };
  if (plan.length) await sweepScratch(runner);
  const reads = new Map<string, unknown[]>();
  const places = readBackPlaces(plan, opts);
  try {
    for (const phase of groupPlan(plan)) {
      // a cancel (another host failed) stops here, between two phases: every phase that ran did so whole
      if (opts.cancelled?.()) return { ok: false, stepsRun: done, processes: runner.spawned - start, cancelledBefore: phase[0]!.phase };
      await runPhase(phase, ctx, places, reads);
    }
    return { ok: true, stepsRun: done, processes: runner.spawned - start, ...(opts.readBack ? { reads } : {}) };
  } catch (e) {
    if (e instanceof Failed) return { ok: false, stepsRun: done + e.done, processes: runner.spawned - start, failure: e.failure };
    throw e;
  }
}

/**
 * The namespaces whose read a step changes (null = the host). Unlike touchedScopes, setting
 * one end of a veth (up, master, alias, MTU) or its addresses does not change what a read of the
 * other end's namespace shows, except its operational state, which settle() reads again; deleting
 * it does (the peer goes too). A resolv.conf is read on its own, so DNS files change no read.
 */
export function changedScopes(s: Step, live: LiveState | undefined): (string | null)[] {
  switch (s.op) {
    case 'dns-write':
    case 'dns-remove':
      return [];
    case 'link-del': {
      const n = s.ns === null ? live?.host : live?.namespaces.find((x) => x.name === s.ns);
      const peer = n?.links.find((l) => l.name === s.name)?.peer;
      return peer ? [s.ns, peer.ns] : [s.ns];
    }
    default:
      return touchedScopes(s, () => undefined);
  }
}

/** `netns del` returns before the kernel dismantles the namespace: wait for its veth peers to go */
async function waitForDismantle(phase: Group[], opts: ExecOptions): Promise<void> {
  const deleted = new Set(phase.flatMap((g) => g.items).filter((i) => i.step.op === 'netns-del').map((i) => (i.step as { name: string }).name));
  if (!deleted.size || !opts.live) return;
  const peers = new Set(opts.live.host.links.filter((l) => l.peer?.ns && deleted.has(l.peer.ns)).map((l) => l.name));
  if (!peers.size) return;
  const deadline = Date.now() + 10_000;
  while (Date.now() < deadline) {
    const r = await opts.runner.run(['ip', '-j', 'link', 'show']);
    const names = new Set((JSON.parse(r.stdout || '[]') as { ifname: string }[]).map((l) => l.ifname));
    if (![...peers].some((p) => names.has(p))) return;
    await new Promise((res) => setTimeout(res, 25));
  }
}
