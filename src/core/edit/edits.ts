/**
 * Canvas gestures -> text. Each gesture is applied to the document's text with jsonc-parser's
 * `modify`, which changes only the values concerned and keeps the rest of the file (its
 * formatting, key order, other nodes) byte for byte; `minimalEdit` then reduces old -> new text
 * to one replacement, so VS Code's undo/redo see the smallest change.
 */
import { applyEdits, findNodeAtLocation, modify, parseTree, type FormattingOptions, type JSONPath as JPath } from 'jsonc-parser';
import { formatIP, isNetworkOrBroadcast, network, overlaps, parseCidr, type Cidr } from '../model/ip.js';
import { HOST, type Bridge, type Endpoint, type Expectation, type Link, type Namespace, type Topology } from '../model/model.js';
import { ifNameProblem, isReservedNodeName, nsNameProblem } from '../model/names.js';
import type { Gesture, NodeKind, Pos, Target } from './gestures.js';
import { RenumberError, renumber } from './renumber.js';
import { buildIndex } from '../model/topo-index.js';

/** a gesture as the canvas sends it (the schemas are gestures.ts's) */
export type GestureInput = Gesture;
export type SetTarget = Target;
export type { NodeKind, Pos };

export class EditError extends Error {}

export interface TextEdit { offset: number; length: number; text: string }

/** the one replacement that turns a into b (common prefix and suffix left alone) */
export function minimalEdit(a: string, b: string): TextEdit | undefined {
  if (a === b) return undefined;
  let p = 0;
  const max = Math.min(a.length, b.length);
  while (p < max && a.charCodeAt(p) === b.charCodeAt(p)) p++;
  let s = 0;
  while (s < max - p && a.charCodeAt(a.length - 1 - s) === b.charCodeAt(b.length - 1 - s)) s++;
  return { offset: p, length: a.length - p - s, text: b.slice(p, b.length - s) };
}

function formatting(text: string): FormattingOptions {
  const m = /\n([ \t]+)"/.exec(text);
  const indent = m?.[1] ?? '  ';
  return { insertSpaces: !indent.startsWith('\t'), tabSize: indent.startsWith('\t') ? 1 : indent.length, eol: text.includes('\r\n') ? '\r\n' : '\n' };
}

/** a small editor over the text: every set/remove is a jsonc-parser modify */
class Doc {
  private readonly fmt: FormattingOptions;
  constructor(public text: string) { this.fmt = formatting(text); }
  set(path: JPath, value: unknown): void {
    this.text = applyEdits(this.text, modify(this.text, path, value, { formattingOptions: this.fmt }));
  }
  insert(path: JPath, value: unknown): void {
    this.text = applyEdits(this.text, modify(this.text, path, value, { formattingOptions: this.fmt, isArrayInsertion: true }));
  }
  remove(path: JPath): void {
    if (this.removeArrayItem(path)) return;
    this.text = applyEdits(this.text, modify(this.text, path, undefined, { formattingOptions: this.fmt }));
  }  /**
   * An element of an array of two or more, cut with its separator (from the end of the one before,
   * or up to the start of the one after): jsonc-parser 3.3.1 removes the wrong range for an element
   * after the first of an array on one line (`[1, 2]` became `[12]`; microsoft/node-jsonc-parser#108).
   */
  private removeArrayItem(path: JPath): boolean {
    const index = path[path.length - 1];
    if (typeof index !== 'number') return false;
    const tree = parseTree(this.text);
    const arr = tree && findNodeAtLocation(tree, path.slice(0, -1));
    const items = arr?.type === 'array' ? arr.children ?? [] : [];
    const item = items[index];
    if (!item || items.length < 2) return false;
    const prev = items[index - 1];
    const [start, end] = prev ? [prev.offset + prev.length, item.offset + item.length] : [item.offset, items[index + 1]!.offset];
    this.text = this.text.slice(0, start) + this.text.slice(end);
    return true;
  }

}

const round = (p: Pos): Pos => ({ x: Math.round(p.x), y: Math.round(p.y) });

export function nodeNames(t: Topology): Set<string> {
  return new Set([...(t.namespaces ?? []).map((n) => n.name), ...(t.bridges ?? []).map((b) => b.name)]);
}

/** first free name base1, base2, ... (or base itself when allowed and free) */
export function nextName(taken: Set<string>, base: string, start = 1, maxLen = 15): string {
  for (let i = start; ; i++) {
    const n = `${base}${i}`;
    if (n.length <= maxLen && !taken.has(n)) return n;
    if (n.length > maxLen) return nextName(taken, base.slice(0, Math.max(1, base.length - 1)), start, maxLen);
  }
}

/** the namespace (null = host) where the end of a link on this node lives */
function scopeOf(t: Topology, node: string): string | null {
  if (node === HOST) return null;
  const b = (t.bridges ?? []).find((x) => x.name === node);
  if (b) return !b.in || b.in === HOST ? null : b.in;
  return node;
}

function ifNamesIn(t: Topology, scope: string | null): Set<string> {
  return new Set((buildIndex(t).ifacesByScope.get(scope) ?? []).map((f) => f.name));
}

function usedIps(t: Topology): Set<string> {
  const s = new Set<string>();
  for (const f of buildIndex(t).ifaces) for (const a of f.addresses) { const c = parseCidr(a); if (c) s.add(formatIP(c.family, c.addr)); }
  return s;
}

/** a free host address in a subnet (lowest first), or undefined when it is full */
export function freeAddress(subnet: Cidr, used: Set<string>): string | undefined {
  const bits = subnet.family === 4 ? 32 : 128;
  const hostBits = bits - subnet.prefix;
  const base = network(subnet);
  const limit = hostBits >= 16 ? 65536n : 1n << BigInt(hostBits);
  for (let i = 1n; i < limit; i++) {
    const c: Cidr = { family: subnet.family, addr: base + i, prefix: subnet.prefix };
    if (isNetworkOrBroadcast(c)) continue;
    const ip = formatIP(c.family, c.addr);
    if (!used.has(ip)) return `${ip}/${subnet.prefix}`;
  }
  return undefined;
}

/** a /30 from the pool that overlaps no subnet of the topology */
export function freeLinkSubnet(t: Topology, pool: string): Cidr | undefined {
  const p = parseCidr(pool);
  if (!p || p.family !== 4 || p.prefix > 30) return undefined;
  const taken = buildIndex(t).ifaces.flatMap((f) => f.addresses.map((a) => parseCidr(a)!)).filter((c) => c.family === 4);
  const base = network(p);
  const count = 1n << BigInt(30 - p.prefix);
  for (let i = 0n; i < count && i < 65536n; i++) {
    const c: Cidr = { family: 4, addr: base + i * 4n, prefix: 30 };
    if (!taken.some((x) => overlaps(x, c))) return c;
  }
  return undefined;
}

/** names and addresses proposed for a new link between two nodes */
export function proposeLink(t: Topology, a: string, b: string, pool?: string): Link {
  const isBridge = (n: string) => (t.bridges ?? []).some((x) => x.name === n);
  const end = (node: string, other: string, taken: Set<string>): Endpoint => {
    const scope = scopeOf(t, node);
    const names = new Set([...ifNamesIn(t, scope), ...taken]);
    let name: string;
    if (isBridge(node) || node === HOST) {
      // the host/bridge side is named after what it leads to, like the article's veth1-br
      const want = `${other === HOST ? 'host' : other}-${isBridge(node) ? node : 'h'}`;
      name = want.length <= 15 && !ifNameProblem(want) && !names.has(want) ? want : nextName(names, 'veth');
    } else {
      name = nextName(names, 'eth', 0);
    }
    return { node, name };
  };
  const ea = end(a, b, new Set());
  const eb = end(b, a, scopeOf(t, a) === scopeOf(t, b) ? new Set([ea.name]) : new Set());
  // an end on a namespace or the host facing a bridge with an address: a free address on it
  const used = usedIps(t);
  for (const [mine, other] of [[ea, b], [eb, a]] as const) {
    if (isBridge(mine.node)) continue;
    const br = (t.bridges ?? []).find((x) => x.name === other);
    const addrs = (br?.addresses ?? []).map((x) => parseCidr(x)!).flatMap((c) => {
      const free = freeAddress(c, used);
      if (free) used.add(free.split('/')[0]!);
      return free ? [free] : [];
    });
    if (addrs.length) mine.addresses = addrs;
  }
  // a point-to-point link between two computers (no bridge): a /30 from the pool
  if (pool && !isBridge(a) && !isBridge(b) && !ea.addresses && !eb.addresses) {
    const c = freeLinkSubnet(t, pool);
    if (c) {
      ea.addresses = [`${formatIP(4, c.addr + 1n)}/30`];
      eb.addresses = [`${formatIP(4, c.addr + 2n)}/30`];
    }
  }
  return { a: ea, b: eb };
}

function findNs(t: Topology, name: string): number {
  return (t.namespaces ?? []).findIndex((n) => n.name === name);
}
function findBridge(t: Topology, name: string): number {
  return (t.bridges ?? []).findIndex((n) => n.name === name);
}

type Of<K extends GestureInput['kind']> = Extract<GestureInput, { kind: K }>;

export interface EditOptions {
  /** the address pool new links take their subnets from */
  pool?: string;
  /** names on the machine (namespaces, host interfaces) and their owner topology: a new node's proposed name skips those not this topology's */
  machine?: ReadonlyMap<string, string | undefined>;
}

/** the names a new node must not take: the topology's own, and those on the machine that another owner (or nobody) holds */
function takenNames(t: Topology, machine: ReadonlyMap<string, string | undefined> | undefined): Set<string> {
  const taken = nodeNames(t);
  for (const [name, owner] of machine ?? []) if (owner !== t.name) taken.add(name);
  return taken;
}

/** apply one gesture to the text of a topology file; throws EditError with a reason */
export function applyGesture(text: string, t: Topology, g: GestureInput, opts: EditOptions = {}): string {
  const doc = new Doc(text);
  switch (g.kind) {
    case 'add-node': addNode(doc, t, g, opts.machine); break;
    case 'move': move(doc, t, g); break;
    case 'add-link': addLink(doc, t, g, opts.pool); break;
    case 'delete': remove(doc, t, g); break;
    case 'rename': rename(doc, t, g); break;
    case 'set': setField(doc, t, g.target, g.field, g.value); break;
    case 'paste': paste(doc, t, g); break;
    case 'renumber': renumberLink(doc, t, g); break;
  }
  return doc.text;
}

function addNode(doc: Doc, t: Topology, g: Of<'add-node'>, machine?: ReadonlyMap<string, string | undefined>): void {
  const position = round(g.position);
  const taken = takenNames(t, machine);
  if (g.node === 'host') {
    if (t.host) {
      if (t.host.position) throw new EditError('the topology already has the host node');
      doc.set(['host', 'position'], position);
    } else doc.set(['host'], { position });
    return;
  }
  if (g.node === 'bridge') {
    const name = nextName(new Set([...taken, ...ifNamesIn(t, null)]), 'br', 0);
    doc.set(['bridges', (t.bridges ?? []).length], { name, position } satisfies Bridge);
  } else {
    const name = nextName(taken, g.node === 'router' ? 'r' : 'ns');
    const ns: Namespace = g.node === 'router' ? { name, sysctls: { 'net.ipv4.ip_forward': 1 }, position } : { name, position };
    doc.set(['namespaces', (t.namespaces ?? []).length], ns);
  }
}

function move(doc: Doc, t: Topology, g: Of<'move'>): void {
  for (const m of g.moves) {
    const p = round(m.position);
    // set x and y one by one when a position exists: an inline {"x": .., "y": ..} stays inline
    const place = (path: JPath, had: Pos | undefined) => {
      if (had && typeof had.x === 'number' && typeof had.y === 'number') {
        if (had.x !== p.x) doc.set([...path, 'x'], p.x);
        if (had.y !== p.y) doc.set([...path, 'y'], p.y);
      } else doc.set(path, p);
    };
    if (m.node === HOST) { if (t.host) place(['host', 'position'], t.host.position); else doc.set(['host'], { position: p }); continue; }
    const i = findNs(t, m.node);
    if (i >= 0) { place(['namespaces', i, 'position'], t.namespaces![i]!.position); continue; }
    const j = findBridge(t, m.node);
    if (j >= 0) { place(['bridges', j, 'position'], t.bridges![j]!.position); continue; }
    throw new EditError(`no node '${m.node}' to move`);
  }
}

function addLink(doc: Doc, t: Topology, g: Of<'add-link'>, pool: string | undefined): void {
  const taken = nodeNames(t);
  for (const n of [g.a, g.b]) if (n !== HOST && !taken.has(n)) throw new EditError(`no node '${n}'`);
  if (g.a === g.b) throw new EditError('a link needs two different nodes');
  const link = proposeLink(t, g.a, g.b, pool);
  doc.set(['links', (t.links ?? []).length], link);
  // the article's lesson, done for the user: a namespace joining a bridge LAN routes via the
  // bridge; a namespace linked to a router routes via the router's address on the new link
  for (const [ns, other, otherEnd] of [[g.a, g.b, link.b], [g.b, g.a, link.a]] as const) {
    const i = findNs(t, ns);
    const gw = i >= 0 ? defaultGateway(t, t.namespaces![i]!, other, otherEnd) : undefined;
    if (i >= 0 && gw && !(t.namespaces![i]!.routes ?? []).some((r) => r.to === 'default')) {
      doc.set(['namespaces', i, 'routes'], [...(t.namespaces![i]!.routes ?? []), { to: 'default', via: gw }]);
    }
  }
}

/** a namespace that forwards IPv4 (the palette's router) */
export function isRouter(ns: Namespace): boolean {
  const v = ns.sysctls?.['net.ipv4.ip_forward'];
  return v !== undefined && String(v) === '1';
}

/**
 * The IPv4 gateway a namespace linked to this node would use: the bridge's address, or the
 * router's address on the link (not for a router linked to a router: which way is default is
 * the user's choice).
 */
function defaultGateway(t: Topology, ns: Namespace, node: string, end: Endpoint): string | undefined {
  const bridge = (t.bridges ?? []).find((x) => x.name === node);
  const router = (t.namespaces ?? []).find((x) => x.name === node);
  const addrs = bridge ? bridge.addresses : router && isRouter(router) && !isRouter(ns) ? end.addresses : undefined;
  const gw = addrs?.map((x) => parseCidr(x)).find((c) => c?.family === 4);
  return gw ? formatIP(4, gw.addr) : undefined;
}

/** the renumbered topology (renumber.ts) written back: only the values that changed */
function renumberLink(doc: Doc, t: Topology, g: Of<'renumber'>): void {
  let next: Topology;
  try {
    next = renumber(t, g.link, g.cidr);
  } catch (e) {
    if (e instanceof RenumberError) throw new EditError(e.message);
    throw e;
  }
  const same = (a: unknown, b: unknown) => JSON.stringify(a) === JSON.stringify(b);
  for (const side of ['a', 'b'] as const) {
    const want = next.links![g.link]![side].addresses;
    if (!same(want, t.links![g.link]![side].addresses)) doc.set(['links', g.link, side, 'addresses'], want);
  }
  (next.namespaces ?? []).forEach((n, i) => { if (!same(n.routes, t.namespaces![i]!.routes)) doc.set(['namespaces', i, 'routes'], n.routes); });
  if (!same(next.host?.routes, t.host?.routes)) doc.set(['host', 'routes'], next.host!.routes);
}

function remove(doc: Doc, t: Topology, g: Of<'delete'>): void {
  const nodes = new Set(g.nodes);
  // bridges inside a deleted namespace go with it
  for (const b of t.bridges ?? []) if (b.in && nodes.has(b.in)) nodes.add(b.name);
  const links = new Set(g.links);
  (t.links ?? []).forEach((l, i) => { if (nodes.has(l.a.node) || nodes.has(l.b.node)) links.add(i); });
  // remove from the end so earlier indices stay valid
  for (const i of [...links].sort((x, y) => y - x)) if (i < (t.links ?? []).length) doc.remove(['links', i]);
  removeAttached(doc, t, nodes);
  (t.bridges ?? []).map((b, i) => [b.name, i] as const).filter(([n]) => nodes.has(n)).reverse().forEach(([, i]) => doc.remove(['bridges', i]));
  (t.namespaces ?? []).map((b, i) => [b.name, i] as const).filter(([n]) => nodes.has(n)).reverse().forEach(([, i]) => doc.remove(['namespaces', i]));
  if (nodes.has(HOST) && t.host) doc.remove(['host', 'position']);
  // the lab tests of a deleted namespace go with it (they would name nothing)
  (t.expect ?? []).map((e, k) => [e, k] as const).filter(([e]) => EXPECT_REFS.some((f) => { const r = expectRef(e, f); return r !== undefined && r !== HOST && nodes.has(r); })).reverse().forEach(([, k]) => doc.remove(['expect', k]));
}

/** the fields of a lab test that name a node ("to" names one where it is not an address: route's is one) */
const EXPECT_REFS = ['from', 'in', 'to'] as const;
function expectRef(e: Expectation, f: (typeof EXPECT_REFS)[number]): string | undefined {
  if (f === 'to' && e.kind === 'route') return undefined;
  const v = (e as Record<string, unknown>)[f];
  return typeof v === 'string' ? v : undefined;
}

function rename(doc: Doc, t: Topology, g: Of<'rename'>): void {
  const { from, to } = g;
  if (from === to) return;
  const i = findNs(t, from);
  const j = findBridge(t, from);
  if (i < 0 && j < 0) throw new EditError(`no node '${from}' to rename`);
  if (nodeNames(t).has(to) || isReservedNodeName(to)) throw new EditError(`'${to}' is already taken`);
  const problem = i >= 0 ? nsNameProblem(to) : ifNameProblem(to);
  if (problem) throw new EditError(problem);
  if (i >= 0) {
    doc.set(['namespaces', i, 'name'], to);
    (t.bridges ?? []).forEach((b, k) => { if (b.in === from) doc.set(['bridges', k, 'in'], to); });
  } else renameBridge(doc, t, j, from, to);
  (t.links ?? []).forEach((l, k) => {
    if (l.a.node === from) doc.set(['links', k, 'a', 'node'], to);
    if (l.b.node === from) doc.set(['links', k, 'b', 'node'], to);
  });
  (t.expect ?? []).forEach((e, k) => { for (const f of EXPECT_REFS) if (expectRef(e, f) === from) doc.set(['expect', k, f], to); });
  renameAttached(doc, t, from, to);
}

/** VXLAN devices and physical interfaces follow a renamed node (issue 19) */
function renameAttached(doc: Doc, t: Topology, from: string, to: string): void {
  (t.vxlans ?? []).forEach((v, k) => { if (v.node === from) doc.set(['vxlans', k, 'node'], to); });
  (t.physical ?? []).forEach((p, k) => {
    if (p.macvlan?.node === from) doc.set(['physical', k, 'macvlan', 'node'], to);
    if (p.bridge === from) doc.set(['physical', k, 'bridge'], to);
  });
}

/** VXLAN devices and physical interfaces of deleted nodes go with them (the physical interface itself stays the host's) */
function removeAttached(doc: Doc, t: Topology, nodes: Set<string>): void {
  (t.vxlans ?? []).map((v, i) => [v.node, i] as const).filter(([n]) => nodes.has(n)).reverse().forEach(([, i]) => doc.remove(['vxlans', i]));
  (t.physical ?? []).map((p, i) => [p.macvlan?.node ?? p.bridge!, i] as const).filter(([n]) => nodes.has(n)).reverse().forEach(([, i]) => doc.remove(['physical', i]));
}

function renameBridge(doc: Doc, t: Topology, j: number, from: string, to: string): void {
  const scope = scopeOf(t, from);
  if (ifNamesIn(t, scope).has(to)) throw new EditError(`'${to}' is already an interface in ${scope ?? 'the host'}`);
  doc.set(['bridges', j, 'name'], to);
  // routes through the bridge by name
  const routes = scope === null ? t.host?.routes : t.namespaces?.[findNs(t, scope)]?.routes;
  routes?.forEach((r, k) => {
    if (r.dev === from) doc.set(scope === null ? ['host', 'routes', k, 'dev'] : ['namespaces', findNs(t, scope), 'routes', k, 'dev'], to);
  });
}

const isPlainObject = (x: unknown): x is Record<string, unknown> => !!x && typeof x === 'object' && !Array.isArray(x);

function setField(doc: Doc, t: Topology, target: SetTarget, field: string, value: unknown): void {
  const v = value === null ? undefined : value;
  switch (target.type) {
    case 'namespace': {
      const i = findNs(t, target.name);
      if (i < 0) throw new EditError(`no namespace '${target.name}'`);
      if (field === 'name') throw new EditError('rename a node with the rename gesture');
      doc.set(['namespaces', i, field], v);
      break;
    }
    case 'bridge': {
      const i = findBridge(t, target.name);
      if (i < 0) throw new EditError(`no bridge '${target.name}'`);
      doc.set(['bridges', i, field], v);
      break;
    }
    case 'host':
      if (!t.host && v === undefined) return;
      doc.set(t.host ? ['host', field] : ['host'], t.host ? v : { [field]: v });
      break;
    case 'link': {
      if (target.index >= (t.links ?? []).length) throw new EditError(`no link ${target.index}`);
      const cur = target.side ? (t.links![target.index]![target.side] as Record<string, unknown>)[field] : undefined;
      if (field === 'impair' && target.side && isPlainObject(cur) && isPlainObject(v)) {
        // an edited impairment changes only the values that changed (the object stays where it is)
        const emptied = Object.keys(v).every((k) => v[k] === undefined || v[k] === null);
        if (emptied) { doc.set(['links', target.index, target.side, field], undefined); break; }
        for (const k of new Set([...Object.keys(cur), ...Object.keys(v)])) {
          const next = v[k] === null ? undefined : v[k];
          if (next !== cur[k]) doc.set(['links', target.index, target.side, field, k], next);
        }
        break;
      }
      doc.set(target.side ? ['links', target.index, target.side, field] : ['links', target.index, field], v);
      break;
    }
    case 'topology':
      doc.set([field], v);
      break;
  }
}

function paste(doc: Doc, t: Topology, g: Of<'paste'>): void {
  const taken = nodeNames(t);
  const rename = new Map<string, string>();
  const off = (p: unknown): Pos | undefined => {
    const q = p as Pos | undefined;
    return q && Number.isFinite(q.x) && Number.isFinite(q.y) ? round({ x: q.x + g.offset.x, y: q.y + g.offset.y }) : undefined;
  };
  const pick = (name: unknown, base: string, isNs: boolean): string => {
    const n = typeof name === 'string' ? name : base;
    let out = n;
    if (taken.has(out) || (isNs ? nsNameProblem(out) : ifNameProblem(out))) {
      const stem = n.replace(/\d+$/, '') || base;
      out = nextName(taken, (isNs ? nsNameProblem(stem) : ifNameProblem(stem)) ? base : stem, 1, isNs ? 64 : 15);
    }
    taken.add(out);
    rename.set(n, out);
    return out;
  };
  let nsCount = (t.namespaces ?? []).length;
  for (const raw of g.namespaces) {
    const ns = { ...(raw as Namespace) };
    ns.name = pick(ns.name, 'ns', true);
    // the copy has no addresses yet: routes through a gateway, and internet access that needs
    // them, would be errors until the user gives it some
    const routes = (ns.routes ?? []).filter((r) => !r.via);
    if (routes.length) ns.routes = routes; else delete ns.routes;
    delete ns.internet;
    const p = off(ns.position);
    if (p) ns.position = p;
    doc.set(['namespaces', nsCount++], ns);
  }
  let brCount = (t.bridges ?? []).length;
  for (const raw of g.bridges) {
    const b = { ...(raw as Bridge) };
    b.name = pick(b.name, 'br', false);
    if (b.in && rename.has(b.in)) b.in = rename.get(b.in)!;
    delete b.addresses; // an address is unique: the copy gets none
    const p = off(b.position);
    if (p) b.position = p;
    doc.set(['bridges', brCount++], b);
  }
  let linkCount = (t.links ?? []).length;
  const hostNames = ifNamesIn(t, null);
  for (const raw of g.links) {
    const l = raw as Link;
    if (!l?.a || !l?.b || !rename.has(l.a.node) || !rename.has(l.b.node)) continue;
    const copy: Link = {
      ...l,
      a: { ...l.a, node: rename.get(l.a.node)! },
      b: { ...l.b, node: rename.get(l.b.node)! },
    };
    delete copy.a.addresses;
    delete copy.b.addresses;
    // interface names stay unique in the host (namespaces are new: their names are free)
    for (const e of [copy.a, copy.b]) {
      const bridge = (g.bridges as Bridge[]).find((b) => rename.get(b.name) === e.node);
      if (bridge && (!bridge.in || bridge.in === HOST)) {
        if (hostNames.has(e.name)) e.name = nextName(hostNames, 'veth');
        hostNames.add(e.name);
      }
    }
    doc.set(['links', linkCount++], copy);
  }
}

/** addresses already on a subnet, for the properties panel's "propose" button */
export function proposeAddress(t: Topology, subnet: string): string | undefined {
  const c = parseCidr(subnet);
  if (!c) return undefined;
  return freeAddress({ ...c, addr: network(c) }, usedIps(t));
}

