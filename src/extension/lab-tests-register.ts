/**
 * The lab tests' part of the implementation: the Test Explorer's items (lab-tests.ts), running
 * them (lab-tests-run.ts), Record (lab-tests-record.ts) and the fix in the file
 * (lab-tests-fix.ts). The TestController itself is made by the activation shell (extension.ts),
 * so the Testing view knows it before any of this is loaded.
 */
import * as vscode from 'vscode';
import type { TestResult } from '../core/model/expect.js';
import type { Topology } from '../core/model/model.js';
import type { HelperApi } from '../engine/helper-client.js';
import type { TopologyAnalyses } from './documents.js';
import { LabTestItems } from './lab-tests.js';
import { registerFixCommand, type LabTestFixes } from './lab-tests-fix.js';
import { registerRecord } from './lab-tests-record.js';
import { runLabTestRequest, type Outcome } from './lab-tests-run.js';
import type { Targets } from './target.js';

export interface LabTests {
  items: LabTestItems;
  resolve(item?: vscode.TestItem): Promise<void>;
  /** every file looked at again (the Testing view's refresh) */
  refresh(): Promise<void>;
  run(request: vscode.TestRunRequest, token: vscode.CancellationToken): Promise<void>;
  /** for tests: the results of the last run of each file */
  readonly last: Map<string, TestResult[]>;
  /** for tests: each item's last outcome as shown, by item id */
  readonly outcomes: Map<string, Outcome>;
}

export function registerLabTests(context: vscode.ExtensionContext, ctrl: vscode.TestController, api: HelperApi, analyses: TopologyAnalyses, targets: Targets,
  onResults?: (uri: vscode.Uri, t: Topology, results: TestResult[]) => void): LabTests {
  const items = new LabTestItems(ctrl, analyses);
  const fixes: LabTestFixes = new Map();
  const last = new Map<string, TestResult[]>();
  const outcomes = new Map<string, Outcome>();
  context.subscriptions.push(items);
  registerRecord(context, api, analyses, targets);
  registerFixCommand(context, analyses, fixes);
  const run = (request: vscode.TestRunRequest, token: vscode.CancellationToken) => runLabTestRequest({
    items, analyses, api, fixes,
    onResults: (uri, t, results) => { last.set(uri.toString(), results); onResults?.(uri, t, results); },
    onOutcome: (id, o) => outcomes.set(id, o),
  }, request, token);
  // the tests of the file in the active editor (a palette command, beside the Testing view's own)
  context.subscriptions.push(vscode.commands.registerCommand('netnsLab.runLabTests', async (arg?: unknown) => {
    const doc = await targets.document(arg);
    if (!doc) return;
    items.refreshDoc(doc);
    const file = ctrl.items.get(doc.uri.toString());
    if (!file) { void vscode.window.showInformationMessage(`${vscode.workspace.asRelativePath(doc.uri)} has no lab tests (an "expect" array): Netns: Record Lab Tests writes them from the running lab.`); return; }
    const source = new vscode.CancellationTokenSource();
    try { await run(new vscode.TestRunRequest([file]), source.token); } finally { source.dispose(); }
    void vscode.commands.executeCommand('workbench.view.testing.focus');
  }));
  return {
    items, last, outcomes, run,
    resolve: async (item) => { if (!item) await items.discover(); },
    refresh: () => items.discover(true),
  };
}
