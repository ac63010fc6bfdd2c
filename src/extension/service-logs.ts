/**
 * Show Logs (issue 16): one Output channel per service that follows its log live, as
 * `netns-lab logs -f` does (the tail re-read every second, only what it adds appended). It
 * follows while the Output panel shows it (or until it was shown and then hidden), and stops
 * when the extension is disposed; Show Logs again follows it again.
 */
import * as vscode from 'vscode';
import { newPart } from '../core/diagnose/service-status.js';
import type { HelperSession } from './helper-session.js';

export const FOLLOW_MS = 1000;

export interface LogTarget { topo: string; ns: string; name: string }

interface Follow { channel: vscode.OutputChannel; last: string; timer?: ReturnType<typeof setInterval>; seen: boolean; reading: boolean }

/** the channel's name in the Output panel's list */
export const channelName = (t: LogTarget): string => `Netns Lab: ${t.ns}/${t.name} (${t.topo})`;

/** true when the Output panel shows this channel now (its editor is among the visible ones) */
function shown(name: string): boolean {
  return vscode.window.visibleTextEditors.some((e) => e.document.uri.scheme === 'output' && decodeURIComponent(e.document.uri.path).endsWith(name));
}

export class ServiceLogs implements vscode.Disposable {
  private readonly follows = new Map<string, Follow & { name: string }>();
  private readonly sub: vscode.Disposable;

  constructor(private readonly session: HelperSession) {
    // the Output panel switched channels or closed: a channel shown before and hidden now stops following
    this.sub = vscode.window.onDidChangeVisibleTextEditors(() => {
      for (const f of this.follows.values()) if (f.timer) this.sync(f);
    });
  }

  /** seen: it was shown since Show Logs; true when it should stop (shown before, hidden now) */
  private sync(f: Follow & { name: string }): boolean {
    if (shown(f.name)) { f.seen = true; return false; }
    if (!f.seen) return false;
    this.stop(f);
    return true;
  }

  /** the channel of a service, shown, following its log */
  async show(t: LogTarget): Promise<vscode.OutputChannel> {
    const key = `${t.topo}/${t.ns}/${t.name}`;
    let f = this.follows.get(key);
    if (!f) {
      f = { name: channelName(t), channel: vscode.window.createOutputChannel(channelName(t)), last: '', seen: false, reading: false };
      this.follows.set(key, f);
    }
    f.channel.show(true);
    f.seen = false;
    await this.tick(t, f);
    if (!f.timer) {
      const follow = f;
      follow.timer = setInterval(() => void this.tick(t, follow), FOLLOW_MS);
    }
    return f.channel;
  }

  /** is a service's log followed now (for tests) */
  following(t: LogTarget): boolean { return !!this.follows.get(`${t.topo}/${t.ns}/${t.name}`)?.timer; }

  private async tick(t: LogTarget, f: Follow & { name: string }): Promise<void> {
    if (this.sync(f) || f.reading) return;
    f.reading = true;
    try {
      const { text } = await this.session.api.logs({ topo: t.topo, ns: t.ns, name: t.name });
      const add = newPart(f.last, text);
      if (add) f.channel.append(add);
      f.last = text;
    } catch (e) {
      f.channel.appendLine(`[netns-lab] cannot read the log: ${(e as Error).message}`);
      this.stop(f);
    } finally {
      f.reading = false;
    }
  }

  private stop(f: Follow): void {
    clearInterval(f.timer);
    f.timer = undefined;
  }

  dispose(): void {
    this.sub.dispose();
    for (const f of this.follows.values()) { this.stop(f); f.channel.dispose(); }
    this.follows.clear();
  }
}
