/** A service under its namespace in the Namespaces view (issue 16): state icon, pid, uptime, restarts, command and user. */
import * as vscode from 'vscode';
import { markdownText } from '../../core/model/markdown.js';
import { serviceDescription } from '../../core/diagnose/service-status.js';
import { commandText, type LiveService } from '../../core/model/workloads.js';
import { DEFAULT_MAX_RESTARTS, type Service } from '../../core/model/model-workloads.js';

/** a service node: the topology it belongs to, its namespace and name */
export type SvcNode = { type: 'svc'; ns: string; topo: string; name: string };

const ICONS: Record<LiveService['state'], [string, string]> = {
  running: ['pass-filled', 'testing.iconPassed'],
  starting: ['loading~spin', 'testing.iconQueued'],
  exited: ['error', 'testing.iconFailed'],
  'not-started': ['circle-large-outline', 'descriptionForeground'],
};

/** contextValue service.<state>: the menus' `when` (Stop/Restart while it runs, Start when it does not) */
export function serviceItem(node: SvcNode, live: LiveService, def: Service | undefined, now = Date.now()): vscode.TreeItem {
  const item = new vscode.TreeItem(node.name, vscode.TreeItemCollapsibleState.None);
  item.id = `svc:${node.topo}:${node.ns}:${node.name}`;
  item.description = serviceDescription(live, now) + (def ? '' : ' · not in the file');
  const [icon, color] = ICONS[live.state];
  item.iconPath = new vscode.ThemeIcon(icon, new vscode.ThemeColor(color));
  item.contextValue = `service.${live.state}`;
  // the command is the file's text (anyone's): escaped, never Markdown, HTML or icons
  const md = new vscode.MarkdownString(undefined, false);
  md.supportHtml = false;
  md.isTrusted = false;
  md.appendMarkdown(`**Service ${markdownText(node.name)}** in namespace ${markdownText(node.ns)} (topology ${markdownText(node.topo)})\n\n`);
  const rows: [string, string][] = [
    ['state', serviceDescription(live, now)],
    ...(def ? [['command', commandText(def.command)] as [string, string]] : []),
    ['user', live.user ?? def?.user ?? 'you (the person who applies)'],
    ...(def?.cwd ? [['cwd', def.cwd] as [string, string]] : []),
    ...(def ? [['restart', def.restart === 'on-failure' ? `on-failure (at most ${def.maxRestarts ?? DEFAULT_MAX_RESTARTS} times)` : 'no'] as [string, string]] : []),
    ...(live.since !== undefined && live.state === 'running' ? [['since', new Date(live.since).toLocaleString()] as [string, string]] : []),
  ];
  md.appendMarkdown(rows.map(([k, v]) => `${k}: ${markdownText(v)}`).join('  \n'));
  item.tooltip = md;
  item.command = { command: 'netnsLab.showServiceLogs', title: 'Show Logs', arguments: [node] };
  return item;
}
