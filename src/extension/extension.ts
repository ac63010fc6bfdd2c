/**
 * Netns Lab in VS Code: the canvas editor for *.netns.json, the Netns commands, Problems
 * diagnostics, the live views, terminals inside namespaces, and one privileged helper per
 * window for everything that needs root.
 *
 * This file is the activation shell (dist/extension.cjs, a few kB): it registers every
 * contribution VS Code looks up by id (the commands, the three tree views, the canvas editor,
 * the namespace shell profile) and nothing else. The implementation (main.ts: zod, execa, the
 * planner, the views' trees) is dist/extension-main.cjs, required on the first use of any of
 * them. Activation used to load and run all of it: about 100 ms in code-server.
 */
import * as vscode from 'vscode';
import { EDITOR_OPTIONS, TERMINAL_PROFILE, TREE_VIEWS, VIEW_TYPE } from './ids.js';
import { offerLabImport, registerLabLens } from './import-lab-lens.js';
import type { TopologyEditorProvider } from './editor.js';
import type { LiveModel } from './live.js';
import type { Main } from './main.js';
import type { TreeViews } from './views/register.js';

export interface NetnsLabApi {
  /** for tests: apply a canvas gesture to a document as if the webview had sent it */
  applyGesture: TopologyEditorProvider['applyEdit'];
  /** for tests and measurements: the live model behind the views (loads the implementation) */
  readonly live: LiveModel;
  /** for tests: how many times an open document was analysed (once per version at most) */
  readonly analyses: number;
  /** for tests: the views' providers (loads the implementation) */
  readonly trees: Main['trees'];
  /** for tests: the services of applied topologies, and their followed logs (issue 16) */
  readonly services: Main['services'];
  readonly serviceLogs: Main['serviceLogs'];
  /** for tests: the lab tests' items and last results (loads the implementation) */
  readonly labTests: Main['labTests'];
  /** for tests: a recorded engine for the labs across hosts, and the answers to their questions (loads the implementation) */
  readonly multiHostTesting: Main['multiHostTesting'];
  activationMs: number;
}

/** a tree view's provider until the implementation is loaded, then a relay to its tree */
class TreeRelay implements vscode.TreeDataProvider<unknown> {
  private readonly emitter = new vscode.EventEmitter<unknown>();
  readonly onDidChangeTreeData = this.emitter.event;
  getParent?: (e: unknown) => vscode.ProviderResult<unknown>;

  constructor(private readonly tree: () => vscode.TreeDataProvider<unknown>, withParent: boolean) {
    if (withParent) this.getParent = (e) => this.tree().getParent?.(e);
  }

  connect(tree: vscode.TreeDataProvider<unknown>): vscode.Disposable | undefined {
    return tree.onDidChangeTreeData?.((e) => this.emitter.fire(e));
  }

  getChildren(e?: unknown): vscode.ProviderResult<unknown[]> { return this.tree().getChildren(e); }
  getTreeItem(e: unknown): vscode.TreeItem | Thenable<vscode.TreeItem> { return this.tree().getTreeItem(e); }
  dispose(): void { this.emitter.dispose(); }
}

export function activate(context: vscode.ExtensionContext): NetnsLabApi {
  const t0 = performance.now();
  let main: Main | undefined;
  const stubs: vscode.Disposable[] = [];
  const relays = {} as Record<keyof TreeViews, TreeRelay>;
  const views = {} as TreeViews;
  const load = (): Main => {
    if (main) return main;
    // the implementation registers the real commands under the same ids
    for (const s of stubs.splice(0)) s.dispose();
    // eslint-disable-next-line @typescript-eslint/no-require-imports -- the second bundle, loaded on first use
    const m = require('./extension-main.cjs') as typeof import('./main.js');
    main = m.start(context, views, tests);
    for (const k of Object.keys(relays) as (keyof TreeViews)[]) {
      const sub = relays[k].connect(main.trees[k]);
      if (sub) context.subscriptions.push(sub);
    }
    return main;
  };

  const tests = labTestController(context, () => load().labTests);
  const contributed = (context.extension.packageJSON as { contributes?: { commands?: { command: string }[] } }).contributes?.commands ?? [];
  for (const { command } of contributed) {
    stubs.push(vscode.commands.registerCommand(command, (...args: unknown[]) => { load(); return vscode.commands.executeCommand(command, ...args); }));
  }
  context.subscriptions.push({ dispose: () => { for (const s of stubs.splice(0)) s.dispose(); } });
  for (const k of Object.keys(TREE_VIEWS) as (keyof TreeViews)[]) {
    const relay = relays[k] = new TreeRelay(() => load().trees[k], k === 'namespaces');
    views[k] = vscode.window.createTreeView<unknown>(TREE_VIEWS[k], { treeDataProvider: relay, showCollapseAll: k !== 'topologies' });
    context.subscriptions.push(relay, views[k]);
  }
  context.subscriptions.push(
    vscode.window.registerCustomEditorProvider(VIEW_TYPE, {
      resolveCustomTextEditor: (doc, panel) => load().provider.resolveCustomTextEditor(doc, panel),
    }, EDITOR_OPTIONS),
    registerLabLens(),
    vscode.window.registerTerminalProfileProvider(TERMINAL_PROFILE, {
      provideTerminalProfile: (token) => load().terminalProfile.provideTerminalProfile(token),
    }),
    // `netns` tasks and `node` launch configurations with "netns" (run-in-ns.ts, tasks.ts)
    vscode.tasks.registerTaskProvider('netns', { provideTasks: () => [], resolveTask: (t) => load().runIn.task(t) }),
    vscode.debug.registerDebugConfigurationProvider('node', {
      resolveDebugConfiguration: (_f, c) => (c.netns === undefined ? c : load().runIn.debug(c)),
    }),
  );
  void offerLabImport(context);
  return {
    applyGesture: (doc, g, insist) => load().provider.applyEdit(doc, g, insist),
    get live() { return load().live; },
    get analyses() { return load().analyses.count; },
    get trees() { return load().trees; },
    get services() { return load().services; },
    get serviceLogs() { return load().serviceLogs; },
    get labTests() { return load().labTests; },
    get multiHostTesting() { return load().multiHostTesting; },
    activationMs: performance.now() - t0,
  };
}

/**
 * The Test Explorer's controller for lab tests (`expect` in *.netns.json): made here so the
 * Testing view lists it at once; discovering and running load the implementation. A topology
 * open as text loads it too, so its tests show in the gutter.
 */
function labTestController(context: vscode.ExtensionContext, impl: () => Main['labTests']): vscode.TestController {
  const ctrl = vscode.tests.createTestController('netnsLab.labTests', 'Netns Lab');
  ctrl.resolveHandler = (item) => impl().resolve(item);
  ctrl.refreshHandler = () => impl().refresh();
  ctrl.createRunProfile('Run lab tests', vscode.TestRunProfileKind.Run, (req, token) => impl().run(req, token), true);
  const textTopology = () => vscode.window.visibleTextEditors.some((e) => e.document.uri.path.endsWith('.netns.json'));
  const show = () => { if (textTopology()) void impl().resolve(); };
  context.subscriptions.push(ctrl, vscode.window.onDidChangeVisibleTextEditors(show));
  setTimeout(show, 0);
  return ctrl;
}

export function deactivate(): void {}
