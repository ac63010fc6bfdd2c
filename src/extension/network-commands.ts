/**
 * The commands that change this machine's network or show what would: Show Plan, Apply,
 * Destroy. Apply and Destroy need a trusted workspace; Apply shows every root command and every
 * host-wide step before it runs, and sends the digest of the plan the person saw.
 */
import * as vscode from 'vscode';
import type { Topology } from '../core/model/model.js';
import { renderScript } from '../core/plan/render.js';
import { confirmationText, hostWideBlock, hostWideSteps } from '../core/plan/host-routes.js';
import { describeRootCommand } from '../core/model/workloads.js';
import { applyTopology, planTopology, type PlanWithDigest } from '../engine/engine.js';
import { HelperFailure } from '../engine/helper-client.js';
import { userValue } from './user-setting.js';
import { destroyWithHolders } from './destroy.js';
import { SHORT, showRefusal } from './refusal.js';
import type { CommandDeps, Handlers, Held } from './command-deps.js';
import { PLAN_SCHEME } from './plan-documents.js';
import { isMultiHost } from '../core/model/hosts-layout.js';
import { multiHostCommands } from './multihost.js';

export function helperMessage(e: unknown): string {
  if (e instanceof HelperFailure) {
    const x = e.error;
    if (x.argv && x.kernel) return `${x.message}`;
    return x.message;
  }
  return (e as Error).message;
}

/** the text names other hosts (an array "hosts" with an entry that has ssh), read without the schema */
function spansHosts(text: string): boolean {
  try {
    const h = (JSON.parse(text) as { hosts?: unknown }).hosts;
    return Array.isArray(h) && h.some((x) => x && typeof x === 'object' && 'ssh' in x);
  } catch { return /"hosts"\s*:/.test(text); }
}

/** Show Plan, Apply and Destroy, by command id */
export function networkCommands(deps: CommandDeps): Handlers {
  const { session, plans, targets } = deps;
  // a file with hosts: every host's part through the multi-host orchestration (multihost.ts)
  const multi = multiHostCommands(deps);
  const held: Held = (fn, steps) => (deps.hold ? deps.hold(fn, steps) : fn());

  function requireTrust(what: string): boolean {
    if (vscode.workspace.isTrusted) return true;
    void vscode.window.showErrorMessage(`${what} changes this machine's network and is disabled in an untrusted workspace. Trust the workspace to use it.`, 'Manage Workspace Trust')
      .then((a) => { if (a) void vscode.commands.executeCommand('workbench.trust.manage'); });
    return false;
  }

  async function plan(t: Topology): Promise<PlanWithDigest> {
    return vscode.window.withProgress({ location: vscode.ProgressLocation.Window, title: `Netns: planning '${t.name}'` },
      () => planTopology(session.api, t));
  }

  async function showPlan(arg?: unknown): Promise<void> {
    const it = await targets.topology(arg);
    if (!it) return;
    const { doc, t } = it;
    if (isMultiHost(t)) return multi.showPlan(t);
    const p = await plan(t);
    const head = [
      `# Plan for '${t.name}' (${doc.uri.scheme === 'file' ? vscode.workspace.asRelativePath(doc.uri) : doc.uri.path}): ${p.steps.length} step(s), dry run, nothing was changed`,
      ...p.errors.map((e) => `# ERROR ${e.code}: ${e.message}`),
      ...(p.steps.length ? [] : ['# The network is in sync with the file: apply has nothing to do.']),
      ...hostWideBlock(hostWideSteps(p.steps)).split('\n').filter((l) => l && l !== '# all steps, in order:'),
    ].join('\n');
    const body = p.steps.length ? renderScript(p.steps, `the commands 'Netns: Apply' would run now for '${t.name}'`) : '';
    const uri = vscode.Uri.from({ scheme: PLAN_SCHEME, path: `/${t.name}.plan.sh` });
    // the shebang first (line 1), then the plan's summary, then the script without its shebang
    plans.set(uri, ['#!/bin/bash', head, ...body.split('\n').filter((l, i) => i > 0 || l !== '#!/bin/bash')].join('\n'));
    const shown = await vscode.workspace.openTextDocument(uri);
    await vscode.languages.setTextDocumentLanguage(shown, 'shellscript');
    await vscode.window.showTextDocument(shown, { preview: true, viewColumn: vscode.ViewColumn.Beside });
  }

  async function apply(arg?: unknown): Promise<void> {
    if (!requireTrust('Apply')) return;
    const it = await targets.topology(arg);
    if (!it) return;
    const { doc, t } = it;
    if (isMultiHost(t)) return multi.apply(t);
    const p = await plan(t);
    if (p.errors.length) {
      void showRefusal(`Apply refused, nothing was changed: ${p.errors.map((e) => e.message).join('; ')}`);
      return;
    }
    if (!p.steps.length) {
      void vscode.window.showInformationMessage(`'${t.name}' is in sync with the file: nothing to do.`);
      return;
    }
    // commands the file runs as root: always asked, each in full (the helper checks the digest)
    const roots = p.rootCommands.length ? `Commands that run as root:\n${p.rootCommands.map(describeRootCommand).join('\n')}\n\n` : '';
    if (roots || userValue(vscode.workspace.getConfiguration('netnsLab').inspect<boolean>('confirmApply'), true)) {
      // every host-wide step (host routes, ip_forward, jumps in built-in chains) whatever its position, then the first steps
      const detail = roots + confirmationText(p.steps, 12);
      const ok = await vscode.window.showWarningMessage(`Apply ${p.steps.length} change(s) of '${t.name}' to this machine's network?`, { modal: true, detail }, 'Apply');
      if (ok !== 'Apply') return;
    }
    await vscode.window.withProgress({ location: vscode.ProgressLocation.Notification, title: `Netns: applying '${t.name}'`, cancellable: true }, async (progress, token) => {
      if (token.isCancellationRequested) return;
      let last = 0;
      try {
        const r = await held(() => applyTopology(session.api, t, (ev) => {
          if (!ev.total) { progress.report({ message: ev.message }); return; }
          progress.report({ increment: ((ev.done - last) / ev.total) * 100, message: `step ${ev.done} of ${ev.total}: ${ev.message}` });
          last = ev.done;
        }, { steps: p.steps.length, digest: p.digest }, p.rootCommands.length ? p.rootDigest : undefined), p.steps.map((s) => s.step));
        const note = r.remaining.length ? ` — not converged: ${r.remaining.slice(0, 3).join('; ')}` : '';
        void vscode.window.showInformationMessage(`Applied '${t.name}': ${r.steps} step(s) in ${(r.durationMs / 1000).toFixed(2)} s${note}`);
      } catch (e) {
        const m = `Apply of '${t.name}' failed: ${helperMessage(e)}`;
        if (m.length > SHORT) void showRefusal(m);
        else void vscode.window.showErrorMessage(m, 'Show Plan').then((a) => { if (a) void showPlan(doc.uri); });
      }
    });
  }

  async function destroy(arg?: unknown): Promise<void> {
    if (!requireTrust('Destroy')) return;
    const doc = await targets.document(arg);
    if (!doc) return;
    const full = deps.analyses.of(doc).topology;
    if (full && isMultiHost(full)) return multi.destroy(full);
    // an invalid file with hosts: which host holds what is not known, and the local part alone is not the lab
    if (!full && spansHosts(doc.getText())) { void vscode.window.showErrorMessage('This topology has "hosts" but is invalid: fix it first, then Destroy removes its parts on every host.'); return; }
    const name = full?.name ?? (() => { try { return String((JSON.parse(doc.getText()) as { name?: unknown }).name ?? ''); } catch { return ''; } })();
    if (!name) { void vscode.window.showErrorMessage('The topology has no valid name; nothing to destroy.'); return; }
    const ok = await vscode.window.showWarningMessage(`Destroy everything topology '${name}' owns on this machine?`,
      { modal: true, detail: 'Its namespaces, bridges, veth links, firewall chains and resolv.conf files are removed, and ip_forward is restored. Objects it does not own are never touched.' }, 'Destroy');
    if (ok !== 'Destroy') return;
    await destroyWithHolders(session, name, held, helperMessage);
  }

  return { 'netnsLab.showPlan': showPlan, 'netnsLab.apply': apply, 'netnsLab.destroy': destroy };
}
