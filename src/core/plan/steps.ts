/**
 * The typed operations a plan is made of. Every field is validated by the same schemas as the
 * topology, so a Step can only ever render to safe argv words.
 */
import { z } from 'zod';
import { CidrString, IfName, Impair, IpString, NsName, TopoName, Vni } from '../model/model.js';
import { WorkloadStepSchemas } from '../model/workloads.js';
import { Mac } from '../model/mac.js';

export const Scope = NsName.nullable().meta({ description: 'namespace name, or null for the host' });

export const FwRule = z.strictObject({
  src: CidrString.optional(),
  dst: CidrString.optional(),
  out: IfName.optional(),
  established: z.boolean().optional(),
  comment: z.string().regex(/^[A-Za-z0-9_.:=-]{1,64}$/),
  target: z.enum(['ACCEPT', 'MASQUERADE', 'RETURN']),
});
export type FwRule = z.infer<typeof FwRule>;

const Table = z.enum(['filter', 'nat']);
const Chain = z.string().regex(/^NSL-[A-Za-z0-9_-]{1,24}$/);
const RouteFields = {
  ns: Scope,
  family: z.union([z.literal(4), z.literal(6)]),
  to: z.union([z.literal('default'), CidrString]),
  via: IpString.optional(),
  dev: IfName.optional(),
  metric: z.int().min(0).max(0xffffffff).optional(),
};
const SysctlKey = z.string().regex(/^net\.(ipv4|ipv6|core|netfilter)(\.[A-Za-z0-9_-]+)+$/);
const SysctlVal = z.string().regex(/^[A-Za-z0-9 .:_-]{1,64}$/);

export const Step = z.discriminatedUnion('op', [
  z.strictObject({ op: z.literal('netns-add'), name: NsName }),
  z.strictObject({ op: z.literal('netns-del'), name: NsName }),
  z.strictObject({ op: z.literal('bridge-add'), ns: Scope, name: IfName }),
  z.strictObject({
    op: z.literal('veth-add'),
    a: z.strictObject({ ns: Scope, name: IfName, mac: Mac.optional() }),
    b: z.strictObject({ ns: Scope, name: IfName, mac: Mac.optional() }),
  }),
  /** a point-to-point VXLAN device made in the host (its tunnel's socket stays there) and placed in ns */
  z.strictObject({
    op: z.literal('vxlan-add'), ns: Scope, name: IfName, vni: Vni, local: IpString, remote: IpString,
    port: z.int().min(1).max(65535), dev: IfName.optional(),
  }),
  /** a macvlan (mode bridge) of a host interface, placed in ns */
  z.strictObject({ op: z.literal('macvlan-add'), ns: Scope, name: IfName, parent: IfName }),
  /** a host interface (not the tool's) made a port of a lab bridge in the host, and up */
  z.strictObject({ op: z.literal('phys-attach'), dev: IfName, master: IfName }),
  /** a host interface given back: out of the lab bridge it was put in (never deleted) */
  z.strictObject({ op: z.literal('phys-detach'), dev: IfName, master: IfName }),
  z.strictObject({ op: z.literal('link-del'), ns: Scope, name: IfName }),
  z.strictObject({
    op: z.literal('link-set'), ns: Scope, name: z.union([IfName, z.literal('lo')]),
    alias: z.string().regex(/^netns-lab:[A-Za-z0-9_-]{1,20}$/).optional(),
    mtu: z.int().min(68).max(65535).optional(),
    mac: Mac.optional(),
    master: IfName.nullable().optional(),
    up: z.boolean().optional(),
  }),
  z.strictObject({ op: z.literal('addr-add'), ns: Scope, dev: IfName, cidr: CidrString }),
  z.strictObject({ op: z.literal('addr-del'), ns: Scope, dev: IfName, cidr: CidrString }),
  /** one edited address: the old one goes, the new one comes (two lines of one batch) */
  z.strictObject({
    op: z.literal('addr-change'), ns: Scope, dev: IfName, from: CidrString, to: CidrString,
    /** routes through dev that the kernel drops with its last IPv4 address: put back at once */
    restore: z.array(z.strictObject({ family: RouteFields.family, to: RouteFields.to, via: RouteFields.via, dev: RouteFields.dev, metric: RouteFields.metric })).max(1000).optional(),
  }),
  /** in the host, a new route is added (the kernel refuses to overwrite what holds its slot);
   *  `replace` only changes a route through a device the topology owns (host-routes.ts) */
  z.strictObject({ op: z.literal('route-add'), ...RouteFields, replace: z.literal(true).optional() }),
  z.strictObject({ op: z.literal('route-del'), ...RouteFields }),
  z.strictObject({ op: z.literal('sysctl'), ns: Scope, key: SysctlKey, value: SysctlVal }),
  z.strictObject({ op: z.literal('dns-write'), ns: NsName, content: z.string().max(4096) }),
  z.strictObject({ op: z.literal('dns-remove'), ns: NsName }),
  z.strictObject({ op: z.literal('fw-chain'), table: Table, chain: Chain, rules: z.array(FwRule).max(10000) }),
  z.strictObject({ op: z.literal('fw-chain-del'), table: Table, chain: Chain }),
  z.strictObject({
    op: z.literal('fw-jump'), table: Table, from: z.enum(['FORWARD', 'POSTROUTING']), chain: Chain,
    comment: z.string().regex(/^netns-lab:[A-Za-z0-9_-]{1,20}$/), action: z.enum(['add', 'del']),
  }),
  /** an endpoint's impairments: its root qdisc (netem, or tbf for a rate alone), set or replaced */
  z.strictObject({
    op: z.literal('qdisc-set'), ns: Scope, dev: IfName, impair: Impair,
    /** tbf's bucket in bytes (only for tbf) */
    burst: z.int().min(1600).max(2_000_000_000).optional(),
  }),
  /** the impairments were removed from the file: the root qdisc goes back to the kernel's default */
  z.strictObject({ op: z.literal('qdisc-del'), ns: Scope, dev: IfName }),
  z.strictObject({
    op: z.literal('ip-forward'), topology: TopoName, enable: z.boolean(),
    /** value to restore when this topology is the last user (display only; the helper re-reads it) */
    restore: z.enum(['0', '1']).optional(),
  }),
  /** exec-run, service-start, service-restart, service-stop (workloads.ts, issue 16) */
  ...WorkloadStepSchemas,
]);
export type Step = z.infer<typeof Step>;

/** a step with the phase it runs in; phases run in order, groups within a phase may run in parallel */
export interface PlannedStep {
  phase: Phase;
  step: Step;
  /** one line for humans */
  summary: string;
}

export enum Phase {
  Teardown = 0,
  Create = 1,
  Configure = 2,
  Files = 3,
  Firewall = 4,
  /** impairments (tc qdiscs): after every link exists and is up */
  Shape = 5,
  /** exec entries of namespaces this apply creates (workloads.ts) */
  Exec = 6,
  /** services started or restarted, after the exec entries */
  Services = 7,
}

/**
 * The namespaces a step changes (null = the host), for a verify that re-reads only those. A
 * step on one end of a veth may change the other end (deleting it removes both): `peerOf`
 * names the namespace of a link's peer as observed before the apply.
 */
export function touchedScopes(s: Step, peerOf: (ns: string | null, name: string) => string | null | undefined): (string | null)[] {
  const withPeer = (ns: string | null, name: string) => { const p = peerOf(ns, name); return p === undefined ? [ns] : [ns, p]; };
  switch (s.op) {
    case 'netns-add':
    case 'netns-del':
      return [s.name];
    case 'veth-add':
      return [s.a.ns, s.b.ns];
    case 'vxlan-add':
    case 'macvlan-add':
      return [s.ns];
    case 'phys-attach':
    case 'phys-detach':
      return [null];
    case 'bridge-add':
    case 'link-del':
    case 'link-set':
      return withPeer(s.ns, s.name);
    case 'addr-add':
    case 'addr-del':
    case 'addr-change':
      return withPeer(s.ns, s.dev);
    case 'route-add':
    case 'route-del':
    case 'sysctl':
    case 'dns-write':
    case 'dns-remove':
    case 'qdisc-set':
    case 'qdisc-del':
    case 'exec-run':
    case 'service-start':
    case 'service-restart':
    case 'service-stop':
      return [s.ns];
    case 'fw-chain':
    case 'fw-chain-del':
    case 'fw-jump':
    case 'ip-forward':
      return [null];
  }
}

/** where a step executes: steps with the same key in one phase are one batch / one process */
export function executorKey(s: Step): string {
  switch (s.op) {
    case 'netns-add':
    case 'netns-del':
    case 'bridge-add':
    case 'veth-add':
    case 'vxlan-add':
    case 'macvlan-add':
    case 'phys-attach':
    case 'phys-detach':
      return 'ip:';
    case 'link-del':
    case 'link-set':
    case 'addr-add':
    case 'addr-del':
    case 'addr-change':
    case 'route-add':
    case 'route-del':
      return `ip:${s.ns ?? ''}`;
    case 'sysctl':
      return `sysctl:${s.ns ?? ''}`;
    case 'dns-write':
    case 'dns-remove':
      return `file:${s.ns}`;
    case 'fw-chain':
    case 'fw-chain-del':
    case 'fw-jump':
      return `fw:${s.table}`;
    case 'ip-forward':
      return 'ip-forward';
    case 'qdisc-set':
    case 'qdisc-del':
      return `tc:${s.ns ?? ''}`;
    case 'exec-run':
    case 'service-start':
    case 'service-restart':
    case 'service-stop':
      return `workload:${s.ns}`;
  }
}
