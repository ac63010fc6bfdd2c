/**
 * `netns-lab import --adopt`: the helper's preview of what it would take is printed; the
 * adoption runs only after the person says yes (a terminal on stdin) or with --yes, and carries
 * the preview's digest, so it takes exactly the objects shown.
 */
import { createInterface } from 'node:readline/promises';
import type { HelperClient } from './engine/helper-client.js';
import type { Topology } from './core/model/model.js';
import { previewText } from './core/import/adopt.js';

async function ask(question: string): Promise<boolean> {
  const rl = createInterface({ input: process.stdin, output: process.stderr });
  try { return /^y(es)?$/i.test((await rl.question(question)).trim()); } finally { rl.close(); }
}

/** 'adopted' with the count, or the reason nothing was adopted */
export async function adoptWithConfirmation(h: HelperClient, topology: Topology, yes: boolean): Promise<{ adopted: number } | { refused: string }> {
  const p = await h.adopt({ topology, preview: true });
  process.stderr.write(previewText(topology.name, p));
  if (p.clashes?.length) return { refused: `adopt: ${p.clashes.join('; ')}; nothing was adopted` };
  if (!p.lines.length) return { adopted: 0 };
  if (!yes) {
    if (!process.stdin.isTTY) return { refused: 'adopt: not confirmed (stdin is not a terminal); review the list above and run again with --yes to adopt exactly these objects' };
    if (!(await ask(`Adopt these ${p.lines.length} object(s)? [y/N] `))) return { refused: 'adopt: not confirmed; nothing was adopted' };
  }
  const r = await h.adopt({ topology, expect: { digest: p.digest } });
  return { adopted: r.adopted.length };
}
