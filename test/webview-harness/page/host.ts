/**
 * A stand-in for the extension host in a plain browser page: it provides acquireVsCodeApi(),
 * answers 'ready' with a 'document', applies gestures to the text with src/core/edits.ts and
 * validates like the real provider (refusing edits that add errors), so the canvas can be
 * driven end to end without VS Code. Everything it does is logged on window.__harness.
 *
 * Query parameters: file=<example name> (the page embeds it), n=<count> (generated),
 * labels=all|names|none, grid=0|1, trusted=0|1, theme=light|dark|hc.
 */
import '../../../webview/zod-setup.js';
import { EditError, applyGesture, minimalEdit, type GestureInput } from '../../../src/core/edits.js';
import { parseJsonText } from '../../../src/core/json.js';
import type { Topology } from '../../../src/core/model.js';
import { validateText } from '../../../src/core/validate.js';
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

function applyEdit(g: GestureInput): { ok: boolean; message?: string; diagnostics?: ReturnType<typeof validateText>['diagnostics'] } {
  const before = validateText(text);
  const parsed = parseJsonText(text);
  if (parsed.diagnostics.length) return { ok: false, message: 'the file is not valid JSON', diagnostics: parsed.diagnostics };
  let next: string;
  try {
    next = applyGesture(text, (before.topology ?? parsed.value) as Topology, g);
  } catch (e) {
    if (e instanceof EditError) return { ok: false, message: e.message };
    throw e;
  }
  const after = validateText(next);
  const key = (d: { code: string; path: unknown[]; message: string }) => `${d.code}|${d.path.join('.')}|${d.message}`;
  const had = new Set(before.diagnostics.filter((d) => d.severity === 'error').map(key));
  const added = after.diagnostics.filter((d) => d.severity === 'error' && !had.has(key(d)));
  if (added.length) return { ok: false, message: added[0]!.message, diagnostics: added };
  if (minimalEdit(text, next)) { text = next; version++; }
  return { ok: true };
}

function receive(raw: unknown): void {
  const parsed = parseMessage(FromWebview, raw);
  log.push({ dir: 'in', t: performance.now(), msg: raw });
  if (!parsed.ok) { errors.push(`invalid message from the webview: ${parsed.reason}`); return; }
  const msg = parsed.msg;
  // like VS Code: asynchronous delivery
  setTimeout(() => {
    switch (msg.type) {
      case 'ready': sendDocument(); break;
      case 'edit': {
        const r = applyEdit(msg.gesture as GestureInput);
        send({ type: 'edit-result', id: msg.id, ok: r.ok, ...(r.message ? { message: r.message } : {}), ...(r.diagnostics ? { diagnostics: r.diagnostics.map((d) => ({ ...d })) } : {}) });
        sendDocument();
        break;
      }
      case 'command': send({ type: 'command-result', id: msg.id, ok: true }); break;
      case 'export-image': exports.push({ format: msg.format, data: msg.data }); break;
      case 'error': errors.push(msg.message); console.error(`webview error: ${msg.message}`); break;
    }
  }, 0);
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
};
(window as unknown as { __harness: typeof harness }).__harness = harness;
(window as unknown as { acquireVsCodeApi: () => VsCodeApi }).acquireVsCodeApi = () => ({
  postMessage: receive,
  getState: () => state,
  setState: (s: unknown) => { state = s; },
});
