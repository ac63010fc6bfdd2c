/**
 * Runs a plan: consecutive steps of one phase that run in the same place become one process
 * (`ip [-n NS] -b -`, `tc [-n NS] -b -`, one iptables-restore per table, one sysctl per namespace).
 * Groups of the Configure, Files and Shape phases run in parallel. The first failure stops the run and names the
 * step, its argv and the kernel's message; what ran stays consistent, so re-apply converges.
 */
import { parseIptablesSave, type LiveState } from '../core/observe.js';
import { STATE_CHAIN } from '../core/names.js';
import { USES_FORWARD_PREFIX, WAS_FORWARD_PREFIX, stateComments } from '../core/plan.js';
import { ETC_NETNS, ipLines, ipScope, renderCommands, restoreLines, summarize, sysctlArgv, tcScope, tcWords } from '../core/render.js';
import { Phase, executorKey, touchedScopes, type PlannedStep, type Step } from '../core/steps.js';
import { withLock } from './lock.js';
import { IP_READ, NS_ARRAYS, NS_BATCH, pool } from './observe.js';
import { splitBatchOutput } from '../core/observe.js';
import { APPLY_DIR, applyBatchFile, privateScratch, sweepScratch } from './scratch.js';

export { APPLY_DIR };
import type { RunResult, Runner } from './runner.js';

export interface ExecOptions {
  runner: Runner;
  onProgress?: (done: number, total: number, message: string) => void;
  /** test hook: fail at this step index as if the kernel refused it */
  faultAt?: number;
  /**
   * test hook (NETNS_LAB_KILL_AT): run the steps before this index, then call die() (the helper
   * SIGKILLs itself there: a deterministic "kill -9 in the middle of an apply"). Unset: no effect.
   */
  killAt?: number;
  die?: () => void;
  concurrency?: number;
  /** the live state the plan was made from (to wait for namespaces being dismantled; the peers of deleted links) */
  live?: LiveState;
  /**
   * read each namespace back at the end of its own batch (the reads of observe's NS_BATCH, in
   * the same process), where no later step changes that namespace: the verify after the apply
   * then needs no process of its own for it
   */
  /**
   * the create steps (phase Create) that succeeded are pushed here as they complete (also on a
   * failure: the ones before it), and onCreated runs once the Create phase is done: the
   * helper records there the evidence of what it created (journal.ts), before anything else
   */
  created?: Step[];
  onCreated?: () => Promise<void>;
  readBack?: {
    /** namespaces whose read-back includes their nsid map (`netns list-id`: veths to other namespaces) */
    nsidMaps: ReadonlySet<string>;
  };
}

export interface StepFailure {
  step: number;
  argv: string[];
  kernel: string;
  summary: string;
}

export interface ExecResult {
  ok: boolean;
  stepsRun: number;
  processes: number;
  failure?: StepFailure;
  /** readBack: the namespaces read at the end of their batch (observe's NS_BATCH arrays) */
  reads?: Map<string, unknown[]>;
}

interface Group { key: string; phase: Phase; items: { index: number; step: Step }[] }

export function groupPlan(plan: PlannedStep[]): Group[][] {
  const phases: Group[][] = [];
  plan.forEach((p, index) => {
    let ph = phases.find((g) => g[0]!.phase === p.phase);
    if (!ph) { ph = []; phases.push(ph); }
    const key = executorKey(p.step);
    let g = ph.find((x) => x.key === key);
    if (!g) { g = { key, phase: p.phase, items: [] }; ph.push(g); }
    g.items.push({ index, step: p.step });
  });
  return phases.sort((a, b) => a[0]!.phase - b[0]!.phase);
}

class Failed extends Error {
  constructor(readonly failure: StepFailure, readonly done: number) { super(failure.kernel); }
}

function argvOf(s: Step): string[] {
  return renderCommands(s)?.flatMap((c, i) => (i ? ['&&', ...c] : c)) ?? [s.op, ...('ns' in s && s.ns ? [s.ns] : [])];
}

export async function execute(plan: PlannedStep[], opts: ExecOptions): Promise<ExecResult> {
  const { runner } = opts;
  const start = runner.spawned;
  const total = plan.length;
  let done = 0;
  const progress = (n: number, msg: string) => { done += n; opts.onProgress?.(done, total, msg); };
  if (plan.length) await sweepScratch(runner);
  const reads = new Map<string, unknown[]>();
  const phases = groupPlan(plan);
  // a namespace can be read back at the end of its batch in the last phase that changes it
  const lastPhase = new Map<string, Phase>();
  if (opts.readBack) for (const p of plan) for (const sc of changedScopes(p.step, opts.live)) if (sc !== null) lastPhase.set(sc, Math.max(lastPhase.get(sc) ?? p.phase, p.phase));
  // `netns del` returns before the kernel dismantles the namespace: the other ends of its veths
  // in other namespaces go some time later, so those namespaces are not read back (verify reads them)
  const dismantling = new Set<string>();
  for (const { step: s } of plan) {
    if (s.op !== 'netns-del') continue;
    for (const l of opts.live?.namespaces.find((n) => n.name === s.name)?.links ?? []) if (l.peer?.ns) dismantling.add(l.peer.ns);
  }
  try {
    for (const phase of phases) {
      const parallel = phase[0]!.phase === Phase.Configure || phase[0]!.phase === Phase.Files || phase[0]!.phase === Phase.Shape;
      // many namespaces' ip batches: a few processes that fork one `ip -b` per namespace
      const nsGroups = parallel ? phase.filter((g) => g.key.startsWith('ip:') && g.key !== 'ip:') : [];
      const chunkIp = nsGroups.length >= CHUNK_MIN_GROUPS;
      // many namespaces' sysctls (a chain of routers): lines `netns exec NS sysctl -q -w K=V`
      const sysGroups = parallel ? phase.filter((g) => g.key.startsWith('sysctl:') && g.key !== 'sysctl:' && g.items.every((i) => !(i.step as Extract<Step, { op: 'sysctl' }>).value.includes(' '))) : [];
      const chunkSys = sysGroups.length >= CHUNK_MIN_GROUPS && opts.faultAt === undefined && opts.killAt === undefined;
      const runEach = (gs: Group[]) => pool(gs, parallel ? opts.concurrency ?? 2 : 1, async (g) => {
        const ran = await runGroup(g, opts);
        progress(ran, describe(g));
      });
      // The groups of one phase are independent: the others (the host's) run beside the chunked
      // namespaces. A namespace's sysctls run before its ip batch, which reads it back at its end
      // (a veth end whose host side was not up yet then: settle asks its peer, see linksNotRunning).
      const hooked = opts.faultAt !== undefined || opts.killAt !== undefined;
      const others = phase.filter((g) => !(chunkIp && nsGroups.includes(g)) && !(chunkSys && sysGroups.includes(g)));
      const chunks = async () => {
        if (chunkSys) await runSysctlChunks(sysGroups, opts, (n, msg) => progress(n, msg));
        if (chunkIp) {
          const readBack = new Set(opts.readBack ? nsGroups.map((g) => ipScope(g.items[0]!.step)!).filter((ns) => lastPhase.get(ns) === phase[0]!.phase && !dismantling.has(ns)) : []);
          const chunked = await runChunked(nsGroups, opts, (n, msg) => progress(n, msg), readBack, opts.readBack?.nsidMaps, reads);
          if (!chunked.length) await runEach(nsGroups);
        }
      };
      // with a test hook set, one after the other: nothing after the hook's step may run
      if (hooked) { await runEach(others); await chunks(); } else await settleAll([runEach(others), chunks()]);
      if (phase[0]!.phase === Phase.Teardown) await waitForDismantle(phase, opts);
      if (phase[0]!.phase === Phase.Create) await opts.onCreated?.();
    }
    return { ok: true, stepsRun: done, processes: runner.spawned - start, ...(opts.readBack ? { reads } : {}) };
  } catch (e) {
    if (e instanceof Failed) return { ok: false, stepsRun: done + e.done, processes: runner.spawned - start, failure: e.failure };
    throw e;
  }
}

/** wait for all (nothing may still be changing the system when a failure is reported), then throw the first failure */
async function settleAll(ps: Promise<unknown>[]): Promise<void> {
  const rs = await Promise.allSettled(ps);
  const bad = rs.find((r): r is PromiseRejectedResult => r.status === 'rejected');
  if (bad) throw bad.reason;
}

/**
 * What a failed `ip -b` / `tc -b` said: the failing line of its input (0-based; 0 when it did
 * not say), the failing line of a child's batch file under APPLY_DIR (`netns exec NS ip -b
 * FILE`), and the kernel's message without iproute2's "Command failed" lines.
 */
function batchFailure(r: RunResult): { line: number; childLine: number | undefined; kernel: string } {
  const parent = /^Command failed -:(\d+)/m.exec(r.stderr);
  const child = /Command failed \/run\/netns-lab\/apply\/[^:]+:(\d+)/.exec(r.stderr);
  return {
    line: parent ? Number(parent[1]) - 1 : 0,
    childLine: child ? Number(child[1]) - 1 : undefined,
    kernel: r.stderr.split('\n').filter((l) => l && !l.startsWith('Command failed')).join('\n').trim() || `exit code ${r.code}`,
  };
}

/**
 * The namespaces whose read a step changes (null = the host). Unlike touchedScopes, setting
 * one end of a veth (up, master, alias, MTU) or its addresses does not change what a read of the
 * other end's namespace shows, except its operational state, which settle() reads again; deleting
 * it does (the peer goes too). A resolv.conf is read on its own, so DNS files change no read.
 */
export function changedScopes(s: Step, live: LiveState | undefined): (string | null)[] {
  switch (s.op) {
    case 'dns-write':
    case 'dns-remove':
      return [];
    case 'link-del': {
      const n = s.ns === null ? live?.host : live?.namespaces.find((x) => x.name === s.ns);
      const peer = n?.links.find((l) => l.name === s.name)?.peer;
      return peer ? [s.ns, peer.ns] : [s.ns];
    }
    default:
      return touchedScopes(s, () => undefined);
  }
}

/** namespaces' groups from which batches are chunked; namespaces per chunk */
const CHUNK_MIN_GROUPS = 8;
const CHUNK_SIZE = 25;

/**
 * Run the ip groups of many namespaces as a few `ip -b -` processes whose lines are
 * `netns exec NS ip -b APPLY_DIR/NS.batch`: Node starts one process per CHUNK_SIZE namespaces
 * instead of one per namespace (each start costs Node ~3 ms of its event loop). The parent
 * stops at the first failing line; its `Command failed -:L` names the namespace and the
 * child's `Command failed FILE:K` the step. Returns the groups it ran; [] when the batch
 * files cannot be written (the caller then runs every group on its own).
 */
async function runChunked(groups: Group[], opts: ExecOptions, progress: (n: number, msg: string) => void,
  readBack: ReadonlySet<string> = new Set(), nsidMaps: ReadonlySet<string> = new Set(), reads?: Map<string, unknown[]>): Promise<Group[]> {
  const { runner } = opts;
  /** back: read back at the end, printing `arrays` JSON arrays */
  const lines = new Map<Group, { text: string; owner: number[]; items: Group['items']; back: boolean; arrays: number }>();
  const killed = new Set<Group>();
  for (const g of groups) {
    const fault = opts.faultAt !== undefined ? g.items.findIndex((i) => i.index === opts.faultAt) : -1;
    const kill = opts.killAt !== undefined ? g.items.findIndex((i) => i.index === opts.killAt) : -1;
    const cut = Math.min(...[fault, kill].filter((x) => x >= 0), g.items.length);
    if (kill >= 0 && kill === cut) killed.add(g);
    const items = g.items.slice(0, cut);
    const owner: number[] = [];
    const text = items.flatMap((it, k) => ipLines(it.step)!.map((w) => { owner.push(k); return w.join(' '); })).join('\n') + '\n';
    // read back at the end: only where every step of the group will run (no hook cuts it)
    const ns = ipScope(g.items[0]!.step)!;
    const back = readBack.has(ns) && items.length === g.items.length;
    const map = back && nsidMaps.has(ns);
    lines.set(g, { text: back ? text + NS_BATCH + (map ? 'netns list-id\n' : '') : text, owner, items, back, arrays: back ? NS_ARRAYS + (map ? 1 : 0) : 0 });
  }
  const files = groups.map((g) => applyBatchFile(ipScope(g.items[0]!.step)!));
  const removeFiles = () => pool(files, 4, (f) => runner.unlink(f)).catch(() => undefined);
  try {
    if (!(await privateScratch(runner, APPLY_DIR))) return [];
    await pool(groups, 4, (g) => runner.writeFile(applyBatchFile(ipScope(g.items[0]!.step)!), lines.get(g)!.text, 0o600));
  } catch {
    await removeFiles();
    return [];
  }
  // a group with an injected fault (or kill) ends its chunk: what follows it never runs
  const chunks: Group[][] = [];
  for (const g of groups) {
    const last = chunks[chunks.length - 1];
    if (!last || last.length >= CHUNK_SIZE || last.some((x) => lines.get(x)!.items.length < x.items.length)) chunks.push([g]);
    else last.push(g);
  }
  try {
    // with a test hook set, one chunk at a time: nothing after the hook's step may run
    const hooked = opts.faultAt !== undefined || opts.killAt !== undefined;
    await pool(chunks, hooked ? 1 : opts.concurrency ?? 2, async (chunk) => {
      const withSteps = chunk.filter((g) => lines.get(g)!.items.length);
      const nsOf = (g: Group) => ipScope(g.items[0]!.step)!;
      // a child that reads back prints JSON (-j) for its reads only; the changes print nothing
      const r = withSteps.length
        ? await runner.run(['ip', '-b', '-'], withSteps.map((g) => `netns exec ${nsOf(g)} ip ${lines.get(g)!.back ? `${IP_READ.join(' ')} ` : ''}-b ${applyBatchFile(nsOf(g))}\n`).join(''))
        : { code: 0, stdout: '', stderr: '' };
      if (r.code !== 0) {
        const { line, childLine, kernel } = batchFailure(r);
        const gi = Math.min(line, withSteps.length - 1);
        const g = withSteps[gi]!;
        const { owner, items } = lines.get(g)!;
        const k = owner[Math.min(childLine ?? 0, owner.length - 1)] ?? 0;
        const it = items[k]!;
        const before = withSteps.slice(0, gi).reduce((n, x) => n + lines.get(x)!.items.length, 0);
        throw new Failed({ step: it.index, argv: argvOf(it.step), kernel, summary: it.step.op }, before + k);
      }
      const backs = withSteps.filter((g) => lines.get(g)!.back);
      // output that does not split into each namespace's arrays is not used (verify reads those again)
      if (reads && backs.length) for (const [ns, v] of splitBatchOutput(backs.map(nsOf), backs.map((g) => lines.get(g)!.arrays), r.stdout, r.stderr) ?? []) reads.set(ns, v);
      const faulted = chunk.find((g) => lines.get(g)!.items.length < g.items.length);
      const ran = chunk.reduce((n, g) => n + lines.get(g)!.items.length, 0);
      if (faulted && killed.has(faulted)) (opts.die ?? (() => process.kill(process.pid, 'SIGKILL')))();
      if (faulted) {
        const it = faulted.items[lines.get(faulted)!.items.length]!;
        throw new Failed({ step: it.index, argv: argvOf(it.step), kernel: 'injected fault (NETNS_LAB_FAULT_AT)', summary: it.step.op }, ran);
      }
      progress(ran, `${chunk.length} namespaces: ${ran} steps`);
    });
  } finally {
    await removeFiles();
  }
  return groups;
}

/**
 * The sysctls of many namespaces as a few `ip -b -` processes whose lines are
 * `netns exec NS sysctl -q -w K=V...` (values without spaces: a batch line splits on them).
 * The parent stops at the first failing line; its `Command failed -:L` names the namespace.
 */
async function runSysctlChunks(groups: Group[], opts: ExecOptions, progress: (n: number, msg: string) => void): Promise<Group[]> {
  const chunks = Array.from({ length: Math.ceil(groups.length / CHUNK_SIZE) }, (_, i) => groups.slice(i * CHUNK_SIZE, (i + 1) * CHUNK_SIZE));
  const pairsOf = (g: Group) => g.items.map((i) => i.step as Extract<Step, { op: 'sysctl' }>);
  const nsOf = (g: Group) => pairsOf(g)[0]!.ns!;
  await pool(chunks, opts.concurrency ?? 2, async (chunk) => {
    const r = await opts.runner.run(['ip', '-b', '-'], chunk.map((g) => `netns exec ${nsOf(g)} ${['sysctl', '-q', '-w', ...pairsOf(g).map((p) => `${p.key}=${p.value}`)].join(' ')}\n`).join(''));
    if (r.code !== 0) {
      const { line, kernel } = batchFailure(r);
      const gi = Math.min(line, chunk.length - 1);
      const g = chunk[gi]!;
      const before = chunk.slice(0, gi).reduce((n, x) => n + x.items.length, 0);
      throw new Failed({ step: g.items[0]!.index, argv: sysctlArgv(nsOf(g), pairsOf(g)), kernel, summary: 'sysctl' }, before);
    }
    progress(chunk.reduce((n, g) => n + g.items.length, 0), `${chunk.length} namespaces: sysctls`);
  });
  return groups;
}

function describe(g: Group): string {
  const first = g.items[0]!.step;
  const where = g.key.startsWith('ip:') ? (g.key === 'ip:' ? 'host' : g.key.slice(3)) : g.key;
  return g.items.length === 1 ? `${where}: ${first.op}` : `${where}: ${g.items.length} steps`;
}

async function runGroup(g: Group, opts: ExecOptions): Promise<number> {
  const { runner } = opts;
  const fault = opts.faultAt !== undefined ? g.items.findIndex((i) => i.index === opts.faultAt) : -1;
  const kill = opts.killAt !== undefined ? g.items.findIndex((i) => i.index === opts.killAt) : -1;
  const cut = Math.min(...[fault, kill].filter((x) => x >= 0), g.items.length);
  const items = g.items.slice(0, cut);
  const injected = () => {
    const it = g.items[fault]!;
    return new Failed({ step: it.index, argv: argvOf(it.step), kernel: 'injected fault (NETNS_LAB_FAULT_AT)', summary: it.step.op }, items.length);
  };
  const kind = g.key.split(':')[0];
  if (kind === 'ip' || kind === 'tc') {
    if (items.length) {
      // one `ip -b -` / `tc -b -` per scope; a step may be several batch lines: remember whose each is
      const tool = kind;
      const scope = tool === 'ip' ? ipScope(items[0]!.step) : tcScope(items[0]!.step);
      const argv = scope === null ? [tool, '-b', '-'] : [tool, '-n', scope, '-b', '-'];
      const owner: number[] = [];
      const linesOf = (s: Step) => (tool === 'ip' ? ipLines(s)! : [tcWords(s)!]);
      const input = items.flatMap((it, k) => linesOf(it.step).map((w) => { owner.push(k); return w.join(' '); })).join('\n') + '\n';
      const r = await runner.run(argv, input);
      if (r.code !== 0) {
        const f = batchFailure(r);
        const k = owner[Math.min(f.line, owner.length - 1)]!;
        const it = items[k]!;
        if (g.phase === Phase.Create) opts.created?.push(...items.slice(0, k).map((i) => i.step));
        let kernel = f.kernel;
        if (tool === 'tc') kernel += qdiscHint(it.step, kernel);
        throw new Failed({ step: it.index, argv: argvOf(it.step), kernel, summary: tool === 'tc' ? summarize(it.step) : it.step.op }, k);
      }
    }
    if (g.phase === Phase.Create) opts.created?.push(...items.map((i) => i.step));
  } else if (kind === 'sysctl') {
    if (items.length) {
      const ns = (items[0]!.step as Extract<Step, { op: 'sysctl' }>).ns;
      const pairs = items.map((i) => i.step as Extract<Step, { op: 'sysctl' }>);
      const r = await runner.run(sysctlArgv(ns, pairs));
      if (r.code !== 0) {
        const it = items[0]!;
        throw new Failed({ step: it.index, argv: sysctlArgv(ns, pairs), kernel: r.stderr.trim(), summary: 'sysctl' }, 0);
      }
    }
  } else if (kind === 'file') {
    let n = 0;
    for (const it of items) {
      try {
        await fileStep(it.step, runner);
      } catch (e) {
        throw new Failed({ step: it.index, argv: argvOf(it.step), kernel: (e as Error).message, summary: it.step.op }, n);
      }
      n++;
    }
  } else if (kind === 'fw') {
    if (items.length) {
      const table = g.key.slice(3) as 'filter' | 'nat';
      const lines = restoreLines(table, items.map((i) => i.step));
      const r = await runner.run(['iptables-restore', '--noflush'], lines.join('\n') + '\n');
      if (r.code !== 0) {
        const it = items[0]!;
        throw new Failed({ step: it.index, argv: ['iptables-restore', '--noflush', `(${table}: ${items.length} change(s))`], kernel: r.stderr.trim(), summary: 'iptables' }, 0);
      }
    }
  } else if (kind === 'ip-forward') {
    for (const it of items) {
      try {
        await ipForward(it.step as Extract<Step, { op: 'ip-forward' }>, runner);
      } catch (e) {
        throw new Failed({ step: it.index, argv: argvOf(it.step), kernel: (e as Error).message, summary: 'ip-forward' }, 0);
      }
    }
  }
  if (kill >= 0 && kill === cut) (opts.die ?? (() => process.kill(process.pid, 'SIGKILL')))();
  if (fault >= 0) throw injected();
  return items.length;
}

/** what to do when the kernel refuses a qdisc (most often: its module is not there) */
export function qdiscHint(s: Step, kernel: string): string {
  if (s.op !== 'qdisc-set' || !/qdisc kind is unknown|Unknown qdisc|No such file or directory/i.test(kernel)) return '';
  const where = `interface '${s.dev}' in ${s.ns === null ? 'the host' : `namespace '${s.ns}'`}`;
  const kindOf = renderCommands(s)![0]!.includes('netem') ? 'netem' : 'tbf';
  return kindOf === 'netem'
    ? ` (hint: the impairment of ${where} needs the netem qdisc, and this kernel has no sch_netem: load it with 'modprobe sch_netem' (package linux-modules-extra on some distributions) or use a kernel built with CONFIG_NET_SCH_NETEM; a rate alone uses tbf and works without it)`
    : ` (hint: the rate limit of ${where} needs the tbf qdisc: load it with 'modprobe sch_tbf' or use a kernel built with CONFIG_NET_SCH_TBF)`;
}

/** /etc/netns/NAME/resolv.conf, written atomically; never through a symlink */
async function fileStep(s: Step, sys: Runner): Promise<void> {
  if (s.op !== 'dns-write' && s.op !== 'dns-remove') return;
  const dir = `${ETC_NETNS}/${s.ns}`;
  const file = `${dir}/resolv.conf`;
  const noLink = async (p: string) => {
    const k = await sys.kind(p);
    if (k === 'symlink') throw new Error(`${p} is a symbolic link; refusing to follow it`);
    return k;
  };
  await noLink(ETC_NETNS);
  if (s.op === 'dns-write') {
    await sys.mkdir(dir, 0o755);
    await noLink(dir);
    await noLink(file);
    await sys.writeFile(file, s.content, 0o644);
  } else {
    if ((await noLink(dir)) !== 'dir') return;
    if ((await noLink(file)) !== 'missing') await sys.unlink(file);
    await sys.rmdirIfEmpty(dir);
  }
}

/** net.ipv4.ip_forward in the host: the first user records the old value, the last restores it */
async function ipForward(s: Extract<Step, { op: 'ip-forward' }>, runner: Runner): Promise<void> {
  const PROC = '/proc/sys/net/ipv4/ip_forward';
  await withLock(runner, 'ip-forward', 30_000, () => {}, async () => {
    const save = await runner.run(['iptables-save', '-t', 'filter']);
    if (save.code !== 0) throw new Error(save.stderr.trim());
    const chain = parseIptablesSave(save.stdout).filter[STATE_CHAIN];
    const cur = ((await runner.readFile(PROC)) ?? '').trim();
    const st = stateComments(chain?.rules ?? []);
    const users = new Set(st.users);
    const was = st.was ?? cur;
    if (s.enable) users.add(s.topology); else users.delete(s.topology);
    const rules = (u: string[]) => [`:${STATE_CHAIN} - [0:0]`,
      `-A ${STATE_CHAIN} -m comment --comment ${WAS_FORWARD_PREFIX}${was === '1' ? '1' : '0'} -j RETURN`,
      ...u.sort().map((x) => `-A ${STATE_CHAIN} -m comment --comment ${USES_FORWARD_PREFIX}${x} -j RETURN`)];
    const lines = users.size ? rules([...users]) : chain ? [`-F ${STATE_CHAIN}`, `-X ${STATE_CHAIN}`] : [];
    if (lines.length) {
      const r = await runner.run(['iptables-restore', '--noflush'], ['*filter', ...lines, 'COMMIT', ''].join('\n'));
      if (r.code !== 0) throw new Error(r.stderr.trim());
    }
    if (s.enable && cur !== '1') await runner.writeExisting(PROC, '1\n');
    if (!users.size && chain && cur !== was) await runner.writeExisting(PROC, `${was === '1' ? '1' : '0'}\n`);
  });
}

/** `netns del` returns before the kernel dismantles the namespace: wait for its veth peers to go */
async function waitForDismantle(phase: Group[], opts: ExecOptions): Promise<void> {
  const deleted = new Set(phase.flatMap((g) => g.items).filter((i) => i.step.op === 'netns-del').map((i) => (i.step as { name: string }).name));
  if (!deleted.size || !opts.live) return;
  const peers = new Set(opts.live.host.links.filter((l) => l.peer?.ns && deleted.has(l.peer.ns)).map((l) => l.name));
  if (!peers.size) return;
  const deadline = Date.now() + 10_000;
  while (Date.now() < deadline) {
    const r = await opts.runner.run(['ip', '-j', 'link', 'show']);
    const names = new Set((JSON.parse(r.stdout || '[]') as { ifname: string }[]).map((l) => l.ifname));
    if (![...peers].some((p) => names.has(p))) return;
    await new Promise((res) => setTimeout(res, 25));
  }
}
