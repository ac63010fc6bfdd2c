/**
 * Read the live state through the runner. The host: one `ip -b`, one iptables-save. The
 * namespaces: a few `ip -force -b -` processes whose lines are `netns exec NS ip -j ... -b FILE`,
 * so iproute2 forks one small child per namespace and Node starts only a handful of processes
 * (spawning from Node costs ~3 ms of the event loop each: at 200 namespaces that was most of
 * the observe). A chunk in which any line fails is read again one namespace at a time.
 */
import { applyIntents } from '../core/observe/intent.js';
import {
  attachQdiscs, needNsidMap, parseObservation, parseJsonStream, pathSysctls, shapedScopes, splitBatchOutput, sysctlFromNetconf,
  type LiveState, type RawNs,
} from '../core/observe/observe.js';
import { nsIdentity, readIntents } from './journal.js';
import { nsNameProblem } from '../core/model/names.js';
import { ETC_NETNS, inNetns } from '../core/plan/render.js';
import { chunksOf, netnsBatches } from './netns-batch.js';
import { pool } from './pool.js';
import type { Runner } from './runner.js';
import { SCRATCH_DIR, observeBatchFile, privateScratch, sweepScratch } from './scratch.js';

/** the host: links with addresses and statistics, unicast routes of every table, its nsid map */
const HOST_BATCH = 'addr show\nroute show table all type unicast\nnetns list-id\n';
/**
 * a namespace: the same without the nsid map (read only where needed: iproute2 resolves every
 * id against every namespace, O(N^2) if read everywhere), plus netconf (forwarding, rp_filter)
 */
export const NS_BATCH = 'addr show\nroute show table all type unicast\nnetconf show\n';
/** JSON arrays a namespace's read prints (addr, route, netconf) */
export const NS_ARRAYS = 3;
/** the global options of every read */
export const IP_READ = ['-j', '-d', '-s'];
/** namespaces per `ip -force -b -` process, at least */
const CHUNK_MIN = 8;

export interface ObserveOptions {
  /** only these namespaces (others are not read) */
  namespaces?: string[];
  /** sysctl keys to read per namespace */
  sysctls?: Record<string, string[]>;
  /** for the path walk: read net.ipv4.ip_forward and the rp_filter of `all` and every interface in every namespace */
  forwarding?: boolean;
  /** more sysctl keys to read in the host (ip_forward is always read) */
  hostSysctls?: string[];
  concurrency?: number;
  /**
   * namespaces already read (the NS_BATCH arrays, then optionally `netns list-id`'s, e.g. by an
   * apply's batch right after its last step in that namespace): used as they are, not read again
   */
  preread?: ReadonlyMap<string, unknown[]>;
}

/** the pool moved to pool.ts; kept here for the callers (and tests) that import it from observe */
export { pool };

export class ObserveError extends Error {}

export async function listNamespaces(runner: Runner): Promise<string[]> {
  const r = await runner.run(['ip', '-j', 'netns', 'list']);
  if (r.code !== 0) throw new ObserveError(`ip netns list failed: ${r.stderr.trim()}`);
  const arr = (parseJsonStream(r.stdout)[0] ?? []) as { name?: string }[];
  // names iproute2 lists come from /run/netns: skip any we would not accept as a name
  return arr.map((x) => x.name ?? '').filter((n) => !nsNameProblem(n)).sort();
}

/** lines `netns exec NS ip ARGS` (or `tc ARGS`) in a few parallel `ip -force -b -`; a chunk that failed is left out */
async function readChunked(runner: Runner, names: string[], args: string[], arrays: number, concurrency: number, tool: 'ip' | 'tc' = 'ip'): Promise<Map<string, unknown[]>> {
  const out = new Map<string, unknown[]>();
  if (!names.length) return out;
  const k = Math.max(1, Math.min(concurrency, Math.ceil(names.length / CHUNK_MIN)));
  await netnsBatches(runner, chunksOf(names, Math.ceil(names.length / k)), k, (chunk) => chunk.map((ns) => ({ ns, command: `${tool} ${args.join(' ')}` })), 'read', (chunk, r) => {
    const m = splitBatchOutput(chunk, arrays, r.stdout, r.stderr);
    if (m) for (const [n, v] of m) out.set(n, v);
  });
  return out;
}

/** the host: one `ip -b`, then its sysctls */
async function readHost(runner: Runner, opts: ObserveOptions): Promise<RawNs> {
  const r = await runner.run(['ip', ...IP_READ, '-b', '-'], HOST_BATCH);
  if (r.code !== 0) throw new ObserveError(`reading the host failed: ${r.stderr.trim()}`);
  const sysctls: Record<string, string> = {};
  for (const k of new Set(['net.ipv4.ip_forward', ...(opts.hostSysctls ?? [])])) {
    const v = await runner.readFile(`/proc/sys/${k.replace(/\./g, '/')}`);
    if (v !== null) sysctls[k] = v.trim();
  }
  return { name: null, ipJson: r.stdout, sysctls };
}

/** one namespace on its own (a chunk failed: e.g. a namespace removed while we read) */
async function readOne(runner: Runner, ns: string): Promise<unknown[] | null> {
  const r = await runner.run(['ip', '-n', ns, ...IP_READ, '-b', '-'], NS_BATCH);
  if (r.code === 0) return parseJsonStream(r.stdout);
  // a namespace removed while we read it is not an error: it is simply gone
  if (!(await listNamespaces(runner)).includes(ns)) return null;
  throw new ObserveError(`reading ${ns} failed: ${r.stderr.trim()}`);
}

/** many namespaces' NS_BATCH in chunks; the children read their commands from a root-owned file (without it: none read) */
async function readBatched(runner: Runner, toRead: string[], concurrency: number): Promise<Map<string, unknown[]>> {
  await sweepScratch(runner);
  const file = observeBatchFile();
  const ok = (await privateScratch(runner, SCRATCH_DIR)) && (await runner.writeFile(file, NS_BATCH, 0o600).then(() => true, () => false));
  if (!ok) return new Map();
  try {
    return await readChunked(runner, toRead, [...IP_READ, '-b', file], NS_ARRAYS, concurrency);
  } finally {
    await runner.unlink(file).catch(() => undefined);
  }
}

/** a namespace's raw state from its read (the NS_BATCH arrays), its sysctls and resolv.conf */
async function rawNs(runner: Runner, ns: string, arrays: unknown[], opts: ObserveOptions, etcNetns: Promise<string[]>): Promise<RawNs> {
  const [addr, route, netconf, nsidMap] = arrays;
  const keys = new Set([...(opts.sysctls?.[ns] ?? []), ...(opts.forwarding ? ['net.ipv4.ip_forward'] : [])]);
  // the path walk's: forwarding and every interface's rp_filter, all in the netconf already read
  const sysctls: Record<string, string> = opts.forwarding ? pathSysctls(netconf) : {};
  const others: string[] = [];
  for (const k of keys) {
    if (k in sysctls) continue;
    const v = sysctlFromNetconf(netconf, k);
    if (v !== undefined) sysctls[k] = v; else others.push(k);
  }
  if (others.length) {
    const s = await runner.run(inNetns(ns, ['sysctl', '-n', ...others]));
    const vals = s.stdout.split('\n');
    others.forEach((k, i) => { if (vals[i] !== undefined && vals[i] !== '') sysctls[k] = vals[i]!.trim(); });
  }
  // a read-back may hold the namespace's nsid map too (`netns list-id`, see execute.ts)
  return { name: ns, ipJson: '', parsed: [addr ?? [], route ?? [], ...(nsidMap !== undefined ? [nsidMap] : [])], sysctls, resolvConf: (await etcNetns).includes(ns) ? await runner.readFile(`${ETC_NETNS}/${ns}/resolv.conf`) : null };
}

async function readNamespaces(runner: Runner, wanted: string[], opts: ObserveOptions, concurrency: number, etcNetns: Promise<string[]>): Promise<RawNs[]> {
  let batched = new Map<string, unknown[]>();
  const toRead = wanted.filter((n) => !opts.preread?.has(n));
  if (toRead.length > 1) batched = await readBatched(runner, toRead, concurrency);
  const rest = await pool(toRead.filter((n) => !batched.has(n)), concurrency, async (n) => [n, await readOne(runner, n)] as const);
  for (const [n, v] of rest) if (v) batched.set(n, v);
  for (const n of wanted) if (opts.preread?.has(n)) batched.set(n, opts.preread.get(n)!);
  return pool(wanted.filter((n) => batched.has(n)), concurrency, (ns) => rawNs(runner, ns, batched.get(ns)!, opts, etcNetns));
}

/** resolv.conf files left without their namespace (a destroy killed between the two) */
async function strayResolvConfs(runner: Runner, etcNetns: string[], all: string[]): Promise<{ ns: string; content: string }[]> {
  const out: { ns: string; content: string }[] = [];
  for (const name of etcNetns) {
    if (all.includes(name) || nsNameProblem(name)) continue;
    const content = await runner.readFile(`${ETC_NETNS}/${name}/resolv.conf`);
    if (content !== null) out.push({ ns: name, content });
  }
  return out;
}

/** the nsid maps of these namespaces (veths between two namespaces are paired through them) */
async function readNsidMaps(runner: Runner, need: string[], concurrency: number): Promise<Map<string, unknown[]>> {
  const maps = need.length > 1 ? await readChunked(runner, need, ['-j', 'netns', 'list-id'], 1, concurrency) : new Map<string, unknown[]>();
  for (const [ns, v] of await pool(need.filter((n) => !maps.has(n)), concurrency, async (ns) => {
    const r = await runner.run(['ip', '-n', ns, '-j', 'netns', 'list-id']);
    return [ns, r.code === 0 ? parseJsonStream(r.stdout) : [[]]] as const;
  })) maps.set(ns, v);
  return maps;
}

export async function observe(runner: Runner, opts: ObserveOptions = {}): Promise<LiveState> {
  // what does not need the list of namespaces starts at once, beside the listing
  const early = <T>(p: Promise<T>): Promise<T> => { p.catch(() => undefined); return p; };
  const fwP = early(runner.run(['iptables-save']));
  const resolvP = early(runner.readFile('/etc/resolv.conf'));
  const sdP = early(runner.readFile('/run/systemd/resolve/resolv.conf'));
  const hostP = early(readHost(runner, opts));
  const all = await listNamespaces(runner);
  const wanted = opts.namespaces ? all.filter((n) => opts.namespaces!.includes(n)) : all;
  // parallel reads: 4 beat 3 by ~15% at 200 namespaces on 2 cores (a namespace read waits on the kernel's mount work too)
  const concurrency = opts.concurrency ?? 4;
  // one listing of /etc/netns instead of a file read per namespace (most have none)
  const etcNetns = runner.listDir(ETC_NETNS);
  const [host, fw, resolv, sd, nss] = await Promise.all([hostP, fwP, resolvP, sdP, readNamespaces(runner, wanted, opts, concurrency, etcNetns)]);
  const raw = {
    namespaces: [host, ...nss],
    ...(fw.code === 0 ? { iptablesSave: fw.stdout } : {}),
    hostResolvConf: resolv,
    systemdResolvConf: sd,
    strayResolvConfs: await strayResolvConfs(runner, await etcNetns, all),
  };
  let live = parseObservation(raw);
  // veths between two namespaces: read those namespaces' nsid maps, then pair again
  const need = needNsidMap(live);
  if (need.length) {
    const maps = await readNsidMaps(runner, need, concurrency);
    for (const n of nss) {
      const m = n.name !== null ? maps.get(n.name) : undefined;
      if (m !== undefined) n.parsed = [n.parsed![0], n.parsed![1], m[0] ?? []];
    }
    live = parseObservation(raw);
  }
  await readShaping(runner, live, concurrency);
  const intents = await readIntents(runner);
  // the journal vouches for a namespace only with its identity (inode and birth time)
  const named = new Set(intents.flatMap((i) => i.namespaces.map((n) => n.name)));
  for (const n of live.namespaces) {
    const id = named.has(n.name!) ? await nsIdentity(runner, n.name!) : undefined;
    if (id) { n.ino = id.ino; n.born = id.born; }
  }
  return applyIntents(live, intents);
}

/** `ip -j link show` in each scope (null = the host): links' admin and operational state */
export async function readLinkStates(runner: Runner, scopes: (string | null)[], concurrency = 3): Promise<Map<string | null, unknown>> {
  const out = new Map<string | null, unknown>();
  const names = [...new Set(scopes.filter((s): s is string => s !== null))];
  const batched = names.length > 1 ? await readChunked(runner, names, ['-j', 'link', 'show'], 1, concurrency) : new Map<string, unknown[]>();
  for (const [ns, v] of batched) out.set(ns, v[0]);
  const rest: (string | null)[] = [...(scopes.includes(null) ? [null] : []), ...names.filter((n) => !batched.has(n))];
  await pool(rest, concurrency, async (scope) => {
    const r = await runner.run(scope === null ? ['ip', '-j', 'link', 'show'] : ['ip', '-n', scope, '-j', 'link', 'show']);
    if (r.code === 0) out.set(scope, parseJsonStream(r.stdout)[0]);
  });
  return out;
}

/**
 * Impairments: `tc -j qdisc show` only in the scopes where `ip link` named a netem or tbf root
 * qdisc (none in most topologies, so observe stays one ip batch per namespace).
 */
export async function readShaping(runner: Runner, live: LiveState, concurrency = 3): Promise<void> {
  const scopes = shapedScopes(live);
  const names = scopes.filter((s): s is string => s !== null);
  // several namespaces: `netns exec NS tc -j qdisc show` lines in a few `ip -force -b -`, like the ip reads
  const batched = names.length > 1 ? await readChunked(runner, names, ['-j', 'qdisc', 'show'], 1, concurrency, 'tc') : new Map<string, unknown[]>();
  for (const [ns, v] of batched) attachQdiscs(live, ns, v[0]);
  await pool(scopes.filter((s) => s === null || !batched.has(s)), concurrency, async (scope) => {
    const r = await runner.run(scope === null ? ['tc', '-j', 'qdisc', 'show'] : ['tc', '-n', scope, '-j', 'qdisc', 'show']);
    if (r.code === 0) attachQdiscs(live, scope, parseJsonStream(r.stdout)[0]);
  });
}
