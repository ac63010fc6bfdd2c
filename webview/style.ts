/**
 * The cytoscape stylesheet, built from the theme's colours (see theme.ts) and the node pictures
 * (see icons.ts). Rebuilt whenever the theme changes.
 */
import type { NodeKind } from './model.js';

export interface Theme {
  kind: 'light' | 'dark' | 'hc' | 'hc-light';
  background: string;
  foreground: string;
  muted: string;
  nodeBackground: string;
  nodeBorder: string;
  selection: string;
  error: string;
  warning: string;
  passed: string;
  edge: string;
  accent: Record<NodeKind, string>;
  /** a lab across hosts: one colour per host, in the file's order of hosts */
  hosts: string[];
  font: string;
  monoFont: string;
}

/** the colour of a connectivity state: passed / warning (some failed) / error (all failed) */
export function reachColor(theme: Theme, state: 'ok' | 'mixed' | 'fail'): string {
  return state === 'ok' ? theme.passed : state === 'mixed' ? theme.warning : theme.error;
}

export interface StyleRule {
  selector: string;
  style: Record<string, string | number | number[]>;
}

/** the properties that only matter where a label is drawn */
const LABEL_PROPS = new Set([
  'label', 'source-label', 'target-label', 'source-text-offset', 'target-text-offset',
  'color', 'font-family', 'font-size', 'font-weight', 'font-style', 'text-valign', 'text-halign', 'text-margin-y',
  'text-wrap', 'min-zoomed-font-size', 'text-background-color', 'text-background-opacity', 'text-background-padding', 'text-background-shape',
  'text-border-color', 'text-border-width', 'text-border-opacity',
]);

/**
 * Each rule's label properties moved to a rule right after it that applies only to elements of
 * class `gate` (same order, so the same property wins). Elements without the class have no
 * label properties at all: cytoscape neither applies, measures nor places them.
 */
function gateLabels(rules: StyleRule[], gate: string): StyleRule[] {
  const out: StyleRule[] = [];
  for (const r of rules) {
    const label = Object.entries(r.style).filter(([k]) => LABEL_PROPS.has(k));
    if (!label.length) { out.push(r); continue; }
    const rest = Object.entries(r.style).filter(([k]) => !LABEL_PROPS.has(k));
    if (rest.length) out.push({ selector: r.selector, style: Object.fromEntries(rest) });
    const selector = r.selector.split(',').map((part) => part.trim().replace(/^(node|edge)/, `$1.${gate}`)).join(', ');
    out.push({ selector, style: Object.fromEntries(label) });
  }
  return out;
}

/**
 * The stylesheet. With `labelGate`, labels are drawn only on elements of that class: the canvas
 * passes a class no element has while zoomed out so far that cytoscape would hide every label
 * anyway (canvas-style.ts LABEL_MIN_SCALE).
 */
export function buildStylesheet(theme: Theme, images: Record<string, string>, size: { w: number; h: number }, labelGate?: string): StyleRule[] {
  const hc = theme.kind === 'hc' || theme.kind === 'hc-light';
  const labelBg = {
    'text-background-color': theme.background,
    'text-background-opacity': hc ? 1 : 0.85,
    'text-background-padding': 2,
    'text-background-shape': 'roundrectangle',
  };
  const rules = [...nodeRules(theme, hc, labelBg, images, size), ...edgeRules(theme, hc, labelBg), ...linkDrawingRules(theme)];
  return labelGate ? gateLabels(rules, labelGate) : rules;
}

type LabelBackground = Record<string, string | number>;

/** the nodes: kind pictures, problems, connectivity halo, selection */
function nodeRules(theme: Theme, hc: boolean, labelBg: LabelBackground, images: Record<string, string>, size: { w: number; h: number }): StyleRule[] {
  // (cytoscape's defaults are left out: background-fit none, text-halign center. Every property
  // a rule sets costs its elements work whenever the style is applied, 1000 nodes at a time)
  const rules: StyleRule[] = [
    {
      selector: 'node',
      style: {
        shape: 'round-rectangle',
        width: size.w,
        height: size.h,
        'background-color': theme.nodeBackground,
        'background-width': size.w,
        'background-height': size.h,
        'background-clip': 'none',
        'border-width': hc ? 2 : 1,
        'border-color': theme.nodeBorder,
        color: theme.foreground,
        'font-family': theme.font,
        'font-size': 12,
        'font-weight': 600,
        'text-valign': 'bottom',
        'text-margin-y': 5,
        'min-zoomed-font-size': 6,
        ...labelBg,
      },
    },
  ];
  // (mappings only where the data is: edgehandles' ghost node has none)
  rules.push({ selector: 'node[label]', style: { label: 'data(label)' } });
  for (const [key, uri] of Object.entries(images)) {
    const [kind, internet] = key.split('-');
    rules.push({ selector: `node.kind-${kind}${internet ? '.internet' : ''}`, style: { 'background-image': uri } });
  }
  rules.push(
    { selector: 'node.hover', style: { 'border-color': theme.selection } },
    // a lab across hosts: each node's host as a double border of its host's colour (problems win)
    ...theme.hosts.map((c, i): StyleRule => ({ selector: `node.host-${i}`, style: { 'border-color': c, 'border-width': 4, 'border-style': 'double' } })),
    { selector: 'node.has-warning', style: { 'border-color': theme.warning, 'border-width': 2 } },
    { selector: 'node.has-error', style: { 'border-color': theme.error, 'border-width': 2 } },
    // connectivity (Test Connectivity): a halo under the node and a second label line, so the
    // border (problems, live state) and the line (link state) stay readable beside it
    ...(['ok', 'mixed', 'fail'] as const).map((st): StyleRule => ({
      selector: `node.reach-${st}`,
      style: {
        'underlay-color': reachColor(theme, st), 'underlay-opacity': hc ? 0.7 : st === 'ok' ? 0.28 : 0.4,
        'underlay-padding': 7, 'underlay-shape': 'round-rectangle',
      },
    })),
    // a label with badge lines (services, connectivity: canvas-decor.ts composeLabel)
    { selector: 'node[reachLabel]', style: { label: 'data(reachLabel)', 'text-wrap': 'wrap' } },
    // services (issue 16): a label framed in the theme's warning colour while one starts, error when one exited
    { selector: 'node.svc-starting', style: { 'text-border-color': theme.warning, 'text-border-width': 1, 'text-border-opacity': 1 } },
    { selector: 'node.svc-exited', style: { 'text-border-color': theme.error, 'text-border-width': hc ? 2 : 1, 'text-border-opacity': 1 } },
    {
      selector: 'node:selected',
      style: {
        'border-color': theme.selection, 'border-width': 2,
        'underlay-color': theme.selection, 'underlay-opacity': hc ? 0 : 0.18, 'underlay-padding': 5, 'underlay-shape': 'round-rectangle',
      },
    },
    { selector: 'node.has-error:selected', style: { 'border-color': theme.error, 'underlay-opacity': hc ? 0 : 0.25, 'underlay-color': theme.selection } },
    { selector: 'node:active, edge:active', style: { 'overlay-opacity': 0 } },
  );
  return rules;
}

/** the edges (links, "lives in"): labels, live state (the nodes' too), connectivity halo, problems, selection */
function edgeRules(theme: Theme, hc: boolean, labelBg: LabelBackground): StyleRule[] {
  return [
    {
      selector: 'edge',
      style: {
        'curve-style': 'bezier',
        width: 2,
        'line-color': theme.edge,
        'line-opacity': hc ? 1 : 0.55,
        'font-family': theme.monoFont,
        'font-size': 10.5,
        color: theme.foreground,
        'min-zoomed-font-size': 7,
        'text-wrap': 'wrap',
        ...labelBg,
      },
    },
    {
      selector: 'edge.link',
      style: {
        'source-label': 'data(srcLabel)', 'target-label': 'data(tgtLabel)',
        'source-text-offset': 'data(srcOffset)', 'target-text-offset': 'data(tgtOffset)',
      },
    },
    // an impaired link: its impairments in the middle (dashed lines mean "missing" in live mode)
    {
      selector: 'edge.link.impaired',
      style: {
        label: 'data(label)',
        // in the middle of the line, level (placed clear of the end labels: fitLinkLabels)
        'font-family': theme.monoFont, 'font-size': 10, color: theme.muted,
      },
    },
    { selector: 'edge.hover', style: { 'line-opacity': 1 } },
    // live: what runs on the machine (while the topology is applied)
    { selector: 'node.live-missing', style: { opacity: 0.5, 'border-style': 'dashed' } },
    { selector: 'node.live-drifted', style: { 'border-color': theme.warning, 'border-style': 'dashed', 'border-width': 2 } },
    { selector: 'node.live-clash', style: { 'border-color': theme.error, 'border-style': 'double', 'border-width': 3 } },
    { selector: 'edge.live-up', style: { 'line-color': theme.passed, 'line-opacity': 0.9 } },
    { selector: 'edge.live-missing', style: { 'line-style': 'dashed', 'line-opacity': 0.5 } },
    { selector: 'edge.live-drifted', style: { 'line-color': theme.warning, 'line-style': 'dashed' } },
    { selector: 'edge.live-down', style: { 'line-color': theme.error, 'line-style': 'dashed', 'line-opacity': 1, width: 3 } },
    ...(['ok', 'mixed', 'fail'] as const).map((st): StyleRule => ({
      selector: `edge.reach-${st}`,
      style: { 'underlay-color': reachColor(theme, st), 'underlay-opacity': hc ? 0.75 : st === 'ok' ? 0.3 : 0.45, 'underlay-padding': st === 'ok' ? 4 : 6 },
    })),
    { selector: 'edge.has-warning', style: { 'line-color': theme.warning, 'line-opacity': 1 } },
    { selector: 'edge.has-error', style: { 'line-color': theme.error, 'line-opacity': 1, 'line-style': hc ? 'dashed' : 'solid' } },
    { selector: 'edge:selected', style: { 'line-color': theme.selection, 'line-opacity': 1, width: 3, 'underlay-color': theme.selection, 'underlay-opacity': hc ? 0 : 0.2, 'underlay-padding': 4 } },
    { selector: 'edge.has-error:selected', style: { 'line-color': theme.error } },
    {
      selector: 'edge.contain',
      style: {
        'line-style': 'dashed',
        'line-dash-pattern': [6, 4],
        width: 1.5,
        'line-color': theme.muted,
        'line-opacity': hc ? 1 : 0.8,
        label: 'data(label)',
        'font-family': theme.font,
        'font-size': 10,
        'font-style': 'italic',
        color: theme.muted,
        events: 'no',
      },
    },
  ];
}

/** drawing a link (cytoscape-edgehandles) */
function linkDrawingRules(theme: Theme): StyleRule[] {
  return [
    { selector: 'node.eh-source, node.eh-target', style: { 'border-color': theme.selection, 'border-width': 2 } },
    { selector: 'node.eh-hover', style: { 'underlay-color': theme.selection, 'underlay-opacity': 0.25, 'underlay-padding': 5, 'underlay-shape': 'round-rectangle' } },
    {
      selector: 'edge.eh-preview, edge.eh-ghost-edge',
      style: {
        'line-color': theme.selection, 'line-opacity': 1, 'line-style': 'dashed', width: 2,
      },
    },
    { selector: 'edge.eh-ghost-edge.eh-preview-active', style: { opacity: 0 } },
    { selector: 'node.eh-ghost-node', style: { width: 1, height: 1, opacity: 0 } },
  ];
}
