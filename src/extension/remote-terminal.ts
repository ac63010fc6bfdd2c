/**
 * A terminal in a namespace of another host of a multi-host lab (issue 19): `ssh -t HOST sudo -n
 * NODE HELPER --shell NS` (a root login without sudo), built and checked by the same code as the
 * helper's ssh connection (src/engine/ssh-connect.ts), with the person's machine-scoped settings.
 */
import * as vscode from 'vscode';
import type { LabHost } from '../core/plan/hosts-split.js';
import { remoteShellArgv } from '../engine/ssh-connect.js';
import { remoteOptions } from './remote-settings.js';

/** a namespace node of a remote host (views/remote-hosts.ts) */
export interface RemoteNsArg { type: 'rns'; host: string; topology: string; ns: string }

export function isRemoteNs(arg: unknown): arg is RemoteNsArg {
  const a = arg as Partial<RemoteNsArg> | undefined;
  return !!a && typeof a === 'object' && a.type === 'rns' && typeof a.host === 'string' && typeof a.topology === 'string' && typeof a.ns === 'string';
}

export function remoteTerminalOptions(h: LabHost, ns: string, version: string): vscode.TerminalOptions {
  const [shellPath, ...shellArgs] = remoteShellArgv(h, ns, remoteOptions(version));
  return { name: `${ns}@${h.name}`, shellPath: shellPath!, shellArgs, iconPath: new vscode.ThemeIcon('remote') };
}

/** opens the terminal, or says why not (the host is not known until the view was refreshed; a bad target) */
export function openRemoteTerminal(arg: RemoteNsArg, hostOf: ((topology: string, host: string) => LabHost | undefined) | undefined, version: string): void {
  if (!vscode.workspace.isTrusted) { void vscode.window.showErrorMessage('A terminal on another host of a lab opens through ssh only in a trusted workspace.'); return; }
  const h = hostOf?.(arg.topology, arg.host);
  if (!h) { void vscode.window.showErrorMessage(`Host ${arg.host} of '${arg.topology}' is not known: refresh the Namespaces view.`); return; }
  try {
    vscode.window.createTerminal(remoteTerminalOptions(h, arg.ns, version)).show();
  } catch (e) {
    void vscode.window.showErrorMessage(`Cannot open a terminal in ${arg.ns} on host ${arg.host}: ${(e as Error).message}`);
  }
}
