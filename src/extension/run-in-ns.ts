/**
 * Running and debugging a program inside a namespace from VS Code:
 * - a `node` launch configuration with `"netns": "ns1"` runs its program under VS Code's
 *   JavaScript debugger inside ns1: the runtime becomes `node dist/cli.js exec ns1 -- node`,
 *   and `netns-lab exec` hands the debugger's variables to the program (src/cli-exec.ts);
 * - "Run in Namespace…" on a file in the explorer: a `netns` task running it inside the
 *   namespace picked.
 */
import * as path from 'node:path';
import * as vscode from 'vscode';
import { nsNameProblem } from '../core/model/names.js';
import type { LiveModel } from './live.js';
import { NETNS_TASK, resolveNetnsTask, type NetnsTaskDefinition } from './tasks.js';
import { pickNamespace } from './terminal.js';

/** a node launch configuration with `netns` set, rewritten to run inside that namespace; undefined (and a message) when refused */
export function resolveNetnsDebug(extensionPath: string, config: vscode.DebugConfiguration): vscode.DebugConfiguration | undefined {
  const ns: unknown = config.netns;
  const problem = typeof ns !== 'string' ? '"netns" must be a namespace name' : nsNameProblem(ns);
  if (problem) { void vscode.window.showErrorMessage(`Launch configuration '${config.name}': ${problem}`); return undefined; }
  if (config.request !== 'launch') { void vscode.window.showErrorMessage(`Launch configuration '${config.name}': "netns" works with "request": "launch" (attach to a program inside a namespace through its inspector port: docs/workloads.md)`); return undefined; }
  const cfg = vscode.workspace.getConfiguration('netnsLab');
  const helperPath = cfg.get<string>('helperPath')?.trim();
  const runtime = typeof config.runtimeExecutable === 'string' && config.runtimeExecutable ? config.runtimeExecutable : 'node';
  const runtimeArgs = Array.isArray(config.runtimeArgs) ? config.runtimeArgs as string[] : [];
  const rest: vscode.DebugConfiguration = { ...config };
  delete rest.netns;
  return {
    ...rest,
    runtimeExecutable: 'node',
    runtimeArgs: [path.join(extensionPath, 'dist', 'cli.js'), 'exec', ns as string, '--elevation', cfg.get<string>('elevation') ?? 'auto', '--', runtime, ...runtimeArgs],
    ...(helperPath ? { env: { ...(config.env as Record<string, string> | undefined), NETNS_LAB_HELPER: helperPath } } : {}),
  };
}

const INTERPRETERS: Record<string, string> = { '.js': 'node', '.mjs': 'node', '.cjs': 'node', '.py': 'python3', '.sh': 'sh' };

/** the command that runs a file: its interpreter by extension, else the file itself */
export function runFileCommand(file: string): { command: string; args: string[] } {
  const interp = INTERPRETERS[path.extname(file).toLowerCase()];
  return interp ? { command: interp, args: [file] } : { command: file, args: [] };
}

export function registerRunInNamespace(context: vscode.ExtensionContext, live: LiveModel): void {
  context.subscriptions.push(vscode.commands.registerCommand('netnsLab.runInNamespace', async (uri?: vscode.Uri, nsArg?: string) => {
    const file = uri ?? vscode.window.activeTextEditor?.document.uri;
    if (!file || file.scheme !== 'file') { void vscode.window.showErrorMessage('Run in Namespace needs a file on this machine'); return undefined; }
    const ns = nsArg ?? await pickNamespace(live, `Run ${path.basename(file.fsPath)} in which namespace?`);
    if (!ns) return undefined;
    const folder = vscode.workspace.getWorkspaceFolder(file);
    const def: NetnsTaskDefinition = { type: NETNS_TASK, namespace: ns, ...runFileCommand(file.fsPath), cwd: path.dirname(file.fsPath) };
    const task = resolveNetnsTask(context.extensionPath, new vscode.Task(def, folder ?? vscode.TaskScope.Workspace, `${path.basename(file.fsPath)} in ${ns}`, NETNS_TASK));
    return task ? vscode.tasks.executeTask(task) : undefined;
  }));
}
