/**
 * The canvas's keys (outside text fields and the open context menu): Escape leaves a mode,
 * then clears the selection, then the connectivity paint; Ctrl+A selects all; Ctrl+C / Ctrl+V
 * where no clipboard event comes; the arrows move the selection by grid steps; Delete, + / -,
 * F (fit), L (link mode), F2 (rename). Also the palette's drag and drop onto the canvas, and
 * the keyboard focus a click on the canvas gives it.
 */
import { NODE_KINDS } from '../src/core/edit/gestures.js';
import type { Gesture } from '../src/shared/protocol.js';
import type { Canvas } from './canvas.js';
import type { Clipboard } from './clipboard.js';
import { fromEditable } from './dom.js';
import type { NodeKind, Pos } from './model.js';
import { NODE_DRAG_TYPE } from './toolbar.js';

export interface KeyHost {
  readonly canvas: Canvas;
  readonly clipboard: Clipboard;
  menuOpen(): boolean;
  /** the toolbar and status bar follow a change of mode */
  refreshChrome(): void;
  clearReach(): void;
  deleteSelection(): void;
  rename(): void;
  edit(g: Gesture): void;
  addNode(kind: NodeKind, position: Pos): void;
}

const ARROWS: Record<string, [number, number]> = { ArrowLeft: [-1, 0], ArrowRight: [1, 0], ArrowUp: [0, -1], ArrowDown: [0, 1] };

export function bindKeys(host: KeyHost, panel: HTMLElement): void {
  document.addEventListener('keydown', (e) => {
    if (host.menuOpen() || fromEditable(e)) return;
    const inPanel = e.composedPath().includes(panel);
    if (e.key === 'Escape') { escape(host, e, inPanel); return; }
    if (inPanel || e.altKey) return;
    if (e.ctrlKey || e.metaKey) { withModifier(host, e); return; }
    const arrow = ARROWS[e.key];
    if (arrow) { nudge(host, e, arrow); return; }
    if (plainKey(host, e.key)) e.preventDefault();
  });
}

function escape(host: KeyHost, e: KeyboardEvent, inPanel: boolean): void {
  const c = host.canvas;
  if (c.cancelModes()) { host.refreshChrome(); e.preventDefault(); return; }
  if (inPanel) return;
  // Escape: the selection first, then the connectivity paint
  if (c.selectedNodes().length || c.selectedLinks().length) c.clearSelection();
  else host.clearReach();
  e.preventDefault();
}

function withModifier(host: KeyHost, e: KeyboardEvent): void {
  const k = e.key.toLowerCase();
  if (k === 'a') { host.canvas.selectAll(); e.preventDefault(); return; }
  // Ctrl+C / Ctrl+V normally arrive as copy / paste events (clipboard.ts); where the embedder
  // turns them into no such event, the key does it: copy at once (idempotent), paste unless a
  // paste event follows right away
  if (e.shiftKey) return;
  if (k === 'c') host.clipboard.copy(true);
  else if (k === 'v') host.clipboard.pasteSoon(e);
}

function nudge(host: KeyHost, e: KeyboardEvent, [dx, dy]: [number, number]): void {
  if (!host.canvas.selectedNodes().length) return;
  const steps = e.shiftKey ? 5 : 1;
  const moves = host.canvas.nudge(dx * steps, dy * steps);
  if (moves.length) host.edit({ kind: 'move', moves });
  e.preventDefault();
}

/** a key without modifiers; true when it was one of ours */
function plainKey(host: KeyHost, key: string): boolean {
  const c = host.canvas;
  switch (key) {
    case 'Delete': case 'Backspace': host.deleteSelection(); return true;
    case '+': case '=': c.zoomBy(1.25); return true;
    case '-': case '_': c.zoomBy(0.8); return true;
    case 'f': case 'F': c.fit(); return true;
    case 'l': case 'L': c.setLinkMode(!c.linkMode); host.refreshChrome(); return true;
    case 'F2': host.rename(); return true;
    default: return false;
  }
}

/** drag from the palette onto the canvas; a click on the canvas gives it the keyboard focus */
export function bindCanvasDrop(host: KeyHost, el: HTMLElement): void {
  el.addEventListener('dragover', (e) => {
    if (!e.dataTransfer?.types.includes(NODE_DRAG_TYPE)) return;
    e.preventDefault();
    e.dataTransfer.dropEffect = 'copy';
    el.classList.add('drop-target');
  });
  el.addEventListener('dragleave', () => el.classList.remove('drop-target'));
  el.addEventListener('drop', (e) => {
    el.classList.remove('drop-target');
    const data = e.dataTransfer?.getData(NODE_DRAG_TYPE);
    const kind = NODE_KINDS.find((k) => k === data);
    if (!kind) return;
    e.preventDefault();
    host.canvas.setPlaceMode(undefined);
    host.addNode(kind, host.canvas.snapped(host.canvas.modelPosition(e.clientX, e.clientY)));
    host.refreshChrome();
  });
  // (so Delete / arrows / Ctrl+C work; the focus ring is for keyboard focus only)
  el.addEventListener('mousedown', () => {
    el.classList.add('pointer-focus');
    if (document.activeElement !== el) el.focus({ preventScroll: true });
  });
  el.addEventListener('blur', () => el.classList.remove('pointer-focus'));
}
