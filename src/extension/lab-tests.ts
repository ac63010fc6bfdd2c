/**
 * Lab tests in VS Code's Test Explorer: every *.netns.json of the workspace (and every open
 * one) is a test item, each entry of its `expect` array a child named from its content, with
 * its range in the file (so the text editor's gutter shows run buttons and results). Items
 * follow the document as it is edited (the analysis cache, one parse per version) and the files
 * on disk (a file watcher). Running them: lab-tests-run.ts.
 */
import * as vscode from 'vscode';
import { expectMemberSpan, expectSpans, expectationKey } from '../core/edit/expect-edit.js';
import { expectationName } from '../core/model/expect.js';
import { lineCol } from '../core/model/json.js';
import type { Expectation } from '../core/model/model.js';
import type { Analysis } from './analysis.js';
import { TOPOLOGY_SUFFIX, isTopology } from './diagnostics.js';
import type { TopologyAnalyses } from './documents.js';

export const TEST_CONTROLLER_ID = 'netnsLab.labTests';

/** what a test item stands for: a file, or the entry expect[index] of it */
export interface ItemData { uri: vscode.Uri; index?: number }

/** the items' ids of a list of expectations: its content (a title does not change what runs), numbered when repeated */
export function expectationIds(file: string, list: readonly Expectation[]): string[] {
  const seen = new Map<string, number>();
  return list.map((e) => {
    const k = expectationKey(e);
    const n = seen.get(k) ?? 0;
    seen.set(k, n + 1);
    return `${file}#${k}${n ? `~${n}` : ''}`;
  });
}

const rangeOf = (text: string, offset: number, length: number): vscode.Range => {
  const a = lineCol(text, offset);
  const b = lineCol(text, offset + length);
  return new vscode.Range(a.line - 1, a.column - 1, b.line - 1, b.column - 1);
};

export class LabTestItems implements vscode.Disposable {
  readonly data = new WeakMap<vscode.TestItem, ItemData>();
  private readonly subs: vscode.Disposable[] = [];
  private readonly timers = new Map<string, ReturnType<typeof setTimeout>>();
  private discovered = false;

  constructor(readonly ctrl: vscode.TestController, private readonly analyses: TopologyAnalyses) {
    const watcher = vscode.workspace.createFileSystemWatcher(`**/*${TOPOLOGY_SUFFIX}`);
    this.subs.push(
      watcher,
      watcher.onDidCreate((u) => void this.refreshFile(u)),
      watcher.onDidChange((u) => { if (!this.openDoc(u)) void this.refreshFile(u); }),
      watcher.onDidDelete((u) => this.ctrl.items.delete(u.toString())),
      vscode.workspace.onDidOpenTextDocument((d) => { if (isTopology(d)) this.refreshDoc(d); }),
      vscode.workspace.onDidChangeTextDocument((e) => { if (isTopology(e.document)) this.schedule(e.document); }),
    );
  }

  private openDoc(u: vscode.Uri): vscode.TextDocument | undefined {
    return vscode.workspace.textDocuments.find((d) => d.uri.toString() === u.toString());
  }

  /** every topology of the workspace and every open one (once; later changes arrive as events) */
  async discover(again = false): Promise<void> {
    if (this.discovered && !again) return;
    this.discovered = true;
    for (const d of vscode.workspace.textDocuments) if (isTopology(d)) this.refreshDoc(d);
    const files = await vscode.workspace.findFiles(`**/*${TOPOLOGY_SUFFIX}`, '**/node_modules/**', 500);
    await Promise.all(files.filter((u) => !this.openDoc(u)).map((u) => this.refreshFile(u)));
  }

  /** a keystroke: the items follow a moment later (one analysis per version, shared with the Problems panel) */
  private schedule(doc: vscode.TextDocument): void {
    const key = doc.uri.toString();
    clearTimeout(this.timers.get(key));
    this.timers.set(key, setTimeout(() => { this.timers.delete(key); if (!doc.isClosed) this.refreshDoc(doc); }, 250));
  }

  refreshDoc(doc: vscode.TextDocument): void {
    this.update(doc.uri, this.analyses.of(doc));
  }

  private async refreshFile(uri: vscode.Uri): Promise<void> {
    try {
      const text = new TextDecoder().decode(await vscode.workspace.fs.readFile(uri));
      this.update(uri, this.analyses.ofFile(uri, text));
    } catch { this.ctrl.items.delete(uri.toString()); }
  }

  /** the file's item and one child per expectation; a file without tests has no item */
  private update(uri: vscode.Uri, a: Analysis): void {
    const id = uri.toString();
    const list = a.topology?.expect ?? [];
    if (!list.length) {
      // a file being edited into shape keeps its items until it parses again
      if (a.topology || !this.ctrl.items.get(id)) this.ctrl.items.delete(id);
      return;
    }
    const text = a.parsed.text;
    let file = this.ctrl.items.get(id);
    if (!file) {
      file = this.ctrl.createTestItem(id, a.topology!.name, uri);
      this.ctrl.items.add(file);
    }
    file.label = a.topology!.name;
    file.description = vscode.workspace.asRelativePath(uri);
    // the file's own run button at its "expect" key
    const member = expectMemberSpan(a.parsed);
    file.range = member ? rangeOf(text, member.offset, 0) : new vscode.Range(0, 0, 0, 0);
    this.data.set(file, { uri });
    const spans = expectSpans(a.parsed);
    const ids = expectationIds(id, list);
    const children: vscode.TestItem[] = [];
    list.forEach((e, index) => {
      const child = file!.children.get(ids[index]!) ?? this.ctrl.createTestItem(ids[index]!, expectationName(e), uri);
      child.label = expectationName(e);
      const span = spans[index];
      if (span) child.range = rangeOf(text, span.offset, span.length);
      this.data.set(child, { uri, index });
      children.push(child);
    });
    file.children.replace(children);
  }

  /** the expectations of a run: the items asked for (a file: all of its own), by file, without the excluded ones */
  collect(include: readonly vscode.TestItem[] | undefined, exclude: readonly vscode.TestItem[] = []): Map<string, { uri: vscode.Uri; items: vscode.TestItem[] }> {
    const out = new Map<string, { uri: vscode.Uri; items: vscode.TestItem[] }>();
    const skip = new Set(exclude.map((x) => x.id));
    const add = (item: vscode.TestItem) => {
      if (skip.has(item.id)) return;
      const d = this.data.get(item);
      if (!d) return;
      if (d.index === undefined) { item.children.forEach(add); return; }
      const key = d.uri.toString();
      const g = out.get(key) ?? { uri: d.uri, items: [] };
      if (!g.items.includes(item)) g.items.push(item);
      out.set(key, g);
    };
    if (include) include.forEach(add); else this.ctrl.items.forEach(add);
    return out;
  }

  dispose(): void {
    for (const t of this.timers.values()) clearTimeout(t);
    for (const s of this.subs) s.dispose();
  }
}
