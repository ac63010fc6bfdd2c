/**
 * Problems for services that exited (issue 16): an entry on the service's name in its topology
 * file, in a collection of its own ("netns-lab services"), so the file's own analysis and these
 * live findings are set and cleared independently. Read again whenever the services change.
 */
import * as vscode from 'vscode';
import { lineCol, locate } from '../core/model/json.js';
import { serviceProblems } from '../core/diagnose/service-status.js';
import { toVscode } from './diagnostics.js';
import type { TopologyAnalyses } from './documents.js';
import type { ServicesModel } from './services.js';

/** the position of a character offset in a text */
function positionAt(text: string, offset: number): vscode.Position {
  const p = lineCol(text, offset);
  return new vscode.Position(p.line - 1, p.column - 1);
}

export class ServiceProblems implements vscode.Disposable {
  readonly collection = vscode.languages.createDiagnosticCollection('netns-lab-services');
  private readonly sub: vscode.Disposable;

  constructor(private readonly services: ServicesModel, private readonly analyses: TopologyAnalyses) {
    this.sub = services.onDidChange(() => void this.update());
  }

  async update(): Promise<void> {
    const next = new Map<string, vscode.Diagnostic[]>();
    for (const t of this.services.all()) {
      const open = vscode.workspace.textDocuments.find((d) => d.uri.toString() === t.uri.toString());
      const a = open ? this.analyses.of(open) : this.analyses.ofFile(t.uri, new TextDecoder().decode(await vscode.workspace.fs.readFile(t.uri)));
      // located in the text as it is now (the services were read for the same topology)
      const found = a.topology ? serviceProblems(a.topology, t.services) : [];
      if (found.length) next.set(t.uri.toString(), locate(a.parsed, found).map((d) => toVscode({ positionAt: (o) => positionAt(a.parsed.text, o) }, d, 'netns-lab services')));
    }
    this.collection.forEach((uri) => { if (!next.has(uri.toString())) this.collection.delete(uri); });
    for (const [uri, ds] of next) this.collection.set(vscode.Uri.parse(uri), ds);
  }

  dispose(): void {
    this.sub.dispose();
    this.collection.dispose();
  }
}
