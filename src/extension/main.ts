/**
 * Everything behind the activation shell (extension.ts): the helper session, the live model,
 * commands, the canvas editor provider, the views' trees, terminals, diagnostics. Bundled as
 * dist/extension-main.cjs and loaded on the first use of any contribution (a command, a view
 * asking for its items, a canvas opening, a terminal profile), not on activation.
 */
import * as vscode from 'vscode';
import { liveMarks } from '../core/livemarks.js';
import type { ObjectStatus } from '../core/plan.js';
import { PLAN_SCHEME, PlanDocuments, registerCommands } from './commands.js';
import { TopologyDiagnostics } from './diagnostics.js';
import { TopologyEditorProvider } from './editor.js';
import { HelperSession } from './helper-session.js';
import { registerInstallHelper } from './install-helper.js';
import { registerDiagnose } from './diagnose.js';
import { registerImportLive } from './import-live.js';
import { registerImportLab } from './import-lab.js';
import { LiveModel } from './live.js';
import { registerTerminals } from './terminal.js';
import { registerViews, type TreeViews } from './views/register.js';

export interface Main {
  provider: TopologyEditorProvider;
  live: LiveModel;
  trees: Record<keyof TreeViews, vscode.TreeDataProvider<unknown>>;
  terminalProfile: vscode.TerminalProfileProvider;
}

export function start(context: vscode.ExtensionContext, views: TreeViews): Main {
  const session = new HelperSession(context.extensionPath);
  const diagnostics = new TopologyDiagnostics();
  const plans = new PlanDocuments();
  const live = new LiveModel(session);
  context.subscriptions.push(session, diagnostics, live, vscode.workspace.registerTextDocumentContentProvider(PLAN_SCHEME, plans));
  const ref: { provider?: TopologyEditorProvider } = {};
  const commands = registerCommands({ context, session, diagnostics, plans, provider: () => ref.provider!, hold: (fn, steps) => live.hold(fn, steps) });
  const provider = ref.provider = TopologyEditorProvider.register(context, {
    runCommand: (c, uri, node) => commands.run(c, uri, node),
    writeImage: (uri, f, data) => commands.writeImage(uri, f, data),
    liveMarks: async (t) => {
      if (!live.live) await live.reload();
      if (!live.live) return undefined;
      const p = live.planOf(t) ?? await session.request<{ objects: ObjectStatus[] }>('plan', { topology: t });
      return liveMarks(t, p.objects, live.live);
    },
    onLiveChange: live.onDidChange,
    watchLive: (user, on) => (on ? void live.acquire(user) : live.release(user)),
    setLinkState: async (ns, name, up) => { await session.request('link-state', { ns, name, up }); },
  });
  const trees = registerViews(context, session, live, views);
  const terminalProfile = registerTerminals(context, live);
  registerInstallHelper(context);
  registerImportLive(context, session);
  registerImportLab(context);
  registerDiagnose(context, session, live, (arg) => commands.targetDocument(arg), (uri, t, paint) => provider.paintMatrix(uri, t, paint));
  return { provider, live, trees: trees as unknown as Main['trees'], terminalProfile };
}
