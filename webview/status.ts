/**
 * The status bar under the canvas: what the drawing holds and what is selected (left), the
 * first problem as a link to its element (middle), and the current mode or a short message
 * (right: a flash that fades after a few seconds).
 */
import type { ToWebview } from '../src/shared/protocol.js';
import { byId } from './dom.js';
import { diagText, firstProblem, summary, type BuildResult, type NodeKind, type TopologyView } from './model.js';

type DocumentMsg = Extract<ToWebview, { type: 'document' }>;

/** what the status bar shows, read from the app whenever it refreshes */
export interface StatusInput {
  doc: DocumentMsg | undefined;
  view: TopologyView;
  build: BuildResult;
  /** selected nodes and links */
  selected: number;
  placeKind: NodeKind | undefined;
  linkMode: boolean;
}

export type FlashKind = 'error' | 'info';

export class StatusBar {
  private readonly left = byId('status-summary');
  private readonly problem = byId('status-problem');
  private readonly right = byId('status-info');
  private flashed: { text: string; kind: FlashKind } | undefined;
  private flashTimer: ReturnType<typeof setTimeout> | undefined;

  /** `select` shows an element (undefined: clear the selection, for a problem of the whole file) */
  constructor(private readonly read: () => StatusInput, private readonly select: (id: string | undefined) => void) {}

  /** a short message on the right (errors stay longer) */
  flash(text: string, kind: FlashKind): void {
    this.flashed = { text, kind };
    clearTimeout(this.flashTimer);
    this.flashTimer = setTimeout(() => { this.flashed = undefined; this.refresh(); }, kind === 'error' ? 8000 : 3000);
    this.refresh();
  }

  refresh(): void {
    const s = this.read();
    const doc = s.doc;
    if (!doc) { this.left.textContent = 'Loading…'; return; }
    if (doc.unreadable) { this.unreadable(doc); return; }
    this.left.textContent = `${summary(s.view)}${s.selected ? ` — ${s.selected} selected` : ''}`;
    this.problems(s, doc);
    const mode = s.placeKind
      ? `Click the canvas to place a ${s.placeKind} — Esc cancels`
      : s.linkMode ? 'Link mode: drag from a node to another (or click both) — Esc ends' : '';
    this.right.textContent = this.flashed ? this.flashed.text : mode;
    this.right.className = this.flashed ? `status-info ${this.flashed.kind}` : 'status-info';
  }

  private unreadable(doc: DocumentMsg): void {
    this.left.textContent = 'Not valid JSON';
    this.problem.replaceChildren();
    const d = doc.diagnostics[0];
    if (d) this.problem.textContent = `${d.line ? `line ${d.line}: ` : ''}${d.message}`;
    this.problem.className = 'status-problem error';
  }

  private problems(s: StatusInput, doc: DocumentMsg): void {
    const errors = doc.diagnostics.filter((d) => d.severity === 'error').length;
    const warnings = doc.diagnostics.length - errors;
    const fp = firstProblem(s.build.diagnostics, s.view);
    this.problem.replaceChildren();
    this.problem.className = 'status-problem';
    if (!fp) return;
    const counts = [errors ? `${errors} error${errors === 1 ? '' : 's'}` : '', warnings ? `${warnings} warning${warnings === 1 ? '' : 's'}` : ''].filter(Boolean).join(', ');
    const b = document.createElement('button');
    b.type = 'button';
    b.className = `status-link ${fp.diag.severity}`;
    b.textContent = `${counts}: ${diagText(fp.diag)}`;
    b.title = fp.id ? 'Select the element with this problem' : 'Show all problems';
    b.addEventListener('click', () => this.select(fp.id));
    this.problem.append(b);
  }
}
