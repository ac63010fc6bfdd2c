/**
 * Node pictures. The glyphs are the SVG files in media/icons/ (bundled as text); they are drawn
 * in neutral grey (#808080) with one accent colour each, which are replaced here by the theme's
 * colours. A node picture is a glyph, the kind as small text under it and, for a namespace that
 * reaches the internet, a globe badge, turned into a blob: URL made in the page: so the canvas,
 * its PNG and its SVG export need no resource loads (an image from the webview resource origin
 * would taint the canvas and break the PNG export; the SVG export embeds each picture as a PNG
 * data URI drawn from the loaded image).
 *
 * Not a data: URI because cytoscape hashes every character of every style value of every
 * element when it applies the stylesheet: a 1.3 kB data URI per node was most of that work
 * (about 130 ms of the first draw of 1000 namespaces); a blob: URL is about 70 characters.
 */
import bridgeSvg from '../media/icons/bridge.svg';
import hostSvg from '../media/icons/host.svg';
import internetSvg from '../media/icons/internet.svg';
import namespaceSvg from '../media/icons/namespace.svg';
import routerSvg from '../media/icons/router.svg';
import type { NodeKind } from './model.js';
import type { Theme } from './style.js';

/** the size of a node's picture (and of the node) in model pixels */
export const NODE_W = 84;
export const NODE_H = 62;

const GLYPHS: Record<NodeKind, { svg: string; accent: string }> = {
  namespace: { svg: namespaceSvg, accent: '#3794ff' },
  router: { svg: routerSvg, accent: '#b180d7' },
  bridge: { svg: bridgeSvg, accent: '#89d185' },
  host: { svg: hostSvg, accent: '#d18616' },
};
const NEUTRAL = '#808080';
const INTERNET_ACCENT = '#3794ff';

const xmlEscape = (s: string) => s.replace(/[<>&"']/g, (c) => `&#${c.charCodeAt(0)};`);

/** a glyph recoloured and placed at (x, y) with the given size, as an inner <svg> */
export function placeGlyph(svg: string, colors: Record<string, string>, x: number, y: number, size: number): string {
  let s = svg.replace(/<!--[\s\S]*?-->/g, '').replace(/<\?xml[^>]*>/, '').trim();
  for (const [from, to] of Object.entries(colors)) s = s.split(from).join(to);
  return s.replace(/<svg\b([^>]*)>/, (_m, attrs: string) =>
    `<svg${attrs.replace(/\s(width|height|x|y)="[^"]*"/g, '')} x="${x}" y="${y}" width="${size}" height="${size}">`);
}

export function dataUri(svg: string): string {
  return `data:image/svg+xml;charset=utf-8,${encodeURIComponent(svg)}`;
}

/** the glyph of a kind in theme colours (palette buttons) */
export function glyphUri(kind: NodeKind, theme: Theme, size = 16): string {
  const g = GLYPHS[kind];
  const inner = placeGlyph(g.svg, { [NEUTRAL]: theme.foreground, [g.accent]: theme.accent[kind] }, 0, 0, size);
  return dataUri(`<svg xmlns="http://www.w3.org/2000/svg" width="${size}" height="${size}" viewBox="0 0 ${size} ${size}">${inner}</svg>`);
}

const blobUrls = new Map<string, string>();

/**
 * An SVG as a short blob: URL (one per distinct picture, kept for the page's life: a handful per
 * theme), or a data: URI where the page cannot make blob URLs.
 */
export function blobUri(svg: string): string {
  if (typeof URL.createObjectURL !== 'function' || typeof Blob !== 'function') return dataUri(svg);
  let url = blobUrls.get(svg);
  if (!url) {
    url = URL.createObjectURL(new Blob([svg], { type: 'image/svg+xml' }));
    blobUrls.set(svg, url);
  }
  return url;
}

/** the picture of a node: glyph, kind text, optional internet badge */
export function nodeImage(kind: NodeKind, internet: boolean, theme: Theme): string {
  const g = GLYPHS[kind];
  const glyph = placeGlyph(g.svg, { [NEUTRAL]: theme.foreground, [g.accent]: theme.accent[kind] }, (NODE_W - 30) / 2, 8, 30);
  const badge = internet
    ? placeGlyph(internetSvg, { [INTERNET_ACCENT]: theme.accent.namespace }, NODE_W - 21, 5, 15)
    : '';
  const caption = kind === 'host' ? 'root netns' : kind;
  const text = `<text x="${NODE_W / 2}" y="${NODE_H - 9}" text-anchor="middle" font-family="${xmlEscape(theme.font)}" font-size="10" fill="${theme.muted}">${xmlEscape(caption)}</text>`;
  return blobUri(`<svg xmlns="http://www.w3.org/2000/svg" width="${NODE_W}" height="${NODE_H}" viewBox="0 0 ${NODE_W} ${NODE_H}">${glyph}${badge}${text}</svg>`);
}

/** every node picture for a theme, keyed like the node classes: "router" / "router-internet" */
export function nodeImages(theme: Theme): Record<string, string> {
  const out: Record<string, string> = {};
  for (const kind of Object.keys(GLYPHS) as NodeKind[]) {
    out[kind] = nodeImage(kind, false, theme);
    if (kind === 'namespace' || kind === 'router') out[`${kind}-internet`] = nodeImage(kind, true, theme);
  }
  return out;
}
