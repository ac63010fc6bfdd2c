/** Problems-panel diagnostics for every open *.netns.json document (text or canvas). */
import * as vscode from 'vscode';
import type { Diagnostic } from '../core/model/diagnostics.js';
import type { TopologyAnalyses } from './documents.js';

export const TOPOLOGY_SUFFIX = '.netns.json';
export const isTopology = (d: vscode.TextDocument | vscode.Uri): boolean =>
  ('uri' in d ? d.uri : d).path.endsWith(TOPOLOGY_SUFFIX);

/** a diagnostic of the file, placed where doc (a TextDocument, or any text's positions) puts its offsets */
export function toVscode(doc: Pick<vscode.TextDocument, 'positionAt'>, d: Diagnostic, source = 'netns-lab'): vscode.Diagnostic {
  const start = doc.positionAt(d.offset ?? 0);
  const end = doc.positionAt((d.offset ?? 0) + Math.max(d.length ?? 0, 1));
  const v = new vscode.Diagnostic(new vscode.Range(start, end), d.message,
    d.severity === 'error' ? vscode.DiagnosticSeverity.Error : vscode.DiagnosticSeverity.Warning);
  v.source = source;
  v.code = d.code;
  return v;
}

export class TopologyDiagnostics implements vscode.Disposable {
  readonly collection = vscode.languages.createDiagnosticCollection('netns-lab');
  private readonly subs: vscode.Disposable[] = [];
  private readonly timers = new Map<string, ReturnType<typeof setTimeout>>();

  constructor(private readonly analyses: TopologyAnalyses) {
    this.subs.push(
      vscode.workspace.onDidOpenTextDocument((d) => this.update(d)),
      vscode.workspace.onDidChangeTextDocument((e) => this.schedule(e.document)),
      vscode.workspace.onDidCloseTextDocument((d) => this.forget(d.uri)),
      // a file saved elsewhere, moved or deleted: its old name keeps no problems
      vscode.workspace.onDidRenameFiles((e) => { for (const f of e.files) this.forget(f.oldUri); }),
      vscode.workspace.onDidDeleteFiles((e) => { for (const f of e.files) this.forget(f); }),
    );
    for (const d of vscode.workspace.textDocuments) this.update(d);
  }

  private schedule(doc: vscode.TextDocument): void {
    if (!isTopology(doc)) return;
    const k = doc.uri.toString();
    clearTimeout(this.timers.get(k));
    this.timers.set(k, setTimeout(() => { this.timers.delete(k); if (!doc.isClosed) this.update(doc); }, 150));
  }

  /** drop the problems of a closed, renamed or deleted file (or of everything under a folder), and a pending update */
  forget(uri: vscode.Uri): void {
    const prefix = `${uri.toString()}/`;
    for (const [k, t] of this.timers) if (k === uri.toString() || k.startsWith(prefix)) { clearTimeout(t); this.timers.delete(k); }
    this.collection.forEach((u) => { if (u.toString() === uri.toString() || u.toString().startsWith(prefix)) this.collection.delete(u); });
  }

  update(doc: vscode.TextDocument): Diagnostic[] {
    if (!isTopology(doc) || doc.isClosed) return [];
    const { diagnostics } = this.analyses.of(doc);
    this.collection.set(doc.uri, diagnostics.map((d) => toVscode(doc, d)));
    return diagnostics;
  }

  dispose(): void {
    for (const t of this.timers.values()) clearTimeout(t);
    this.collection.dispose();
    for (const s of this.subs) s.dispose();
  }
}
