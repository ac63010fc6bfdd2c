/**
 * Netns: Record Lab Tests: the live reachability matrix of the applied topology (the helper's
 * ping, fping per source) written into the file as `reach` expectations (every pair that
 * answers ok:true, every pair that does not ok:false), as one edit of the document: the person
 * sees it in the file (and in the canvas), and one undo takes it back. Pairs the file already
 * tests are not written again.
 */
import * as vscode from 'vscode';
import { recordEdit } from '../core/edit/expect-edit.js';
import { recordExpectations } from '../core/diagnose/expect-record.js';
import type { HelperApi } from '../engine/helper-client.js';
import type { TopologyAnalyses } from './documents.js';
import { notRunning } from './lab-tests-run.js';
import type { Targets } from './target.js';

export function registerRecord(context: vscode.ExtensionContext, api: HelperApi, analyses: TopologyAnalyses, targets: Targets): void {
  context.subscriptions.push(vscode.commands.registerCommand('netnsLab.recordLabTests', async (arg?: unknown) => {
    const d = await targets.topology(arg);
    if (!d) return undefined;
    const { doc, t } = d;
    return vscode.window.withProgress({ location: vscode.ProgressLocation.Notification, title: `Netns: recording the reachability of '${t.name}'` }, async (progress) => {
      try {
        const why = await notRunning(api, t);
        if (why) { void vscode.window.showErrorMessage(why); return undefined; }
        let last = 0;
        const r = await api.ping({ topology: t, outside: [] }, (p) => {
          if (p.total) { progress.report({ increment: ((p.done - last) / p.total) * 100, message: `${p.done}/${p.total}` }); last = p.done; }
        });
        const recorded = recordExpectations(r.results);
        // the document as it is now (it may have changed while the probes ran)
        const a = analyses.of(doc);
        if (!a.topology) { void vscode.window.showErrorMessage('The file has errors now: nothing was recorded.'); return undefined; }
        const change = recordEdit(a.parsed, a.topology.expect ?? [], recorded);
        if (!change) { void vscode.window.showInformationMessage(`'${t.name}': the file already tests all ${recorded.length} pairs.`); return 0; }
        const edit = new vscode.WorkspaceEdit();
        edit.replace(doc.uri, new vscode.Range(doc.positionAt(change.edit.offset), doc.positionAt(change.edit.offset + change.edit.length)), change.edit.text);
        if (!await vscode.workspace.applyEdit(edit)) { void vscode.window.showErrorMessage('The file could not be edited.'); return undefined; }
        const ok = change.added.filter((e) => e.kind === 'reach' && e.ok).length;
        void vscode.window.showInformationMessage(`Recorded ${change.added.length} lab test(s) into ${vscode.workspace.asRelativePath(doc.uri)}: ${ok} reach, ${change.added.length - ok} must not reach (Undo takes them back).`);
        return change.added.length;
      } catch (e) {
        void vscode.window.showErrorMessage(`Record Lab Tests failed: ${(e as Error).message}`);
        return undefined;
      }
    });
  }));
}
