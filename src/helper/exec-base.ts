/**
 * What the parts of an execute share: its options and result, the groups a plan runs as (steps
 * of one phase that run in the same place), and the failure that stops a run.
 */
import type { LiveState } from '../core/observe/observe.js';
import { renderCommands } from '../core/plan/render.js';
import { executorKey, type Phase, type PlannedStep, type Step } from '../core/plan/steps.js';
import type { StepGate } from './gate.js';
import type { Runner } from './runner.js';

export interface ExecOptions {
  runner: Runner;
  onProgress?: (done: number, total: number, message: string) => void;
  /** test hook: fail at this step index as if the kernel refused it */
  faultAt?: number;
  /**
   * test hook (NETNS_LAB_KILL_AT): run the steps before this index, then call die() (the helper
   * SIGKILLs itself there: a deterministic "kill -9 in the middle of an apply"). Unset: no effect.
   */
  killAt?: number;
  die?: () => void;
  /** asked before each phase: true stops the run there (cancel), with what ran consistent */
  cancelled?: () => boolean;
  concurrency?: number;
  /** the live state the plan was made from (to wait for namespaces being dismantled; the peers of deleted links) */
  live?: LiveState;
  /**
   * read each namespace back at the end of its own batch (the reads of observe's NS_BATCH, in
   * the same process), where no later step changes that namespace: the verify after the apply
   * then needs no process of its own for it
   */
  /**
   * the create steps (phase Create) that succeeded are pushed here as they complete (also on a
   * failure: the ones before it), and onCreated runs once the Create phase is done: the
   * helper records there the evidence of what it created (journal.ts), before anything else
   */
  created?: Step[];
  onCreated?: () => Promise<void>;
  readBack?: {
    /** namespaces whose read-back includes their nsid map (`netns list-id`: veths to other namespaces) */
    nsidMaps: ReadonlySet<string>;
  };
}

export interface StepFailure {
  step: number;
  argv: string[];
  kernel: string;
  summary: string;
}

export interface ExecResult {
  ok: boolean;
  stepsRun: number;
  processes: number;
  failure?: StepFailure;
  /** stopped by cancelled() before this phase (the first one that did not run) */
  cancelledBefore?: Phase;
  /** readBack: the namespaces read at the end of their batch (observe's NS_BATCH arrays) */
  reads?: Map<string, unknown[]>;
}

/** steps of one phase that run in the same place (one process: ip/tc batch, sysctl, iptables-restore) */
export interface Group { key: string; phase: Phase; items: { index: number; step: Step }[] }

export function groupPlan(plan: PlannedStep[]): Group[][] {
  const phases: Group[][] = [];
  plan.forEach((p, index) => {
    let ph = phases.find((g) => g[0]!.phase === p.phase);
    if (!ph) { ph = []; phases.push(ph); }
    const key = executorKey(p.step);
    let g = ph.find((x) => x.key === key);
    if (!g) { g = { key, phase: p.phase, items: [] }; ph.push(g); }
    g.items.push({ index, step: p.step });
  });
  return phases.sort((a, b) => a[0]!.phase - b[0]!.phase);
}

/** the first failure of a run; done: the steps of its group or chunk that ran before it */
export class Failed extends Error {
  constructor(readonly failure: StepFailure, readonly done: number) { super(failure.kernel); }
}

export function argvOf(s: Step): string[] {
  return renderCommands(s)?.flatMap((c, i) => (i ? ['&&', ...c] : c)) ?? [s.op, ...('ns' in s && s.ns ? [s.ns] : [])];
}

/** the failure the fault hook injects at a step */
export function injectedFault(it: { index: number; step: Step }, done: number): Failed {
  return new Failed({ step: it.index, argv: argvOf(it.step), kernel: 'injected fault (NETNS_LAB_FAULT_AT)', summary: it.step.op }, done);
}

/** what the runners of groups and chunks get from execute */
export interface RunContext {
  opts: ExecOptions;
  gate: StepGate;
  /** n more steps done */
  progress: (n: number, message: string) => void;
}
