/**
 * The `netns` task type: `{ "type": "netns", "namespace": "ns1", "command": "make", "args": [...],
 * "cwd"?, "env"? }` in tasks.json runs the command inside the namespace, as the user, through
 * the helper's `--exec` mode started the same way as terminals (directly as root, else sudo -n
 * or pkexec). It is a plain process execution, so problem matchers, dependsOn and the exit code
 * work as for any task.
 */
import * as path from 'node:path';
import * as vscode from 'vscode';
import { helperCommands, type Elevation } from '../engine/helper-client.js';
import { systemPathFs } from '../engine/path-fs.js';
import { pkexecProblems } from '../engine/privilege.js';
import { parseExecArgs } from '../core/model/exec-args.js';

export const NETNS_TASK = 'netns';

export interface NetnsTaskDefinition extends vscode.TaskDefinition {
  namespace: string;
  command: string;
  args?: string[];
  cwd?: string;
  env?: Record<string, string>;
}

/** how this window starts the helper, followed by `--exec` (the same first way as a terminal) */
export function helperExecPrefix(extensionPath: string): string[] {
  const cfg = vscode.workspace.getConfiguration('netnsLab');
  const helperPath = cfg.get<string>('helperPath')?.trim() || path.join(extensionPath, 'dist', 'helper.js');
  const [cmd] = helperCommands({ helperPath, elevation: cfg.get<Elevation>('elevation') ?? 'auto' });
  const unsafe = pkexecProblems(cmd!, systemPathFs);
  if (unsafe.length) throw new Error(`pkexec would run a helper someone else can change: ${unsafe.join('; ')} (install the helper: "Netns: Install Privileged Helper")`);
  return [...cmd!, '--exec'];
}

/** the helper's `--exec` arguments for a task definition, or why it is refused (checked as the helper checks them) */
export function execArgs(d: Partial<NetnsTaskDefinition>, cwd: string | undefined): string[] | string {
  if (typeof d.namespace !== 'string') return 'a netns task needs "namespace"';
  if (typeof d.command !== 'string' || !d.command) return 'a netns task needs "command"';
  if (d.args !== undefined && !(Array.isArray(d.args) && d.args.every((a) => typeof a === 'string'))) return '"args" must be a list of strings';
  if (d.env !== undefined && (typeof d.env !== 'object' || d.env === null || Object.values(d.env).some((v) => typeof v !== 'string'))) return '"env" must map names to strings';
  const dir = typeof d.cwd === 'string' ? d.cwd : cwd;
  const args = [d.namespace, ...(dir ? ['--cwd', dir] : []), ...Object.entries(d.env ?? {}).flatMap(([k, v]) => ['--env', `${k}=${v}`]), '--', d.command, ...(d.args ?? [])];
  const checked = parseExecArgs(args);
  return typeof checked === 'string' ? checked : args;
}

function folderPath(scope: vscode.Task['scope']): string | undefined {
  const f = typeof scope === 'object' ? scope : vscode.workspace.workspaceFolders?.[0];
  return f?.uri.scheme === 'file' ? f.uri.fsPath : undefined;
}

/** the task with its process execution; a definition that is refused gets an error message and no execution */
export function resolveNetnsTask(extensionPath: string, task: vscode.Task): vscode.Task | undefined {
  const d = task.definition as Partial<NetnsTaskDefinition>;
  const cwd = folderPath(task.scope);
  const args = execArgs(d, cwd);
  if (typeof args === 'string') { void vscode.window.showErrorMessage(`Netns task '${task.name}': ${args}`); return undefined; }
  const [cmd, ...pre] = helperExecPrefix(extensionPath);
  const exec = new vscode.ProcessExecution(cmd!, [...pre, ...args], cwd ? { cwd } : {});
  const t = new vscode.Task(task.definition, task.scope ?? vscode.TaskScope.Workspace, task.name, NETNS_TASK, exec, task.problemMatchers);
  t.presentationOptions = task.presentationOptions;
  return t;
}

export function netnsTaskProvider(extensionPath: string): vscode.TaskProvider {
  return {
    provideTasks: () => [],
    resolveTask: (task) => resolveNetnsTask(extensionPath, task),
  };
}
