/**
 * The analysis cache (analysis.ts) over VS Code's documents: one analysis per (document,
 * version) for the canvas, the Problems panel, the commands and the live marks, and one per
 * file content for the Topologies view (which reads the files on disk).
 */
import * as vscode from 'vscode';
import { DocumentAnalysis, analyseText, type Analysis } from './analysis.js';

export class TopologyAnalyses implements vscode.Disposable {
  private readonly documents = new DocumentAnalysis(analyseText);
  private readonly files = new DocumentAnalysis(analyseText);
  private readonly sub = vscode.workspace.onDidCloseTextDocument((d) => this.documents.forget(d.uri.toString()));

  /** the analysis of the document's current version */
  of(doc: vscode.TextDocument): Analysis {
    // a document opened again starts again at version 1: a closed one is not cached
    if (doc.isClosed) return analyseText(doc.getText());
    return this.documents.get(doc.uri.toString(), doc.version, () => doc.getText());
  }

  /** the analysis of a file's text read from disk (cached while the text is the same) */
  ofFile(uri: vscode.Uri, text: string): Analysis {
    return this.files.get(uri.toString(), text, text);
  }

  /** forget the files not in this list (deleted since) */
  retainFiles(uris: readonly vscode.Uri[]): void {
    this.files.retain(new Set(uris.map((u) => u.toString())));
  }

  /** a canvas edit wrote `text`, already analysed: that is the document's new version */
  seed(doc: vscode.TextDocument, text: string, analysis: Analysis): void {
    if (!doc.isClosed && doc.getText() === text) this.documents.seed(doc.uri.toString(), doc.version, analysis);
  }

  /** how many analyses ran on open documents (for tests and measurements) */
  get count(): number { return this.documents.analyses; }

  dispose(): void { this.sub.dispose(); }
}
