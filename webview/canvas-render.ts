/**
 * Drawing a document on the cytoscape canvas, incrementally: elements are added, removed and
 * updated by id (diffElements over their signatures); nodes go where the file puts them, or
 * where they are drawn already, or to an automatic place (autoPlace); the file's positions win
 * except for a node being dragged; the links' end labels are placed for the positions.
 */
import type cytoscape from 'cytoscape';
import { endLabels } from './canvas-style.js';
import { autoPlace, diffElements, signature, type BuildResult, type Pos, type TopologyView } from './model.js';

const LARGE = 600; // elements above which the viewport is drawn from a texture while panning

export class Drawing {
  /** element id -> signature of what is drawn */
  private readonly drawn = new Map<string, string>();
  /** where each node is in the file (undefined: not placed there) */
  private filePositions = new Map<string, Pos | undefined>();

  constructor(private readonly cy: cytoscape.Core) {}

  /** draw a document: add, remove and update elements by id; returns the ids added */
  render(view: TopologyView, build: BuildResult): string[] {
    const cy = this.cy;
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
      Object.assign(e.data, endLabels(e.data, where(e.data.source as string), where(e.data.target as string)));
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

  /** put every node back at its position in the file (after a refused move) */
  resetPositions(): void {
    this.cy.batch(() => {
      for (const [id, p] of this.filePositions) if (p) this.cy.getElementById(id).position({ ...p });
    });
  }
}
