/**
 * What a command works on: the document it was given (a URI from an editor title or the
 * canvas, a node of the Topologies view), else the active topology editor, else a quick pick;
 * and, for the commands that plan, apply or probe, its topology without errors.
 */
import * as vscode from 'vscode';
import type { Topology } from '../core/model/model.js';
import type { Analysis } from './analysis.js';
import { TOPOLOGY_SUFFIX, isTopology, type TopologyDiagnostics } from './diagnostics.js';
import type { TopologyAnalyses } from './documents.js';
import type { TopologyEditorProvider } from './editor.js';
import { baseName } from './files.js';
import { VIEW_TYPE } from './ids.js';

/** a document and its valid topology */
export interface TargetTopology { doc: vscode.TextDocument; t: Topology; analysis: Analysis }

export interface Targets {
  /** the document a command is for (undefined: none open and none picked) */
  document(arg?: unknown): Promise<vscode.TextDocument | undefined>;
  /** the document and its topology; undefined after telling the person what is wrong with it */
  topology(arg?: unknown): Promise<TargetTopology | undefined>;
}

/** an error message with a button to the Problems panel */
export function showProblems(message: string): void {
  void vscode.window.showErrorMessage(message, 'Show Problems')
    .then((a) => { if (a) void vscode.commands.executeCommand('workbench.actions.view.problems'); });
}

/** the workspace's topologies to pick from: the open ones, else the files */
async function pickDocument(): Promise<vscode.TextDocument | undefined> {
  const open = vscode.workspace.textDocuments.filter((d) => isTopology(d));
  const files = open.length ? [] : await vscode.workspace.findFiles(`**/*${TOPOLOGY_SUFFIX}`, '**/node_modules/**', 200);
  const items = [...open.map((d) => d.uri), ...files].map((u) => ({ label: vscode.workspace.asRelativePath(u), uri: u }));
  if (!items.length) { void vscode.window.showInformationMessage('No *.netns.json topology is open. Use "Netns: New Topology" to start one.'); return undefined; }
  const pick = items.length === 1 ? items[0] : await vscode.window.showQuickPick(items, { placeHolder: 'Which topology?' });
  return pick ? vscode.workspace.openTextDocument(pick.uri) : undefined;
}

export function targets(provider: TopologyEditorProvider, analyses: TopologyAnalyses, diagnostics: TopologyDiagnostics): Targets {
  async function document(arg?: unknown): Promise<vscode.TextDocument | undefined> {
    if (arg instanceof vscode.Uri) return vscode.workspace.openTextDocument(arg);
    // a node of the Topologies view
    if (arg && typeof arg === 'object' && (arg as { uri?: unknown }).uri instanceof vscode.Uri) return vscode.workspace.openTextDocument((arg as { uri: vscode.Uri }).uri);
    const tab = vscode.window.tabGroups.activeTabGroup.activeTab?.input;
    if (tab instanceof vscode.TabInputCustom && tab.viewType === VIEW_TYPE) return vscode.workspace.openTextDocument(tab.uri);
    if (tab instanceof vscode.TabInputText && isTopology(tab.uri)) return vscode.workspace.openTextDocument(tab.uri);
    return provider.activeDocument() ?? pickDocument();
  }

  async function topology(arg?: unknown): Promise<TargetTopology | undefined> {
    const doc = await document(arg);
    if (!doc) return undefined;
    const analysis = analyses.of(doc);
    diagnostics.update(doc);
    if (analysis.valid) return { doc, t: analysis.topology!, analysis };
    const errors = analysis.diagnostics.filter((d) => d.severity === 'error');
    showProblems(`${baseName(doc.uri)}: ${errors.length} error(s) in the topology — ${errors[0]?.message ?? ''}`);
    return undefined;
  }

  return { document, topology };
}
