/**
 * What the canvas can draw of a (possibly invalid) topology value: its nodes and links with
 * their JSON paths, the element ids they get, and the node kinds (a namespace with forwarding
 * on is a router). Pure functions over plain data, like the rest of the model (model.ts).
 */
import type { NodeKind, Pos } from '../src/core/edit/gestures.js';

export type { NodeKind, Pos };
export type LabelMode = 'all' | 'names' | 'none';
export type JsonPath = (string | number)[];

/** a diagnostic as the host sends it (the shape of protocol.ts's Diag) */
export interface Diag {
  severity: 'error' | 'warning';
  code: string;
  message: string;
  path: JsonPath;
}

export const HOST_ID = 'host';

export interface ViewEndpoint {
  node: string;
  name: string;
  addresses: string[];
  mtu: number | undefined;
  /** the end's MAC as written */
  mac?: string;
  /** the numeric fields of the end's impair object, as written */
  impair?: Impairment;
}

/** an endpoint's impairments (delay/jitter ms, loss/corrupt/duplicate %, rate kbit/s) */
export interface Impairment { delay?: number; jitter?: number; loss?: number; corrupt?: number; duplicate?: number; rate?: number }
export const IMPAIR_FIELDS = ['delay', 'jitter', 'loss', 'corrupt', 'duplicate', 'rate'] as const;

export interface ViewNode {
  /** the name used in gestures: a namespace or bridge name, or "host" */
  ref: string;
  id: string;
  kind: NodeKind;
  /** JSON path of the node's object in the file */
  path: JsonPath;
  position: Pos | undefined;
  /** for a bridge: the namespace it lives in (undefined = the host) */
  in: string | undefined;
  internet: boolean;
  note: string | undefined;
  /** the node's object as it is in the file */
  raw: Record<string, unknown>;
  /** a lab across hosts: the host the node is on ("local" by default; undefined in a single-host lab) */
  host?: string;
}

export interface ViewLink {
  index: number;
  id: string;
  a: ViewEndpoint;
  b: ViewEndpoint;
  mtu: number | undefined;
  note: string | undefined;
  raw: Record<string, unknown>;
}

/** what the canvas can draw of a topology value */
export interface TopologyView {
  name: string;
  nodes: ViewNode[];
  byRef: Map<string, ViewNode>;
  links: ViewLink[];
  /** element id for a node path (['namespaces', 3]) */
  byPath: Map<string, string>;
  /** a lab across hosts: its hosts in the file's order, "local" first (empty in a single-host lab) */
  hosts?: string[];
  /** links that cannot be drawn (an end names no node) */
  dangling: number[];
}

// ---------------------------------------------------------------------------------------------
// reading

const isObj = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);
const str = (v: unknown): string | undefined => (typeof v === 'string' ? v : undefined);
const num = (v: unknown): number | undefined => (typeof v === 'number' && Number.isFinite(v) ? v : undefined);
const strings = (v: unknown): string[] => (Array.isArray(v) ? v.filter((x): x is string => typeof x === 'string') : []);

function position(v: unknown): Pos | undefined {
  if (!isObj(v)) return undefined;
  const x = num(v.x);
  const y = num(v.y);
  return x === undefined || y === undefined ? undefined : { x, y };
}

export function nodeId(ref: string): string {
  return ref === HOST_ID ? HOST_ID : `n:${ref}`;
}

export function refOfId(id: string): string | undefined {
  if (id === HOST_ID) return HOST_ID;
  return id.startsWith('n:') ? id.slice(2) : undefined;
}

export function linkId(index: number, a: string, b: string): string {
  return `l:${index}:${a}:${b}`;
}

/** link index of an edge id, or undefined for other edges */
export function linkIndexOfId(id: string): number | undefined {
  const m = /^l:(\d+):/.exec(id);
  return m ? Number(m[1]) : undefined;
}

/** a namespace with forwarding on is drawn as a router */
export function isForwarding(sysctls: unknown): boolean {
  if (!isObj(sysctls)) return false;
  const v = sysctls['net.ipv4.ip_forward'];
  return v === 1 || v === '1';
}

export function namespaceKind(ns: unknown): 'namespace' | 'router' {
  return isObj(ns) && isForwarding(ns.sysctls) ? 'router' : 'namespace';
}

function endpoint(v: unknown): ViewEndpoint | undefined {
  if (!isObj(v)) return undefined;
  const node = str(v.node);
  if (!node) return undefined;
  const impair = impairment(v.impair);
  const mac = str(v.mac);
  return { node, name: str(v.name) ?? '', addresses: strings(v.addresses), mtu: num(v.mtu), ...(mac !== undefined ? { mac } : {}), ...(impair ? { impair } : {}) };
}

function impairment(v: unknown): Impairment | undefined {
  if (!isObj(v)) return undefined;
  const out: Impairment = {};
  for (const k of IMPAIR_FIELDS) { const n = num(v[k]); if (n !== undefined && Number.isFinite(n)) out[k] = n; }
  return Object.keys(out).length ? out : undefined;
}

/**
 * Read what can be drawn from a parsed file. The value may break the schema (the text editor
 * is open next to the canvas): nodes without a usable name and links without two ends are
 * left out, the second of two nodes with the same name too (validation reports both).
 */
export function readTopology(raw: unknown): TopologyView {
  const t = isObj(raw) ? raw : {};
  const nodes: ViewNode[] = [];
  const byRef = new Map<string, ViewNode>();
  const byPath = new Map<string, string>();
  const add = (n: ViewNode) => {
    if (byRef.has(n.ref)) return;
    byRef.set(n.ref, n);
    byPath.set(n.path.join('/'), n.id);
    nodes.push(n);
  };
  if (isObj(t.host)) {
    add({
      ref: HOST_ID, id: HOST_ID, kind: 'host', path: ['host'], position: position(t.host.position),
      in: undefined, internet: false, note: undefined, raw: t.host,
    });
  }
  (Array.isArray(t.bridges) ? t.bridges : []).forEach((b, i) => {
    const name = isObj(b) ? str(b.name) : undefined;
    if (!isObj(b) || !name || name === HOST_ID) return;
    const inNs = str(b.in);
    add({
      ref: name, id: nodeId(name), kind: 'bridge', path: ['bridges', i], position: position(b.position),
      in: inNs && inNs !== HOST_ID ? inNs : undefined, internet: false, note: str(b.note), raw: b,
    });
  });
  (Array.isArray(t.namespaces) ? t.namespaces : []).forEach((ns, i) => {
    const name = isObj(ns) ? str(ns.name) : undefined;
    if (!isObj(ns) || !name || name === HOST_ID) return;
    add({
      ref: name, id: nodeId(name), kind: namespaceKind(ns), path: ['namespaces', i], position: position(ns.position),
      in: undefined, internet: ns.internet === true, note: str(ns.note), raw: ns,
    });
  });
  const links: ViewLink[] = [];
  const dangling: number[] = [];
  (Array.isArray(t.links) ? t.links : []).forEach((l, index) => {
    if (!isObj(l)) { dangling.push(index); return; }
    const a = endpoint(l.a);
    const b = endpoint(l.b);
    if (!a || !b || !byRef.has(a.node) || !byRef.has(b.node)) { dangling.push(index); return; }
    const id = linkId(index, a.node, b.node);
    byPath.set(`links/${index}`, id);
    links.push({ index, id, a, b, mtu: num(l.mtu), note: str(l.note), raw: l });
  });
  const hosts = placeOnHosts(t, nodes, byRef);
  return { name: str(t.name) ?? '', nodes, byRef, links, byPath, dangling, ...(hosts.length ? { hosts } : {}) };
}

/**
 * A lab across hosts (a host entry with ssh, or a node with "on"): each node's host, as the
 * engine places it (a bridge in a namespace is on that namespace's host; the host node is the
 * local machine's); the hosts in the file's order, "local" first. Nothing when single-host.
 */
function placeOnHosts(t: Record<string, unknown>, nodes: ViewNode[], byRef: Map<string, ViewNode>): string[] {
  const listed = (Array.isArray(t.hosts) ? t.hosts : []).filter((h): h is Record<string, unknown> => isObj(h) && typeof h.name === 'string' && h.name !== 'local').map((h) => h.name as string);
  const on = (n: ViewNode) => str(n.raw.on);
  if (!listed.length && !nodes.some(on)) return [];
  const hostOf = (n: ViewNode): string => on(n) ?? (n.kind === 'bridge' && n.in && byRef.get(n.in) ? hostOf(byRef.get(n.in)!) : 'local');
  for (const n of nodes) n.host = n.kind === 'host' ? 'local' : hostOf(n);
  return [...new Set(['local', ...listed, ...nodes.map((n) => n.host!)])];
}

export const KIND_TEXT: Record<NodeKind, string> = {
  namespace: 'namespace', router: 'router', bridge: 'bridge', host: 'host',
};

