/**
 * How a service's live state reads in VS Code (issue 16), pure: the Namespaces view's
 * description, the canvas badge of a namespace, and the Problems entry of a service that exited.
 */
import type { Diagnostic } from '../model/diagnostics.js';
import type { Topology } from '../model/model.js';
import type { LiveService } from '../model/workloads.js';

/** "42 s", "3 min", "2 h", "5 d" */
export function duration(ms: number): string {
  const s = Math.max(0, Math.round(ms / 1000));
  if (s < 120) return `${s} s`;
  if (s < 7200) return `${Math.round(s / 60)} min`;
  if (s < 172_800) return `${Math.round(s / 3600)} h`;
  return `${Math.round(s / 86_400)} d`;
}

const restarts = (n: number) => `${n} restart${n === 1 ? '' : 's'}`;

/** the tree's description: "running · pid 4242 · up 3 min · 0 restarts", "exited (code 1) · 2 restarts", "not started" */
export function serviceDescription(s: LiveService, now: number): string {
  switch (s.state) {
    case 'running':
      return [`running`, `pid ${s.pid}`, ...(s.since !== undefined ? [`up ${duration(now - s.since)}`] : []), restarts(s.restarts)].join(' · ');
    case 'exited':
      return [`exited${s.code !== undefined ? ` (code ${s.code})` : ''}`, restarts(s.restarts)].join(' · ');
    case 'starting':
      return [`starting`, restarts(s.restarts)].join(' · ');
    default:
      return 'not started';
  }
}

/** ok: all running; starting: some starting, none exited; exited: some exited; stopped: none running, none exited */
export type BadgeState = 'ok' | 'starting' | 'exited' | 'stopped';
export interface ServiceBadge { text: string; state: BadgeState; detail: string }

/** the badge of a namespace with services: "2 services · 1 exited", "1 service running" */
export function serviceBadge(list: readonly LiveService[], now: number): ServiceBadge | undefined {
  if (!list.length) return undefined;
  const count = (st: LiveService['state']) => list.filter((s) => s.state === st).length;
  const running = count('running');
  const exited = count('exited');
  const starting = count('starting');
  const n = list.length;
  const noun = `${n} service${n === 1 ? '' : 's'}`;
  const parts = [...(exited ? [`${exited} exited`] : []), ...(starting ? [`${starting} starting`] : [])];
  const stopped = n - running - exited - starting;
  if (stopped) parts.push(`${stopped} not started`);
  const text = parts.length ? `${noun} · ${parts.join(' · ')}` : `${noun} running`;
  const state: BadgeState = exited ? 'exited' : starting ? 'starting' : running === n ? 'ok' : 'stopped';
  const detail = list.map((s) => `${s.name}: ${serviceDescription(s, now)}`).join('\n');
  return { text, state, detail };
}

/**
 * A Problems entry for each service of the file that exited (and is not being restarted): on its
 * name in the file, an error naming a failure's exit code, a warning for a clean exit (code 0).
 */
export function serviceProblems(t: Topology, live: readonly LiveService[]): Diagnostic[] {
  const out: Diagnostic[] = [];
  (t.namespaces ?? []).forEach((ns, i) => (ns.services ?? []).forEach((svc, j) => {
    const s = live.find((x) => x.ns === ns.name && x.name === svc.name);
    if (s?.state !== 'exited') return;
    const failed = s.code !== 0;
    const how = s.code === undefined ? 'exited (its exit code is unknown: its supervisor went away)'
      : s.code > 128 ? `was ended by signal ${s.code - 128} (exit code ${s.code})` : `exited with code ${s.code}`;
    const tries = s.restarts ? ` after ${restarts(s.restarts)}` : '';
    out.push({
      severity: failed ? 'error' : 'warning', code: 'service-exited', path: ['namespaces', i, 'services', j, 'name'],
      message: `Service '${svc.name}' in ${ns.name} ${how}${tries}; it is not running. Show Logs says why; Start (Namespaces view) or Apply starts it again.`,
    });
  }));
  return out;
}

/**
 * What a re-read log adds to the text printed before: the text grew at its end, or (past the
 * 64 KiB window, or rotated) the end of the old text is found again, at most where it was
 */
export function newPart(last: string, text: string): string {
  if (text.startsWith(last)) return text.slice(last.length);
  const needle = last.slice(-256);
  const at = text.lastIndexOf(needle, last.length - needle.length);
  return at >= 0 ? text.slice(at + needle.length) : text;
}
