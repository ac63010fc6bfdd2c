/**
 * A stand-in for the extension host in a plain browser page: it provides acquireVsCodeApi(),
 * answers 'ready' with a 'document', decides and applies gestures with the product's edit policy
 * (src/core/edit/edit-policy.ts: the real provider's), so the canvas can be
 * driven end to end without VS Code. Everything it does is logged on window.__harness.
 *
 * Query parameters: file=<example name> (the page embeds it), n=<count> (generated),
 * labels=all|names|none, grid=0|1, trusted=0|1, theme=light|dark|hc.
 */
import '../../../webview/zod-setup.js';
import type { Diagnostic } from '../../../src/core/model/diagnostics.js';
import { decideEdit } from '../../../src/core/edit/edit-policy.js';
import type { Gesture } from '../../../src/core/edit/gestures.js';
import { parseJsonText } from '../../../src/core/model/json.js';
import { validateText } from '../../../src/core/model/validate.js';
import { FromWebview, ToWebview, WEBVIEW_PROTOCOL, parseMessage } from '../../../src/shared/protocol.js';
import { generateTopology } from './generate.js';

interface LogEntry { dir: 'in' | 'out'; t: number; msg: unknown }

const params = new URLSearchParams(location.search);
const n = Number(params.get('n') ?? 0);
const embedded = JSON.parse(document.getElementById('harness-doc-json')?.textContent ?? '""') as string;
let text = n > 0 ? JSON.stringify(generateTopology(n), null, 2) : embedded;
let version = 1;
let state: unknown = undefined;
const log: LogEntry[] = [];
const exports: { format: string; data: string }[] = [];
const errors: string[] = [];
let postedAt = 0;

const theme = params.get('theme');
if (theme) document.body.classList.add(theme === 'hc' ? 'vscode-high-contrast' : theme === 'light' ? 'vscode-light' : 'vscode-dark');
else document.body.classList.add('vscode-dark');

function send(msg: ToWebview): void {
  const ok = ToWebview.safeParse(msg);
  if (!ok.success) throw new Error(`harness: invalid message ${JSON.stringify(ok.error.issues[0])}`);
  log.push({ dir: 'out', t: performance.now(), msg });
  if (msg.type === 'document') postedAt = performance.now();
  window.postMessage(msg, '*');
}

function sendDocument(): void {
  const parsed = parseJsonText(text);
  const diagnostics = parsed.diagnostics.length ? parsed.diagnostics : validateText(text).diagnostics;
  send({
    type: 'document', v: WEBVIEW_PROTOCOL, version,
    topology: parsed.diagnostics.length ? null : parsed.value,
    diagnostics: diagnostics.map((d) => ({ ...d })), unreadable: parsed.diagnostics.length > 0,
    settings: {
      labels: (params.get('labels') as 'all' | 'names' | 'none' | null) ?? 'all',
      gridSnap: params.get('grid') !== '0',
      gridSize: 20,
    },
    trusted: params.get('trusted') !== '0',
  });
}

/** the product's edit policy (src/core/edit/edit-policy.ts), applied to the page's text */
function applyEdit(g: Gesture, insist?: boolean): { ok: boolean; message?: string; diagnostics?: Diagnostic[]; insistable?: true } {
  const d = decideEdit(text, g, insist ? { insist } : {});
  if (!d.ok) return d;
  if (d.edit) {
    text = text.slice(0, d.edit.offset) + d.edit.text + text.slice(d.edit.offset + d.edit.length);
    version++;
  }
  return { ok: true };
}

let held: (() => void)[] | undefined;

function receive(raw: unknown): void {
  const parsed = parseMessage(FromWebview, raw);
  log.push({ dir: 'in', t: performance.now(), msg: raw });
  if (!parsed.ok) { errors.push(`invalid message from the webview: ${parsed.reason}`); return; }
  const msg = parsed.msg;
  // like VS Code: asynchronous delivery (held while a test holds the host, to order the answers)
  const answer = () => {
    switch (msg.type) {
      case 'ready': sendDocument(); break;
      case 'edit': {
        const r = applyEdit(msg.gesture, msg.insist);
        send({ type: 'edit-result', id: msg.id, ok: r.ok, ...(r.message ? { message: r.message } : {}), ...(r.diagnostics ? { diagnostics: r.diagnostics.map((d) => ({ ...d })) } : {}), ...(r.insistable ? { insistable: true } : {}) });
        sendDocument();
        break;
      }
      case 'command': send({ type: 'command-result', id: msg.id, ok: true }); break;
      case 'export-image': exports.push({ format: msg.format, data: msg.data }); break;
      case 'error': errors.push(msg.message); console.error(`webview error: ${msg.message}`); break;
    }
  };
  if (held) held.push(answer); else setTimeout(answer, 0);
}

const harness = {
  log, exports, errors,
  get text() { return text; },
  get version() { return version; },
  get postedAt() { return postedAt; },
  /** replace the file's text (as a text editor would) */
  setText(t: string) { text = t; version++; sendDocument(); },
  /** send any host message (e.g. {type:'export-image', format:'png'}) */
  send(msg: ToWebview) { send(msg); },
  /** hold the host's answers (an edit in flight) until release() */
  hold() { held ??= []; },
  release() { const q = held ?? []; held = undefined; for (const a of q) setTimeout(a, 0); },
};
(window as unknown as { __harness: typeof harness }).__harness = harness;
(window as unknown as { acquireVsCodeApi: () => VsCodeApi }).acquireVsCodeApi = () => ({
  postMessage: receive,
  getState: () => state,
  setState: (s: unknown) => { state = s; },
});
