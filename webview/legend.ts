/**
 * One legend for every mark on the canvas: the file's problems (red, amber), the live state
 * while the topology is applied (link up, down, missing, drifted, a clash) and the connectivity
 * paint (the halos, with what was reached, when, and a button that clears it). It sits at the
 * bottom left of the canvas, collapsed to one line by default (a button with aria-expanded:
 * Enter or Space opens it); the canvas keeps nodes clear of the pixels it covers.
 */
import type { MatrixPaint } from '../src/shared/protocol.js';

type Swatch = `host-${number}` | 'node-error' | 'node-warning' | 'line-up' | 'line-down' | 'missing' | 'drifted' | 'clash' | 'ok' | 'mixed' | 'fail';

const FILE_KEYS: [Swatch, string][] = [['node-error', 'an error in the file (hover for it)'], ['node-warning', 'a warning']];
const LIVE_KEYS: [Swatch, string][] = [
  ['line-up', 'link up'], ['line-down', 'link down (an end is down)'], ['missing', 'not on the machine yet (faded, dashed)'],
  ['drifted', 'differs from the file (amber, dashed)'], ['clash', 'the name is taken by an object the topology does not own'],
];
const REACH_KEYS: [Swatch, string][] = [['ok', 'all reached'], ['mixed', 'some failed'], ['fail', 'all failed']];

function el<K extends keyof HTMLElementTagNameMap>(tag: K, cls: string, text?: string): HTMLElementTagNameMap[K] {
  const e = document.createElement(tag);
  e.className = cls;
  if (text !== undefined) e.textContent = text;
  return e;
}

export class Legend {
  private readonly el: HTMLElement;
  private expanded = false;
  private paint: MatrixPaint | undefined;
  private live = false;
  private hosts: string[] = [];

  constructor(container: HTMLElement, private readonly onClear: () => void, private readonly onResize: (inset: number) => void) {
    const root = el('div', 'legend');
    root.id = 'legend';
    root.setAttribute('role', 'region');
    root.setAttribute('aria-label', 'Legend');
    container.append(root);
    this.el = root;
    this.render();
  }

  /** the connectivity paint (undefined: none) */
  setReach(p: MatrixPaint | undefined): void {
    this.paint = p;
    this.render();
  }

  /** a lab across hosts: its hosts in the file's order (each with its colour); [] for one host */
  setHosts(hosts: readonly string[]): void {
    if (hosts.join('\n') === this.hosts.join('\n')) return;
    this.hosts = [...hosts];
    this.render();
  }

  /** whether the canvas shows the live state (the topology is applied) */
  setLive(on: boolean): void {
    if (on === this.live) return;
    this.live = on;
    this.render();
  }

  toggle(open = !this.expanded): void {
    this.expanded = open;
    this.render();
  }

  private render(): void {
    const root = this.el;
    root.replaceChildren(this.head());
    root.classList.toggle('expanded', this.expanded);
    if (this.expanded) {
      const body = el('div', 'legend-body');
      body.id = 'legend-body';
      if (this.hosts.length) body.append(this.section('Hosts (the double border: the host a node is on)', this.hosts.map((h, i): [Swatch, string] => [`host-${i % 6}`, h])));
      body.append(this.section('In the file', FILE_KEYS));
      body.append(this.section(this.live ? 'On the machine (applied)' : 'On the machine (once applied)', LIVE_KEYS));
      if (!this.paint) body.append(this.section('Connectivity (a halo around a link or namespace, after Test Connectivity)', REACH_KEYS));
      if (this.paint?.unplaced) body.append(el('div', 'legend-note', `${this.paint.unplaced} probe(s) without a path in the drawing`));
      root.append(body);
    }
    this.onResize(root.offsetHeight + 8);
  }

  private head(): HTMLElement {
    const head = el('div', 'legend-head');
    const toggle = el('button', 'legend-toggle', this.expanded ? '▾ Legend' : '▸ Legend');
    toggle.type = 'button';
    toggle.setAttribute('aria-expanded', String(this.expanded));
    toggle.setAttribute('aria-controls', 'legend-body');
    toggle.title = this.expanded ? 'Hide the legend' : 'What the colours and dashes mean';
    // the button is drawn again: keep the keyboard focus on it
    toggle.addEventListener('click', () => { this.toggle(); this.el.querySelector<HTMLElement>('.legend-toggle')?.focus(); });
    head.append(toggle);
    const p = this.paint;
    if (p) {
      // the connectivity results: one line beside the toggle (what was reached, when, the halo key)
      const reach = el('div', 'reach-legend');
      reach.id = 'reach-legend';
      reach.title = 'Halo: the pings across a link or from a namespace; the line itself keeps showing the link\'s state. Hover a node or link for each probe.';
      const sum = el('span', 'reach-summary');
      const at = new Date(p.at);
      sum.textContent = `${p.probes - p.failed} of ${p.probes} reachable · ${(p.durationMs / 1000).toFixed(1)} s${Number.isNaN(at.getTime()) ? '' : ` · ${at.toLocaleTimeString()}`}`;
      const clear = el('button', 'reach-clear', '✕');
      clear.type = 'button';
      clear.title = 'Clear the connectivity results (Esc with nothing selected)';
      clear.setAttribute('aria-label', 'Clear the connectivity results');
      clear.addEventListener('click', () => this.onClear());
      reach.append(el('strong', '', 'Connectivity'), sum, this.keys(REACH_KEYS), clear);
      head.append(reach);
    }
    return head;
  }

  private section(title: string, keys: [Swatch, string][]): HTMLElement {
    const s = el('div', 'legend-section');
    s.append(el('div', 'legend-title', title), this.keys(keys));
    return s;
  }

  private keys(keys: [Swatch, string][]): HTMLElement {
    const list = el('span', 'legend-keys');
    for (const [sw, text] of keys) {
      const k = el('span', 'legend-key');
      const swatch = el('span', `legend-swatch ${sw}`);
      swatch.setAttribute('aria-hidden', 'true');
      k.append(swatch, document.createTextNode(text));
      list.append(k);
    }
    return list;
  }
}
