/** The Topologies view: the workspace's *.netns.json files and how the machine compares to each. */
import * as vscode from 'vscode';
import { overallStatus, planTopology, type Overall } from '../../engine/engine.js';
import type { TopologyAnalyses } from '../documents.js';
import type { HelperSession } from '../helper-session.js';
import type { LiveModel } from '../live.js';
import { isMultiHost } from '../../core/model/hosts-layout.js';
import type { Topology } from '../../core/model/model.js';

/** a lab across hosts: each host's overall state (undefined: the host could not be read), through the multi-host orchestration */
export type HostsStatus = (t: Topology) => Promise<{ host: string; overall?: Overall; message?: string }[]>;

/** one state for a lab from its hosts' states */
export function combinedStatus(hosts: { overall?: Overall }[]): Overall | 'unknown' {
  const s = hosts.map((h) => h.overall);
  if (s.some((x) => x === undefined)) return 'unknown';
  if (s.includes('clash')) return 'clash';
  if (s.every((x) => x === 'in-sync')) return 'in-sync';
  if (s.every((x) => x === 'not-applied')) return 'not-applied';
  return s.includes('drifted') && !s.includes('not-applied') && !s.includes('partly-applied') ? 'drifted' : 'partly-applied';
}

const LIVE_DELAY_MS = 50;

export interface TopologyNode { uri: vscode.Uri; name: string | undefined; status: Overall | 'invalid' | 'unknown'; detail?: string; counts?: Record<string, number> }

const ICONS: Record<TopologyNode['status'], [string, string]> = {
  'in-sync': ['pass-filled', 'testing.iconPassed'],
  'not-applied': ['circle-large-outline', 'descriptionForeground'],
  drifted: ['warning', 'list.warningForeground'],
  'partly-applied': ['circle-slash', 'list.warningForeground'],
  clash: ['error', 'list.errorForeground'],
  invalid: ['error', 'list.errorForeground'],
  unknown: ['question', 'descriptionForeground'],
};

export class TopologiesTree implements vscode.TreeDataProvider<TopologyNode>, vscode.Disposable {
  private readonly emitter = new vscode.EventEmitter<TopologyNode | undefined>();
  readonly onDidChangeTreeData = this.emitter.event;
  private nodes: TopologyNode[] | undefined;
  private timer: ReturnType<typeof setTimeout> | undefined;
  private readonly subs: vscode.Disposable[] = [];
  private visible = false;
  private due = 0;
  private computing: Promise<void> | undefined;
  private again = false;

  /** labs across hosts: their last status by file, recomputed when the file changes or on Refresh (not on every live event) */
  private readonly multi = new Map<string, { text: string; node: TopologyNode }>();
  private rereadHosts = false;
  private readonly readingHosts = new Set<string>();

  constructor(private readonly session: HelperSession, private readonly live: LiveModel, private readonly analyses: TopologyAnalyses, private readonly hostsStatus?: HostsStatus) {
    const w = vscode.workspace.createFileSystemWatcher('**/*.netns.json');
    this.subs.push(w, w.onDidChange(() => this.schedule()), w.onDidCreate(() => this.schedule()), w.onDidDelete(() => this.schedule()),
      // a live change shows at once (the live model batches events already)
      live.onDidChange(() => this.schedule(LIVE_DELAY_MS)));
  }

  attach(view: vscode.TreeView<TopologyNode>): void {
    this.subs.push(view.onDidChangeVisibility(() => { this.visible = view.visible; if (this.visible) this.schedule(0); }));
    this.visible = view.visible;
  }

  /**
   * Statuses are plans: recompute within `ms` (a file change: a second), only while the view is
   * visible. A burst of changes does not push the computation further: a due one stays due.
   */
  schedule(ms = 1000): void {
    if (!this.visible && this.nodes) return;
    const due = Date.now() + ms;
    if (this.timer && this.due <= due) return;
    clearTimeout(this.timer);
    this.due = due;
    this.timer = setTimeout(() => { this.timer = undefined; this.run(); }, ms);
  }

  /** one computation at a time: one asked for meanwhile runs after it, with what changed since */
  private run(): void {
    if (this.computing) { this.again = true; return; }
    this.computing = this.compute().catch(() => undefined).finally(() => {
      this.computing = undefined;
      if (this.again) { this.again = false; this.schedule(0); }
    });
  }

  async compute(): Promise<void> {
    // a read of the machine is due: its change event computes with the fresh state
    if (this.live.pending) return;
    const files = await vscode.workspace.findFiles('**/*.netns.json', '**/node_modules/**', 500);
    const out: TopologyNode[] = [];
    this.analyses.retainFiles(files);
    for (const uri of files.sort((a, b) => a.path.localeCompare(b.path))) {
      const text = new TextDecoder().decode(await vscode.workspace.fs.readFile(uri));
      const v = this.analyses.ofFile(uri, text);
      if (!v.valid || !v.topology) {
        out.push({ uri, name: v.topology?.name, status: 'invalid', detail: v.diagnostics.find((d) => d.severity === 'error')?.message });
        continue;
      }
      if (isMultiHost(v.topology) && this.hostsStatus) { out.push(await this.multiHostNode(uri, text, v.topology)); continue; }
      try {
        // from the live model's state when it has one (no new observation per change)
        const p = this.live.planOf(v.topology) ?? await planTopology(this.session.api, v.topology);
        const counts: Record<string, number> = {};
        for (const o of p.objects) counts[o.state] = (counts[o.state] ?? 0) + 1;
        out.push({ uri, name: v.topology.name, status: overallStatus(p.objects), counts, ...(p.errors[0] ? { detail: p.errors[0].message } : {}) });
      } catch (e) {
        out.push({ uri, name: v.topology.name, status: 'unknown', detail: (e as Error).message });
      }
    }
    this.nodes = out;
    this.rereadHosts = false;
    this.emitter.fire(undefined);
  }

  /** Refresh: read every host of the labs across hosts again */
  refreshHosts(): void {
    this.rereadHosts = true;
    this.schedule(0);
  }

  /** the last status of a lab across hosts; a read of its hosts (ssh: seconds) runs beside, then the view is computed again */
  private async multiHostNode(uri: vscode.Uri, text: string, t: Topology): Promise<TopologyNode> {
    const key = uri.toString();
    const cached = this.multi.get(key);
    if (cached && cached.text === text && !this.rereadHosts) return cached.node;
    if (!this.readingHosts.has(key)) {
      this.readingHosts.add(key);
      void this.readHosts(uri, t).then((node) => { this.multi.set(key, { text, node }); })
        .finally(() => { this.readingHosts.delete(key); this.schedule(0); });
    }
    return cached?.node ?? { uri, name: t.name, status: 'unknown', detail: 'reading its hosts…' };
  }

  private async readHosts(uri: vscode.Uri, t: Topology): Promise<TopologyNode> {
    try {
      const hosts = await this.hostsStatus!(t);
      return { uri, name: t.name, status: combinedStatus(hosts), detail: hosts.map((h) => `${h.host}: ${h.overall ?? h.message ?? '?'}`).join('\n') };
    } catch (e) {
      return { uri, name: t.name, status: 'unknown', detail: (e as Error).message };
    }
  }

  getChildren(node?: TopologyNode): TopologyNode[] {
    if (node) return [];
    if (!this.nodes) { this.schedule(0); return []; }
    return this.nodes;
  }

  getTreeItem(n: TopologyNode): vscode.TreeItem {
    const item = new vscode.TreeItem(n.name ?? vscode.workspace.asRelativePath(n.uri));
    item.id = `topo:${n.uri.toString()}`;
    item.resourceUri = n.uri;
    item.description = `${n.status}${n.counts ? ` · ${Object.entries(n.counts).map(([k, v]) => `${v} ${k}`).join(', ')}` : ''}`;
    const [icon, color] = ICONS[n.status];
    item.iconPath = new vscode.ThemeIcon(icon, new vscode.ThemeColor(color));
    item.tooltip = `${vscode.workspace.asRelativePath(n.uri)}: ${n.status}${n.detail ? `\n${n.detail}` : ''}`;
    item.contextValue = `topology.${n.status}`;
    item.command = { command: 'vscode.openWith', title: 'Open', arguments: [n.uri, 'netnsLab.topology'] };
    return item;
  }

  /** the status of a topology by name, for the status bar and the canvas */
  statusOf(name: string): Overall | 'invalid' | 'unknown' | undefined {
    return this.nodes?.find((n) => n.name === name)?.status;
  }

  dispose(): void {
    clearTimeout(this.timer);
    for (const s of this.subs) s.dispose();
    this.emitter.dispose();
  }
}
