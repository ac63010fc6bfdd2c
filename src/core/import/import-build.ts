/**
 * The topology an importer builds, piece by piece: namespaces, bridges, links (indexed by node and
 * interface name, so start-up lines find the end they configure), host interface names kept unique,
 * and start-up lines applied as structured fields or exec entries.
 */
import { layout } from './importer.js';
import { parseLine, type LineOp } from './import-lines.js';
import { fitIfName } from './import-names.js';
import { macProblem } from '../model/mac.js';
import type { ExecEntry, ImportedNamespace, ImportedTopology, Reporter } from './import-report.js';
import type { z } from 'zod';
import { HOST, type Annotation, type Bridge, type Endpoint, type Host, type Link } from '../model/model.js';

type AnnotationT = z.infer<typeof Annotation>;
export type Position = { x: number; y: number };

/** where a line came from, for the report */
export interface LineSource { file?: string; line?: number; construct: string }

export class LabBuilder {
  readonly namespaces = new Map<string, ImportedNamespace>();
  readonly bridges = new Map<string, Bridge>();
  readonly links: Link[] = [];
  readonly host: Host = {};
  readonly annotations: AnnotationT[] = [];
  /** interface names in the host (bridges and host ends of veths) */
  private readonly hostIfs = new Set<string>();
  private readonly ends = new Map<string, Endpoint>();
  private readonly positions = new Map<string, Position>();

  constructor(readonly report: Reporter) {}

  namespace(name: string): ImportedNamespace {
    let ns = this.namespaces.get(name);
    if (!ns) { ns = { name }; this.namespaces.set(name, ns); }
    return ns;
  }

  bridge(name: string): Bridge {
    let b = this.bridges.get(name);
    if (!b) { b = { name }; this.bridges.set(name, b); this.hostIfs.add(name); }
    return b;
  }

  isNode(name: string): boolean {
    return name === HOST || this.namespaces.has(name) || this.bridges.has(name);
  }

  /** a free host interface name made from `raw` (kept when it is valid and free) */
  hostIfName(raw: string, avoid: ReadonlySet<string> = new Set()): string {
    const n = fitIfName(raw, new Set([...this.hostIfs, ...avoid]));
    this.hostIfs.add(n);
    return n;
  }

  /** reserve a host interface name as given (a host end named by the lab); false when taken */
  claimHostIf(name: string): boolean {
    if (this.hostIfs.has(name)) return false;
    this.hostIfs.add(name);
    return true;
  }

  /** is this node's end in the host's namespace (the host itself or a bridge in it)? */
  inHost(node: string): boolean {
    return node === HOST || this.bridges.has(node);
  }

  endpoint(node: string, name: string): Endpoint | undefined {
    return this.ends.get(`${node}|${name}`);
  }

  /** adds a link; undefined when an end is already used (the reason is returned instead) */
  addLink(a: Endpoint, b: Endpoint, mtu?: number): string | undefined {
    for (const e of [a, b]) if (this.ends.has(`${e.node}|${e.name}`)) return `interface ${e.name} of ${e.node} is already used by another link`;
    this.ends.set(`${a.node}|${a.name}`, a);
    this.ends.set(`${b.node}|${b.name}`, b);
    this.links.push({ a, b, ...(mtu !== undefined ? { mtu } : {}) });
    return undefined;
  }

  setPosition(node: string, p: Position): void {
    this.positions.set(node, p);
  }

  /** one start-up line of namespace `ns`: structured fields, an exec entry, or a report */
  applyLine(ns: string, text: string, src: LineSource): void {
    const p = parseLine(text);
    const r = this.report;
    if (p.kind === 'blank') return;
    if (ns === HOST) { this.hostLine(text, p, src); return; }
    if (p.kind === 'service') {
      r.reported(src.construct, `'${text.trim()}' starts service '${p.name}' through an init system: not imported (namespaces share the host's init; add it under "services" to run it in ${ns})`, src.line, src.file);
      return;
    }
    if (p.kind === 'ops' && p.ops.every((op) => this.canApply(ns, op))) {
      for (const op of p.ops) this.applyOp(ns, op, src);
      return;
    }
    const privileged = p.kind === 'command' ? p.privileged : true;
    this.exec(ns, privileged ? { command: text.trim(), user: 'root' } : text.trim());
    r.mapped(src.construct, privileged
      ? `exec entry run as root in ${ns}: it runs only once you approve its exact text`
      : `exec entry in ${ns} (runs as the person who applies)`, src.line, src.file);
  }

  /** a line run in the host (containerlab's host kind): addresses of host ends and host routes only */
  private hostLine(text: string, p: ReturnType<typeof parseLine>, src: LineSource): void {
    const ok = p.kind === 'ops' && p.ops.every((op) => op.op === 'route' || ((op.op === 'addr' || op.op === 'up' || op.op === 'mtu' || op.op === 'mac') && this.endpoint(HOST, op.dev) !== undefined && this.canApply(HOST, op)));
    if (!ok || p.kind !== 'ops') {
      this.report.reported(src.construct, `'${text.trim()}' would run in the host: netns-lab runs no lab command in the host; not imported`, src.line, src.file);
      return;
    }
    for (const op of p.ops) {
      if (op.op === 'route') {
        (this.host.routes ??= []).push(op.route);
        this.report.mapped(src.construct, `host route ${op.route.to}${op.route.via ? ` via ${op.route.via}` : ''}`, src.line, src.file);
      } else this.applyOp(HOST, op, src);
    }
  }

  exec(ns: string, e: ExecEntry): void {
    const n = this.namespace(ns);
    (n.exec ??= []).push(e);
  }

  private canApply(ns: string, op: LineOp): boolean {
    switch (op.op) {
      case 'addr': case 'mtu': return this.endpoint(ns, op.dev) !== undefined;
      // a MAC the kernel would refuse (multicast, zero) stays the line it was: an exec entry
      case 'mac': return this.endpoint(ns, op.dev) !== undefined && macProblem(op.mac) === undefined;
      case 'up': return op.dev === 'lo' || this.endpoint(ns, op.dev) !== undefined;
      case 'route': case 'sysctl': return true;
      case 'down': return false;
    }
  }

  private applyOp(ns: string, op: LineOp, src: LineSource): void {
    const r = this.report;
    const n = ns === HOST ? ({ name: HOST } as ImportedNamespace) : this.namespace(ns);
    switch (op.op) {
      case 'addr': {
        const e = this.endpoint(ns, op.dev)!;
        if (!(e.addresses ??= []).includes(op.cidr)) e.addresses.push(op.cidr);
        r.mapped(src.construct, `address ${op.cidr} on ${ns}/${op.dev}`, src.line, src.file);
        return;
      }
      case 'mtu':
        this.endpoint(ns, op.dev)!.mtu = op.mtu;
        r.mapped(src.construct, `MTU ${op.mtu} on ${ns}/${op.dev}`, src.line, src.file);
        return;
      case 'mac':
        this.endpoint(ns, op.dev)!.mac = op.mac;
        r.mapped(src.construct, `MAC ${op.mac} on ${ns}/${op.dev}`, src.line, src.file);
        return;
      case 'up':
        r.mapped(src.construct, `${op.dev} is up: netns-lab brings every interface up`, src.line, src.file);
        return;
      case 'route': {
        const routes = (n.routes ??= []);
        const same = routes.findIndex((x) => x.to === op.route.to && (x.metric ?? 0) === (op.route.metric ?? 0));
        if (same >= 0) routes.splice(same, 1, op.route);
        else routes.push(op.route);
        r.mapped(src.construct, `route ${op.route.to}${op.route.via ? ` via ${op.route.via}` : ''}${op.route.dev ? ` dev ${op.route.dev}` : ''} in ${ns}`, src.line, src.file);
        return;
      }
      case 'sysctl':
        (n.sysctls ??= {})[op.key] = op.value;
        r.mapped(src.construct, `sysctl ${op.key}=${op.value} in ${ns}`, src.line, src.file);
        return;
      default:
    }
  }

  /** the finished topology; nodes without a position get one from a simple layered layout */
  build(name: string): ImportedTopology {
    const host = Object.keys(this.host).length ? { ...this.host } : {};
    const t: ImportedTopology = {
      version: 1,
      name,
      host,
      ...(this.bridges.size ? { bridges: [...this.bridges.values()] } : {}),
      namespaces: [...this.namespaces.values()],
      ...(this.links.length ? { links: this.links } : {}),
      ...(this.annotations.length ? { annotations: this.annotations } : {}),
    };
    layout(t as Parameters<typeof layout>[0]);
    for (const n of [...(t.namespaces ?? []), ...(t.bridges ?? [])]) {
      const p = this.positions.get(n.name);
      if (p) n.position = p;
    }
    const hp = this.positions.get(HOST);
    if (hp && t.host) t.host.position = hp;
    return t;
  }
}
