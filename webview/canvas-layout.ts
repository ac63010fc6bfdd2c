/**
 * Whole-drawing geometry of the canvas: the force-directed automatic layout (fcose) and the
 * fit of the nodes in the view.
 */
import type cytoscape from 'cytoscape';
import { NODE_H, NODE_W } from './icons.js';
import type { Pos } from './model.js';

/** run the force-directed layout over every node; resolves when it stopped */
export function forceLayout(cy: cytoscape.Core, nodes: cytoscape.NodeCollection): Promise<void> {
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
    l.one('layoutstop', () => resolve());
    l.run();
  });
}

/**
 * The viewport that fits the nodes, leaving `bottomInset` pixels free at the bottom. (cy.fit()
 * measures every element and label for the bounding box, which forces the whole style
 * calculation up front; positions and the fixed node size are enough here, plus a margin for
 * the names under the nodes.)
 */
export function fitViewport(cy: cytoscape.Core, bottomInset: number): { zoom: number; pan: Pos } {
  let x1 = Infinity; let y1 = Infinity; let x2 = -Infinity; let y2 = -Infinity;
  cy.nodes().forEach((n) => {
    const p = n.position();
    x1 = Math.min(x1, p.x); y1 = Math.min(y1, p.y); x2 = Math.max(x2, p.x); y2 = Math.max(y2, p.y);
  });
  if (x1 === Infinity) return { zoom: 1, pan: { x: cy.width() / 2, y: cy.height() / 2 } };
  x1 -= NODE_W / 2; x2 += NODE_W / 2; y1 -= NODE_H / 2; y2 += NODE_H / 2 + 24;
  const pad = 40;
  const w = Math.max(1, cy.width() - 2 * pad);
  const h = Math.max(1, cy.height() - bottomInset - 2 * pad);
  const zoom = Math.max(cy.minZoom(), Math.min(1.5, w / (x2 - x1), h / (y2 - y1)));
  return { zoom, pan: { x: cy.width() / 2 - zoom * (x1 + x2) / 2, y: (cy.height() - bottomInset) / 2 - zoom * (y1 + y2) / 2 } };
}
