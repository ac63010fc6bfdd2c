/**
 * Watching live: one `ip -o monitor all-nsid link address route` in the host sees every
 * namespace that has an nsid in the host (netns-lab gives its namespaces one); namespaces
 * without one get their own `ip -n NS monitor`; `ip netns monitor` reports namespaces added and
 * removed. Events are only pointers ("ns1 changed"): the reader re-observes that namespace.
 */
import { parseMonitorLine, parseNetnsMonitorLine, toEvent, type LiveEvent } from '../core/observe/monitor.js';
import { parseJsonStream, parseNsids } from '../core/observe/observe.js';
import { nsNameProblem } from '../core/model/names.js';
import type { Runner } from './runner.js';

const WHAT = ['link', 'address', 'route'];

export interface Watch { stop(): Promise<void> }

export async function startWatch(sys: Runner, emit: (e: LiveEvent) => void): Promise<Watch> {
  let nsids: Record<number, string | null> = {};
  const perNs = new Map<string, { stop(): Promise<void> }>();
  let stopped = false;

  const refresh = async (): Promise<void> => {
    const ids = await sys.run(['ip', '-j', 'netns', 'list-id']);
    nsids = parseNsids(parseJsonStream(ids.stdout)[0]);
    const list = await sys.run(['ip', '-j', 'netns', 'list']);
    const all = ((parseJsonStream(list.stdout)[0] ?? []) as { name?: string; id?: number }[]).filter((n) => n.name && !nsNameProblem(n.name));
    if (stopped) return;
    // a namespace without an nsid in the host is invisible to all-nsid: watch it on its own
    for (const n of all) {
      if (n.id === undefined && !perNs.has(n.name!)) {
        const name = n.name!;
        perNs.set(name, sys.stream(['ip', '-n', name, '-o', 'monitor', ...WHAT], (line) => {
          const l = parseMonitorLine(line);
          if (l) emit(toEvent(l, name, {}));
        }));
      }
    }
    for (const [name, s] of perNs) {
      if (!all.some((n) => n.name === name && n.id === undefined)) { void s.stop(); perNs.delete(name); }
    }
  };

  // one re-read at a time: events that ask for one meanwhile share the next (an apply of 200
  // namespaces must not start a listing of all namespaces per event)
  let running: Promise<void> | undefined;
  let again = false;
  const refreshSoon = (): Promise<void> => {
    if (running) { again = true; return running; }
    running = (async () => {
      do { again = false; await refresh(); } while (again && !stopped);
    })().finally(() => { running = undefined; });
    return running;
  };

  await refresh();
  const root = sys.stream(['ip', '-o', 'monitor', 'all-nsid', ...WHAT], (line) => {
    const l = parseMonitorLine(line);
    if (!l) return;
    if (typeof l.nsid === 'number' && !(l.nsid in nsids)) {
      void refreshSoon().then(() => emit(toEvent(l, null, nsids)));
      return;
    }
    emit(toEvent(l, null, nsids));
  });
  // iproute2 buffers `ip netns monitor` when it writes to a pipe: stdbuf makes it line-buffered
  const netns = sys.stream(['stdbuf', '-oL', 'ip', 'netns', 'monitor'], (line) => {
    const e = parseNetnsMonitorLine(line);
    if (!e || nsNameProblem(e.name)) return;
    emit({ ns: e.name, kind: 'netns', name: e.name, ...(e.added ? {} : { deleted: true }) });
    void refreshSoon();
  });
  return {
    async stop() {
      stopped = true;
      const all = [root.stop(), netns.stop(), ...[...perNs.values()].map((s) => s.stop())];
      perNs.clear();
      await Promise.all(all);
    },
  };
}
