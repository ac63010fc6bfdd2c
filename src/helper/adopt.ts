/**
 * adopt (import --adopt), in two steps: a preview returns exactly what the helper would take
 * (and what it refuses, and why) with a digest of that list; the adoption itself carries the
 * digest and is refused when a fresh computation differs (someone changed the network since
 * the person saw the list). The rules are core/adopt.ts; this module collects the facts (a
 * fresh observation, the users of the processes in each namespace, the caller) and writes the
 * tags. The caller is whoever asked sudo or pkexec (SUDO_UID / PKEXEC_UID), root otherwise.
 */
import { createHash } from 'node:crypto';
import { adoptable, describeObject, type AdoptCaller, type AdoptObject, type AdoptPlan } from '../core/import/adopt.js';
import type { Topology } from '../core/model/model.js';
import { ownerTag } from '../core/model/names.js';
import { observeScope } from '../core/plan/plan.js';
import { summarize } from '../core/plan/render.js';
import { Phase, type PlannedStep, type Step } from '../core/plan/steps.js';
import { execute } from './execute.js';
import { observe, pool } from './observe.js';
import type { Runner } from './runner.js';
import type { HelperErrorCode } from './protocol.js';
import { invokingUser } from './shell.js';

export interface AdoptPreview extends AdoptPlan {
  /** one line per object taken, as shown to the person */
  lines: string[];
  digest: string;
}

export class AdoptError extends Error {
  constructor(readonly code: HelperErrorCode, message: string) { super(message); }
}

export function adoptDigest(take: readonly AdoptObject[]): string {
  return createHash('sha256').update(JSON.stringify(take.map((o) => [o.kind, o.scope, o.name]))).digest('hex');
}

export function callerOf(env: NodeJS.ProcessEnv): AdoptCaller {
  return { uid: invokingUser(env).uid };
}

/** the uids (real and effective) of the processes running in a namespace */
async function processUids(runner: Runner, ns: string): Promise<number[]> {
  const r = await runner.run(['ip', 'netns', 'pids', ns]);
  if (r.code !== 0) throw new AdoptError('adopt-refused', `cannot list the processes of namespace '${ns}': ${r.stderr.trim()}`);
  const uids = new Set<number>();
  for (const pid of r.stdout.split('\n').map((s) => s.trim()).filter((s) => /^\d+$/.test(s))) {
    const status = await runner.readFile(`/proc/${pid}/status`);
    const m = status && /^Uid:\s+(\d+)\s+(\d+)/m.exec(status);
    if (m) { uids.add(Number(m[1])); uids.add(Number(m[2])); }
  }
  return [...uids];
}

export async function previewAdopt(runner: Runner, t: Topology, caller: AdoptCaller): Promise<AdoptPreview & { steps: PlannedStep[] }> {
  const live = await observe(runner, observeScope(t));
  const untagged = (t.namespaces ?? []).map((n) => live.namespaces.find((x) => x.name === n.name)).filter((n) => n && !n.owner).map((n) => n!.name!);
  const processUidsByNs = new Map(await pool(untagged, 4, async (ns) => [ns, await processUids(runner, ns)] as const));
  const p = adoptable(t, live, caller, { processUids: processUidsByNs });
  const tag = ownerTag(t.name);
  const steps = p.take.map((o): PlannedStep => {
    const step: Step = o.kind === 'namespace' ? { op: 'link-set', ns: o.name, name: 'lo', alias: tag } : { op: 'link-set', ns: o.scope, name: o.name, alias: tag };
    return { phase: Phase.Configure, step, summary: summarize(step) };
  });
  return { ...p, lines: p.take.map(describeObject), digest: adoptDigest(p.take), steps };
}

/** tag what the preview showed (digest), after computing it again */
export async function runAdopt(runner: Runner, t: Topology, caller: AdoptCaller, digest: string): Promise<{ adopted: string[]; refused: string[] }> {
  const p = await previewAdopt(runner, t, caller);
  if (p.clashes.length) throw new AdoptError('adopt-refused', p.clashes.join('; '));
  if (p.digest !== digest) {
    throw new AdoptError('plan-changed', `the network changed since the list of objects to adopt was shown (${p.take.length} object(s) now: ${p.lines.join(', ') || 'none'}); review it again`);
  }
  const r = await execute(p.steps, { runner });
  if (!r.ok) throw new AdoptError('step-failed', `adopt failed: ${r.failure!.argv.join(' ')}: ${r.failure!.kernel}`);
  return { adopted: p.lines, refused: p.refuse.map((o) => `${describeObject(o)}: ${o.reason}`) };
}
