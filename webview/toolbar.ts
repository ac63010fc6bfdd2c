/**
 * The toolbar: the palette (namespace, router, bridge, host: click then click the canvas, or
 * drag onto it), link mode, view controls, image export and the host commands. Plain buttons
 * (reachable with Tab, each with an aria-label) in the look of VS Code's editor toolbars.
 */
import { CANVAS_COMMANDS, TOOLBAR_COMMANDS, type CanvasButton, type ToolbarCommandName } from '../src/shared/canvas-commands.js';
import { codicon, type IconName } from './codicons.js';
import { glyphUri } from './icons.js';
import type { LabelMode, NodeKind } from './model.js';
import type { Theme } from './style.js';
import { ToolbarOverflow } from './toolbar-overflow.js';

export type { ToolbarCommandName };

export interface ToolbarActions {
  place(kind: NodeKind): void;
  toggleLinkMode(): void;
  fit(): void;
  layout(): void;
  zoom(factor: number): void;
  toggleLabels(): void;
  exportImage(format: 'png' | 'svg'): void;
  command(c: ToolbarCommandName): void;
  clearReach(): void;
}

export interface ToolbarState {
  placing: NodeKind | undefined;
  linking: boolean;
  labels: LabelMode;
  trusted: boolean;
  hasHost: boolean;
  readable: boolean;
  /** connectivity results are painted on the drawing */
  painted: boolean;
}

export const NODE_DRAG_TYPE = 'application/x-netns-lab-node';

const PALETTE: { kind: NodeKind; label: string; title: string }[] = [
  { kind: 'namespace', label: 'Namespace', title: 'Add a network namespace ("another computer")' },
  { kind: 'router', label: 'Router', title: 'Add a router: a namespace with IP forwarding on' },
  { kind: 'bridge', label: 'Bridge', title: 'Add a Linux bridge (a switch)' },
  { kind: 'host', label: 'Host', title: 'Add the host (the root namespace); there is at most one' },
];

/** the buttons that go into the "More" menu when the toolbar is too narrow, the first first */
const OVERFLOW_ORDER = ['svg', 'png', 'labels', 'zoom-out', 'zoom-in', 'layout', 'clear-reach', 'script', 'validate', 'plan', 'destroy', 'ping'];

const LABEL_TEXT: Record<LabelMode, string> = { all: 'Labels: all', names: 'Labels: names', none: 'Labels: off' };
const LABEL_SHORT: Record<LabelMode, string> = { all: 'all', names: 'names', none: 'off' };

export class Toolbar {
  private readonly palette = new Map<NodeKind, { button: HTMLButtonElement; img: HTMLImageElement }>();
  private readonly buttons = new Map<string, HTMLButtonElement>();
  private readonly overflow: ToolbarOverflow;

  constructor(private readonly root: HTMLElement, private readonly actions: ToolbarActions) {
    root.setAttribute('role', 'toolbar');
    root.setAttribute('aria-label', 'Topology tools');

    const pal = this.group('Add', 'palette');
    for (const p of PALETTE) {
      const b = document.createElement('button');
      b.type = 'button';
      b.className = 'tb-button palette-button';
      b.draggable = true;
      b.title = `${p.title}. Click, then click the canvas (click again: place in the middle), or drag onto the canvas.`;
      b.setAttribute('aria-label', `Add ${p.label.toLowerCase()}`);
      b.setAttribute('aria-pressed', 'false');
      const img = document.createElement('img');
      img.alt = '';
      img.width = 16;
      img.height = 16;
      const span = document.createElement('span');
      span.className = 'tb-text';
      span.textContent = p.label;
      b.append(img, span);
      b.addEventListener('click', () => actions.place(p.kind));
      b.addEventListener('dragstart', (e) => {
        e.dataTransfer?.setData(NODE_DRAG_TYPE, p.kind);
        e.dataTransfer?.setData('text/plain', p.kind);
        if (e.dataTransfer) {
          e.dataTransfer.effectAllowed = 'copy';
          e.dataTransfer.setDragImage(img, 8, 8);
        }
      });
      pal.append(b);
      this.palette.set(p.kind, { button: b, img });
    }
    const link = this.button('link', 'Link mode', 'link', 'Link mode: drag (or click two nodes) to connect them with a veth link (L)', () => actions.toggleLinkMode(), true);
    link.setAttribute('aria-pressed', 'false');
    pal.append(link);

    const view = this.group('View');
    view.append(
      this.button('fit', 'Fit', 'screen-full', 'Fit the drawing in the view (F)', () => actions.fit()),
      this.button('layout', 'Auto layout', 'layout', 'Auto layout: arrange all nodes and save their positions', () => actions.layout()),
      this.button('zoom-in', 'Zoom in', 'zoom-in', 'Zoom in (+)', () => actions.zoom(1.25)),
      this.button('zoom-out', 'Zoom out', 'zoom-out', 'Zoom out (-)', () => actions.zoom(0.8)),
      this.button('labels', 'all', 'tag', 'Link labels: interface names and addresses, names only, or none', () => actions.toggleLabels(), true),
    );
    const exp = this.group('Export image');
    exp.append(
      this.button('png', 'PNG', 'file-media', 'Export the drawing as a PNG image next to the file', () => actions.exportImage('png'), true),
      this.button('svg', 'SVG', 'file-code', 'Export the drawing as an SVG image next to the file', () => actions.exportImage('svg'), true),
    );
    const spacer = document.createElement('div');
    spacer.className = 'tb-spacer';
    root.append(spacer);
    // the host commands, from the shared table (src/shared/canvas-commands.ts)
    const groups = { run: this.group('Run'), connectivity: this.group('Connectivity') };
    for (const c of TOOLBAR_COMMANDS) {
      const b = CANVAS_COMMANDS[c].button;
      groups[b.group].append(this.button(b.id, b.label, b.icon, b.title, () => actions.command(c), true));
    }
    groups.connectivity.append(
      this.button('clear-reach', 'Clear results', 'clear-all', 'Clear the connectivity results from the drawing (Esc with nothing selected)', () => actions.clearReach()),
    );
    this.buttons.get('apply')!.classList.add('tb-primary');
    for (const id of ['png', 'svg']) this.buttons.get(id)!.classList.add('tb-short');
    this.overflow = new ToolbarOverflow(root, OVERFLOW_ORDER.flatMap((id) => this.buttons.get(id) ?? []));
    // one row whenever possible: drop button texts (palette last) while the toolbar wraps
    window.addEventListener('resize', () => this.fitOneRow());
    requestAnimationFrame(() => this.fitOneRow());
  }

  private fitOneRow(): void {
    const r = this.root;
    this.overflow.reset();
    r.classList.remove('compact', 'compact-all');
    const wraps = () => {
      const first = r.firstElementChild as HTMLElement | null;
      return !!first && r.clientHeight > first.offsetHeight + 12;
    };
    if (wraps()) r.classList.add('compact');
    if (wraps()) r.classList.add('compact-all');
    // still two rows: the least needed buttons go into the "More" menu
    this.overflow.fit(wraps);
  }

  private group(label: string, cls = ''): HTMLElement {
    const g = document.createElement('div');
    g.className = `tb-group ${cls}`.trim();
    g.setAttribute('role', 'group');
    g.setAttribute('aria-label', label);
    this.root.append(g);
    return g;
  }

  private button(id: string, label: string, icon: IconName, title: string, onClick: () => void, showText = false): HTMLButtonElement {
    const b = document.createElement('button');
    b.type = 'button';
    b.className = 'tb-button';
    b.title = title;
    b.setAttribute('aria-label', label);
    b.append(codicon(icon));
    if (showText) {
      const span = document.createElement('span');
      span.className = 'tb-text';
      span.textContent = label;
      b.append(span);
    }
    b.addEventListener('click', onClick);
    this.buttons.set(id, b);
    return b;
  }

  setTheme(theme: Theme): void {
    for (const [kind, p] of this.palette) p.img.src = glyphUri(kind, theme, 16);
  }

  setState(s: ToolbarState): void {
    for (const [kind, p] of this.palette) {
      const pressed = s.placing === kind;
      p.button.setAttribute('aria-pressed', String(pressed));
      p.button.classList.toggle('active', pressed);
      const disabled = !s.readable || (kind === 'host' && s.hasHost);
      p.button.disabled = disabled;
      p.button.draggable = !disabled;
      if (kind === 'host') p.button.title = s.hasHost ? 'The topology already has the host node' : PALETTE[3]!.title;
    }
    const link = this.buttons.get('link')!;
    link.setAttribute('aria-pressed', String(s.linking));
    link.classList.toggle('active', s.linking);
    link.disabled = !s.readable;
    const labels = this.buttons.get('labels')!;
    labels.querySelector('.tb-text')!.textContent = LABEL_SHORT[s.labels];
    labels.setAttribute('aria-label', `${LABEL_TEXT[s.labels]} (click to change)`);
    for (const id of ['layout', 'png', 'svg']) this.buttons.get(id)!.disabled = !s.readable;
    this.buttons.get('clear-reach')!.disabled = !s.painted;
    for (const c of TOOLBAR_COMMANDS) {
      const cmd: CanvasButton = CANVAS_COMMANDS[c].button;
      const b = this.buttons.get(cmd.id)!;
      b.disabled = !s.readable || (!!cmd.needsTrust && !s.trusted);
      if (cmd.needsTrust) b.title = s.trusted ? cmd.title : 'Disabled in an untrusted workspace (Workspace Trust)';
    }
  }
}
