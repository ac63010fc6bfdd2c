/**
 * Live state: what the kernel has now. Parses the output of
 *   ip [-n NS] -j -d -b -   with the lines  `addr show`, `route show table all type unicast`, `netns list-id`
 *   ip -j netns list, iptables-save, sysctl values, /etc/netns/NAME/resolv.conf and the host's resolv.conf
 * into a LiveState. Pure: the helper collects the text, this module reads it.
 */
import type { LiveService } from '../model/workloads.js';
import { IMPAIR_KINDS, parseQdiscs, type LiveQdisc } from '../model/impair.js';
import { canonicalCidr, canonicalIP } from '../model/ip.js';
import { CHAIN_PREFIX, parseOwnerTag } from '../model/names.js';

export interface LiveAddr {
  /** canonical "10.0.0.2/24" */
  cidr: string;
  family: 4 | 6;
  scope: string;
}

export interface LiveLink {
  name: string;
  ifindex: number;
  /** veth, bridge, loopback, or the kernel's info_kind (e.g. vxlan), or "device" */
  kind: string;
  alias: string | undefined;
  /** topology that owns it (from its ifalias tag) */
  owner: string | undefined;
  /** admin state: IFF_UP */
  up: boolean;
  operstate: string;
  mtu: number;
  mac: string | undefined;
  master: string | undefined;
  linkIndex: number | undefined;
  linkNetnsid: number | undefined;
  /** resolved other end of a veth: scope null = host; undefined when not known */
  peer: { ns: string | null; name: string } | undefined;
  addresses: LiveAddr[];
  /** name of the root qdisc (`ip -j link` prints it for every link: "noqueue", "tbf", "netem", ...) */
  qdisc?: string;
  /** the root qdisc with its parameters, read with tc only where `qdisc` is one this tool sets */
  shaping?: LiveQdisc;
  stats?: { rxBytes: number; txBytes: number; rxPackets: number; txPackets: number };
  /** a VXLAN device's tunnel (`ip -d` info_data) */
  vxlan?: { vni: number; local: string | undefined; remote: string | undefined; port: number | undefined; dev: string | undefined };
  /** a macvlan's mode (`ip -d` info_data) */
  macvlanMode?: string;
}

export interface LiveRoute {
  family: 4 | 6;
  /** "default" or canonical prefix */
  to: string;
  via: string | undefined;
  dev: string | undefined;
  protocol: string;
  metric: number | undefined;
  scope: string | undefined;
}

export interface LiveNs {
  /** null = the host */
  name: string | null;
  /** topology owning the namespace (tag on its loopback's ifalias) */
  owner: string | undefined;
  /** identity of /run/netns/NAME (inode; mtime in ns, decimal): read only for names in the intent journal */
  ino?: string;
  born?: string;
  links: LiveLink[];
  routes: LiveRoute[];
  sysctls: Record<string, string>;
  /** content of /etc/netns/NAME/resolv.conf, null when absent, undefined when not read */
  resolvConf: string | null | undefined;
  /** nsid (as seen from this namespace) -> namespace name; unnamed ids map to null */
  nsids: Record<number, string | null>;
}

export interface FwChain {
  policy: string | undefined;
  /** rules as iptables-save prints them, without the leading "-A CHAIN " */
  rules: string[];
}
export type FwTable = Record<string, FwChain>;

export interface LiveState {
  host: LiveNs;
  namespaces: LiveNs[];
  firewall: { filter: FwTable; nat: FwTable } | undefined;
  hostDns: { resolvConf: string | null; systemdResolvConf: string | null };
  /**
   * /etc/netns/NAME/resolv.conf files whose namespace does not exist, with the topology named in
   * their first line (a destroy interrupted between `netns del` and the file's removal, or a
   * namespace deleted by hand). Undefined when not read.
   */
  strayDns?: { ns: string; owner: string | undefined }[];
  /** the topology's services, from their records (read by the helper for plan and status; issue 16) */
  services?: LiveService[];
}

export interface RawNs {
  name: string | null;
  /** stdout of the -j batch: JSON arrays back to back */
  ipJson: string;
  /** the same, already split into its values (addr, route, list-id); used instead of ipJson */
  parsed?: unknown[];
  sysctls?: Record<string, string>;
  resolvConf?: string | null;
}

export interface RawObservation {
  namespaces: RawNs[];
  iptablesSave?: string;
  hostResolvConf?: string | null;
  systemdResolvConf?: string | null;
  /** /etc/netns/NAME/resolv.conf of names that are not namespaces */
  strayResolvConfs?: { ns: string; content: string }[];
}

/** split "[...][...]\n[...]" into its JSON values */
export function parseJsonStream(s: string): unknown[] {
  // iproute2 prints each value of `ip -j` on one line: parse them all in one native JSON.parse
  const lines = s.split('\n').filter((l) => l.trim() !== '');
  if (lines.every((l) => { const c = l.trimStart()[0]; return c === '[' || c === '{'; })) {
    try { return JSON.parse(`[${lines.join(',')}]`) as unknown[]; } catch { /* a value over several lines, or text between: scan */ }
  }
  const out: unknown[] = [];
  let depth = 0;
  let start = -1;
  let inStr = false;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (inStr) {
      if (c === 92 /* \\ */) i++;
      else if (c === 34 /* " */) inStr = false;
      continue;
    }
    if (c === 34) inStr = true;
    else if (c === 91 /* [ */ || c === 123 /* { */) { if (depth++ === 0) start = i; }
    else if (c === 93 /* ] */ || c === 125 /* } */) {
      if (--depth === 0) { out.push(JSON.parse(s.slice(start, i + 1))); start = -1; }
    }
  }
  return out;
}

type J = Record<string, unknown>;
const str = (v: unknown): string | undefined => (typeof v === 'string' ? v : undefined);
const num = (v: unknown): number | undefined => (typeof v === 'number' ? v : undefined);

/** what `ip -d -j` says of a VXLAN device's tunnel or a macvlan's mode */
function kindData(kind: string, data: unknown): Pick<LiveLink, 'vxlan' | 'macvlanMode'> {
  if (!data || typeof data !== 'object') return {};
  const d = data as J;
  if (kind === 'vxlan' && num(d.id) !== undefined) {
    const ip = (v: unknown) => (str(v) !== undefined ? canonicalIP(str(v)!) ?? str(v) : undefined);
    return { vxlan: { vni: num(d.id)!, local: ip(d.local ?? d.local6), remote: ip(d.remote ?? d.remote6), port: num(d.port), dev: str(d.link) } };
  }
  if (kind === 'macvlan' && str(d.mode) !== undefined) return { macvlanMode: str(d.mode)! };
  return {};
}

export function parseLinks(addrShow: unknown): LiveLink[] {
  if (!Array.isArray(addrShow)) return [];
  const links = (addrShow as J[]).map((l): LiveLink => {
    const info = (l.linkinfo ?? {}) as J;
    const flags = Array.isArray(l.flags) ? (l.flags as string[]) : [];
    const linkType = str(l.link_type);
    const kind = str(info.info_kind) ?? (linkType === 'loopback' ? 'loopback' : 'device');
    const addrs = Array.isArray(l.addr_info) ? (l.addr_info as J[]) : [];
    const alias = str(l.ifalias);
    const s64 = ((l.stats64 ?? l.stats) as J | undefined);
    const rx = (s64?.rx ?? {}) as J;
    const tx = (s64?.tx ?? {}) as J;
    return {
      name: str(l.ifname) ?? '',
      ifindex: num(l.ifindex) ?? 0,
      kind,
      alias,
      owner: parseOwnerTag(alias),
      up: flags.includes('UP'),
      operstate: str(l.operstate) ?? 'UNKNOWN',
      mtu: num(l.mtu) ?? 0,
      mac: str(l.address),
      master: str(l.master),
      linkIndex: num(l.link_index),
      linkNetnsid: num(l.link_netnsid),
      peer: undefined,
      addresses: addrs.flatMap((a): LiveAddr[] => {
        const fam = a.family === 'inet' ? 4 : a.family === 'inet6' ? 6 : undefined;
        const local = str(a.local);
        const prefix = num(a.prefixlen);
        if (!fam || !local || prefix === undefined) return [];
        const cidr = canonicalCidr(`${local}/${prefix}`);
        return cidr ? [{ cidr, family: fam, scope: str(a.scope) ?? 'global' }] : [];
      }),
      ...(str(l.qdisc) !== undefined ? { qdisc: str(l.qdisc)! } : {}),
      ...kindData(kind, info.info_data),
      ...(s64 ? { stats: { rxBytes: num(rx.bytes) ?? 0, txBytes: num(tx.bytes) ?? 0, rxPackets: num(rx.packets) ?? 0, txPackets: num(tx.packets) ?? 0 } } : {}),
    };
  });
  // a peer in the same namespace is printed by name ("link": "veth0"), not as link_index
  (addrShow as J[]).forEach((l, i) => {
    const peerName = str(l.link);
    if (links[i]!.linkIndex === undefined && peerName !== undefined) {
      links[i]!.linkIndex = links.find((x) => x.name === peerName)?.ifindex;
    }
  });
  return links;
}

export function parseRoutes(routeShow: unknown): LiveRoute[] {
  if (!Array.isArray(routeShow)) return [];
  const out: LiveRoute[] = [];
  for (const r of routeShow as J[]) {
    const table = str(r.table);
    if (table !== undefined && table !== 'main') continue;
    if (r.type !== undefined && r.type !== 'unicast') continue;
    const dst = str(r.dst) ?? '';
    const gw = str(r.gateway);
    let family: 4 | 6;
    let to: string;
    if (dst === 'default') {
      to = 'default';
      family = gw?.includes(':') ? 6 : 4;
    } else {
      const withPrefix = dst.includes('/') ? dst : `${dst}/${dst.includes(':') ? 128 : 32}`;
      const c = canonicalCidr(withPrefix);
      if (!c) continue;
      to = c;
      family = dst.includes(':') ? 6 : 4;
    }
    if (dst === 'default' && !gw) family = r.metric === 1024 || str(r.pref) ? 6 : 4;
    out.push({
      family, to, via: gw ? canonicalIP(gw) ?? gw : undefined, dev: str(r.dev),
      protocol: str(r.protocol) ?? 'boot', metric: num(r.metric), scope: str(r.scope),
    });
  }
  return out;
}

export function parseNsids(listId: unknown): Record<number, string | null> {
  const out: Record<number, string | null> = {};
  if (!Array.isArray(listId)) return out;
  for (const e of listId as J[]) {
    const id = num(e.nsid);
    if (id !== undefined) out[id] = str(e.name) ?? null;
  }
  return out;
}

export function parseNs(raw: RawNs): LiveNs {
  const [addrShow, routeShow, listId] = raw.parsed ?? parseJsonStream(raw.ipJson);
  const links = parseLinks(addrShow);
  const lo = links.find((l) => l.kind === 'loopback' || l.name === 'lo');
  return {
    name: raw.name,
    owner: raw.name === null ? undefined : lo?.owner,
    links,
    routes: parseRoutes(routeShow),
    sysctls: raw.sysctls ?? {},
    resolvConf: raw.resolvConf,
    nsids: parseNsids(listId),
  };
}

/**
 * Resolve the other end of every veth from ifindex/link_index and nsids. The host's veths are
 * resolved first with the host's nsid map; a namespace's veth whose peer is in the host is then
 * known from that side, so only namespaces with veths to other namespaces need their own map
 * (`netns list-id`, which costs iproute2 one lookup per namespace: O(N^2) if read everywhere).
 */
export function pairVeths(all: LiveNs[]): void {
  const byScope = new Map<string | null, LiveNs>();
  for (const n of all) byScope.set(n.name, n);
  const host = byScope.get(null);
  const ordered = host ? [host, ...all.filter((n) => n !== host)] : all;
  for (const n of ordered) {
    for (const l of n.links) {
      if (l.kind !== 'veth' || l.linkIndex === undefined || l.peer) continue;
      let candidates: (string | null)[];
      if (l.linkNetnsid === undefined) candidates = [n.name];
      else if (Object.keys(n.nsids).length) {
        const named = n.nsids[l.linkNetnsid];
        // an id without a name is the host (or a namespace outside /run/netns)
        candidates = named ? [named] : n.name === null ? [] : [null];
      } else {
        // no map read for this namespace: the host's side tells us when the peer is there
        const h = host?.links.find((x) => x.peer && x.peer.ns === n.name && x.peer.name === l.name);
        if (h && h.ifindex === l.linkIndex) l.peer = { ns: null, name: h.name };
        continue;
      }
      for (const c of candidates) {
        const other = byScope.get(c);
        const p = other?.links.find((x) => x.ifindex === l.linkIndex && x.kind === 'veth' && x.linkIndex === l.ifindex);
        if (p) { l.peer = { ns: c, name: p.name }; break; }
      }
    }
  }
}

/** namespaces with a veth whose peer could not be placed without their own nsid map */
export function needNsidMap(live: LiveState): string[] {
  return live.namespaces
    .filter((n) => !Object.keys(n.nsids).length && n.links.some((l) => l.kind === 'veth' && l.linkNetnsid !== undefined && !l.peer))
    .map((n) => n.name!);
}

/** parse iptables-save: only the tables we use, and only what the planner needs */
export function parseIptablesSave(text: string): { filter: FwTable; nat: FwTable } {
  const tables: Record<string, FwTable> = { filter: {}, nat: {} };
  let cur: FwTable | undefined;
  for (const line of text.split('\n')) {
    if (line.startsWith('*')) { cur = tables[line.slice(1).trim()]; continue; }
    if (!cur) continue;
    if (line.startsWith(':')) {
      const [name, policy] = line.slice(1).split(' ');
      if (name) cur[name] = { policy: policy === '-' ? undefined : policy, rules: [] };
    } else if (line.startsWith('-A ')) {
      const rest = line.slice(3);
      const sp = rest.indexOf(' ');
      const chain = sp < 0 ? rest : rest.slice(0, sp);
      (cur[chain] ??= { policy: undefined, rules: [] }).rules.push(sp < 0 ? '' : rest.slice(sp + 1));
    }
  }
  return { filter: tables.filter!, nat: tables.nat! };
}

const RP_FILTER = ['0', '1', '2'];
const RP_FILTER_NAMES: Record<string, string> = { off: '0', strict: '1', loose: '2' };

/**
 * A sysctl value read from `ip -j netconf show` (one netlink dump in the same process that reads
 * links and routes), or undefined when netconf does not carry that key. Covered:
 * net.ipv4.ip_forward and net.ipv{4,6}.conf.{all,default,IFACE}.{forwarding,rp_filter}.
 */
export function sysctlFromNetconf(netconf: unknown, key: string): string | undefined {
  if (!Array.isArray(netconf)) return undefined;
  let family: string;
  let iface: string;
  let field: 'forwarding' | 'rp_filter';
  if (key === 'net.ipv4.ip_forward') [family, iface, field] = ['inet', 'all', 'forwarding'];
  else {
    const m = /^net\.ipv([46])\.conf\.([^.]+)\.(forwarding|rp_filter)$/.exec(key);
    if (!m || (m[1] === '6' && m[3] === 'rp_filter')) return undefined;
    [family, iface, field] = [m[1] === '4' ? 'inet' : 'inet6', m[2]!, m[3] as 'forwarding' | 'rp_filter'];
  }
  const e = (netconf as J[]).find((x) => x.family === family && x.interface === iface);
  const v = e?.[field];
  if (typeof v === 'boolean') return v ? '1' : '0';
  if (typeof v === 'number' && field === 'rp_filter') return RP_FILTER[v];
  if (typeof v === 'string') return RP_FILTER_NAMES[v];
  return undefined;
}

/**
 * What the path walk needs of a namespace's `ip -j netconf show` (no process more): whether it
 * forwards (net.ipv4.ip_forward) and the IPv4 rp_filter of `all` and of each interface
 * (net.ipv4.conf.IFACE.rp_filter; the kernel applies the larger of the two).
 */
export function pathSysctls(netconf: unknown): Record<string, string> {
  const out: Record<string, string> = {};
  const fwd = sysctlFromNetconf(netconf, 'net.ipv4.ip_forward');
  if (fwd !== undefined) out['net.ipv4.ip_forward'] = fwd;
  if (!Array.isArray(netconf)) return out;
  for (const e of netconf as J[]) {
    const iface = str(e.interface);
    if (e.family !== 'inet' || !iface || iface === 'default') continue;
    const key = `net.ipv4.conf.${iface}.rp_filter`;
    const v = sysctlFromNetconf(netconf, key);
    if (v !== undefined) out[key] = v;
  }
  return out;
}

/**
 * Split the output of one `ip -force -b -` whose lines are `netns exec NS ip -j ... -b FILE`
 * (one line per namespace, each printing `arrays` JSON arrays) into each namespace's values.
 * Undefined when any line failed (its output may be partial, so nothing can be aligned):
 * the caller then reads those namespaces one by one.
 */
export function splitBatchOutput(names: string[], arrays: number | number[], stdout: string, stderr: string): Map<string, unknown[]> | undefined {
  if (/^Command failed -:\d+/m.test(stderr)) return undefined;
  const values = parseJsonStream(stdout);
  const counts = typeof arrays === 'number' ? names.map(() => arrays) : arrays;
  if (counts.length !== names.length || values.length !== counts.reduce((a, b) => a + b, 0) || values.some((v) => !Array.isArray(v))) return undefined;
  let at = 0;
  return new Map(names.map((n, i) => { const v = values.slice(at, at + counts[i]!); at += counts[i]!; return [n, v]; }));
}

/**
 * The live state with the links of some scopes (null = the host) set to what a later
 * `ip -j link show` there printed: admin and operational state only (what settle() waits for).
 */
export function withLinkStates(live: LiveState, states: ReadonlyMap<string | null, unknown>): LiveState {
  const update = (n: LiveNs): LiveNs => {
    const shown = states.get(n.name);
    if (!Array.isArray(shown)) return n;
    const by = new Map((shown as J[]).map((l) => [str(l.ifname), l]));
    return {
      ...n,
      links: n.links.map((l) => {
        const x = by.get(l.name);
        if (!x) return l;
        const flags = Array.isArray(x.flags) ? (x.flags as string[]) : [];
        return { ...l, up: flags.includes('UP'), operstate: str(x.operstate) ?? 'UNKNOWN' };
      }),
    };
  };
  const host = update(live.host);
  const namespaces = live.namespaces.map(update);
  // the peers point at link objects by name and scope only: nothing to re-pair
  return { ...live, host, namespaces };
}

export function parseObservation(raw: RawObservation): LiveState {
  const all = raw.namespaces.map(parseNs);
  pairVeths(all);
  const host = all.find((n) => n.name === null) ?? emptyNs(null);
  return {
    host,
    namespaces: all.filter((n) => n.name !== null).sort((a, b) => (a.name! < b.name! ? -1 : 1)),
    firewall: raw.iptablesSave !== undefined ? parseIptablesSave(raw.iptablesSave) : undefined,
    hostDns: { resolvConf: raw.hostResolvConf ?? null, systemdResolvConf: raw.systemdResolvConf ?? null },
    ...(raw.strayResolvConfs ? { strayDns: raw.strayResolvConfs.map((f) => ({ ns: f.ns, owner: resolvConfOwner(f.content) })) } : {}),
  };
}

/**
 * The live state after re-reading only some namespaces (and the host, firewall and DNS, which
 * `fresh` always holds): the namespaces in `reread` come from `fresh` (absent there = gone),
 * the others from `prev`; veths are paired again across both.
 */
export function mergeObservation(prev: LiveState, fresh: LiveState, reread: ReadonlySet<string>): LiveState {
  const namespaces = [...prev.namespaces.filter((n) => !reread.has(n.name!)), ...fresh.namespaces.filter((n) => reread.has(n.name!))]
    .sort((a, b) => (a.name! < b.name! ? -1 : 1));
  const all = [fresh.host, ...namespaces];
  for (const n of all) for (const l of n.links) l.peer = undefined;
  pairVeths(all);
  return { ...fresh, namespaces };
}

/** the topology a resolv.conf was generated for: its first line is "# netns-lab:NAME (generated by netns-lab..." */
export function resolvConfOwner(text: string): string | undefined {
  const m = /^# (\S+) \(generated by netns-lab\b/.exec(text);
  return m ? parseOwnerTag(m[1]) : undefined;
}

export function emptyNs(name: string | null): LiveNs {
  return { name, owner: undefined, links: [], routes: [], sysctls: {}, resolvConf: name === null ? undefined : null, nsids: {} };
}

/** names of the tool's chains in a table */
export function ownedChains(t: FwTable): string[] {
  return Object.keys(t).filter((c) => c.startsWith(CHAIN_PREFIX));
}

/** nameservers of a resolv.conf text */
export function nameservers(text: string | null | undefined): string[] {
  if (!text) return [];
  const out: string[] = [];
  for (const line of text.split('\n')) {
    const m = /^\s*nameserver\s+(\S+)/.exec(line);
    if (m && canonicalIP(m[1]!)) out.push(canonicalIP(m[1]!)!);
  }
  return out;
}

/** scopes (null = host) with a link whose root qdisc is one this tool sets: only there is tc read */
export function shapedScopes(live: LiveState): (string | null)[] {
  return [live.host, ...live.namespaces].filter((n) => n.links.some((l) => l.qdisc !== undefined && IMPAIR_KINDS.includes(l.qdisc))).map((n) => n.name);
}

/** put the (parsed) output of `tc -j qdisc show` of one scope on that scope's links */
export function attachQdiscs(live: LiveState, scope: string | null, tcJson: unknown): void {
  const n = scope === null ? live.host : live.namespaces.find((x) => x.name === scope);
  if (!n) return;
  const qd = parseQdiscs(tcJson);
  for (const l of n.links) {
    const q = qd.get(l.name);
    if (q) l.shaping = q;
  }
}
