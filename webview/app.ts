/**
 * The canvas app: it owns the last document the host sent and wires the parts together (the
 * cytoscape canvas, the properties panel, the toolbar, the status bar, the context menu, the
 * clipboard and the keys). Every user gesture becomes a message to the host; what is drawn
 * always comes from the last document, so a refused edit puts the drawing back as the file says.
 */
import { MAX_MESSAGE_BYTES, WEBVIEW_PROTOCOL, type Gesture, type MatrixPaint, type ToWebview, type ViewSettings } from '../src/shared/protocol.js';
import type { CanvasCommandName } from '../src/shared/canvas-commands.js';
import { Canvas } from './canvas.js';
import { Clipboard } from './clipboard.js';
import { ContextMenu } from './context-menu.js';
import { byId } from './dom.js';
import { bindCanvasDrop, bindKeys } from './keyboard.js';
import { Legend } from './legend.js';
import { HostChannel } from './messages.js';
import {
  HOST_ID, buildElements, diagText, nextLabelMode, nodeId, readTopology,
  type BuildResult, type Diag, type LabelMode, type NodeKind, type Pos, type TopologyView,
} from './model.js';
import { Panel, type PanelTarget } from './panel.js';
import { liveExplanation } from './canvas-decor.js';
import { StatusBar, type FlashKind } from './status.js';
import { readTheme, watchTheme } from './theme.js';
import { Toolbar } from './toolbar.js';

type DocumentMsg = Extract<ToWebview, { type: 'document' }>;
type ActionMsg = Extract<ToWebview, { type: 'action' }>;
type LiveMsg = Extract<ToWebview, { type: 'live' }>;
type EditResult = Extract<ToWebview, { type: 'edit-result' }>;

interface SavedState {
  viewport?: { zoom: number; pan: { x: number; y: number } };
  labels?: LabelMode;
  /** the setting the override was made against: a changed setting wins again */
  labelsSetting?: LabelMode;
}

export class App {
  private readonly host = new HostChannel((reason) => this.flash(`Not sent: ${reason}`, 'error'));
  readonly canvas: Canvas;
  private readonly panel: Panel;
  private readonly toolbar: Toolbar;
  private readonly status: StatusBar;
  private readonly legend: Legend;
  private readonly menu: ContextMenu;
  readonly clipboard: Clipboard;

  private doc: DocumentMsg | undefined;
  private view: TopologyView = readTopology(undefined);
  private build: BuildResult = buildElements(this.view, [], 'all');
  private settings: ViewSettings = { labels: 'all', gridSnap: true, gridSize: 20 };
  private readonly saved: SavedState;
  /** the live decoration while the topology runs (undefined: not applied) */
  private live: LiveMsg | undefined;
  /** the last Test Connectivity painted on the drawing (undefined: none) */
  private reach: MatrixPaint | undefined;
  /** a resize of the canvas fits the drawing again: a paint was shown (the matrix opens beside it) and the view not moved since */
  private refit = false;
  /** each pending edit and the panel field it came from (for refusals, and to insist) */
  private readonly pending = new Map<number, { gesture: Gesture; field: string | undefined }>();
  /** select what the next document adds (after our own add-node / add-link / paste) */
  private selectNew = false;
  private selectAfterRename: string | undefined;
  private selectionTimer: ReturnType<typeof setTimeout> | undefined;
  private saveTimer: ReturnType<typeof setTimeout> | undefined;

  constructor() {
    this.saved = this.host.getState<SavedState>() ?? {};
    this.canvas = this.makeCanvas();
    this.panel = new Panel(byId('panel'), {
      edit: (g, field) => this.edit(g, field),
      openTerminal: (node) => this.command('openTerminal', node),
      select: (id) => this.show(id),
      deleteSelection: () => this.deleteSelection(),
    });
    this.toolbar = this.makeToolbar();
    this.status = new StatusBar(() => ({
      doc: this.doc, view: this.view, build: this.build,
      selected: this.canvas.selectedNodes().length + this.canvas.selectedLinks().length,
      placeKind: this.canvas.placeKind, linkMode: this.canvas.linkMode,
    }), (id) => (id ? this.show(id) : this.canvas.clearSelection()));
    this.legend = new Legend(byId('canvas'), () => this.clearReach(), (inset) => this.canvas.setBottomInset(inset));
    const canvasEl = byId('canvas');
    new ResizeObserver(() => { if (this.refit && this.reach) requestAnimationFrame(() => this.canvas.fit()); }).observe(canvasEl);
    for (const ev of ['pointerdown', 'wheel', 'keydown'] as const) canvasEl.addEventListener(ev, () => { this.refit = false; }, { passive: true });
    this.clipboard = new Clipboard({
      view: () => this.view, selectedNodes: () => this.canvas.selectedNodes(),
      flash: (text, kind) => this.flash(text, kind), edit: (g) => this.edit(g), deleteSelection: () => this.deleteSelection(),
    });
    this.menu = this.makeMenu();
    this.applyTheme();
    watchTheme(() => this.applyTheme());
    this.bindInput();
    byId('overlay-open-text').addEventListener('click', () => this.command('openText'));
    this.host.listen((msg) => this.onMessage(msg));
    this.refreshChrome();
    this.host.post({ type: 'ready', v: WEBVIEW_PROTOCOL });
  }

  private makeCanvas(): Canvas {
    return new Canvas(byId('canvas'), {
      selectionChanged: () => this.selectionChanged(),
      moved: (moves) => this.edit({ kind: 'move', moves }),
      link: (a, b) => { this.edit({ kind: 'add-link', a, b }); this.refreshChrome(); },
      place: (kind, position) => this.addNode(kind, position),
      contextMenu: (x, y, on) => this.menu.show(x, y, on),
      modeChanged: () => this.refreshChrome(),
      viewportChanged: () => this.saveState(),
    });
  }

  private makeToolbar(): Toolbar {
    return new Toolbar(byId('toolbar'), {
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
  }

  private makeMenu(): ContextMenu {
    return new ContextMenu({
      canvas: this.canvas,
      view: () => this.view,
      liveLink: (i) => this.live?.links[String(i)],
      liveNode: (ref) => this.live?.nodes[ref],
      trusted: () => this.doc?.trusted ?? false,
      hasClipboard: () => this.clipboard.full,
      addNode: (kind, p) => this.addNode(kind, p),
      setLinkState: (link, side, up) => this.host.post({ type: 'link-state', id: this.host.id(), link, side, up }),
      rename: () => this.panel.focusName(),
      openTerminal: (node) => this.command('openTerminal', node),
      copy: () => this.clipboard.copy(),
      paste: () => this.clipboard.paste(),
      deleteSelection: () => this.deleteSelection(),
      autoLayout: () => void this.autoLayout(),
    });
  }

  private bindInput(): void {
    const keys = {
      canvas: this.canvas, clipboard: this.clipboard,
      menuOpen: () => this.menu.open,
      refreshChrome: () => this.refreshChrome(),
      clearReach: () => this.clearReach(),
      deleteSelection: () => this.deleteSelection(),
      rename: () => this.panel.focusName(),
      edit: (g: Gesture) => this.edit(g),
      addNode: (kind: NodeKind, p: Pos) => this.addNode(kind, p),
    };
    bindKeys(keys, byId('panel'));
    this.clipboard.bind(byId('panel'));
    bindCanvasDrop(keys, byId('canvas'));
  }

  // -------------------------------------------------------------------------------------------
  // messages from the host

  private onMessage(msg: ToWebview): void {
    switch (msg.type) {
      case 'document': this.onDocument(msg); break;
      case 'edit-result': this.onEditResult(msg); break;
      case 'export-image': this.exportImage(msg.format); break;
      case 'command-result':
        if (!msg.ok) this.flash(msg.message ?? 'the command failed', 'error');
        break;
      case 'action': this.onAction(msg.action); break;
      case 'matrix': this.setReach(msg.paint ?? undefined); break;
      case 'live':
        // while the topology runs: missing / drifted nodes, links up (green) or down (red, dashed)
        this.live = msg.applied ? msg : undefined;
        this.canvas.setLive(this.live);
        this.updatePanel();
        this.legend.setLive(!!this.live);
        this.refreshChrome();
        break;
    }
  }

  private onEditResult(msg: EditResult): void {
    const sent = this.pending.get(msg.id);
    const field = sent?.field;
    this.pending.delete(msg.id);
    if (msg.ok) { this.panel.clearRefusal(); return; }
    this.selectNew = false;
    this.selectAfterRename = undefined;
    const diags = (msg.diagnostics ?? []) as Diag[];
    const text = msg.message ?? (diags[0] ? diagText(diags[0]) : 'the edit was refused');
    this.flash(`Not changed: ${text}`, 'error');
    // an edit refused only for the errors it adds can be made anyway (Apply stays blocked until they are fixed)
    const anyway = msg.insistable && sent ? () => this.edit(sent.gesture, sent.field, true) : undefined;
    this.panel.showRefusal(field, text, diags, anyway);
    // no optimistic state: back to what the file says (the host also resends the document)
    this.canvas.resetPositions();
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
    byId('overlay').hidden = !doc.unreadable;
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

  /** (re)draw the current document */
  private draw(): void {
    const doc = this.doc;
    if (!doc || doc.unreadable) return;
    this.view = readTopology(doc.topology);
    this.build = buildElements(this.view, doc.diagnostics as Diag[], this.labels());
    this.legend.setHosts(this.view.hosts ?? []);
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
  // connectivity paint

  private setReach(paint: MatrixPaint | undefined): void {
    this.reach = paint;
    this.canvas.setReach(paint);
    const b = document.body.dataset;
    b.reach = paint ? 'painted' : 'none';
    b.reachProbes = String(paint?.probes ?? 0);
    b.reachFailed = String(paint?.failed ?? 0);
    this.legend.setReach(paint);
    // the painted results in view, and again when the matrix opening beside makes the canvas narrower
    this.refit = !!paint;
    if (paint) this.canvas.fit();
    this.refreshChrome();
  }

  /** the user's clear (toolbar, legend, Escape): the host forgets it too */
  private clearReach(): void {
    if (!this.reach) return;
    this.setReach(undefined);
    this.host.post({ type: 'clear-matrix' });
    this.flash('Connectivity results cleared', 'info');
  }

  // -------------------------------------------------------------------------------------------
  // gestures and commands

  /** insist: the person saw the refusal for the errors it adds and wants the change anyway */
  private edit(gesture: Gesture, field?: string, insist?: boolean): void {
    const id = this.host.id();
    if (gesture.kind === 'rename') this.selectAfterRename = gesture.to;
    if (gesture.kind === 'add-node' || gesture.kind === 'paste' || gesture.kind === 'add-link') this.selectNew = true;
    if (!this.host.post(insist ? { type: 'edit', id, gesture, insist: true } : { type: 'edit', id, gesture })) {
      if (gesture.kind === 'move') this.canvas.resetPositions();
      return;
    }
    this.pending.set(id, { gesture, field });
  }

  private command(command: CanvasCommandName, node?: string): void {
    this.host.post(node ? { type: 'command', id: this.host.id(), command, node } : { type: 'command', id: this.host.id(), command });
  }

  private addNode(kind: NodeKind, position: Pos): void {
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

  private async autoLayout(): Promise<void> {
    if (!this.doc || this.doc.unreadable || !this.view.nodes.length) return;
    this.flash('Arranging…', 'info');
    const moves = await this.canvas.layout();
    if (moves.length) this.edit({ kind: 'move', moves });
    this.flash(`Arranged ${moves.length} node${moves.length === 1 ? '' : 's'}`, 'info');
  }

  private toggleLabels(): void {
    this.saved.labels = nextLabelMode(this.labels());
    this.saved.labelsSetting = this.settings.labels;
    this.saveState();
    this.draw();
    this.refreshChrome();
  }

  private labels(): LabelMode {
    return this.saved.labels ?? this.settings.labels;
  }

  private exportImage(format: 'png' | 'svg'): void {
    try {
      const data = format === 'png' ? this.canvas.png() : this.canvas.svg();
      if (data.length > MAX_MESSAGE_BYTES) { this.flash('The image is too large to export; zoom in on a part of it', 'error'); return; }
      this.host.post({ type: 'export-image', id: this.host.id(), format, data });
    } catch (e) {
      this.flash(`Export failed: ${(e as Error).message}`, 'error');
      this.host.reportError(`export ${format}: ${(e as Error).stack ?? String(e)}`);
    }
  }

  // -------------------------------------------------------------------------------------------
  // selection, panel, chrome

  private show(id: string): void {
    this.canvas.select([id]);
    this.canvas.reveal(id);
  }

  private selectionChanged(): void {
    // box selection fires one event per element: update once
    clearTimeout(this.selectionTimer);
    this.selectionTimer = setTimeout(() => { this.updatePanel(); this.status.refresh(); }, 0);
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
    this.panel.update({
      view: this.view, target: this.panelTarget(), diagnostics: this.doc.diagnostics as Diag[],
      liveNote: (ref) => { const m = this.live?.nodes[ref]; return m ? liveExplanation(`'${ref}'`, m) : undefined; },
    });
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
    this.status.refresh();
  }

  private flash(text: string, kind: FlashKind): void {
    // (the channel may refuse a message before the status bar exists)
    this.status?.flash(text, kind);
  }

  private saveState(): void {
    clearTimeout(this.saveTimer);
    this.saveTimer = setTimeout(() => {
      this.saved.viewport = this.canvas.viewport();
      this.host.setState(this.saved);
    }, 300);
  }

  private applyTheme(): void {
    const theme = readTheme();
    this.canvas.setTheme(theme);
    this.toolbar.setTheme(theme);
  }
}
