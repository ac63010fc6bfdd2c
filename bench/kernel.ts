/**
 * The kernel sections of the benchmark (apply, reapply, change, destroy, observe, event), run
 * inside the network sandbox (test/sandbox/run.sh): the tool through its CLI (a fresh helper per
 * command) and through a persistent helper session (startHelper, as VS Code uses it), against
 * baselines measured in the same run (bench/baselines.ts, Mininet).
 *
 * Processes: baselines run in a private PID namespace and the count is the last PID used there
 * (every process the script made, its shell included); the tool's count is the helper's own
 * (the processes it spawned) plus, for the CLI, the CLI and helper processes themselves.
 */
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Topology } from '../src/core/model/model.js';
import type { LiveEvent } from '../src/core/observe/monitor.js';
import { startHelper, type HelperClient } from '../src/engine/helper-client.js';
import { articleDestroyScript, articleScript, changeOneAddress, floorDestroyScript, floorObserveScript, floorScript } from './baselines.js';
import { CLI, SESSION, median, type Row, type Unavailable } from './report.js';
import { chain, lan } from './topologies.js';
import { MATRIX_SUBJECT, PINGALL_SUBJECT, measureMatrix, pingallMarks } from './matrix-section.js';
import { inSandbox } from '../test/support/in-sandbox.js';

const ROOT = join(new URL('.', import.meta.url).pathname, '..', '..');
const CLI_JS = join(ROOT, 'dist', 'cli.js');
const HELPER_JS = join(ROOT, 'dist', 'helper.js');
/** an operation that takes longer is stopped and reported as not finishing within a minute */
const LIMIT_MS = 60_000;

export interface KernelOptions {
  sections: Set<string>;
  sizes: number[];
  reps: number | undefined;
  log: (s: string) => void;
}

class TooSlow extends Error {}

const now = () => Number(process.hrtime.bigint()) / 1e6;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

function assertSandbox(): void {
  if (!inSandbox()) {
    throw new Error('the kernel benchmarks run only inside test/sandbox/run.sh (npm run bench does that)');
  }
}

let dir = '';
function file(name: string, text: string): string {
  const f = join(dir, name);
  writeFileSync(f, text);
  return f;
}

/** run a bash script in a private PID namespace: wall time and processes made */
function script(name: string, text: string): { ms: number; processes: number } {
  const f = file(name, text);
  const t0 = now();
  const r = spawnSync('unshare', ['--pid', '--fork', 'bash', '-c', 'bash "$0"; rc=$?; read -r l < /proc/sys/kernel/ns_last_pid; echo "NSLASTPID $l" >&2; exit $rc', f], { encoding: 'utf8', timeout: LIMIT_MS, killSignal: 'SIGKILL' });
  const ms = now() - t0;
  if (r.error && (r.error as NodeJS.ErrnoException).code === 'ETIMEDOUT') throw new TooSlow(`${name} did not finish within a minute`);
  if (r.status !== 0) throw new Error(`${name} failed (${r.status}): ${r.stderr.slice(-2000)}`);
  const last = /NSLASTPID (\d+)/.exec(r.stderr);
  // pid 1 is the measuring shell itself
  return { ms, processes: last ? Number(last[1]) - 1 : NaN };
}

function cli(args: string[]): { ms: number; stdout: string; stderr: string } {
  const t0 = now();
  const r = spawnSync(process.execPath, [CLI_JS, ...args], { encoding: 'utf8', timeout: LIMIT_MS, killSignal: 'SIGKILL', maxBuffer: 256 * 1024 * 1024 });
  const ms = now() - t0;
  if (r.error && (r.error as NodeJS.ErrnoException).code === 'ETIMEDOUT') throw new TooSlow(`netns-lab ${args[0]} did not finish within a minute`);
  if (r.status !== 0) throw new Error(`netns-lab ${args.join(' ')} failed (${r.status}): ${r.stderr.slice(-2000)}`);
  return { ms, stdout: r.stdout, stderr: r.stderr };
}

function cliApplied(stderr: string): { steps: number; processes: number } {
  const m = /applied '.*': (\d+) step\(s\), (\d+) process\(es\)/.exec(stderr);
  if (!m) throw new Error(`cannot read the apply summary: ${stderr.slice(-500)}`);
  return { steps: Number(m[1]), processes: Number(m[2]) };
}

const hostLinks = () => readdirSync('/sys/class/net').filter((l) => l !== 'lo');
const namespaces = () => (existsSync('/run/netns') ? readdirSync('/run/netns') : []);

/** wait until no namespace and no host link (but lo) is left; the time it took */
async function waitGone(): Promise<number> {
  const t0 = now();
  while (namespaces().length || hostLinks().length) {
    if (now() - t0 > LIMIT_MS) throw new TooSlow('objects still there a minute after destroy');
    await sleep(2);
  }
  return now() - t0;
}

/** back to an empty sandbox (a failed or stopped run leaves anything behind) */
async function reset(): Promise<void> {
  spawnSync('ip', ['-all', 'netns', 'delete']);
  const links = hostLinks();
  if (links.length) spawnSync('ip', ['-force', '-b', '-'], { input: links.map((l) => `link del ${l}\n`).join('') });
  for (const t of ['filter', 'nat']) { spawnSync('iptables', ['-t', t, '-F']); spawnSync('iptables', ['-t', t, '-X']); }
  spawnSync('iptables', ['-P', 'FORWARD', 'ACCEPT']);
  writeFileSync('/proc/sys/net/ipv4/ip_forward', '0\n');
  rmSync('/etc/netns', { recursive: true, force: true });
  rmSync('/run/netns-lab/intent', { recursive: true, force: true });
  try { await waitGone(); } catch { throw new Error(`the sandbox could not be emptied: ${namespaces().join(' ')} ${hostLinks().join(' ')}`); }
}

type Topo = 'lan' | 'chain';
const make = (k: Topo, n: number): Topology => (k === 'lan' ? lan(n) : chain(n));

interface Collected { samples: Map<string, { row: Omit<Row, 'value' | 'samples'>; values: number[]; processes: number[]; steps: number[] }> }

function collect(c: Collected, row: Omit<Row, 'value' | 'samples' | 'processes' | 'steps'>, value: number, extra: { processes?: number; steps?: number } = {}): void {
  const key = `${row.section}|${row.topology}|${row.n}|${row.subject}`;
  let e = c.samples.get(key);
  if (!e) c.samples.set(key, e = { row, values: [], processes: [], steps: [] });
  e.values.push(value);
  if (extra.processes !== undefined) e.processes.push(extra.processes);
  if (extra.steps !== undefined) e.steps.push(extra.steps);
}

/** Mininet from Debian, `single,N` with Linux bridges and no controller: bring-up, teardown, processes */
async function mininet(n: number, test: 'none' | 'pingall' = 'none'): Promise<{ upMs: number; totalMs: number; processes: number; pingMs?: number }> {
  // mn cleans up with killall/pkill and rm /tmp/*.log on errors: give it its own PID namespace,
  // its own /proc and /tmp, so nothing outside can be touched
  const inner = `mount -t tmpfs bench-mn /tmp && export HOME=/tmp && mn --switch lxbr --controller none --topo single,${n} --test ${test}; rc=$?; read -r l < /proc/sys/kernel/ns_last_pid; echo "NSLASTPID $l"; exit $rc`;
  const t0 = now();
  const child = spawn('unshare', ['--pid', '--fork', '--mount-proc', 'bash', '-c', inner], { stdio: ['ignore', 'pipe', 'pipe'], detached: true });
  let up = 0;
  let pingStart = 0;
  let pingEnd = 0;
  let out = '';
  let last = NaN;
  const onData = (d: Buffer) => {
    out += d.toString();
    if (!up && /\*\*\* Stopping/.test(out)) up = now() - t0;
    if (!pingStart && /\*\*\* Ping: testing/.test(out)) pingStart = now();
    if (!pingEnd && /\*\*\* Results:/.test(out)) pingEnd = now();
    const m = /NSLASTPID (\d+)/.exec(out);
    if (m) last = Number(m[1]);
  };
  child.stdout.on('data', onData);
  child.stderr.on('data', onData);
  const timer = setTimeout(() => { try { process.kill(-child.pid!, 'SIGKILL'); } catch { /* gone */ } }, LIMIT_MS);
  const code = await new Promise<number | null>((r) => child.on('exit', (c) => r(c)));
  clearTimeout(timer);
  const totalMs = now() - t0;
  if (totalMs >= LIMIT_MS) throw new TooSlow('Mininet did not finish within a minute');
  if (code !== 0 || !up) throw new Error(`mn failed (exit ${code}): ${out.slice(-1500)}`);
  // pid 1: the shell, 2: mount
  if (test === 'pingall') {
    const marks = pingallMarks(out);
    if (!marks || !pingStart || !pingEnd) throw new Error(`no pingall results in Mininet's output: ${out.slice(-800)}`);
    if (marks.received !== marks.sent) throw new Error(`Mininet's pingall: ${marks.received} of ${marks.sent} received`);
  }
  return { upMs: up, totalMs, processes: last - 2, ...(test === 'pingall' ? { pingMs: pingEnd - pingStart } : {}) };
}

export function mininetProblem(): string | undefined {
  for (const [bin, pkg] of [['mn', 'mininet'], ['mnexec', 'mininet'], ['brctl', 'bridge-utils']]) {
    if (spawnSync('sh', ['-c', `command -v ${bin}`]).status !== 0) return `${bin} is not installed (Debian package ${pkg}; npm run bench installs it with apt-get when apt works)`;
  }
  return undefined;
}

/** the helper's watch vs a plain `ip -o monitor all-nsid link`, for the same changes */
async function eventLatency(h: HelperClient, ns: string, iface: string, count: number): Promise<{ helper: number[]; raw: number[] }> {
  const events: { at: number; e: LiveEvent }[] = [];
  const lines: { at: number; line: string }[] = [];
  const w = h.watch((e) => events.push({ at: now(), e }));
  const mon = spawn('ip', ['-o', 'monitor', 'all-nsid', 'link'], { stdio: ['ignore', 'pipe', 'ignore'] });
  let buf = '';
  mon.stdout.on('data', (d: Buffer) => {
    const at = now();
    buf += d.toString();
    let i: number;
    while ((i = buf.indexOf('\n')) >= 0) { lines.push({ at, line: buf.slice(0, i) }); buf = buf.slice(i + 1); }
  });
  const re = new RegExp(`\\b${iface}[@:]`);
  try {
    await sleep(500);
    const helper: number[] = [];
    const raw: number[] = [];
    for (let i = 0; i < count; i++) {
      const up = i % 2 === 1;
      const e0 = events.length, l0 = lines.length;
      const t0 = now();
      spawn('ip', ['-n', ns, 'link', 'set', iface, up ? 'up' : 'down'], { stdio: 'ignore' });
      for (;;) {
        const he = events.slice(e0).find((x) => x.e.ns === ns && x.e.kind === 'link' && x.e.ifname === iface);
        const le = lines.slice(l0).find((x) => re.test(x.line) && (up ? /[<,]UP[,>]/.test(x.line) : !/[<,]UP[,>]/.test(x.line)));
        if (he && le) { helper.push(he.at - t0); raw.push(le.at - t0); break; }
        if (now() - t0 > 5000) throw new Error(`no event for ${ns} ${iface} within 5 s (helper: ${he ? 'yes' : 'no'}, ip monitor: ${le ? 'yes' : 'no'})`);
        await sleep(1);
      }
      await sleep(150);
    }
    return { helper, raw };
  } finally {
    mon.kill();
    await w.stop();
  }
}

export async function runKernel(o: KernelOptions): Promise<{ rows: Row[]; unavailable: Unavailable[] }> {
  assertSandbox();
  dir = mkdtempSync(join(tmpdir(), 'netns-lab-bench-'));
  const c: Collected = { samples: new Map() };
  const unavailable: Unavailable[] = [];
  const want = (s: string) => o.sections.has(s);
  const mnProblem = mininetProblem();
  const skipped = new Set<string>(); // "subject|topo": too slow at a smaller N already
  const guard = async (what: Omit<Unavailable, 'reason'>, f: () => Promise<void> | void): Promise<void> => {
    const key = `${what.subject}|${what.topology}`;
    if (skipped.has(key)) { unavailable.push({ ...what, reason: 'skipped: a smaller N did not finish within a minute' }); return; }
    try { await f(); } catch (e) {
      // a failure is a result too: recorded, and the run goes on from an empty sandbox
      if (e instanceof TooSlow) skipped.add(key);
      unavailable.push({ ...what, reason: e instanceof TooSlow ? e.message : `failed: ${(e as Error).message.slice(0, 400)}` });
      o.log(`${what.subject} ${what.topology} N=${what.n}: ${(e as Error).message.slice(0, 200)}`);
    } finally { await reset(); }
  };
  await reset();
  const h = await startHelper({ helperPath: HELPER_JS, elevation: 'direct' });
  try {
    for (const topo of ['lan', 'chain'] as Topo[]) {
      for (const n of o.sizes) {
        const t = make(topo, n);
        const tf = file(`${t.name}.netns.json`, JSON.stringify(t, null, 2));
        let change: ReturnType<typeof changeOneAddress> | undefined;
        try { change = changeOneAddress(t); } catch (e) {
          if (want('change')) unavailable.push({ section: 'change', topology: topo, n, subject: 'all', reason: (e as Error).message });
        }
        const cf = change ? file(`${t.name}-changed.netns.json`, JSON.stringify(change.topology, null, 2)) : '';
        const reps = o.reps ?? (n <= 50 ? 3 : 1);
        const mkRow = (section: string, subject: string) => ({ section, topology: topo, n, subject, unit: 'ms' as const });
        for (let rep = 0; rep < reps; rep++) {
          o.log(`${topo} N=${n}, round ${rep + 1} of ${reps}`);
          // (b) the floor, and the floor's read, change and teardown
          await guard(mkRow('apply', 'floor: ip -batch'), async () => {
            const a = script('floor.sh', floorScript(t));
            collect(c, mkRow('apply', 'floor: ip -batch'), a.ms, { processes: a.processes });
            if (want('observe') || want('reapply')) {
              const r = script('floor-observe.sh', floorObserveScript(t));
              collect(c, mkRow('observe', 'floor: ip -j -b per namespace'), r.ms, { processes: r.processes });
            }
            if (want('change') && change) {
              const ch = script('floor-change.sh', change.script);
              collect(c, mkRow('change', "article's way: ip netns exec per command"), ch.ms, { processes: ch.processes });
            }
            const d = script('floor-destroy.sh', floorDestroyScript(t));
            const gone = await waitGone();
            collect(c, mkRow('destroy', 'floor: one ip -batch'), d.ms + gone, { processes: d.processes });
          });
          // (a) the article's way; its teardown
          if (want('apply') || want('destroy')) {
            await guard(mkRow('apply', "article's way: one process per command"), async () => {
              const a = script('article.sh', articleScript(t));
              collect(c, mkRow('apply', "article's way: one process per command"), a.ms, { processes: a.processes });
              const d = script('article-destroy.sh', articleDestroyScript(t));
              const gone = await waitGone();
              collect(c, mkRow('destroy', "article's way: ip netns del per namespace"), d.ms + gone, { processes: d.processes });
            });
          }
          // (a') the tool's own `netns-lab script` (ip -n per command, veths made in place)
          if (want('apply')) {
            await guard(mkRow('apply', 'netns-lab script (one process per command)'), () => {
              const text = cli(['script', tf]).stdout;
              const a = script('tool-script.sh', text);
              collect(c, mkRow('apply', 'netns-lab script (one process per command)'), a.ms, { processes: a.processes });
            });
          }
          // (c) Mininet
          if (want('apply') && topo === 'lan' && !mnProblem) {
            await guard(mkRow('apply', 'Mininet: mn single,N lxbr, bring-up'), async () => {
              const m = await mininet(n);
              collect(c, mkRow('apply', 'Mininet: mn single,N lxbr, bring-up'), m.upMs, { processes: m.processes });
              collect(c, mkRow('apply', 'Mininet: mn single,N lxbr, up + down'), m.totalMs, { processes: m.processes });
            });
          }
          // the tool, through the CLI: a fresh helper per command
          await guard(mkRow('apply', CLI), async () => {
            const a = cli(['apply', tf]);
            const s = cliApplied(a.stderr);
            collect(c, mkRow('apply', CLI), a.ms, { processes: s.processes + 2, steps: s.steps });
            const p = JSON.parse(cli(['plan', tf, '--json']).stdout) as { steps: unknown[] };
            if (p.steps.length) throw new Error(`re-plan after apply is not empty: ${JSON.stringify(p.steps.slice(0, 3))}`);
            if (want('reapply')) {
              const r = cli(['apply', tf]);
              const rs = cliApplied(r.stderr);
              if (rs.steps !== 0) throw new Error(`re-apply ran ${rs.steps} step(s)`);
              collect(c, mkRow('reapply', CLI), r.ms, { processes: rs.processes + 2, steps: 0 });
            }
            if (want('observe')) {
              const st = cli(['status', tf, '--json']);
              const status = (JSON.parse(st.stdout) as { status: string }).status;
              if (status !== 'in-sync') throw new Error(`status after apply: ${status}`);
              collect(c, mkRow('observe', `${CLI} status`), st.ms);
            }
            if (want('change') && change) {
              const ch = cli(['apply', cf]);
              const cs = cliApplied(ch.stderr);
              collect(c, mkRow('change', CLI), ch.ms, { processes: cs.processes + 2, steps: cs.steps });
            }
            const d = cli(['destroy', tf]);
            const gone = await waitGone();
            collect(c, mkRow('destroy', CLI), d.ms + gone);
          });
          // the tool, through a persistent helper session (as VS Code uses it: plan, then apply with the plan's digest)
          await guard(mkRow('apply', SESSION), async () => {
            const applyVs = async (topology: Topology) => {
              const t0 = now();
              const p = await h.plan({ topology });
              const r = await h.apply({ topology, expect: { steps: p.steps.length, digest: p.digest } });
              if (r.remaining.length) throw new Error(`apply did not converge: ${r.remaining.slice(0, 3).join('; ')}`);
              return { ms: now() - t0, ...r };
            };
            const a = await applyVs(t);
            collect(c, mkRow('apply', SESSION), a.ms, { processes: a.processes, steps: a.steps });
            if (want('reapply')) {
              // VS Code's Apply with nothing to do: one plan, empty -> "in sync"
              const t0 = now();
              const p = await h.plan({ topology: t });
              const ms = now() - t0;
              if (p.steps.length) throw new Error(`re-plan after apply is not empty: ${JSON.stringify(p.steps.slice(0, 3))}`);
              collect(c, mkRow('reapply', SESSION), ms, { steps: 0 });
            }
            if (want('observe')) {
              const t0 = now();
              const live = await h.observe();
              const ms = now() - t0;
              if (live.namespaces.length !== n) throw new Error(`observe saw ${live.namespaces.length} namespaces, not ${n}`);
              collect(c, mkRow('observe', SESSION), ms);
            }
            if (want('event') && rep === 0) {
              const [ns, iface] = topo === 'lan' ? ['n1', 'eth0'] : ['r1', 'right'];
              const ev = await eventLatency(h, ns!, iface!, 10);
              for (const x of ev.helper) collect(c, mkRow('event', `${SESSION} watch`), x);
              for (const x of ev.raw) collect(c, mkRow('event', 'ip -o monitor all-nsid (raw)'), x);
              // back to the file's state before the next steps: a link down made the kernel drop its routes
              spawnSync('ip', ['-n', ns!, 'link', 'set', iface!, 'up']);
              await applyVs(t);
              const p = await h.plan({ topology: t });
              if (p.steps.length) throw new Error(`not in sync after the event test: ${JSON.stringify(p.steps.slice(0, 3))}`);
            }
            if (want('change') && change) {
              const ch = await applyVs(change.topology);
              collect(c, mkRow('change', SESSION), ch.ms, { processes: ch.processes, steps: ch.steps });
            }
            const t0 = now();
            await h.destroy({ name: t.name });
            const gone = await waitGone();
            collect(c, mkRow('destroy', SESSION), now() - t0 + gone);
            void gone;
          });
        }
        // the full reachability matrix (lan only: Mininet's pingall is the baseline)
        if (want('matrix') && topo === 'lan') {
          await guard(mkRow('matrix', MATRIX_SUBJECT), async () => {
            const r = await h.apply({ topology: t });
            if (r.remaining.length) throw new Error(`apply did not converge: ${r.remaining.slice(0, 3).join('; ')}`);
            for (let rep = 0; rep < (o.reps ?? 3); rep++) collect(c, mkRow('matrix', MATRIX_SUBJECT), (await measureMatrix(h, t)).ms);
            await h.destroy({ name: t.name });
          });
          if (!mnProblem) await guard(mkRow('matrix', PINGALL_SUBJECT), async () => { collect(c, mkRow('matrix', PINGALL_SUBJECT), (await mininet(n, 'pingall')).pingMs!); });
          else unavailable.push({ section: 'matrix', topology: topo, n, subject: 'Mininet', reason: mnProblem });
        }
        if (topo === 'lan' && mnProblem && want('apply')) unavailable.push({ section: 'apply', topology: topo, n, subject: 'Mininet', reason: mnProblem });
      }
      if (topo === 'chain' && want('apply')) unavailable.push({ section: 'apply', topology: 'chain', n: null, subject: 'Mininet', reason: "Mininet's topologies are switched (single, linear, tree): it has no chain of routing namespaces" });
    }
  } finally {
    await h.close();
    await reset().catch(() => undefined);
    rmSync(dir, { recursive: true, force: true });
  }
  return { rows: toRows(c, want), unavailable };
}

/** medians, with each figure's baseline from the same run */
function toRows(c: Collected, want: (s: string) => boolean): Row[] {
  const rows: Row[] = [...c.samples.values()].map((e) => ({
    ...e.row, value: median(e.values), ...(e.values.length > 1 ? { samples: e.values.map((v) => Math.round(v * 10) / 10) } : {}),
    ...(e.processes.length ? { processes: median(e.processes) } : {}), ...(e.steps.length ? { steps: median(e.steps) } : {}),
  }));
  const get = (section: string, topo: string, n: number | null, subject: string) => rows.find((r) => r.section === section && r.topology === topo && r.n === n && r.subject === subject);
  const base: Record<string, string> = {
    apply: 'floor: ip -batch', reapply: 'floor: ip -j -b per namespace', observe: 'floor: ip -j -b per namespace',
    change: "article's way: ip netns exec per command", destroy: 'floor: one ip -batch', event: 'ip -o monitor all-nsid (raw)',
    matrix: PINGALL_SUBJECT,
  };
  for (const r of rows) {
    const b = base[r.section];
    if (!b || r.subject === b) continue;
    const bs = get(r.section === 'reapply' ? 'observe' : r.section, r.topology, r.n, b);
    if (bs) r.baseline = { subject: b, value: bs.value };
  }
  // the floor's read only stands as a baseline: list it under observe, drop the copy otherwise
  const order = ['apply', 'reapply', 'change', 'destroy', 'observe', 'event', 'matrix'];
  return rows.filter((r) => want(r.section)).sort((a, b) => order.indexOf(a.section) - order.indexOf(b.section) || a.topology.localeCompare(b.topology) * -1 || (a.n ?? 0) - (b.n ?? 0));
}
