/** The ssh settings of labs across several machines (machine scope: never a workspace's; user-setting.ts). */
import * as vscode from 'vscode';
import type { RemoteOptions } from '../engine/ssh-connect.js';
import { userValue } from './user-setting.js';

/** the ssh settings (machine scope: never a workspace's) */
export function remoteOptions(version: string): RemoteOptions {
  const cfg = vscode.workspace.getConfiguration('netnsLab');
  const get = (k: string) => userValue(cfg.inspect<string>(k), '').trim() || undefined;
  const [sshConfig, remoteHelper, remoteNode] = ['sshConfig', 'remoteHelper', 'remoteNode'].map(get);
  return { version, ...(sshConfig ? { sshConfig } : {}), ...(remoteHelper ? { remoteHelper } : {}), ...(remoteNode ? { remoteNode } : {}) };
}

