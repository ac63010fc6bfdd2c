/**
 * The live state of the machine for the views and the canvas: one full observation, then
 * the helper's watch; an event re-reads only the namespace it names (debounced, and batched
 * with the others of a burst), so a change shows within a fraction of a second and 300
 * namespaces are not re-read for one link.
 * It watches only while something is looking (a visible view or a live canvas).
 */
import * as vscode from 'vscode';
import type { LiveEvent } from '../core/monitor.js';
import { mergeObservation, type LiveNs, type LiveState } from '../core/observe.js';
import type { Topology } from '../core/model.js';
import { observeScope, plan, type Plan } from '../core/plan.js';
import type { HelperSession } from './helper-session.js';

export class LiveModel implements vscode.Disposable {
  private state: LiveState | undefined;
  private loading: Promise<void> | undefined;
  private watch: { stop(): Promise<void> } | undefined;
  private readonly users = new Set<object>();
  /** what events said changed since the last read: namespaces (null: the host), removed ones, everything */
  private readonly dirty = new Set<string | null>();
  private readonly gone = new Set<string>();
  private dirtyAll = false;
  private structural = false;
  private timer: ReturnType<typeof setTimeout> | undefined;
  private flushing = false;
  /** operations in flight (an apply) during which events only accumulate */
  private held = 0;
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

  /**
   * The plan of a topology against the state this model already holds (the planner is pure):
   * views and live canvases need no helper round trip and no new observation per change.
   * Undefined when there is no state yet or the topology needs sysctls the model did not read.
   */
  planOf(t: Topology): Plan | undefined {
    const state = this.state;
    // only a watched state is current
    if (!state || this.loading || !this.watch || this.held || this.timer || this.flushing || this.dirtyAll || this.dirty.size || this.gone.size) return undefined;
    for (const [ns, keys] of Object.entries(observeScope(t).sysctls)) {
      const l = this.namespace(ns);
      if (l && keys.some((k) => !(k in l.sysctls))) return undefined;
    }
    return plan(t, state);
  }

  /**
   * Run an operation that changes many namespaces (apply, destroy): its events only mark what
   * changed, and one read follows it, instead of reads racing the operation in the helper.
   */
  async hold<T>(fn: () => Promise<T>): Promise<T> {
    this.held++;
    try {
      return await fn();
    } finally {
      this.held--;
      if (!this.held && (this.dirtyAll || this.dirty.size || this.gone.size)) this.schedule();
    }
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
        this.state = await this.session.api.observe({ forwarding: true });
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
    if (e.ns === undefined) this.dirtyAll = true;
    else if (e.kind === 'netns' && e.deleted && e.ns !== null) { this.gone.add(e.ns); this.dirty.delete(e.ns); } else {
      if (e.kind === 'netns' && e.ns !== null) { this.structural = true; this.gone.delete(e.ns); }
      this.dirty.add(e.ns);
    }
    this.schedule();
  }

  /**
   * Events become one read of every namespace they name, one read at a time: a burst (an
   * apply of 200 namespaces) becomes a few reads, not one (of the host too) per event.
   */
  private schedule(): void {
    if (this.timer || this.flushing || this.held) return;
    this.timer = setTimeout(() => { this.timer = undefined; void this.flush(); }, 80);
  }

  private async flush(): Promise<void> {
    this.flushing = true;
    const names = [...this.dirty];
    const gone = [...this.gone];
    const structural = this.structural || gone.length > 0;
    this.dirty.clear();
    this.gone.clear();
    this.structural = false;
    try {
      if (this.dirtyAll || !this.state) { this.dirtyAll = false; await this.reload(); return; }
      const state = this.state;
      if (gone.length) state.namespaces = state.namespaces.filter((n) => !gone.includes(n.name!));
      const nss = names.filter((n): n is string => n !== null);
      if (names.length) {
        const part = await this.session.api.observe({ namespaces: nss, forwarding: true });
        // the fresh host's veths are paired again with the namespaces not re-read
        this.state = mergeObservation(state, part, new Set(nss));
      }
      this.emitter.fire({ ns: !structural && names.length === 1 ? names[0] : undefined });
    } catch (err) {
      this.lastError = (err as Error).message;
    } finally {
      this.flushing = false;
      if (this.dirtyAll || this.dirty.size || this.gone.size) this.schedule();
    }
  }

  dispose(): void {
    clearTimeout(this.timer);
    void this.watch?.stop().catch(() => undefined);
    this.emitter.dispose();
  }
}
