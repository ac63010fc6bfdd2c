/**
 * The helper protocol: JSON lines on stdin/stdout. Every request carries the protocol version
 * and an id; the helper answers each request with exactly one final message (ok or error) and
 * may send progress events before it. Requests are typed operations only: never argv or shell.
 *
 * OPS is the one map of operations: each one's parameters (a zod shape, checked by the helper
 * on every request), and below it OpResults (what the helper answers) and OpErrors (the error
 * codes it may answer with). The engine's client derives one typed method per operation from
 * these (src/engine/helper-client.ts); docs/architecture.md says how to add an operation.
 */
import { createHash } from 'node:crypto';
import { z } from 'zod';
import type { AdoptPlan, AdoptPreviewAnswer } from '../core/import/adopt.js';
import type { Finding } from '../core/diagnose/doctor.js';
import { HttpUrl, IfName, IpString, NsName, TopoName, type Topology } from '../core/model/model.js';
import type { HttpAnswer, LatencyAnswer, ProbeAnswer, RateAnswer, ResolveAnswer, RouteAnswer } from '../core/diagnose/expect-verdict.js';
import type { LiveEvent } from '../core/observe/monitor.js';
import type { LiveState } from '../core/observe/observe.js';
import type { Plan } from '../core/plan/plan.js';
import { validProbe, type ProbeResult } from '../core/diagnose/reach.js';
import type { RootApproval } from '../core/plan/root-approval.js';
import { Service } from '../core/model/model-workloads.js';
import type { LiveService } from '../core/model/workloads.js';

const ServiceName = Service.shape.name;

export const PROTOCOL_VERSION = 1;
/** a request line longer than this is refused without being parsed */
export const MAX_REQUEST_BYTES = 16 * 1024 * 1024;

const Id = z.int().min(0).max(Number.MAX_SAFE_INTEGER);
const base = { v: z.literal(PROTOCOL_VERSION), id: Id };

/** a probe's destination: an address or a DNS name (never option-like text) */
const ProbeTarget = z.string().max(253).regex(/^[A-Za-z0-9][A-Za-z0-9.:-]*$/).refine(validProbe, 'not an address or a DNS name');
const Port = z.int().min(1).max(65535);

/** the parameters of each operation (besides v, id and op); a topology is validated again by the helper */
export const OPS = {
  hello: {},
  observe: {
    /** restrict to these namespaces (default: all) */
    namespaces: z.array(NsName).max(10000).optional(),
    /** read net.ipv4.ip_forward in every namespace too */
    forwarding: z.boolean().optional(),
  },
  plan: { topology: z.unknown() },
  apply: {
    topology: z.unknown(),
    /** refuse when the plan differs from the one the user saw (its step count and digest) */
    expect: z.strictObject({ steps: z.int().min(0), digest: z.string().regex(/^[0-9a-f]{64}$/) }).optional(),
    /** the digest of the root commands the person approved (the plan's rootDigest); needed when the file has any */
    approveRoot: z.string().regex(/^[0-9a-f]{64}$/).optional(),
  },
  /** kill: end the processes (other than its services) inside its namespaces; without it, a destroy they hold is refused, naming them */
  destroy: { name: TopoName, kill: z.boolean().optional() },
  /** set an owned link up or down (without changing the file: the canvas and tree views' toggle) */
  'link-state': { ns: NsName.nullable(), name: IfName, up: z.boolean() },
  /** remove one owned namespace (no name) or one owned link */
  remove: { ns: NsName.nullable(), name: IfName.optional() },
  /** the article's "if not" checks; fix: the codes of findings to repair with their own steps */
  doctor: { topology: z.unknown(), fix: z.array(z.string().regex(/^[a-z-]{1,40}$/)).max(32).optional() },
  /** the reachability matrix of a topology (pings from each namespace), plus outside probes */
  ping: {
    topology: z.unknown(),
    outside: z.array(z.string().max(253).regex(/^[A-Za-z0-9][A-Za-z0-9.:-]*$/)).max(16).optional(),
    concurrency: z.int().min(1).max(64).optional(),
  },
  /** tcpdump on one interface inside its namespace until unwatch: text lines or pcap (base64) chunks */
  capture: {
    ns: NsName.nullable(), iface: IfName, format: z.enum(['text', 'pcap']),
    /** a pcap-filter expression: letters, digits, spaces and . : / ( ) ! & | < > = - only */
    filter: z.string().max(512).regex(/^[A-Za-z0-9 .:/()!&|<>=[\]-]*$/).optional(),
  },
  /** stream live events ("ns1 changed") until unwatch; the final answer comes then */
  watch: {},
  unwatch: { watch: Id },
  /**
   * mark existing, unowned objects named in the topology as owned by it (import --adopt), in two
   * steps: `preview: true` answers the objects it would take (and refuses, with reasons) and a
   * digest of that list; the adoption must carry that digest (`expect`) and is refused
   * (plan-changed) when the helper's fresh computation differs
   */
  adopt: {
    topology: z.unknown(),
    preview: z.literal(true).optional(),
    expect: z.strictObject({ digest: z.string().regex(/^[0-9a-f]{64}$/) }).optional(),
  },
  /** the services of a topology: each one of the file with its state (not-started when it has no record) */
  services: { topology: z.unknown() },
  /** the end of a service's output (the rotated part first), at most 64 KiB */
  logs: { topo: TopoName, ns: NsName, name: ServiceName },
  /** start a service of the file again (stopped first when it runs); a root one needs the file's root approval */
  restart: { topology: z.unknown(), ns: NsName, name: ServiceName, approveRoot: z.string().regex(/^[0-9a-f]{64}$/).optional() },
  /** stop one service (of the file, or recorded) under the topology's lock, removing its record and log; Start is a restart */
  'service-stop': { topology: z.unknown(), ns: NsName, name: ServiceName },
  /** the lab tests' probes (src/helper/ops/probes.ts), each inside one namespace: one echo to each target */
  'probe-icmp': { ns: NsName, targets: z.array(ProbeTarget).min(1).max(4096) },
  /** a TCP connect */
  'probe-tcp': { ns: NsName, target: ProbeTarget, port: Port },
  /** a UDP datagram that a service answers */
  'probe-udp': { ns: NsName, target: ProbeTarget, port: Port },
  /** the route the kernel picks for an address (null: the host) */
  'route-get': { ns: NsName.nullable(), to: IpString },
  /** a name's addresses (the namespace's resolv.conf and hosts file) */
  resolve: { ns: NsName.nullable(), name: ProbeTarget },
  /** one GET (no redirects), its status and the start of its body */
  'http-get': { ns: NsName, url: HttpUrl },
  /** latency expectations: a few echoes to each target, their round-trip times (src/helper/perf-probes.ts) */
  'probe-latency': { ns: NsName, targets: z.array(ProbeTarget).min(1).max(64), count: z.int().min(1).max(20).optional() },
  /** rate expectations: a bounded iperf3 run from one namespace to an address of another (the server's) */
  'probe-rate': { from: NsName, server: NsName, target: IpString, seconds: z.int().min(1).max(10).optional() },
  /**
   * stop a running apply or destroy of this connection (its request id) before its next group
   * of steps; it then answers `cancelled`, and what ran is consistent (a re-apply converges)
   */
  cancel: { request: Id },
} satisfies Record<string, z.ZodRawShape>;

export type Op = keyof typeof OPS;

function requestSchema<K extends Op>(op: K) {
  return z.strictObject({ ...base, op: z.literal(op), ...OPS[op] });
}

export const Request = z.discriminatedUnion('op', [
  requestSchema('hello'), requestSchema('observe'), requestSchema('plan'), requestSchema('apply'), requestSchema('destroy'),
  requestSchema('link-state'), requestSchema('remove'), requestSchema('doctor'), requestSchema('ping'), requestSchema('capture'),
  requestSchema('watch'), requestSchema('unwatch'), requestSchema('adopt'),
  requestSchema('services'), requestSchema('logs'), requestSchema('restart'), requestSchema('service-stop'),
  requestSchema('probe-icmp'), requestSchema('probe-tcp'), requestSchema('probe-udp'), requestSchema('route-get'), requestSchema('resolve'), requestSchema('http-get'),
  requestSchema('probe-latency'), requestSchema('probe-rate'),
  requestSchema('cancel'),
]);
export type Request = z.infer<typeof Request>;
/** the request of one operation, as the helper's handlers receive it */
export type RequestOf<K extends Op> = Extract<Request, { op: K }>;

/** a field named topology is checked by the helper (validateValue); callers pass a Topology */
type Typed<P> = { [F in keyof P]: F extends 'topology' ? Topology : P[F] };
/** what a caller passes to an operation: its schema's fields, a topology as a Topology */
export type ParamsOf<K extends Op> = Typed<Omit<z.input<ReturnType<typeof requestSchema<K>>>, 'v' | 'id' | 'op'>>;

export type PlanWithDigest = Plan & { digest: string } & RootApproval;

export interface ApplyResult {
  steps: number; processes: number; durationMs: number; remaining: string[];
  /** milliseconds per phase: read (observe + plan), execute, verify (re-read + re-plan), settle (links coming up) */
  phases?: Record<string, number>;
  /** namespaces the apply's batches read back at their end, so the verify did not read them again */
  readBack?: number;
  /** destroy: the services it stopped ("ns/name") and the other processes it ended inside the namespaces */
  stoppedServices?: string[];
  ended?: { ns: string; pid: number; user: string; command: string }[];
}

/** fping: the matrix ran through one fping per source namespace (src/helper/ping-matrix.ts) */
export interface PingResult { results: ProbeResult[]; durationMs: number; fanout: number; retried: number; overflow: number; fping?: boolean }

/** an adoption's preview: what it would take and refuse (and why), as lines to show, and the digest of that list */
export type AdoptPreview = AdoptPlan & AdoptPreviewAnswer;

/** an adoption (with the digest of its preview): what it took, what it refused and why */
export interface AdoptDone { adopted: string[]; refused: string[] }

export interface DoctorResult { findings: Finding[]; fixed?: string[] }

/** what the helper answers to each operation */
export interface OpResults {
  /** heapUsed: only from a helper started with --expose-gc (the soak test) */
  hello: { protocol: number; pid: number; uid: number; heapUsed?: number };
  observe: LiveState;
  plan: PlanWithDigest;
  apply: ApplyResult;
  destroy: ApplyResult;
  'link-state': { owner: string; done: string[] };
  remove: { owner: string; done: string[] };
  doctor: DoctorResult;
  ping: PingResult;
  /** after unwatch (or when tcpdump ended by itself with code 0) */
  capture: { stopped: true };
  watch: { stopped: true };
  unwatch: { stopped: number };
  /** preview: what it would take (and refuse, and why) with the digest the adoption must carry; else what it took */
  adopt: AdoptPreview | AdoptDone;
  services: { services: LiveService[] };
  logs: { text: string };
  restart: LiveService;
  /** stopped: it had a record (false: it was not running); pid: the process it ended */
  'service-stop': { stopped: boolean; pid?: number };
  'probe-icmp': { results: ProbeAnswer[] };
  'probe-tcp': { ok: boolean; error?: string };
  'probe-udp': { ok: boolean; reply?: string; error?: string };
  'route-get': RouteAnswer;
  resolve: ResolveAnswer;
  'http-get': HttpAnswer;
  'probe-latency': { results: LatencyAnswer[]; skip?: string };
  'probe-rate': RateAnswer;
  /** whether a running apply or destroy with that id was found (false: it had already answered) */
  cancel: { cancelled: boolean };
}
export type ResultOf<K extends Op> = OpResults[K];

/** every error code of the protocol; the client adds its own two (helper-exited, no-privilege) */
export type HelperErrorCode =
  // any request: a line that is not a valid request, or an unexpected failure
  | 'bad-json' | 'bad-version' | 'bad-request' | 'too-large' | 'truncated' | 'internal'
  // operations on a topology
  | 'invalid-topology' | 'plan-refused' | 'plan-changed' | 'step-failed' | 'locked' | 'adopt-refused' | 'root-not-approved' | 'destroy-held' | 'cancelled'
  // operations on one object, watches and captures
  | 'not-found' | 'not-owned' | 'changed' | 'too-many' | 'capture-failed'
  // the client's: the helper could not be started, or went away
  | 'helper-exited' | 'no-privilege';

type AnyRequest = 'bad-json' | 'bad-version' | 'bad-request' | 'internal';
/** the codes each operation may answer with (besides those of any request) */
export interface OpErrors {
  hello: AnyRequest;
  observe: AnyRequest;
  plan: AnyRequest | 'invalid-topology';
  apply: AnyRequest | 'invalid-topology' | 'plan-refused' | 'plan-changed' | 'step-failed' | 'locked' | 'root-not-approved' | 'cancelled';
  destroy: AnyRequest | 'plan-refused' | 'step-failed' | 'locked' | 'destroy-held' | 'cancelled';
  'link-state': AnyRequest | 'not-found' | 'not-owned' | 'changed' | 'step-failed' | 'locked';
  remove: AnyRequest | 'not-found' | 'not-owned' | 'changed' | 'step-failed' | 'locked';
  doctor: AnyRequest | 'invalid-topology' | 'step-failed' | 'locked';
  ping: AnyRequest | 'invalid-topology';
  capture: AnyRequest | 'too-many' | 'not-found' | 'capture-failed';
  watch: AnyRequest | 'too-many';
  unwatch: AnyRequest;
  adopt: AnyRequest | 'invalid-topology' | 'adopt-refused' | 'plan-changed' | 'step-failed' | 'locked';
  services: AnyRequest | 'invalid-topology';
  logs: AnyRequest;
  restart: AnyRequest | 'invalid-topology' | 'not-found' | 'root-not-approved' | 'step-failed' | 'locked';
  'service-stop': AnyRequest | 'invalid-topology' | 'not-found' | 'step-failed' | 'locked';
  'probe-icmp': AnyRequest;
  'probe-tcp': AnyRequest;
  'probe-udp': AnyRequest;
  'route-get': AnyRequest;
  resolve: AnyRequest;
  'http-get': AnyRequest;
  'probe-latency': AnyRequest;
  'probe-rate': AnyRequest;
  cancel: AnyRequest;
}

export interface HelperError {
  code: HelperErrorCode;
  message: string;
  /** for a failed step: its index in the plan, its argv and the kernel's message */
  step?: number;
  argv?: string[];
  kernel?: string;
  diagnostics?: unknown[];
  /** root-not-approved: every command the file runs as root, and the digest an approval carries */
  rootCommands?: unknown[];
  rootDigest?: string;
  /** a refused destroy (destroy-held): the processes inside the topology's namespaces (namespace, pid, user, command) */
  holders?: { ns: string; pid: number; user: string; command: string }[];
}

export type Response =
  | { v: number; id: number | null; ok: true; result: unknown }
  | { v: number; id: number | null; ok: false; error: HelperError }
  | { v: number; id: number; event: 'progress'; done: number; total: number; message: string }
  | { v: number; id: number; event: 'live'; change: LiveEvent }
  | { v: number; id: number; event: 'capture'; data: string };

/** a digest of a plan's steps: apply can insist that it runs exactly what the user saw */
export function planDigest(steps: readonly { step: unknown }[]): string {
  return createHash('sha256').update(JSON.stringify(steps.map((s) => s.step))).digest('hex');
}
