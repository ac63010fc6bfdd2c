/** What every command handler may use, and the shape of a table of handlers by command id. */
import type * as vscode from 'vscode';
import type { Topology } from '../core/model/model.js';
import type { Step } from '../core/plan/steps.js';
import type { TopologyDiagnostics } from './diagnostics.js';
import type { TopologyAnalyses } from './documents.js';
import type { TopologyEditorProvider } from './editor.js';
import type { HelperSession } from './helper-session.js';
import type { PlanDocuments } from './plan-documents.js';
import type { Targets } from './target.js';

export interface CommandDeps {
  context: vscode.ExtensionContext;
  session: HelperSession;
  provider: TopologyEditorProvider;
  analyses: TopologyAnalyses;
  diagnostics: TopologyDiagnostics;
  targets: Targets;
  plans: PlanDocuments;
  /** the plan against this machine when the helper already runs in this window (no new authentication), else undefined */
  machinePlan?: (t: Topology) => Promise<{ errors: { message: string }[] } | undefined>;
  /** runs an apply or destroy while the live model only collects events (see LiveModel.hold) */
  hold?: Held;
}

/** runs fn while the live model only collects events, then re-reads what the steps touched (all, without steps) */
export type Held = <T>(fn: () => Promise<T>, steps?: readonly Step[]) => Promise<T>;

/** command id -> handler (an optional target, and for some commands one more argument) */
export type Handlers = Record<string, (arg?: unknown, extra?: unknown) => Promise<void>>;

