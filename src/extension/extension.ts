/**
 * Netns Lab in VS Code: the canvas editor for *.netns.json, the Netns commands, Problems
 * diagnostics, the live views, terminals inside namespaces, and one privileged helper per
 * window for everything that needs root.
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
import { LiveModel } from './live.js';
import { registerTerminals } from './terminal.js';
import { registerViews } from './views/register.js';

export interface NetnsLabApi {
  /** for tests: apply a canvas gesture to a document as if the webview had sent it */
  applyGesture: TopologyEditorProvider['applyEdit'];
  /** for tests and measurements: the live model behind the views */
  live: LiveModel;
  activationMs: number;
}

export function activate(context: vscode.ExtensionContext): NetnsLabApi {
  const t0 = performance.now();
  const session = new HelperSession(context.extensionPath);
  const diagnostics = new TopologyDiagnostics();
  const plans = new PlanDocuments();
  const live = new LiveModel(session);
  context.subscriptions.push(session, diagnostics, live, vscode.workspace.registerTextDocumentContentProvider(PLAN_SCHEME, plans));
  const ref: { provider?: TopologyEditorProvider } = {};
  const commands = registerCommands({ context, session, diagnostics, plans, provider: () => ref.provider!, hold: (fn) => live.hold(fn) });
  const provider = ref.provider = TopologyEditorProvider.register(context, {
    runCommand: (c, uri, node) => (c === 'openTerminal' ? Promise.resolve(void vscode.commands.executeCommand('netnsLab.openTerminal', node)) : commands.run(c, uri, node)),
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
  registerViews(context, session, live);
  registerTerminals(context, live);
  registerInstallHelper(context);
  registerImportLive(context, session);
  registerDiagnose(context, session, live, (arg) => commands.targetDocument(arg));
  return { applyGesture: (doc, g) => provider.applyEdit(doc, g), live, activationMs: performance.now() - t0 };
}

export function deactivate(): void {}
