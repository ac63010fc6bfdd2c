/**
 * `netns-lab test FILE [--json] [--junit OUT.xml] [--only PATTERN]`: runs the file's lab tests
 * (`expect`) against the live lab. Exit 0 when all pass (skipped ones do not fail), 1 when any
 * fails, 2 on invalid input. The last line of output is the summary alone: on stdout, or on
 * stderr with --json (stdout is then the JSON report only).
 */
import { writeFile } from 'node:fs/promises';
import { relative } from 'node:path';
import { formatDiagnostic, hasErrors } from './core/model/diagnostics.js';
import { selectExpectations, summaryLine, type TestResult } from './core/model/expect.js';
import { renderJUnit, renderJson } from './core/diagnose/expect-report.js';
import { loadFile } from './engine/engine.js';
import type { HelperClient } from './engine/helper-client.js';
import { helperProbes, runLabTests } from './engine/lab-tests.js';
import { isMultiHost, MULTIHOST_FLAGS, multiHostProbes } from './cli-multihost.js';

const FLAGS = new Set(['--json', '--junit', '--only', '--elevation', ...MULTIHOST_FLAGS]);

export const TEST_USAGE = `  netns-lab test FILE [--json] [--junit OUT.xml] [--only PATTERN]
                                          run the file's lab tests (expect) against the live lab`;

function usage(msg: string): number {
  process.stderr.write(`netns-lab: ${msg}\n(see netns-lab --help)\n`);
  return 2;
}

const mark: Record<TestResult['status'], string> = { passed: 'PASS', failed: 'FAIL', skipped: 'SKIP' };

function formatResult(r: TestResult): string {
  return `${mark[r.status]}  ${r.name} (${r.durationMs} ms)\n${r.message ? `      ${r.message}\n` : ''}${r.finding ? `      path: ${r.finding}\n` : ''}${r.fix ? `      fix: ${r.fix.summary}${r.fix.where === 'file' ? ' (an edit of the file: the Test Explorer offers it)' : ''}\n` : ''}`;
}

/** pos: the positional words after "test"; flags as cli.ts parsed them; helper: starts the privileged helper */
export async function testCommand(pos: string[], flags: Map<string, string | true>, helper: () => Promise<HelperClient>): Promise<number> {
  for (const k of flags.keys()) if (!FLAGS.has(k)) return usage(`unknown option ${k} for test`);
  if (pos.length !== 1) return usage('test takes one FILE argument');
  for (const k of ['--junit', '--only']) if (flags.get(k) === true) return usage(`${k} needs a value`);
  const file = pos[0]!;
  const l = await loadFile(file).catch((e: NodeJS.ErrnoException) => e);
  if (l instanceof Error) return usage(`cannot read ${file}: ${l.code === 'ENOENT' ? 'no such file' : l.message}`);
  const shown = relative(process.cwd(), file) || file;
  for (const d of l.diagnostics) process.stderr.write(formatDiagnostic(shown, d) + '\n');
  if (!l.topology || hasErrors(l.diagnostics)) { process.stderr.write(`netns-lab: ${file} is invalid\n`); return 2; }
  const list = l.topology.expect ?? [];
  if (!list.length) return usage(`${file} has no lab tests (an "expect" array)`);
  const only = flags.get('--only');
  const chosen = selectExpectations(list, typeof only === 'string' ? only : undefined);
  if (!chosen.length) return usage(`no test of ${file} matches '${String(only)}'`);

  // a lab across hosts: each probe through the helper of its source namespace's host
  const via = isMultiHost(l.topology) ? multiHostProbes(l.topology, flags, helper) : await helper().then((h) => ({ probes: helperProbes(h), close: () => h.close() }));
  const t0 = Date.now();
  let results: TestResult[];
  try {
    results = await runLabTests(l.topology, via.probes, { only: chosen });
  } finally { await via.close(); }
  const totalMs = Date.now() - t0;

  const junit = flags.get('--junit');
  if (typeof junit === 'string') await writeFile(junit, renderJUnit(l.topology.name, results, totalMs, shown));
  const summary = summaryLine(results) + '\n';
  if (flags.has('--json')) {
    process.stdout.write(renderJson(l.topology.name, results, totalMs));
    process.stderr.write(summary);
  } else {
    process.stdout.write(results.map(formatResult).join('') + summary);
  }
  return results.some((r) => r.status === 'failed') ? 1 : 0;
}
