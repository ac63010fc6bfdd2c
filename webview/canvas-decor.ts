/**
 * Decorations of the drawn elements that do not come from the file: the live state (how the
 * machine compares to the drawing, while the topology is applied) and the connectivity paint
 * (the last Test Connectivity). Both are classes and data on the cytoscape elements, which the
 * stylesheet (style.ts) draws.
 */
import type cytoscape from 'cytoscape';
import { linkIndexOfId, refOfId } from './model.js';

/** what the canvas needs of the live marks (protocol.ts 'live') */
export interface LiveDecor {
  nodes: Record<string, { state: string; detail?: string; services?: { text: string; state: string; detail: string } }>;
  links: Record<string, { a: { state: string; up?: boolean; detail?: string }; b: { state: string; up?: boolean; detail?: string } }>;
}

/**
 * What a live mark means, in words, for the tooltip and the panel: a red border is a clash
 * with an object already on the machine (which, and whose), dashed is not built yet, amber is
 * built but different from the file. Undefined when in sync.
 */
export function liveExplanation(what: string, m: { state: string; up?: boolean; detail?: string }): string | undefined {
  switch (m.state) {
    case 'unowned-clash':
      return `Red border: ${what} already exists on this machine${m.detail ? `, ${m.detail}` : ''}. Apply refuses to touch it: rename it here, or remove the other one first.`;
    case 'missing':
      return `Faded, dashed: ${what} is not on the machine yet; Apply creates it.`;
    case 'drifted':
      return `Amber: ${what} on the machine differs from the file${m.detail ? ` (${m.detail})` : ''}; Apply changes it back.`;
    default:
      return m.up === false ? `Down: ${what} is down on the machine.` : undefined;
  }
}

/** what the canvas needs of a connectivity paint (protocol.ts MatrixPaint) */
export interface ReachPaint {
  links: Record<string, { state: 'ok' | 'mixed' | 'fail'; ok: number; failed: number; detail: string }>;
  nodes: Record<string, { state: 'ok' | 'mixed' | 'fail'; ok: number; failed: number; maxRttMs?: number; detail: string }>;
}

const LIVE_CLASSES = ['live-missing', 'live-drifted', 'live-clash', 'live-down', 'live-up', 'svc', 'svc-ok', 'svc-starting', 'svc-exited', 'svc-stopped'];

/**
 * A node's label with its badge lines: the services' (live) and the connectivity's (the last
 * Test Connectivity), as data `reachLabel` (the stylesheet draws it wrapped; relabel() keeps
 * link labels clear of it). Without either, the plain label.
 */
function composeLabel(n: cytoscape.NodeSingular): void {
  const lines = [n.data('svcBadge') as string | undefined, n.data('reachBadge') as string | undefined].filter((x): x is string => !!x);
  if (lines.length) n.data('reachLabel', [String(n.data('label') ?? refOfId(n.id()) ?? ''), ...lines].join('\n'));
  else n.removeData('reachLabel');
}

/** the services' badge of a namespace: "⚙ 2 services · 1 exited", its class, its lines in the tooltip */
function paintServices(n: cytoscape.NodeSingular, svc: NonNullable<LiveDecor['nodes'][string]['services']> | undefined): void {
  if (!svc) {
    if (n.data('svcBadge') !== undefined) { n.removeData('svcBadge svcTip'); composeLabel(n); }
    return;
  }
  n.addClass(`svc svc-${svc.state}`);
  n.data({ svcBadge: `⚙ ${svc.text}`, svcTip: `Services:\n${svc.detail}` });
  composeLabel(n);
}
const liveClass = (state: string) => (state === 'missing' ? 'live-missing' : state === 'drifted' ? 'live-drifted' : state === 'unowned-clash' ? 'live-clash' : undefined);

/**
 * Node refs and link indices get classes live-missing / live-drifted / live-clash, link ends
 * that are down live-down (all up: live-up). Undefined clears them.
 */
export function paintLive(cy: cytoscape.Core, live: LiveDecor | undefined): void {
  cy.batch(() => {
    cy.elements().removeClass(LIVE_CLASSES.join(' '));
    cy.elements().removeData('liveTip');
    if (!live) { cy.nodes('[svcBadge]').forEach((n) => paintServices(n, undefined)); return; }
    cy.nodes().forEach((n) => {
      const ref = refOfId(n.id());
      const m = ref !== undefined ? live.nodes[ref] : undefined;
      const c = m ? liveClass(m.state) : undefined;
      if (c) n.addClass(c);
      paintServices(n, m?.services);
      const tip = [m && ref !== undefined ? liveExplanation(`'${ref}'`, m) : undefined, n.data('svcTip') as string | undefined].filter(Boolean).join('\n');
      if (tip) n.data('liveTip', tip);
    });
    cy.edges().forEach((e) => {
      const i = linkIndexOfId(e.id());
      const m = i !== undefined ? live.links[String(i)] : undefined;
      if (!m) return;
      const ends = [m.a, m.b];
      if (ends.some((x) => x.up === false)) e.addClass('live-down');
      else if (ends.every((x) => x.up === true)) e.addClass('live-up');
      const worst = ends.map((x) => liveClass(x.state)).find((x) => x);
      if (worst) e.addClass(worst);
      const tip = ([['a', m.a], ['b', m.b]] as const).map(([side, x]) => liveExplanation(`end ${side}`, x)).filter(Boolean).join('\n');
      if (tip) e.data('liveTip', tip);
    });
  });
}

/** the second label line of a painted source namespace */
function reachBadge(m: ReachPaint['nodes'][string]): string {
  const total = m.ok + m.failed;
  if (m.failed) return `✗ ${m.failed} of ${total} unreachable`;
  return `✓ ${total} reached${m.maxRttMs !== undefined ? ` · ≤ ${m.maxRttMs < 10 ? m.maxRttMs.toFixed(2) : m.maxRttMs.toFixed(0)} ms` : ''}`;
}

/**
 * Classes reach reach-ok / reach-mixed / reach-fail on the links (by index) and the source
 * namespaces (by ref), a second label line on those nodes and the probes in their tooltips.
 * Undefined clears it.
 */
export function paintReach(cy: cytoscape.Core, paint: ReachPaint | undefined): void {
  cy.batch(() => {
    const painted = cy.elements('.reach');
    painted.removeClass('reach reach-ok reach-mixed reach-fail');
    painted.removeData('reachBadge reachTip');
    painted.nodes().forEach(composeLabel);
    if (!paint) return;
    cy.nodes().forEach((n) => {
      const ref = refOfId(n.id());
      const m = ref !== undefined ? paint.nodes[ref] : undefined;
      if (!m) return;
      n.addClass(`reach reach-${m.state}`);
      n.data({ reachBadge: reachBadge(m), reachTip: `Connectivity from ${ref}:\n${m.detail}` });
      composeLabel(n);
    });
    cy.edges('.link').forEach((e) => {
      const i = linkIndexOfId(e.id());
      const m = i !== undefined ? paint.links[String(i)] : undefined;
      if (!m) return;
      e.addClass(`reach reach-${m.state}`);
      e.data({ reachTip: `Probes across this link (${m.ok} reached, ${m.failed} failed):\n${m.detail}` });
    });
  });
}
