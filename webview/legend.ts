/**
 * The legend of the connectivity paint: what was reached, when, how long it took, the key of
 * the halo colours and a button that clears the paint. It sits at the bottom of the canvas.
 */
import type { MatrixPaint } from '../src/shared/protocol.js';

export class ReachLegend {
  private readonly el: HTMLElement;

  constructor(container: HTMLElement, private readonly onClear: () => void) {
    const el = document.createElement('div');
    el.id = 'reach-legend';
    el.className = 'reach-legend';
    el.setAttribute('role', 'region');
    el.setAttribute('aria-label', 'Connectivity results');
    el.hidden = true;
    container.append(el);
    this.el = el;
  }

  /** show a paint (undefined: hide); returns the pixels it covers at the bottom of the canvas */
  show(p: MatrixPaint | undefined): number {
    const el = this.el;
    el.hidden = !p;
    el.replaceChildren();
    if (!p) return 0;
    el.title = 'Halo: the pings across a link or from a namespace; the line itself keeps showing the link\'s state. Hover a node or link for each probe.';
    el.append(this.head(p), this.keys(p));
    return el.offsetHeight + 8;
  }

  private head(p: MatrixPaint): HTMLElement {
    const head = document.createElement('div');
    head.className = 'reach-head';
    const title = document.createElement('strong');
    title.textContent = 'Connectivity';
    const sum = document.createElement('span');
    sum.className = 'reach-summary';
    const at = new Date(p.at);
    sum.textContent = `${p.probes - p.failed} of ${p.probes} reachable · ${(p.durationMs / 1000).toFixed(1)} s${Number.isNaN(at.getTime()) ? '' : ` · ${at.toLocaleTimeString()}`}`;
    const clear = document.createElement('button');
    clear.type = 'button';
    clear.className = 'reach-clear';
    clear.textContent = '✕';
    clear.title = 'Clear the connectivity results (Esc with nothing selected)';
    clear.setAttribute('aria-label', 'Clear the connectivity results');
    clear.addEventListener('click', () => this.onClear());
    head.append(title, sum, clear);
    return head;
  }

  private keys(p: MatrixPaint): HTMLElement {
    const keys = document.createElement('div');
    keys.className = 'reach-keys';
    for (const [st, text] of [['ok', 'all reached'], ['mixed', 'some failed'], ['fail', 'all failed']] as const) {
      const k = document.createElement('span');
      k.className = 'reach-key';
      const sw = document.createElement('span');
      sw.className = `reach-swatch ${st}`;
      k.append(sw, document.createTextNode(text));
      keys.append(k);
    }
    if (p.unplaced) {
      const u = document.createElement('span');
      u.className = 'reach-key reach-unplaced';
      u.textContent = `${p.unplaced} without a path in the drawing`;
      keys.append(u);
    }
    return keys;
  }
}
