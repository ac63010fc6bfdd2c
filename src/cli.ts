/**
 * netns-lab: the command line over src/engine.
 * Exit codes: 0 success, 1 a failed operation, 2 invalid input or usage.
 */
import { writeFile } from 'node:fs/promises';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { formatDiagnostic, hasErrors, type Diagnostic } from './core/model/diagnostics.js';
import { locate, parseJsonText } from './core/model/json.js';
import {
  EngineError, applyTopology, importFromLive, loadFile, overallStatus, planTopology,
  readHostDns, requireValid, scriptFor, type Loaded,
  formatPhases, type ApplyResult,
} from './engine/engine.js';
import { adoptWithConfirmation } from './cli-adopt.js';
import { HelperFailure, startHelper, type Elevation, type HelperClient } from './engine/helper-client.js';
import { startInProcessHelper } from './engine/in-process-helper.js';
import { printRootRefusal, rootApprovalFor } from './cli-root.js';
import { serviceLines, withServicesStatus, workloadCommands } from './cli-workloads.js';
import { IfName, NsName, TopoName, type Topology } from './core/model/model.js';
import { formatMatrix, validProbe } from './core/diagnose/reach.js';
import { IMPORT_LAB_USAGE, importLabCommand } from './cli-import-lab.js';
import { EXEC_USAGE, execCommand } from './cli-exec.js';
import { TEST_USAGE, testCommand } from './cli-test.js';
import { hostWideBlock, hostWideSteps } from './core/plan/host-routes.js';
import { DESTROY_USAGE, destroyCommand } from './cli-destroy.js';
import { MULTIHOST_FLAGS, MULTIHOST_USAGE, isMultiHost, multiHostCommand, multiHostPing } from './cli-multihost.js';

const USAGE = `netns-lab: draw Linux networks, build them for real

usage:
  netns-lab validate FILE                 check a topology; compiler-style diagnostics
  netns-lab plan FILE [--json]            the steps apply would run now (empty when in sync)
  netns-lab apply FILE [--dry-run] [--json] [--allow-root-commands]
                                          build or reconcile the network (progress on stderr)
${DESTROY_USAGE}
  netns-lab status FILE [--json]          each object: in-sync / missing / drifted / unowned-clash / extra
  netns-lab services FILE [--json]        each service: running (pid, since) / exited (code) / not started
  netns-lab logs FILE SERVICE [-f]        a service's output (SERVICE: NAME or NS/NAME); -f follows it
  netns-lab restart FILE SERVICE [--allow-root-commands]
                                          start a service of the file again
  netns-lab script FILE                   a standalone bash script that builds it from scratch
  netns-lab import [--name N] [--ns A,B] [--adopt [--yes]] [-o FILE]
                                          write a topology of what runs now
${IMPORT_LAB_USAGE}
${EXEC_USAGE}
  netns-lab capture --ns NS|host --iface IF [--filter EXPR] [--seconds N] [-o FILE.pcap]
                                          tcpdump inside the namespace: text, or a pcap file
  netns-lab doctor FILE [--json] [--fix]   find the article's "if not" causes live; --fix repairs them
  netns-lab ping FILE [--json] [--probe ADDR_OR_NAME,...]
                                          reachability matrix: every namespace to every other,
                                          the host, its gateway, and outside probes (internet: true)
${TEST_USAGE}

${MULTIHOST_USAGE}

options:
  --elevation auto|direct|sudo|pkexec     how to start the privileged helper (default auto)
  -h, --help                              this text

exit codes: 0 ok, 1 operation failed, 2 invalid input or usage`;

class Usage extends Error {}

interface Args { cmd: string; pos: string[]; flags: Map<string, string | true> }

const VALUE_FLAGS = new Set(['--name', '--ns', '-o', '--output', '--elevation', '--probe', '--iface', '--filter', '--seconds', '--junit', '--only', ...MULTIHOST_FLAGS]);

function parseArgs(argv: string[]): Args {
  const pos: string[] = [];
  const flags = new Map<string, string | true>();
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i]!;
    if (a === '--') { pos.push(...argv.slice(i + 1)); break; }
    if (a.startsWith('-') && a !== '-') {
      const [k, v] = a.includes('=') ? [a.slice(0, a.indexOf('=')), a.slice(a.indexOf('=') + 1)] : [a, undefined];
      if (VALUE_FLAGS.has(k!)) {
        const val = v ?? argv[++i];
        if (val === undefined) throw new Usage(`${k} needs a value`);
        flags.set(k!, val);
      } else flags.set(k!, true);
    } else pos.push(a);
  }
  return { cmd: pos.shift() ?? '', pos, flags };
}

function allow(a: Args, allowed: string[], npos: number): void {
  for (const k of a.flags.keys()) if (!allowed.includes(k) && k !== '--elevation') throw new Usage(`unknown option ${k} for ${a.cmd}`);
  if (a.pos.length !== npos) throw new Usage(`${a.cmd} takes ${npos === 1 ? 'one FILE' : 'no file'} argument${npos === 1 ? '' : 's'}`);
}

const here = dirname(fileURLToPath(import.meta.url));
const HELPER = join(here, 'helper.js');

async function helper(a: Args): Promise<HelperClient> {
  const e = a.flags.get('--elevation');
  if (e !== undefined && !['auto', 'direct', 'sudo', 'pkexec'].includes(String(e))) throw new Usage('--elevation is auto, direct, sudo or pkexec');
  // already root, no other helper asked for: the helper's code in this process (one Node start, not two)
  if (process.getuid?.() === 0 && (e === undefined || e === 'auto' || e === 'direct') && process.env.NETNS_LAB_HELPER === undefined) {
    return startInProcessHelper(process.env);
  }
  return startHelper({
    helperPath: process.env.NETNS_LAB_HELPER ?? HELPER,
    elevation: (e as Elevation | undefined) ?? 'auto',
    // test hooks reach a helper started directly (sudo and pkexec drop the environment anyway)
    env: Object.fromEntries(Object.entries(process.env).filter(([k]) => k.startsWith('NETNS_LAB_')) as [string, string][]),
  });
}

function printDiagnostics(file: string, ds: Diagnostic[], text?: string): void {
  // diagnostics from the planner carry a JSON path only: place them in the file's text
  if (text !== undefined && ds.some((d) => d.line === undefined)) ds = locate(parseJsonText(text), ds);
  const shown = relative(process.cwd(), file) || file;
  for (const d of ds) process.stderr.write(formatDiagnostic(shown.startsWith('..') ? file : shown, d) + '\n');
}

async function loadValid(file: string): Promise<Loaded & { topology: NonNullable<Loaded['topology']> }> {
  const l = await loadFile(file).catch((e: NodeJS.ErrnoException) => { throw new Usage(`cannot read ${file}: ${e.code === 'ENOENT' ? 'no such file' : e.message}`); });
  printDiagnostics(file, l.diagnostics);
  requireValid(l);
  return l as Loaded & { topology: NonNullable<Loaded['topology']> };
}

const progress = (p: { done: number; total: number; message: string }) => {
  process.stderr.write(p.total ? `[${p.done}/${p.total}] ${p.message}\n` : `${p.message}\n`);
};

/** a helper for fn, closed afterwards */
async function withHelper<T>(a: Args, fn: (h: HelperClient) => Promise<T>): Promise<T> {
  const h = await helper(a);
  try { return await fn(h); } finally { await h.close(); }
}

const timing = (r: ApplyResult) => `${r.steps} step(s), ${r.processes} process(es), ${(r.durationMs / 1000).toFixed(2)} s${r.phases && r.steps ? ` (${formatPhases(r.phases)})` : ''}`;
const issueText = (m: string) => m.replace(/^\[[a-z-]+\] /, '');

async function validate(a: Args): Promise<number> {
  allow(a, [], 1);
  const l = await loadFile(a.pos[0]!).catch((e: Error) => { throw new Usage(`cannot read ${a.pos[0]}: ${e.message}`); });
  printDiagnostics(a.pos[0]!, l.diagnostics);
  const e = l.diagnostics.filter((d) => d.severity === 'error').length;
  const w = l.diagnostics.length - e;
  process.stderr.write(`${e} error(s), ${w} warning(s)\n`);
  return hasErrors(l.diagnostics) ? 2 : 0;
}

/** plan, and apply --dry-run: the steps apply would run now */
async function showPlan(a: Args, json: boolean): Promise<number> {
  allow(a, [...(a.cmd === 'plan' ? ['--json'] : ['--json', '--dry-run']), ...MULTIHOST_FLAGS], 1);
  const l = await loadValid(a.pos[0]!);
  if (isMultiHost(l.topology)) return multiHostCommand('plan', l.topology, a.flags, json, () => helper(a));
  const p = await withHelper(a, (h) => planTopology(h, l.topology));
  printDiagnostics(a.pos[0]!, p.errors, l.text);
  // every step that changes the host itself (outside the topology's own objects) first
  const wide = hostWideSteps(p.steps);
  if (json) process.stdout.write(JSON.stringify({ steps: p.steps.map((s) => s.step), errors: p.errors, hostWide: wide.map((w) => ({ step: w.n, reason: w.reason })) }, null, 2) + '\n');
  else process.stdout.write(hostWideBlock(wide) + p.steps.map((s) => s.summary).join('\n') + (p.steps.length ? '\n' : ''));
  if (!json) process.stderr.write(`${p.steps.length} step(s)${p.errors.length ? `, ${p.errors.length} error(s): apply would be refused` : ''}\n`);
  return p.errors.length ? 1 : 0;
}

async function apply(a: Args, json: boolean): Promise<number> {
  if (a.flags.has('--dry-run')) return showPlan(a, json);
  allow(a, ['--json', '--dry-run', '--allow-root-commands', ...MULTIHOST_FLAGS], 1);
  const l = await loadValid(a.pos[0]!);
  if (isMultiHost(l.topology)) return multiHostCommand('apply', l.topology, a.flags, json, () => helper(a));
  const approve = rootApprovalFor(l.topology, a.flags.has('--allow-root-commands'));
  if (approve === null) return 1;
  // one request: the helper plans from its own observation and refuses a plan with errors
  const r = await withHelper(a, (h) => applyTopology(h, l.topology, json ? undefined : progress, undefined, approve)).catch((e: unknown) => {
    if (e instanceof HelperFailure && e.error.code === 'root-not-approved') { printRootRefusal(e.error.message); return undefined; }
    if (e instanceof HelperFailure && e.error.code === 'plan-refused') {
      printDiagnostics(a.pos[0]!, (e.error.diagnostics ?? []) as Diagnostic[], l.text);
      process.stderr.write('apply refused: nothing was changed\n');
      return undefined;
    }
    throw e;
  });
  if (!r) return 1;
  if (json) process.stdout.write(JSON.stringify(r, null, 2) + '\n');
  else process.stderr.write(`applied '${l.topology.name}': ${timing(r)}${r.remaining.length ? `; NOT converged, still to do: ${r.remaining.join('; ')}` : ''}\n`);
  return r.remaining.length ? 1 : 0;
}

/** the topology name of destroy: --name, or the file's (even an invalid file's) */
async function destroyName(a: Args): Promise<string | Topology> {
  let name = a.flags.get('--name');
  if (name !== undefined) allow(a, ['--name', '--kill'], 0);
  else {
    allow(a, ['--kill', ...MULTIHOST_FLAGS], 1);
    const l = await loadFile(a.pos[0]!).catch((e: Error) => { throw new Usage(`cannot read ${a.pos[0]}: ${e.message}`); });
    if (l.topology && isMultiHost(l.topology)) return l.topology;
    const n = l.topology?.name ?? (() => { try { return (JSON.parse(l.text) as { name?: unknown }).name; } catch { return undefined; } })();
    if (typeof n !== 'string') { printDiagnostics(a.pos[0]!, l.diagnostics); throw new Usage('cannot read the topology name from the file'); }
    name = n;
  }
  const parsed = TopoName.safeParse(name);
  if (!parsed.success) throw new Usage(`invalid topology name: ${issueText(parsed.error.issues[0]!.message)}`);
  return parsed.data;
}

async function destroy(a: Args): Promise<number> {
  const name = await destroyName(a);
  if (typeof name !== 'string') return multiHostCommand('destroy', name, a.flags, a.flags.has('--json'), () => helper(a));
  return withHelper(a, (h) => destroyCommand(h, name, a.flags.has('--kill'), progress));
}

async function status(a: Args, json: boolean): Promise<number> {
  allow(a, ['--json', ...MULTIHOST_FLAGS], 1);
  const l = await loadValid(a.pos[0]!);
  if (isMultiHost(l.topology)) return multiHostCommand('status', l.topology, a.flags, json, () => helper(a));
  const [p, { services }] = await withHelper(a, async (h) => [await planTopology(h, l.topology), await h.services({ topology: l.topology })] as const);
  const overall = withServicesStatus(overallStatus(p.objects), services);
  // facts that would make apply refuse (a clash, no uplink, no DNS to inherit)
  printDiagnostics(a.pos[0]!, p.errors, l.text);
  if (json) process.stdout.write(JSON.stringify({ topology: l.topology.name, status: overall, objects: p.objects, errors: p.errors, services }, null, 2) + '\n');
  else {
    for (const o of p.objects) process.stdout.write(`${o.state.padEnd(14)} ${o.kind.padEnd(10)} ${(o.scope ?? 'host').padEnd(12)} ${o.name}${o.detail ? `  (${o.detail})` : ''}\n`);
    for (const line of serviceLines(services)) process.stdout.write(`service        ${line}\n`);
    process.stdout.write(`${l.topology.name}: ${overall}\n`);
  }
  return 0;
}

/** a command that works on one host refuses a file with hosts (before any helper starts) */
function singleHostOnly(a: Args, t: Topology): void {
  if (isMultiHost(t)) throw new Usage(`${a.cmd} works on a lab on one machine; '${t.name}' spans several hosts (plan, apply, status and destroy run across them: docs/multi-host.md)`);
}

async function script(a: Args): Promise<number> {
  allow(a, [], 1);
  const l = await loadValid(a.pos[0]!);
  singleHostOnly(a, l.topology);
  process.stdout.write(scriptFor(l.topology, await readHostDns()));
  return 0;
}

async function importCmd(a: Args): Promise<number> {
  if (a.flags.has('--from')) return importLabCommand(a.pos, a.flags);
  allow(a, ['--name', '--ns', '-o', '--output', '--adopt', '--yes'], 0);
  const name = String(a.flags.get('--name') ?? 'imported');
  const bad = TopoName.safeParse(name);
  if (!bad.success) throw new Usage(`--name: ${issueText(bad.error.issues[0]!.message)}`);
  const ns = a.flags.get('--ns');
  if (typeof ns === 'string') {
    for (const n of ns.split(',')) {
      const r = NsName.safeParse(n);
      if (!r.success) throw new Usage(`--ns: ${issueText(r.error.issues[0]!.message)}`);
    }
  }
  return withHelper(a, async (h) => {
    const r = await importFromLive(h, { name, ...(typeof ns === 'string' ? { namespaces: ns.split(',').filter(Boolean) } : {}) });
    for (const n of r.notes) process.stderr.write(`note: ${n}\n`);
    const text = JSON.stringify(r.topology, null, 2) + '\n';
    if (a.flags.has('--adopt')) {
      const ad = await adoptWithConfirmation(h, r.topology, a.flags.has('--yes'));
      if ('refused' in ad) { process.stderr.write(`netns-lab: ${ad.refused}\n`); return 1; }
      process.stderr.write(`adopted ${ad.adopted} object(s) as owned by '${name}'\n`);
    }
    const out = a.flags.get('-o') ?? a.flags.get('--output');
    if (typeof out === 'string') { await writeFile(out, text); process.stderr.write(`wrote ${out}\n`); }
    else process.stdout.write(text);
    return 0;
  });
}

async function capture(a: Args): Promise<number> {
  allow(a, ['--ns', '--iface', '--filter', '--seconds', '-o', '--output'], 0);
  const nsArg = String(a.flags.get('--ns') ?? '');
  const ns = nsArg === 'host' ? null : nsArg;
  if (ns !== null && !NsName.safeParse(ns).success) throw new Usage('--ns: a namespace name, or "host"');
  const iface = String(a.flags.get('--iface') ?? '');
  if (!IfName.safeParse(iface).success) throw new Usage('--iface: an interface name');
  const seconds = a.flags.has('--seconds') ? Number(a.flags.get('--seconds')) : undefined;
  if (seconds !== undefined && !(seconds > 0 && seconds <= 86400)) throw new Usage('--seconds: 1 to 86400');
  const out = a.flags.get('-o') ?? a.flags.get('--output');
  const filter = a.flags.get('--filter');
  return withHelper(a, async (h) => {
    const chunks: Buffer[] = [];
    const c = h.capture({ ns, iface, format: typeof out === 'string' ? 'pcap' : 'text', ...(typeof filter === 'string' ? { filter } : {}) },
      (d) => { if (typeof out === 'string') chunks.push(Buffer.from(d, 'base64')); else process.stdout.write(d + '\n'); });
    const stop = () => void c.stop();
    process.once('SIGINT', stop);
    const timer = seconds ? setTimeout(stop, seconds * 1000) : undefined;
    try { await c.done; } finally { clearTimeout(timer); process.off('SIGINT', stop); }
    if (typeof out === 'string') { await writeFile(out, Buffer.concat(chunks)); process.stderr.write(`wrote ${out}\n`); }
    return 0;
  });
}

async function doctor(a: Args, json: boolean): Promise<number> {
  allow(a, ['--json', '--fix'], 1);
  const l = await loadValid(a.pos[0]!);
  singleHostOnly(a, l.topology);
  const r = await withHelper(a, async (h) => {
    const found = await h.doctor({ topology: l.topology });
    if (!a.flags.has('--fix') || !found.findings.some((f) => f.fix)) return found;
    return h.doctor({ topology: l.topology, fix: found.findings.filter((f) => f.fix).map((f) => f.code) }, json ? undefined : progress);
  });
  if (json) process.stdout.write(JSON.stringify(r, null, 2) + '\n');
  else {
    if (r.fixed?.length) process.stdout.write(`fixed: ${r.fixed.join(', ')}\n`);
    for (const f of r.findings) {
      process.stdout.write(`${f.severity} ${f.code} (${f.subject}): ${f.message}\n    why: ${f.why}\n${f.fix ? `    fix: ${f.fix.summary}\n` : '    fix: none automatic\n'}`);
    }
    process.stdout.write(r.findings.length ? `${r.findings.length} finding(s)${a.flags.has('--fix') ? '' : '; netns-lab doctor --fix repairs those with a fix'}\n` : 'no problems found\n');
  }
  return r.findings.some((f) => f.severity === 'error') ? 1 : 0;
}

async function ping(a: Args, json: boolean): Promise<number> {
  allow(a, ['--json', '--probe', ...MULTIHOST_FLAGS], 1);
  const probe = a.flags.get('--probe');
  const outside = typeof probe === 'string' ? probe.split(',').filter(Boolean) : [];
  for (const p of outside) if (!validProbe(p)) throw new Usage(`--probe: '${p}' is not an address or a DNS name`);
  const l = await loadValid(a.pos[0]!);
  if (isMultiHost(l.topology)) {
    if (outside.length) throw new Usage('--probe works on a lab on one machine');
    return multiHostPing(l.topology, a.flags, json, () => helper(a));
  }
  for (const k of MULTIHOST_FLAGS) if (a.flags.has(k)) throw new Usage(`unknown option ${k} for ping`);
  const r = await withHelper(a, (h) => h.ping({ topology: l.topology, outside }));
  const failed = r.results.filter((x) => !x.ok);
  if (json) process.stdout.write(JSON.stringify(r, null, 2) + '\n');
  else process.stdout.write(formatMatrix(r.results) + `${r.results.length - failed.length}/${r.results.length} reachable in ${(r.durationMs / 1000).toFixed(2)} s\n`);
  if (!json) for (const f of failed) process.stderr.write(`unreachable: ${f.from} -> ${f.to} (${f.target}): ${f.error}\n`);
  return failed.length ? 1 : 0;
}

/** one function per command */
const COMMANDS: Record<string, (a: Args, json: boolean) => Promise<number>> = {
  validate, plan: showPlan, apply, destroy, status, script, import: importCmd, capture, doctor, ping,
  ...workloadCommands<Args>({ loadValid, withHelper, allow, usage: (m) => new Usage(m) }),
  test: (a) => testCommand(a.pos, a.flags, () => helper(a)),
};

async function run(argv: string[]): Promise<number> {
  if (argv[0] === 'exec') return execCommand(argv.slice(1));
  const a = parseArgs(argv);
  if (a.flags.has('-h') || a.flags.has('--help') || a.cmd === 'help') { process.stdout.write(USAGE + '\n'); return 0; }
  if (a.cmd === '') { process.stderr.write(USAGE + '\n'); return 2; }
  const command = Object.hasOwn(COMMANDS, a.cmd) ? COMMANDS[a.cmd] : undefined;
  if (!command) throw new Usage(`unknown command '${a.cmd}'`);
  return command(a, a.flags.has('--json'));
}

run(process.argv.slice(2)).then((code) => { process.exitCode = code; }, (e: unknown) => {
  if (e instanceof Usage) { process.stderr.write(`netns-lab: ${e.message}\n(see netns-lab --help)\n`); process.exitCode = 2; return; }
  if (e instanceof EngineError) {
    process.stderr.write(`netns-lab: ${e.message}\n`);
    process.exitCode = e.diagnostics.some((d) => d.severity === 'error') && e.message.endsWith('is invalid') ? 2 : 1;
    return;
  }
  if (e instanceof HelperFailure) {
    process.stderr.write(`netns-lab: ${e.message}\n`);
    process.exitCode = e.error.code === 'invalid-topology' || e.error.code === 'bad-request' ? 2 : 1;
    return;
  }
  process.stderr.write(`netns-lab: ${(e as Error).stack ?? String(e)}\n`);
  process.exitCode = 1;
});

