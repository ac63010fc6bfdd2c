/** Read the live state through the runner: one `ip -b` per namespace, one iptables-save. */
import { applyIntents, attachQdiscs, needNsidMap, parseObservation, parseJsonStream, shapedScopes, type LiveState, type RawNs } from '../core/observe.js';
import { readIntents } from './journal.js';
import { nsNameProblem } from '../core/names.js';
import { ETC_NETNS, inNetns } from '../core/render.js';
import type { Runner } from './runner.js';

/** per namespace: links with addresses and statistics, unicast routes of every table */
const BATCH = 'addr show\nroute show table all type unicast\n';
/** the host also reads its nsid map (namespace names of veth peers); others only when needed */
const HOST_BATCH = `${BATCH}netns list-id\n`;

export interface ObserveOptions {
  /** only these namespaces (others are not read) */
  namespaces?: string[];
  /** sysctl keys to read per namespace */
  sysctls?: Record<string, string[]>;
  /** read net.ipv4.ip_forward in every namespace */
  forwarding?: boolean;
  /** more sysctl keys to read in the host (ip_forward is always read) */
  hostSysctls?: string[];
  concurrency?: number;
}

/**
 * Run fn over items with at most n at a time. After the first failure no new item starts;
 * the ones already running are awaited, then the first error is thrown (so nothing is still
 * changing the system once a failure is reported and the lock is released).
 */
export async function pool<T, R>(items: T[], n: number, fn: (t: T) => Promise<R>): Promise<R[]> {
  const out = new Array<R>(items.length);
  let next = 0;
  let failed: { error: unknown } | undefined;
  await Promise.all(Array.from({ length: Math.min(n, items.length) }, async () => {
    while (next < items.length && !failed) {
      const i = next++;
      try {
        out[i] = await fn(items[i]!);
      } catch (error) {
        failed ??= { error };
      }
    }
  }));
  if (failed) throw failed.error;
  return out;
}

export class ObserveError extends Error {}

export async function listNamespaces(runner: Runner): Promise<string[]> {
  const r = await runner.run(['ip', '-j', 'netns', 'list']);
  if (r.code !== 0) throw new ObserveError(`ip netns list failed: ${r.stderr.trim()}`);
  const arr = (parseJsonStream(r.stdout)[0] ?? []) as { name?: string }[];
  // names iproute2 lists come from /run/netns: skip any we would not accept as a name
  return arr.map((x) => x.name ?? '').filter((n) => !nsNameProblem(n)).sort();
}

export async function observe(runner: Runner, opts: ObserveOptions = {}): Promise<LiveState> {
  const all = await listNamespaces(runner);
  const wanted = opts.namespaces ? all.filter((n) => opts.namespaces!.includes(n)) : all;
  const readNs = async (ns: string | null): Promise<RawNs> => {
    const argv = ns === null ? ['ip', '-j', '-d', '-s', '-b', '-'] : ['ip', '-n', ns, '-j', '-d', '-s', '-b', '-'];
    const r = await runner.run(argv, ns === null ? HOST_BATCH : BATCH);
    if (r.code !== 0) {
      // a namespace removed while we read it is not an error: it is simply gone
      if (ns !== null && !(await listNamespaces(runner)).includes(ns)) return { name: ns, ipJson: '' };
      throw new ObserveError(`reading ${ns ?? 'the host'} failed: ${r.stderr.trim()}`);
    }
    const keys = new Set(ns === null ? ['net.ipv4.ip_forward', ...(opts.hostSysctls ?? [])] : [...(opts.sysctls?.[ns] ?? []), ...(opts.forwarding ? ['net.ipv4.ip_forward'] : [])]);
    const sysctls: Record<string, string> = {};
    if (keys.size) {
      if (ns === null) {
        for (const k of keys) {
          const v = await runner.readFile(`/proc/sys/${k.replace(/\./g, '/')}`);
          if (v !== null) sysctls[k] = v.trim();
        }
      } else {
        const list = [...keys];
        const s = await runner.run(inNetns(ns, ['sysctl', '-n', ...list]));
        const vals = s.stdout.split('\n');
        list.forEach((k, i) => { if (vals[i] !== undefined && vals[i] !== '') sysctls[k] = vals[i]!.trim(); });
      }
    }
    return {
      name: ns, ipJson: r.stdout, sysctls,
      resolvConf: ns === null ? undefined : await runner.readFile(`${ETC_NETNS}/${ns}/resolv.conf`),
    };
  };
  const [host, fw, resolv, sd] = await Promise.all([
    readNs(null),
    runner.run(['iptables-save']),
    runner.readFile('/etc/resolv.conf'),
    runner.readFile('/run/systemd/resolve/resolv.conf'),
  ]);
  const nss = await pool(wanted, opts.concurrency ?? 4, readNs);
  const raw = {
    namespaces: [host, ...nss],
    ...(fw.code === 0 ? { iptablesSave: fw.stdout } : {}),
    hostResolvConf: resolv,
    systemdResolvConf: sd,
  };
  let live = parseObservation(raw);
  // veths between two namespaces: read those namespaces' nsid maps, then pair again
  const need = needNsidMap(live);
  if (need.length) {
    const maps = new Map(await pool(need, opts.concurrency ?? 4, async (ns) => {
      const r = await runner.run(['ip', '-n', ns, '-j', 'netns', 'list-id']);
      return [ns, r.code === 0 ? r.stdout : '[]'] as const;
    }));
    for (const n of nss) {
      const m = n.name !== null ? maps.get(n.name) : undefined;
      if (m !== undefined) n.ipJson = `${n.ipJson.trimEnd() || '[]\n[]'}\n${m}`;
    }
    live = parseObservation(raw);
  }
  await readShaping(runner, live, opts.concurrency ?? 4);
  return applyIntents(live, await readIntents(runner));
}

/**
 * Impairments: `tc -j qdisc show` only in the scopes where `ip link` named a netem or tbf root
 * qdisc (none in most topologies, so observe stays one ip batch per namespace).
 */
export async function readShaping(runner: Runner, live: LiveState, concurrency = 4): Promise<void> {
  await pool(shapedScopes(live), concurrency, async (scope) => {
    const r = await runner.run(scope === null ? ['tc', '-j', 'qdisc', 'show'] : ['tc', '-n', scope, '-j', 'qdisc', 'show']);
    if (r.code === 0) attachQdiscs(live, scope, r.stdout);
  });
}
