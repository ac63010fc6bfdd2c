/**
 * Show Plan, Apply and Destroy of a file with `hosts` in VS Code (issue 19): every host's part
 * through the engine's multi-host orchestration (src/engine/multihost.ts), the local part
 * through this window's helper session, the others through ssh with the person's machine-scoped
 * settings. Progress says which host is at which step; the result is reported per host.
 */
import * as vscode from 'vscode';
import { holderLines, holderNamespaces } from '../core/plan/destroy-report.js';
import { confirmationText } from '../core/plan/host-routes.js';
import { hostsOf, type LabHost } from '../core/plan/hosts-split.js';
import type { Topology } from '../core/model/model.js';
import { renderScript } from '../core/plan/render.js';
import { describeRootCommand } from '../core/model/workloads.js';
import { multiApply, multiDestroy, multiPlan, rootsOf, type HostEvent, type HostHelper, type HostOutcome, type MultiOptions, type MultiResult } from '../engine/multihost.js';
import { HostProgress, outcomeLines } from '../engine/multihost-report.js';
import { hostConnector, partsForListing, SPLITTER } from '../engine/ssh-connect.js';
import { hostOf } from '../core/plan/hosts-split.js';
import type { ProbeResult } from '../core/diagnose/reach.js';
import type { HelperApi } from '../engine/helper-client.js';
import { crossHostMatrix, lazyHelpers } from '../engine/multihost-probes.js';
import { remoteOptions } from './remote-settings.js';
import type { CommandDeps } from './command-deps.js';
import type { HelperSession } from './helper-session.js';
import { PLAN_SCHEME } from './plan-documents.js';
import { showRefusal } from './refusal.js';
import { closeTerminalsIn } from './terminal.js';
import { userValue } from './user-setting.js';

/** for tests: a recorded engine instead of the hosts' helpers, and the answers to the questions (by their message) */
export const multiHostTesting: { connect?: MultiOptions['connect']; answer?: (message: string) => string | undefined } = {};

/**
 * A file names the hosts ssh goes to: in a restricted (untrusted) workspace no ssh connection is
 * made for it (it would log in with the person's keys wherever the file says), not even for a
 * dry run, a view or a probe
 */
function trusted<L, H extends { ssh?: string; name: string }>(connect: (h: H) => Promise<L>): (h: H) => Promise<L> {
  return (h) => (h.ssh !== undefined && !vscode.workspace.isTrusted
    ? Promise.reject(new Error(`host ${h.name} is reached through ssh only in a trusted workspace (Manage Workspace Trust)`))
    : connect(h));
}

/** how each host's helper is reached: this window's session for the local one, ssh for the others */
export function hostConnect(session: HelperSession, version: string): MultiOptions['connect'] {
  return trusted(multiHostTesting.connect ?? hostConnector(remoteOptions(version), async () => localHost(session)));
}

/** Test Connectivity of a lab across hosts: every namespace probed from its own host (the engine's crossHostMatrix) */
export async function multiHostPing(session: HelperSession, version: string, t: Topology): Promise<{ results: ProbeResult[]; durationMs: number }> {
  const byName = new Map(hostsOf(t).map((h) => [h.name, h]));
  type Api = HelperApi & { close(): Promise<void> };
  const connect = trusted((multiHostTesting.connect as unknown as ((h: LabHost) => Promise<Api>) | undefined)
    ?? hostConnector<Api>(remoteOptions(version), async () => ({ ...session.api, close: async () => undefined })));
  const helpers = lazyHelpers(async (name) => connect(byName.get(name)!));
  const t0 = Date.now();
  try {
    return { results: await crossHostMatrix(t, (n) => hostOf(t, n), helpers.helperOf), durationMs: Date.now() - t0 };
  } finally { await helpers.close(); }
}

/** this window's helper as the local host (it stays open after the run) */
export function localHost(session: HelperSession): HostHelper {
  const api = session.api;
  return {
    plan: (p) => api.plan(p), apply: (p, on) => api.apply(p, on), destroy: (p, on) => api.destroy(p, on),
    observe: (p) => api.observe(p), services: (p) => api.services(p),
    cancelRunning: async () => (await session.get()).cancelRunning(),
    close: async () => undefined,
  };
}

/** a modal question; true when the person chose `action` */
async function ask(message: string, detail: string, action: string): Promise<boolean> {
  if (multiHostTesting.answer) return multiHostTesting.answer(message) === action;
  return (await vscode.window.showWarningMessage(message, { modal: true, detail }, action)) === action;
}

/** the result of a run, per host: an information when every host is fine, else an error with every host's line */
function report(what: string, name: string, r: MultiResult): void {
  const lines = outcomeLines(r).join('\n');
  const unchanged = !r.ok && r.stage !== 'apply' && r.stage !== 'destroy' ? '\nnothing was changed on any host' : '';
  if (r.ok) { void vscode.window.showInformationMessage(`${what} '${name}' on ${r.hosts.length} host(s): ${r.hosts.map((o) => `${o.host} ${o.state}${o.result ? ` (${o.result.steps} step(s))` : ''}`).join(', ')}`); return; }
  const bad = r.hosts.filter((o) => o.state !== 'ok' && o.state !== 'skipped' && o.state !== 'not-run').map((o) => `${o.host} ${o.state}`);
  void showRefusal(`${what} '${name}' did not complete on every host (${bad.join(', ')})`, `${lines}${unchanged}`);
}

/** the confirmation of an apply across hosts: every host's step count, every root command in full, the first steps */
function confirmation(name: string, planned: HostOutcome[]): { message: string; detail: string } {
  const total = planned.reduce((n, o) => n + (o.plan?.steps.length ?? 0), 0);
  const roots = rootsOf(planned) ?? [];
  const rootText = roots.length ? `Commands that run as root:\n${roots.flatMap((r) => r.commands.map((c) => `[${r.host}] ${describeRootCommand(c)}`)).join('\n')}\n\n` : '';
  const hosts = planned.filter((o) => o.plan?.steps.length).map((o) => `== host ${o.host}: ${o.plan!.steps.length} step(s)\n${confirmationText(o.plan!.steps, 6)}`).join('\n\n');
  return { message: `Apply ${total} change(s) of '${name}' on ${planned.length} host(s)?`, detail: rootText + hosts };
}

export function multiHostCommands(deps: CommandDeps) {
  const version = (deps.context.extension.packageJSON as { version: string }).version;
  const connect = (): MultiOptions['connect'] => hostConnect(deps.session, version);

  async function showPlan(t: Topology): Promise<void> {
    const r = await vscode.window.withProgress({ location: vscode.ProgressLocation.Window, title: `Netns: planning '${t.name}' on its hosts` }, () => multiPlan(t, SPLITTER, { connect: connect() }));
    const parts = r.hosts.map((o) => [
      `# == host ${o.host}: ${o.plan ? `${o.plan.steps.length} step(s)` : `${o.state}: ${o.message ?? ''}`}`,
      ...(o.plan?.errors ?? []).map((e) => `# ERROR ${e.code}: ${e.message}`),
      ...(o.plan?.steps.length ? renderScript(o.plan.steps, `the commands 'Netns: Apply' would run now on host ${o.host}`).split('\n').filter((l) => l !== '#!/bin/bash') : []),
    ].join('\n'));
    const total = r.hosts.reduce((n, o) => n + (o.plan?.steps.length ?? 0), 0);
    const uri = vscode.Uri.from({ scheme: PLAN_SCHEME, path: `/${t.name}.plan.sh` });
    deps.plans.set(uri, ['#!/bin/bash', `# Plan for '${t.name}' across ${r.hosts.length} host(s): ${total} step(s), dry run, nothing was changed${r.ok ? '' : '; Apply would be refused'}`, ...parts].join('\n'));
    const shown = await vscode.workspace.openTextDocument(uri);
    await vscode.languages.setTextDocumentLanguage(shown, 'shellscript');
    await vscode.window.showTextDocument(shown, { preview: true, viewColumn: vscode.ViewColumn.Beside });
  }

  /** a run with a notification that says where each host is */
  function withHosts<T>(title: string, fn: (onEvent: (e: HostEvent) => void) => Promise<T>): Thenable<T> {
    return vscode.window.withProgress({ location: vscode.ProgressLocation.Notification, title, cancellable: false }, (progress) => {
      const at = new HostProgress();
      return fn((e) => progress.report({ message: at.update(e) }));
    });
  }

  async function apply(t: Topology): Promise<void> {
    let shownRoots: string | undefined;
    const r = await withHosts(`Netns: applying '${t.name}' on its hosts`, (onEvent) => multiApply(t, SPLITTER, {
      connect: connect(), onEvent,
      confirm: async (planned) => {
        const roots = rootsOf(planned);
        const steps = planned.some((o) => o.plan?.steps.length);
        if (!steps || (!roots && !userValue(vscode.workspace.getConfiguration('netnsLab').inspect<boolean>('confirmApply'), true))) return true;
        const q = confirmation(t.name, planned);
        if (!(await ask(q.message, q.detail, 'Apply'))) return false;
        shownRoots = JSON.stringify(roots ?? []);
        return true;
      },
      // root commands run only when the confirmation showed exactly these, in full
      approveRoot: (roots) => shownRoots === JSON.stringify(roots),
    }));
    if (r.hosts.every((o) => o.state === 'not-run' && o.message?.startsWith('not confirmed'))) return;
    report('Applied', t.name, r);
    void vscode.commands.executeCommand('netnsLab.refresh');
  }

  async function destroy(t: Topology): Promise<void> {
    const names = hostsOf(t).map((h) => h.name);
    if (!(await ask(`Destroy everything topology '${t.name}' owns on its ${names.length} hosts (${names.join(', ')})?`,
      'On each host its namespaces, bridges, links, VXLAN devices, firewall chains and resolv.conf files are removed. Objects it does not own are never touched. A host that cannot be reached is named, with what may still be there.', 'Destroy'))) return;
    const run = (kill: boolean) => withHosts(`Netns: destroying '${t.name}' on its hosts`, (onEvent) => multiDestroy(t.name, hostsOf(t), partsForListing(t), { connect: connect(), onEvent, kill }));
    let r = await run(false);
    const held = r.hosts.filter((o) => o.holders?.length);
    if (held.length) {
      const n = held.reduce((k, o) => k + o.holders!.length, 0);
      const action = `End ${n} process(es) and destroy`;
      const detail = held.map((o) => `== host ${o.host}\n${holderLines(o.holders!).join('\n')}`).join('\n\n');
      if (!(await ask(`${n} process(es) are still running inside '${t.name}' on ${held.map((o) => o.host).join(', ')}; its namespaces there cannot be removed while they run.`, detail, action))) { report('Destroyed', t.name, r); return; }
      r = await run(true);
    }
    const ended = r.hosts.find((o) => o.host === 'local')?.result?.ended;
    if (ended?.length) closeTerminalsIn(holderNamespaces(ended));
    report('Destroyed', t.name, r);
    void vscode.commands.executeCommand('netnsLab.refresh');
  }

  return { showPlan, apply, destroy };
}
