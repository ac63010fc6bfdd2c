/**
 * The canvas's context menu (right click): on a node, on a link or on the background, with
 * the items that apply there. Each item is handed back to the app as a MenuHost call.
 */
import '@vscode-elements/elements/dist/vscode-context-menu/index.js';
import type { VscodeContextMenu } from '@vscode-elements/elements/dist/vscode-context-menu/vscode-context-menu.js';
import { NODE_KINDS } from '../src/core/edit/gestures.js';
import type { LiveMark } from '../src/shared/protocol.js';
import type { Canvas } from './canvas.js';
import { HOST_ID, KIND_TEXT, type NodeKind, type Pos, type TopologyView } from './model.js';

interface Item { label?: string; keybinding?: string; value?: string; separator?: boolean }

export interface MenuHost {
  readonly canvas: Canvas;
  view(): TopologyView;
  /** the live marks of a link, while the topology runs */
  liveLink(index: number): { a: LiveMark; b: LiveMark } | undefined;
  /** the live mark of a node (undefined: the topology is not applied) */
  liveNode(ref: string): LiveMark | undefined;
  trusted(): boolean;
  hasClipboard(): boolean;
  addNode(kind: NodeKind, position: Pos): void;
  /** one end of a link up or down on the machine */
  setLinkState(link: number, side: 'a' | 'b', up: boolean): void;
  rename(): void;
  openTerminal(node: string): void;
  copy(): void;
  paste(): void;
  deleteSelection(): void;
  autoLayout(): void;
}

const title = (k: NodeKind) => KIND_TEXT[k].charAt(0).toUpperCase() + KIND_TEXT[k].slice(1);

export class ContextMenu {
  private readonly menu: VscodeContextMenu;
  /** where a background menu was opened (model coordinates, snapped) */
  private at: Pos | undefined;

  constructor(private readonly host: MenuHost) {
    this.menu = document.createElement('vscode-context-menu');
    this.menu.id = 'context-menu';
    this.menu.addEventListener('vsc-context-menu-select', (e) => this.choose((e as CustomEvent<{ value: string }>).detail.value));
    document.body.append(this.menu);
  }

  get open(): boolean {
    return this.menu.show;
  }

  show(x: number, y: number, on: 'node' | 'edge' | 'background'): void {
    const items = on === 'node' ? this.nodeItems() : on === 'edge' ? this.edgeItems() : this.backgroundItems(x, y);
    items.push(
      { label: 'Select All', keybinding: 'Ctrl+A', value: 'select-all' },
      { label: 'Fit', keybinding: 'F', value: 'fit' },
      { label: 'Auto Layout', value: 'layout' },
    );
    const m = this.menu;
    m.data = items;
    m.style.left = `${Math.min(x, window.innerWidth - 240)}px`;
    m.style.top = `${Math.min(y, window.innerHeight - items.length * 24 - 16)}px`;
    m.show = true;
    m.focus();
  }

  private nodeItems(): Item[] {
    const items: Item[] = [];
    const nodes = this.host.canvas.selectedNodes();
    const single = nodes.length === 1 ? this.host.view().byRef.get(nodes[0]!) : undefined;
    if (single && single.kind !== 'host') items.push({ label: 'Rename', keybinding: 'F2', value: 'rename' });
    // a terminal only where the namespace is on the machine and this topology's (not built yet: nothing to enter)
    const built = (ref: string) => { const m = this.host.liveNode(ref); return m !== undefined && m.state !== 'missing' && m.state !== 'unowned-clash'; };
    if (single && (single.kind === 'host' || (single.kind !== 'bridge' && built(nodes[0]!)))) items.push({ label: 'Open Terminal', value: 'terminal' });
    if (nodes.some((n) => n !== HOST_ID)) items.push({ label: 'Copy', keybinding: 'Ctrl+C', value: 'copy' });
    items.push({ label: 'Delete', keybinding: 'Delete', value: 'delete' }, { separator: true });
    return items;
  }

  private edgeItems(): Item[] {
    const items: Item[] = [];
    const link = this.host.canvas.selectedLinks()[0];
    const m = link !== undefined ? this.host.liveLink(link) : undefined;
    if (m && this.host.trusted()) {
      const down = m.a.up === false || m.b.up === false;
      items.push({ label: down ? 'Set Link Up (on the machine)' : 'Set Link Down (on the machine)', value: down ? 'link-up' : 'link-down' }, { separator: true });
    }
    items.push({ label: 'Delete', keybinding: 'Delete', value: 'delete' }, { separator: true });
    return items;
  }

  private backgroundItems(x: number, y: number): Item[] {
    const items: Item[] = [];
    const canvas = this.host.canvas;
    this.at = canvas.snapped(canvas.modelPosition(x, y));
    if (this.host.hasClipboard()) items.push({ label: 'Paste', keybinding: 'Ctrl+V', value: 'paste' });
    for (const k of NODE_KINDS) {
      if (k === 'host' && this.host.view().byRef.has(HOST_ID)) continue;
      items.push({ label: `Add ${title(k)} Here`, value: `add:${k}` });
    }
    items.push({ separator: true });
    return items;
  }

  private choose(value: string): void {
    this.menu.show = false;
    const h = this.host;
    if (value.startsWith('add:')) {
      const kind = NODE_KINDS.find((k) => `add:${k}` === value);
      if (kind && this.at) h.addNode(kind, this.at);
      return;
    }
    switch (value) {
      case 'link-up': case 'link-down': this.linkState(value === 'link-up'); break;
      case 'rename': h.rename(); break;
      case 'terminal': { const n = h.canvas.selectedNodes()[0]; if (n) h.openTerminal(n); break; }
      case 'copy': h.copy(); break;
      case 'paste': h.paste(); break;
      case 'delete': h.deleteSelection(); break;
      case 'select-all': h.canvas.selectAll(); break;
      case 'fit': h.canvas.fit(); break;
      case 'layout': h.autoLayout(); break;
    }
  }

  private linkState(up: boolean): void {
    const link = this.host.canvas.selectedLinks()[0];
    const m = link !== undefined ? this.host.liveLink(link) : undefined;
    if (link === undefined || !m) return;
    // down: one end is enough (ip link set down); up: every end that is down
    const sides = up ? (['a', 'b'] as const).filter((s) => m[s].up === false) : (['a'] as const);
    for (const side of sides) this.host.setLinkState(link, side, up);
  }
}
