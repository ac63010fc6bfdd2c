/**
 * The live state of the machine for the views and the canvas: one full observation, then
 * the helper's watch; an event re-reads only the namespace it names (debounced), so a change
 * shows within a fraction of a second and 300 namespaces are not re-read for one link.
 * It watches only while something is looking (a visible view or a live canvas).
 */
import * as vscode from 'vscode';
import type { LiveEvent } from '../core/monitor.js';
import type { LiveNs, LiveState } from '../core/observe.js';
import type { HelperSession } from './helper-session.js';

export class LiveModel implements vscode.Disposable {
  private state: LiveState | undefined;
  private loading: Promise<void> | undefined;
  private watch: { stop(): Promise<void> } | undefined;
  private readonly users = new Set<object>();
  private readonly pending = new Map<string, ReturnType<typeof setTimeout>>();
  private readonly emitter = new vscode.EventEmitter<{ ns: string | null | undefined }>();
  /** fired with the namespace that changed (undefined: everything) */
  readonly onDidChange = this.emitter.event;
  lastError: string | undefined;

  constructor(private readonly session: HelperSession) {}

  get live(): LiveState | undefined { return this.state; }

  namespace(name: string | null): LiveNs | undefined {
    if (!this.state) return undefined;
    return name === null ? this.state.host : this.state.namespaces.find((n) => n.name === name);
  }

  /** someone looks (a visible view): observe and watch; release() when they stop */
  async acquire(user: object): Promise<void> {
    this.users.add(user);
    if (!this.state) await this.reload();
    if (!this.watch && this.users.size) this.startWatch();
  }

  release(user: object): void {
    this.users.delete(user);
    if (!this.users.size && this.watch) {
      const w = this.watch;
      this.watch = undefined;
      void w.stop().catch(() => undefined);
    }
  }

  /** a full observation (also the Refresh command) */
  reload(): Promise<void> {
    this.loading ??= (async () => {
      try {
        this.state = await this.session.request<LiveState>('observe', { forwarding: true });
        this.lastError = undefined;
      } catch (e) {
        this.lastError = (e as Error).message;
      } finally {
        this.loading = undefined;
      }
      this.emitter.fire({ ns: undefined });
    })();
    return this.loading;
  }

  private startWatch(): void {
    if (!(vscode.workspace.getConfiguration('netnsLab').get<boolean>('liveMonitor') ?? true)) return;
    void this.session.get().then((client) => {
      if (this.watch || !this.users.size) return;
      const w = client.watch((e) => this.onEvent(e));
      this.watch = w;
      void w.done.catch(() => undefined).then(() => { if (this.watch === w) this.watch = undefined; });
    }).catch((e: Error) => { this.lastError = e.message; });
  }

  private onEvent(e: LiveEvent): void {
    const key = e.ns === undefined ? '*' : e.ns === null ? '' : e.ns;
    if (this.pending.has(key)) return;
    // a burst of events (an apply) becomes one read per namespace
    this.pending.set(key, setTimeout(() => {
      this.pending.delete(key);
      void this.refreshOne(e);
    }, 80));
  }

  private async refreshOne(e: LiveEvent): Promise<void> {
    if (e.ns === undefined || !this.state) { await this.reload(); return; }
    if (e.kind === 'netns' && e.deleted) {
      this.state.namespaces = this.state.namespaces.filter((n) => n.name !== e.name);
      this.emitter.fire({ ns: undefined });
      return;
    }
    try {
      const part = await this.session.request<LiveState>('observe', { namespaces: e.ns === null ? [] : [e.ns], forwarding: true });
      this.state.host = part.host;
      this.state.firewall = part.firewall;
      if (e.ns !== null) {
        const fresh = part.namespaces.find((n) => n.name === e.ns);
        const i = this.state.namespaces.findIndex((n) => n.name === e.ns);
        if (fresh && i >= 0) this.state.namespaces[i] = fresh;
        else if (fresh) this.state.namespaces = [...this.state.namespaces, fresh].sort((a, b) => (a.name! < b.name! ? -1 : 1));
        else if (i >= 0) this.state.namespaces.splice(i, 1);
      }
      this.emitter.fire({ ns: e.kind === 'netns' ? undefined : e.ns });
    } catch (err) {
      this.lastError = (err as Error).message;
    }
  }

  dispose(): void {
    for (const t of this.pending.values()) clearTimeout(t);
    void this.watch?.stop().catch(() => undefined);
    this.emitter.dispose();
  }
}
