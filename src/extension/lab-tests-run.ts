/**
 * Running lab tests from the Test Explorer (or the gutter): each file's chosen expectations go
 * to the engine (src/engine/lab-tests.ts, through the helper session), each result becomes
 * passed / failed / skipped with its duration; a failure's message says what was observed,
 * where the path breaks and what would mend it, at the expectation's line. A topology that does
 * not run on this machine is said so (errored), nothing is probed. Cancel: the results not in
 * yet are skipped at once (probes already sent finish in the helper, within seconds).
 */
import * as vscode from 'vscode';
import type { TestResult } from '../core/model/expect.js';
import { expectSpans } from '../core/edit/expect-edit.js';
import type { Topology } from '../core/model/model.js';
import { overallStatus } from '../engine/engine.js';
import type { HelperApi } from '../engine/helper-client.js';
import { helperProbes, runLabTests } from '../engine/lab-tests.js';
import type { TopologyAnalyses } from './documents.js';
import { expectationIds, type LabTestItems } from './lab-tests.js';
import { rememberFix, type LabTestFixes } from './lab-tests-fix.js';
import { isMultiHost } from '../core/model/hosts-layout.js';

export const FILE_FIX_CONTEXT = 'netnsLab.fileFix';

export interface RunDeps {
  items: LabTestItems;
  analyses: TopologyAnalyses;
  api: HelperApi;
  fixes: LabTestFixes;
  /** after a file's run: its results (the canvas may paint them) */
  onResults?: (uri: vscode.Uri, t: Topology, results: TestResult[]) => void;
  /** each item's outcome as the Test Explorer shows it (for tests) */
  onOutcome?: (id: string, outcome: Outcome) => void;
}

export interface Outcome { status: 'passed' | 'failed' | 'skipped' | 'errored'; message?: string; line?: number; fix?: 'file' | 'live' }

/** a lab across hosts: its tests run from the command line, which routes each probe to its host */
export function multiHostRefusal(t: Topology): string {
  return `'${t.name}' spans several hosts: run its tests with \`netns-lab test FILE\` (each probe goes to its source's host); the Test Explorer probes through this machine's helper only.`;
}

/** why a topology's tests cannot run now, or undefined when it runs on this machine */
export async function notRunning(api: HelperApi, t: Topology): Promise<string | undefined> {
  const p = await api.plan({ topology: t });
  const s = overallStatus(p.objects);
  if (s === 'not-applied') return `'${t.name}' does not run on this machine: apply it first (Netns: Apply), then run its tests.`;
  if (s === 'clash') return `'${t.name}' clashes with objects on this machine it does not own: see Netns: Show Plan.`;
  return undefined;
}

export async function runLabTestRequest(deps: RunDeps, request: vscode.TestRunRequest, token: vscode.CancellationToken): Promise<void> {
  const run = deps.items.ctrl.createTestRun(request, undefined, true);
  try {
    const groups = deps.items.collect(request.include, request.exclude);
    for (const g of groups.values()) {
      if (token.isCancellationRequested) { g.items.forEach((i) => { run.skipped(i); deps.onOutcome?.(i.id, { status: 'skipped', message: 'cancelled' }); }); continue; }
      await runFile(deps, run, g.uri, g.items, token);
    }
  } finally { run.end(); }
}

function errored(run: vscode.TestRun, items: readonly vscode.TestItem[], text: string, deps?: RunDeps): void {
  run.appendOutput(`${text}\r\n`);
  for (const i of items) { run.errored(i, new vscode.TestMessage(text)); deps?.onOutcome?.(i.id, { status: 'errored', message: text }); }
}

async function runFile(deps: RunDeps, run: vscode.TestRun, uri: vscode.Uri, items: vscode.TestItem[], token: vscode.CancellationToken): Promise<void> {
  const doc = await vscode.workspace.openTextDocument(uri);
  const a = deps.analyses.of(doc);
  if (!a.valid || !a.topology) { errored(run, items, `${vscode.workspace.asRelativePath(uri)} has errors (see the Problems panel): its tests cannot run.`, deps); return; }
  const t = a.topology;
  // the items by their place in the file as it is now
  const ids = expectationIds(uri.toString(), t.expect ?? []);
  const byIndex = new Map<number, vscode.TestItem>();
  for (const item of items) {
    const i = ids.indexOf(item.id);
    if (i < 0) run.skipped(item); else byIndex.set(i, item);
  }
  if (!byIndex.size) return;
  for (const item of byIndex.values()) run.enqueued(item);
  // the probes below go through this window's helper, which knows this machine only
  if (isMultiHost(t)) { errored(run, [...byIndex.values()], multiHostRefusal(t), deps); return; }
  let why: string | undefined;
  try { why = await notRunning(deps.api, t); } catch (e) { why = `the helper could not look at the machine: ${(e as Error).message}`; }
  if (why) { errored(run, [...byIndex.values()], why, deps); return; }
  for (const item of byIndex.values()) run.started(item);
  const spans = expectSpans(a.parsed);
  const reported = new Set<number>();
  const report = (r: TestResult) => {
    const item = byIndex.get(r.index);
    if (!item || reported.has(r.index)) return;
    reported.add(r.index);
    const line = `${r.status.toUpperCase().padEnd(7)} ${r.name} (${r.durationMs} ms)${r.message ? `\r\n        ${r.message}` : ''}${r.finding ? `\r\n        path: ${r.finding}` : ''}`;
    run.appendOutput(`${line}\r\n`, undefined, item);
    if (r.status !== 'failed') {
      if (r.status === 'passed') run.passed(item, r.durationMs); else run.skipped(item);
      deps.onOutcome?.(item.id, { status: r.status, ...(r.message ? { message: r.message } : {}) });
      return;
    }
    const span = spans[r.index];
    const m = new vscode.TestMessage(failureText(r));
    if (span) m.location = new vscode.Location(uri, new vscode.Range(doc.positionAt(span.offset), doc.positionAt(span.offset + span.length)));
    if (r.fix?.where === 'file') { m.contextValue = FILE_FIX_CONTEXT; rememberFix(deps.fixes, item.id, uri, r.fix); }
    run.failed(item, m, r.durationMs);
    deps.onOutcome?.(item.id, { status: 'failed', message: failurePlain(r), ...(m.location ? { line: m.location.range.start.line } : {}), ...(r.fix ? { fix: r.fix.where } : {}) });
  };
  const cancelled = new Promise<'cancelled'>((done) => token.onCancellationRequested(() => done('cancelled')));
  const work = runLabTests(t, helperProbes(deps.api), {
    only: [...byIndex.keys()],
    // a failed reach waits for the path walk (at the end); everything else shows as it comes
    onResult: (r) => { if (r.status !== 'failed') report(r); },
  });
  const results = await Promise.race([work, cancelled]).catch((e: Error) => e);
  if (results === 'cancelled') {
    for (const [i, item] of byIndex) if (!reported.has(i)) { run.skipped(item); deps.onOutcome?.(item.id, { status: 'skipped', message: 'cancelled' }); }
    return;
  }
  if (results instanceof Error) { errored(run, [...byIndex].filter(([i]) => !reported.has(i)).map(([, x]) => x), `the lab tests failed: ${results.message}`, deps); return; }
  for (const r of results) report(r);
  deps.onResults?.(uri, t, results);
}

/** what was observed, where the path breaks, and the fix */
export function failureText(r: TestResult): vscode.MarkdownString {
  const md = new vscode.MarkdownString();
  md.appendText(r.message ?? 'failed');
  if (r.finding) { md.appendMarkdown('\n\n**Where it breaks:** '); md.appendText(r.finding); }
  if (r.fix) {
    md.appendMarkdown(r.fix.where === 'file' ? '\n\n**Fix in the file:** ' : '\n\n**Fix:** ');
    md.appendText(r.fix.summary);
    if (r.fix.where === 'file') md.appendMarkdown(' (*Fix in File* shows the edit)');
  }
  return md;
}

/** the same as plain text (the output channel, tests) */
export function failurePlain(r: TestResult): string {
  return [r.message ?? 'failed', ...(r.finding ? [`Where it breaks: ${r.finding}`] : []), ...(r.fix ? [`${r.fix.where === 'file' ? 'Fix in the file' : 'Fix'}: ${r.fix.summary}`] : [])].join('\n');
}
