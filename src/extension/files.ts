/** Files written next to a topology: the exported script and images. */
import * as path from 'node:path';
import * as vscode from 'vscode';
import { TOPOLOGY_SUFFIX } from './diagnostics.js';

/** "lab" for lab.netns.json */
export function baseName(uri: vscode.Uri): string {
  const b = path.posix.basename(uri.path);
  return b.endsWith(TOPOLOGY_SUFFIX) ? b.slice(0, -TOPOLOGY_SUFFIX.length) : b.replace(/\.json$/, '');
}

/** a file next to the topology (or, for an untitled one, where the person says) */
export async function writeBeside(doc: vscode.Uri, ext: string, data: Uint8Array): Promise<vscode.Uri | undefined> {
  let target: vscode.Uri | undefined;
  if (doc.scheme === 'untitled') {
    target = await vscode.window.showSaveDialog({ defaultUri: vscode.Uri.file(path.join(vscode.workspace.workspaceFolders?.[0]?.uri.fsPath ?? '/', `${baseName(doc)}.${ext}`)) });
    if (!target) return undefined;
  } else {
    target = vscode.Uri.joinPath(doc, '..', `${baseName(doc)}.${ext}`);
  }
  await vscode.workspace.fs.writeFile(target, data);
  return target;
}

/** an image the canvas rendered (base64 PNG or SVG text), next to the topology */
export async function writeImage(uri: vscode.Uri, format: 'png' | 'svg', data: string): Promise<void> {
  const bytes = format === 'png' ? Buffer.from(data, 'base64') : new TextEncoder().encode(data);
  const target = await writeBeside(uri, format, bytes);
  if (target) {
    void vscode.window.showInformationMessage(`Exported ${vscode.workspace.asRelativePath(target)}`, 'Open').then((a) => {
      if (a) void vscode.commands.executeCommand('vscode.open', target);
    });
  }
}
