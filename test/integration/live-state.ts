/**
 * Whole-sandbox observations for the fault and soak tests: everything an apply may change
 * (links, addresses, routes, rules, sysctls, /etc/netns, the intent journal), normalized so two
 * builds of the same network compare equal; the tool processes still running; a helper's
 * open files, children and memory. Runs only inside test/sandbox/run.sh.
 */
import { existsSync, readFileSync, readdirSync, readlinkSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { parseJsonStream } from '../../src/core/observe/observe.js';
import { assertSandbox, iptablesSave, listNetns, sh, tryRun } from './sandbox.js';

/** what the kernel assigns or counts by itself: indexes, MACs, peer nsids, bridge ids and port numbers, timers, counters, address lifetimes, DAD state */
const VOLATILE = new Set([
  'ifindex', 'link_index', 'address', 'broadcast', 'perm_address', 'link_netnsid', 'stats', 'stats64',
  'bridge_id', 'root_id', 'designated_root', 'designated_bridge', 'id', 'no', 'designated_port',
  'valid_life_time', 'preferred_life_time', 'tentative', 'dadfailed',
]);

function normalize(v: unknown): unknown {
  if (Array.isArray(v)) return v.map(normalize);
  if (v && typeof v === 'object') {
    return Object.fromEntries(Object.entries(v)
      .filter(([k]) => !VOLATILE.has(k) && !k.endsWith('_timer'))
      .map(([k, x]) => [k, normalize(x)]));
  }
  return v;
}

const byJson = (a: unknown, b: unknown) => JSON.stringify(a).localeCompare(JSON.stringify(b));

/** the sysctls an apply may change, read by name (`sysctl -a` takes 0.1 s per namespace) */
function sysctlKeys(ifnames: string[]): string[] {
  return [
    'net.ipv4.ip_forward', 'net.ipv6.conf.all.forwarding', 'net.ipv6.conf.all.disable_ipv6',
    ...['all', 'default', ...ifnames].flatMap((i) => [
      `net.ipv4.conf.${i}.forwarding`, `net.ipv4.conf.${i}.rp_filter`, `net.ipv4.conf.${i}.proxy_arp`, `net.ipv6.conf.${i}.disable_ipv6`,
    ]),
  ];
}

function netnsView(ns: string | null): unknown {
  const pre = ns ? ['-n', ns] : [];
  // one process: links with addresses, routes of every table and family, policy rules
  const [addrs, routes, rules] = parseJsonStream(sh('ip', [...pre, '-j', '-d', '-b', '-'], 'addr show\nroute show table all\nrule show\n')) as Record<string, unknown>[][];
  const links = (addrs ?? [])
    .map((l) => ({ ...l, addr_info: ((l.addr_info ?? []) as { scope?: string }[]).filter((a) => a.scope !== 'link') }))
    .map(normalize)
    .sort((a, b) => String((a as { ifname: string }).ifname).localeCompare(String((b as { ifname: string }).ifname)));
  const keys = sysctlKeys((addrs ?? []).map((l) => String(l.ifname)));
  const r = ns ? tryRun('ip', ['netns', 'exec', ns, 'sysctl', '-e', ...keys]) : tryRun('sysctl', ['-e', ...keys]);
  return {
    links,
    // the local route of a link-local address comes and goes with its DAD (fe80::/64 itself stays)
    routes: (routes ?? []).filter((x) => { const dst = String(x.dst ?? ''); return !dst.startsWith('fe80:') || dst === 'fe80::/64'; }).map(normalize).sort(byJson),
    rules: rules ?? [],
    sysctls: r.stdout.split('\n').filter(Boolean),
  };
}

/** files (and, with dirs, directories) below dir, with their text */
function filesUnder(dir: string, dirs = true): Record<string, string> {
  const out: Record<string, string> = {};
  const walk = (d: string) => {
    for (const f of readdirSync(d)) {
      const p = join(d, f);
      if (statSync(p).isDirectory()) { if (dirs) out[`${p}/`] = ''; walk(p); } else out[p] = readFileSync(p, 'utf8');
    }
  };
  if (existsSync(dir)) walk(dir);
  return out;
}

/**
 * The helper's files under /run/netns-lab but its lock files: those stay, empty, by design (a
 * lock file removed on release could be locked by a waiter while another takes a new one).
 */
function journalFiles(): Record<string, string> {
  return Object.fromEntries(Object.entries(filesUnder('/run/netns-lab', false)).filter(([f]) => !f.startsWith('/run/netns-lab/locks/')));
}

export interface SandboxState {
  namespaces: string[];
  net: Record<string, unknown>;
  iptables: string;
  etcNetns: Record<string, string>;
  journal: Record<string, string>;
}

/** the whole sandbox: the host and every namespace in it, normalized */
export function sandboxState(): SandboxState {
  assertSandbox();
  const namespaces = listNetns();
  return {
    namespaces,
    net: { host: netnsView(null), ...Object.fromEntries(namespaces.map((n) => [n, netnsView(n)])) },
    iptables: iptablesSave(),
    etcNetns: filesUnder('/etc/netns'),
    // the journal's directory stays; an entry must not
    journal: journalFiles(),
  };
}

/**
 * The sandbox's state once the kernel has settled: carrier and operstate of new veths reach
 * `ip` through the kernel's linkwatch, up to a second after the commands. Reads until the state
 * equals `expected`; without one, until two reads 1.2 s apart agree.
 */
export async function settledState(expected?: SandboxState, waitMs = 8000): Promise<SandboxState> {
  const deadline = Date.now() + waitMs;
  let prev = sandboxState();
  for (;;) {
    if (expected && stateDiff(prev, expected, 1).length === 0) return prev;
    await new Promise((r) => setTimeout(r, expected ? 100 : 1200));
    const cur = sandboxState();
    if ((!expected && stateDiff(cur, prev, 1).length === 0) || Date.now() >= deadline) return cur;
    prev = cur;
  }
}

/** the sandbox's state without the per-namespace detail: cheap enough to check after every soak cycle */
export function sandboxSummary(): { namespaces: string[]; hostLinks: string[]; iptables: string; ipForward: string; etcNetns: string[]; journal: string[] } {
  return {
    namespaces: listNetns(),
    hostLinks: (JSON.parse(sh('ip', ['-j', 'link', 'show'])) as { ifname: string; ifalias?: string }[]).map((l) => `${l.ifname}${l.ifalias ? ` (${l.ifalias})` : ''}`).sort(),
    iptables: iptablesSave(),
    ipForward: readFileSync('/proc/sys/net/ipv4/ip_forward', 'utf8').trim(),
    etcNetns: Object.keys(filesUnder('/etc/netns')).sort(),
    journal: Object.keys(journalFiles()).sort(),
  };
}

/** the paths where two observations differ (at most `max`), e.g. "net.ns1.routes[2].gateway: 10.0.0.1 != (none)" */
export function stateDiff(a: unknown, b: unknown, max = 12, path = '$', out: string[] = []): string[] {
  if (out.length >= max) return out;
  const show = (v: unknown) => (v === undefined ? '(none)' : JSON.stringify(v).slice(0, 200));
  if (a && b && typeof a === 'object' && typeof b === 'object' && Array.isArray(a) === Array.isArray(b)) {
    const keys = new Set([...Object.keys(a), ...Object.keys(b)]);
    for (const k of keys) stateDiff((a as Record<string, unknown>)[k], (b as Record<string, unknown>)[k], max, Array.isArray(a) ? `${path}[${k}]` : `${path}.${k}`, out);
  } else if (typeof a === 'string' && typeof b === 'string' && a.includes('\n') && a !== b) {
    const la = a.split('\n'); const lb = b.split('\n');
    out.push(`${path}: lines only in the first: ${show(la.filter((l) => !lb.includes(l)))}; only in the second: ${show(lb.filter((l) => !la.includes(l)))}`);
  } else if (JSON.stringify(a) !== JSON.stringify(b)) {
    out.push(`${path}: ${show(a)} != ${show(b)}`);
  }
  return out;
}

export interface Proc { pid: number; ppid: number; comm: string }

function readProc(pid: string): Proc | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const close = stat.lastIndexOf(')');
    return { pid: Number(pid), comm: stat.slice(stat.indexOf('(') + 1, close), ppid: Number(stat.slice(close + 2).split(' ')[1]) };
  } catch { return undefined; }
}

/** processes living in this sandbox's network namespaces (its root and every named one) */
export function sandboxProcesses(): Proc[] {
  const mine = new Set<string>([readlinkSync('/proc/self/ns/net')]);
  for (const n of listNetns()) {
    try { mine.add(`net:[${statSync(`/run/netns/${n}`).ino}]`); } catch { /* gone meanwhile */ }
  }
  const out: Proc[] = [];
  for (const pid of readdirSync('/proc').filter((p) => /^\d+$/.test(p))) {
    let ns = '';
    try { ns = readlinkSync(`/proc/${pid}/ns/net`); } catch { continue; }
    if (!mine.has(ns)) continue;
    const p = readProc(pid);
    if (p) out.push(p);
  }
  return out;
}

/** the programs the helper starts */
export const TOOLS = /^(ip|iptables.*|ip6tables.*|xtables.*|sysctl|nsenter|tcpdump|setpriv|flock|cat)$/;

/** waits (bounded) until no helper-started tool runs in the sandbox; returns those still running */
export async function toolsLeft(waitMs = 5000): Promise<Proc[]> {
  const deadline = Date.now() + waitMs;
  for (;;) {
    const left = sandboxProcesses().filter((p) => TOOLS.test(p.comm));
    if (!left.length || Date.now() >= deadline) return left;
    await new Promise((r) => setTimeout(r, 50));
  }
}

export interface ProcStats { fds: number; children: number; rssKiB: number }

/** a process's open file descriptors, child processes and resident memory */
export function procStats(pid: number): ProcStats {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  const rss = /VmRSS:\s+(\d+) kB/.exec(status);
  const children = readdirSync('/proc').filter((p) => /^\d+$/.test(p)).map(readProc).filter((p) => p?.ppid === pid).length;
  return { fds: readdirSync(`/proc/${pid}/fd`).length, children, rssKiB: rss ? Number(rss[1]) : NaN };
}
