/**
 * The canvas: a CustomTextEditorProvider for *.netns.json. The TextDocument is the model:
 * gestures from the webview become one minimal WorkspaceEdit each, so undo/redo, dirty state,
 * save, revert and hot exit are VS Code's own; any change of the text (canvas, text editor,
 * undo, revert) is sent back to the webview.
 */
import * as vscode from 'vscode';
import type { Diagnostic } from '../core/model/diagnostics.js';
import { decideEdit } from '../core/edit/edit-policy.js';
import type { Gesture } from '../core/edit/gestures.js';
import type { LiveMarks } from '../core/diagnose/livemarks.js';
import type { Topology } from '../core/model/model.js';
import { networkKey } from '../core/diagnose/reach-paint.js';
import { buildIndex } from '../core/model/topo-index.js';
import { FromWebview, ToWebview, WEBVIEW_PROTOCOL, parseMessage, type MatrixPaint, type ViewSettings } from '../shared/protocol.js';
import type { TopologyAnalyses } from './documents.js';
import { writeImage } from './files.js';
import { CANVAS_COMMANDS, type CanvasCommandName } from '../shared/canvas-commands.js';
import { canvasHtml, makeNonce } from './webview-html.js';

export { VIEW_TYPE } from './ids.js';

export interface EditorHooks {
  /** the live decoration of a valid topology (undefined when the helper cannot be reached) */
  liveMarks(t: Topology): Promise<LiveMarks | undefined>;
  /** fired when the machine changed; the canvas then asks for fresh marks */
  onLiveChange: vscode.Event<unknown>;
  /** the canvas looks at the live state while it is visible */
  watchLive(user: object, on: boolean): void;
  setLinkState(ns: string | null, name: string, up: boolean): Promise<void>;
  /** names on the machine (namespaces, host interfaces) and their owners, when known: new nodes' names skip them */
  machineNames?(): ReadonlyMap<string, string | undefined> | undefined;
}

interface Canvas {
  document: vscode.TextDocument;
  panel: vscode.WebviewPanel;
  post(msg: ToWebview): void;
  pendingImage?: (format: 'png' | 'svg', data: string) => void;
  /** the connectivity paint shown, and the network it was measured on */
  matrix?: { key: string; paint: MatrixPaint };
}

/**
 * A canvas button runs the palette's command on the canvas's document. A command on a node
 * (Open Terminal) is not awaited: the canvas does not wait for the terminal.
 */
async function runCanvasCommand(name: CanvasCommandName, uri: vscode.Uri, node?: string): Promise<void> {
  const c: { command: string; arg?: 'uri' | 'node' } = CANVAS_COMMANDS[name];
  if (c.arg === 'node') void vscode.commands.executeCommand(c.command, node);
  else await vscode.commands.executeCommand(c.command, uri);
}

function settings(): ViewSettings {
  const c = vscode.workspace.getConfiguration('netnsLab.canvas');
  const labels = c.get<string>('labels');
  return {
    labels: labels === 'names' || labels === 'none' ? labels : 'all',
    gridSnap: c.get<boolean>('gridSnap') ?? true,
    gridSize: Math.min(200, Math.max(5, Math.round(c.get<number>('gridSize') ?? 20))),
  };
}

type EditOutcome = { ok: boolean; message?: string; diagnostics?: Diagnostic[]; insistable?: true };

export class TopologyEditorProvider implements vscode.CustomTextEditorProvider {
  private readonly canvases = new Set<Canvas>();
  /** the edits in flight, in order (see applyEdit) */
  private edits: Promise<unknown> = Promise.resolve();
  private active: Canvas | undefined;

  /** the provider and its listeners; extension.ts registers it with VS Code (as VIEW_TYPE, EDITOR_OPTIONS) */
  static register(context: vscode.ExtensionContext, analyses: TopologyAnalyses, hooks: EditorHooks): TopologyEditorProvider {
    const p = new TopologyEditorProvider(context, analyses, hooks);
    context.subscriptions.push(
      vscode.workspace.onDidChangeConfiguration((e) => { if (e.affectsConfiguration('netnsLab.canvas')) p.refreshAll(); }),
      vscode.workspace.onDidGrantWorkspaceTrust(() => p.refreshAll()),
    );
    return p;
  }

  private constructor(private readonly context: vscode.ExtensionContext, private readonly analyses: TopologyAnalyses, private readonly hooks: EditorHooks) {}

  /** the network key of a document's text (undefined: not a valid topology) */
  private keyOf(document: vscode.TextDocument): string | undefined {
    const a = this.analyses.of(document);
    return a.valid ? networkKey(a.topology!) : undefined;
  }

  /** the document of the canvas that has focus (or was focused last) */
  activeDocument(): vscode.TextDocument | undefined {
    return this.active?.document;
  }

  /** ask a canvas on this document to render an image; resolves with the data */
  requestImage(uri: vscode.Uri, format: 'png' | 'svg'): Promise<string> {
    const c = [...this.canvases].find((x) => x.document.uri.toString() === uri.toString());
    if (!c) return Promise.reject(new Error('open the topology in the canvas editor to export an image'));
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => { c.pendingImage = undefined; reject(new Error('the canvas did not answer')); }, 15_000);
      c.pendingImage = (f, data) => { clearTimeout(timer); c.pendingImage = undefined; if (f === format) resolve(data); else reject(new Error('wrong image format')); };
      c.post({ type: 'export-image', format });
    });
  }

  /** send an action (fit, layout, ...) to the active canvas */
  action(a: Extract<ToWebview, { type: 'action' }>['action']): void {
    this.active?.post({ type: 'action', action: a });
  }

  /**
   * Paint the results of Test Connectivity on every canvas of this document, unless the network
   * in the file changed since the probes ran for `t` (the paint would then be wrong).
   */
  paintMatrix(uri: vscode.Uri, t: Topology, paint: MatrixPaint): number {
    const key = networkKey(t);
    let painted = 0;
    for (const c of this.canvases) {
      if (c.document.uri.toString() !== uri.toString() || this.keyOf(c.document) !== key) continue;
      c.matrix = { key, paint };
      c.post({ type: 'matrix', paint });
      painted++;
    }
    return painted;
  }

  /** after a change of the text: clear a paint measured on another network */
  private dropStaleMatrix(c: Canvas): void {
    if (c.matrix && this.keyOf(c.document) !== c.matrix.key) {
      c.matrix = undefined;
      c.post({ type: 'matrix', paint: null });
    }
  }

  private refreshAll(): void {
    for (const c of this.canvases) this.sendDocument(c);
  }

  private sendDocument(c: Canvas): void {
    const { parsed, diagnostics } = this.analyses.of(c.document);
    c.post({
      type: 'document', v: WEBVIEW_PROTOCOL, version: c.document.version,
      topology: parsed.diagnostics.length ? null : parsed.value,
      diagnostics, unreadable: parsed.diagnostics.length > 0,
      settings: settings(), trusted: vscode.workspace.isTrusted,
    });
  }

  async resolveCustomTextEditor(document: vscode.TextDocument, panel: vscode.WebviewPanel): Promise<void> {
    const webview = panel.webview;
    this.loadPage(webview);
    const canvas: Canvas = {
      document, panel,
      post: (msg) => {
        // the host validates what it sends too: a bug here must not reach the webview
        const ok = ToWebview.safeParse(msg);
        if (ok.success) void webview.postMessage(ok.data);
        else console.error('netns-lab: refusing to post an invalid message', ok.error.issues[0]);
      },
    };
    this.canvases.add(canvas);
    if (panel.active) this.active = canvas;
    let ready = false;
    let timer: ReturnType<typeof setTimeout> | undefined;
    let liveTimer: ReturnType<typeof setTimeout> | undefined;
    const sendLive = () => {
      clearTimeout(liveTimer);
      liveTimer = setTimeout(async () => {
        const t = this.analyses.of(document).topology;
        if (!t || !panel.visible) return;
        const m = await this.hooks.liveMarks(t).catch(() => undefined);
        if (m) canvas.post({ type: 'live', ...m });
      }, 250);
    };
    const liveUser = {};
    const syncLive = () => { this.hooks.watchLive(liveUser, panel.visible); if (panel.visible && ready) sendLive(); };
    const subs = [
      vscode.workspace.onDidChangeTextDocument((e) => {
        if (e.document.uri.toString() !== document.uri.toString() || !ready) return;
        clearTimeout(timer);
        timer = setTimeout(() => { this.dropStaleMatrix(canvas); this.sendDocument(canvas); sendLive(); }, 16);
      }),
      panel.onDidChangeViewState(() => { if (panel.active) this.active = canvas; syncLive(); }),
      this.hooks.onLiveChange(() => { if (ready && panel.visible) sendLive(); }),
      webview.onDidReceiveMessage(async (raw: unknown) => {
        const parsed = parseMessage(FromWebview, raw);
        if (!parsed.ok) {
          console.warn(`netns-lab: ignored a malformed message from the canvas: ${parsed.reason}`);
          return;
        }
        await this.onMessage(canvas, parsed.msg, () => {
          ready = true;
          this.sendDocument(canvas);
          if (canvas.matrix) canvas.post({ type: 'matrix', paint: canvas.matrix.paint });
          syncLive();
        });
      }),
    ];
    panel.onDidDispose(() => {
      clearTimeout(timer);
      clearTimeout(liveTimer);
      this.hooks.watchLive(liveUser, false);
      this.canvases.delete(canvas);
      if (this.active === canvas) this.active = undefined;
      for (const s of subs) s.dispose();
    });
  }
  /** the canvas page in the panel: its script from dist/, its style and icons from media/, a fresh nonce */
  private loadPage(webview: vscode.Webview): void {
    const ext = this.context.extensionUri;
    webview.options = {
      enableScripts: true,
      localResourceRoots: [vscode.Uri.joinPath(ext, 'dist'), vscode.Uri.joinPath(ext, 'media')],
    };
    webview.html = canvasHtml({
      cspSource: webview.cspSource,
      nonce: makeNonce(),
      scriptUri: webview.asWebviewUri(vscode.Uri.joinPath(ext, 'dist', 'webview.js')).toString(),
      styleUri: webview.asWebviewUri(vscode.Uri.joinPath(ext, 'media', 'canvas.css')).toString(),
      iconsBaseUri: webview.asWebviewUri(vscode.Uri.joinPath(ext, 'media', 'icons')).toString(),
    });
  }

  /** one message of the canvas, already checked against the protocol; onReady: the page is listening */
  private async onMessage(canvas: Canvas, msg: FromWebview, onReady: () => void): Promise<void> {
    const { document } = canvas;
    switch (msg.type) {
      case 'ready':
        onReady();
        break;
      case 'clear-matrix':
        canvas.matrix = undefined;
        break;
      case 'link-state': {
        const t = this.analyses.of(document).topology;
        const ends = t ? buildIndex(t).ends.get(msg.link) : undefined;
        const f = ends?.find((e) => e.side === msg.side);
        try {
          if (!f) throw new Error(`there is no link ${msg.link} in the file`);
          await this.hooks.setLinkState(f.scope, f.name, msg.up);
          canvas.post({ type: 'command-result', id: msg.id, ok: true });
        } catch (e) {
          canvas.post({ type: 'command-result', id: msg.id, ok: false, message: (e as Error).message });
        }
        break;
      }
      case 'edit': {
        const r = await this.applyEdit(document, msg.gesture, msg.insist);
        canvas.post({ type: 'edit-result', id: msg.id, ok: r.ok, ...(r.message ? { message: r.message } : {}), ...(r.diagnostics ? { diagnostics: r.diagnostics } : {}), ...(r.insistable ? { insistable: true } : {}) });
        if (!r.ok) this.sendDocument(canvas); // redraw from the file: no optimistic state survives a refusal
        break;
      }
      case 'command':
        try {
          await runCanvasCommand(msg.command, document.uri, msg.node);
          canvas.post({ type: 'command-result', id: msg.id, ok: true });
        } catch (e) {
          canvas.post({ type: 'command-result', id: msg.id, ok: false, message: (e as Error).message });
        }
        break;
      case 'export-image':
        if (canvas.pendingImage) canvas.pendingImage(msg.format, msg.data);
        else await writeImage(document.uri, msg.format, msg.data);
        break;
      case 'error':
        console.error(`netns-lab canvas: ${msg.message}`);
        break;
    }
  }


  /** a gesture -> one minimal edit of the document, refused as core's edit policy says */
  /**
   * One edit at a time: each is decided on the text the one before it left (two decided on the
   * same text would place the second at offsets the first moved, or lose it).
   */
  applyEdit(document: vscode.TextDocument, gesture: Gesture, insist?: boolean): Promise<EditOutcome> {
    const run = this.edits.then(() => this.applyEditNow(document, gesture, insist));
    this.edits = run.catch(() => undefined);
    return run;
  }

  private async applyEditNow(document: vscode.TextDocument, gesture: Gesture, insist?: boolean): Promise<EditOutcome> {
    const pool = vscode.workspace.getConfiguration('netnsLab').get<string>('addressPool');
    const machine = this.hooks.machineNames?.();
    const d = decideEdit(document.getText(), gesture, { ...(pool ? { pool } : {}), ...(machine ? { machine } : {}), ...(insist ? { insist } : {}) });
    if (!d.ok) return d;
    const e = d.edit;
    if (!e) return { ok: true };
    const we = new vscode.WorkspaceEdit();
    we.replace(document.uri, new vscode.Range(document.positionAt(e.offset), document.positionAt(e.offset + e.length)), e.text);
    const ok = await vscode.workspace.applyEdit(we);
    return ok ? { ok: true } : { ok: false, message: 'VS Code refused the edit (is the file read-only?)' };
  }
}
