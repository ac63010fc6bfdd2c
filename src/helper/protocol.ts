/**
 * The helper protocol: JSON lines on stdin/stdout. Every request carries the protocol version
 * and an id; the helper answers each request with exactly one final message (ok or error) and
 * may send progress events before it. Requests are typed operations only: never argv or shell.
 */
import { z } from 'zod';
import { HttpUrl, IfName, IpString, NsName, TopoName } from '../core/model.js';
import { validProbe } from '../core/reach.js';
import type { LiveEvent } from '../core/monitor.js';

export const PROTOCOL_VERSION = 1;
/** a request line longer than this is refused without being parsed */
export const MAX_REQUEST_BYTES = 16 * 1024 * 1024;

const Id = z.int().min(0).max(Number.MAX_SAFE_INTEGER);
const base = { v: z.literal(PROTOCOL_VERSION), id: Id };

/** a probe's destination: an address or a DNS name (never option-like text) */
const ProbeTarget = z.string().max(253).regex(/^[A-Za-z0-9][A-Za-z0-9.:-]*$/).refine(validProbe, 'not an address or a DNS name');
const Port = z.int().min(1).max(65535);

export const Request = z.discriminatedUnion('op', [
  z.strictObject({ ...base, op: z.literal('hello') }),
  z.strictObject({
    ...base, op: z.literal('observe'),
    /** restrict to these namespaces (default: all) */
    namespaces: z.array(NsName).max(10000).optional(),
    /** read net.ipv4.ip_forward in every namespace too */
    forwarding: z.boolean().optional(),
  }),
  /** topology is validated by the helper itself with the same schemas */
  z.strictObject({ ...base, op: z.literal('plan'), topology: z.unknown() }),
  z.strictObject({
    ...base, op: z.literal('apply'), topology: z.unknown(),
    /** refuse when the plan differs from the one the user saw (its step count and digest) */
    expect: z.strictObject({ steps: z.int().min(0), digest: z.string().regex(/^[0-9a-f]{64}$/) }).optional(),
  }),
  z.strictObject({ ...base, op: z.literal('destroy'), name: TopoName }),
  /** set an owned link up or down (without changing the file: the canvas and tree views' toggle) */
  z.strictObject({ ...base, op: z.literal('link-state'), ns: NsName.nullable(), name: IfName, up: z.boolean() }),
  /** remove one owned namespace (no name) or one owned link */
  z.strictObject({ ...base, op: z.literal('remove'), ns: NsName.nullable(), name: IfName.optional() }),
  /** the article's "if not" checks; fix: the codes of findings to repair with their own steps */
  z.strictObject({ ...base, op: z.literal('doctor'), topology: z.unknown(), fix: z.array(z.string().regex(/^[a-z-]{1,40}$/)).max(32).optional() }),
  /** the reachability matrix of a topology (pings from each namespace), plus outside probes */
  z.strictObject({
    ...base, op: z.literal('ping'), topology: z.unknown(),
    outside: z.array(z.string().max(253).regex(/^[A-Za-z0-9][A-Za-z0-9.:-]*$/)).max(16).optional(),
    concurrency: z.int().min(1).max(64).optional(),
  }),
  /** tcpdump on one interface inside its namespace until unwatch: text lines or pcap (base64) chunks */
  z.strictObject({
    ...base, op: z.literal('capture'), ns: NsName.nullable(), iface: IfName, format: z.enum(['text', 'pcap']),
    /** a pcap-filter expression: letters, digits, spaces and . : / ( ) ! & | < > = - only */
    filter: z.string().max(512).regex(/^[A-Za-z0-9 .:/()!&|<>=[\]-]*$/).optional(),
  }),
  /** stream live events ("ns1 changed") until unwatch; the final answer comes then */
  z.strictObject({ ...base, op: z.literal('watch') }),
  z.strictObject({ ...base, op: z.literal('unwatch'), watch: Id }),
  /**
   * mark existing, unowned objects named in the topology as owned by it (import --adopt), in two
   * steps: `preview: true` answers the objects it would take (and refuses, with reasons) and a
   * digest of that list; the adoption must carry that digest (`expect`) and is refused
   * (plan-changed) when the helper's fresh computation differs
   */
  z.strictObject({
    ...base, op: z.literal('adopt'), topology: z.unknown(),
    preview: z.literal(true).optional(),
    expect: z.strictObject({ digest: z.string().regex(/^[0-9a-f]{64}$/) }).optional(),
  }),
  /** the lab tests' probes (src/helper/probe-ops.ts), each inside one namespace */
  z.strictObject({ ...base, op: z.literal('probe-icmp'), ns: NsName, targets: z.array(ProbeTarget).min(1).max(4096) }),
  z.strictObject({ ...base, op: z.literal('probe-tcp'), ns: NsName, target: ProbeTarget, port: Port }),
  z.strictObject({ ...base, op: z.literal('probe-udp'), ns: NsName, target: ProbeTarget, port: Port }),
  z.strictObject({ ...base, op: z.literal('route-get'), ns: NsName.nullable(), to: IpString }),
  z.strictObject({ ...base, op: z.literal('resolve'), ns: NsName.nullable(), name: ProbeTarget }),
  z.strictObject({ ...base, op: z.literal('http-get'), ns: NsName, url: HttpUrl }),
]);
export type Request = z.infer<typeof Request>;
export type Op = Request['op'];

export interface HelperError {
  code: string;
  message: string;
  /** for a failed step: its index in the plan, its argv and the kernel's message */
  step?: number;
  argv?: string[];
  kernel?: string;
  diagnostics?: unknown[];
}

export type Response =
  | { v: number; id: number | null; ok: true; result: unknown }
  | { v: number; id: number | null; ok: false; error: HelperError }
  | { v: number; id: number; event: 'progress'; done: number; total: number; message: string }
  | { v: number; id: number; event: 'live'; change: LiveEvent }
  | { v: number; id: number; event: 'capture'; data: string };

import { createHash } from 'node:crypto';
/** a digest of a plan's steps: apply can insist that it runs exactly what the user saw */
export function planDigest(steps: readonly { step: unknown }[]): string {
  return createHash('sha256').update(JSON.stringify(steps.map((s) => s.step))).digest('hex');
}
