/**
 * The Netns Lab views: Namespaces (every namespace of the machine, ours marked, with
 * interfaces and routes), Bridges (host and namespace bridges with their ports) and
 * Topologies (the workspace's *.netns.json with their status). Children are built lazily;
 * a change re-renders only the namespace it concerns.
 */
import * as vscode from 'vscode';
import { markdownText } from '../../core/model/markdown.js';
import type { LiveLink, LiveNs, LiveRoute } from '../../core/observe/observe.js';
import type { LiveModel } from '../live.js';
import type { ServicesModel } from '../services.js';
import { serviceItem, type SvcNode } from './service-items.js';

export type NsNode = { type: 'ns'; ns: string | null };
export type IfNode = { type: 'if'; ns: string | null; name: string };
export type RoutesNode = { type: 'routes'; ns: string | null };
export type RouteNode = { type: 'route'; ns: string | null; route: LiveRoute };
export type BridgeNode = { type: 'bridge'; ns: string | null; name: string };
export type InfoNode = { type: 'info'; label: string; detail?: string };
/** a node of another level of the Namespaces view: the remote hosts' (views/remote-hosts.ts) */
export type OtherNode = { type: 'rhost' | 'rns' | 'rif'; host: string; topology: string; ns?: string; name?: string };
export type TreeNode = NsNode | IfNode | RoutesNode | RouteNode | BridgeNode | InfoNode | SvcNode | OtherNode;

/** more top-level nodes with their subtrees, after the local machine's */
export interface OtherLevel {
  roots(): OtherNode[];
  children(n: OtherNode): OtherNode[];
  parent(n: OtherNode): OtherNode | undefined;
  item(n: OtherNode): vscode.TreeItem;
  readonly onDidChange: vscode.Event<void>;
}
const isOther = (n: TreeNode): n is OtherNode => n.type === 'rhost' || n.type === 'rns' || n.type === 'rif';

const STATE_ICON: Record<string, [string, string]> = {
  UP: ['circle-filled', 'testing.iconPassed'],
  UNKNOWN: ['circle-filled', 'testing.iconPassed'],
  DOWN: ['circle-outline', 'testing.iconFailed'],
  LOWERLAYERDOWN: ['circle-large-outline', 'testing.iconQueued'],
  DORMANT: ['circle-outline', 'testing.iconQueued'],
};

export function formatBytes(n: number): string {
  const u = ['B', 'KiB', 'MiB', 'GiB', 'TiB'];
  let i = 0;
  let v = n;
  while (v >= 1024 && i < u.length - 1) { v /= 1024; i++; }
  return `${i ? v.toFixed(1) : v} ${u[i]}`;
}

/** "up", "down", "no carrier": admin and operational state in words */
export function linkState(l: LiveLink): string {
  if (!l.up) return 'down';
  if (l.operstate === 'LOWERLAYERDOWN') return 'no carrier';
  if (l.operstate === 'DOWN') return 'down (oper)';
  return 'up';
}

export function ifDescription(l: LiveLink): string {
  const parts = [l.kind === 'loopback' ? 'lo' : l.kind, linkState(l)];
  const addrs = l.addresses.filter((a) => a.scope !== 'link').map((a) => a.cidr);
  if (addrs.length) parts.push(addrs.join(' '));
  if (l.peer) parts.push(`↔ ${l.peer.ns ?? 'host'}/${l.peer.name}`);
  if (l.master) parts.push(`on ${l.master}`);
  return parts.join(' · ');
}

abstract class BaseTree implements vscode.TreeDataProvider<TreeNode>, vscode.Disposable {
  protected readonly emitter = new vscode.EventEmitter<TreeNode | undefined>();
  readonly onDidChangeTreeData = this.emitter.event;
  protected readonly subs: vscode.Disposable[] = [];
  private rates = new Map<string, { t: number; rx: number; tx: number; rxRate: number; txRate: number }>();

  constructor(protected readonly live: LiveModel) {
    this.subs.push(live.onDidChange(() => this.emitter.fire(undefined)));
  }

  /** start watching while the view is visible */
  attach(view: vscode.TreeView<TreeNode>): void {
    const token = {};
    const sync = () => (view.visible ? void this.live.acquire(token) : this.live.release(token));
    this.subs.push(view.onDidChangeVisibility(sync), { dispose: () => this.live.release(token) });
    sync();
  }

  abstract getChildren(node?: TreeNode): vscode.ProviderResult<TreeNode[]>;
  abstract getTreeItem(node: TreeNode): vscode.TreeItem;

  protected ifItem(ns: LiveNs, l: LiveLink): vscode.TreeItem {
    const item = new vscode.TreeItem(l.name, vscode.TreeItemCollapsibleState.None);
    item.description = ifDescription(l);
    const [icon, color] = STATE_ICON[l.up ? l.operstate : 'DOWN'] ?? ['circle-outline', 'descriptionForeground'];
    item.iconPath = new vscode.ThemeIcon(icon, new vscode.ThemeColor(color));
    item.contextValue = `interface${l.owner ? '.owned' : ''}${l.up ? '.up' : '.down'}${l.addresses.length ? '.addressed' : ''}`;
    item.id = `if:${ns.name ?? ''}:${l.name}`;
    // names, aliases and addresses come from the kernel (anyone's): escaped, never Markdown, HTML or icons
    const md = new vscode.MarkdownString(undefined, false);
    md.supportHtml = false;
    md.isTrusted = false;
    md.appendMarkdown(`**${markdownText(l.name)}** in ${ns.name === null ? 'the host' : `namespace ${markdownText(ns.name)}`}\n\n`);
    const rows: [string, string][] = [
      ['kind', l.kind], ['state', `${linkState(l)} (${l.operstate})`], ['MTU', String(l.mtu)],
      ...(l.mac ? [['MAC', l.mac] as [string, string]] : []),
      ...l.addresses.map((a) => ['address', `${a.cidr} (${a.scope})`] as [string, string]),
      ...(l.peer ? [['peer', `${l.peer.ns ?? 'host'} / ${l.peer.name}`] as [string, string]] : []),
      ...(l.master ? [['bridge', l.master] as [string, string]] : []),
      ...(l.owner ? [['owned by', `topology ${l.owner}`] as [string, string]] : []),
    ];
    if (l.stats) {
      const r = this.rate(`${ns.name ?? ''}/${l.name}`, l.stats.rxBytes, l.stats.txBytes);
      rows.push(['rx', `${formatBytes(l.stats.rxBytes)} (${l.stats.rxPackets} packets)${r ? `, ${formatBytes(r.rx)}/s` : ''}`]);
      rows.push(['tx', `${formatBytes(l.stats.txBytes)} (${l.stats.txPackets} packets)${r ? `, ${formatBytes(r.tx)}/s` : ''}`]);
    }
    md.appendMarkdown(rows.map(([k, v]) => `${k}: ${markdownText(v)}`).join('  \n'));
    item.tooltip = md;
    return item;
  }

  private rate(key: string, rx: number, tx: number): { rx: number; tx: number } | undefined {
    const now = Date.now();
    const prev = this.rates.get(key);
    if (prev && now - prev.t < 500) return { rx: prev.rxRate, tx: prev.txRate };
    const out = prev && now > prev.t ? { rx: ((rx - prev.rx) * 1000) / (now - prev.t), tx: ((tx - prev.tx) * 1000) / (now - prev.t) } : undefined;
    this.rates.set(key, { t: now, rx, tx, rxRate: out?.rx ?? 0, txRate: out?.tx ?? 0 });
    return out;
  }

  protected statusNodes(): TreeNode[] | undefined {
    if (this.live.lastError && !this.live.live) return [{ type: 'info', label: 'Cannot read the network', detail: this.live.lastError }];
    if (!this.live.live) return [{ type: 'info', label: 'Reading…' }];
    return undefined;
  }

  protected infoItem(n: InfoNode): vscode.TreeItem {
    const i = new vscode.TreeItem(n.label);
    if (n.detail) { i.description = n.detail; i.tooltip = n.detail; }
    i.iconPath = new vscode.ThemeIcon('info');
    return i;
  }

  dispose(): void {
    for (const s of this.subs) s.dispose();
    this.emitter.dispose();
  }
}

export class NamespacesTree extends BaseTree {
  constructor(live: LiveModel, private readonly services?: ServicesModel, private readonly other?: OtherLevel) {
    super(live);
    if (services) this.subs.push(services.onDidRead(() => this.emitter.fire(undefined)));
    if (other) this.subs.push(other.onDidChange(() => this.emitter.fire(undefined)));
  }

  /** the services of a namespace (its topology's, as last read) */
  private serviceNodes(ns: string | null): TreeNode[] {
    const s = ns === null ? undefined : this.services?.inNamespace(ns);
    return s ? s.services.map((x): TreeNode => ({ type: 'svc', ns: x.ns, topo: s.topo.topology.name, name: x.name })) : [];
  }

  override attach(view: vscode.TreeView<TreeNode>): void {
    super.attach(view);
    const token = {};
    const sync = () => (view.visible ? this.services?.acquire(token) : this.services?.release(token));
    this.subs.push(view.onDidChangeVisibility(sync), { dispose: () => this.services?.release(token) });
    sync();
  }

  getChildren(node?: TreeNode): TreeNode[] {
    const status = this.statusNodes();
    if (!node) return [...status ?? [{ type: 'ns', ns: null }, ...this.live.live!.namespaces.map((n): TreeNode => ({ type: 'ns', ns: n.name }))], ...this.other?.roots() ?? []];
    if (isOther(node)) return this.other?.children(node) ?? [];
    const ns = 'ns' in node ? this.live.namespace(node.ns) : undefined;
    if (!ns) return [];
    if (node.type === 'ns') return [...ns.links.map((l): TreeNode => ({ type: 'if', ns: ns.name, name: l.name })), ...this.serviceNodes(ns.name), { type: 'routes', ns: ns.name }];
    if (node.type === 'routes') return ns.routes.map((route): TreeNode => ({ type: 'route', ns: ns.name, route }));
    return [];
  }

  getParent(node: TreeNode): TreeNode | undefined {
    if (isOther(node)) return this.other?.parent(node);
    if (node.type === 'if' || node.type === 'routes' || node.type === 'svc') return { type: 'ns', ns: node.ns };
    if (node.type === 'route') return { type: 'routes', ns: node.ns };
    return undefined;
  }

  getTreeItem(node: TreeNode): vscode.TreeItem {
    if (node.type === 'info') return this.infoItem(node);
    if (isOther(node)) return this.other?.item(node) ?? new vscode.TreeItem('?');
    if (node.type === 'ns') {
      const ns = this.live.namespace(node.ns);
      const item = new vscode.TreeItem(node.ns ?? 'host', vscode.TreeItemCollapsibleState.Collapsed);
      item.id = `ns:${node.ns ?? ''}`;
      const up = ns?.links.filter((l) => l.kind !== 'loopback' && l.up).length ?? 0;
      const all = ns?.links.filter((l) => l.kind !== 'loopback').length ?? 0;
      item.description = `${ns?.owner ? `${ns.owner} · ` : ''}${all} interface(s), ${up} up${ns?.sysctls['net.ipv4.ip_forward'] === '1' && node.ns !== null ? ' · router' : ''}`;
      item.iconPath = new vscode.ThemeIcon(node.ns === null ? 'server' : ns?.sysctls['net.ipv4.ip_forward'] === '1' ? 'arrow-swap' : 'vm');
      item.contextValue = node.ns === null ? 'host' : `namespace${ns?.owner ? '.owned' : ''}`;
      item.tooltip = node.ns === null ? 'The host (root network namespace)' : `Network namespace ${node.ns}${ns?.owner ? ` — made by topology ${ns.owner}` : ' — not made by netns-lab'}`;
      return item;
    }
    if (node.type === 'if') {
      const ns = this.live.namespace(node.ns);
      const l = ns?.links.find((x) => x.name === node.name);
      return l && ns ? this.ifItem(ns, l) : new vscode.TreeItem(node.name);
    }
    if (node.type === 'svc') {
      const s = this.services?.inNamespace(node.ns)?.services.find((x) => x.name === node.name);
      const def = this.services?.of(node.topo)?.topology.namespaces?.find((n) => n.name === node.ns)?.services?.find((x) => x.name === node.name);
      return s ? serviceItem(node, s, def) : new vscode.TreeItem(node.name);
    }
    if (node.type === 'routes') {
      const ns = this.live.namespace(node.ns);
      const item = new vscode.TreeItem('routes', vscode.TreeItemCollapsibleState.Collapsed);
      item.id = `routes:${node.ns ?? ''}`;
      item.description = String(ns?.routes.length ?? 0);
      item.iconPath = new vscode.ThemeIcon('git-merge');
      return item;
    }
    if (node.type === 'route') {
      const r = node.route;
      const item = new vscode.TreeItem(r.to);
      item.description = `${r.via ? `via ${r.via} ` : ''}${r.dev ? `dev ${r.dev} ` : ''}${r.protocol}${r.metric ? ` metric ${r.metric}` : ''}`;
      item.iconPath = new vscode.ThemeIcon(r.to === 'default' ? 'globe' : 'arrow-right');
      item.contextValue = 'route';
      return item;
    }
    return new vscode.TreeItem('?');
  }
}

export class BridgesTree extends BaseTree {
  getChildren(node?: TreeNode): TreeNode[] {
    const status = this.statusNodes();
    const live = this.live.live;
    if (!node) {
      if (status) return status;
      const out: TreeNode[] = [];
      for (const ns of [live!.host, ...live!.namespaces]) for (const l of ns.links) if (l.kind === 'bridge') out.push({ type: 'bridge', ns: ns.name, name: l.name });
      return out.length ? out : [{ type: 'info', label: 'No bridges' }];
    }
    if (node.type === 'bridge') {
      const ns = this.live.namespace(node.ns);
      return (ns?.links ?? []).filter((l) => l.master === node.name).map((l): TreeNode => ({ type: 'if', ns: node.ns, name: l.name }));
    }
    return [];
  }

  getTreeItem(node: TreeNode): vscode.TreeItem {
    if (node.type === 'info') return this.infoItem(node);
    if (isOther(node)) return new vscode.TreeItem('?');
    const ns = 'ns' in node ? this.live.namespace(node.ns) : undefined;
    const l = ns?.links.find((x) => 'name' in node && x.name === node.name);
    if (node.type === 'bridge') {
      const item = new vscode.TreeItem(node.name, vscode.TreeItemCollapsibleState.Expanded);
      item.id = `br:${node.ns ?? ''}:${node.name}`;
      const ports = ns?.links.filter((x) => x.master === node.name).length ?? 0;
      item.description = `${node.ns ?? 'host'} · ${l ? linkState(l) : '?'} · ${ports} port(s)${l?.addresses.length ? ` · ${l.addresses.filter((a) => a.scope !== 'link').map((a) => a.cidr).join(' ')}` : ''}`;
      item.iconPath = new vscode.ThemeIcon('type-hierarchy-sub');
      item.contextValue = `interface.bridge${l?.owner ? '.owned' : ''}${l?.up ? '.up' : '.down'}`;
      return item;
    }
    if (node.type === 'if' && ns && l) return this.ifItem(ns, l);
    return new vscode.TreeItem('?');
  }
}
