/**
 * Everything behind the activation shell (extension.ts): the helper session, the live model,
 * commands, the canvas editor provider, the views' trees, terminals, diagnostics. Bundled as
 * dist/extension-main.cjs and loaded on the first use of any contribution (a command, a view
 * asking for its items, a canvas opening, a terminal profile), not on activation.
 */
import * as vscode from 'vscode';
import { reachResultsAsProbes } from '../core/diagnose/expect-record.js';
import { liveMarks, withServiceBadges } from '../core/diagnose/livemarks.js';
import { matrixPaint } from '../core/diagnose/reach-paint.js';
import { planTopology } from '../engine/engine.js';
import { PLAN_SCHEME, PlanDocuments, registerCommands } from './commands.js';
import { TopologyDiagnostics } from './diagnostics.js';
import { TopologyAnalyses } from './documents.js';
import { TopologyEditorProvider } from './editor.js';
import { HelperSession } from './helper-session.js';
import { registerInstallHelper } from './install-helper.js';
import { registerDiagnose } from './diagnose.js';
import { registerImportLive } from './import-live.js';
import { registerImportLab } from './import-lab.js';
import { registerLabTests, type LabTests } from './lab-tests-register.js';
import { LiveModel } from './live.js';
import { targets as makeTargets } from './target.js';
import { registerTerminals } from './terminal.js';
import { registerRunInNamespace, resolveNetnsDebug } from './run-in-ns.js';
import { resolveNetnsTask } from './tasks.js';
import { registerViews, type TreeViews } from './views/register.js';
import { ServicesModel } from './services.js';
import { ServiceProblems } from './service-problems.js';
import { registerServiceActions } from './service-actions.js';
import { multiHostTesting } from './multihost.js';

export interface Main {
  provider: TopologyEditorProvider;
  live: LiveModel;
  /** the services of applied topologies and their logs (issue 16) */
  services: ServicesModel;
  serviceLogs: ReturnType<typeof registerServiceActions>;
  analyses: TopologyAnalyses;
  trees: Record<keyof TreeViews, vscode.TreeDataProvider<unknown>>;
  terminalProfile: vscode.TerminalProfileProvider;
  runIn: { task: (t: vscode.Task) => vscode.Task | undefined; debug: (c: vscode.DebugConfiguration) => vscode.DebugConfiguration | undefined };
  labTests: LabTests;
  /** for tests: a recorded engine for the labs across hosts (multihost.ts) */
  multiHostTesting: typeof multiHostTesting;
}

export function start(context: vscode.ExtensionContext, views: TreeViews, tests: vscode.TestController): Main {
  const session = new HelperSession(context.extensionPath);
  const analyses = new TopologyAnalyses();
  const diagnostics = new TopologyDiagnostics(analyses);
  const plans = new PlanDocuments();
  const live = new LiveModel(session);
  // the services of applied topologies (issue 16): the Namespaces view, canvas badges, Problems
  const services = new ServicesModel(session, live, analyses);
  context.subscriptions.push(session, analyses, diagnostics, live, services, new ServiceProblems(services, analyses), vscode.workspace.registerTextDocumentContentProvider(PLAN_SCHEME, plans));
  const liveOrServices = new vscode.EventEmitter<unknown>();
  context.subscriptions.push(liveOrServices, live.onDidChange((e) => liveOrServices.fire(e)), services.onDidChange(() => liveOrServices.fire(undefined)));
  const provider = TopologyEditorProvider.register(context, analyses, {
    liveMarks: async (t) => {
      if (!live.live) await live.reload();
      if (!live.live) return undefined;
      const p = live.planOf(t) ?? await planTopology(session.api, t);
      const marks = liveMarks(t, p.objects, live.live);
      return marks.applied ? withServiceBadges(marks, t, services.of(t.name)?.services ?? [], Date.now()) : marks;
    },
    onLiveChange: liveOrServices.event,
    watchLive: (user, on) => {
      if (on) { void live.acquire(user); services.acquire(user); } else { live.release(user); services.release(user); }
    },
    setLinkState: async (ns, name, up) => { await session.api.linkState({ ns, name, up }); },
    machineNames: () => live.live && new Map([...live.live.namespaces, ...live.live.host.links].map((x) => [x.name!, x.owner] as const)),
  });
  const targets = makeTargets(provider, analyses, diagnostics);
  registerCommands({
    context, session, provider, analyses, diagnostics, targets, plans, hold: (fn, steps) => live.hold(fn, steps),
    machinePlan: async (t) => live.planOf(t) ?? (live.live ? session.api.plan({ topology: t }) : undefined),
  });
  const trees = registerViews(context, session, live, views, analyses, services);
  const serviceLogs = registerServiceActions(context, session, services);
  const terminalProfile = registerTerminals(context, live, (t, h) => trees.remote.hostOf(t, h));
  registerInstallHelper(context);
  registerRunInNamespace(context, live);
  registerImportLive(context, session);
  registerImportLab(context);
  registerDiagnose(context, session, live, targets, (uri, t, paint) => provider.paintMatrix(uri, t, paint), analyses);
  const labTests = registerLabTests(context, tests, session.api, analyses, targets, (uri, t, results) => {
    const probes = reachResultsAsProbes(t, results);
    if (probes.length) provider.paintMatrix(uri, t, { ...matrixPaint(t, probes), durationMs: Math.max(...results.map((r) => r.durationMs)), at: new Date().toISOString() });
  });
  return { provider, live, services, serviceLogs, analyses, trees: trees as unknown as Main['trees'], terminalProfile, labTests, multiHostTesting,
    runIn: { task: (t) => resolveNetnsTask(context.extensionPath, t), debug: (c) => resolveNetnsDebug(context.extensionPath, c) } };
}
