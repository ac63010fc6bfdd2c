/**
 * A CodeLens "Open as Netns Lab Topology" on the first line of a containerlab *.clab.yml and a
 * Kathará lab.conf. Part of the activation shell: it loads nothing else until it is clicked.
 */
import * as vscode from 'vscode';

export const LAB_FILES: vscode.DocumentSelector = [{ pattern: '**/*.clab.{yml,yaml}' }, { pattern: '**/lab.conf' }];

export function registerLabLens(): vscode.Disposable {
  return vscode.languages.registerCodeLensProvider(LAB_FILES, {
    provideCodeLenses: (doc) => [new vscode.CodeLens(new vscode.Range(0, 0, 0, 0), {
      title: '$(type-hierarchy) Open as Netns Lab Topology',
      command: 'netnsLab.openLabAsTopology',
      arguments: [doc.uri],
      tooltip: 'Import this lab into a *.netns.json topology beside it and open it on the canvas',
    })],
  });
}

const OFFERED = 'netnsLab.labImportOffered';

/**
 * Once per workspace: when it holds a containerlab file or a Kathará lab, offer to open it as a
 * topology (the first one found; the CodeLens and the explorer menu offer every one).
 */
export async function offerLabImport(context: vscode.ExtensionContext): Promise<void> {
  if (context.workspaceState.get<boolean>(OFFERED)) return;
  // a lab.conf counts when it has a Kathará interface line (dev[N]=...): other tools use the name too
  const kathara = async (u: vscode.Uri) => /^\s*[A-Za-z0-9_.-]+\[\d+\]\s*=/m.test(new TextDecoder().decode(await vscode.workspace.fs.readFile(u)).slice(0, 65536));
  const confs = await vscode.workspace.findFiles('**/lab.conf', '**/node_modules/**', 5);
  const found = [
    ...await vscode.workspace.findFiles('**/*.clab.{yml,yaml}', '**/node_modules/**', 1),
    ...(await Promise.all(confs.map(async (u) => ((await kathara(u).catch(() => false)) ? u : undefined)))).filter((u) => u !== undefined),
  ];
  const first = found[0];
  if (!first) return;
  await context.workspaceState.update(OFFERED, true);
  const name = vscode.workspace.asRelativePath(first);
  const kind = first.path.endsWith('lab.conf') ? 'a Kathará lab' : 'a containerlab topology';
  const pick = await vscode.window.showInformationMessage(`This workspace has ${kind} (${name}). Netns Lab can run it as namespaces, without Docker.`, 'Open as Netns Lab Topology');
  if (pick) await vscode.commands.executeCommand('netnsLab.openLabAsTopology', first);
}
