/**
 * The cytoscape canvas: selection, viewport, modes (place a node, draw a link) and moves, and
 * the pointer gestures it turns into calls on CanvasEvents (which the app posts as gestures).
 * Drawing a document is canvas-render.ts's, the look canvas-style.ts's, the live state and the
 * connectivity paint canvas-decor.ts's, the link handle and tooltip canvas-overlays.ts's. It
 * keeps no state of its own that outlives a document: after a refused edit, `resetPositions`
 * puts every node back where the file says.
 */
import cytoscape from 'cytoscape';
import edgehandles from 'cytoscape-edgehandles';
import fcose from 'cytoscape-fcose';
import cytoscapeSvg from 'cytoscape-svg';
import { paintLive, paintReach, type LiveDecor, type ReachPaint } from './canvas-decor.js';
import { fitViewport, forceLayout } from './canvas-layout.js';
import { LinkHandle, Tooltip } from './canvas-overlays.js';
import { Drawing } from './canvas-render.js';
import { CanvasStyle, relabel } from './canvas-style.js';
import {
  snap,
  type BuildResult, type NodeKind, type Pos, type TopologyView,
} from './model.js';
import type { Theme } from './style.js';

cytoscape.use(edgehandles);
cytoscape.use(fcose);
cytoscape.use(cytoscapeSvg);

export interface Move { node: string; position: Pos }

export type { LiveDecor, ReachPaint };

export interface CanvasEvents {
  selectionChanged(): void;
  moved(moves: Move[]): void;
  link(a: string, b: string): void;
  place(kind: NodeKind, position: Pos): void;
  /** right click: client coordinates and what is under the pointer */
  contextMenu(x: number, y: number, on: 'node' | 'edge' | 'background'): void;
  /** place mode or link mode ended (Escape, a placement, a link) */
  modeChanged(): void;
  viewportChanged(): void;
}

interface EdgeHandles {
  start(node: cytoscape.NodeSingular): void;
  stop(): void;
  enableDrawMode(): void;
  disableDrawMode(): void;
  destroy(): void;
}

export class Canvas {
  readonly cy: cytoscape.Core;
  private readonly eh: EdgeHandles;
  private readonly drawing: Drawing;
  private gridSize = 20;
  private gridSnap = true;
  private placing: NodeKind | undefined;
  private linking = false;
  private linkSource: cytoscape.NodeSingular | undefined;
  /** an edgehandles gesture is under way */
  private drawingLink = false;
  private readonly dragged = new Set<cytoscape.NodeSingular>();
  private dragTimer: ReturnType<typeof setTimeout> | undefined;
  private readonly handle: LinkHandle;
  private readonly tooltip: Tooltip;
  private readonly style: CanvasStyle;
  /** a live decoration was drawn (setLive) and not cleared since */
  private liveShown = false;
  /** a connectivity paint was drawn (setReach) and not cleared since */
  private reachShown = false;
  /** pixels at the bottom of the view covered by an overlay (the connectivity legend): fit keeps nodes out of them */
  private bottomInset = 0;

  constructor(private readonly container: HTMLElement, private readonly events: CanvasEvents) {
    this.cy = cytoscape({
      container,
      minZoom: 0.05,
      maxZoom: 4,
      boxSelectionEnabled: true,
      selectionType: 'single',
      autoungrabify: false,
      pixelRatio: 'auto',
      motionBlur: false,
    });
    this.eh = (this.cy as unknown as { edgehandles(o: object): EdgeHandles }).edgehandles({
      canConnect: (s: cytoscape.NodeSingular, t: cytoscape.NodeSingular) => !s.same(t) && !t.hasClass('eh-ghost-node'),
      edgeParams: () => ({ data: {}, classes: 'eh-new' }),
      hoverDelay: 100,
      snap: true,
      snapThreshold: 24,
      snapFrequency: 15,
      noEdgeEventsInDraw: true,
      disableBrowserGestures: true,
    });

    this.drawing = new Drawing(this.cy);
    this.style = new CanvasStyle(this.cy);
    this.handle = new LinkHandle(container, (n) => this.eh.start(n));
    this.tooltip = new Tooltip(container);

    this.bindEvents();
    // the container changes size with the editor, the panel and a wrapping toolbar
    new ResizeObserver(() => { this.cy.resize(); this.paintGrid(); }).observe(container);
  }

  // -------------------------------------------------------------------------------------------
  // drawing

  setTheme(theme: Theme): void {
    this.style.setTheme(theme);
  }

  setGrid(snapOn: boolean, size: number): void {
    this.gridSnap = snapOn;
    this.gridSize = size;
    this.container.classList.toggle('grid', snapOn);
    this.paintGrid();
  }

  /** draw a document (canvas-render.ts); returns the ids added */
  render(view: TopologyView, build: BuildResult): string[] {
    this.tooltip.hide();
    return this.drawing.render(view, build);
  }

  /** put every node back at its position in the file (after a refused move) */
  resetPositions(): void {
    this.drawing.resetPositions();
  }

  // -------------------------------------------------------------------------------------------
  // selection

  /** the live decoration: how the machine compares to the drawing (canvas-decor.ts) */
  setLive(live: LiveDecor | undefined): void {
    // nothing live before and now: no element carries a live class (every document calls this)
    if (!live && !this.liveShown) return;
    this.liveShown = !!live;
    paintLive(this.cy, live);
  }

  /** the connectivity paint (canvas-decor.ts); undefined clears it */
  setReach(paint: ReachPaint | undefined): void {
    // nothing painted before and now (every document calls this)
    if (!paint && !this.reachShown) return;
    this.reachShown = !!paint;
    paintReach(this.cy, paint);
    // a badge makes a node's label two lines: its links' end labels move clear of it (and back)
    this.cy.batch(() => relabel(this.cy.nodes()));
  }

  selectedNodes(): string[] {
    return this.cy.nodes(':selected').map((n) => n.data('ref') as string);
  }

  selectedLinks(): number[] {
    return this.cy.edges('.link:selected').map((e) => e.data('index') as number);
  }

  select(ids: string[], add = false): void {
    this.cy.batch(() => {
      if (!add) this.cy.elements(':selected').unselect();
      for (const id of ids) this.cy.getElementById(id).select();
    });
  }

  selectAll(): void {
    this.cy.elements().not('.contain').select();
  }

  clearSelection(): void {
    this.cy.elements(':selected').unselect();
  }

  reveal(id: string): void {
    const e = this.cy.getElementById(id);
    if (e.empty()) return;
    const bb = e.renderedBoundingBox();
    const w = this.cy.width();
    const h = this.cy.height();
    if (bb.x1 < 0 || bb.y1 < 0 || bb.x2 > w || bb.y2 > h) this.cy.animate({ center: { eles: e } }, { duration: 200 });
  }

  // -------------------------------------------------------------------------------------------
  // viewport

  /** pixels at the bottom of the view covered by an overlay (the connectivity legend) */
  setBottomInset(px: number): void {
    this.bottomInset = Math.max(0, Math.min(px, this.cy.height() / 2));
  }

  /** fit the nodes in the view */
  fit(): void {
    this.cy.viewport(fitViewport(this.cy, this.bottomInset));
  }

  zoomBy(factor: number): void {
    const cy = this.cy;
    cy.zoom({ level: cy.zoom() * factor, renderedPosition: { x: cy.width() / 2, y: cy.height() / 2 } });
  }

  viewport(): { zoom: number; pan: Pos } {
    return { zoom: this.cy.zoom(), pan: { ...this.cy.pan() } };
  }

  setViewport(v: { zoom: number; pan: Pos }): void {
    this.cy.viewport({ zoom: v.zoom, pan: v.pan });
  }

  /** model coordinates of a point in the page (for drops) */
  modelPosition(clientX: number, clientY: number): Pos {
    const r = this.container.getBoundingClientRect();
    const pan = this.cy.pan();
    const z = this.cy.zoom();
    return { x: (clientX - r.left - pan.x) / z, y: (clientY - r.top - pan.y) / z };
  }

  center(): Pos {
    const pan = this.cy.pan();
    const z = this.cy.zoom();
    return { x: (this.cy.width() / 2 - pan.x) / z, y: (this.cy.height() / 2 - pan.y) / z };
  }

  snapped(p: Pos): Pos {
    return snap(p, this.gridSnap ? this.gridSize : undefined);
  }

  private paintGrid(): void {
    const s = this.container.style;
    const z = this.cy.zoom();
    const step = this.gridSize * z;
    if (!this.gridSnap || step < 8) { s.backgroundImage = 'none'; return; }
    s.backgroundImage = '';
    const pan = this.cy.pan();
    s.backgroundSize = `${step}px ${step}px`;
    s.backgroundPosition = `${pan.x - step / 2}px ${pan.y - step / 2}px`;
  }

  // -------------------------------------------------------------------------------------------
  // modes

  get placeKind(): NodeKind | undefined { return this.placing; }
  get linkMode(): boolean { return this.linking; }

  setPlaceMode(kind: NodeKind | undefined): void {
    this.placing = kind;
    this.container.classList.toggle('placing', !!kind);
    if (kind && this.linking) this.setLinkMode(false);
  }

  setLinkMode(on: boolean): void {
    this.linking = on;
    this.container.classList.toggle('linking', on);
    this.clearLinkSource();
    if (on) { this.eh.enableDrawMode(); this.setPlaceMode(undefined); } else this.eh.disableDrawMode();
    this.handle.hide();
  }

  /** leave any mode; true if there was one */
  cancelModes(): boolean {
    const had = !!this.placing || this.linking;
    this.eh.stop();
    if (this.placing) this.setPlaceMode(undefined);
    if (this.linking) this.setLinkMode(false);
    return had;
  }

  private clearLinkSource(): void {
    this.linkSource?.removeClass('eh-source');
    this.linkSource = undefined;
  }

  // -------------------------------------------------------------------------------------------
  // moves

  /** the selected nodes moved by (dx, dy) grid steps; applied on the canvas and returned */
  nudge(dx: number, dy: number): Move[] {
    const step = this.gridSize;
    const moves: Move[] = [];
    this.cy.nodes(':selected').forEach((n) => {
      const p = n.position();
      const q = this.snapped({ x: p.x + dx * step, y: p.y + dy * step });
      n.position(q);
      moves.push({ node: n.data('ref') as string, position: q });
    });
    this.cy.batch(() => relabel(this.cy.nodes(':selected')));
    return moves;
  }

  /** run the force-directed layout over everything; resolves with every node's new position */
  async layout(): Promise<Move[]> {
    const cy = this.cy;
    const nodes = cy.nodes();
    if (nodes.empty()) return [];
    await forceLayout(cy, nodes);
    const moves: Move[] = [];
    cy.batch(() => {
      nodes.forEach((n) => {
        const p = this.snapped(n.position());
        n.position(p);
        moves.push({ node: n.data('ref') as string, position: p });
      });
      relabel(nodes);
    });
    return moves;
  }

  // -------------------------------------------------------------------------------------------
  // export (with every label, on the theme's background)

  png(): string {
    return this.style.png();
  }

  svg(): string {
    return this.style.svg();
  }

  // -------------------------------------------------------------------------------------------
  // events

  private bindEvents(): void {
    const cy = this.cy;
    cy.on('select unselect', () => this.events.selectionChanged());
    this.bindDrag();
    this.bindTaps();
    this.bindHover();
    cy.on('viewport', () => {
      this.handle.hide();
      this.tooltip.hide();
      this.paintGrid();
      this.style.syncLabels();
      this.events.viewportChanged();
    });
    // (no selector on these frequent events: a delegated listener builds a collection per event)
    cy.on('position', (e) => {
      if (this.handle.on && e.target === this.handle.on) this.handle.place();
    });
    cy.on('remove', (e) => {
      if (this.handle.on && e.target === this.handle.on) this.handle.hide();
    });
    window.addEventListener('mouseup', () => { if (!this.linking) this.eh.stop(); });
    cy.on('ehstart', () => { this.drawingLink = true; this.handle.hide(); this.tooltip.hide(); });
    cy.on('ehstop', () => { this.drawingLink = false; this.handle.hide(); });
    // the tooltip never outlives the pointer: leaving the canvas, the window losing focus, a drag or a removal hide it
    this.container.addEventListener('mouseleave', () => { this.handle.hide(); this.tooltip.hide(); });
    window.addEventListener('blur', () => this.tooltip.hide());
    cy.on('grab drag remove', () => this.tooltip.hide());
  }

  /** one move gesture per drag (all nodes dragged together) */
  private bindDrag(): void {
    const cy = this.cy;
    cy.on('dragfree', 'node', (e) => {
      this.dragged.add(e.target as cytoscape.NodeSingular);
      clearTimeout(this.dragTimer);
      this.dragTimer = setTimeout(() => this.flushDrag(), 0);
    });
    // dragging an unselected node selects it (as in other editors), so the panel and the arrow keys follow
    cy.on('grab', 'node', (e) => {
      this.handle.hide();
      const n = e.target as cytoscape.NodeSingular;
      const oe = e.originalEvent as MouseEvent | undefined;
      // with Shift/Ctrl the tap that follows toggles the node: leave it to cytoscape
      if (n.selected() || oe?.shiftKey || oe?.ctrlKey || oe?.metaKey) return;
      cy.elements(':selected').unselect();
      n.select();
    });
  }

  /** taps: placing a node, link mode, a drawn link, the context menu */
  private bindTaps(): void {
    const cy = this.cy;
    cy.on('tap', (e) => {
      if (e.target === cy && this.placing) {
        const kind = this.placing;
        this.setPlaceMode(undefined);
        this.events.place(kind, this.snapped(e.position));
        this.events.modeChanged();
      }
    });
    // link mode also works by tapping two nodes (touch, or a precise mouse)
    cy.on('tap', 'node', (e) => {
      if (!this.linking) return;
      const n = e.target as cytoscape.NodeSingular;
      if (!this.linkSource) { this.linkSource = n; n.addClass('eh-source'); return; }
      if (!this.linkSource.same(n)) {
        const a = this.linkSource.data('ref') as string;
        this.clearLinkSource();
        this.events.link(a, n.data('ref') as string);
      }
    });
    cy.on('ehcomplete', (_e, source: cytoscape.NodeSingular, target: cytoscape.NodeSingular, added: cytoscape.EdgeCollection) => {
      added.remove(); // the file decides: the link appears with the next document
      this.clearLinkSource();
      this.events.link(source.data('ref') as string, target.data('ref') as string);
    });
    cy.on('cxttap', (e) => {
      const t = e.target as cytoscape.SingularElementArgument | cytoscape.Core;
      const oe = e.originalEvent as MouseEvent | undefined;
      let on: 'node' | 'edge' | 'background' = 'background';
      if (t !== cy) {
        const ele = t as cytoscape.SingularElementArgument;
        if (ele.hasClass('contain')) return;
        on = ele.isNode() ? 'node' : 'edge';
        if (!ele.selected()) { cy.elements(':selected').unselect(); ele.select(); }
      }
      const r = this.container.getBoundingClientRect();
      this.events.contextMenu(oe?.clientX ?? r.left + e.renderedPosition.x, oe?.clientY ?? r.top + e.renderedPosition.y, on);
    });
    this.container.addEventListener('contextmenu', (e) => e.preventDefault());
  }

  /** hover: a highlight, a tooltip with the element's problem, and the link handle */
  private bindHover(): void {
    const cy = this.cy;
    cy.on('mouseover', 'node, edge.link', (e) => {
      const ele = e.target as cytoscape.SingularElementArgument;
      ele.addClass('hover');
      this.tooltip.schedule(ele, e.originalEvent as MouseEvent | undefined);
      if (ele.isNode() && !this.linking && !this.placing && !this.drawingLink) this.handle.show(ele as cytoscape.NodeSingular);
    });
    cy.on('mouseout', 'node, edge.link', (e) => {
      (e.target as cytoscape.SingularElementArgument).removeClass('hover');
      this.tooltip.hide();
    });
    cy.on('tapstart cxttapstart', () => this.tooltip.hide());
  }

  private flushDrag(): void {
    const moves: Move[] = [];
    this.cy.batch(() => {
      for (const n of this.dragged) {
        if (n.removed()) continue;
        const p = this.snapped(n.position());
        n.position(p);
        moves.push({ node: n.data('ref') as string, position: p });
      }
      let moved = this.cy.collection();
      for (const n of this.dragged) if (!n.removed()) moved = moved.union(n);
      relabel(moved as cytoscape.NodeCollection);
    });
    this.dragged.clear();
    if (moves.length) this.events.moved(moves);
  }
}
