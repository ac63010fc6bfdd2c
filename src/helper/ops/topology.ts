/**
 * plan, apply and destroy: a plan is always made here from a fresh observation, never taken
 * from the caller. Apply (and destroy, an apply of the empty topology) runs under the
 * topology's lock: read, plan, journal, execute, verify (re-read only what changed), settle.
 */
import { emptyTopology, linksNotRunning, observeScope, plan, type Plan } from '../../core/plan/plan.js';
import { touchedScopes, type PlannedStep } from '../../core/plan/steps.js';
import { mergeObservation, needNsidMap, withLinkStates, type LiveState } from '../../core/observe/observe.js';
import type { Topology } from '../../core/model/model.js';
import { rootApproval, rootRefusal } from '../../core/plan/root-approval.js';
import { execute } from '../execute.js';
import { clearIntent, startJournal } from '../journal.js';
import { withLock } from '../lock.js';
import { observe, readLinkStates } from '../observe.js';
import { planDigest, type ApplyResult } from '../protocol.js';
import type { Runner } from '../runner.js';
import { withServices } from '../workload-steps.js';
import { endWorkloads } from './end-workloads.js';
import { fail, validTopology, type Handler, type OpContext } from './context.js';

/** the longest an apply waits for its links to start running (the kernel takes up to ~1 s) */
const SETTLE_MS = 3000;

/**
 * The namespaces whose read-back after an apply must include their nsid map: those that have
 * or will have a veth to another namespace (observe pairs such veths through the map).
 */
export function nsidMapsAfter(live: LiveState, steps: PlannedStep[]): Set<string> {
  const out = new Set(needNsidMap(live));
  for (const n of live.namespaces) if (n.links.some((l) => l.peer && l.peer.ns !== null && l.peer.ns !== n.name)) out.add(n.name!);
  for (const { step: s } of steps) {
    if (s.op === 'veth-add' && s.a.ns !== null && s.b.ns !== null && s.a.ns !== s.b.ns) { out.add(s.a.ns); out.add(s.b.ns); }
  }
  return out;
}

async function planFor(runner: Runner, t: Topology, preread?: ReadonlyMap<string, unknown[]>): Promise<{ p: Plan; live: LiveState }> {
  const live = await withServices(runner, t.name, await observe(runner, { ...observeScope(t), ...(preread ? { preread } : {}) }));
  return { p: plan(t, live), live };
}

/**
 * Plan again after an apply, re-reading only the namespaces the steps touched (plus the host,
 * firewall and DNS): at 200 namespaces, changing one address re-reads one namespace, not 200.
 * Namespaces the apply read back at the end of their batch (`reads`) are not read again.
 */
async function verifyPlan(runner: Runner, t: Topology, before: LiveState, steps: PlannedStep[], reads?: ReadonlyMap<string, unknown[]>): Promise<{ p: Plan; live: LiveState }> {
  const peerOf = (ns: string | null, name: string) => {
    const l = (ns === null ? before.host : before.namespaces.find((n) => n.name === ns))?.links.find((x) => x.name === name);
    return l?.peer?.ns;
  };
  const touched = new Set<string>();
  for (const s of steps) {
    for (const sc of touchedScopes(s.step, peerOf)) if (sc !== null) touched.add(sc);
    // a deleted namespace takes the other ends of its veths with it
    if (s.step.op === 'netns-del') {
      const gone = s.step.name;
      for (const l of before.namespaces.find((n) => n.name === gone)?.links ?? []) if (l.peer?.ns) touched.add(l.peer.ns);
    }
  }
  if (touched.size * 2 >= Math.max(2, before.namespaces.length)) return planFor(runner, t, reads);
  const fresh = await observe(runner, { ...observeScope(t), namespaces: [...touched], ...(reads ? { preread: reads } : {}) });
  const live = await withServices(runner, t.name, mergeObservation(before, fresh, touched));
  return { p: plan(t, live), live };
}

/**
 * Wait (at most SETTLE_MS) until the links the file wants up are running, re-reading only the
 * state of the links of the scopes still waiting (and the host, whose veth ends speak for
 * their peers: see linksNotRunning). The first look is at once: the verify took a while.
 */
async function settle(ctx: OpContext, t: Topology, live: LiveState): Promise<void> {
  const deadline = Date.now() + SETTLE_MS;
  for (let round = 0, waiting = linksNotRunning(t, live); waiting.length && Date.now() < deadline; round++, waiting = linksNotRunning(t, live)) {
    ctx.progress(`waiting for ${waiting.length} link(s) to come up`);
    if (round) await new Promise((r) => setTimeout(r, 50));
    const scopes = new Set<string | null>(waiting.map((w) => w.scope));
    if (live.host.links.some((l) => l.peer && l.peer.ns !== null && scopes.has(l.peer.ns))) scopes.add(null);
    live = withLinkStates(live, await readLinkStates(ctx.runner, [...scopes]));
  }
}

/** where the time went (ms): shown by the CLI, recorded by the benchmark */
function stopwatch() {
  const t0 = Date.now();
  const phases: Record<string, number> = {};
  let mark = t0;
  return {
    phases,
    lap(name: string) { const now = Date.now(); phases[name] = (phases[name] ?? 0) + now - mark; mark = now; },
    elapsed: () => Date.now() - t0,
  };
}

async function runPlan(ctx: OpContext, t: Topology, expect?: { steps: number; digest: string }, before?: (p: Plan) => Promise<Partial<ApplyResult>>): Promise<ApplyResult> {
  const { runner } = ctx;
  return withLock(runner, `topology/${t.name}`, ctx.lockWaitMs, (holder) => ctx.progress(`waiting for another apply of '${t.name}' to finish${holder ? ` (the lock is held by ${holder})` : ''}`), async () => {
    const clock = stopwatch();
    const { phases, lap } = clock;
    const { p, live } = await planFor(runner, t);
    lap('read');
    if (p.errors.length) fail('plan-refused', p.errors.map((e) => e.message).join('; '), { diagnostics: p.errors });
    if (expect && (expect.steps !== p.steps.length || expect.digest !== planDigest(p.steps))) {
      fail('plan-changed', `the live state changed since the plan was shown (${expect.steps} step(s) then, ${p.steps.length} now); review the plan again`);
    }
    if (ctx.cancelled()) fail('cancelled', `cancelled before any step ran (${p.steps.length} step(s) to do)`);
    const pre = before ? await before(p) : {};
    // nothing to do: no journal, no execution, no second read
    if (!p.steps.length) { await clearIntent(runner, t.name); return { steps: 0, processes: 0, durationMs: clock.elapsed(), remaining: [], phases, ...pre }; }
    // the intent journal: what this apply creates, and right after, the evidence of it
    const journal = await startJournal(runner, t.name, p.steps, live);
    const r = await execute(p.steps, {
      runner, live, created: journal.created, onCreated: journal.onCreated, readBack: { nsidMaps: nsidMapsAfter(live, p.steps) }, ...ctx.hooks,
      onProgress: (done, total, message) => ctx.progress(message, done, total), cancelled: ctx.cancelled,
    });
    if (r.cancelledBefore !== undefined) {
      await journal.failed(r.cancelledBefore);
      fail('cancelled', `cancelled after ${r.stepsRun} of ${p.steps.length} step(s), between two groups of steps: what ran is consistent, a re-apply converges`, { step: r.stepsRun });
    }
    if (!r.ok) {
      const f = r.failure!;
      await journal.failed(p.steps[f.step]!.phase);
      fail('step-failed', `step ${f.step + 1} of ${p.steps.length} failed: ${f.argv.join(' ')}: ${f.kernel}`, { step: f.step, argv: f.argv, kernel: f.kernel });
    }
    // every object this topology made now carries its tag: the journal has done its job
    await clearIntent(runner, t.name);
    lap('execute');
    const verify = await verifyPlan(runner, t, live, p.steps, r.reads);
    lap('verify');
    if (!verify.p.steps.length) await settle(ctx, t, verify.live);
    lap('settle');
    return {
      steps: p.steps.length, processes: r.processes, durationMs: clock.elapsed(),
      remaining: verify.p.steps.map((s) => s.summary), phases,
      /** namespaces the apply's own batches read back (the verify read none of them again) */
      readBack: r.reads?.size ?? 0,
      ...pre,
    };
  });
}

export const planOp: Handler<'plan'> = async (req, ctx) => {
  const t = validTopology(req.topology);
  const { p } = await planFor(ctx.runner, t);
  return { ...p, digest: planDigest(p.steps), ...rootApproval(t, process.getuid?.(), process.env) };
};

export const apply: Handler<'apply'> = (req, ctx) => {
  const t = validTopology(req.topology);
  const approval = rootApproval(t, process.getuid?.(), process.env);
  const refusal = rootRefusal(approval, req.approveRoot);
  if (refusal) fail('root-not-approved', refusal, { ...approval });
  return runPlan(ctx, t, req.expect);
};

/**
 * destroy: its services stop; another process inside its namespaces refuses it (destroy-held,
 * naming each) unless kill, which ends them (listed); then the namespaces go
 */
export const destroy: Handler<'destroy'> = (req, ctx) => runPlan(ctx, emptyTopology(req.name), undefined, (p) => endWorkloads(ctx, req.name, p, req.kill === true));
