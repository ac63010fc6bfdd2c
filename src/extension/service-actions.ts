/**
 * The Namespaces view's service actions (issue 16): Show Logs, Restart, Stop, Start. Restart and
 * Start are the helper's `restart`: a root service runs only after the person saw every root
 * command of the file in a modal and approved it (its digest goes with the request, and the
 * helper checks it). Stop is `service-stop`. In a restricted workspace nothing runs.
 */
import * as vscode from 'vscode';
import type { RootCommand } from '../core/model/workloads.js';
import { describeRootCommand } from '../core/model/workloads.js';
import { HelperFailure } from '../engine/helper-client.js';
import type { HelperSession } from './helper-session.js';
import { ServiceLogs, type LogTarget } from './service-logs.js';
import type { ServicesModel } from './services.js';
import { showRefusal, SHORT } from './refusal.js';

/** a service node of the view, or the same three names from a test or a link */
function targetOf(n: unknown): LogTarget | undefined {
  if (!n || typeof n !== 'object') return undefined;
  const o = n as Record<string, unknown>;
  return typeof o.topo === 'string' && typeof o.ns === 'string' && typeof o.name === 'string' ? { topo: o.topo, ns: o.ns, name: o.name } : undefined;
}

async function pickService(services: ServicesModel): Promise<LogTarget | undefined> {
  const all = services.all().flatMap((t) => t.services.map((s) => ({ label: `${s.ns}/${s.name}`, description: `${t.topology.name} · ${s.state}`, t: { topo: t.topology.name, ns: s.ns, name: s.name } })));
  if (!all.length) { void vscode.window.showInformationMessage('No service of an applied topology of this workspace is known.'); return undefined; }
  return (await vscode.window.showQuickPick(all, { placeHolder: 'Which service?' }))?.t;
}

function trusted(what: string): boolean {
  if (vscode.workspace.isTrusted) return true;
  void vscode.window.showErrorMessage(`${what} runs a command of the file and is disabled in an untrusted workspace.`);
  return false;
}

/** the modal of root commands; the digest to send when approved */
async function approveRoot(t: LogTarget, e: HelperFailure, verb: 'Restart' | 'Start'): Promise<string | undefined> {
  const list = (e.error.rootCommands ?? []) as RootCommand[];
  const detail = `Commands that run as root:\n${list.map(describeRootCommand).join('\n')}\n\nThis needs your approval of exactly these (the file's root commands).`;
  const button = `${verb} as Root`;
  const ok = await vscode.window.showWarningMessage(`${verb} service '${t.name}' in ${t.ns}, which runs as root?`, { modal: true, detail }, button);
  return ok === button ? e.error.rootDigest : undefined;
}

function failed(what: string, e: unknown): void {
  const m = `${what} failed: ${(e as Error).message}`;
  if (m.length > SHORT) void showRefusal(m);
  else void vscode.window.showErrorMessage(m);
}

export function registerServiceActions(context: vscode.ExtensionContext, session: HelperSession, services: ServicesModel): ServiceLogs {
  const logs = new ServiceLogs(session);
  const target = async (n: unknown) => targetOf(n) ?? await pickService(services);

  /** restart (Start of one not running): with the root modal when the helper asks for it */
  const start = (verb: 'Restart' | 'Start') => async (n?: unknown) => {
    const t = await target(n);
    if (!t || !trusted(verb)) return;
    const src = await services.source(t.topo);
    if (!src) { void vscode.window.showErrorMessage(`No valid topology '${t.topo}' with services in this workspace.`); return; }
    const run = (approve?: string) => vscode.window.withProgress({ location: vscode.ProgressLocation.Notification, title: `Netns: ${verb === 'Start' ? 'starting' : 'restarting'} ${t.ns}/${t.name}` },
      () => session.api.restart({ topology: src.topology, ns: t.ns, name: t.name, ...(approve ? { approveRoot: approve } : {}) }));
    try {
      try {
        await run();
      } catch (e) {
        if (!(e instanceof HelperFailure && e.error.code === 'root-not-approved')) throw e;
        const digest = await approveRoot(t, e, verb);
        if (!digest) return;
        await run(digest);
      }
    } catch (e) {
      failed(`${verb} of ${t.ns}/${t.name}`, e);
    } finally {
      await services.refresh();
    }
  };

  context.subscriptions.push(logs,
    vscode.commands.registerCommand('netnsLab.showServiceLogs', async (n?: unknown) => {
      const t = await target(n);
      if (t) await logs.show(t).catch((e: unknown) => failed(`Show Logs of ${t.ns}/${t.name}`, e));
    }),
    vscode.commands.registerCommand('netnsLab.restartService', start('Restart')),
    vscode.commands.registerCommand('netnsLab.startService', start('Start')),
    vscode.commands.registerCommand('netnsLab.stopService', async (n?: unknown) => {
      const t = await target(n);
      if (!t || !trusted('Stop')) return;
      const topology = (await services.source(t.topo))?.topology ?? services.of(t.topo)?.topology;
      if (!topology) { void vscode.window.showErrorMessage(`No valid topology '${t.topo}' with services in this workspace.`); return; }
      try {
        await vscode.window.withProgress({ location: vscode.ProgressLocation.Notification, title: `Netns: stopping ${t.ns}/${t.name}` },
          () => session.api.serviceStop({ topology, ns: t.ns, name: t.name }));
      } catch (e) {
        failed(`Stop of ${t.ns}/${t.name}`, e);
      } finally {
        await services.refresh();
      }
    }),
  );
  return logs;
}
