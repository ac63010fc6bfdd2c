/**
 * The properties the hostile corpus and the fuzzer check, as plain functions that throw
 * (node:assert) when a property does not hold:
 *  (a) the validator never throws, and every diagnostic has a known code, a JSON path into the
 *      file and (from text) a line and column that point into it;
 *  (b) what it accepts has only safe names and parseable addresses, and plans and renders to
 *      argv words that are safe and never read as options (a fixed set of the renderer's own
 *      options aside); through the helper, every process and file is one of those;
 *  (c) what it refuses reaches no process and no file through the helper;
 *  (d) text and value agree: validateText(JSON.stringify(v)) finds what validateValue(v) finds.
 */
import assert from 'node:assert/strict';
import { formatDiagnostic, hasErrors, type Diagnostic, type JsonPath } from '../../src/core/model/diagnostics.js';
import { parseCidr, parseIP } from '../../src/core/model/ip.js';
import { lineCol } from '../../src/core/model/json.js';
import type { Topology } from '../../src/core/model/model.js';
import { IFNAME_PATTERN, NSNAME_PATTERN, TOPONAME_PATTERN } from '../../src/core/model/names.js';
import { emptyNs, type LiveState } from '../../src/core/observe/observe.js';
import { plan } from '../../src/core/plan/plan.js';
import { ipLines, renderCommands, renderScript, restoreLines } from '../../src/core/plan/render.js';
import type { Step } from '../../src/core/plan/steps.js';
import { validateText, validateValue } from '../../src/core/model/validate.js';
import type { Response } from '../../src/helper/protocol.js';
import { createServer } from '../../src/helper/server.js';
import { emptyHost, type FakeSystem } from '../support/fake-system.js';
import { isObserveWrite, isReadCall } from '../support/reads.js';
import { bareHost, live } from '../support/fixtures.js';

/** every code the validator may report (docs/topology-format.md, "Diagnostics of the file") */
export const KNOWN_CODES = new Set([
  'json-syntax', 'duplicate-key', 'too-large', 'too-deep', 'unknown-field', 'missing-field', 'invalid-type', 'invalid-value',
  'out-of-range', 'invalid-name', 'invalid-cidr', 'invalid-ip', 'invalid-sysctl', 'invalid-dns', 'reserved-name', 'duplicate-name',
  'unknown-node', 'uplink-clash', 'address-on-port', 'invalid-address', 'network-address', 'duplicate-address', 'subnet-overlap',
  'prefix-mismatch', 'route-needs-gateway', 'family-mismatch', 'unknown-interface', 'duplicate-route', 'not-a-network',
  'gateway-is-self', 'gateway-unreachable', 'gateway-unknown', 'nat-no-uplink', 'no-route-out', 'not-masqueraded', 'broad-subnet',
  'too-many-problems',
  // issue 19: hosts, on, tunnels, physical interfaces
  'invalid-ssh', 'invalid-helper', 'invalid-underlay', 'local-ssh', 'unknown-host', 'host-mismatch', 'remote-internet', 'no-underlay',
  'underlay-family', 'vni-clash', 'vni-unused', 'mtu-fragments', 'invalid-physical', 'physical-clash', 'physical-bridge',
  // impairments, loops between bridges (issue 15), MAC addresses (issue 17)
  'jitter-needs-delay', 'jitter-exceeds-delay', 'empty-impair', 'bridge-loop', 'duplicate-mac',
  // workloads (issue 16) and lab tests (issue 18)
  'invalid-command', 'root-command', 'no-ready-check', 'unknown-service', 'unknown-namespace', 'ignored-field',
  'duplicate-test', 'invalid-target', 'unknown-target', 'no-address',
]);

// ---- diagnostics ----

/** line and column by counting newlines (the definition src/core/model/json.ts lineCol must meet) */
export function naiveLineCol(text: string, offset: number): { line: number; column: number } {
  let line = 1;
  let last = -1;
  for (let i = 0; i < offset && i < text.length; i++) if (text.charCodeAt(i) === 10) { line++; last = i; }
  return { line, column: offset - last };
}

/** the same for many offsets into one big text: newlines counted once, in order */
function lineColsOf(text: string, offsets: number[]): Map<number, { line: number; column: number }> {
  const out = new Map<number, { line: number; column: number }>();
  let line = 1;
  let last = -1;
  let i = 0;
  for (const o of [...new Set(offsets)].sort((a, b) => a - b)) {
    for (; i < o && i < text.length; i++) if (text.charCodeAt(i) === 10) { line++; last = i; }
    out.set(o, { line, column: o - last });
  }
  return out;
}

/** a path into the value: every step exists (the last may be missing for a missing field) */
function resolves(value: unknown, path: JsonPath, code: string): boolean {
  let cur = value;
  for (let i = 0; i < path.length; i++) {
    const k = path[i]!;
    const has = cur !== null && typeof cur === 'object' && Object.prototype.hasOwnProperty.call(cur, k);
    if (!has) return i === path.length - 1 && code === 'missing-field';
    cur = (cur as Record<string | number, unknown>)[k];
  }
  return true;
}

const UNPRINTABLE = /[\u0000-\u001f\u007f-\u009f\u200b-\u200f\u2028-\u202e\u2066-\u2069\ufeff]/;

/**
 * Every diagnostic: a known code and severity, a message, a path into `value` (when the text
 * parsed), and with `text`: an offset, line and column inside the file that agree.
 */
export function checkDiagnostics(diagnostics: readonly Diagnostic[], opts: { text?: string; value?: unknown; valueKnown?: boolean } = {}): void {
  const positions = opts.text !== undefined ? lineColsOf(opts.text, diagnostics.map((d) => d.offset ?? 0)) : undefined;
  for (const d of diagnostics) {
    const what = JSON.stringify(d).slice(0, 300);
    assert.ok(KNOWN_CODES.has(d.code), `unknown code: ${what}`);
    assert.ok(d.severity === 'error' || d.severity === 'warning', what);
    assert.ok(typeof d.message === 'string' && d.message.length > 0, what);
    assert.ok(Array.isArray(d.path) && d.path.every((p) => typeof p === 'string' || typeof p === 'number'), what);
    // printed for a terminal, a diagnostic is one line of visible characters whatever the file holds
    assert.doesNotMatch(formatDiagnostic('f.netns.json', d), UNPRINTABLE, `unprintable characters reach the terminal: ${what}`);
    if (opts.valueKnown && d.path.length && d.code !== 'too-many-problems') {
      assert.ok(resolves(opts.value, d.path, d.code), `path does not point into the file: ${what}`);
    }
    if (opts.text !== undefined) {
      const t = opts.text;
      assert.ok(d.offset !== undefined && d.line !== undefined && d.column !== undefined && d.length !== undefined, `no position: ${what}`);
      assert.ok(d.offset >= 0 && d.offset <= t.length && d.length >= 0 && d.offset + d.length <= t.length, `position outside the file: ${what}`);
      assert.deepEqual({ line: d.line, column: d.column }, positions!.get(d.offset), `line/column disagree with the offset: ${what}`);
    }
  }
}

// ---- what an accepted topology may contain ----

const IFNAME = new RegExp(IFNAME_PATTERN);
const NSNAME = new RegExp(NSNAME_PATTERN);
const TOPONAME = new RegExp(TOPONAME_PATTERN);
const SYSCTL_KEY = /^net\.(ipv4|ipv6|core|netfilter)(\.[A-Za-z0-9_-]+)+$/;
const SYSCTL_VALUE = /^[A-Za-z0-9 .:_-]{1,64}$/;
const DOMAIN = /^[A-Za-z0-9]([A-Za-z0-9-]{0,62})(\.[A-Za-z0-9]([A-Za-z0-9-]{0,62}))*\.?$/;

function noProtoKeys(v: unknown, path = '$'): void {
  if (!v || typeof v !== 'object') return;
  assert.ok(!Object.prototype.hasOwnProperty.call(v, '__proto__'), `a __proto__ key survived at ${path}`);
  assert.ok([Object.prototype, Array.prototype, null].includes(Object.getPrototypeOf(v)), `an unexpected prototype at ${path}`);
  for (const [k, x] of Object.entries(v)) noProtoKeys(x, `${path}.${k}`);
}

/** (b) names match the safe patterns, addresses parse */
export function checkAcceptedTopology(t: Topology): void {
  const name = (re: RegExp, s: string, what: string) => assert.match(s, re, `${what} '${s}' passed validation`);
  const cidr = (s: string) => assert.ok(parseCidr(s), `address '${s}' passed validation`);
  const ip = (s: string) => assert.ok(parseIP(s), `address '${s}' passed validation`);
  name(TOPONAME, t.name, 'topology name');
  const nodes = new Set(['host']);
  for (const n of t.namespaces ?? []) {
    name(NSNAME, n.name, 'namespace name');
    nodes.add(n.name);
    for (const r of n.routes ?? []) {
      if (r.to !== 'default') cidr(r.to);
      if (r.via) ip(r.via);
      if (r.dev) name(IFNAME, r.dev, 'route dev');
    }
    for (const [k, v] of Object.entries(n.sysctls ?? {})) {
      name(SYSCTL_KEY, k, 'sysctl key');
      assert.ok(typeof v === 'number' ? Number.isInteger(v) : SYSCTL_VALUE.test(v), `sysctl value ${JSON.stringify(v)}`);
    }
    if (n.dns && n.dns !== 'inherit') {
      n.dns.servers.forEach(ip);
      for (const s of n.dns.search ?? []) name(DOMAIN, s, 'search domain');
    }
  }
  for (const b of t.bridges ?? []) {
    name(IFNAME, b.name, 'bridge name');
    nodes.add(b.name);
    if (b.in !== undefined && b.in !== 'host') name(NSNAME, b.in, 'bridge "in"');
    (b.addresses ?? []).forEach(cidr);
  }
  for (const l of t.links ?? []) {
    for (const e of [l.a, l.b]) {
      name(IFNAME, e.name, 'interface name');
      assert.ok(nodes.has(e.node), `link end on '${e.node}' passed validation`);
      (e.addresses ?? []).forEach(cidr);
    }
  }
  if (t.host?.uplink && t.host.uplink !== 'auto') name(IFNAME, t.host.uplink, 'uplink');
  (t.host?.masquerade ?? []).forEach(cidr);
  for (const r of t.host?.routes ?? []) {
    if (r.to !== 'default') cidr(r.to);
    if (r.via) ip(r.via);
    if (r.dev) name(IFNAME, r.dev, 'route dev');
  }
  noProtoKeys(t);
}

// ---- what reaches argv ----

/** a word of a command: names, addresses, keywords */
export const SAFE_WORD = /^[A-Za-z0-9_.:/@,=+%-]+$/;
/** the options the renderer itself writes; a word from the topology never starts with '-' */
export const FIXED_OPTIONS = new Set([
  '-n', '-b', '-', '-j', '-d', '-s', '-q', '-w', '-t', '-N', '-X', '-I', '-D', '-A', '-F', '-o', '-m', '-c', '-W', '-l', '-U', '-i',
  '--', '--ctstate', '--comment', '--noflush',
]);
const NETNS_OPTION = new RegExp(`^--net=/run/netns/${NSNAME_PATTERN.slice(1)}`);
/** the one word that may hold spaces: sysctl's key=value (a single argv word, quoted in scripts) */
const SYSCTL_WORD = /^net\.(ipv4|ipv6|core|netfilter)(\.[A-Za-z0-9_-]+)+=[A-Za-z0-9 .:_-]{1,64}$/;
export const PROGRAMS = new Set(['ip', 'nsenter', 'sysctl', 'iptables', 'iptables-save', 'iptables-restore']);

export function checkWords(words: readonly string[], what: string): void {
  // sysctl [-q] -w KEY=VALUE...: every word after -w is a key=value pair
  const pairsFrom = words.includes('sysctl') ? words.indexOf('-w') + 1 : 0;
  words.forEach((w, i) => {
    if (pairsFrom > 0 && i >= pairsFrom && SYSCTL_WORD.test(w)) return;
    assert.match(w, SAFE_WORD, `unsafe word ${JSON.stringify(w)} in ${what}`);
    if (w.startsWith('-')) assert.ok(FIXED_OPTIONS.has(w) || NETNS_OPTION.test(w), `option-like word ${JSON.stringify(w)} in ${what}`);
  });
}

export function checkArgv(argv: readonly string[]): void {
  assert.ok(PROGRAMS.has(argv[0]!), `runs ${JSON.stringify(argv[0])}`);
  checkWords(argv, JSON.stringify(argv));
}

/** a line of iptables-restore input */
export function checkRestoreLine(line: string): void {
  if (/^(\*filter|\*nat|COMMIT|)$/.test(line) || /^:NSL-[A-Za-z0-9_-]+ - \[0:0\]$/.test(line) || /^-[FX] NSL-[A-Za-z0-9_-]+$/.test(line)) return;
  const m = /^(-A NSL-[A-Za-z0-9_-]+|-I (FORWARD|POSTROUTING) 1|-D (FORWARD|POSTROUTING)) (.*)$/.exec(line);
  assert.ok(m, `iptables-restore line ${JSON.stringify(line)}`);
  checkWords(m[4]!.split(' '), JSON.stringify(line));
}

export const EMPTY_LIVE: LiveState = {
  host: emptyNs(null), namespaces: [], firewall: { filter: {}, nat: {} }, hostDns: { resolvConf: null, systemdResolvConf: null },
};
/** a host with an uplink, a default route and a resolver (so NAT and "inherit" plan too) */
export const bareLive = (): LiveState => live({ host: bareHost() });

/** plan against `state`: no exception, every command and batch line safe, the script renders */
export function checkPlanRenders(t: Topology, state: LiveState): { steps: number } {
  const p = plan(t, state);
  const byTable: Record<'filter' | 'nat', Step[]> = { filter: [], nat: [] };
  for (const { step, summary } of p.steps) {
    assert.equal(typeof summary, 'string');
    for (const argv of renderCommands(step) ?? []) checkArgv(argv);
    for (const words of ipLines(step) ?? []) checkWords(words, `ip -batch line of ${step.op}`);
    if (step.op === 'fw-chain' || step.op === 'fw-chain-del' || step.op === 'fw-jump') byTable[step.table].push(step);
  }
  for (const table of ['filter', 'nat'] as const) for (const line of restoreLines(table, byTable[table])) checkRestoreLine(line);
  const script = renderScript(p.steps, `fuzz ${t.name}`);
  for (const l of script.split('\n')) if (!l.startsWith('#')) assert.ok(!l.includes('`') && !l.includes('$('), `a command substitution in the script: ${l}`);
  return { steps: p.steps.length };
}

// ---- through the helper ----

/** the empty host of test/support/fake-system.ts (kept under this name for the fuzzer's callers) */
export const recorder = emptyHost;

export async function ask(line: string, runner: FakeSystem = recorder()): Promise<{ final: Response; runner: FakeSystem }> {
  const out: Response[] = [];
  // other test files apply in parallel: wait for a topology lock rather than fail
  const srv = createServer({ runner, send: (r) => out.push(r), lockWaitMs: 30_000 });
  await srv.onLine(line);
  const final = out.filter((r) => !('event' in r));
  assert.equal(final.length, 1, 'exactly one answer per request');
  return { final: final[0]!, runner };
}

export function errorCode(r: Response): string | undefined {
  return 'ok' in r && !r.ok ? r.error.code : undefined;
}

/** a process that only reads (observe), never changes anything */
export function isRead(argv: readonly string[], input = ''): boolean {
  return isReadCall(argv, input);
}

const WRITES = [
  /^write \/etc\/netns\/[A-Za-z0-9][A-Za-z0-9_.-]*\/resolv\.conf$/,
  /^mkdir \/etc\/netns\/[A-Za-z0-9][A-Za-z0-9_.-]*$/,
  /^(write|unlink) \/run\/netns-lab\/intent\/[A-Za-z0-9][A-Za-z0-9_-]*\.json$/,
  /^mkdir \/run\/netns-lab\/intent$/,
  /^write \/proc\/sys\/net\/ipv4\/ip_forward$/,
  /^mkdir \/run\/netns-lab$/,
  /^(write|unlink) \/run\/netns-lab\/observe\.\d+\.\d+\.batch$/,
  /^mkdir \/run\/netns-lab\/apply$/,
  /^(write|unlink) \/run\/netns-lab\/apply\/[A-Za-z0-9][A-Za-z0-9_.-]*\.batch$/,
];

export type HelperOutcome = 'applied' | 'plan-refused' | 'invalid-topology' | 'bad-request';

/**
 * apply `topology` through the helper with a recording system. Refused (invalid-topology):
 * nothing ran, nothing was written. Applied: only known programs with safe words, only known
 * files. Refused by its plan (a clash with the fake host): only reads ran.
 */
export async function checkHelperApply(topology: unknown): Promise<HelperOutcome> {
  const line = JSON.stringify({ v: 1, id: 1, op: 'apply', topology });
  const wire = (JSON.parse(line) as { topology: unknown }).topology;
  const valid = validateValue(wire).ok;
  const { final, runner } = await ask(line);
  const code = errorCode(final);
  const what = `${line.slice(0, 300)} -> ${JSON.stringify(final).slice(0, 300)}`;
  if (!valid) {
    // no topology at all (undefined is not JSON) is a malformed request
    assert.equal(code, wire === undefined ? 'bad-request' : 'invalid-topology', what);
    assert.deepEqual(runner.calls, [], `a refused topology started a process: ${what}`);
    assert.deepEqual(runner.writes, [], `a refused topology wrote a file: ${what}`);
    return code as HelperOutcome;
  }
  assert.ok(code === undefined || code === 'plan-refused', `unexpected answer: ${what}`);
  for (const c of runner.calls) {
    checkArgv(c.argv);
    if (c.argv[0] === 'ip' && c.argv.includes('-b')) for (const l of c.input.split('\n').filter(Boolean)) checkWords(l.split(' '), `ip -b line ${JSON.stringify(l)}`);
  }
  // the per-namespace batches a chunked apply writes for `netns exec NS ip -b FILE`
  for (const w of runner.written.filter((x) => x.path.startsWith('/run/netns-lab/apply/'))) {
    assert.match(w.path, /^\/run\/netns-lab\/apply\/[A-Za-z0-9][A-Za-z0-9_.-]*\.batch$/);
    for (const l of w.data.split('\n').filter(Boolean)) checkWords(l.split(' '), `${w.path} line ${JSON.stringify(l)}`);
  }
  for (const c of runner.calls) {
    if (c.argv[0] === 'iptables-restore') c.input.split('\n').forEach(checkRestoreLine);
  }
  for (const w of runner.writes) assert.ok(WRITES.some((re) => re.test(w)), `wrote ${w}`);
  if (code === 'plan-refused') {
    assert.ok(runner.calls.every((c) => isRead(c.argv, c.input)), `a refused plan ran something: ${what}`);
    assert.deepEqual(runner.writes.filter((w) => !isObserveWrite(w)), []);
    return 'plan-refused';
  }
  return 'applied';
}

// ---- the properties ----

export interface FuzzStats {
  runs: number;
  accepted: number;
  refused: number;
  applied: number;
  planRefused: number;
  steps: number;
  codes: Map<string, number>;
}
export const newStats = (): FuzzStats => ({ runs: 0, accepted: 0, refused: 0, applied: 0, planRefused: 0, steps: 0, codes: new Map() });

function strip(ds: readonly Diagnostic[]) {
  return ds.map((d) => ({ severity: d.severity, code: d.code, path: d.path, message: d.message }));
}

/** (a)-(d) for one value */
export async function checkTopologyValue(value: unknown, stats: FuzzStats = newStats()): Promise<void> {
  stats.runs++;
  const r = validateValue(value); // (a): a throw fails the property
  checkDiagnostics(r.diagnostics, { value, valueKnown: true });
  for (const d of r.diagnostics) stats.codes.set(d.code, (stats.codes.get(d.code) ?? 0) + 1);
  assert.equal(r.ok, !!r.topology && !hasErrors(r.diagnostics));
  if (r.ok) {
    stats.accepted++;
    checkAcceptedTopology(r.topology!); // (b)
    stats.steps += checkPlanRenders(r.topology!, EMPTY_LIVE).steps;
    checkPlanRenders(r.topology!, bareLive());
  } else {
    stats.refused++;
  }
  const outcome = await checkHelperApply(value); // (b) and (c)
  if (outcome === 'applied') stats.applied++;
  if (outcome === 'plan-refused') stats.planRefused++;
  // (d)
  const text = JSON.stringify(value);
  if (text !== undefined) {
    const wire = JSON.parse(text) as unknown;
    const rt = validateText(text);
    assert.equal(rt.ok, validateValue(wire).ok, `text and value disagree on ${text.slice(0, 300)}`);
    assert.deepEqual(strip(rt.diagnostics), strip(validateValue(wire).diagnostics), `text and value disagree on ${text.slice(0, 300)}`);
    checkDiagnostics(rt.diagnostics, { text, value: wire, valueKnown: true });
  }
}

/** validateText on any text: never throws, positions inside the file; if accepted, safe and renders */
export function checkText(text: string, stats: FuzzStats = newStats()): void {
  stats.runs++;
  const r = validateText(text);
  let value: unknown;
  let valueKnown = false;
  try { value = JSON.parse(text); valueKnown = true; } catch { /* not JSON */ }
  checkDiagnostics(r.diagnostics, { text, value, valueKnown });
  for (const d of r.diagnostics) stats.codes.set(d.code, (stats.codes.get(d.code) ?? 0) + 1);
  if (r.ok) {
    stats.accepted++;
    checkAcceptedTopology(r.topology!);
    stats.steps += checkPlanRenders(r.topology!, EMPTY_LIVE).steps;
  } else {
    stats.refused++;
    assert.ok(hasErrors(r.diagnostics) && r.diagnostics.some((d) => d.severity === 'error' && KNOWN_CODES.has(d.code)));
  }
}

/** the positions of diagnostics: lineCol agrees with counting newlines */
export function checkLineCol(text: string, offset: number): void {
  assert.deepEqual(lineCol(text, offset), naiveLineCol(text, offset));
}
