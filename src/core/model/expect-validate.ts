/**
 * The semantic checks of lab tests (`expect`): every reference names something of the topology
 * (a namespace, an interface, a service), a port goes with tcp or udp, a namespace to reach has
 * an address. Each diagnostic names the field and the reason. Pure.
 */
import type { Diagnostic, JsonPath } from './diagnostics.js';
import { HOST, type Expectation, type Topology } from './model.js';
import { expectationName, resolveTarget } from './expect.js';
import { buildIndex, type TopoIndex } from './topo-index.js';

const err = (code: string, message: string, path: JsonPath): Diagnostic => ({ severity: 'error', code, message, path });
const warn = (code: string, message: string, path: JsonPath): Diagnostic => ({ severity: 'warning', code, message, path });

export function checkExpectations(t: Topology): Diagnostic[] {
  const list = t.expect ?? [];
  if (!list.length) return [];
  const idx = buildIndex(t);
  const d: Diagnostic[] = [];
  const names = new Map<string, number>();
  list.forEach((e, i) => {
    const base: JsonPath = ['expect', i];
    d.push(...checkOne(t, idx, e, base));
    const n = expectationName(e);
    if (names.has(n)) d.push(warn('duplicate-test', `a test named '${n}' is already expect[${names.get(n)}]`, [...base, e.title ? 'title' : 'kind']));
    else names.set(n, i);
  });
  return d;
}

function checkOne(t: Topology, idx: TopoIndex, e: Expectation, base: JsonPath): Diagnostic[] {
  switch (e.kind) {
    case 'reach': return [...source(idx, e.from, [...base, 'from']), ...target(t, idx, e.from, e.to, [...base, 'to']), ...protoPort(e, base)];
    case 'latency':
    case 'rate': return [...source(idx, e.from, [...base, 'from']), ...target(t, idx, e.from, e.to, [...base, 'to'])];
    case 'http': return source(idx, e.from, [...base, 'from']);
    case 'route': return scope(idx, e.in, [...base, 'in']);
    case 'dns': return scope(idx, e.in, [...base, 'in']);
    case 'address': {
      const s = scope(idx, e.in, [...base, 'in']);
      if (s.length) return s;
      const sc = e.in === HOST ? null : e.in;
      const has = sc === null ? hostInterfaces(idx) : (idx.ifacesByScope.get(sc) ?? []).map((f) => f.name);
      return has.includes(e.dev) || e.dev === 'lo' ? [] : [err('unknown-interface', `${e.in === HOST ? 'the host' : `namespace '${e.in}'`} has no interface '${e.dev}' in this topology`, [...base, 'dev'])];
    }
    case 'service': {
      const s = scope(idx, e.in, [...base, 'in']);
      if (s.length) return s;
      return service(t, e.in, e.name, e.state, [...base, 'name']);
    }
  }
}

function hostInterfaces(idx: TopoIndex): string[] {
  return (idx.ifacesByScope.get(null) ?? []).map((f) => f.name);
}

/** a probe starts in a namespace of the topology */
function source(idx: TopoIndex, name: string, path: JsonPath): Diagnostic[] {
  if (idx.namespaceNames.has(name)) return [];
  return [err('unknown-namespace', `'${name}' is not a namespace of this topology${name === HOST ? ' (probes start in a namespace)' : ''}`, path)];
}

/** where something is looked at: a namespace of the topology or the host */
function scope(idx: TopoIndex, name: string, path: JsonPath): Diagnostic[] {
  return name === HOST || idx.namespaceNames.has(name) ? [] : [err('unknown-namespace', `'${name}' is neither "host" nor a namespace of this topology`, path)];
}

function target(t: Topology, idx: TopoIndex, from: string, to: string, path: JsonPath): Diagnostic[] {
  if (to === from) return [err('invalid-value', `'${to}' is the source itself`, path)];
  const r = resolveTarget(t, to);
  if (r.kind === 'namespace' && !r.targets.length) return [err('no-address', `namespace '${to}' has no address to reach`, path)];
  if (r.kind === 'host' && !r.targets.length) return [err('no-address', 'the host has no address in this topology (give a bridge or a host link end an address)', path)];
  // a single label that names nothing here is more likely a typo than a DNS name
  if (r.kind === 'name' && !to.includes('.') && !idx.bridgeScope.has(to)) {
    return [warn('unknown-target', `'${to}' is not a namespace of this topology; it will be resolved as a DNS name inside '${from}'`, path)];
  }
  if (r.kind === 'name' && idx.bridgeScope.has(to)) return [err('invalid-target', `'${to}' is a bridge; name a namespace, "host" or an address`, path)];
  return [];
}

function protoPort(e: Extract<Expectation, { kind: 'reach' }>, base: JsonPath): Diagnostic[] {
  const proto = e.proto ?? 'icmp';
  if (proto === 'icmp' && e.port !== undefined) return [err('invalid-value', 'port needs proto "tcp" or "udp" (icmp has no ports)', [...base, 'port'])];
  if (proto !== 'icmp' && e.port === undefined) return [err('missing-field', `proto "${proto}" needs a port`, [...base, 'proto'])];
  return [];
}

/** services are the workloads of a namespace (issue 16): checked only where the namespace lists them */
function service(t: Topology, ns: string, name: string, state: 'running' | 'ready' | undefined, path: JsonPath): Diagnostic[] {
  const services = (t.namespaces ?? []).find((x) => x.name === ns)?.services;
  if (!services) return [];
  const s = services.find((x) => x.name === name);
  if (!s) return [err('unknown-service', `namespace '${ns}' has no service '${name}'${services.length ? ` (it has ${services.map((x) => x.name).join(', ')})` : ''}`, path)];
  if (state === 'ready' && !s.ready) return [warn('no-ready-check', `service '${name}' has no ready check; "ready" is the same as "running" for it`, [...path.slice(0, -1), 'state'])];
  return [];
}
