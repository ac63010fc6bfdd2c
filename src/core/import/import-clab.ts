/**
 * containerlab (`*.clab.yml`) to a topology. Kinds linux become namespaces, bridge/ovs-bridge
 * bridges that netns-lab creates, host the host; links in both syntaxes; the management network
 * where the lab relies on it; exec lines as structured fields or exec entries; cmd/env a service.
 * Pure: text in (the YAML and the optional annotations JSON), topology and report out.
 */
import { LabBuilder } from './import-build.js';
import { addClabLinks } from './import-clab-links.js';
import { addMgmt, mgmtPlan } from './import-clab-mgmt.js';
import { execLines, resolveNodes, type ClabNode, type Field, type NodeMap } from './import-clab-nodes.js';
import { fitNsName, fitTopoName } from './import-names.js';
import { Reporter, outcomeOf, sortReport, type ImportResult, type Service } from './import-report.js';
import { isObj, readYaml, type YamlDoc } from './import-yaml.js';
import { Dns, HOST, IfName, SysctlKey, SysctlValue } from '../model/model.js';
import { isReservedNodeName } from '../model/names.js';

export interface ClabInput {
  /** the *.clab.yml text */
  text: string;
  /** the *.clab.yml.annotations.json text, when there is one */
  annotations?: string;
  /** a node of an unsupported kind becomes a plain namespace instead of stopping the import */
  stubUnsupported?: boolean;
}

const TOP_KEYS = new Set(['name', 'prefix', 'mgmt', 'topology']);
const TOPO_KEYS = new Set(['nodes', 'links', 'kinds', 'defaults', 'groups']);
const BRIDGE_KINDS = new Set(['bridge', 'ovs-bridge']);
/** node fields with no effect on a namespace's network (metadata) */
const META_FIELDS = new Set(['kind', 'group', 'labels', 'image']);
const LINUX_FIELDS = new Set([...META_FIELDS, 'exec', 'cmd', 'env', 'user', 'dns', 'mgmt-ipv4', 'mgmt-ipv6', 'sysctls']);

export function importClab(input: ClabInput): ImportResult {
  const r = new Reporter();
  const templ = input.text.split('\n').flatMap((l, i) => (l.includes('{{') ? [i + 1] : []));
  if (templ.length) {
    for (const line of templ) r.refused('Go template', "'{{ … }}' is a Go template: containerlab renders it (with --vars); netns-lab reads plain YAML. Render the file first, or write the values in", line);
    return { report: r.items, outcome: 'invalid' };
  }
  const { doc, errors } = readYaml(input.text);
  if (!doc) {
    for (const e of errors) r.refused('YAML', `not valid YAML: ${e.message}`, e.line);
    return { report: r.items, outcome: 'invalid' };
  }
  const root = doc.value;
  if (!isObj(root) || !isObj(root.topology) || !isObj(root.topology.nodes)) {
    r.refused('topology', 'a containerlab file has topology.nodes (a map of node names)', doc.line(['topology']) ?? 1);
    return { report: r.items, outcome: 'invalid' };
  }
  for (const k of Object.keys(root)) if (!TOP_KEYS.has(k)) r.reported(k, 'not a field netns-lab imports: ignored', doc.line([k]));
  for (const k of Object.keys(root.topology)) if (!TOPO_KEYS.has(k)) r.reported(`topology.${k}`, 'not a field netns-lab imports: ignored', doc.line(['topology', k]));
  if (root.prefix !== undefined) r.mapped('prefix', 'container name prefix: namespaces are named after the nodes', doc.line(['prefix']));

  const b = new LabBuilder(r);
  const nodes = resolveNodes(doc);
  const map = classify(doc, nodes, b, input.stubUnsupported === true);
  if (r.refusedAny) return { report: sortReport(r.items), outcome: 'invalid' };
  const mgmt = mgmtPlan(doc, nodes, map, b);
  addClabLinks(doc, map, b, mgmt?.bridge);
  if (mgmt) addMgmt(doc, mgmt, nodes, map, b);
  for (const n of nodes) {
    const m = map.get(n.name);
    if (m?.as === 'namespace') nodeFields(doc, n, m.name, b);
  }
  for (const n of nodes) if (map.get(n.name)?.as === 'host') hostFields(doc, n, b);
  if (mgmt) mgmt.finish(b);
  positions(doc, nodes, map, b, input.annotations);
  const rawName = typeof root.name === 'string' ? root.name : 'clab';
  const name = fitTopoName(rawName);
  if (name !== rawName) r.mapped('name', `lab name '${rawName}' becomes topology name '${name}' (1-20 letters, digits, _ -)`, doc.line(['name']));
  if (r.refusedAny) return { report: sortReport(r.items), outcome: 'invalid' };
  const topology = b.build(name);
  return { topology, report: sortReport(r.items), outcome: outcomeOf(r.items, true) };
}

/** each node: namespace, bridge, host, or an unsupported kind (refused, or a stub namespace) */
function classify(doc: YamlDoc, nodes: ClabNode[], b: LabBuilder, stub: boolean): NodeMap {
  const r = b.report;
  const map: NodeMap = new Map();
  const nsNames = new Set<string>();
  let imageSaid = false;
  for (const n of nodes) {
    const line = doc.line(n.path);
    const kind = n.kind;
    if (kind === 'host') { map.set(n.name, { as: 'host', name: 'host' }); r.mapped(`node ${n.name}`, 'kind host: the host itself', line); continue; }
    if (kind !== undefined && BRIDGE_KINDS.has(kind)) {
      if (!IfName.safeParse(n.name).success || isReservedNodeName(n.name)) { r.refused(`node ${n.name}`, `a ${kind} is named by its node name, which is not a valid interface name (1-15 letters, digits, _ . -)`, line); continue; }
      b.bridge(n.name);
      map.set(n.name, { as: 'bridge', name: n.name });
      r.mapped(`node ${n.name}`, kind === 'bridge' ? 'kind bridge: a bridge netns-lab creates (containerlab expects it to exist)' : 'kind ovs-bridge: created as a Linux bridge (no Open vSwitch features)', line);
      for (const [k, f] of n.fields) if (!META_FIELDS.has(k)) r.reported(`node ${n.name}: ${k}`, `not imported for a ${kind}`, doc.line(f.path));
      continue;
    }
    if (kind !== 'linux') {
      if (!stub) { r.refused(`node ${n.name}`, `kind ${kind ?? '(none)'} is not supported (a vendor system, not a plain Linux host); import with --stub-unsupported to get a plain namespace in its place`, line); continue; }
      r.reported(`node ${n.name}`, `kind ${kind ?? '(none)'} becomes a plain namespace (stub): its own software and configuration are not reproduced`, line);
    }
    const name = fitNsName(n.name, nsNames);
    nsNames.add(name);
    if (name !== n.name) r.mapped(`node ${n.name}`, `namespace '${name}' (namespace names are 1-64 letters, digits, _ . - and not host/default/all/none)`, line);
    b.namespace(name);
    map.set(n.name, { as: 'namespace', name });
    if (kind === 'linux' && !imageSaid && n.fields.has('image')) {
      imageSaid = true;
      r.mapped('image', "container images are not used: namespaces share the host's filesystem and programs (said once for the lab)", doc.line(n.fields.get('image')!.path));
    }
  }
  return map;
}

/** exec, cmd/env/user, dns, sysctls and the fields not imported, of one namespace node */
function nodeFields(doc: YamlDoc, n: ClabNode, ns: string, b: LabBuilder): void {
  const r = b.report;
  for (const { text, line } of execLines(doc, n.fields.get('exec'))) b.applyLine(ns, text, { construct: `node ${n.name}: exec`, ...(line !== undefined ? { line } : {}) });
  const cmd = n.fields.get('cmd');
  const env = n.fields.get('env');
  if (cmd) service(doc, n, ns, cmd, env, b);
  else if (env) r.reported(`node ${n.name}: env`, 'environment of the container: without cmd there is no service to carry it; exec entries do not take one', doc.line(env.path));
  const user = n.fields.get('user');
  if (user && !cmd) r.mapped(`node ${n.name}: user`, 'container user: exec entries run as the person who applies, or as root once approved', doc.line(user.path));
  dns(doc, n, ns, b);
  sysctls(doc, n, ns, b);
  const labels = n.fields.get('labels');
  if (labels && isObj(labels.value) && Object.keys(labels.value).some((k) => !k.startsWith('graph-'))) r.mapped(`node ${n.name}: labels`, 'container labels: metadata, not needed here', doc.line(labels.path));
  for (const [k, f] of n.fields) {
    if (LINUX_FIELDS.has(k)) continue;
    r.reported(`node ${n.name}: ${k}`, `${k} is a container setting netns-lab does not reproduce: not imported`, doc.line(f.path));
  }
}

/** a host node: its exec lines may address the host's ends and add host routes; nothing else is run */
function hostFields(doc: YamlDoc, n: ClabNode, b: LabBuilder): void {
  for (const { text, line } of execLines(doc, n.fields.get('exec'))) b.applyLine(HOST, text, { construct: `node ${n.name}: exec`, ...(line !== undefined ? { line } : {}) });
  for (const [k, f] of n.fields) if (k !== 'exec' && !META_FIELDS.has(k) && k !== 'env') b.report.reported(`node ${n.name}: ${k}`, 'not imported for the host', doc.line(f.path));
}

function service(doc: YamlDoc, n: ClabNode, ns: string, cmd: Field, env: Field | undefined, b: LabBuilder): void {
  const r = b.report;
  const command = Array.isArray(cmd.value) ? cmd.value.map(String) : String(cmd.value);
  const s: Service = { name: 'cmd', command };
  if (env && isObj(env.value)) {
    const e = Object.fromEntries(Object.entries(env.value).map(([k, v]) => [k, String(v)]));
    const bad = Object.keys(e).filter((k) => !/^[A-Za-z_][A-Za-z0-9_]{0,127}$/.test(k));
    for (const k of bad) { delete e[k]; r.reported(`node ${n.name}: env`, `variable name '${k}' is not accepted (letters, digits, _): left out`, doc.line(env.path)); }
    if (Object.keys(e).length) s.env = e;
    r.mapped(`node ${n.name}: env`, `environment of service 'cmd' in ${ns}`, doc.line(env.path));
  }
  const user = n.fields.get('user');
  if (user && typeof user.value === 'string' && (/^[a-z_][a-z0-9_-]{0,31}\$?$/.test(user.value))) {
    s.user = user.value;
    r.mapped(`node ${n.name}: user`, user.value === 'root' ? `service 'cmd' runs as root: only once you approve its text` : `service 'cmd' runs as ${user.value}`, doc.line(user.path));
  } else if (user) r.reported(`node ${n.name}: user`, `'${String(user.value)}' is not a user name netns-lab accepts: the service runs as the person who applies`, doc.line(user.path));
  b.namespace(ns).services = [s];
  r.mapped(`node ${n.name}: cmd`, `service 'cmd' in ${ns} (the container's command, run in the namespace)`, doc.line(cmd.path));
}

function dns(doc: YamlDoc, n: ClabNode, ns: string, b: LabBuilder): void {
  const f = n.fields.get('dns');
  if (!f) return;
  const v = isObj(f.value) ? f.value : {};
  const servers = Array.isArray(v.servers) ? v.servers.map(String) : [];
  const search = Array.isArray(v.search) ? v.search.map(String) : [];
  const d = Dns.safeParse({ servers: servers.slice(0, 3), ...(search.length ? { search } : {}) });
  if (!d.success) { b.report.reported(`node ${n.name}: dns`, `not imported: ${d.error.issues[0]!.message.replace(/^\[[a-z-]+\] /, '')}`, doc.line(f.path)); return; }
  b.namespace(ns).dns = d.data;
  b.report.mapped(`node ${n.name}: dns`, `DNS servers ${servers.slice(0, 3).join(', ')} in /etc/netns/${ns}/resolv.conf`, doc.line(f.path));
  if (servers.length > 3) b.report.reported(`node ${n.name}: dns`, `only the first 3 servers are kept (resolv.conf reads 3)`, doc.line(f.path));
  if (v.options !== undefined) b.report.reported(`node ${n.name}: dns.options`, 'resolver options are not imported', doc.line([...f.path, 'options']));
}

function sysctls(doc: YamlDoc, n: ClabNode, ns: string, b: LabBuilder): void {
  const f = n.fields.get('sysctls');
  if (!f || !isObj(f.value)) return;
  for (const [k, v] of Object.entries(f.value)) {
    const value = typeof v === 'number' ? v : /^-?\d+$/.test(String(v)) ? Number(v) : String(v);
    const line = doc.line([...f.path, k]);
    if (SysctlKey.safeParse(k).success && SysctlValue.safeParse(value).success) {
      (b.namespace(ns).sysctls ??= {})[k] = value;
      b.report.mapped(`node ${n.name}: sysctls`, `sysctl ${k}=${value} in ${ns}`, line);
    } else b.report.reported(`node ${n.name}: sysctls`, `${k} is not a network sysctl netns-lab sets: not imported`, line);
  }
}

/** graph-posX/Y labels and the annotations file's node positions and free texts */
function positions(doc: YamlDoc, nodes: ClabNode[], map: NodeMap, b: LabBuilder, annotations?: string): void {
  for (const n of nodes) {
    const labels = n.fields.get('labels')?.value;
    const m = map.get(n.name);
    if (!isObj(labels) || !m || m.as === 'skipped') continue;
    const x = Number(labels['graph-posX']);
    const y = Number(labels['graph-posY']);
    if (labels['graph-posX'] !== undefined && Number.isFinite(x) && Number.isFinite(y)) b.setPosition(m.name, { x, y });
  }
  if (annotations === undefined) return;
  let a: unknown;
  try { a = JSON.parse(annotations); } catch (e) { b.report.reported('annotations', `not valid JSON, positions not read: ${(e as Error).message}`, undefined, 'annotations.json'); return; }
  if (!isObj(a)) return;
  for (const na of Array.isArray(a.nodeAnnotations) ? a.nodeAnnotations : []) {
    const m = isObj(na) && typeof na.id === 'string' ? map.get(na.id) : undefined;
    const p = isObj(na) && isObj(na.position) ? na.position : undefined;
    if (m && p && Number.isFinite(p.x) && Number.isFinite(p.y)) b.setPosition(m.name, { x: Number(p.x), y: Number(p.y) });
  }
  for (const t of Array.isArray(a.freeTextAnnotations) ? a.freeTextAnnotations : []) {
    if (isObj(t) && typeof t.text === 'string' && isObj(t.position) && Number.isFinite(t.position.x) && Number.isFinite(t.position.y)) {
      b.annotations.push({ text: t.text.slice(0, 4096), position: { x: Number(t.position.x), y: Number(t.position.y) } });
    }
  }
  for (const k of Object.keys(a)) {
    if (k !== 'nodeAnnotations' && k !== 'freeTextAnnotations') b.report.reported(`annotations: ${k}`, 'not imported (node positions and free texts are)', undefined, 'annotations.json');
  }
}
