/**
 * Many namespaces' commands in a few processes: `ip -b -` whose lines are `netns exec NS CMD`,
 * so iproute2 forks one small child per namespace and Node starts one process per chunk
 * (spawning from Node costs ~3 ms of its event loop each: at 200 namespaces that was most of
 * an observe). Observe reads this way, and execute changes this way; they differ only in what
 * a failing line means, which is a parameter:
 * - read (`ip -force -b -`): every line runs; the chunk's output goes to onOutput whatever
 *   failed (observe then reads the namespaces it cannot split out one by one);
 * - change (`ip -b -`): the first failing line stops its chunk; onFailure is told which line
 *   (and which line of a child's batch file) failed, and throws.
 */
import { pool } from './pool.js';
import type { RunResult, Runner } from './runner.js';

/** one line: a command (ip, tc or sysctl and its words) inside namespace ns */
export interface NetnsLine { ns: string; command: string }

/**
 * What a failed `ip -b` / `tc -b` said: the failing line of its input (0-based; 0 when it did
 * not say), the failing line of a child's batch file under /run/netns-lab/apply (`netns exec NS
 * ip -b FILE`), and the kernel's message without iproute2's "Command failed" lines.
 */
export interface BatchFailure { line: number; childLine: number | undefined; kernel: string }

export function batchFailure(r: RunResult): BatchFailure {
  const parent = /^Command failed -:(\d+)/m.exec(r.stderr);
  const child = /Command failed \/run\/netns-lab\/apply\/[^:]+:(\d+)/.exec(r.stderr);
  return {
    line: parent ? Number(parent[1]) - 1 : 0,
    childLine: child ? Number(child[1]) - 1 : undefined,
    kernel: r.stderr.split('\n').filter((l) => l && !l.startsWith('Command failed')).join('\n').trim() || `exit code ${r.code}`,
  };
}

export type FailurePolicy<C> = 'read' | { onFailure: (chunk: C, f: BatchFailure) => never };

/** items in chunks of at most size, in order */
export function chunksOf<T>(items: readonly T[], size: number): T[][] {
  return Array.from({ length: Math.ceil(items.length / size) }, (_, i) => items.slice(i * size, (i + 1) * size));
}

/** run each chunk's lines as one `ip -b -` (concurrency at a time); a chunk without lines runs nothing */
export async function netnsBatches<C>(runner: Runner, chunks: C[], concurrency: number, linesOf: (chunk: C) => NetnsLine[],
  policy: FailurePolicy<C>, onOutput: (chunk: C, r: RunResult) => void | Promise<void>): Promise<void> {
  const argv = ['ip', ...(policy === 'read' ? ['-force'] : []), '-b', '-'];
  await pool(chunks, concurrency, async (chunk) => {
    const lines = linesOf(chunk);
    const r = lines.length ? await runner.run(argv, lines.map((l) => `netns exec ${l.ns} ${l.command}\n`).join('')) : { code: 0, stdout: '', stderr: '' };
    if (r.code !== 0 && policy !== 'read') policy.onFailure(chunk, batchFailure(r));
    await onOutput(chunk, r);
  });
}
