/**
 * Test Connectivity (the reachability matrix in a panel), Diagnose (the doctor's findings with
 * one-click fixes) and Capture Packets (tcpdump inside a namespace: live in a terminal, or to a
 * .pcap file in the workspace).
 */
import * as path from 'node:path';
import * as vscode from 'vscode';
import type { Topology } from '../core/model/model.js';
import { matrixPaint } from '../core/diagnose/reach-paint.js';
import type { MatrixPaint } from '../shared/protocol.js';
import type { DoctorResult } from '../engine/engine.js';
import type { TopologyAnalyses } from './documents.js';
import type { HelperSession } from './helper-session.js';
import { applyFix, pathFindings, type PathFinding } from './lab-tests-fix.js';
import type { LiveModel } from './live.js';
import type { Targets } from './target.js';
import { pickNamespace } from './terminal.js';
import { userValue } from './user-setting.js';
import { makeNonce } from './webview-html.js';
import { matrixHtml } from './matrix-html.js';
import { isMultiHost } from '../core/model/hosts-layout.js';
import { multiHostPing } from './multihost.js';

/** paints the matrix on the open canvases of a document; returns how many */
export type PaintMatrix = (uri: vscode.Uri, t: Topology, paint: MatrixPaint) => number;

export function registerDiagnose(context: vscode.ExtensionContext, session: HelperSession, live: LiveModel, targets: Targets, paintMatrix: PaintMatrix, analyses: TopologyAnalyses): void {
  let panel: vscode.WebviewPanel | undefined;

  context.subscriptions.push(
    vscode.commands.registerCommand('netnsLab.testConnectivity', async (arg?: unknown) => {
      const d = await targets.topology(arg);
      if (!d) return;
      const t = d.t;
      const outside = userValue(vscode.workspace.getConfiguration('netnsLab').inspect<string[]>('probeTargets'), []);
      await vscode.window.withProgress({ location: vscode.ProgressLocation.Notification, title: `Netns: testing connectivity of '${t.name}'`, cancellable: false }, async (progress) => {
        let last = 0;
        try {
          // a lab across hosts: each namespace probed through its own host's helper
          const r = isMultiHost(t) ? await multiHostPing(session, (context.extension.packageJSON as { version: string }).version, t) : await session.api.ping({ topology: t, outside }, (p) => {
            if (p.total) { progress.report({ increment: ((p.done - last) / p.total) * 100, message: `${p.done}/${p.total}` }); last = p.done; }
          });
          // beside, keeping the focus where it was (the canvas keeps its keys)
          panel ??= vscode.window.createWebviewPanel('netnsLab.matrix', 'Connectivity', { viewColumn: vscode.ViewColumn.Beside, preserveFocus: true }, { enableScripts: false });
          panel.onDidDispose(() => { panel = undefined; });
          panel.title = `Connectivity: ${t.name}`;
          panel.webview.html = matrixHtml(`Connectivity of '${t.name}'`, r.results, makeNonce(), r.durationMs);
          panel.reveal(vscode.ViewColumn.Beside, true);
          // and on the canvas of this file, if it is open (and the network is still the one probed)
          paintMatrix(d.doc.uri, t, { ...matrixPaint(t, r.results), durationMs: r.durationMs, at: new Date().toISOString() });
        } catch (e) {
          void vscode.window.showErrorMessage(`Test Connectivity failed: ${(e as Error).message}`);
        }
      });
    }),

    vscode.commands.registerCommand('netnsLab.diagnose', (arg?: unknown) => diagnose(session, targets, analyses, arg)),

    vscode.commands.registerCommand('netnsLab.capture', async (arg?: unknown) => capture(arg, false)),
    vscode.commands.registerCommand('netnsLab.captureToFile', async (arg?: unknown) => capture(arg, true)),
  );

  async function pickInterface(arg?: unknown): Promise<{ ns: string | null; iface: string } | undefined> {
    if (arg && typeof arg === 'object' && 'ns' in arg && 'name' in arg) return { ns: (arg as { ns: string | null }).ns, iface: (arg as { name: string }).name };
    const ns = await pickNamespace(live, 'Capture in which namespace?');
    if (!ns) return undefined;
    const links = live.namespace(ns)?.links.filter((l) => l.kind !== 'loopback') ?? [];
    const iface = links.length === 1 ? links[0]!.name : (await vscode.window.showQuickPick(links.map((l) => ({ label: l.name, description: l.addresses.map((a) => a.cidr).join(' ') })), { placeHolder: 'Capture on which interface?' }))?.label;
    return iface ? { ns, iface } : undefined;
  }

  async function capture(arg: unknown, toFile: boolean): Promise<void> {
    const where = await pickInterface(arg);
    if (!where) return;
    const filter = await vscode.window.showInputBox({ prompt: 'A pcap-filter expression (empty: everything)', placeHolder: 'icmp or port 53', validateInput: (v) => (/^[A-Za-z0-9 .:/()!&|<>=[\]-]*$/.test(v) ? undefined : 'letters, digits, spaces and . : / ( ) ! & | < > = [ ] - only') });
    if (filter === undefined) return;
    const client = await session.get();
    const label = `${where.ns ?? 'host'}/${where.iface}`;
    if (toFile) {
      const folder = vscode.workspace.workspaceFolders?.[0]?.uri;
      if (!folder) { void vscode.window.showErrorMessage('Open a folder to capture into.'); return; }
      const file = vscode.Uri.joinPath(folder, `${(where.ns ?? 'host')}-${where.iface}-${new Date().toISOString().replace(/[:.]/g, '-')}.pcap`);
      const chunks: Buffer[] = [];
      const c = client.capture({ ns: where.ns, iface: where.iface, format: 'pcap', ...(filter ? { filter } : {}) }, (d) => chunks.push(Buffer.from(d, 'base64')));
      await vscode.window.withProgress({ location: vscode.ProgressLocation.Notification, title: `Capturing on ${label} to ${path.basename(file.fsPath)}`, cancellable: true }, async (_p, token) => {
        token.onCancellationRequested(() => void c.stop());
        await c.done.catch((e: Error) => void vscode.window.showErrorMessage(`Capture failed: ${e.message}`));
      });
      await vscode.workspace.fs.writeFile(file, Buffer.concat(chunks));
      void vscode.window.showInformationMessage(`Wrote ${vscode.workspace.asRelativePath(file)} (${Buffer.concat(chunks).length} bytes). Open it in Wireshark.`);
      return;
    }
    const write = new vscode.EventEmitter<string>();
    let c: ReturnType<typeof client.capture> | undefined;
    const pty: vscode.Pseudoterminal = {
      onDidWrite: write.event,
      open: () => {
        write.fire(`\x1b[1mtcpdump on ${label}${filter ? ` (${filter})` : ''}\x1b[0m — close this terminal to stop\r\n`);
        c = client.capture({ ns: where.ns, iface: where.iface, format: 'text', ...(filter ? { filter } : {}) }, (line) => write.fire(`${line}\r\n`));
        void c.done.then(() => write.fire('\r\n[capture stopped]\r\n'), (e: Error) => write.fire(`\r\n[capture failed: ${e.message}]\r\n`));
      },
      close: () => { void c?.stop(); },
    };
    vscode.window.createTerminal({ name: `capture ${label}`, pty, iconPath: new vscode.ThemeIcon('pulse') }).show();
  }
}

/** Diagnose: the doctor's findings, and where the path of each failed reach test of the file breaks; pick one to fix it */
async function diagnose(session: HelperSession, targets: Targets, analyses: TopologyAnalyses, arg?: unknown): Promise<void> {
  const d = await targets.topology(arg);
  if (!d) return;
  const t = d.t;
  let r: DoctorResult;
  let paths: PathFinding[] = [];
  try {
    [r, paths] = await vscode.window.withProgress({ location: vscode.ProgressLocation.Notification, title: `Netns: diagnosing '${t.name}'` },
      () => Promise.all([session.api.doctor({ topology: t }), pathFindings(session.api, t).catch(() => [])]));
  } catch (e) { void vscode.window.showErrorMessage(`Diagnose failed: ${(e as Error).message}`); return; }
  if (!r.findings.length && !paths.length) { void vscode.window.showInformationMessage(`'${t.name}': no problems found.`); return; }
  const fixable = r.findings.filter((f) => f.fix);
  type Item = vscode.QuickPickItem & { codes: string[]; edit?: PathFinding };
  const items: Item[] = [
    ...(fixable.length > 1 ? [{ label: `$(tools) Fix all ${fixable.length}`, description: fixable.map((f) => f.code).join(', '), codes: fixable.map((f) => f.code) }] : []),
    ...r.findings.map((f): Item => ({
      label: `${f.severity === 'error' ? '$(error)' : '$(warning)'} ${f.message}`,
      description: f.subject,
      detail: `${f.why}${f.fix ? ` — fix: ${f.fix.summary}` : ' — no automatic fix'}`,
      codes: f.fix ? [f.code] : [],
    })),
    // the doctor followed the path of each failed reach test of the file
    ...paths.map((p): Item => ({
      label: `$(debug-disconnect) ${p.finding}`,
      description: p.test,
      detail: p.fix ? `${p.fix.where === 'file' ? 'fix in the file (a preview first)' : 'fix'}: ${p.fix.summary}` : 'no fix known',
      codes: [],
      ...(p.fix?.where === 'file' ? { edit: p } : {}),
    })),
  ];
  const trusted = vscode.workspace.isTrusted;
  const count = r.findings.length + paths.length;
  const pick = await vscode.window.showQuickPick(trusted ? items : items.filter((i) => !i.label.startsWith('$(tools)')),
    { placeHolder: trusted ? `${count} finding(s) in '${t.name}': pick one to fix it` : `${count} finding(s) in '${t.name}' (fixes change the machine: trust the workspace to use them)`, matchOnDetail: true });
  if (pick?.edit?.fix?.where === 'file') { await applyFix(d.doc.uri, analyses, pick.edit.fix); return; }
  if (!pick?.codes.length || !trusted) return;
  try {
    const res = await session.api.doctor({ topology: t, fix: pick.codes });
    void vscode.window.showInformationMessage(`Fixed ${(res.fixed ?? []).join(', ')}. ${res.findings.length ? `${res.findings.length} finding(s) remain.` : 'No problems remain.'}`);
  } catch (e) { void vscode.window.showErrorMessage(`The fix failed: ${(e as Error).message}`); }
}
