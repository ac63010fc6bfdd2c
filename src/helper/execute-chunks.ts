/**
 * Many namespaces' groups of one phase in a few processes (src/helper/netns-batch.ts): their ip
 * batches as lines `netns exec NS ip -b APPLY_DIR/NS.batch`, their sysctls as lines
 * `netns exec NS sysctl -q -w K=V...`. The parent `ip -b -` stops at the first failing line;
 * its `Command failed -:L` names the namespace and a child's `Command failed FILE:K` the step.
 */
import { splitBatchOutput } from '../core/observe/observe.js';
import { ipLines, ipScope, sysctlArgv } from '../core/plan/render.js';
import type { Step } from '../core/plan/steps.js';
import { Failed, argvOf, injectedFault, type Group, type RunContext } from './exec-base.js';
import { chunksOf, netnsBatches } from './netns-batch.js';
import { IP_READ, NS_ARRAYS, NS_BATCH } from './observe.js';
import { pool } from './pool.js';
import { APPLY_DIR, applyBatchFile, privateScratch } from './scratch.js';

/** namespaces per chunk */
const CHUNK_SIZE = 25;

/** a group's batch file: its lines (owner: the item of each line), and whether it reads its namespace back at the end */
interface BatchFile { text: string; owner: number[]; items: Group['items']; back: boolean; arrays: number }

const nsOf = (g: Group) => ipScope(g.items[0]!.step)!;

function batchFile(g: Group, ctx: RunContext, readBack: ReadonlySet<string>, nsidMaps: ReadonlySet<string>): BatchFile {
  const items = g.items.slice(0, ctx.gate.cut(g.items));
  const owner: number[] = [];
  const text = items.flatMap((it, k) => ipLines(it.step)!.map((w) => { owner.push(k); return w.join(' '); })).join('\n') + '\n';
  // read back at the end: only where every step of the group will run (no hook cuts it)
  const back = readBack.has(nsOf(g)) && items.length === g.items.length;
  const map = back && nsidMaps.has(nsOf(g));
  return { text: back ? text + NS_BATCH + (map ? 'netns list-id\n' : '') : text, owner, items, back, arrays: back ? NS_ARRAYS + (map ? 1 : 0) : 0 };
}

/** chunks of CHUNK_SIZE groups; a group a hook cuts ends its chunk: what follows it never runs */
function chunkGroups(groups: Group[], files: Map<Group, BatchFile>): Group[][] {
  const chunks: Group[][] = [];
  for (const g of groups) {
    const last = chunks[chunks.length - 1];
    if (!last || last.length >= CHUNK_SIZE || last.some((x) => files.get(x)!.items.length < x.items.length)) chunks.push([g]);
    else last.push(g);
  }
  return chunks;
}

/**
 * Run the ip groups of many namespaces as a few `ip -b -` processes whose lines are
 * `netns exec NS ip -b APPLY_DIR/NS.batch`: Node starts one process per CHUNK_SIZE namespaces
 * instead of one per namespace (each start costs Node ~3 ms of its event loop). Returns the
 * groups it ran; [] when the batch files cannot be written (the caller then runs every group
 * on its own).
 */
export async function runChunked(groups: Group[], ctx: RunContext,
  readBack: ReadonlySet<string> = new Set(), nsidMaps: ReadonlySet<string> = new Set(), reads?: Map<string, unknown[]>): Promise<Group[]> {
  const { runner } = ctx.opts;
  const files = new Map(groups.map((g) => [g, batchFile(g, ctx, readBack, nsidMaps)] as const));
  const paths = groups.map((g) => applyBatchFile(nsOf(g)));
  const removeFiles = () => pool(paths, 4, (f) => runner.unlink(f)).catch(() => undefined);
  try {
    if (!(await privateScratch(runner, APPLY_DIR))) return [];
    await pool(groups, 4, (g) => runner.writeFile(applyBatchFile(nsOf(g)), files.get(g)!.text, 0o600));
  } catch {
    await removeFiles();
    return [];
  }
  const withSteps = (chunk: Group[]) => chunk.filter((g) => files.get(g)!.items.length);
  const failed = (chunk: Group[], { line, childLine, kernel }: { line: number; childLine: number | undefined; kernel: string }): never => {
    const lined = withSteps(chunk);
    const gi = Math.min(line, lined.length - 1);
    const { owner, items } = files.get(lined[gi]!)!;
    const k = owner[Math.min(childLine ?? 0, owner.length - 1)] ?? 0;
    const it = items[k]!;
    const before = lined.slice(0, gi).reduce((n, x) => n + files.get(x)!.items.length, 0);
    throw new Failed({ step: it.index, argv: argvOf(it.step), kernel, summary: it.step.op }, before + k);
  };
  try {
    // with a test hook set, one chunk at a time: nothing after the hook's step may run
    await netnsBatches(runner, chunkGroups(groups, files), ctx.gate.hooked ? 1 : ctx.opts.concurrency ?? 2,
      // a child that reads back prints JSON (-j) for its reads only; the changes print nothing
      (chunk) => withSteps(chunk).map((g) => ({ ns: nsOf(g), command: `ip ${files.get(g)!.back ? `${IP_READ.join(' ')} ` : ''}-b ${applyBatchFile(nsOf(g))}` })),
      { onFailure: failed },
      (chunk, r) => {
        const backs = withSteps(chunk).filter((g) => files.get(g)!.back);
        // output that does not split into each namespace's arrays is not used (verify reads those again)
        if (reads && backs.length) for (const [ns, v] of splitBatchOutput(backs.map(nsOf), backs.map((g) => files.get(g)!.arrays), r.stdout, r.stderr) ?? []) reads.set(ns, v);
        const ran = chunk.reduce((n, g) => n + files.get(g)!.items.length, 0);
        for (const g of chunk) { const stop = ctx.gate.after(g.items); if (stop) throw injectedFault(stop, ran); }
        ctx.progress(ran, `${chunk.length} namespaces: ${ran} steps`);
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
export async function runSysctlChunks(groups: Group[], ctx: RunContext): Promise<Group[]> {
  const pairsOf = (g: Group) => g.items.map((i) => i.step as Extract<Step, { op: 'sysctl' }>);
  const nsOfSys = (g: Group) => pairsOf(g)[0]!.ns!;
  await netnsBatches(ctx.opts.runner, chunksOf(groups, CHUNK_SIZE), ctx.opts.concurrency ?? 2,
    (chunk) => chunk.map((g) => ({ ns: nsOfSys(g), command: ['sysctl', '-q', '-w', ...pairsOf(g).map((p) => `${p.key}=${p.value}`)].join(' ') })),
    {
      onFailure: (chunk, { line, kernel }) => {
        const gi = Math.min(line, chunk.length - 1);
        const g = chunk[gi]!;
        const before = chunk.slice(0, gi).reduce((n, x) => n + x.items.length, 0);
        throw new Failed({ step: g.items[0]!.index, argv: sysctlArgv(nsOfSys(g), pairsOf(g)), kernel, summary: 'sysctl' }, before);
      },
    },
    (chunk) => ctx.progress(chunk.reduce((n, g) => n + g.items.length, 0), `${chunk.length} namespaces: sysctls`));
  return groups;
}
