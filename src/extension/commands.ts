/**
 * The Netns commands. One handler per command; each takes an optional document URI (editor
 * title, canvas) and falls back to the active topology editor, then to a quick pick (target.ts).
 */
import * as vscode from 'vscode';
import type { Topology } from '../core/model.js';
import { renderScript } from '../core/render.js';
import { confirmationText, hostWideBlock, hostWideSteps } from '../core/host-routes.js';
import { applyTopology, destroyTopology, planTopology, readHostDns, scriptFor, type PlanWithDigest } from '../engine/engine.js';
import { HelperFailure } from '../engine/helper-client.js';
import { CANVAS_ACTIONS, type CanvasActionName } from '../shared/canvas-commands.js';
import { userValue } from './user-setting.js';
import { TOPOLOGY_SUFFIX, type TopologyDiagnostics } from './diagnostics.js';
import type { TopologyAnalyses } from './documents.js';
import { VIEW_TYPE, type TopologyEditorProvider } from './editor.js';
import { baseName, writeBeside, writeImage } from './files.js';
import type { HelperSession } from './helper-session.js';
import { showProblems, type Targets } from './target.js';

export const PLAN_SCHEME = 'netns-lab-plan';

export const NEW_TOPOLOGY = `{
  "version": 1,
  "name": "lab",
  "namespaces": [],
  "bridges": [],
  "links": []
}
`;

/** read-only documents showing plans */
export class PlanDocuments implements vscode.TextDocumentContentProvider {
  private readonly texts = new Map<string, string>();
  private readonly emitter = new vscode.EventEmitter<vscode.Uri>();
  readonly onDidChange = this.emitter.event;
  set(uri: vscode.Uri, text: string): void { this.texts.set(uri.toString(), text); this.emitter.fire(uri); }
  provideTextDocumentContent(uri: vscode.Uri): string { return this.texts.get(uri.toString()) ?? ''; }
}

export interface CommandDeps {
  context: vscode.ExtensionContext;
  session: HelperSession;
  provider: TopologyEditorProvider;
  analyses: TopologyAnalyses;
  diagnostics: TopologyDiagnostics;
  targets: Targets;
  plans: PlanDocuments;
  /** runs an apply or destroy while the live model only collects events (see LiveModel.hold) */
  hold?: <T>(fn: () => Promise<T>) => Promise<T>;
}

function helperMessage(e: unknown): string {
  if (e instanceof HelperFailure) {
    const x = e.error;
    if (x.argv && x.kernel) return `${x.message}`;
    return x.message;
  }
  return (e as Error).message;
}

export function registerCommands(deps: CommandDeps): void {
  const { context, session, diagnostics, plans, targets } = deps;
  const held = <T>(fn: () => Promise<T>): Promise<T> => (deps.hold ? deps.hold(fn) : fn());

  function requireTrust(what: string): boolean {
    if (vscode.workspace.isTrusted) return true;
    void vscode.window.showErrorMessage(`${what} changes this machine's network and is disabled in an untrusted workspace. Trust the workspace to use it.`, 'Manage Workspace Trust')
      .then((a) => { if (a) void vscode.commands.executeCommand('workbench.trust.manage'); });
    return false;
  }

  async function plan(t: Topology): Promise<PlanWithDigest> {
    return vscode.window.withProgress({ location: vscode.ProgressLocation.Window, title: `Netns: planning '${t.name}'` },
      () => planTopology(session.api, t));
  }

  async function showPlan(arg?: unknown): Promise<void> {
    const it = await targets.topology(arg);
    if (!it) return;
    const { doc, t } = it;
    const p = await plan(t);
    const head = [
      `# Plan for '${t.name}' (${doc.uri.scheme === 'file' ? vscode.workspace.asRelativePath(doc.uri) : doc.uri.path}): ${p.steps.length} step(s), dry run, nothing was changed`,
      ...p.errors.map((e) => `# ERROR ${e.code}: ${e.message}`),
      ...(p.steps.length ? [] : ['# The network is in sync with the file: apply has nothing to do.']),
      ...hostWideBlock(hostWideSteps(p.steps)).split('\n').filter((l) => l && l !== '# all steps, in order:'),
    ].join('\n');
    const body = p.steps.length ? renderScript(p.steps, `the commands 'Netns: Apply' would run now for '${t.name}'`) : '';
    const uri = vscode.Uri.from({ scheme: PLAN_SCHEME, path: `/${t.name}.plan.sh` });
    plans.set(uri, `${head}\n${body}`);
    const shown = await vscode.workspace.openTextDocument(uri);
    await vscode.languages.setTextDocumentLanguage(shown, 'shellscript');
    await vscode.window.showTextDocument(shown, { preview: true, viewColumn: vscode.ViewColumn.Beside });
  }

  async function apply(arg?: unknown): Promise<void> {
    if (!requireTrust('Apply')) return;
    const it = await targets.topology(arg);
    if (!it) return;
    const { doc, t } = it;
    const p = await plan(t);
    if (p.errors.length) {
      void vscode.window.showErrorMessage(`Apply refused, nothing was changed: ${p.errors.map((e) => e.message).join('; ')}`);
      return;
    }
    if (!p.steps.length) {
      void vscode.window.showInformationMessage(`'${t.name}' is in sync with the file: nothing to do.`);
      return;
    }
    if (userValue(vscode.workspace.getConfiguration('netnsLab').inspect<boolean>('confirmApply'), true)) {
      // every host-wide step (host routes, ip_forward, jumps in built-in chains) whatever its position, then the first steps
      const detail = confirmationText(p.steps, 12);
      const ok = await vscode.window.showWarningMessage(`Apply ${p.steps.length} change(s) of '${t.name}' to this machine's network?`, { modal: true, detail }, 'Apply');
      if (ok !== 'Apply') return;
    }
    await vscode.window.withProgress({ location: vscode.ProgressLocation.Notification, title: `Netns: applying '${t.name}'`, cancellable: true }, async (progress, token) => {
      if (token.isCancellationRequested) return;
      let last = 0;
      try {
        const r = await held(() => applyTopology(session.api, t, (ev) => {
          if (!ev.total) { progress.report({ message: ev.message }); return; }
          progress.report({ increment: ((ev.done - last) / ev.total) * 100, message: `step ${ev.done} of ${ev.total}: ${ev.message}` });
          last = ev.done;
        }, { steps: p.steps.length, digest: p.digest }));
        const note = r.remaining.length ? ` — not converged: ${r.remaining.slice(0, 3).join('; ')}` : '';
        void vscode.window.showInformationMessage(`Applied '${t.name}': ${r.steps} step(s) in ${(r.durationMs / 1000).toFixed(2)} s${note}`);
      } catch (e) {
        void vscode.window.showErrorMessage(`Apply of '${t.name}' failed: ${helperMessage(e)}`, 'Show Plan').then((a) => { if (a) void showPlan(doc.uri); });
      }
    });
  }

  async function destroy(arg?: unknown): Promise<void> {
    if (!requireTrust('Destroy')) return;
    const doc = await targets.document(arg);
    if (!doc) return;
    const name = deps.analyses.of(doc).topology?.name ?? (() => { try { return String((JSON.parse(doc.getText()) as { name?: unknown }).name ?? ''); } catch { return ''; } })();
    if (!name) { void vscode.window.showErrorMessage('The topology has no valid name; nothing to destroy.'); return; }
    const ok = await vscode.window.showWarningMessage(`Destroy everything topology '${name}' owns on this machine?`,
      { modal: true, detail: 'Its namespaces, bridges, veth links, firewall chains and resolv.conf files are removed, and ip_forward is restored. Objects it does not own are never touched.' }, 'Destroy');
    if (ok !== 'Destroy') return;
    await vscode.window.withProgress({ location: vscode.ProgressLocation.Notification, title: `Netns: destroying '${name}'`, cancellable: false }, async (progress) => {
      let last = 0;
      try {
        const res = await held(() => destroyTopology(session.api, name, (ev) => {
          if (ev.total) { progress.report({ increment: ((ev.done - last) / ev.total) * 100, message: `step ${ev.done} of ${ev.total}` }); last = ev.done; }
        }));
        void vscode.window.showInformationMessage(`Destroyed '${name}': ${res.steps} step(s) in ${(res.durationMs / 1000).toFixed(2)} s`);
      } catch (e) {
        void vscode.window.showErrorMessage(`Destroy of '${name}' failed: ${helperMessage(e)}`);
      }
    });
  }

  async function validate(arg?: unknown): Promise<void> {
    const doc = await targets.document(arg);
    if (!doc) return;
    const ds = diagnostics.update(doc);
    const e = ds.filter((d) => d.severity === 'error').length;
    if (e) {
      showProblems(`${baseName(doc.uri)}: ${e} error(s), ${ds.length - e} warning(s)`);
    } else {
      void vscode.window.showInformationMessage(`${baseName(doc.uri)} is valid${ds.length ? ` (${ds.length} warning(s))` : ''}.`);
    }
  }

  async function exportScript(arg?: unknown): Promise<void> {
    const it = await targets.topology(arg);
    if (!it) return;
    const { doc, t } = it;
    const text = scriptFor(t, await readHostDns());
    const target = await writeBeside(doc.uri, 'sh', new TextEncoder().encode(text));
    if (target) await vscode.window.showTextDocument(target, { preview: true, viewColumn: vscode.ViewColumn.Beside });
  }

  async function exportImage(arg?: unknown, format?: unknown): Promise<void> {
    const doc = await targets.document(arg);
    if (!doc) return;
    const f = format === 'png' || format === 'svg' ? format
      : (await vscode.window.showQuickPick([{ label: 'PNG', f: 'png' as const }, { label: 'SVG', f: 'svg' as const }], { placeHolder: 'Export the drawing as' }))?.f;
    if (!f) return;
    try {
      const data = await deps.provider.requestImage(doc.uri, f);
      await writeImage(doc.uri, f, data);
    } catch (e) {
      void vscode.window.showErrorMessage(`Export failed: ${(e as Error).message}`);
    }
  }

  async function newTopology(): Promise<void> {
    const folder = vscode.workspace.workspaceFolders?.[0]?.uri;
    let n = 1;
    const names = new Set(vscode.workspace.textDocuments.map((d) => d.uri.path));
    while (names.has(`${folder?.path ?? ''}/lab-${n}${TOPOLOGY_SUFFIX}`)) n++;
    const uri = vscode.Uri.from({ scheme: 'untitled', path: `${folder?.path ?? ''}/lab-${n}${TOPOLOGY_SUFFIX}` });
    const doc = await vscode.workspace.openTextDocument(uri);
    const we = new vscode.WorkspaceEdit();
    we.insert(doc.uri, new vscode.Position(0, 0), NEW_TOPOLOGY);
    await vscode.workspace.applyEdit(we);
    await vscode.commands.executeCommand('vscode.openWith', doc.uri, VIEW_TYPE);
  }

  async function openAsText(arg?: unknown): Promise<void> {
    const doc = await targets.document(arg);
    if (doc) await vscode.commands.executeCommand('vscode.openWith', doc.uri, 'default', vscode.ViewColumn.Beside);
  }

  async function openCanvas(arg?: unknown): Promise<void> {
    const doc = await targets.document(arg);
    if (doc) await vscode.commands.executeCommand('vscode.openWith', doc.uri, VIEW_TYPE);
  }

  const handlers: Record<string, (arg?: unknown, extra?: unknown) => Promise<void>> = {
    'netnsLab.newTopology': newTopology,
    'netnsLab.validate': validate,
    'netnsLab.showPlan': showPlan,
    'netnsLab.apply': apply,
    'netnsLab.destroy': destroy,
    'netnsLab.exportScript': exportScript,
    'netnsLab.exportImage': exportImage,
    'netnsLab.openAsText': openAsText,
    'netnsLab.openCanvas': openCanvas,
  };
  // the canvas actions (shared/canvas-commands.ts) go to the active canvas
  for (const [action, id] of Object.entries(CANVAS_ACTIONS)) if (id) handlers[id] = async () => deps.provider.action(action as CanvasActionName);
  for (const [id, fn] of Object.entries(handlers)) context.subscriptions.push(vscode.commands.registerCommand(id, fn));

}
