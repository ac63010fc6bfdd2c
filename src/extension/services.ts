/**
 * The services of the workspace's applied topologies (issue 16), for the Namespaces view, the
 * canvas badges and Problems. Services have no kernel events: they are read again (the helper's
 * `services`) when the live model changes, after each action, and every POLL_MS while someone
 * looks (a visible Namespaces view or canvas) and an applied topology has services.
 */
import * as vscode from 'vscode';
import type { Topology } from '../core/model/model.js';
import type { LiveService } from '../core/model/workloads.js';
import type { TopologyAnalyses } from './documents.js';
import type { HelperSession } from './helper-session.js';
import type { LiveModel } from './live.js';

export const POLL_MS = 5000;

/** a topology of the workspace with services: the open document's text when it is open (what Apply uses), else the file */
export interface ServiceSource { uri: vscode.Uri; topology: Topology }
export interface TopologyServices extends ServiceSource { services: LiveService[] }

export class ServicesModel implements vscode.Disposable {
  private readonly byTopo = new Map<string, TopologyServices>();
  private sources: Map<string, ServiceSource> | undefined;
  /** the names looked for when the sources were read: every valid topology of the workspace, and the owners on the machine then */
  private named = new Set<string>();
  private readonly users = new Set<object>();
  private readonly emitter = new vscode.EventEmitter<void>();
  /** fired after each read that changed what is known */
  readonly onDidChange = this.emitter.event;
  private readonly readEmitter = new vscode.EventEmitter<void>();
  /** fired after every read that found services (uptimes move on even when nothing changed) */
  readonly onDidRead = this.readEmitter.event;
  private readonly subs: vscode.Disposable[] = [];
  private timer: ReturnType<typeof setTimeout> | undefined;
  private poll: ReturnType<typeof setInterval> | undefined;
  private reading: Promise<void> | undefined;
  private again = false;
  lastError: string | undefined;

  constructor(private readonly session: HelperSession, private readonly live: LiveModel, private readonly analyses: TopologyAnalyses) {
    const w = vscode.workspace.createFileSystemWatcher('**/*.netns.json');
    const stale = () => { this.sources = undefined; this.schedule(); };
    this.subs.push(w, w.onDidChange(stale), w.onDidCreate(stale), w.onDidDelete(stale),
      vscode.workspace.onDidChangeTextDocument((e) => { if (e.document.uri.path.endsWith('.netns.json')) this.sources = undefined; }),
      live.onDidChange(() => this.schedule(100)));
  }

  /** the services of the topology named `name`, as last read (undefined: not applied, or none) */
  of(name: string | undefined): TopologyServices | undefined {
    return name === undefined ? undefined : this.byTopo.get(name);
  }

  /** the services running (or meant to run) in a namespace of the machine: its owner's */
  inNamespace(ns: string): { topo: TopologyServices; services: LiveService[] } | undefined {
    const topo = this.of(this.live.namespace(ns)?.owner);
    return topo ? { topo, services: topo.services.filter((s) => s.ns === ns) } : undefined;
  }

  all(): TopologyServices[] { return [...this.byTopo.values()]; }

  /** the topology to send for an action on a service of `name` (the open document's text first) */
  async source(name: string): Promise<ServiceSource | undefined> {
    return (await this.readSources()).get(name);
  }

  /** someone looks: read now and poll while services run; release() when they stop */
  acquire(user: object): void {
    this.users.add(user);
    this.schedule(0);
    this.syncPoll();
  }

  release(user: object): void {
    this.users.delete(user);
    this.syncPoll();
  }

  /** read again within ms (a burst of changes reads once) */
  schedule(ms = 0): void {
    if (this.timer) return;
    this.timer = setTimeout(() => { this.timer = undefined; void this.refresh(); }, ms);
  }

  /** one read at a time; one asked for meanwhile follows it */
  refresh(): Promise<void> {
    if (this.reading) { this.again = true; return this.reading; }
    this.reading = this.read().finally(() => {
      this.reading = undefined;
      this.syncPoll();
      if (this.again) { this.again = false; void this.refresh(); }
    });
    return this.reading;
  }

  private async read(): Promise<void> {
    const state = this.live.live;
    if (!state) return;
    const owners = new Set(state.namespaces.map((n) => n.owner).filter((o): o is string => !!o));
    // a topology applied from a file the cache has not seen yet (its watcher's event still to come)
    if ([...owners].some((o) => !this.named.has(o))) this.sources = undefined;
    const sources = await this.readSources();
    // (an owner without a file here, applied from elsewhere, is not looked for again until a file changes)
    for (const o of owners) this.named.add(o);
    const next = new Map<string, TopologyServices>();
    for (const [name, src] of sources) {
      if (!owners.has(name)) continue;
      try {
        next.set(name, { ...src, services: (await this.session.api.services({ topology: src.topology })).services });
        this.lastError = undefined;
      } catch (e) {
        this.lastError = (e as Error).message;
        const kept = this.byTopo.get(name);
        if (kept) next.set(name, kept);
      }
    }
    const changed = JSON.stringify([...next]) !== JSON.stringify([...this.byTopo]);
    this.byTopo.clear();
    for (const [k, v] of next) this.byTopo.set(k, v);
    if (changed) this.emitter.fire();
    if (changed || next.size) this.readEmitter.fire();
  }

  private async readSources(): Promise<Map<string, ServiceSource>> {
    if (this.sources) return this.sources;
    const out = new Map<string, ServiceSource>();
    const named = new Set<string>();
    const files = await vscode.workspace.findFiles('**/*.netns.json', '**/node_modules/**', 500);
    for (const uri of files.sort((a, b) => a.path.localeCompare(b.path))) {
      const open = vscode.workspace.textDocuments.find((d) => d.uri.toString() === uri.toString());
      const a = open ? this.analyses.of(open) : this.analyses.ofFile(uri, new TextDecoder().decode(await vscode.workspace.fs.readFile(uri)));
      const t = a.valid ? a.topology : undefined;
      if (t) named.add(t.name);
      if (t && !out.has(t.name) && (t.namespaces ?? []).some((n) => n.services?.length)) out.set(t.name, { uri, topology: t });
    }
    this.sources = out;
    this.named = named;
    return out;
  }

  /** poll only while someone looks and a service is known */
  private syncPoll(): void {
    const want = this.users.size > 0 && [...this.byTopo.values()].some((t) => t.services.length);
    if (want && !this.poll) this.poll = setInterval(() => void this.refresh(), POLL_MS);
    if (!want && this.poll) { clearInterval(this.poll); this.poll = undefined; }
  }

  dispose(): void {
    clearTimeout(this.timer);
    clearInterval(this.poll);
    for (const s of this.subs) s.dispose();
    this.emitter.dispose();
    this.readEmitter.dispose();
  }
}
