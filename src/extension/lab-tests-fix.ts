/**
 * The doctor's fix of a failed reach, as an edit of the file (issue 18): the path walk named
 * where it breaks, core/path-fix.ts the change of the topology that mends it (a route, a
 * gateway, forwarding, a link kept down); here that change becomes a WorkspaceEdit that VS Code
 * shows in its refactor preview before it is applied (undo restores the file). Fixes of the live
 * state stay the doctor's (Diagnose) and apply's.
 */
import * as vscode from 'vscode';
import { applyGesture, minimalEdit } from '../core/edit/edits.js';
import type { Topology } from '../core/model/model.js';
import type { PathFix } from '../core/diagnose/path-fix.js';
import type { HelperApi } from '../engine/helper-client.js';
import { helperProbes, runLabTests } from '../engine/lab-tests.js';
import type { TopologyAnalyses } from './documents.js';

type FileFix = Extract<PathFix, { where: 'file' }>;
/** the last file fix of each failed test, by test id */
export type LabTestFixes = Map<string, { uri: vscode.Uri; fix: FileFix }>;

export function rememberFix(fixes: LabTestFixes, id: string, uri: vscode.Uri, fix: FileFix): void {
  fixes.set(id, { uri, fix });
}

/** the fix as one edit of the document as it is now; undefined (with the reason shown) when it no longer applies */
export function fixEdit(doc: vscode.TextDocument, analyses: TopologyAnalyses, fix: FileFix): vscode.WorkspaceEdit | undefined {
  const a = analyses.of(doc);
  if (!a.topology) { void vscode.window.showErrorMessage('The file has errors: fix them before applying the fix.'); return undefined; }
  let next: string;
  try { next = applyGesture(doc.getText(), a.topology, { kind: 'set', ...fix.change }); } catch (e) {
    void vscode.window.showErrorMessage(`The fix no longer applies: ${(e as Error).message}`);
    return undefined;
  }
  const e = minimalEdit(doc.getText(), next);
  if (!e) { void vscode.window.showInformationMessage('The file already has this change: apply it to the machine (Netns: Apply).'); return undefined; }
  const edit = new vscode.WorkspaceEdit();
  edit.replace(doc.uri, new vscode.Range(doc.positionAt(e.offset), doc.positionAt(e.offset + e.length)), e.text,
    { label: fix.summary, needsConfirmation: true, description: 'Netns Lab: the doctor followed the path' });
  return edit;
}

/** show the edit (refactor preview), and when it was applied, offer to apply the topology */
export async function applyFix(uri: vscode.Uri, analyses: TopologyAnalyses, fix: FileFix, preview = true): Promise<boolean> {
  const doc = await vscode.workspace.openTextDocument(uri);
  const edit = fixEdit(doc, analyses, fix);
  if (!edit) return false;
  if (!preview) {
    // the same change without the preview (tests; the metadata asks for a confirmation)
    const plain = new vscode.WorkspaceEdit();
    for (const [u, edits] of edit.entries()) for (const e of edits) plain.replace(u, e.range, e.newText);
    return vscode.workspace.applyEdit(plain);
  }
  const before = doc.version;
  const ok = await vscode.workspace.applyEdit(edit, { isRefactoring: true });
  if (!ok || doc.version === before) return false;
  void vscode.window.showInformationMessage(`${fix.summary}: the file changed. Apply it to the machine, then run the tests again.`, 'Apply')
    .then((a) => { if (a) void vscode.commands.executeCommand('netnsLab.apply', uri); });
  return true;
}

/** the command behind a failed test's "Fix in File" (testing/message/content): its argument is { test, message } */
export function registerFixCommand(context: vscode.ExtensionContext, analyses: TopologyAnalyses, fixes: LabTestFixes): void {
  context.subscriptions.push(vscode.commands.registerCommand('netnsLab.fixLabTest', async (arg?: { test?: vscode.TestItem }) => {
    const id = arg?.test?.id;
    const f = id ? fixes.get(id) : undefined;
    if (!f) { void vscode.window.showInformationMessage('No fix in the file is known for this test: run it again.'); return false; }
    return applyFix(f.uri, analyses, f.fix, (arg as { preview?: boolean }).preview !== false);
  }));
}

/** what Diagnose adds from the lab tests: each failed reach that must pass, where it breaks and its fix */
export interface PathFinding { test: string; finding: string; fix?: PathFix }

/** the file's reach tests run now (the others are the Test Explorer's); the failed ones with a finding */
export async function pathFindings(api: HelperApi, t: Topology): Promise<PathFinding[]> {
  const only = (t.expect ?? []).flatMap((e, i) => (e.kind === 'reach' && e.ok ? [i] : []));
  if (!only.length) return [];
  const results = await runLabTests(t, helperProbes(api), { only });
  return results.filter((r) => r.status === 'failed' && r.finding).map((r) => ({ test: r.name, finding: r.finding!, ...(r.fix ? { fix: r.fix } : {}) }));
}
