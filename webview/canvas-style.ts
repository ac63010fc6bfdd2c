/**
 * How the canvas looks: the stylesheet for the theme, with or without labels as the zoom
 * makes them visible; the labels at the ends of links, placed for each link's direction and
 * length; and the image exports, which draw every label on the theme's background.
 */
import type cytoscape from 'cytoscape';
import { NODE_H, NODE_W, nodeImages } from './icons.js';
import { fitLinkLabels, refOfId, type Pos } from './model.js';
import { buildStylesheet, type Theme } from './style.js';

/**
 * Every label has a min-zoomed-font-size of at least half its font size, and cytoscape compares
 * at the zoom level rounded up to a power of two: at zoom x pixel ratio <= 1/4 it draws no label
 * at all. Zoomed out that far the stylesheet has no label properties (style.ts labelGate with a
 * class no element has), so cytoscape does not apply, measure and place thousands of labels it
 * would not draw (most of the first draw of 1000 namespaces). Exports put them back.
 */
const LABEL_MIN_SCALE = 0.25;
const NO_LABELS = 'never-labelled';

export class CanvasStyle {
  private theme: Theme | undefined;
  /** the stylesheet has the labels (the zoom shows them) */
  private labelsShown = true;

  constructor(private readonly cy: cytoscape.Core) {}

  setTheme(theme: Theme): void {
    this.theme = theme;
    this.apply();
  }

  private apply(): void {
    if (!this.theme) return;
    const sheet = buildStylesheet(this.theme, nodeImages(this.theme), { w: NODE_W, h: NODE_H }, this.labelsShown ? undefined : NO_LABELS);
    this.cy.style(sheet as unknown as cytoscape.StylesheetJson);
  }

  /** would cytoscape draw any label at this zoom? (see LABEL_MIN_SCALE) */
  private labelsVisible(): boolean {
    const r = (this.cy as unknown as { renderer?(): { getPixelRatio?(): number } | undefined }).renderer?.();
    return this.cy.zoom() * (r?.getPixelRatio?.() ?? 1) > LABEL_MIN_SCALE;
  }

  /** the stylesheet with or without labels when the zoom crosses the label threshold */
  syncLabels(show = this.labelsVisible()): void {
    if (show === this.labelsShown) return;
    this.labelsShown = show;
    this.apply();
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
}

/** the end labels (and middle label) of a link's data for nodes at a and b */
export function endLabels(d: Record<string, unknown>, a: Pos, b: Pos, names?: [string, string]): Record<string, string | number> {
  const name = (id: unknown) => refOfId(String(id)) ?? '';
  const l = fitLinkLabels(a, b, { w: NODE_W, h: NODE_H }, names ?? [name(d.source), name(d.target)],
    [d.srcFull as string, d.tgtFull as string], [d.srcShort as string, d.tgtShort as string], (d.midFull as string | undefined) ?? '');
  return { srcLabel: l.src, tgtLabel: l.tgt, srcOffset: l.srcOffset, tgtOffset: l.tgtOffset, label: l.mid };
}

/** after nodes moved on the canvas: their links' end labels follow the new directions */
export function relabel(nodes: cytoscape.NodeCollection): void {
  nodes.connectedEdges('.link').forEach((e) => {
    // the node's label as drawn: with a connectivity badge it is two lines, and the end labels keep clear of both
    const label = (n: cytoscape.NodeSingular) => String(n.data('reachLabel') ?? refOfId(n.id()) ?? '');
    e.data(endLabels(e.data() as Record<string, unknown>, e.source().position(), e.target().position(), [label(e.source()), label(e.target())]));
  });
}
