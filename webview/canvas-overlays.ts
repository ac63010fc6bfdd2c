/**
 * The HTML overlays over the cytoscape canvas: the link handle (a dot on the hovered node that
 * starts a link when dragged) and the tooltip (the element's problem, its details and the
 * connectivity probes across it).
 */
import type cytoscape from 'cytoscape';

export class LinkHandle {
  private readonly el: HTMLElement;
  private node: cytoscape.NodeSingular | undefined;

  /** `start` begins a link from the node when the handle is pressed */
  constructor(container: HTMLElement, start: (n: cytoscape.NodeSingular) => void) {
    const el = document.createElement('div');
    el.className = 'link-handle';
    el.title = 'Drag onto another node to add a veth link';
    el.setAttribute('aria-hidden', 'true');
    el.hidden = true;
    container.append(el);
    this.el = el;
    const startFromHandle = (ev: Event) => {
      if (!this.node) return;
      ev.preventDefault();
      ev.stopPropagation();
      const n = this.node;
      el.hidden = true;
      start(n);
    };
    el.addEventListener('mousedown', startFromHandle);
    el.addEventListener('touchstart', startFromHandle, { passive: false });
  }

  /** the node the handle sits on */
  get on(): cytoscape.NodeSingular | undefined {
    return this.node;
  }

  show(n: cytoscape.NodeSingular): void {
    this.node = n;
    this.place();
    this.el.hidden = false;
  }

  /** follow the node (it moved) */
  place(): void {
    const n = this.node;
    if (!n) return;
    const bb = n.renderedBoundingBox({ includeLabels: false, includeOverlays: false });
    this.el.style.left = `${bb.x2 - 2}px`;
    this.el.style.top = `${(bb.y1 + bb.y2) / 2}px`;
  }

  hide(): void {
    this.node = undefined;
    this.el.hidden = true;
  }
}

export class Tooltip {
  private readonly el: HTMLElement;
  private timer: ReturnType<typeof setTimeout> | undefined;

  constructor(private readonly container: HTMLElement) {
    const el = document.createElement('div');
    el.className = 'canvas-tooltip';
    el.setAttribute('role', 'tooltip');
    el.hidden = true;
    container.append(el);
    this.el = el;
  }

  /** show the element's tooltip near the pointer after a moment */
  schedule(ele: cytoscape.SingularElementArgument, oe: MouseEvent | undefined): void {
    clearTimeout(this.timer);
    const text = [ele.data('problem') as string, ele.data('liveTip') as string, ele.data('tooltip') as string, ele.data('reachTip') as string].filter(Boolean);
    if (!text.length || !oe) return;
    const r = this.container.getBoundingClientRect();
    const x = oe.clientX - r.left;
    const y = oe.clientY - r.top;
    this.timer = setTimeout(() => this.show(ele, x, y), 450);
  }

  private show(ele: cytoscape.SingularElementArgument, x: number, y: number): void {
    // the pointer left (or the element went) while the tooltip waited: nothing to show
    if (ele.removed() || !ele.hasClass('hover')) return;
    const el = this.el;
    const problem = ele.data('problem') as string;
    el.replaceChildren();
    if (problem) el.append(this.part(`tooltip-problem ${ele.hasClass('has-error') ? 'error' : 'warning'}`, problem));
    const live = ele.data('liveTip') as string | undefined;
    if (live) el.append(this.part('tooltip-live', live));
    el.append(this.part('tooltip-body', ele.data('tooltip') as string));
    const reach = ele.data('reachTip') as string | undefined;
    if (reach) el.append(this.part(`tooltip-reach ${ele.hasClass('reach-fail') ? 'fail' : ele.hasClass('reach-mixed') ? 'mixed' : 'ok'}`, reach));
    el.hidden = false;
    const w = this.container.clientWidth;
    const tw = el.offsetWidth;
    el.style.left = `${Math.min(x + 12, Math.max(0, w - tw - 4))}px`;
    el.style.top = `${y + 16}px`;
  }

  private part(className: string, text: string): HTMLElement {
    const d = document.createElement('div');
    d.className = className;
    d.textContent = text;
    return d;
  }

  hide(): void {
    clearTimeout(this.timer);
    this.el.hidden = true;
  }
}
