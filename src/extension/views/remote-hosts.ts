/**
 * The Namespaces view's level per remote host (issue 19): for each workspace topology with
 * `hosts` that is applied, a node per remote host with the namespaces its part made there,
 * read through that host's helper (observe) when the view is refreshed, never on every live
 * event. The local machine stays live as before (trees.ts).
 */
import * as vscode from 'vscode';
import type { LabHost } from '../../core/plan/hosts-split.js';
import { hostsOf } from '../../core/plan/hosts-split.js';
import { isMultiHost } from '../../core/model/hosts-layout.js';
import type { Topology } from '../../core/model/model.js';
import type { LiveNs } from '../../core/observe/observe.js';
import type { MultiOptions } from '../../engine/multihost.js';
import { ifDescription, type OtherLevel } from './trees.js';

export type HostNode = { type: 'rhost'; host: string; topology: string };
export type RemoteNsNode = { type: 'rns'; host: string; topology: string; ns: string };
export type RemoteIfNode = { type: 'rif'; host: string; topology: string; ns: string; name: string };
export type RemoteNode = HostNode | RemoteNsNode | RemoteIfNode;

export const isRemote = (n: { type: string }): n is RemoteNode => n.type === 'rhost' || n.type === 'rns' || n.type === 'rif';

/** what one remote host of one topology holds, or why it could not be read */
export interface HostView { topology: string; host: LabHost; namespaces: LiveNs[]; error?: string }

export class RemoteHosts implements OtherLevel {
  private views: HostView[] = [];
  private readonly emitter = new vscode.EventEmitter<void>();
  readonly onDidChange = this.emitter.event;
  private reading: Promise<void> | undefined;

  /** topologies: the workspace's valid ones; connect: a host's helper (closed after the read) */
  constructor(private readonly topologies: () => Promise<Topology[]>, private readonly connect: () => MultiOptions['connect']) {}

  /** reads every remote host of every applied multi-host topology again */
  refresh(): Promise<void> {
    this.reading ??= this.read().finally(() => { this.reading = undefined; this.emitter.fire(); });
    return this.reading;
  }

  private async read(): Promise<void> {
    const out: HostView[] = [];
    const connect = this.connect();
    for (const t of (await this.topologies()).filter(isMultiHost)) {
      const views = await Promise.all(hostsOf(t).filter((h) => h.ssh !== undefined).map(async (h): Promise<HostView> => {
        try {
          const c = await connect(h);
          try {
            const live = await c.observe({});
            return { topology: t.name, host: h, namespaces: live.namespaces.filter((n) => n.owner === t.name) };
          } finally { await c.close(); }
        } catch (e) { return { topology: t.name, host: h, namespaces: [], error: (e as Error).message }; }
      }));
      // applied: some host holds a namespace of it (a host that could not be read is shown with why)
      if (views.some((v) => v.namespaces.length)) out.push(...views);
    }
    this.views = out;
  }

  private view(n: RemoteNode): HostView | undefined {
    return this.views.find((v) => v.topology === n.topology && v.host.name === n.host);
  }

  roots(): RemoteNode[] {
    return this.views.map((v) => ({ type: 'rhost', host: v.host.name, topology: v.topology }));
  }

  children(n: RemoteNode): RemoteNode[] {
    const v = this.view(n);
    if (!v) return [];
    if (n.type === 'rhost') return v.namespaces.map((ns) => ({ type: 'rns', host: n.host, topology: n.topology, ns: ns.name! }));
    if (n.type === 'rns') return (v.namespaces.find((x) => x.name === n.ns)?.links ?? []).map((l) => ({ type: 'rif', host: n.host, topology: n.topology, ns: n.ns, name: l.name }));
    return [];
  }

  parent(n: RemoteNode): RemoteNode | undefined {
    if (n.type === 'rns') return { type: 'rhost', host: n.host, topology: n.topology };
    if (n.type === 'rif') return { type: 'rns', host: n.host, topology: n.topology, ns: n.ns };
    return undefined;
  }

  /** the ssh target of a host of a topology (for a terminal) */
  hostOf(topology: string, host: string): LabHost | undefined {
    return this.views.find((v) => v.topology === topology && v.host.name === host)?.host;
  }

  item(n: RemoteNode): vscode.TreeItem {
    const v = this.view(n);
    if (n.type === 'rhost') {
      const item = new vscode.TreeItem(`host ${n.host}`, vscode.TreeItemCollapsibleState.Expanded);
      item.id = `rhost:${n.topology}:${n.host}`;
      item.description = v?.error ? `cannot read: ${v.error}` : `${n.topology} · ${v?.namespaces.length ?? 0} namespace(s) · ssh ${v?.host.ssh ?? ''}`;
      item.tooltip = `Host ${n.host} of topology ${n.topology} (${v?.host.ssh ?? ''}), read through its helper when the view is refreshed`;
      item.iconPath = new vscode.ThemeIcon(v?.error ? 'warning' : 'remote');
      item.contextValue = 'remoteHost';
      return item;
    }
    const ns = v?.namespaces.find((x) => x.name === n.ns);
    if (n.type === 'rns') {
      const item = new vscode.TreeItem(n.ns, vscode.TreeItemCollapsibleState.Collapsed);
      item.id = `rns:${n.topology}:${n.host}:${n.ns}`;
      item.description = `${n.topology} on ${n.host} · ${ns?.links.filter((l) => l.kind !== 'loopback').length ?? 0} interface(s)`;
      item.iconPath = new vscode.ThemeIcon('vm');
      // Open Terminal (its menu matches /^namespace/) opens an ssh terminal; nothing local applies to it
      item.contextValue = 'namespace.remote';
      return item;
    }
    const l = ns?.links.find((x) => x.name === n.name);
    const item = new vscode.TreeItem(n.name);
    item.id = `rif:${n.topology}:${n.host}:${n.ns}:${n.name}`;
    if (l) item.description = ifDescription(l);
    item.iconPath = new vscode.ThemeIcon(l?.up ? 'circle-filled' : 'circle-outline');
    return item;
  }
}
