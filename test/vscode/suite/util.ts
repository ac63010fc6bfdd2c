/** helpers for the extension-host tests (bundled into each test file) */
import * as assert from 'node:assert/strict';
import { writeFileSync, readFileSync } from 'node:fs';
import * as vscode from 'vscode';

export const EXTENSION_ID = 'netns-lab.netns-lab';
export const VIEW_TYPE = 'netnsLab.topology';

export type Gesture =
  | { kind: 'add-node'; node: 'namespace' | 'router' | 'bridge' | 'host'; position: { x: number; y: number } }
  | { kind: 'move'; moves: { node: string; position: { x: number; y: number } }[] }
  | { kind: 'add-link'; a: string; b: string }
  | { kind: string; [k: string]: unknown };
export interface Api {
  applyGesture(document: vscode.TextDocument, gesture: Gesture): Promise<{ ok: boolean; message?: string }>;
  /** how many times an open document was analysed */
  readonly analyses: number;
}

export const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

export function workspaceFile(name: string): vscode.Uri {
  const folder = vscode.workspace.workspaceFolders?.[0];
  assert.ok(folder, 'the tests need a workspace folder');
  return vscode.Uri.joinPath(folder.uri, name);
}

/** poll until f() returns a truthy value */
export async function waitFor<T>(what: string, f: () => T | undefined | false | Promise<T | undefined | false>, timeoutMs = 20_000): Promise<T> {
  const end = Date.now() + timeoutMs;
  for (;;) {
    const v = await f();
    if (v) return v;
    if (Date.now() > end) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await sleep(25);
  }
}

let api: Api | undefined;
/** activate the extension (once) and record how long it took */
export async function activate(): Promise<Api> {
  if (api) return api;
  const ext = vscode.extensions.getExtension<Api>(EXTENSION_ID);
  assert.ok(ext, `extension ${EXTENSION_ID} is not installed`);
  const wasActive = ext.isActive;
  const t0 = performance.now();
  api = await ext.activate();
  const ms = performance.now() - t0;
  if (!wasActive) metric('activationMs', Math.round(ms * 10) / 10);
  assert.equal(typeof api?.applyGesture, 'function', 'activate() returns the test API { applyGesture }');
  return api;
}

/** a measurement for the runner (NETNS_LAB_METRICS names a JSON file) */
export function metric(name: string, value: unknown): void {
  const file = process.env.NETNS_LAB_METRICS;
  console.log(`metric ${name} = ${JSON.stringify(value)}`);
  if (!file) return;
  let all: Record<string, unknown> = {};
  try { all = JSON.parse(readFileSync(file, 'utf8')) as Record<string, unknown>; } catch { /* first one */ }
  all[name] = value;
  writeFileSync(file, JSON.stringify(all, null, 2));
}

export function activeTabInput(): unknown {
  return vscode.window.tabGroups.activeTabGroup.activeTab?.input;
}

/** wait until the active tab is our canvas (optionally on this document) */
export function waitCanvasTab(uri?: vscode.Uri, timeoutMs?: number): Promise<vscode.TabInputCustom> {
  return waitFor(`the canvas editor${uri ? ` on ${uri.toString()}` : ''}`, () => {
    const t = activeTabInput();
    return t instanceof vscode.TabInputCustom && t.viewType === VIEW_TYPE && (!uri || t.uri.toString() === uri.toString()) ? t : undefined;
  }, timeoutMs);
}

/** resolves with the document's text after its next change */
export function nextChange(doc: vscode.TextDocument, timeoutMs = 10_000): Promise<string> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => { sub.dispose(); reject(new Error(`no change of ${doc.uri.toString()} within ${timeoutMs} ms`)); }, timeoutMs);
    const sub = vscode.workspace.onDidChangeTextDocument((e) => {
      if (e.document.uri.toString() !== doc.uri.toString() || !e.contentChanges.length) return;
      clearTimeout(timer);
      sub.dispose();
      resolve(e.document.getText());
    });
  });
}

export async function closeAll(): Promise<void> {
  // nothing may be dirty here: a dirty editor would ask to save
  await vscode.commands.executeCommand('workbench.action.closeAllEditors');
}

/** replace the document's text and save it (the commands read the document) */
export async function setText(doc: vscode.TextDocument, text: string): Promise<void> {
  const e = new vscode.WorkspaceEdit();
  e.replace(doc.uri, new vscode.Range(doc.positionAt(0), doc.positionAt(doc.getText().length)), text);
  assert.ok(await vscode.workspace.applyEdit(e));
  assert.ok(await doc.save());
}
