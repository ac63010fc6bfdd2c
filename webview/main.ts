/**
 * The canvas webview. It runs nothing and trusts nothing: it draws the 'document' the host
 * sends (validated with the shared schemas) and answers every user gesture with a message
 * (also validated before it leaves). What it shows always comes from the last document: a
 * refused edit puts the drawing back as the file says.
 */
import './zod-setup.js';
import '@vscode-elements/elements/dist/vscode-context-menu/index.js';
import type { VscodeContextMenu } from '@vscode-elements/elements/dist/vscode-context-menu/vscode-context-menu.js';
import {
  FromWebview, MAX_MESSAGE_BYTES, ToWebview, WEBVIEW_PROTOCOL, parseMessage,
  type Gesture, type ViewSettings,
} from '../src/shared/protocol.js';
import { Canvas, type Move } from './canvas.js';
import {
  HOST_ID, buildElements, clipboardText, diagText, firstProblem, nextLabelMode, nodeId, parseClipboard, pastePayload,
  readTopology, summary,
  type BuildResult, type Diag, type LabelMode, type NodeKind, type PastePayload, type TopologyView,
} from './model.js';
import { Panel, type PanelTarget } from './panel.js';
import { readTheme, watchTheme } from './theme.js';
import { NODE_DRAG_TYPE, Toolbar, type HostCommandName } from './toolbar.js';

type DocumentMsg = Extract<ToWebview, { type: 'document' }>;
type ActionMsg = Extract<ToWebview, { type: 'action' }>;
type LiveMsg = Extract<ToWebview, { type: 'live' }>;
type Paint = NonNullable<Extract<ToWebview, { type: 'matrix' }>['paint']>;

interface SavedState {
  viewport?: { zoom: number; pan: { x: number; y: number } };
  labels?: LabelMode;
  /** the setting the override was made against: a changed setting wins again */
  labelsSetting?: LabelMode;
}

interface PendingEdit {
  gesture: Gesture;
  field: string | undefined;
}

const NODE_KINDS: readonly NodeKind[] = NODE_KIND_LIST;

function byId<T extends HTMLElement>(id: string): T {
  const el = document.getElementById(id);
  if (!el) throw new Error(`the page has no #${id}`);
  return el as T;
}

/** is the event aimed at something that edits text (so the canvas keys stay out of it)? */
function fromEditable(e: Event): boolean {
  return e.composedPath().some((t) => {
    if (!(t instanceof HTMLElement)) return false;
    const tag = t.tagName;
    return tag === 'INPUT' || tag === 'TEXTAREA' || tag === 'SELECT' || t.isContentEditable
      || tag === 'VSCODE-TEXTFIELD' || tag === 'VSCODE-TEXTAREA' || tag === 'VSCODE-SINGLE-SELECT';
  });
}

class App {
  private readonly vscode = acquireVsCodeApi();
  private readonly canvas: Canvas;
  private readonly panel: Panel;
  private readonly toolbar: Toolbar;
  private readonly statusLeft = byId('status-summary');
  private readonly statusProblem = byId('status-problem');
  private readonly statusRight = byId('status-info');
  private readonly overlay = byId('overlay');
  private readonly menu: VscodeContextMenu;
  private menuPos: { x: number; y: number } | undefined;

  private doc: DocumentMsg | undefined;
  private view: TopologyView = readTopology(undefined);
  private build: BuildResult = buildElements(this.view, [], 'all');
  private settings: ViewSettings = { labels: 'all', gridSnap: true, gridSize: 20 };
  private saved: SavedState;
  private nextId = 1;
  /** the live decoration while the topology runs (undefined: not applied) */
  private live: LiveMsg | undefined;
  /** the last Test Connectivity painted on the drawing (undefined: none) */
  private reach: Paint | undefined;
  private readonly legend: HTMLElement;
  private readonly pending = new Map<number, PendingEdit>();
  /** select what the next document adds (after our own add-node / add-link / paste) */
  private selectNew = false;
  private selectAfterRename: string | undefined;
  private clipboard: PastePayload | undefined;
  private pasteCount = 0;
  private flash: { text: string; kind: 'error' | 'info' } | undefined;
  private flashTimer: ReturnType<typeof setTimeout> | undefined;
  private selectionTimer: ReturnType<typeof setTimeout> | undefined;
  private pasteFallback: ReturnType<typeof setTimeout> | undefined;
  private saveTimer: ReturnType<typeof setTimeout> | undefined;

  constructor() {
    this.saved = (this.vscode.getState() as SavedState | undefined) ?? {};
    this.canvas = new Canvas(byId('canvas'), {
      selectionChanged: () => this.selectionChanged(),
      moved: (moves) => this.edit({ kind: 'move', moves }),
      link: (a, b) => { this.selectNew = true; this.edit({ kind: 'add-link', a, b }); this.refreshChrome(); },
      place: (kind, position) => this.addNode(kind, position),
      contextMenu: (x, y, on) => this.openMenu(x, y, on),
      modeChanged: () => this.refreshChrome(),
      viewportChanged: () => this.saveState(),
    });
    this.panel = new Panel(byId('panel'), {
      edit: (g, field) => this.edit(g, field),
      openTerminal: (node) => this.command('openTerminal', node),
      select: (id) => { this.canvas.select([id]); this.canvas.reveal(id); },
      deleteSelection: () => this.deleteSelection(),
    });
    this.toolbar = new Toolbar(byId('toolbar'), {
      place: (kind) => this.togglePlace(kind),
      toggleLinkMode: () => { this.canvas.setLinkMode(!this.canvas.linkMode); this.refreshChrome(); },
      fit: () => this.canvas.fit(),
      layout: () => void this.autoLayout(),
      zoom: (f) => this.canvas.zoomBy(f),
      toggleLabels: () => this.toggleLabels(),
      exportImage: (format) => this.exportImage(format),
      command: (c) => this.command(c),
      clearReach: () => this.clearReach(),
    });
    this.legend = this.buildLegend();
    this.menu = document.createElement('vscode-context-menu');
    this.menu.id = 'context-menu';
    this.menu.addEventListener('vsc-context-menu-select', (e) => this.menuSelect((e as CustomEvent<{ value: string }>).detail.value));
    document.body.append(this.menu);

    this.applyTheme();
    watchTheme(() => this.applyTheme());
    this.bindDom();
    byId('overlay-open-text').addEventListener('click', () => this.command('openText'));
    window.addEventListener('message', (e: MessageEvent) => this.onMessage(e.data));
    window.addEventListener('error', (e) => this.reportError(`${e.message} (${e.filename}:${e.lineno})`));
    window.addEventListener('unhandledrejection', (e) => this.reportError(String((e as PromiseRejectionEvent).reason)));
    this.refreshChrome();
    this.post({ type: 'ready', v: WEBVIEW_PROTOCOL });
  }

  // -------------------------------------------------------------------------------------------
  // messages

  private post(msg: FromWebview): boolean {
    const r = FromWebview.safeParse(msg);
    if (!r.success) {
      const iss = r.error.issues[0];
      this.showFlash(`Not sent: ${iss ? `${iss.path.join('.')}: ${iss.message}` : 'invalid message'}`, 'error');
      return false;
    }
    this.vscode.postMessage(r.data);
    return true;
  }

  private reportError(message: string): void {
    this.vscode.postMessage({ type: 'error', message: message.slice(0, 4000) });
  }

  private onMessage(raw: unknown): void {
    const parsed = parseMessage(ToWebview, raw);
    if (!parsed.ok) {
      this.reportError(`ignored a malformed message from the host: ${parsed.reason}`);
      return;
    }
    const msg = parsed.msg;
    switch (msg.type) {
      case 'document': this.onDocument(msg); break;
      case 'edit-result': {
        const p = this.pending.get(msg.id);
        this.pending.delete(msg.id);
        if (msg.ok) { this.panel.clearRefusal(); break; }
        this.selectNew = false;
        this.selectAfterRename = undefined;
        const diags = (msg.diagnostics ?? []) as Diag[];
        const text = msg.message ?? (diags[0] ? diagText(diags[0]) : 'the edit was refused');
        this.showFlash(`Not changed: ${text}`, 'error');
        this.panel.showRefusal(p?.field, text, diags);
        // no optimistic state: back to what the file says (the host also resends the document)
        this.canvas.resetPositions();
        break;
      }
      case 'export-image': this.exportImage(msg.format); break;
      case 'command-result':
        if (!msg.ok) this.showFlash(msg.message ?? 'the command failed', 'error');
        break;
      case 'action': this.onAction(msg.action); break;
      case 'matrix':
        this.setReach(msg.paint ?? undefined);
        break;
      case 'live':
        // while the topology runs: missing / drifted nodes, links up (green) or down (red, dashed)
        this.live = msg.applied ? msg : undefined;
        this.canvas.setLive(this.live);
        this.refreshChrome();
        break;
    }
  }

  private onAction(a: ActionMsg['action']): void {
    switch (a) {
      case 'fit': this.canvas.fit(); break;
      case 'layout': void this.autoLayout(); break;
      case 'toggle-labels': this.toggleLabels(); break;
      case 'select-all': this.canvas.selectAll(); break;
      case 'delete-selection': this.deleteSelection(); break;
    }
  }

  private onDocument(doc: DocumentMsg): void {
    const t0 = performance.now();
    const first = !this.doc;
    const versionChanged = this.doc?.version !== doc.version;
    this.doc = doc;
    this.settings = doc.settings;
    if (this.saved.labelsSetting !== undefined && this.saved.labelsSetting !== doc.settings.labels) {
      // the setting changed since the toolbar override: the setting wins
      this.saved.labels = undefined;
      this.saved.labelsSetting = undefined;
    }
    if (versionChanged) this.panel.clearRefusal();
    this.overlay.hidden = !doc.unreadable;
    document.body.classList.toggle('unreadable', doc.unreadable);
    if (doc.unreadable) this.panel.showUnreadable();
    this.canvas.setGrid(doc.settings.gridSnap, doc.settings.gridSize);
    if (!doc.unreadable) { this.draw(); this.canvas.setLive(this.live); this.canvas.setReach(this.reach); }
    if (first) {
      if (this.saved.viewport) this.canvas.setViewport(this.saved.viewport);
      else this.canvas.fit();
    }
    this.refreshChrome();
    // for tests and benchmarks: the version drawn and how long it took to the next frame
    requestAnimationFrame(() => requestAnimationFrame(() => {
      document.body.dataset.drawnVersion = String(doc.version);
      document.body.dataset.drawMs = (performance.now() - t0).toFixed(1);
    }));
  }

  // -------------------------------------------------------------------------------------------
  // connectivity paint

  private setReach(paint: Paint | undefined): void {
    this.reach = paint;
    this.canvas.setReach(paint);
    const b = document.body.dataset;
    b.reach = paint ? 'painted' : 'none';
    b.reachProbes = String(paint?.probes ?? 0);
    b.reachFailed = String(paint?.failed ?? 0);
    this.updateLegend();
    this.refreshChrome();
  }

  /** the user's clear (toolbar, legend, Escape): the host forgets it too */
  private clearReach(): void {
    if (!this.reach) return;
    this.setReach(undefined);
    this.post({ type: 'clear-matrix' });
    this.showFlash('Connectivity results cleared', 'info');
  }

  private buildLegend(): HTMLElement {
    const el = document.createElement('div');
    el.id = 'reach-legend';
    el.className = 'reach-legend';
    el.setAttribute('role', 'region');
    el.setAttribute('aria-label', 'Connectivity results');
    el.hidden = true;
    byId('canvas').append(el);
    return el;
  }

  private updateLegend(): void {
    const p = this.reach;
    const el = this.legend;
    el.hidden = !p;
    el.replaceChildren();
    if (!p) { this.canvas.setBottomInset(0); return; }
    const head = document.createElement('div');
    head.className = 'reach-head';
    const title = document.createElement('strong');
    title.textContent = 'Connectivity';
    const sum = document.createElement('span');
    sum.className = 'reach-summary';
    const at = new Date(p.at);
    sum.textContent = `${p.probes - p.failed} of ${p.probes} reachable · ${(p.durationMs / 1000).toFixed(1)} s${Number.isNaN(at.getTime()) ? '' : ` · ${at.toLocaleTimeString()}`}`;
    const clear = document.createElement('button');
    clear.type = 'button';
    clear.className = 'reach-clear';
    clear.textContent = '✕';
    clear.title = 'Clear the connectivity results (Esc with nothing selected)';
    clear.setAttribute('aria-label', 'Clear the connectivity results');
    clear.addEventListener('click', () => this.clearReach());
    head.append(title, sum, clear);
    const keys = document.createElement('div');
    keys.className = 'reach-keys';
    for (const [st, text] of [['ok', 'all reached'], ['mixed', 'some failed'], ['fail', 'all failed']] as const) {
      const k = document.createElement('span');
      k.className = 'reach-key';
      const sw = document.createElement('span');
      sw.className = `reach-swatch ${st}`;
      k.append(sw, document.createTextNode(text));
      keys.append(k);
    }
    if (p.unplaced) {
      const u = document.createElement('span');
      u.className = 'reach-key reach-unplaced';
      u.textContent = `${p.unplaced} without a path in the drawing`;
      keys.append(u);
    }
    el.title = 'Halo: the pings across a link or from a namespace; the line itself keeps showing the link\'s state. Hover a node or link for each probe.';
    el.append(head, keys);
    this.canvas.setBottomInset(el.offsetHeight + 8);
  }

  private labels(): LabelMode {
    return this.saved.labels ?? this.settings.labels;
  }

  /** (re)draw the current document */
  private draw(): void {
    const doc = this.doc;
    if (!doc || doc.unreadable) return;
    this.view = readTopology(doc.topology);
    this.build = buildElements(this.view, doc.diagnostics as Diag[], this.labels());
    const added = this.canvas.render(this.view, this.build);
    if (this.selectAfterRename && this.view.byRef.has(this.selectAfterRename)) {
      this.canvas.select([nodeId(this.selectAfterRename)]);
      this.selectAfterRename = undefined;
    } else if (this.selectNew && added.length) {
      const nodes = added.filter((id) => !id.startsWith('l:') && !id.startsWith('in:'));
      this.canvas.select(nodes.length ? nodes : added.filter((id) => id.startsWith('l:')));
      this.selectNew = false;
    }
    this.updatePanel();
  }

  // -------------------------------------------------------------------------------------------
  // gestures

  private edit(gesture: Gesture, field?: string): void {
    const id = this.nextId++;
    if (gesture.kind === 'rename') this.selectAfterRename = gesture.to;
    if (gesture.kind === 'add-node' || gesture.kind === 'paste' || gesture.kind === 'add-link') this.selectNew = true;
    if (!this.post({ type: 'edit', id, gesture })) {
      if (gesture.kind === 'move') this.canvas.resetPositions();
      return;
    }
    this.pending.set(id, { gesture, field });
  }

  private command(command: HostCommandName | 'openText' | 'openTerminal', node?: string): void {
    const msg: FromWebview = node ? { type: 'command', id: this.nextId++, command, node } : { type: 'command', id: this.nextId++, command };
    this.post(msg);
  }

  private addNode(kind: NodeKind, position: { x: number; y: number }): void {
    this.edit({ kind: 'add-node', node: kind, position });
  }

  private togglePlace(kind: NodeKind): void {
    if (this.canvas.placeKind === kind) {
      // pressed again (or Enter twice from the keyboard): place it in the middle of the view
      this.canvas.setPlaceMode(undefined);
      this.addNode(kind, this.canvas.snapped(this.canvas.center()));
    } else {
      this.canvas.setPlaceMode(kind);
    }
    this.refreshChrome();
  }

  private deleteSelection(): void {
    const nodes = this.canvas.selectedNodes();
    const links = this.canvas.selectedLinks();
    if (!nodes.length && !links.length) return;
    this.edit({ kind: 'delete', nodes, links });
  }

  private copySelection(quiet = false): PastePayload | undefined {
    const refs = this.canvas.selectedNodes().filter((r) => r !== HOST_ID);
    if (!refs.length) return undefined;
    const p = pastePayload(this.view, refs);
    const same = JSON.stringify(p) === JSON.stringify(this.clipboard);
    this.clipboard = p;
    if (same && quiet) return p;
    this.pasteCount = 0;
    this.showFlash(`Copied ${refs.length} node${refs.length === 1 ? '' : 's'}${this.clipboard.links.length ? ` and ${this.clipboard.links.length} link${this.clipboard.links.length === 1 ? '' : 's'}` : ''}`, 'info');
    return this.clipboard;
  }

  private paste(p: PastePayload | undefined): void {
    if (!p) return;
    this.pasteCount++;
    const d = 40 * this.pasteCount;
    this.edit({ kind: 'paste', namespaces: p.namespaces, bridges: p.bridges, links: p.links, offset: { x: d, y: d } });
  }

  private async autoLayout(): Promise<void> {
    if (!this.doc || this.doc.unreadable || !this.view.nodes.length) return;
    this.showFlash('Arranging…', 'info');
    const moves: Move[] = await this.canvas.layout();
    if (moves.length) this.edit({ kind: 'move', moves });
    this.showFlash(`Arranged ${moves.length} node${moves.length === 1 ? '' : 's'}`, 'info');
  }

  private toggleLabels(): void {
    this.saved.labels = nextLabelMode(this.labels());
    this.saved.labelsSetting = this.settings.labels;
    this.saveState();
    this.draw();
    this.refreshChrome();
  }

  private exportImage(format: 'png' | 'svg'): void {
    try {
      const data = format === 'png' ? this.canvas.png() : this.canvas.svg();
      if (data.length > MAX_MESSAGE_BYTES) { this.showFlash('The image is too large to export; zoom in on a part of it', 'error'); return; }
      this.post({ type: 'export-image', id: this.nextId++, format, data });
    } catch (e) {
      this.showFlash(`Export failed: ${(e as Error).message}`, 'error');
      this.reportError(`export ${format}: ${(e as Error).stack ?? String(e)}`);
    }
  }

  // -------------------------------------------------------------------------------------------
  // selection, panel, status

  private selectionChanged(): void {
    // box selection fires one event per element: update once
    clearTimeout(this.selectionTimer);
    this.selectionTimer = setTimeout(() => { this.updatePanel(); this.refreshStatus(); }, 0);
  }

  private panelTarget(): PanelTarget {
    const nodes = this.canvas.selectedNodes();
    const links = this.canvas.selectedLinks();
    if (nodes.length === 1 && !links.length) return { type: 'node', ref: nodes[0]! };
    if (!nodes.length && links.length === 1) return { type: 'link', index: links[0]! };
    if (!nodes.length && !links.length) return { type: 'topology' };
    return { type: 'multi', nodes, links };
  }

  private updatePanel(): void {
    if (!this.doc || this.doc.unreadable) return;
    this.panel.update({ view: this.view, target: this.panelTarget(), diagnostics: this.doc.unreadable ? [] : this.doc.diagnostics as Diag[] });
  }

  private refreshChrome(): void {
    this.toolbar.setState({
      placing: this.canvas.placeKind,
      linking: this.canvas.linkMode,
      labels: this.labels(),
      trusted: this.doc?.trusted ?? false,
      hasHost: this.view.byRef.has(HOST_ID),
      readable: !!this.doc && !this.doc.unreadable,
      painted: !!this.reach,
    });
    this.refreshStatus();
  }

  private refreshStatus(): void {
    const doc = this.doc;
    if (!doc) { this.statusLeft.textContent = 'Loading…'; return; }
    if (doc.unreadable) {
      this.statusLeft.textContent = 'Not valid JSON';
      this.statusProblem.replaceChildren();
      const d = doc.diagnostics[0];
      if (d) this.statusProblem.textContent = `${d.line ? `line ${d.line}: ` : ''}${d.message}`;
      this.statusProblem.className = 'status-problem error';
      return;
    }
    const nodes = this.canvas.selectedNodes().length;
    const links = this.canvas.selectedLinks().length;
    const sel = nodes + links ? ` — ${nodes + links} selected` : '';
    this.statusLeft.textContent = `${summary(this.view)}${sel}`;

    const errors = doc.diagnostics.filter((d) => d.severity === 'error').length;
    const warnings = doc.diagnostics.length - errors;
    const fp = firstProblem(this.build.diagnostics, this.view);
    this.statusProblem.replaceChildren();
    this.statusProblem.className = 'status-problem';
    if (fp) {
      const counts = [errors ? `${errors} error${errors === 1 ? '' : 's'}` : '', warnings ? `${warnings} warning${warnings === 1 ? '' : 's'}` : ''].filter(Boolean).join(', ');
      const b = document.createElement('button');
      b.type = 'button';
      b.className = `status-link ${fp.diag.severity}`;
      b.textContent = `${counts}: ${diagText(fp.diag)}`;
      b.title = fp.id ? 'Select the element with this problem' : 'Show all problems';
      b.addEventListener('click', () => {
        if (fp.id) { this.canvas.select([fp.id]); this.canvas.reveal(fp.id); } else this.canvas.clearSelection();
      });
      this.statusProblem.append(b);
    }
    const mode = this.canvas.placeKind
      ? `Click the canvas to place a ${this.canvas.placeKind} — Esc cancels`
      : this.canvas.linkMode ? 'Link mode: drag from a node to another (or click both) — Esc ends' : '';
    if (this.flash) {
      this.statusRight.textContent = this.flash.text;
      this.statusRight.className = `status-info ${this.flash.kind}`;
    } else {
      this.statusRight.textContent = mode;
      this.statusRight.className = 'status-info';
    }
  }

  private showFlash(text: string, kind: 'error' | 'info'): void {
    this.flash = { text, kind };
    clearTimeout(this.flashTimer);
    this.flashTimer = setTimeout(() => { this.flash = undefined; this.refreshStatus(); }, kind === 'error' ? 8000 : 3000);
    this.refreshStatus();
  }

  private saveState(): void {
    clearTimeout(this.saveTimer);
    this.saveTimer = setTimeout(() => {
      this.saved.viewport = this.canvas.viewport();
      this.vscode.setState(this.saved);
    }, 300);
  }

  private applyTheme(): void {
    const theme = readTheme();
    this.canvas.setTheme(theme);
    this.toolbar.setTheme(theme);
  }

  // -------------------------------------------------------------------------------------------
  // context menu

  private openMenu(x: number, y: number, on: 'node' | 'edge' | 'background'): void {
    const items: { label?: string; keybinding?: string; value?: string; separator?: boolean }[] = [];
    const nodes = this.canvas.selectedNodes();
    const single = nodes.length === 1 ? this.view.byRef.get(nodes[0]!) : undefined;
    if (on === 'node') {
      if (single && single.kind !== 'host') items.push({ label: 'Rename', keybinding: 'F2', value: 'rename' });
      if (single && single.kind !== 'bridge') items.push({ label: 'Open Terminal', value: 'terminal' });
      if (nodes.some((n) => n !== HOST_ID)) items.push({ label: 'Copy', keybinding: 'Ctrl+C', value: 'copy' });
      items.push({ label: 'Delete', keybinding: 'Delete', value: 'delete' }, { separator: true });
    } else if (on === 'edge') {
      const link = this.canvas.selectedLinks()[0];
      const m = link !== undefined ? this.live?.links[String(link)] : undefined;
      if (m && this.doc?.trusted) {
        const down = m.a.up === false || m.b.up === false;
        items.push({ label: down ? 'Set Link Up (on the machine)' : 'Set Link Down (on the machine)', value: down ? 'link-up' : 'link-down' }, { separator: true });
      }
      items.push({ label: 'Delete', keybinding: 'Delete', value: 'delete' }, { separator: true });
    } else {
      this.menuPos = this.canvas.snapped(this.canvas.modelPosition(x, y));
      if (this.clipboard) items.push({ label: 'Paste', keybinding: 'Ctrl+V', value: 'paste' });
      for (const k of NODE_KINDS) {
        if (k === 'host' && this.view.byRef.has(HOST_ID)) continue;
        items.push({ label: `Add ${k === 'namespace' ? 'Namespace' : k === 'router' ? 'Router' : k === 'bridge' ? 'Bridge' : 'Host'} Here`, value: `add:${k}` });
      }
      items.push({ separator: true });
    }
    items.push(
      { label: 'Select All', keybinding: 'Ctrl+A', value: 'select-all' },
      { label: 'Fit', keybinding: 'F', value: 'fit' },
      { label: 'Auto Layout', value: 'layout' },
    );
    this.menu.data = items;
    this.menu.style.left = `${Math.min(x, window.innerWidth - 240)}px`;
    this.menu.style.top = `${Math.min(y, window.innerHeight - items.length * 24 - 16)}px`;
    this.menu.show = true;
    this.menu.focus();
  }

  private menuSelect(value: string): void {
    this.menu.show = false;
    if (value.startsWith('add:')) {
      const kind = value.slice(4) as NodeKind;
      if (NODE_KINDS.includes(kind) && this.menuPos) this.addNode(kind, this.menuPos);
      return;
    }
    switch (value) {
      case 'link-up':
      case 'link-down': {
        const link = this.canvas.selectedLinks()[0];
        const m = link !== undefined ? this.live?.links[String(link)] : undefined;
        if (link === undefined || !m) break;
        const up = value === 'link-up';
        // down: one end is enough (ip link set down); up: every end that is down
        const sides = up ? (['a', 'b'] as const).filter((s) => m[s].up === false) : (['a'] as const);
        for (const side of sides) this.post({ type: 'link-state', id: this.nextId++, link, side, up });
        break;
      }
      case 'rename': this.panel.focusName(); break;
      case 'terminal': { const n = this.canvas.selectedNodes()[0]; if (n) this.command('openTerminal', n); break; }
      case 'copy': this.copySelection(); break;
      case 'paste': this.paste(this.clipboard); break;
      case 'delete': this.deleteSelection(); break;
      case 'select-all': this.canvas.selectAll(); break;
      case 'fit': this.canvas.fit(); break;
      case 'layout': void this.autoLayout(); break;
    }
  }

  // -------------------------------------------------------------------------------------------
  // keyboard, clipboard, drag and drop

  private bindDom(): void {
    const canvasEl = byId('canvas');
    const panelEl = byId('panel');
    document.addEventListener('keydown', (e) => {
      if (this.menu.show || fromEditable(e)) return;
      const inPanel = e.composedPath().includes(panelEl);
      const mod = e.ctrlKey || e.metaKey;
      if (e.key === 'Escape') {
        if (this.canvas.cancelModes()) { this.refreshChrome(); e.preventDefault(); return; }
        if (!inPanel) {
          // Escape: the selection first, then the connectivity paint
          if (this.canvas.selectedNodes().length || this.canvas.selectedLinks().length) this.canvas.clearSelection();
          else this.clearReach();
          e.preventDefault();
        }
        return;
      }
      if (inPanel || e.altKey) return;
      if (mod && (e.key === 'a' || e.key === 'A')) { this.canvas.selectAll(); e.preventDefault(); return; }
      // Ctrl+C / Ctrl+V normally arrive as copy / paste events (below); where the embedder turns
      // them into no such event, the key does it: copy at once (idempotent), paste unless a
      // paste event follows right away
      if (mod && !e.shiftKey && (e.key === 'c' || e.key === 'C')) { this.copySelection(true); return; }
      if (mod && !e.shiftKey && (e.key === 'v' || e.key === 'V')) {
        clearTimeout(this.pasteFallback);
        // (an embedder that prevents the key's default, as VS Code does on macOS, sends the paste event itself)
        this.pasteFallback = setTimeout(() => { if (!e.defaultPrevented) this.paste(this.clipboard); }, 60);
        return;
      }
      if (mod) return;
      const arrows: Record<string, [number, number]> = { ArrowLeft: [-1, 0], ArrowRight: [1, 0], ArrowUp: [0, -1], ArrowDown: [0, 1] };
      const arrow = arrows[e.key];
      if (arrow) {
        if (!this.canvas.selectedNodes().length) return;
        const steps = e.shiftKey ? 5 : 1;
        const moves = this.canvas.nudge(arrow[0] * steps, arrow[1] * steps);
        if (moves.length) this.edit({ kind: 'move', moves });
        e.preventDefault();
        return;
      }
      switch (e.key) {
        case 'Delete': case 'Backspace': this.deleteSelection(); e.preventDefault(); break;
        case '+': case '=': this.canvas.zoomBy(1.25); e.preventDefault(); break;
        case '-': case '_': this.canvas.zoomBy(0.8); e.preventDefault(); break;
        case 'f': case 'F': this.canvas.fit(); e.preventDefault(); break;
        case 'l': case 'L': this.canvas.setLinkMode(!this.canvas.linkMode); this.refreshChrome(); e.preventDefault(); break;
        case 'F2': this.panel.focusName(); e.preventDefault(); break;
      }
    });

    // copy/paste through the clipboard events (VS Code forwards Ctrl+C/V to the webview as these)
    const clipboardAllowed = (e: Event) => !fromEditable(e) && !e.composedPath().includes(panelEl);
    document.addEventListener('copy', (e) => {
      if (!clipboardAllowed(e)) return;
      const p = this.copySelection();
      if (!p) return;
      e.clipboardData?.setData('text/plain', clipboardText(p));
      e.preventDefault();
    });
    document.addEventListener('cut', (e) => {
      if (!clipboardAllowed(e)) return;
      const p = this.copySelection();
      if (!p) return;
      e.clipboardData?.setData('text/plain', clipboardText(p));
      e.preventDefault();
      this.deleteSelection();
    });
    document.addEventListener('paste', (e) => {
      if (!clipboardAllowed(e)) return;
      clearTimeout(this.pasteFallback);
      const fromClipboard = parseClipboard(e.clipboardData?.getData('text/plain') ?? '');
      if (fromClipboard && JSON.stringify(fromClipboard) !== JSON.stringify(this.clipboard)) { this.clipboard = fromClipboard; this.pasteCount = 0; }
      if (!this.clipboard) return;
      e.preventDefault();
      this.paste(this.clipboard);
    });

    // drag from the palette onto the canvas
    canvasEl.addEventListener('dragover', (e) => {
      if (!e.dataTransfer?.types.includes(NODE_DRAG_TYPE)) return;
      e.preventDefault();
      e.dataTransfer.dropEffect = 'copy';
      canvasEl.classList.add('drop-target');
    });
    canvasEl.addEventListener('dragleave', () => canvasEl.classList.remove('drop-target'));
    canvasEl.addEventListener('drop', (e) => {
      canvasEl.classList.remove('drop-target');
      const kind = e.dataTransfer?.getData(NODE_DRAG_TYPE) as NodeKind | undefined;
      if (!kind || !NODE_KINDS.includes(kind)) return;
      e.preventDefault();
      this.canvas.setPlaceMode(undefined);
      this.addNode(kind, this.canvas.snapped(this.canvas.modelPosition(e.clientX, e.clientY)));
      this.refreshChrome();
    });
    // clicking the canvas gives it the keyboard focus (so Delete / arrows / Ctrl+C work)
    // (the focus ring is for keyboard focus only)
    canvasEl.addEventListener('mousedown', () => {
      canvasEl.classList.add('pointer-focus');
      if (document.activeElement !== canvasEl) canvasEl.focus({ preventScroll: true });
    });
    canvasEl.addEventListener('blur', () => canvasEl.classList.remove('pointer-focus'));
  }
}

new App();
