/**
 * One failure reporter for the E2E scripts (workbench, live, connectivity, quickstart): the
 * hard time limit of a run, and the report of a failed run. The report is always the same
 * sequence: the error, a screenshot (test-results/TAG-failure.png), what the page showed, then
 * the dumps the script asks for (the canvas as drawn, tree views, namespaces, log tails, what
 * else it knows), each line tagged with the script's tag.
 */
import { join } from 'node:path';
import type { Frame, Page } from 'playwright-core';
import { RESULTS, describePage } from '../vscode/harness.js';
import { canvasFrame, drawn, findFiles, refs, tail } from './ui.js';

/** a hard limit for a whole run: clean up and fail (exit 1) rather than hang CI */
export function watchdog(tag: string, ms: number, cleanup: () => Promise<unknown>): ReturnType<typeof setTimeout> {
  return setTimeout(() => {
    console.error(`[${tag}] FAILED: the run took more than ${ms / 60_000} minutes`);
    void cleanup().finally(() => process.exit(1));
  }, ms);
}

/** what a script knows that helps read its failure */
export interface FailureDumps {
  /** the canvas's frame when the run had found it; 'find': look for one now (briefly) */
  canvas?: Frame | 'find' | undefined;
  /** the network namespaces (of the sandbox) */
  namespaces?: () => string[];
  /** files whose last 20 lines go into the report, by label */
  logs?: Record<string, string>;
  /** code-server's user-data folder: the last 30 lines of each extension host's log */
  userData?: string;
  /** anything else, as labelled text (read when the report is written; a failure to read is reported) */
  more?: Record<string, () => Promise<string> | string>;
}

/** the report of a failed run (see the top of this file) */
export async function reportFailure(tag: string, e: unknown, page: Page | undefined, dumps: FailureDumps = {}): Promise<void> {
  const say = (label: string, text: string) => console.error(`[${tag}] ${label}${text.includes('\n') ? `:\n${text}` : `: ${text}`}`);
  console.error(`[${tag}] FAILED: ${(e as Error).stack ?? String(e)}`);
  if (page) {
    await page.screenshot({ path: join(RESULTS, `${tag}-failure.png`) }).catch(() => undefined);
    console.error(`[${tag}] screenshot: test-results/${tag}-failure.png\n[${tag}] the page showed:\n${await describePage(page)}`);
    const canvas = await theCanvas(page, dumps.canvas);
    if (canvas) say('the canvas', canvas);
  }
  for (const [label, read] of Object.entries(dumps.more ?? {})) {
    say(label, await Promise.resolve().then(read).catch((x: unknown) => `(could not read it: ${String(x)})`));
  }
  if (dumps.namespaces) say('namespaces in the sandbox', dumps.namespaces().join(' ') || '(none)');
  for (const [label, file] of Object.entries(dumps.logs ?? {})) say(`${label} (tail)`, tail(file, 20));
  if (dumps.userData) for (const f of findFiles(join(dumps.userData, 'logs'), /exthost\.log$/)) say(`${f} (tail)`, tail(f, 30));
}

/** the nodes, links and status line the canvas shows, if it can be read */
async function theCanvas(page: Page, canvas: FailureDumps['canvas']): Promise<string | undefined> {
  const frame = canvas === 'find' ? await canvasFrame(page, 1000).catch(() => undefined) : canvas;
  const d = frame && await drawn(frame).catch(() => undefined);
  return d && `nodes ${refs(d).join(',')}, links ${JSON.stringify(d.links)}, status "${d.status}"`;
}
