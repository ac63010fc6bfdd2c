/**
 * The verdict of one lab test from what its probes observed: passed or failed, and a message
 * that says what was seen (the observed value beside the expected one). Pure: the engine
 * gathers the answers (src/engine/lab-tests.ts), this decides.
 */
import { formatIP, parseCidr, parseIP } from '../model/ip.js';
import type { Expectation } from '../model/model.js';

export interface ProbeAnswer { target: string; ok: boolean; rttMs?: number; error?: string }
export interface RouteAnswer { ok: boolean; via?: string; dev?: string; src?: string; error?: string }
export interface ResolveAnswer { addresses: string[]; error?: string }
export interface HttpAnswer { status?: number; body?: string; error?: string }
/** the interfaces of a namespace (or the host) with their addresses ("10.0.0.2/24") */
export type AddressAnswer = { dev: string; addresses: string[] }[];

export interface Verdict { status: 'passed' | 'failed' | 'skipped'; message?: string }

type Of<K extends Expectation['kind']> = Extract<Expectation, { kind: K }>;
const pass: Verdict = { status: 'passed' };
const failed = (message: string): Verdict => ({ status: 'failed', message });
const canon = (a: string) => { const ip = parseIP(a); return ip ? formatIP(ip.family, ip.addr) : a; };

/** ok:true: every target answered; ok:false: none did */
export function reachVerdict(e: Of<'reach'>, answers: readonly ProbeAnswer[]): Verdict {
  if (!answers.length) return failed(`nothing to probe for '${e.to}'`);
  const proto = e.proto ?? 'icmp';
  const what = (a: ProbeAnswer) => (proto === 'icmp' ? a.target : `${a.target}:${e.port}`);
  if (e.ok) {
    const bad = answers.filter((a) => !a.ok);
    if (!bad.length) return pass;
    const good = answers.length - bad.length;
    return failed(`${e.from} cannot reach ${bad.map((a) => `${what(a)} (${a.error ?? 'no reply'})`).join(', ')} over ${proto}${good ? `; ${good} of ${answers.length} answered` : ''}`);
  }
  const reached = answers.filter((a) => a.ok);
  if (!reached.length) return pass;
  return failed(`${e.from} reaches ${reached.map((a) => `${what(a)}${a.rttMs !== undefined ? ` (${a.rttMs} ms)` : ''}`).join(', ')} over ${proto}, which must not be reachable`);
}

export function routeVerdict(e: Of<'route'>, r: RouteAnswer): Verdict {
  if (!r.ok) return failed(`${e.in} has no route to ${e.to}: ${r.error ?? 'no route'}`);
  const seen = `${r.via ? `via ${r.via} ` : 'directly '}dev ${r.dev ?? '?'}`;
  if (e.via && canon(e.via) !== (r.via && canon(r.via))) return failed(`${e.in} routes ${e.to} ${seen}, expected via ${e.via}`);
  if (e.dev && e.dev !== r.dev) return failed(`${e.in} routes ${e.to} ${seen}, expected dev ${e.dev}`);
  return pass;
}

/** with a prefix: that address and prefix; without: that address with any prefix */
export function addressVerdict(e: Of<'address'>, ifaces: AddressAnswer | undefined): Verdict {
  const where = e.in === 'host' ? 'the host' : e.in;
  if (!ifaces) return failed(`${where} does not exist`);
  const f = ifaces.find((x) => x.dev === e.dev);
  if (!f) return failed(`${where} has no interface ${e.dev}`);
  const want = parseCidr(e.address);
  const wantIp = want ? formatIP(want.family, want.addr) : canon(e.address);
  const has = f.addresses.some((a) => {
    const c = parseCidr(a);
    return !!c && formatIP(c.family, c.addr) === wantIp && (!want || c.prefix === want.prefix);
  });
  return has ? pass : failed(`${e.dev} in ${where} has ${f.addresses.length ? f.addresses.join(', ') : 'no address'}, expected ${e.address}`);
}

export function dnsVerdict(e: Of<'dns'>, r: ResolveAnswer): Verdict {
  if (!r.addresses.length) return failed(`${e.name} does not resolve in ${e.in}: ${r.error ?? 'no address'}`);
  if (e.address && !r.addresses.map(canon).includes(canon(e.address))) return failed(`${e.name} resolves to ${r.addresses.join(', ')} in ${e.in}, expected ${e.address}`);
  return pass;
}

export function httpVerdict(e: Of<'http'>, r: HttpAnswer): Verdict {
  if (r.status === undefined) return failed(`GET ${e.url} from ${e.from} failed: ${r.error ?? 'no answer'}`);
  const want = e.status ?? 200;
  if (r.status !== want) return failed(`GET ${e.url} from ${e.from} answered ${r.status}, expected ${want}`);
  if (e.contains !== undefined && !(r.body ?? '').includes(e.contains)) return failed(`GET ${e.url} from ${e.from} answered ${r.status} without "${e.contains}" in its first ${(r.body ?? '').length} bytes`);
  return pass;
}

/** the echoes of one target (fping -C): the round-trip times of those answered */
export interface LatencyAnswer { target: string; sent: number; rttMs: number[]; error?: string }

const ms = (v: number) => (v < 1 ? v.toFixed(3) : v.toFixed(1));
/** the average round-trip time to every target is at most the bound */
export function latencyVerdict(e: Of<'latency'>, answers: readonly LatencyAnswer[]): Verdict {
  if (!answers.length) return failed(`nothing to probe for '${e.to}'`);
  const bad: string[] = [];
  for (const a of answers) {
    if (!a.rttMs.length) { bad.push(`${a.target}: no reply to ${a.sent} echoes${a.error ? ` (${a.error})` : ''}`); continue; }
    const avg = a.rttMs.reduce((x, y) => x + y, 0) / a.rttMs.length;
    if (avg > e.rttMs.max) bad.push(`${a.target}: average ${ms(avg)} ms (min ${ms(Math.min(...a.rttMs))}, max ${ms(Math.max(...a.rttMs))}, ${a.rttMs.length}/${a.sent} answered)`);
  }
  return bad.length ? failed(`${e.from} → ${e.to} exceeds ${e.rttMs.max} ms: ${bad.join('; ')}`) : pass;
}

/** an iperf3 run: the rate the receiver saw, or why there is none (skip: the tool is missing) */
export interface RateAnswer { mbit?: number; error?: string; skip?: string }

export function rateVerdict(e: Of<'rate'>, r: RateAnswer): Verdict {
  if (r.skip) return { status: 'skipped', message: r.skip };
  if (r.mbit === undefined) return failed(`iperf3 from ${e.from} to ${e.to} failed: ${r.error ?? 'no result'}`);
  const seen = `${r.mbit.toFixed(r.mbit < 10 ? 2 : 1)} Mbit/s`;
  if (e.mbit.min !== undefined && r.mbit < e.mbit.min) return failed(`${e.from} → ${e.to} carried ${seen}, expected at least ${e.mbit.min} Mbit/s`);
  if (e.mbit.max !== undefined && r.mbit > e.mbit.max) return failed(`${e.from} → ${e.to} carried ${seen}, expected at most ${e.mbit.max} Mbit/s`);
  return pass;
}

/** a service's live state (the helper's services operation) and, for "ready" with a TCP check, whether its port accepts */
export function serviceVerdict(e: Of<'service'>, s: { state: string; code?: number } | undefined, port?: { port: number; ok: boolean; error?: string }): Verdict {
  if (!s) return failed(`${e.in} has no service '${e.name}' in this topology`);
  if (s.state !== 'running') return failed(`service ${e.name} in ${e.in} is ${s.state}${s.code !== undefined ? ` (exit code ${s.code})` : ''}`);
  if ((e.state ?? 'running') === 'ready' && port && !port.ok) return failed(`service ${e.name} in ${e.in} runs but port ${port.port} does not accept: ${port.error ?? 'no connection'}`);
  return pass;
}
