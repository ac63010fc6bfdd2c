/**
 * The commands on a topology file that change nothing on the machine: Validate (the file, and
 * what Apply would refuse here when the helper already runs), Export as Script, Export Image,
 * Open as Text, Open Canvas.
 */
import { chmod } from 'node:fs/promises';
import * as path from 'node:path';
import * as vscode from 'vscode';
import { readHostDns, scriptFor } from '../engine/engine.js';
import { showRefusal } from './refusal.js';
import type { CommandDeps, Handlers } from './command-deps.js';
import { VIEW_TYPE } from './editor.js';
import { baseName, writeBeside, writeImage } from './files.js';
import { showProblems } from './target.js';

/** Validate, the exports and the two ways of opening a topology, by command id */
export function fileCommands(deps: CommandDeps): Handlers {
  const { diagnostics, targets } = deps;

  async function validate(arg?: unknown): Promise<void> {
    const doc = await targets.document(arg);
    if (!doc) return;
    const ds = diagnostics.update(doc);
    const e = ds.filter((d) => d.severity === 'error').length;
    if (e) {
      showProblems(`${baseName(doc.uri)}: ${e} error(s), ${ds.length - e} warning(s)`);
      return;
    }
    const t = deps.analyses.of(doc).topology!;
    // what Apply would refuse on this machine (names taken by objects it does not own), as Apply checks it
    const machine = await deps.machinePlan?.(t).catch(() => undefined);
    const warned = ds.length ? ` (${ds.length} warning(s))` : '';
    if (machine?.errors.length) {
      void showRefusal(`${baseName(doc.uri)} is valid as a file${warned}, but Apply would be refused on this machine: ${machine.errors.map((x) => x.message).join('; ')}`);
    } else {
      void vscode.window.showInformationMessage(`${baseName(doc.uri)} is valid${warned}${machine ? '; no clash with objects on this machine.' : '; not checked against the machine (the helper is not running: Show Plan checks it).'}`);
    }
  }

  async function exportScript(arg?: unknown): Promise<void> {
    const it = await targets.topology(arg);
    if (!it) return;
    const { doc, t } = it;
    const text = scriptFor(t, await readHostDns());
    const target = await writeBeside(doc.uri, 'sh', new TextEncoder().encode(text));
    if (!target) return;
    // a script is run: make it executable for everyone who may read it (0755), where it is a file
    if (target.scheme === 'file') await chmod(target.fsPath, 0o755);
    await vscode.window.showTextDocument(target, { preview: true, viewColumn: vscode.ViewColumn.Beside });
    void vscode.window.showInformationMessage(`Exported ${vscode.workspace.asRelativePath(target)}${target.scheme === 'file' ? ' (executable)' : ''}: it builds '${t.name}' from scratch; run it as root (sudo ./${path.posix.basename(target.path)}).`);
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

  async function openAsText(arg?: unknown): Promise<void> {
    const doc = await targets.document(arg);
    if (doc) await vscode.commands.executeCommand('vscode.openWith', doc.uri, 'default', vscode.ViewColumn.Beside);
  }

  async function openCanvas(arg?: unknown): Promise<void> {
    const doc = await targets.document(arg);
    if (doc) await vscode.commands.executeCommand('vscode.openWith', doc.uri, VIEW_TYPE);
  }

  return {
    'netnsLab.validate': validate, 'netnsLab.exportScript': exportScript, 'netnsLab.exportImage': exportImage,
    'netnsLab.openAsText': openAsText, 'netnsLab.openCanvas': openCanvas,
  };
}
