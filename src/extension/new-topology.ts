/**
 * "Netns: New Topology": asks for the topology's name (checked as Apply would check it) and
 * where to save it (a save dialog in the workspace), writes the file and opens it in the canvas.
 * Called with { name, uri } (tests, other commands) it asks nothing; without uri it opens an
 * untitled document of that name.
 */
import * as path from 'node:path';
import * as vscode from 'vscode';
import { topoNameProblem } from '../core/model/names.js';
import { TOPOLOGY_SUFFIX } from './diagnostics.js';
import { VIEW_TYPE } from './editor.js';

export function newTopologyText(name: string): string {
  return `${JSON.stringify({ version: 1, name, namespaces: [], bridges: [], links: [] }, null, 2)}\n`;
}

/** a free default name: lab, lab-2, lab-3 … not taken by a file in the folder or an open document */
async function freeName(folder: vscode.Uri | undefined): Promise<string> {
  const taken = new Set(vscode.workspace.textDocuments.map((d) => path.posix.basename(d.uri.path)));
  if (folder) {
    try { for (const [f] of await vscode.workspace.fs.readDirectory(folder)) taken.add(f); } catch { /* an unreadable folder: no names taken */ }
  }
  for (let n = 1; ; n++) {
    const name = n === 1 ? 'lab' : `lab-${n}`;
    if (!taken.has(`${name}${TOPOLOGY_SUFFIX}`)) return name;
  }
}

/** a path without its trailing .netns.json / .json suffixes */
export function topologyStem(p: string): string {
  let s = p;
  while (/\.(netns\.)?json$/.test(s)) s = s.replace(/\.(netns\.)?json$/, '');
  return s;
}

interface Wanted { name?: unknown; uri?: unknown }

export async function newTopology(arg?: unknown): Promise<void> {
  const given = (arg && typeof arg === 'object' ? arg : {}) as Wanted;
  const folder = vscode.workspace.workspaceFolders?.[0]?.uri;
  let name = typeof given.name === 'string' ? given.name : undefined;
  if (name === undefined) {
    name = await vscode.window.showInputBox({
      title: 'New Topology (1/2): name',
      prompt: 'The topology\'s name: it tags everything Apply builds (letters, digits, _ and -, at most 20 bytes)',
      value: await freeName(folder),
      validateInput: (v) => topoNameProblem(v),
    });
    if (name === undefined) return;
  }
  const problem = topoNameProblem(name);
  if (problem) { void vscode.window.showErrorMessage(`New Topology: ${problem}`); return; }
  let uri: vscode.Uri | undefined = given.uri instanceof vscode.Uri ? given.uri : undefined;
  if (!uri && typeof given.name !== 'string') {
    uri = await vscode.window.showSaveDialog({
      title: 'New Topology (2/2): where to save it',
      saveLabel: 'Create',
      filters: { 'Netns topology': ['netns.json'] },
      ...(folder ? { defaultUri: vscode.Uri.joinPath(folder, `${name}${TOPOLOGY_SUFFIX}`) } : {}),
    });
    if (!uri) return;
  }
  // one *.netns.json suffix, whatever the dialog added (VS Code's simple dialog appends ".json" to "x.netns.json")
  if (uri) uri = uri.with({ path: `${topologyStem(uri.path)}${TOPOLOGY_SUFFIX}` });
  if (uri) {
    await vscode.workspace.fs.writeFile(uri, new TextEncoder().encode(newTopologyText(name)));
    await vscode.commands.executeCommand('vscode.openWith', uri, VIEW_TYPE);
    return;
  }
  const untitled = vscode.Uri.from({ scheme: 'untitled', path: `${folder?.path ?? ''}/${name}${TOPOLOGY_SUFFIX}` });
  const doc = await vscode.workspace.openTextDocument(untitled);
  const we = new vscode.WorkspaceEdit();
  we.insert(doc.uri, new vscode.Position(0, 0), newTopologyText(name));
  await vscode.workspace.applyEdit(we);
  await vscode.commands.executeCommand('vscode.openWith', doc.uri, VIEW_TYPE);
}
