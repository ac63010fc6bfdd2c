/**
 * "Open as Netns Lab Topology" for other tools' labs: a containerlab *.clab.yml, or a Kathará lab
 * (its lab.conf or its folder). Writes NAME.netns.json beside it, opens the canvas, and shows the
 * import report beside it (each line a link to its source line) and as Problems on the sources.
 */
import * as vscode from 'vscode';
import { basename, dirname, join } from 'node:path';
import type { ImportItem } from '../core/import/import-report.js';
import { importLab, topologyText, type LabFormat } from '../engine/import-lab.js';
import { VIEW_TYPE } from './ids.js';

export const OPEN_LAB_COMMAND = 'netnsLab.openLabAsTopology';
const REPORT_SCHEME = 'netns-lab-import-report';

/** which lab an explorer/editor URI names: a *.clab.yml, a lab.conf, or a folder with a lab.conf */
export async function labOf(uri: vscode.Uri): Promise<{ from: LabFormat; path: string } | undefined> {
  const p = uri.fsPath;
  if (/\.clab\.ya?ml$/.test(p)) return { from: 'clab', path: p };
  if (basename(p) === 'lab.conf') return { from: 'kathara', path: dirname(p) };
  const stat = await vscode.workspace.fs.stat(uri).then((s) => s, () => undefined);
  if (stat && stat.type & vscode.FileType.Directory) {
    const conf = await vscode.workspace.fs.stat(vscode.Uri.joinPath(uri, 'lab.conf')).then(() => true, () => false);
    if (conf) return { from: 'kathara', path: p };
  }
  return undefined;
}

function sourceOf(lab: { from: LabFormat; path: string }, item: ImportItem): string {
  if (lab.from === 'kathara') return join(lab.path, item.file ?? 'lab.conf');
  return item.file === 'annotations.json' ? `${lab.path}.annotations.json` : lab.path;
}

/** the report as markdown: one line per item, its place a file URI with the line (Ctrl+click opens it there) */
export function reportMarkdown(lab: { from: LabFormat; path: string }, items: readonly ImportItem[], summary: string): string {
  const lines = items.map((i) => {
    const src = sourceOf(lab, i);
    const place = `${basename(src)}${i.line !== undefined ? `:${i.line}` : ''}`;
    const link = `${vscode.Uri.file(src).toString()}${i.line !== undefined ? `#L${i.line}` : ''}`;
    return `- **${i.status}** [${place}](${link}) ${i.construct}: ${i.message}`;
  });
  return `# Import of ${basename(lab.path)}\n\n${summary}\n\n${lines.join('\n')}\n`;
}

class Reports implements vscode.TextDocumentContentProvider {
  private readonly texts = new Map<string, string>();
  private readonly emitter = new vscode.EventEmitter<vscode.Uri>();
  readonly onDidChange = this.emitter.event;
  set(uri: vscode.Uri, text: string): void { this.texts.set(uri.toString(), text); this.emitter.fire(uri); }
  provideTextDocumentContent(uri: vscode.Uri): string { return this.texts.get(uri.toString()) ?? ''; }
}

function diagnose(coll: vscode.DiagnosticCollection, lab: { from: LabFormat; path: string }, items: readonly ImportItem[]): void {
  const byFile = new Map<string, vscode.Diagnostic[]>();
  for (const i of items) {
    if (i.status === 'mapped') continue;
    const line = Math.max(0, (i.line ?? 1) - 1);
    const d = new vscode.Diagnostic(new vscode.Range(line, 0, line, 1000), `${i.construct}: ${i.message}`,
      i.status === 'refused' ? vscode.DiagnosticSeverity.Error : vscode.DiagnosticSeverity.Warning);
    d.source = 'netns-lab import';
    const f = sourceOf(lab, i);
    byFile.set(f, [...(byFile.get(f) ?? []), d]);
  }
  coll.clear();
  for (const [f, ds] of byFile) coll.set(vscode.Uri.file(f), ds);
}

async function exists(uri: vscode.Uri): Promise<boolean> {
  return vscode.workspace.fs.stat(uri).then(() => true, () => false);
}

export function registerImportLab(context: vscode.ExtensionContext): void {
  const reports = new Reports();
  const coll = vscode.languages.createDiagnosticCollection('netns-lab-import');
  context.subscriptions.push(coll, vscode.workspace.registerTextDocumentContentProvider(REPORT_SCHEME, reports));
  const run = async (arg?: vscode.Uri, opts: { stubUnsupported?: boolean; overwrite?: boolean } = {}): Promise<vscode.Uri | undefined> => {
    const uri = arg instanceof vscode.Uri ? arg : vscode.window.activeTextEditor?.document.uri;
    const lab = uri ? await labOf(uri) : undefined;
    if (!lab) { void vscode.window.showErrorMessage('Netns: open a containerlab *.clab.yml, a Kathará lab.conf, or a folder with a lab.conf'); return undefined; }
    const res = await importLab(lab.from, lab.path, { stubUnsupported: opts.stubUnsupported === true });
    const { report, outcome, topology } = res.result;
    const counts = (['mapped', 'reported', 'refused'] as const).map((s) => `${report.filter((r) => r.status === s).length} ${s}`).join(', ');
    const reportUri = vscode.Uri.from({ scheme: REPORT_SCHEME, path: `/${basename(lab.path)}.import-report.md` });
    reports.set(reportUri, reportMarkdown(lab, report, `${counts}: ${outcome === 'invalid' ? 'cannot import' : outcome === 'partial' ? 'a partial mapping: the reported constructs are not in the topology' : 'a full mapping'}.`));
    diagnose(coll, lab, report);
    if (outcome === 'invalid' || !topology || !res.defaultOut) {
      const vendor = report.some((r) => r.status === 'refused' && /--stub-unsupported/.test(r.message));
      await vscode.window.showTextDocument(reportUri, { viewColumn: vscode.ViewColumn.Beside, preview: true });
      const pick = await vscode.window.showErrorMessage(`Netns: cannot import ${basename(lab.path)}: ${counts}. See the report and Problems.`, ...(vendor ? ['Import With Stub Namespaces'] : []));
      return pick ? run(uri, { ...opts, stubUnsupported: true }) : undefined;
    }
    const target = vscode.Uri.file(res.defaultOut);
    if (!opts.overwrite && await exists(target)) {
      const ok = await vscode.window.showWarningMessage(`${basename(res.defaultOut)} exists. Replace it with the import of ${basename(lab.path)}?`, { modal: true }, 'Replace');
      if (ok !== 'Replace') return undefined;
    }
    await vscode.workspace.fs.writeFile(target, Buffer.from(topologyText(topology)));
    await vscode.commands.executeCommand('vscode.openWith', target, VIEW_TYPE);
    await vscode.window.showTextDocument(reportUri, { viewColumn: vscode.ViewColumn.Beside, preview: true, preserveFocus: true });
    if (outcome === 'partial') void vscode.window.showWarningMessage(`Netns: ${basename(res.defaultOut)} written; ${counts}: the reported constructs are not in the topology (see the report).`);
    return target;
  };
  context.subscriptions.push(vscode.commands.registerCommand(OPEN_LAB_COMMAND, (arg?: vscode.Uri, opts?: { stubUnsupported?: boolean; overwrite?: boolean }) => run(arg, opts)));
}
