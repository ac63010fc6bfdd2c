/**
 * The topology file (*.netns.json), defined once. Types are inferred from these schemas, the
 * validator runs them, and build/gen-schema.ts turns them into the contributed JSON Schema.
 *
 * Error messages of refinements carry their diagnostic code as a "[code] " prefix; the
 * validator turns that into Diagnostic.code.
 */
import { z } from 'zod';
import { parseCidr, parseIP } from './ip.js';
import {
  IFNAME_PATTERN, KERNEL_RESERVED_IFNAMES, NSNAME_PATTERN, TOPONAME_PATTERN, ifNameProblem, nsNameProblem, printable, topoNameProblem,
} from './names.js';
import { workloadFields } from './model-workloads.js';
import { Mac } from './mac.js';
import { LabHostEntry, OnHost } from './model-hosts.js';

const withCode = (code: string, fn: (input: unknown) => string | undefined) =>
  (iss: { input?: unknown }) => `[${code}] ${fn(iss.input) ?? 'invalid value'}`;

export const IfName = z.string()
  .regex(new RegExp(IFNAME_PATTERN), { error: withCode('invalid-name', ifNameProblem) })
  .refine((s) => !KERNEL_RESERVED_IFNAMES.includes(s), { error: withCode('invalid-name', ifNameProblem) })
  .meta({ description: 'Interface name: 1-15 bytes of letters, digits, _ . -, starting with a letter or digit.' });

export const NsName = z.string()
  .regex(new RegExp(NSNAME_PATTERN), { error: withCode('invalid-name', nsNameProblem) })
  .meta({ description: 'Namespace name (a file under /run/netns): 1-64 bytes of letters, digits, _ . -.' });

export const TopoName = z.string()
  .regex(new RegExp(TOPONAME_PATTERN), { error: withCode('invalid-name', topoNameProblem) })
  .meta({ description: 'Topology name: marks every object the tool creates (1-20 bytes of letters, digits, _ -).' });

/** a node reference: a namespace, a bridge, or "host" */
export const NodeRef = z.string().min(1).max(64)
  .meta({ description: 'Name of a namespace, a bridge, or "host".' });

const CIDR_SHAPE = '^[0-9A-Fa-f:.]+/[0-9]{1,3}$';
const IP_SHAPE = '^[0-9A-Fa-f:.]+$';

export const CidrString = z.string()
  .regex(new RegExp(CIDR_SHAPE), { error: (iss) => `[invalid-cidr] '${String(iss.input)}' is not an address with a prefix length, e.g. 10.0.0.2/24 or fd00::2/64`, abort: true })
  .refine((s) => parseCidr(s) !== undefined, { error: (iss) => `[invalid-cidr] '${String(iss.input)}' is not a valid IPv4 or IPv6 address with a prefix length` })
  .meta({ description: 'An address with its prefix length, e.g. 10.0.0.2/24 or fd00::2/64.' });

export const IpString = z.string()
  .regex(new RegExp(IP_SHAPE), { error: (iss) => `[invalid-ip] '${String(iss.input)}' is not an IPv4 or IPv6 address`, abort: true })
  .refine((s) => parseIP(s) !== undefined, { error: (iss) => `[invalid-ip] '${String(iss.input)}' is not a valid IPv4 or IPv6 address` })
  .meta({ description: 'An IPv4 or IPv6 address without prefix length.' });

export const Vni = z.int().min(1).max(16777215).meta({ description: 'VXLAN network identifier (1-16777215).' });

export const Mtu = z.int().min(68).max(65535).meta({ description: 'MTU in bytes (68-65535).' });

export const Position = z.strictObject({
  x: z.number().min(-1e6).max(1e6),
  y: z.number().min(-1e6).max(1e6),
}).meta({ description: 'Position of the node on the canvas.' });

export const Note = z.string().max(4096).meta({ description: 'Free-form note.' });

export const Route = z.strictObject({
  to: z.union([z.literal('default'), CidrString])
    .meta({ description: '"default" or a destination prefix such as 10.1.0.0/24.' }),
  via: IpString.optional().meta({ description: 'Gateway: an address on a connected subnet (for a LAN on a bridge: the bridge address).' }),
  dev: IfName.optional().meta({ description: 'Outgoing interface (optional when via is given).' }),
  metric: z.int().min(0).max(0xffffffff).optional(),
}).meta({ description: 'A static route.' });

export const SysctlKey = z.string()
  .regex(/^net\.(ipv4|ipv6|core|netfilter)(\.[A-Za-z0-9_-]+)+$/, {
    error: (iss) => `[invalid-sysctl] '${String(iss.input)}' is not a network sysctl key such as net.ipv4.ip_forward`,
  });
export const SysctlValue = z.union([
  z.int().min(-0x80000000).max(0xffffffff),
  z.string().regex(/^[A-Za-z0-9 .:_-]{1,64}$/, { error: (iss) => `[invalid-sysctl] '${printable(String(iss.input))}' is not a sysctl value: 1-64 letters, digits, spaces or . : _ -` }),
]);

export const Dns = z.union([
  z.literal('inherit').meta({ description: "Use the host's upstream resolvers (a loopback stub such as 127.0.0.53 is replaced by the servers behind it)." }),
  z.strictObject({
    servers: z.array(IpString).min(1).max(3),
    search: z.array(z.string().regex(/^[A-Za-z0-9]([A-Za-z0-9-]{0,62})(\.[A-Za-z0-9]([A-Za-z0-9-]{0,62}))*\.?$/, {
      error: (iss) => `[invalid-dns] '${printable(String(iss.input))}' is not a search domain: a DNS name such as example.com`,
    })).max(6).optional(),
  }),
]).meta({ description: 'DNS for the namespace, written to /etc/netns/NAME/resolv.conf.' });

export const Namespace = z.strictObject({
  name: NsName,
  routes: z.array(Route).max(1000).optional(),
  sysctls: z.record(SysctlKey, SysctlValue).optional()
    .meta({ description: 'Network sysctls set inside the namespace, e.g. {"net.ipv4.ip_forward": 1} for a router.' }),
  dns: Dns.optional(),
  internet: z.boolean().optional()
    .meta({ description: 'This namespace reaches the internet: it needs a default route and a masqueraded subnet.' }),
  on: OnHost.optional(),
  note: Note.optional(),
  position: Position.optional(),
  /** exec and services (issue 16): see model-workloads.ts */
  ...workloadFields,
}).meta({ description: 'A network namespace: "another computer".' });

export const Bridge = z.strictObject({
  name: IfName,
  in: NodeRef.optional().meta({ description: 'Where the bridge lives: "host" (default) or a namespace name.' }),
  on: OnHost.optional(),
  addresses: z.array(CidrString).max(64).optional(),
  mtu: Mtu.optional(),
  note: Note.optional(),
  position: Position.optional(),
}).meta({ description: 'A Linux bridge (a switch). Its address is the gateway of the LAN behind it.' });

/** a bounded number whose refusals name the field, its unit and its range */
const measure = (field: string, unit: string, min: number, max: number, description: string) => z.number()
  .min(min, { error: (iss) => `[out-of-range] ${field} must be at least ${min}${unit} (got ${String(iss.input)})` })
  .max(max, { error: (iss) => `[out-of-range] ${field} must be at most ${max}${unit} (got ${String(iss.input)})` })
  .meta({ description });
/** a time in ms with at most microsecond precision (what netem keeps) */
const millis = (field: string, description: string) => measure(field, ' ms', 0, 60000, description)
  .refine((v) => Math.abs(v * 1000 - Math.round(v * 1000)) < 1e-6, { error: (iss) => `[invalid-value] ${field} has more precision than a microsecond (got ${String(iss.input)} ms)` });
/** a percentage with at most 6 decimals (netem keeps 1/2^32; tc is given 6 decimals) */
const percent = (field: string, what: string) => measure(field, '%', 0, 100, `${what} in percent (0-100), e.g. 0.5 for 0.5 %.`)
  .refine((v) => Math.abs(v * 1e6 - Math.round(v * 1e6)) < 1e-3, { error: (iss) => `[invalid-value] ${field} has more than 6 decimals (got ${String(iss.input)} %)` });

export const Impair = z.strictObject({
  delay: millis('delay', 'Added one-way delay in milliseconds (0-60000), e.g. 100 for 100 ms (tc netem delay).').optional(),
  jitter: millis('jitter', 'Random variation of the delay in milliseconds (± this much; needs delay), e.g. 10 (tc netem delay D J).').optional(),
  loss: percent('loss', 'Share of packets dropped').optional(),
  corrupt: percent('corrupt', 'Share of packets with a flipped bit').optional(),
  duplicate: percent('duplicate', 'Share of packets sent twice').optional(),
  rate: z.int({ error: (iss) => (typeof iss.input === 'number' ? `[invalid-value] rate is a whole number of kbit/s (got ${iss.input})` : undefined) })
    .min(8, { error: (iss) => `[out-of-range] rate must be at least 8 kbit/s (got ${String(iss.input)})` })
    .max(100_000_000, { error: (iss) => `[out-of-range] rate must be at most 100000000 kbit/s (100 Gbit/s) (got ${String(iss.input)})` })
    .meta({ description: 'Bandwidth limit in kbit/s (1000 bits per second; 8-100000000), e.g. 10000 for 10 Mbit/s (tc tbf, or netem rate with other impairments).' })
    .optional(),
}).meta({ description: 'Impairments of the traffic this end sends (its egress): tc netem when delay, jitter, loss, corrupt or duplicate is set, else tc tbf for a rate alone.' });

export const Endpoint = z.strictObject({
  node: NodeRef,
  name: IfName.meta({ description: 'Interface name of this end of the veth pair.' }),
  addresses: z.array(CidrString).max(64).optional(),
  mtu: Mtu.optional(),
  mac: Mac.optional(),
  impair: Impair.optional(),
}).meta({ description: 'One end of a veth link. An end on a bridge is a port of that bridge and has no address.' });

export const Link = z.strictObject({
  a: Endpoint,
  b: Endpoint,
  mtu: Mtu.optional().meta({ description: 'MTU of both ends (an end may override it).' }),
  up: z.boolean().optional().meta({ description: 'Administrative state: false keeps the cable drawn but both ends down (default true).' }),
  vni: Vni.optional().meta({ description: 'VXLAN network identifier of this link when its ends are on different hosts (default: derived from the topology and link names).' }),
  note: Note.optional(),
}).meta({ description: 'A veth pair: a cable between two nodes (a VXLAN tunnel when they are on different hosts).' });

export const Vxlan = z.strictObject({
  name: IfName.meta({ description: 'Name of the VXLAN device where it sits.' }),
  node: NodeRef.meta({ description: 'Where it sits: "host", a namespace (it is moved there; its tunnel stays in the host), or a bridge (a port of it).' }),
  vni: Vni,
  local: IpString.meta({ description: "This host's underlay address (the tunnel's source)." }),
  remote: IpString.meta({ description: "The peer host's underlay address." }),
  dev: IfName.optional().meta({ description: 'The underlay interface (optional).' }),
  port: z.int().min(1).max(65535).optional().meta({ description: 'UDP destination port (default 4789).' }),
  addresses: z.array(CidrString).max(64).optional(),
  mtu: Mtu.optional(),
  up: z.boolean().optional().meta({ description: 'Administrative state (default true).' }),
  impair: Impair.optional(),
  note: Note.optional(),
}).meta({ description: 'A point-to-point VXLAN device (made by splitting a multi-host lab per host, or written by hand to reach a peer outside the lab).' });

export const Macvlan = z.strictObject({
  node: NodeRef.meta({ description: 'The namespace (or "host") the macvlan sits in.' }),
  name: IfName.meta({ description: 'Name of the macvlan device there.' }),
  addresses: z.array(CidrString).max(64).optional(),
  mtu: Mtu.optional(),
});

export const Physical = z.strictObject({
  dev: IfName.meta({ description: "A physical interface of the node's host (never deleted, never renamed)." }),
  macvlan: Macvlan.optional().meta({ description: 'Join by a macvlan (mode bridge) of dev inside a namespace: dev itself stays with the host.' }),
  bridge: NodeRef.optional().meta({ description: 'Join by moving dev into this lab bridge (refused when dev carries an address or a route of the host); destroy gives it back.' }),
  note: Note.optional(),
}).superRefine((p, ctx) => {
  if ((p.macvlan === undefined) === (p.bridge === undefined)) {
    ctx.addIssue({ code: 'custom', message: '[invalid-physical] a physical interface joins the lab either by "macvlan" or by "bridge": give exactly one', path: [] });
  }
}).meta({ description: "A host's physical interface joining the lab, only where the file says so." });

export const Host = z.strictObject({
  uplink: z.union([z.literal('auto'), IfName]).optional()
    .meta({ description: 'The interface towards the internet, or "auto": the interface of the host\'s default route.' }),
  masquerade: z.array(CidrString).max(256).optional()
    .meta({ description: 'Source subnets to masquerade (NAT) out of the uplink.' }),
  ipForward: z.boolean().optional()
    .meta({ description: 'Turn on net.ipv4.ip_forward in the host (default: on when masquerade is set). The old value is restored on destroy.' }),
  routes: z.array(Route).max(1000).optional(),
  position: Position.optional(),
}).meta({ description: 'The host (the root namespace) as a node.' });

export const Annotation = z.strictObject({
  text: Note,
  position: Position,
});

// --- lab tests (`expect`): what must hold in the running lab (docs/topology-format.md) -------

const DNS_NAME_RE = /^(?=.{1,253}$)[A-Za-z0-9]([A-Za-z0-9_-]{0,62})(\.[A-Za-z0-9_]([A-Za-z0-9_-]{0,62}))*\.?$/;
/** a destination: a namespace of the topology, "host", an IPv4/IPv6 address or a DNS name */
export const ExpectTarget = z.string()
  .refine((s) => parseIP(s) !== undefined || DNS_NAME_RE.test(s), { error: (iss) => `[invalid-target] '${printable(String(iss.input))}' is not a namespace, "host", an address or a DNS name` })
  .meta({ description: 'A namespace of the topology, "host", an IPv4/IPv6 address or a DNS name (resolved inside the source namespace).' });
const ExpectIn = NsName.meta({ description: 'A namespace of the topology, or "host".' });
const expectBase = { title: z.string().min(1).max(200).optional().meta({ description: 'The name of this test (default: one made from its content).' }) };

export const ExpectReach = z.strictObject({
  ...expectBase, kind: z.literal('reach'), from: NsName, to: ExpectTarget,
  ok: z.boolean().meta({ description: 'true: must reach; false: must NOT reach (isolation or firewall tests).' }),
  proto: z.enum(['icmp', 'tcp', 'udp']).optional().meta({ description: 'icmp (default: ping), tcp (a connect to port) or udp (a datagram to port that a service answers).' }),
  port: z.int().min(1).max(65535).optional().meta({ description: 'The port for tcp and udp.' }),
}).meta({ description: 'A namespace reaches (or must not reach) a destination. A namespace as destination: every one of its addresses.' });
export const ExpectRoute = z.strictObject({
  ...expectBase, kind: z.literal('route'), in: ExpectIn, to: IpString.meta({ description: 'The destination address (ip route get TO).' }),
  via: IpString.optional().meta({ description: 'The gateway the route must use.' }),
  dev: IfName.optional().meta({ description: 'The interface the packets must leave through.' }),
}).meta({ description: 'In a namespace, a destination resolves via a gateway and/or out of an interface.' });
export const ExpectAddress = z.strictObject({
  ...expectBase, kind: z.literal('address'), in: ExpectIn, dev: IfName,
  address: z.union([CidrString, IpString]).meta({ description: 'The address, with or without its prefix length.' }),
}).meta({ description: 'An interface carries an address.' });
export const ExpectDns = z.strictObject({
  ...expectBase, kind: z.literal('dns'), in: ExpectIn,
  name: z.string().regex(DNS_NAME_RE, { error: (iss) => `[invalid-dns] '${printable(String(iss.input))}' is not a DNS name` }),
  address: IpString.optional().meta({ description: 'An address the name must resolve to.' }),
}).meta({ description: 'A name resolves inside a namespace (its resolv.conf and hosts file).' });
export const ExpectService = z.strictObject({
  ...expectBase, kind: z.literal('service'), in: ExpectIn, name: z.string().min(1).max(64),
  state: z.enum(['running', 'ready']).optional(),
}).meta({ description: 'A service of the namespace is running (or ready).' });
/** an http:// or https:// URL with a host, without credentials or whitespace */
export const HttpUrl = z.string().max(2048)
  .refine(httpUrlOk, { error: (iss) => `[invalid-url] '${printable(String(iss.input))}' is not an http:// or https:// URL (no credentials, no spaces)` });
export const ExpectHttp = z.strictObject({
  ...expectBase, kind: z.literal('http'), from: NsName,
  url: HttpUrl,
  status: z.int().min(100).max(599).optional().meta({ description: 'The expected status (default 200).' }),
  contains: z.string().min(1).max(1024).optional().meta({ description: 'A text the body must contain.' }),
}).meta({ description: 'A GET from a namespace to a URL returns a status (and a text).' });
export const ExpectLatency = z.strictObject({
  ...expectBase, kind: z.literal('latency'), from: NsName, to: ExpectTarget,
  rttMs: z.strictObject({ max: z.number().positive().max(600000) }),
}).meta({ description: 'The average round-trip time of 5 echoes (fping) stays under a bound.' });
export const ExpectRate = z.strictObject({
  ...expectBase, kind: z.literal('rate'), from: NsName, to: ExpectTarget,
  mbit: z.strictObject({
    min: z.number().positive().max(1000000).optional().meta({ description: 'The least throughput in Mbit/s.' }),
    max: z.number().positive().max(1000000).optional().meta({ description: 'The most throughput in Mbit/s (a rate limit holds).' }),
  }).refine((m) => m.min !== undefined || m.max !== undefined, { error: '[missing-field] mbit needs min or max' }),
}).meta({ description: 'The throughput from one namespace to another stays within bounds, measured with a 2-second iperf3 run (Debian package iperf3).' });

export const Expectation = z.discriminatedUnion('kind', [
  ExpectReach, ExpectRoute, ExpectAddress, ExpectDns, ExpectService, ExpectHttp, ExpectLatency, ExpectRate,
]).meta({ description: 'A lab test: what must hold in the running lab.' });

/** http(s), a host, no credentials, no whitespace or control characters */
function httpUrlOk(s: string): boolean {
  if (!/^https?:\/\/[^\s\u0000-\u001f\u007f]+$/.test(s)) return false;
  try {
    const u = new URL(s);
    return (u.protocol === 'http:' || u.protocol === 'https:') && u.hostname !== '' && !u.username && !u.password;
  } catch { return false; }
}

export const Topology = z.strictObject({
  $schema: z.string().max(1024).optional(),
  version: z.literal(1).meta({ description: 'File format version.' }),
  name: TopoName,
  host: Host.optional(),
  namespaces: z.array(Namespace).max(10000).optional(),
  bridges: z.array(Bridge).max(10000).optional(),
  links: z.array(Link).max(20000).optional(),
  hosts: z.array(LabHostEntry).max(64).optional()
    .meta({ description: 'Other machines the lab spans (this one is "local", implied). Namespaces and bridges say where they are with "on".' }),
  vxlans: z.array(Vxlan).max(20000).optional(),
  physical: z.array(Physical).max(256).optional(),
  annotations: z.array(Annotation).max(1000).optional(),
  expect: z.array(Expectation).max(10000).optional()
    .meta({ description: 'Lab tests: reachability, routes, addresses, DNS, services, HTTP (netns-lab test FILE).' }),
}).meta({
  title: 'Netns Lab topology',
  description: 'A Linux network of namespaces, bridges and veth links (*.netns.json).',
});

export type Topology = z.infer<typeof Topology>;
export type Namespace = z.infer<typeof Namespace>;
export type Bridge = z.infer<typeof Bridge>;
export type Link = z.infer<typeof Link>;
export type Endpoint = z.infer<typeof Endpoint>;
export type Impair = z.infer<typeof Impair>;
export type Route = z.infer<typeof Route>;
export type Host = z.infer<typeof Host>;
export type Dns = z.infer<typeof Dns>;
export type Expectation = z.infer<typeof Expectation>;
export type Vxlan = z.infer<typeof Vxlan>;
export type Physical = z.infer<typeof Physical>;
export type Macvlan = z.infer<typeof Macvlan>;
export { LOCAL_HOST, type LabHostEntry } from './model-hosts.js';

export const HOST = 'host';

/** the JSON Schema of the file, generated from the zod model */
export function topologyJsonSchema(): Record<string, unknown> {
  const schema = z.toJSONSchema(Topology, { target: 'draft-7', unrepresentable: 'any' }) as Record<string, unknown>;
  return { ...schema, $id: 'https://netns-lab.invalid/netns-topology.schema.json' };
}
