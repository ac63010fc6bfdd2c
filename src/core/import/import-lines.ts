/**
 * One line of a lab's start-up commands (containerlab `exec`, a Kathará `*.startup` script) read
 * as what it does to the network: addresses, routes, link settings and sysctls become structured
 * operations; services started through an init system are named; anything else is a command.
 * Only plain lines are read as operations: a line with shell syntax (; | & $ > quotes…) stays a command.
 */
import { parseCidr, parseIP } from '../model/ip.js';
import { SysctlKey, SysctlValue, type Route } from '../model/model.js';
import { ifNameProblem } from '../model/names.js';

export type LineOp =
  | { op: 'addr'; dev: string; cidr: string }
  | { op: 'route'; route: Route }
  | { op: 'up'; dev: string }
  | { op: 'down'; dev: string }
  | { op: 'mtu'; dev: string; mtu: number }
  | { op: 'mac'; dev: string; mac: string }
  | { op: 'sysctl'; key: string; value: number | string };

export type ParsedLine =
  | { kind: 'blank' }
  | { kind: 'ops'; ops: LineOp[] }
  | { kind: 'service'; name: string }
  | { kind: 'command'; privileged: boolean };

/** programs that change the network or the system: as an exec entry they need root */
const PRIVILEGED = new Set(['ip', 'tc', 'iptables', 'ip6tables', 'iptables-restore', 'ip6tables-restore', 'nft', 'sysctl', 'bridge',
  'ethtool', 'arp', 'route', 'ifconfig', 'brctl', 'ovs-vsctl', 'modprobe', 'mount', 'vtysh']);
const MAC = /^[0-9A-Fa-f]{2}(:[0-9A-Fa-f]{2}){5}$/;

/** is `w` an abbreviation of `full` that ip(8) accepts (at least `min` letters)? */
const abbrev = (w: string | undefined, full: string, min = 1) => w !== undefined && w.length >= min && full.startsWith(w);

const withPrefix = (s: string): string | undefined => {
  if (s.includes('/')) return parseCidr(s) ? s : undefined;
  const ip = parseIP(s);
  return ip ? `${s}/${ip.family === 4 ? 32 : 128}` : undefined;
};

const goodDev = (d: string | undefined): d is string => d !== undefined && !ifNameProblem(d);

function ipAddr(w: string[]): LineOp[] | undefined {
  if (!['add', 'a', 'replace', 'change'].includes(w[0] ?? '')) return undefined;
  let cidr: string | undefined;
  let dev: string | undefined;
  for (let i = 1; i < w.length; i++) {
    const t = w[i]!;
    if (t === 'dev') dev = w[++i];
    else if ((t === 'brd' || t === 'broadcast') && w[i + 1] !== undefined) i++;
    else if (t === 'local' && cidr === undefined) cidr = w[++i];
    else if (cidr === undefined && /^[0-9A-Fa-f:.]+(\/\d+)?$/.test(t)) cidr = t;
    else return undefined;
  }
  const c = cidr !== undefined ? withPrefix(cidr) : undefined;
  return c && goodDev(dev) ? [{ op: 'addr', dev, cidr: c }] : undefined;
}

function ipRoute(w: string[]): LineOp[] | undefined {
  if (!['add', 'a', 'replace'].includes(w[0] ?? '')) return undefined;
  const dest = w[1] === 'to' ? w[2] : w[1];
  let i = w[1] === 'to' ? 3 : 2;
  const to = dest === 'default' ? 'default' : dest !== undefined ? withPrefix(dest) : undefined;
  if (!to) return undefined;
  const r: Route = { to };
  for (; i < w.length; i++) {
    const t = w[i]!;
    const v = w[++i];
    if (v === undefined) return undefined;
    if (t === 'via' && parseIP(v)) r.via = v;
    else if (t === 'dev' && goodDev(v)) r.dev = v;
    else if ((t === 'metric' || t === 'preference' || t === 'priority') && /^\d{1,9}$/.test(v)) r.metric = Number(v);
    else return undefined;
  }
  return r.via || r.dev ? [{ op: 'route', route: r }] : undefined;
}

function ipLinkSet(w: string[]): LineOp[] | undefined {
  if (w[0] !== 'set') return undefined;
  let i = 1;
  if (w[i] === 'dev') i++;
  const dev = w[i++];
  if (!goodDev(dev)) return undefined;
  const ops: LineOp[] = [];
  for (; i < w.length; i++) {
    const t = w[i]!;
    if (t === 'up') ops.push({ op: 'up', dev });
    else if (t === 'down') ops.push({ op: 'down', dev });
    else if (t === 'mtu' && /^\d{2,5}$/.test(w[i + 1] ?? '')) ops.push({ op: 'mtu', dev, mtu: Number(w[++i]) });
    else if ((t === 'address' || t === 'addr') && MAC.test(w[i + 1] ?? '')) ops.push({ op: 'mac', dev, mac: w[++i]!.toLowerCase() });
    else return undefined;
  }
  return ops.length ? ops : undefined;
}

function ip(w: string[]): LineOp[] | undefined {
  let i = 0;
  while (['-4', '-6'].includes(w[i] ?? '')) i++;
  const obj = w[i];
  const rest = w.slice(i + 1);
  if (abbrev(obj, 'address')) return ipAddr(rest);
  if (abbrev(obj, 'route')) return ipRoute(rest);
  if (abbrev(obj, 'link')) return ipLinkSet(rest);
  return undefined;
}

function sysctlOp(key: string, value: string): LineOp | undefined {
  const k = key.includes('/') ? key.replace(/^\/?(proc\/sys\/)?/, '').replaceAll('/', '.') : key;
  const v = /^-?\d{1,10}$/.test(value) ? Number(value) : value;
  return SysctlKey.safeParse(k).success && SysctlValue.safeParse(v).success ? { op: 'sysctl', key: k, value: v } : undefined;
}

function sysctl(w: string[]): LineOp[] | undefined {
  const ops: LineOp[] = [];
  for (const t of w) {
    if (t === '-w' || t === '-q' || t === '-e') continue;
    const eq = t.indexOf('=');
    if (eq <= 0) return undefined;
    const op = sysctlOp(t.slice(0, eq), t.slice(eq + 1));
    if (!op) return undefined;
    ops.push(op);
  }
  return ops.length ? ops : undefined;
}

const dotted = (mask: string): number | undefined => {
  const ip = parseIP(mask);
  if (!ip || ip.family !== 4) return undefined;
  const bin = ip.addr.toString(2).padStart(32, '0');
  return /^1*0*$/.test(bin) ? bin.indexOf('0') === -1 ? 32 : bin.indexOf('0') : undefined;
};

function ifconfig(w: string[]): LineOp[] | undefined {
  const dev = w[0];
  if (!goodDev(dev) || w.length < 2) return undefined;
  const ops: LineOp[] = [];
  let addr: string | undefined;
  let prefix: number | undefined;
  for (let i = 1; i < w.length; i++) {
    const t = w[i]!;
    if (t === 'up') ops.push({ op: 'up', dev });
    else if (t === 'down') ops.push({ op: 'down', dev });
    else if (t === 'netmask') { prefix = dotted(w[++i] ?? ''); if (prefix === undefined) return undefined; }
    else if (t === 'broadcast') i++;
    else if (t === 'mtu' && /^\d{2,5}$/.test(w[i + 1] ?? '')) ops.push({ op: 'mtu', dev, mtu: Number(w[++i]) });
    else if (t === 'hw' && w[i + 1] === 'ether' && MAC.test(w[i + 2] ?? '')) { ops.push({ op: 'mac', dev, mac: w[i + 2]!.toLowerCase() }); i += 2; }
    else if (addr === undefined && i === 1) addr = t;
    else return undefined;
  }
  if (addr !== undefined) {
    const c = withPrefix(prefix !== undefined && !addr.includes('/') ? `${addr}/${prefix}` : addr);
    if (!c) return undefined;
    ops.unshift({ op: 'addr', dev, cidr: c });
  }
  return ops.length ? ops : undefined;
}

/** net-tools route: `route add default gw GW`, `route add -net N netmask M gw GW dev IF`, `route add -host IP gw GW` */
function netToolsRoute(w: string[]): LineOp[] | undefined {
  if (w[0] !== 'add') return undefined;
  let to: string | undefined;
  let prefix: number | undefined;
  const r: Partial<Route> = {};
  for (let i = 1; i < w.length; i++) {
    const t = w[i]!;
    const v = w[i + 1];
    if (t === 'default') to = 'default';
    else if ((t === '-net' || t === '-host') && v !== undefined) { to = t === '-host' ? withPrefix(v) : v; i++; }
    else if (t === 'netmask' && v !== undefined) { prefix = dotted(v); i++; if (prefix === undefined) return undefined; }
    else if (t === 'gw' && v !== undefined && parseIP(v)) { r.via = v; i++; }
    else if (t === 'dev' && goodDev(v)) { r.dev = v; i++; }
    else if (t === 'metric' && /^\d{1,9}$/.test(v ?? '')) { r.metric = Number(v); i++; }
    else return undefined;
  }
  if (to === undefined) return undefined;
  if (to !== 'default') to = withPrefix(prefix !== undefined && !to.includes('/') ? `${to}/${prefix}` : to);
  if (!to || !(r.via || r.dev)) return undefined;
  return [{ op: 'route', route: { to, ...r } }];
}

/** a service started through an init system: systemctl start X, /etc/init.d/X start, service X start */
function serviceName(w: string[]): string | undefined {
  const [p, a, b, c] = w;
  const starts = (x: string | undefined) => x === 'start' || x === 'restart' || x === 'reload';
  if (p === 'systemctl' && (starts(a) || a === 'enable') && b !== undefined) return b === '--now' ? c : b;
  if (p === 'service' && a !== undefined && starts(b)) return a;
  const m = /^\/etc\/(?:rc\.d\/)?init\.d\/([^/\s]+)$/.exec(p ?? '');
  if (m && starts(a)) return m[1];
  return undefined;
}

const SHELL_SYNTAX = /[;&|<>$`(){}*?~"'\\]/;

export function parseLine(raw: string): ParsedLine {
  const line = raw.trim();
  if (line === '' || line.startsWith('#')) return { kind: 'blank' };
  const echo = /^echo\s+(-?\d+)\s*>\s*(\/proc\/sys\/net\/\S+)$/.exec(line);
  if (echo) {
    const op = sysctlOp(echo[2]!, echo[1]!);
    if (op) return { kind: 'ops', ops: [op] };
  }
  const words = line.split(/\s+/);
  const prog = words[0]!.replace(/^.*\//, '');
  const privileged = PRIVILEGED.has(prog);
  if (SHELL_SYNTAX.test(line)) return { kind: 'command', privileged };
  const service = serviceName(words);
  if (service) return { kind: 'service', name: service };
  const args = words.slice(1);
  const ops = prog === 'ip' ? ip(args) : prog === 'sysctl' ? sysctl(args) : prog === 'ifconfig' ? ifconfig(args) : prog === 'route' ? netToolsRoute(args) : undefined;
  return ops ? { kind: 'ops', ops } : { kind: 'command', privileged };
}
