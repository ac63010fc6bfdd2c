/**
 * The lab tests' probes as typed operations (never argv from the caller): icmp to many targets,
 * a TCP connect, a UDP datagram that a service answers, `ip route get`, a name lookup and an
 * HTTP GET, each run inside one namespace. The request was checked against its schema
 * (protocol.ts: names and addresses only, no option-like text); programs come from the system
 * directories by absolute path; names resolve with the namespace's own resolv.conf (ip netns exec).
 */
import { systemBinary } from './bin.js';
import { fpingFrom, fpingPath, type IcmpAnswer } from './fping.js';
import { pool } from './observe.js';
import type { Runner, RunResult } from './runner.js';
import { parsePing } from '../core/diagnose/reach.js';
import type { HttpAnswer, ResolveAnswer, RouteAnswer } from '../core/diagnose/expect-verdict.js';

/** the longest a single probe waits for its answer */
export const PROBE_TIMEOUT_S = 1;
/** the most of an HTTP body handed back (the rest is cut) */
export const HTTP_BODY_MAX = 64 * 1024;

/** a system program by absolute path inside the namespace (ip netns exec: its resolv.conf and hosts apply) */
const exec = (ns: string, program: string, args: string[], bin: Bin) => ['ip', 'netns', 'exec', ns, installed(program, bin), ...args];
/** the Debian package of each probe program, for the message when one is missing */
const PACKAGE: Record<string, string> = { ping: 'iputils-ping', nc: 'netcat-openbsd', getent: 'libc-bin', curl: 'curl' };
function installed(program: string, bin: Bin): string {
  try { return bin(program); } catch { throw new Error(`${program} is not installed (Debian package ${PACKAGE[program] ?? program}; scripts/setup.sh installs it)`); }
}
/** where a program is: systemBinary (tests pass their own) */
export type Bin = (cmd: string) => string;
const quick = (runner: Runner, argv: string[]): Promise<RunResult> => (runner.runQuick ? runner.runQuick(argv) : runner.run(argv));
const lastLine = (s: string) => s.trim().split('\n').pop()?.replace(/^(nc|curl|getent): /, '') ?? '';

/** probe-icmp: one echo to each target; fping in one process, else one ping per target */
export async function probeIcmp(runner: Runner, req: { ns: string; targets: string[] }, bin: Bin = systemBinary): Promise<{ results: IcmpAnswer[] }> {
  const fping = fpingPath(bin);
  if (fping) return { results: await fpingFrom(runner, fping, req.ns, req.targets, PROBE_TIMEOUT_S * 1000) };
  const results = await pool(req.targets, 16, async (target) => {
    const r = await quick(runner, exec(req.ns, 'ping', ['-c', '1', '-W', String(PROBE_TIMEOUT_S), '-n', '--', target], bin));
    return { target, ...parsePing(r.code, r.stdout, r.stderr) };
  });
  return { results };
}

/** probe-tcp: a connect to target:port (nc -z) */
export async function probeTcp(runner: Runner, req: { ns: string; target: string; port: number }, bin: Bin = systemBinary): Promise<{ ok: boolean; error?: string }> {
  const r = await quick(runner, exec(req.ns, 'nc', ['-z', '-v', '-w', String(PROBE_TIMEOUT_S), '--', req.target, String(req.port)], bin));
  return r.code === 0 ? { ok: true } : { ok: false, error: lastLine(r.stderr) || `no connection (nc exit ${r.code})` };
}

/** probe-udp: one datagram to target:port; ok when something answers within the timeout */
export async function probeUdp(runner: Runner, req: { ns: string; target: string; port: number }, bin: Bin = systemBinary): Promise<{ ok: boolean; reply?: string; error?: string }> {
  const r = await runner.run(exec(req.ns, 'nc', ['-u', '-w', String(PROBE_TIMEOUT_S), '--', req.target, String(req.port)], bin), 'netns-lab probe\n');
  if (r.stdout.length) return { ok: true, reply: r.stdout.slice(0, 256) };
  return { ok: false, error: lastLine(r.stderr) || `no reply within ${PROBE_TIMEOUT_S} s` };
}

/** route-get: the route the kernel picks for an address (ip -j route get) */
export async function routeGet(runner: Runner, req: { ns: string | null; to: string }): Promise<RouteAnswer> {
  const r = await quick(runner, ['ip', ...(req.ns === null ? [] : ['-n', req.ns]), '-j', 'route', 'get', req.to]);
  if (r.code !== 0) return { ok: false, error: lastLine(r.stderr).replace(/^RTNETLINK answers: /, '') || `ip exit ${r.code}` };
  return parseRouteGet(r.stdout);
}

export function parseRouteGet(json: string): RouteAnswer {
  let routes: { gateway?: string; dev?: string; prefsrc?: string; type?: string }[];
  try { routes = JSON.parse(json) as typeof routes; } catch { return { ok: false, error: 'unreadable answer of ip route get' }; }
  const r = routes[0];
  if (!r) return { ok: false, error: 'no route' };
  if (r.type && r.type !== 'unicast' && r.type !== 'local') return { ok: false, error: `${r.type} route` };
  return { ok: true, ...(r.gateway ? { via: r.gateway } : {}), ...(r.dev ? { dev: r.dev } : {}), ...(r.prefsrc ? { src: r.prefsrc } : {}) };
}

/** resolve: the addresses a name has inside the namespace (getent ahosts: hosts file, then DNS) */
export async function resolveName(runner: Runner, req: { ns: string | null; name: string }, bin: Bin = systemBinary): Promise<ResolveAnswer> {
  const args = ['ahosts', '--', req.name];
  const r = await quick(runner, req.ns === null ? ['getent', ...args] : exec(req.ns, 'getent', args, bin));
  const addresses = [...new Set(r.stdout.split('\n').map((l) => l.trim().split(/\s+/)[0]!).filter(Boolean))];
  if (r.code === 0 && addresses.length) return { addresses };
  return { addresses: [], error: r.code === 2 ? 'the name is not found' : lastLine(r.stderr) || `getent exit ${r.code}` };
}

/** http-get: one GET (no redirects, http and https only, no curlrc), its status and the start of its body */
export async function httpGet(runner: Runner, req: { ns: string; url: string }, bin: Bin = systemBinary): Promise<HttpAnswer> {
  const marker = '\nnetns-lab-status:';
  const r = await quick(runner, exec(req.ns, 'curl', ['-q', '-sS', '--proto', '=http,https', '--max-time', String(PROBE_TIMEOUT_S * 3),
    '--max-filesize', String(16 * 1024 * 1024), '-o', '-', '-w', `${marker}%{http_code}`, '--', req.url], bin));
  const at = r.stdout.lastIndexOf(marker);
  const status = at >= 0 ? Number(r.stdout.slice(at + marker.length).trim()) : 0;
  if (r.code !== 0 || !status) return { error: lastLine(r.stderr) || `curl exit ${r.code}` };
  return { status, body: r.stdout.slice(0, Math.min(at, HTTP_BODY_MAX)) };
}
