/** The Topologies view: the workspace's *.netns.json files and how the machine compares to each. */
import * as vscode from 'vscode';
import { overallStatus, planTopology, type Overall } from '../../engine/engine.js';
import type { TopologyAnalyses } from '../documents.js';
import type { HelperSession } from '../helper-session.js';
import type { LiveModel } from '../live.js';

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

  constructor(private readonly session: HelperSession, private readonly live: LiveModel, private readonly analyses: TopologyAnalyses) {
    const w = vscode.workspace.createFileSystemWatcher('**/*.netns.json');
    this.subs.push(w, w.onDidChange(() => this.schedule()), w.onDidCreate(() => this.schedule()), w.onDidDelete(() => this.schedule()),
      live.onDidChange(() => this.schedule()));
  }

  attach(view: vscode.TreeView<TopologyNode>): void {
    this.subs.push(view.onDidChangeVisibility(() => { this.visible = view.visible; if (this.visible) this.schedule(0); }));
    this.visible = view.visible;
  }

  /** statuses are plans: recompute at most once a second, only while the view is visible */
  schedule(ms = 1000): void {
    if (!this.visible && this.nodes) return;
    clearTimeout(this.timer);
    this.timer = setTimeout(() => void this.compute(), ms);
  }

  async compute(): Promise<void> {
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
    this.emitter.fire(undefined);
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
