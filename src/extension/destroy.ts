/**
 * Destroy in VS Code: processes that hold the topology's namespaces are named in a modal that
 * offers to end them; success is reported only when nothing is left (else an error naming what
 * is); the Netns terminals whose shells were ended are closed.
 */
import * as vscode from 'vscode';
import { destroyReport, holdersQuestion, holderNamespaces, type HolderInfo } from '../core/plan/destroy-report.js';
import { destroyTopology, type DestroyResult } from '../engine/engine.js';
import { HelperFailure } from '../engine/helper-client.js';
import type { HelperSession } from './helper-session.js';
import { showRefusal } from './refusal.js';
import { closeTerminalsIn } from './terminal.js';
import type { Held } from './command-deps.js';

async function destroyOnce(session: HelperSession, name: string, kill: boolean, held: Held): Promise<DestroyResult> {
  return vscode.window.withProgress({ location: vscode.ProgressLocation.Notification, title: `Netns: destroying '${name}'`, cancellable: false }, async (progress) => {
    let last = 0;
    return held(() => destroyTopology(session.api, name, (ev) => {
      if (ev.total) { progress.report({ increment: ((ev.done - last) / ev.total) * 100, message: `step ${ev.done} of ${ev.total}` }); last = ev.done; }
    }, kill));
  });
}

/** the processes a refused destroy names, or undefined for any other failure */
function holdersOf(e: unknown): HolderInfo[] | undefined {
  return e instanceof HelperFailure && e.error.code === 'destroy-held' ? e.error.holders ?? [] : undefined;
}

/** destroy `name` (already confirmed); helperMessage formats any other failure */
export async function destroyWithHolders(session: HelperSession, name: string, held: Held, helperMessage: (e: unknown) => string): Promise<void> {
  let r: DestroyResult;
  try {
    r = await destroyOnce(session, name, false, held);
  } catch (e) {
    const holders = holdersOf(e);
    if (!holders) { void showRefusal(`Destroy of '${name}' failed`, helperMessage(e)); return; }
    const q = holdersQuestion(name, holders);
    const a = await vscode.window.showWarningMessage(q.message, { modal: true, detail: q.detail }, q.action);
    if (a !== q.action) return;
    try {
      r = await destroyOnce(session, name, true, held);
    } catch (e2) {
      void showRefusal(`Destroy of '${name}' failed`, helperMessage(e2));
      return;
    }
  }
  const closed = r.ended?.length ? closeTerminalsIn(holderNamespaces(r.ended)) : 0;
  const rep = destroyReport(name, r);
  const message = closed ? `${rep.message} Closed ${closed} terminal(s) of its namespaces.` : rep.message;
  if (rep.ok) void vscode.window.showInformationMessage(message);
  else void showRefusal(message, rep.detail);
}
