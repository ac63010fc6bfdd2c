/**
 * "Netns: Import Live Network": a topology of what runs now (all namespaces, or the chosen
 * ones), written into the workspace and opened on the canvas with an automatic layout;
 * optionally adopted, so that Apply and Destroy manage the imported objects.
 */
import * as vscode from 'vscode';
import { importLive } from '../core/import/importer.js';
import { topoNameProblem } from '../core/model/names.js';
import type { LiveState } from '../core/observe/observe.js';
import type { HelperSession } from './helper-session.js';
import { previewText } from '../core/import/adopt.js';

export function registerImportLive(context: vscode.ExtensionContext, session: HelperSession): void {
  context.subscriptions.push(vscode.commands.registerCommand('netnsLab.importLive', async () => {
    const folder = vscode.workspace.workspaceFolders?.[0]?.uri;
    if (!folder) { void vscode.window.showErrorMessage('Open a folder first: the imported topology is written into it.'); return; }
    let live: LiveState;
    try {
      live = await vscode.window.withProgress({ location: vscode.ProgressLocation.Window, title: 'Netns: reading the network' },
        () => session.api.observe({ forwarding: true }));
    } catch (e) { void vscode.window.showErrorMessage(`Cannot read the network: ${(e as Error).message}`); return; }
    if (!live.namespaces.length) { void vscode.window.showInformationMessage('There is no network namespace to import.'); return; }
    const picks = await vscode.window.showQuickPick(live.namespaces.map((n) => ({
      label: n.name!, picked: true,
      description: n.owner ? `topology ${n.owner}` : undefined,
      detail: n.links.filter((l) => l.kind !== 'loopback').map((l) => `${l.name} ${l.addresses.filter((a) => a.scope !== 'link').map((a) => a.cidr).join(' ')}`.trim()).join(' · ') || undefined,
    })), { canPickMany: true, placeHolder: 'Import which namespaces?' });
    if (!picks?.length) return;
    const name = await vscode.window.showInputBox({ prompt: 'Name of the new topology (marks the objects it owns)', value: 'imported', validateInput: (v) => topoNameProblem(v) });
    if (!name) return;
    const r = importLive(live, { name, namespaces: picks.map((p) => p.label) });
    let uri = vscode.Uri.joinPath(folder, `${name}.netns.json`);
    for (let i = 2; await vscode.workspace.fs.stat(uri).then(() => true, () => false); i++) uri = vscode.Uri.joinPath(folder, `${name}-${i}.netns.json`);
    await vscode.workspace.fs.writeFile(uri, new TextEncoder().encode(JSON.stringify(r.topology, null, 2) + '\n'));
    await vscode.commands.executeCommand('vscode.openWith', uri, 'netnsLab.topology');
    const notes = r.notes.length ? ` Notes: ${r.notes.slice(0, 3).join(' ')}` : '';
    if (!vscode.workspace.isTrusted) { void vscode.window.showInformationMessage(`Imported ${picks.length} namespace(s) into ${vscode.workspace.asRelativePath(uri)}.${notes}`); return; }
    const offer = await vscode.window.showInformationMessage(`Imported ${picks.length} namespace(s) into ${vscode.workspace.asRelativePath(uri)}. Adopt them, so that Apply and Destroy of '${name}' manage these objects?${notes}`, 'Adopt…', 'Not now');
    if (offer !== 'Adopt…') return;
    try {
      // the helper says exactly what it would take; the person sees every object before it happens
      const p = await session.api.adopt({ topology: r.topology, preview: true });
      if (p.clashes?.length) { void vscode.window.showErrorMessage(`Adopt refused: ${p.clashes.join('; ')}`); return; }
      if (!p.lines.length) { void vscode.window.showInformationMessage(`Nothing to adopt.${p.refuse.length ? ` Refused: ${p.refuse.map((o) => `${o.name}: ${o.reason}`).join('; ')}` : ''}`); return; }
      const ok = await vscode.window.showWarningMessage(`Adopt ${p.lines.length} object(s) as owned by '${name}'? Apply and Destroy of '${name}' will then change or remove them.`,
        { modal: true, detail: previewText(name, p) }, 'Adopt');
      if (ok !== 'Adopt') return;
      const a = await session.api.adopt({ topology: r.topology, expect: { digest: p.digest } });
      void vscode.window.showInformationMessage(`'${name}' now owns ${a.adopted.length} object(s).`);
    } catch (e) { void vscode.window.showErrorMessage(`Adopt failed: ${(e as Error).message}`); }
  }));
}
