/**
 * The live state of the machine for the views and the canvas: one full observation, then
 * the helper's watch; an event re-reads only the namespace it names (debounced, and batched
 * with the others of a burst), so a change shows within a fraction of a second and 300
 * namespaces are not re-read for one link.
 * It watches only while something is looking (a visible view or a live canvas).
 */
import * as vscode from 'vscode';
import type { LiveEvent } from '../core/observe/monitor.js';
import { mergeObservation, type LiveNs, type LiveState } from '../core/observe/observe.js';
import type { Topology } from '../core/model/model.js';
import { observeScope, plan, type Plan } from '../core/plan/plan.js';
import { touchedScopes, type Step } from '../core/plan/steps.js';
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

  /** watched, but a read is due or running: planOf would be undefined, and onDidChange follows */
  get pending(): boolean {
    return !!this.watch && !!(this.loading || this.held || this.timer || this.flushing || this.dirtyAll || this.dirty.size || this.gone.size);
  }

  /**
   * Run an operation that changes many namespaces (apply, destroy): its events only mark what
   * changed, and one read follows it, instead of reads racing the operation in the helper.
   * The namespaces its `steps` change are re-read too: no event comes for some changes (a
   * qdisc), and the marks must agree with a fresh plan as soon as it ends.
   */
  async hold<T>(fn: () => Promise<T>, steps?: readonly Step[]): Promise<T> {
    this.held++;
    try {
      return await fn();
    } finally {
      this.held--;
      if (steps && this.state && this.watch) this.markTouched(steps);
      if (!this.held && (this.dirtyAll || this.dirty.size || this.gone.size)) this.schedule();
      // nothing to read: the views that waited for the operation compute now
      else if (!this.held) this.emitter.fire({ ns: undefined });
    }
  }

  /** the scopes of these steps (and the peers of their links, as last read) are due a read */
  private markTouched(steps: readonly Step[]): void {
    const peerOf = (ns: string | null, name: string) => this.namespace(ns)?.links.find((x) => x.name === name)?.peer?.ns;
    for (const s of steps) {
      if (s.op === 'netns-del') {
        for (const l of this.namespace(s.name)?.links ?? []) if (l.peer) this.dirty.add(l.peer.ns);
        this.gone.add(s.name);
        continue;
      }
      if (s.op === 'netns-add') this.structural = true;
      for (const sc of touchedScopes(s, peerOf)) this.dirty.add(sc);
    }
    for (const ns of this.gone) this.dirty.delete(ns);
  }

  /** someone looks (a visible view): observe and watch; release() when they stop */
  async acquire(user: object): Promise<void> {
    this.users.add(user);
    // a state kept from before the watch stopped missed what changed since
    if (!this.state || !this.watch) await this.reload();
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
      this.emitter.fire({ ns: undefined });
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
