/**
 * Topology validation: structure (zod) first, then the network's semantics. Every diagnostic
 * names the JSON path, a stable code and the reason. Errors block apply; warnings do not.
 */
import { placeMissing } from './where.js';
import { bridgeLoops } from './validate-loops.js';
import { duplicateMacs } from './validate-macs.js';
import type { z } from 'zod';
import type { Diagnostic, JsonPath } from './diagnostics.js';
import { hasErrors } from './diagnostics.js';
import {
  contains, formatIP, isLinkLocal, isLoopback, isMulticastOrUnspecified, isNetworkOrBroadcast, network,
  parseCidr, parseIP, subnetOf, type Cidr,
} from './ip.js';
import { locate, parseJsonText } from './json.js';
import { HOST, LOCAL_HOST, Topology, type Link, type Route } from './model.js';
import { isReservedNodeName } from './names.js';
import { workloadDiagnostics } from './validate-workloads.js';
import { extraRefDiagnostics, hostDiagnostics, ifaceHostFn, physicalDiagnostics, tunnelDiagnostics } from './validate-hosts.js';
import { buildIndex, type TopoIndex } from './topo-index.js';
import { checkExpectations } from './expect-validate.js';

export interface ValidationResult {
  topology: Topology | undefined;
  diagnostics: Diagnostic[];
  ok: boolean;
}

/** validate the text of a *.netns.json file; diagnostics carry line/column */
export function validateText(text: string): ValidationResult {
  const parsed = parseJsonText(text);
  if (parsed.diagnostics.length) return { topology: undefined, diagnostics: parsed.diagnostics, ok: false };
  const r = validateValue(parsed.value);
  return { ...r, diagnostics: locate(parsed, r.diagnostics) };
}

/** validate an already-parsed value (the helper uses this on requests) */
export function validateValue(value: unknown): ValidationResult {
  const pre = preflight(value);
  if (pre.length) return { topology: undefined, diagnostics: pre, ok: false };
  // reportInput: zod drops issue.input otherwise, and zodToDiagnostics needs it to tell a
  // missing field (input undefined) from a value of the wrong type
  const res = Topology.safeParse(value, { reportInput: true });
  if (!res.success) {
    return { topology: undefined, diagnostics: capped(placeMissing(value, zodToDiagnostics(res.error.issues.slice(0, MAX_DIAGNOSTICS + 1)))), ok: false };
  }
  const diagnostics = capped([...semanticChecks(res.data), ...checkExpectations(res.data)]);
  return { topology: res.data, diagnostics, ok: !hasErrors(diagnostics) };
}

/** a file with an error in each of its 10 000 nodes: report the first ones, not a million */
const MAX_DIAGNOSTICS = 1000;
function capped(d: Diagnostic[]): Diagnostic[] {
  if (d.length <= MAX_DIAGNOSTICS) return d;
  const errors = d.some((x) => x.severity === 'error');
  return [...d.slice(0, MAX_DIAGNOSTICS), {
    severity: errors ? 'error' : 'warning', code: 'too-many-problems',
    message: `more than ${MAX_DIAGNOSTICS} problems; the rest are not reported`, path: [],
  }];
}

/** more fields than any object of the format can have (sysctls included) */
const MAX_OBJECT_KEYS = 1000;
/**
 * What zod cannot be trusted with, found before it runs (only as deep as the schema goes):
 * - an object with a huge number of keys: zod collects an issue per key and spreads them into
 *   one call (a RangeError past ~100 000), and locating the diagnostics is quadratic;
 * - an own "__proto__" key (JSON.parse makes one): a record (sysctls) drops it silently
 *   instead of refusing it, so the file would mean something other than what it says.
 */
function preflight(value: unknown, path: JsonPath = [], out: Diagnostic[] = []): Diagnostic[] {
  if (path.length > 8 || !value || typeof value !== 'object' || out.length >= MAX_DIAGNOSTICS) return out;
  if (Array.isArray(value)) {
    for (let i = 0; i < value.length && out.length < MAX_DIAGNOSTICS; i++) {
      if (value[i] && typeof value[i] === 'object') preflight(value[i], [...path, i], out);
    }
    return out;
  }
  const keys = Object.keys(value);
  if (keys.length > MAX_OBJECT_KEYS) {
    out.push({ severity: 'error', code: 'out-of-range', message: `an object with ${keys.length} fields; at most ${MAX_OBJECT_KEYS} are accepted`, path });
    return out;
  }
  for (const k of keys) {
    if (k === '__proto__') out.push({ severity: 'error', code: 'unknown-field', message: "unknown field '__proto__'", path: [...path, k] });
    else if (typeof (value as Record<string, unknown>)[k] === 'object') preflight((value as Record<string, unknown>)[k], [...path, k], out);
  }
  return out;
}

function codedMessage(message: string, fallback: string): { code: string; message: string } {
  const m = /^\[([a-z0-9-]+)\] ([\s\S]*)$/.exec(message);
  return m ? { code: m[1]!, message: m[2]! } : { code: fallback, message };
}

type Issue = z.core.$ZodIssue;

function describeExpected(iss: Issue): string {
  if (iss.code === 'invalid_type') return `expected ${iss.expected}, got ${iss.input === null ? 'null' : Array.isArray(iss.input) ? 'array' : typeof iss.input === 'number' && !Number.isFinite(iss.input) ? `${iss.input} (not a finite number; 1e999 in JSON is Infinity)` : typeof iss.input}`;
  return iss.message;
}

/** issues must come from a parse with { reportInput: true }: input tells missing from wrong-typed */
export function zodToDiagnostics(issues: readonly Issue[], base: JsonPath = []): Diagnostic[] {
  const out: Diagnostic[] = [];
  for (const iss of issues) {
    const path: JsonPath = [...base, ...(iss.path as (string | number)[])];
    switch (iss.code) {
      case 'unrecognized_keys':
        for (const k of iss.keys) {
          out.push({ severity: 'error', code: 'unknown-field', message: `unknown field '${k}'`, path: [...path, k] });
        }
        break;
      case 'invalid_union': {
        if ('input' in iss && iss.input === undefined) {
          out.push({ severity: 'error', code: 'missing-field', message: `missing required field '${String(path[path.length - 1])}'`, path });
          break;
        }
        // prefer a coded message from a branch that got furthest
        const branchIssues = iss.errors.flat();
        const coded = branchIssues.find((b) => /^\[[a-z-]+\] /.test(b.message));
        // the one branch that got past the type and failed inside (e.g. dns with 4 servers)
        const inner = iss.errors.filter((b) => b.length > 0 && b.every((x) => x.path.length > 0));
        if (coded) {
          out.push(...zodToDiagnostics([coded], path).slice(0, 1));
        } else if (inner.length === 1) {
          out.push(...zodToDiagnostics(inner[0]!, path));
        } else if (path[path.length - 1] === 'dns') {
          out.push({ severity: 'error', code: 'invalid-value', message: 'dns must be "inherit" or {"servers": [...]}', path });
        } else if (path[path.length - 1] === 'to') {
          out.push({ severity: 'error', code: 'invalid-cidr', message: `route destination must be "default" or a prefix such as 10.1.0.0/24`, path });
        } else {
          const deepest = branchIssues.sort((a, b) => b.path.length - a.path.length)[0];
          out.push(deepest ? zodToDiagnostics([deepest], path)[0]! : { severity: 'error', code: 'invalid-value', message: iss.message, path });
        }
        break;
      }
      case 'invalid_type':
        if (/^\[[a-z0-9-]+\] /.test(iss.message) && iss.input !== undefined) {
          out.push({ severity: 'error', ...codedMessage(iss.message, 'invalid-type'), path });
          break;
        }
        out.push({ severity: 'error', code: iss.input === undefined ? 'missing-field' : 'invalid-type', message: iss.input === undefined ? `missing required field '${String(path[path.length - 1])}'` : describeExpected(iss), path });
        break;
      case 'invalid_value':
        if ('input' in iss && iss.input === undefined) {
          out.push({ severity: 'error', code: 'missing-field', message: `missing required field '${String(path[path.length - 1])}'`, path });
        } else {
          out.push({ severity: 'error', code: 'invalid-value', message: `expected ${iss.values.map((v) => JSON.stringify(v)).join(' or ')}`, path });
        }
        break;
      case 'invalid_key':
        // a record key that fails its schema (e.g. a sysctl key): report the key's own issues
        // (their paths are relative to the key, which is already the last element of path)
        out.push(...zodToDiagnostics(iss.issues.map((k) => ({ ...k, path: [] })), path));
        break;
      case 'too_big':
      case 'too_small': {
        // a schema with its own message (naming the field and its unit) says it better
        if (/^\[[a-z0-9-]+\] /.test(iss.message)) {
          out.push({ severity: 'error', ...codedMessage(iss.message, 'out-of-range'), path });
          break;
        }
        const lim1 = Number(iss.code === 'too_big' ? iss.maximum : iss.minimum) === 1;
        const what = iss.origin === 'array' ? (lim1 ? 'item' : 'items') : iss.origin === 'string' ? (lim1 ? 'character' : 'characters') : '';
        const lim = iss.code === 'too_big' ? `at most ${iss.maximum}` : `at least ${iss.minimum}`;
        const v = iss.input;
        const got = typeof v === 'number' ? ` (got ${v})` : Array.isArray(v) ? ` (got ${v.length})` : typeof v === 'string' ? ` (got ${v.length})` : '';
        out.push({ severity: 'error', code: 'out-of-range', message: `must be ${lim}${what ? ' ' + what : ''}${got}`, path });
        break;
      }
      default: {
        const c = codedMessage(iss.message, 'invalid-value');
        out.push({ severity: 'error', code: c.code, message: c.message, path });
      }
    }
  }
  return out;
}

function err(code: string, message: string, path: JsonPath): Diagnostic {
  return { severity: 'error', code, message, path };
}
function warn(code: string, message: string, path: JsonPath): Diagnostic {
  return { severity: 'warning', code, message, path };
}

export function semanticChecks(t: Topology): Diagnostic[] {
  const d: Diagnostic[] = [];
  d.push(...bridgeLoops(t));
  d.push(...workloadDiagnostics(t));
  checkNodeNames(d, t);
  d.push(...hostDiagnostics(t), ...extraRefDiagnostics(t));
  if (hasErrors(d)) return d; // the index below needs sound references

  const idx = buildIndex(t);
  checkIfaceNames(d, t, idx);
  d.push(...tunnelDiagnostics(t, idx), ...physicalDiagnostics(t, idx));
  const host = t.host;
  if (host?.uplink && host.uplink !== 'auto' && idx.ifacesByScope.get(null)?.some((f) => f.name === host.uplink)) {
    d.push(err('uplink-clash', `uplink '${host.uplink}' is also an interface this topology creates`, ['host', 'uplink']));
  }
  checkAddresses(d, idx);
  d.push(...duplicateMacs(idx));
  checkSubnets(d, idx);
  checkImpairments(d, t.links ?? []);
  // routes of every namespace and of the host
  (t.namespaces ?? []).forEach((ns, i) => checkRoutes(d, idx, ns.name, ns.routes ?? [], ['namespaces', i, 'routes']));
  if (host?.routes) checkRoutes(d, idx, null, host.routes, ['host', 'routes']);
  checkInternet(d, t, idx);
  return d;
}

/** node names: unique across namespaces and bridges, never reserved; every reference names a node */
function checkNodeNames(d: Diagnostic[], t: Topology): void {
  const namespaces = t.namespaces ?? [];
  const bridges = t.bridges ?? [];
  const links = t.links ?? [];
  const nodeKinds = new Map<string, string>();
  namespaces.forEach((ns, i) => {
    if (isReservedNodeName(ns.name)) d.push(err('reserved-name', `'${ns.name}' is reserved and cannot name a namespace`, ['namespaces', i, 'name']));
    else if (nodeKinds.has(ns.name)) d.push(err('duplicate-name', `namespace '${ns.name}' is defined twice`, ['namespaces', i, 'name']));
    nodeKinds.set(ns.name, 'namespace');
  });
  bridges.forEach((br, i) => {
    if (isReservedNodeName(br.name)) d.push(err('reserved-name', `'${br.name}' is reserved and cannot name a bridge`, ['bridges', i, 'name']));
    else if (nodeKinds.get(br.name) === 'namespace') d.push(err('duplicate-name', `'${br.name}' names both a namespace and a bridge; node names must be unique`, ['bridges', i, 'name']));
    else if (nodeKinds.has(br.name)) d.push(err('duplicate-name', `bridge '${br.name}' is defined twice`, ['bridges', i, 'name']));
    nodeKinds.set(br.name, 'bridge');
    if (br.in !== undefined && br.in !== HOST && nodeKinds.get(br.in) !== 'namespace' && !namespaces.some((n) => n.name === br.in)) {
      d.push(err('unknown-node', `bridge '${br.name}' is in '${br.in}', which is neither "host" nor a namespace of this topology`, ['bridges', i, 'in']));
    }
  });
  links.forEach((l, i) => {
    for (const side of ['a', 'b'] as const) {
      const ep = l[side];
      if (ep.node !== HOST && !nodeKinds.has(ep.node)) {
        d.push(err('unknown-node', `link end '${ep.name}' is on '${ep.node}', which is not a namespace, a bridge or "host"`, ['links', i, side, 'node']));
      }
    }
  });
}

/** addresses: valid host addresses, no duplicates, none on bridge ports */
function checkAddresses(d: Diagnostic[], idx: TopoIndex): void {
  const seenIp = new Map<string, JsonPath>();
  for (const f of idx.ifaces) {
    if (f.onBridge && f.addresses.length) {
      d.push(err('address-on-port', `'${f.name}' is a port of bridge '${f.onBridge}' and carries no address; put the address on the bridge or on the other end`, f.addrPath));
    }
    f.addresses.forEach((a, j) => {
      const p: JsonPath = [...f.addrPath, j];
      const c = parseCidr(a)!;
      if (isLoopback(c) || isMulticastOrUnspecified(c)) d.push(err('invalid-address', `${a} is a loopback, multicast or unspecified address`, p));
      else if (isNetworkOrBroadcast(c)) d.push(warn('network-address', `${a} is the network or broadcast address of its subnet`, p));
      const key = formatIP(c.family, c.addr);
      const prev = seenIp.get(key);
      if (prev) d.push(err('duplicate-address', `address ${key} is used twice (also at ${prev.join('.')})`, p));
      else seenIp.set(key, p);
    });
  }
}

/** subnets: no overlap between different segments */
function checkSubnets(d: Diagnostic[], idx: TopoIndex): void {
  // Distinct (segment, subnet) pairs are swept
  // in address order, so 10 000 links cost a sort, not 10^8 comparisons.
  const seen = new Map<string, { seg: number; c: Cidr; text: string; path: JsonPath; order: number; start: bigint; end: bigint }>();
  for (const f of idx.ifaces) {
    f.addresses.forEach((a, j) => {
      const c = parseCidr(a)!;
      if (isLinkLocal(c)) return;
      const text = subnetOf(c);
      const key = `${f.segment}|${text}`;
      if (seen.has(key)) return;
      const start = network(c);
      const size = 1n << BigInt((c.family === 4 ? 32 : 128) - c.prefix);
      seen.set(key, { seg: f.segment, c, text, path: [...f.addrPath, j], order: seen.size, start, end: start + size - 1n });
    });
  }
  const sorted = [...seen.values()].sort((a, b) => a.c.family - b.c.family || (a.start < b.start ? -1 : a.start > b.start ? 1 : a.c.prefix - b.c.prefix || a.order - b.order));
  const reported = new Set<string>();
  let cover: (typeof sorted)[number] | undefined;
  for (const e of sorted) {
    if (cover && cover.c.family === e.c.family && e.start <= cover.end) {
      // report at the one written later in the file
      const [x, y] = cover.order < e.order ? [cover, e] : [e, cover];
      const k = `${x.seg}|${x.text}||${y.seg}|${y.text}`;
      if (!reported.has(k)) {
        reported.add(k);
        if (x.seg !== y.seg) d.push(err('subnet-overlap', `subnet ${y.text} overlaps ${x.text}, which is on a different segment (another bridge or link)`, y.path));
        else d.push(warn('prefix-mismatch', `${y.text} and ${x.text} share a segment with different prefix lengths`, y.path));
      }
    }
    if (!cover || cover.c.family !== e.c.family || e.end > cover.end) cover = e;
  }

}

/** impairments: jitter varies a delay, so it needs one; more jitter than delay clips at zero */
function checkImpairments(d: Diagnostic[], links: readonly Link[]): void {
  links.forEach((l, i) => {
    for (const side of ['a', 'b'] as const) {
      const im = l[side].impair;
      if (!im) continue;
      const p: JsonPath = ['links', i, side, 'impair'];
      if (im.jitter !== undefined && im.jitter > 0 && !(im.delay !== undefined && im.delay > 0)) {
        d.push(err('jitter-needs-delay', `jitter (${im.jitter} ms) varies the delay, but '${l[side].name}' has no delay; set impair.delay (ms) as well`, [...p, 'jitter']));
      } else if (im.jitter !== undefined && im.delay !== undefined && im.jitter > im.delay) {
        d.push(warn('jitter-exceeds-delay', `jitter ${im.jitter} ms is larger than delay ${im.delay} ms: netem cannot delay a packet by less than 0 ms, so delays pile up at 0 and packets are reordered`, [...p, 'jitter']));
      }
      if (!Object.values(im).some((v) => v !== undefined && v !== 0)) {
        d.push(warn('empty-impair', `impair of '${l[side].name}' sets nothing (every value is 0 or missing); remove it`, p));
      }
    }
  });

}

/** internet access and NAT: masquerade needs an uplink; a namespace with internet needs a way out and back */
function checkInternet(d: Diagnostic[], t: Topology, idx: TopoIndex): void {
  const host = t.host;
  const masq = (host?.masquerade ?? []).map((m) => parseCidr(m)!);
  if (masq.length && !host?.uplink) {
    d.push(err('nat-no-uplink', 'masquerade is set but the host has no uplink; set host.uplink to an interface or "auto"', ['host', 'masquerade']));
  }
  (host?.masquerade ?? []).forEach((m, j) => {
    const c = parseCidr(m)!;
    if (c.family !== 4) d.push(err('invalid-cidr', `masquerade is IPv4 only; ${m} is IPv6`, ['host', 'masquerade', j]));
    else if (network(c) !== c.addr) d.push(warn('not-a-network', `${m} has host bits set; it means ${subnetOf(c)}`, ['host', 'masquerade', j]));
    if (c.family === 4 && c.prefix < 8) d.push(warn('broad-subnet', `masquerading ${m} makes the host NAT a large part of the internet's address space; a lab needs its own subnets only`, ['host', 'masquerade', j]));
  });
  (t.namespaces ?? []).forEach((ns, i) => {
    if (!ns.internet) return;
    const p: JsonPath = ['namespaces', i, 'internet'];
    const hasDefault = (ns.routes ?? []).some((r) => r.to === 'default' && routeFamily(r) === 4);
    if (!hasDefault) {
      d.push(err('no-route-out', `namespace '${ns.name}' has internet access but no IPv4 default route; add {"to": "default", "via": <the gateway on its LAN>}`, p));
      return;
    }
    const addrs = idx.addressesOf(ns.name).filter((c) => c.family === 4);
    if (!masq.length) {
      d.push(warn('not-masqueraded', `namespace '${ns.name}' has internet access but host.masquerade is empty; replies from the internet will not find their way back`, p));
    } else if (!addrs.some((a) => masq.some((m) => contains(m, a)))) {
      d.push(warn('not-masqueraded', `no address of namespace '${ns.name}' is in a masqueraded subnet (${host!.masquerade!.join(', ')})`, p));
    }
  });
}

/** interface names unique per network namespace (the root namespace of each host); 'lo' is the kernel's */
function checkIfaceNames(d: Diagnostic[], t: Topology, idx: TopoIndex): void {
  const hostOfIf = ifaceHostFn(t);
  for (const [scope, ifs] of idx.ifacesByScope) {
    const seen = new Map<string, JsonPath>();
    for (const f of ifs) {
      const host = scope === null ? hostOfIf(f) : '';
      const where = scope === null ? (host === LOCAL_HOST ? 'the host' : `host '${host}'`) : `namespace '${scope}'`;
      if (f.name === 'lo') d.push(err('reserved-name', `'lo' is the loopback interface of ${where}`, f.namePath));
      else if (seen.has(`${host}|${f.name}`)) d.push(err('duplicate-name', `interface '${f.name}' appears twice in ${where}`, f.namePath));
      seen.set(`${host}|${f.name}`, f.namePath);
    }
  }
}

function routeFamily(r: Route): 4 | 6 {
  if (r.via) return parseIP(r.via)!.family;
  if (r.to !== 'default') return parseCidr(r.to)!.family;
  return 4;
}

function checkRoutes(d: Diagnostic[], idx: TopoIndex, scope: string | null, routes: Route[], base: JsonPath): void {
  const where = scope === null ? 'the host' : `namespace '${scope}'`;
  const own = (idx.ifacesByScope.get(scope) ?? []);
  const connected = own.flatMap((f) => f.addresses.map((a) => ({ f, c: parseCidr(a)! })));
  const seen = new Set<string>();
  routes.forEach((r, i) => {
    const p: JsonPath = [...base, i];
    if (!r.via && !r.dev) {
      d.push(err('route-needs-gateway', `a route needs "via" (a gateway) or "dev" (an interface)`, p));
      return;
    }
    const fam = routeFamily(r);
    if (r.to !== 'default' && r.via && parseCidr(r.to)!.family !== parseIP(r.via)!.family) {
      d.push(err('family-mismatch', `destination ${r.to} and gateway ${r.via} are of different IP families`, [...p, 'via']));
      return;
    }
    if (r.dev && !own.some((f) => f.name === r.dev)) {
      d.push(err('unknown-interface', `${where} has no interface '${r.dev}' in this topology`, [...p, 'dev']));
    }
    const key = `${fam}|${r.to === 'default' ? 'default' : subnetOf(parseCidr(r.to)!)}|${r.metric ?? ''}`;
    if (seen.has(key)) d.push(err('duplicate-route', `a second route to ${r.to} in ${where}`, [...p, 'to']));
    seen.add(key);
    if (r.to !== 'default') {
      const c = parseCidr(r.to)!;
      if (network(c) !== c.addr) d.push(warn('not-a-network', `${r.to} has host bits set; it is applied as ${subnetOf(c)}`, [...p, 'to']));
    }
    if (!r.via) return;
    const gw = parseIP(r.via)!;
    const self = connected.find((x) => x.c.family === gw.family && x.c.addr === gw.addr);
    if (self) {
      d.push(err('gateway-is-self', `gateway ${r.via} is ${where}'s own address on '${self.f.name}'; the gateway is the other side (on a bridge LAN: the bridge's address)`, [...p, 'via']));
      return;
    }
    const on = connected.filter((x) => contains(x.c, gw) && (!r.dev || x.f.name === r.dev));
    if (!on.length) {
      const subs = [...new Set(connected.filter((x) => x.c.family === gw.family).map((x) => subnetOf(x.c)))];
      d.push(err('gateway-unreachable', `gateway ${r.via} is not on any subnet connected to ${where}${r.dev ? ` via '${r.dev}'` : ''} (connected: ${subs.length ? subs.join(', ') : 'none'}); the gateway must be a neighbour, e.g. the bridge's address`, [...p, 'via']));
      return;
    }
    const seg = on[0]!.f.segment;
    if (!idx.ifaces.some((f) => f.segment === seg && f.addresses.some((a) => { const c = parseCidr(a)!; return c.family === gw.family && c.addr === gw.addr; }))) {
      d.push(warn('gateway-unknown', `no interface on the segment of '${on[0]!.f.name}' has address ${r.via}; on a bridge LAN the gateway is the bridge's address`, [...p, 'via']));
    }
  });
}
