/**
 * The cytoscape canvas: draws the elements model.ts builds, updates them incrementally, and
 * turns pointer gestures into calls on CanvasEvents (which the app posts as gestures). It
 * keeps no state of its own that outlives a document: after a refused edit, `resetPositions`
 * puts every node back where the file says.
 */
import cytoscape from 'cytoscape';
import edgehandles from 'cytoscape-edgehandles';
import fcose from 'cytoscape-fcose';
import cytoscapeSvg from 'cytoscape-svg';
import { NODE_H, NODE_W, nodeImages } from './icons.js';
import {
  autoPlace, diffElements, fitLinkLabels, linkIndexOfId, refOfId, signature, snap,
  type BuildResult, type NodeKind, type Pos, type TopologyView,
} from './model.js';
import { buildStylesheet, type Theme } from './style.js';

cytoscape.use(edgehandles);
cytoscape.use(fcose);
cytoscape.use(cytoscapeSvg);

export interface Move { node: string; position: Pos }

/** what the canvas needs of a connectivity paint (protocol.ts MatrixPaint) */
export interface ReachPaint {
  links: Record<string, { state: 'ok' | 'mixed' | 'fail'; ok: number; failed: number; detail: string }>;
  nodes: Record<string, { state: 'ok' | 'mixed' | 'fail'; ok: number; failed: number; maxRttMs?: number; detail: string }>;
}

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

const LARGE = 600; // elements above which the viewport is drawn from a texture while panning
/**
 * Every label has a min-zoomed-font-size of at least half its font size, and cytoscape compares
 * at the zoom level rounded up to a power of two: at zoom x pixel ratio <= 1/4 it draws no label
 * at all. Zoomed out that far the stylesheet has no label properties (style.ts labelGate with a
 * class no element has), so cytoscape does not apply, measure and place thousands of labels it
 * would not draw (most of the first draw of 1000 namespaces). Exports put them back.
 */
const LABEL_MIN_SCALE = 0.25;
const NO_LABELS = 'never-labelled';

export class Canvas {
  readonly cy: cytoscape.Core;
  private readonly eh: EdgeHandles;
  /** element id -> signature of what is drawn */
  private readonly drawn = new Map<string, string>();
  /** where each node is in the file (undefined: not placed there) */
  private filePositions = new Map<string, Pos | undefined>();
  private gridSize = 20;
  private gridSnap = true;
  private placing: NodeKind | undefined;
  private linking = false;
  private linkSource: cytoscape.NodeSingular | undefined;
  /** an edgehandles gesture is under way */
  private drawing = false;
  private readonly dragged = new Set<cytoscape.NodeSingular>();
  private dragTimer: ReturnType<typeof setTimeout> | undefined;
  private readonly handle: HTMLElement;
  private handleNode: cytoscape.NodeSingular | undefined;
  private readonly tooltip: HTMLElement;
  private tooltipTimer: ReturnType<typeof setTimeout> | undefined;
  private theme: Theme | undefined;
  /** the stylesheet has the labels (the zoom shows them) */
  private labelsShown = true;
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

    this.handle = document.createElement('div');
    this.handle.className = 'link-handle';
    this.handle.title = 'Drag onto another node to add a veth link';
    this.handle.setAttribute('aria-hidden', 'true');
    this.handle.hidden = true;
    container.append(this.handle);
    this.tooltip = document.createElement('div');
    this.tooltip.className = 'canvas-tooltip';
    this.tooltip.setAttribute('role', 'tooltip');
    this.tooltip.hidden = true;
    container.append(this.tooltip);

    this.bindEvents();
    // the container changes size with the editor, the panel and a wrapping toolbar
    new ResizeObserver(() => { this.cy.resize(); this.paintGrid(); }).observe(container);
  }

  // -------------------------------------------------------------------------------------------
  // drawing

  setTheme(theme: Theme): void {
    this.theme = theme;
    this.applyStyle();
  }

  private applyStyle(): void {
    if (!this.theme) return;
    const sheet = buildStylesheet(this.theme, nodeImages(this.theme), { w: NODE_W, h: NODE_H }, this.labelsShown ? undefined : NO_LABELS);
    this.cy.style(sheet as unknown as cytoscape.StylesheetJson);
  }

  setGrid(snapOn: boolean, size: number): void {
    this.gridSnap = snapOn;
    this.gridSize = size;
    this.container.classList.toggle('grid', snapOn);
    this.paintGrid();
  }

  /** draw a document: add, remove and update elements by id; returns the ids added */
  render(view: TopologyView, build: BuildResult): string[] {
    const cy = this.cy;
    this.hideTooltip();
    const filePos = new Map<string, Pos | undefined>();
    for (const e of build.elements) if (e.group === 'nodes') filePos.set(e.data.id, e.position);
    this.filePositions = filePos;

    // where every node will be: the file's position; for a node the file does not place, where
    // it is drawn already, or a new automatic place
    const fixed = new Map<string, Pos>();
    for (const [id, p] of filePos) {
      if (p) fixed.set(id, p);
      else {
        const n = cy.getElementById(id);
        if (n.nonempty()) fixed.set(id, { ...n.position() });
      }
    }
    const placed = autoPlace(view, build.unplaced.filter((id) => !fixed.has(id)), fixed);
    const where = (id: string): Pos => {
      const n = cy.getElementById(id);
      if (n.nonempty() && n.grabbed()) return n.position();
      return fixed.get(id) ?? placed.get(id) ?? { x: 0, y: 0 };
    };
    // end labels placed clear of the nodes, for the links' directions and lengths
    for (const e of build.elements) {
      if (e.group !== 'edges' || !e.classes.startsWith('link')) continue;
      Object.assign(e.data, this.endLabels(e.data, where(e.data.source as string), where(e.data.target as string)));
    }

    const diff = diffElements(this.drawn, build.elements);
    const added: string[] = [];
    cy.batch(() => {
      for (const id of diff.remove) cy.getElementById(id).remove();
      for (const e of diff.update) {
        const ele = cy.getElementById(e.data.id);
        ele.data(e.data);
        ele.classes(e.classes);
      }
      if (diff.add.length) {
        cy.add(diff.add.map((e) => {
          const def: cytoscape.ElementDefinition = { group: e.group, data: { ...e.data }, classes: e.classes };
          if (e.group === 'nodes') def.position = { ...where(e.data.id) };
          return def;
        }));
        added.push(...diff.add.map((e) => e.data.id));
      }
      // positions from the file win, except for a node being dragged right now
      for (const e of build.elements) {
        if (e.group !== 'nodes' || !e.position) continue;
        const n = cy.getElementById(e.data.id);
        if (n.grabbed()) continue;
        const p = n.position();
        if (p.x !== e.position.x || p.y !== e.position.y) n.position({ ...e.position });
      }
    });
    for (const id of diff.remove) this.drawn.delete(id);
    for (const e of [...diff.add, ...diff.update]) this.drawn.set(e.data.id, signature(e));
    // edges removed with their nodes
    for (const id of [...this.drawn.keys()]) if (cy.getElementById(id).empty()) this.drawn.delete(id);

    // large drawings pan and zoom from a texture (these are init options; the renderer reads them per frame)
    const large = cy.elements().length > LARGE;
    const r = (cy as unknown as { renderer?(): { textureOnViewport?: boolean; hideEdgesOnViewport?: boolean } }).renderer?.();
    if (r) { r.textureOnViewport = large; r.hideEdgesOnViewport = large; }
    return added;
  }

  /** would cytoscape draw any label at this zoom? (see LABEL_MIN_SCALE) */
  private labelsVisible(): boolean {
    const r = (this.cy as unknown as { renderer?(): { getPixelRatio?(): number } | undefined }).renderer?.();
    return this.cy.zoom() * (r?.getPixelRatio?.() ?? 1) > LABEL_MIN_SCALE;
  }

  /** the stylesheet with or without labels when the zoom crosses the label threshold */
  private syncLabels(show = this.labelsVisible()): void {
    if (show === this.labelsShown) return;
    this.labelsShown = show;
    this.applyStyle();
    // a large drawing restyled while zoomed keeps the zoom's low-resolution textures on screen
    // until something redraws it: redraw once the new style is drawn
    // (measured: a redraw 50 ms after that frame was too early; 400 ms was enough on this machine)
    this.cy.one('render', () => {
      for (const ms of [400, 1500]) setTimeout(() => this.cy.forceRender(), ms);
    });
  }

  /** run an export with every label in the style (exports draw labels at their own scale) */
  private withLabels<T>(fn: () => T): T {
    const was = this.labelsShown;
    this.syncLabels(true);
    try {
      return fn();
    } finally {
      this.syncLabels(was);
    }
  }

  private endLabels(d: Record<string, unknown>, a: Pos, b: Pos): Record<string, string | number> {
    const name = (id: unknown) => refOfId(String(id)) ?? '';
    const l = fitLinkLabels(a, b, { w: NODE_W, h: NODE_H }, [name(d.source), name(d.target)],
      [d.srcFull as string, d.tgtFull as string], [d.srcShort as string, d.tgtShort as string], (d.midFull as string | undefined) ?? '');
    return { srcLabel: l.src, tgtLabel: l.tgt, srcOffset: l.srcOffset, tgtOffset: l.tgtOffset, label: l.mid };
  }

  /** after nodes moved on the canvas: their links' end labels follow the new directions */
  private relabel(nodes: cytoscape.NodeCollection): void {
    nodes.connectedEdges('.link').forEach((e) => {
      e.data(this.endLabels(e.data() as Record<string, unknown>, e.source().position(), e.target().position()));
    });
  }

  /** put every node back at its position in the file (after a refused move) */
  resetPositions(): void {
    this.cy.batch(() => {
      for (const [id, p] of this.filePositions) if (p) this.cy.getElementById(id).position({ ...p });
    });
  }

  // -------------------------------------------------------------------------------------------
  // selection

  /**
   * The live decoration: how the machine compares to the drawing. Node refs and link indices
   * get classes live-missing / live-drifted / live-clash, link ends that are down live-down.
   */
  setLive(live: { nodes: Record<string, { state: string }>; links: Record<string, { a: { state: string; up?: boolean }; b: { state: string; up?: boolean } }> } | undefined): void {
    const all = ['live-missing', 'live-drifted', 'live-clash', 'live-down', 'live-up'];
    const cls = (state: string) => (state === 'missing' ? 'live-missing' : state === 'drifted' ? 'live-drifted' : state === 'unowned-clash' ? 'live-clash' : undefined);
    // nothing live before and now: no element carries a live class (every document calls this)
    if (!live && !this.liveShown) return;
    this.liveShown = !!live;
    this.cy.batch(() => {
      this.cy.elements().removeClass(all.join(' '));
      if (!live) return;
      this.cy.nodes().forEach((n) => {
        const ref = refOfId(n.id());
        const m = ref !== undefined ? live.nodes[ref] : undefined;
        const c = m ? cls(m.state) : undefined;
        if (c) n.addClass(c);
      });
      this.cy.edges().forEach((e) => {
        const i = linkIndexOfId(e.id());
        const m = i !== undefined ? live.links[String(i)] : undefined;
        if (!m) return;
        const ends = [m.a, m.b];
        if (ends.some((x) => x.up === false)) e.addClass('live-down');
        else if (ends.every((x) => x.up === true)) e.addClass('live-up');
        const worst = ends.map((x) => cls(x.state)).find((x) => x);
        if (worst) e.addClass(worst);
      });
    });
  }

  /**
   * The connectivity paint: classes reach reach-ok / reach-mixed / reach-fail on the links
   * (by index) and the source namespaces (by ref), a second label line on those nodes and the
   * probes in their tooltips. Undefined clears it.
   */
  setReach(paint: ReachPaint | undefined): void {
    const all = 'reach reach-ok reach-mixed reach-fail';
    // nothing painted before and now (every document calls this)
    if (!paint && !this.reachShown) return;
    this.reachShown = !!paint;
    this.cy.batch(() => {
      const painted = this.cy.elements('.reach');
      painted.removeClass(all);
      painted.removeData('reachLabel reachTip');
      if (!paint) return;
      this.cy.nodes().forEach((n) => {
        const ref = refOfId(n.id());
        const m = ref !== undefined ? paint.nodes[ref] : undefined;
        if (!m) return;
        const total = m.ok + m.failed;
        const badge = m.failed
          ? `✗ ${m.failed} of ${total} unreachable`
          : `✓ ${total} reached${m.maxRttMs !== undefined ? ` · ≤ ${m.maxRttMs < 10 ? m.maxRttMs.toFixed(2) : m.maxRttMs.toFixed(0)} ms` : ''}`;
        n.addClass(`reach reach-${m.state}`);
        n.data({ reachLabel: `${String(n.data('label') ?? ref)}\n${badge}`, reachTip: `Connectivity from ${ref}:\n${m.detail}` });
      });
      this.cy.edges('.link').forEach((e) => {
        const i = linkIndexOfId(e.id());
        const m = i !== undefined ? paint.links[String(i)] : undefined;
        if (!m) return;
        e.addClass(`reach reach-${m.state}`);
        e.data({ reachTip: `Probes across this link (${m.ok} reached, ${m.failed} failed):\n${m.detail}` });
      });
    });
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

  /**
   * Fit the nodes in the view. (cy.fit() measures every element and label for the bounding
   * box, which forces the whole style calculation up front; positions and the fixed node size
   * are enough here, plus a margin for the names under the nodes.)
   */
  setBottomInset(px: number): void {
    this.bottomInset = Math.max(0, Math.min(px, this.cy.height() / 2));
  }

  fit(): void {
    const cy = this.cy;
    let x1 = Infinity; let y1 = Infinity; let x2 = -Infinity; let y2 = -Infinity;
    cy.nodes().forEach((n) => {
      const p = n.position();
      x1 = Math.min(x1, p.x); y1 = Math.min(y1, p.y); x2 = Math.max(x2, p.x); y2 = Math.max(y2, p.y);
    });
    if (x1 === Infinity) { cy.viewport({ zoom: 1, pan: { x: cy.width() / 2, y: cy.height() / 2 } }); return; }
    x1 -= NODE_W / 2; x2 += NODE_W / 2; y1 -= NODE_H / 2; y2 += NODE_H / 2 + 24;
    const pad = 40;
    const w = Math.max(1, cy.width() - 2 * pad);
    const inset = this.bottomInset;
    const h = Math.max(1, cy.height() - inset - 2 * pad);
    const zoom = Math.max(cy.minZoom(), Math.min(1.5, w / (x2 - x1), h / (y2 - y1)));
    cy.viewport({ zoom, pan: { x: cy.width() / 2 - zoom * (x1 + x2) / 2, y: (cy.height() - inset) / 2 - zoom * (y1 + y2) / 2 } });
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
    this.hideHandle();
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
    this.cy.batch(() => this.relabel(this.cy.nodes(':selected')));
    return moves;
  }

  /** run the force-directed layout over everything; resolves with every node's new position */
  layout(): Promise<Move[]> {
    const cy = this.cy;
    const nodes = cy.nodes();
    if (nodes.empty()) return Promise.resolve([]);
    const big = nodes.length > 300;
    return new Promise((resolve) => {
      const l = cy.layout({
        name: 'fcose',
        quality: big ? 'draft' : 'default',
        randomize: false,
        animate: !big,
        animationDuration: 400,
        fit: true,
        padding: 40,
        nodeDimensionsIncludeLabels: true,
        idealEdgeLength: 170,
        nodeRepulsion: 9000,
        nodeSeparation: 110,
        edgeElasticity: 0.45,
        packComponents: true,
        tile: true,
      } as unknown as cytoscape.LayoutOptions);
      l.one('layoutstop', () => {
        const moves: Move[] = [];
        cy.batch(() => {
          nodes.forEach((n) => {
            const p = this.snapped(n.position());
            n.position(p);
            moves.push({ node: n.data('ref') as string, position: p });
          });
          this.relabel(nodes);
        });
        resolve(moves);
      });
      l.run();
    });
  }

  // -------------------------------------------------------------------------------------------
  // export

  png(): string {
    return this.withLabels(() => {
      const bb = this.cy.elements().boundingBox();
      const scale = Math.max(0.5, Math.min(2, 6000 / Math.max(1, bb.w, bb.h)));
      return this.cy.png({ full: true, output: 'base64', bg: this.theme?.background ?? '#ffffff', scale });
    });
  }

  svg(): string {
    return this.withLabels(() => (this.cy as unknown as { svg(o: object): string }).svg({ full: true, bg: this.theme?.background ?? '#ffffff' }));
  }

  // -------------------------------------------------------------------------------------------
  // events

  private bindEvents(): void {
    const cy = this.cy;
    cy.on('select unselect', () => this.events.selectionChanged());

    // one move gesture per drag (all nodes dragged together)
    cy.on('dragfree', 'node', (e) => {
      this.dragged.add(e.target as cytoscape.NodeSingular);
      clearTimeout(this.dragTimer);
      this.dragTimer = setTimeout(() => this.flushDrag(), 0);
    });
    // dragging an unselected node selects it (as in other editors), so the panel and the arrow keys follow
    cy.on('grab', 'node', (e) => {
      this.hideHandle();
      const n = e.target as cytoscape.NodeSingular;
      const oe = e.originalEvent as MouseEvent | undefined;
      // with Shift/Ctrl the tap that follows toggles the node: leave it to cytoscape
      if (n.selected() || oe?.shiftKey || oe?.ctrlKey || oe?.metaKey) return;
      cy.elements(':selected').unselect();
      n.select();
    });

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

    // hover: a highlight, a tooltip with the element's problem, and the link handle
    cy.on('mouseover', 'node, edge.link', (e) => {
      const ele = e.target as cytoscape.SingularElementArgument;
      ele.addClass('hover');
      const oe = e.originalEvent as MouseEvent | undefined;
      this.scheduleTooltip(ele, oe);
      if (ele.isNode() && !this.linking && !this.placing && !this.drawing) this.showHandle(ele as cytoscape.NodeSingular);
    });
    cy.on('mouseout', 'node, edge.link', (e) => {
      (e.target as cytoscape.SingularElementArgument).removeClass('hover');
      this.hideTooltip();
    });
    cy.on('tapstart cxttapstart', () => this.hideTooltip());
    cy.on('viewport', () => {
      this.hideHandle();
      this.hideTooltip();
      this.paintGrid();
      this.syncLabels();
      this.events.viewportChanged();
    });
    // (no selector on these frequent events: a delegated listener builds a collection per event)
    cy.on('position', (e) => {
      if (this.handleNode && e.target === this.handleNode) this.placeHandle();
    });
    cy.on('remove', (e) => {
      if (this.handleNode && e.target === this.handleNode) this.hideHandle();
    });

    const startFromHandle = (ev: Event) => {
      if (!this.handleNode) return;
      ev.preventDefault();
      ev.stopPropagation();
      const n = this.handleNode;
      this.handle.hidden = true;
      this.eh.start(n);
    };
    this.handle.addEventListener('mousedown', startFromHandle);
    this.handle.addEventListener('touchstart', startFromHandle, { passive: false });
    window.addEventListener('mouseup', () => { if (!this.linking) this.eh.stop(); });
    cy.on('ehstart', () => { this.drawing = true; this.hideHandle(); this.hideTooltip(); });
    cy.on('ehstop', () => { this.drawing = false; this.hideHandle(); });
    this.container.addEventListener('mouseleave', () => this.hideHandle());
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
      this.relabel(moved as cytoscape.NodeCollection);
    });
    this.dragged.clear();
    if (moves.length) this.events.moved(moves);
  }

  private showHandle(n: cytoscape.NodeSingular): void {
    this.handleNode = n;
    this.placeHandle();
    this.handle.hidden = false;
  }

  private placeHandle(): void {
    const n = this.handleNode;
    if (!n) return;
    const bb = n.renderedBoundingBox({ includeLabels: false, includeOverlays: false });
    this.handle.style.left = `${bb.x2 - 2}px`;
    this.handle.style.top = `${(bb.y1 + bb.y2) / 2}px`;
  }

  private hideHandle(): void {
    this.handleNode = undefined;
    this.handle.hidden = true;
  }

  private scheduleTooltip(ele: cytoscape.SingularElementArgument, oe: MouseEvent | undefined): void {
    clearTimeout(this.tooltipTimer);
    const text = [ele.data('problem') as string, ele.data('tooltip') as string, ele.data('reachTip') as string].filter(Boolean);
    if (!text.length || !oe) return;
    const r = this.container.getBoundingClientRect();
    const x = oe.clientX - r.left;
    const y = oe.clientY - r.top;
    this.tooltipTimer = setTimeout(() => {
      const problem = ele.data('problem') as string;
      this.tooltip.replaceChildren();
      if (problem) {
        const p = document.createElement('div');
        p.className = `tooltip-problem ${ele.hasClass('has-error') ? 'error' : 'warning'}`;
        p.textContent = problem;
        this.tooltip.append(p);
      }
      const body = document.createElement('div');
      body.className = 'tooltip-body';
      body.textContent = ele.data('tooltip') as string;
      this.tooltip.append(body);
      const reach = ele.data('reachTip') as string | undefined;
      if (reach) {
        const r = document.createElement('div');
        r.className = `tooltip-reach ${ele.hasClass('reach-fail') ? 'fail' : ele.hasClass('reach-mixed') ? 'mixed' : 'ok'}`;
        r.textContent = reach;
        this.tooltip.append(r);
      }
      this.tooltip.hidden = false;
      const w = this.container.clientWidth;
      const tw = this.tooltip.offsetWidth;
      this.tooltip.style.left = `${Math.min(x + 12, Math.max(0, w - tw - 4))}px`;
      this.tooltip.style.top = `${y + 16}px`;
    }, 450);
  }

  private hideTooltip(): void {
    clearTimeout(this.tooltipTimer);
    this.tooltip.hidden = true;
  }
}
