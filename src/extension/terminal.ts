/**
 * Terminals inside a namespace: the helper's `--shell NS` mode behind an integrated terminal,
 * started the same way as the helper (directly as root, else sudo -n or pkexec); the user's
 * own shell runs as the user, in the namespace, with its name in the prompt.
 */
import * as path from 'node:path';
import * as vscode from 'vscode';
import { nsNameProblem } from '../core/model/names.js';
import { helperCommands, type Elevation } from '../engine/helper-client.js';
import { systemPathFs } from '../engine/path-fs.js';
import { pkexecProblems } from '../engine/privilege.js';
import type { LiveModel } from './live.js';
import type { LabHost } from '../core/plan/hosts-split.js';
import { isRemoteNs, openRemoteTerminal } from './remote-terminal.js';

export function shellCommand(extensionPath: string, ns: string, cwd: string | undefined): string[] {
  const cfg = vscode.workspace.getConfiguration('netnsLab');
  const helperPath = cfg.get<string>('helperPath')?.trim() || path.join(extensionPath, 'dist', 'helper.js');
  // the first way that works for the helper works here too; a terminal cannot fall back, so take sudo/pkexec/direct as set
  const [cmd] = helperCommands({ helperPath, elevation: cfg.get<Elevation>('elevation') ?? 'auto' });
  const unsafe = pkexecProblems(cmd!, systemPathFs);
  if (unsafe.length) throw new Error(`pkexec would run a helper someone else can change: ${unsafe.join('; ')} (install the helper: "Netns: Install Privileged Helper")`);
  return [...cmd!, '--shell', ns, ...(cwd ? ['--cwd', cwd] : []), '--rcfile', path.join(extensionPath, 'media', 'shell', 'bashrc')];
}

export function terminalOptions(extensionPath: string, ns: string): vscode.TerminalOptions {
  const cwd = vscode.workspace.workspaceFolders?.[0]?.uri.scheme === 'file' ? vscode.workspace.workspaceFolders[0]!.uri.fsPath : undefined;
  const [shellPath, ...shellArgs] = shellCommand(extensionPath, ns, cwd);
  return {
    name: ns,
    shellPath: shellPath!,
    shellArgs,
    iconPath: new vscode.ThemeIcon('vm'),
    ...(cwd ? { cwd } : {}),
    env: { NETNS_LAB_NS: ns },
  };
}

export async function pickNamespace(live: LiveModel, placeHolder = 'Open a terminal in which namespace?'): Promise<string | undefined> {
  if (!live.live) await live.reload();
  const items = (live.live?.namespaces ?? []).map((n) => ({
    label: n.name!,
    description: n.owner ? `topology ${n.owner}` : 'not made by netns-lab',
    detail: n.links.filter((l) => l.kind !== 'loopback').map((l) => `${l.name} ${l.addresses.filter((a) => a.scope !== 'link').map((a) => a.cidr).join(' ')}`.trim()).join(' · ') || undefined,
  }));
  if (!items.length) { void vscode.window.showInformationMessage(live.lastError ? `Cannot list namespaces: ${live.lastError}` : 'There is no network namespace on this machine.'); return undefined; }
  return (await vscode.window.showQuickPick(items, { placeHolder, matchOnDescription: true, matchOnDetail: true }))?.label;
}

/** whether ns exists now (a fresh read when the live model holds none); true when it cannot be told (the terminal then says) */
async function namespaceExists(live: LiveModel, ns: string): Promise<boolean> {
  if (live.namespace(ns)) return true;
  // not in the state held (none yet, or one read before an apply): read again before saying no
  await live.reload().catch(() => undefined);
  return live.live ? live.namespace(ns) !== undefined : true;
}

/** the Open Terminal command; returns the namespace shell profile provider, which extension.ts registers */
export function registerTerminals(context: vscode.ExtensionContext, live: LiveModel, remoteHost?: (topology: string, host: string) => LabHost | undefined): vscode.TerminalProfileProvider {
  const open = async (arg?: unknown) => {
    // a namespace of another host (the Namespaces view's remote level): through ssh
    if (isRemoteNs(arg)) { openRemoteTerminal(arg, remoteHost, (context.extension.packageJSON as { version: string }).version); return; }
    let ns: string | undefined;
    if (typeof arg === 'string') ns = arg;
    else if (arg && typeof arg === 'object' && 'ns' in arg && typeof (arg as { ns: unknown }).ns === 'string') ns = (arg as { ns: string }).ns;
    ns ??= await pickNamespace(live);
    if (!ns) return;
    if (nsNameProblem(ns)) { void vscode.window.showErrorMessage(`'${ns}' is not a namespace name`); return; }
    if (!(await namespaceExists(live, ns))) {
      void vscode.window.showErrorMessage(`There is no namespace '${ns}' on this machine: Apply the topology first, then open a terminal in it.`);
      return;
    }
    const t = vscode.window.createTerminal(terminalOptions(context.extensionPath, ns));
    t.show();
  };
  context.subscriptions.push(vscode.commands.registerCommand('netnsLab.openTerminal', open));
  return {
    async provideTerminalProfile() {
      const ns = await pickNamespace(live);
      return ns ? new vscode.TerminalProfile(terminalOptions(context.extensionPath, ns)) : undefined;
    },
  };
}

/** the namespace a Netns terminal sits in (its NETNS_LAB_NS, else a name + `--shell NAME` argv), or undefined */
export function terminalNamespace(t: vscode.Terminal): string | undefined {
  const o = t.creationOptions as vscode.TerminalOptions;
  const env = o.env?.['NETNS_LAB_NS'];
  if (typeof env === 'string') return env;
  const args = Array.isArray(o.shellArgs) ? o.shellArgs : [];
  const i = args.indexOf('--shell');
  return i >= 0 && args[i + 1] === t.name ? t.name : undefined;
}

/**
 * Close the Netns terminals of namespaces that were removed: their shell was ended with the
 * namespace (a prompt left there would sit in a namespace that no longer exists). Returns how many.
 */
export function closeTerminalsIn(namespaces: readonly string[]): number {
  const gone = new Set(namespaces);
  let n = 0;
  for (const t of vscode.window.terminals) {
    const ns = terminalNamespace(t);
    if (ns !== undefined && gone.has(ns)) { t.dispose(); n++; }
  }
  return n;
}
