/**
 * One group of steps in one process: an `ip -b -` / `tc -b -` batch in its scope, one sysctl,
 * one iptables-restore per table; resolv.conf files and ip_forward through the runner's files.
 */
import { parseIptablesSave } from '../core/observe/observe.js';
import { STATE_CHAIN } from '../core/model/names.js';
import { USES_FORWARD_PREFIX, WAS_FORWARD_PREFIX, stateComments } from '../core/plan/plan.js';
import { ETC_NETNS, ipLines, ipScope, renderCommands, restoreLines, summarize, sysctlArgv, tcScope, tcWords } from '../core/plan/render.js';
import { Phase, type Step } from '../core/plan/steps.js';
import { Failed, argvOf, injectedFault, type Group, type RunContext } from './exec-base.js';
import { withLock } from './lock.js';
import { batchFailure } from './netns-batch.js';
import type { Runner } from './runner.js';
import { runWorkloadStep } from './workload-steps.js';

type Items = Group['items'];

export function describe(g: Group): string {
  const first = g.items[0]!.step;
  const where = g.key.startsWith('ip:') ? (g.key === 'ip:' ? 'host' : g.key.slice(3)) : g.key;
  return g.items.length === 1 ? `${where}: ${first.op}` : `${where}: ${g.items.length} steps`;
}

/** one `ip -b -` / `tc -b -` per scope; a step may be several batch lines: remember whose each is */
async function runBatch(tool: 'ip' | 'tc', items: Items, runner: Runner, created?: Step[]): Promise<void> {
  const scope = tool === 'ip' ? ipScope(items[0]!.step) : tcScope(items[0]!.step);
  const argv = scope === null ? [tool, '-b', '-'] : [tool, '-n', scope, '-b', '-'];
  const owner: number[] = [];
  const linesOf = (s: Step) => (tool === 'ip' ? ipLines(s)! : [tcWords(s)!]);
  const input = items.flatMap((it, k) => linesOf(it.step).map((w) => { owner.push(k); return w.join(' '); })).join('\n') + '\n';
  const r = await runner.run(argv, input);
  if (r.code === 0) { created?.push(...items.map((i) => i.step)); return; }
  const f = batchFailure(r);
  const k = owner[Math.min(f.line, owner.length - 1)]!;
  const it = items[k]!;
  created?.push(...items.slice(0, k).map((i) => i.step));
  let kernel = f.kernel;
  if (tool === 'tc') kernel += qdiscHint(it.step, kernel);
  throw new Failed({ step: it.index, argv: argvOf(it.step), kernel, summary: tool === 'tc' ? summarize(it.step) : it.step.op }, k);
}

async function runSysctl(items: Items, runner: Runner): Promise<void> {
  const ns = (items[0]!.step as Extract<Step, { op: 'sysctl' }>).ns;
  const pairs = items.map((i) => i.step as Extract<Step, { op: 'sysctl' }>);
  const r = await runner.run(sysctlArgv(ns, pairs));
  if (r.code !== 0) throw new Failed({ step: items[0]!.index, argv: sysctlArgv(ns, pairs), kernel: r.stderr.trim(), summary: 'sysctl' }, 0);
}

async function runFirewall(table: 'filter' | 'nat', items: Items, runner: Runner): Promise<void> {
  const lines = restoreLines(table, items.map((i) => i.step));
  const r = await runner.run(['iptables-restore', '--noflush'], lines.join('\n') + '\n');
  if (r.code !== 0) {
    throw new Failed({ step: items[0]!.index, argv: ['iptables-restore', '--noflush', `(${table}: ${items.length} change(s))`], kernel: r.stderr.trim(), summary: 'iptables' }, 0);
  }
}

/** steps that are not processes (files, ip_forward), one after the other; counted: a failure says how many ran before it */
async function runEachStep(items: Items, run: (s: Step) => Promise<void>, counted: boolean): Promise<void> {
  let n = 0;
  for (const it of items) {
    try {
      await run(it.step);
    } catch (e) {
      throw new Failed({ step: it.index, argv: argvOf(it.step), kernel: (e as Error).message, summary: it.step.op }, counted ? n : 0);
    }
    n++;
  }
}

async function runItems(g: Group, items: Items, runner: Runner, created?: Step[]): Promise<void> {
  const kind = g.key.split(':')[0];
  if (kind === 'file') return runEachStep(items, (s) => fileStep(s, runner), true);
  if (kind === 'ip-forward') return runEachStep(items, (s) => ipForward(s as Extract<Step, { op: 'ip-forward' }>, runner), false);
  if (kind === 'workload') return runEachStep(items, (s) => runWorkloadStep(runner, s), true);
  if (!items.length) return;
  if (kind === 'ip' || kind === 'tc') return runBatch(kind, items, runner, g.phase === Phase.Create ? created : undefined);
  if (kind === 'sysctl') return runSysctl(items, runner);
  if (kind === 'fw') return runFirewall(g.key.slice(3) as 'filter' | 'nat', items, runner);
}

/** run the steps of g the gate lets through; the number that ran */
export async function runGroup(g: Group, ctx: RunContext): Promise<number> {
  const items = g.items.slice(0, ctx.gate.cut(g.items));
  await runItems(g, items, ctx.opts.runner, ctx.opts.created);
  const stop = ctx.gate.after(g.items);
  if (stop) throw injectedFault(stop, items.length);
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

