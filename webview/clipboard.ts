/**
 * Copy, cut and paste of nodes (with the links among them): the payload is the nodes as they
 * are in the file, also put on the system clipboard as recognizable text; each paste of the
 * same payload lands a little further down and right. The clipboard events are what VS Code
 * forwards for Ctrl+C / Ctrl+X / Ctrl+V; keyboard.ts covers embedders that send none.
 */
import type { Gesture } from '../src/shared/protocol.js';
import { fromEditable } from './dom.js';
import { HOST_ID, clipboardText, parseClipboard, pastePayload, type PastePayload, type TopologyView } from './model.js';
import type { FlashKind } from './status.js';

export interface ClipboardHost {
  view(): TopologyView;
  selectedNodes(): string[];
  flash(text: string, kind: FlashKind): void;
  edit(g: Gesture): void;
  deleteSelection(): void;
}

const plural = (n: number, one: string) => `${n} ${one}${n === 1 ? '' : 's'}`;

export class Clipboard {
  private payload: PastePayload | undefined;
  private pasteCount = 0;
  private pasteFallback: ReturnType<typeof setTimeout> | undefined;

  constructor(private readonly host: ClipboardHost) {}

  get full(): boolean {
    return !!this.payload;
  }

  /** copy the selected nodes (quiet: say nothing when the same payload is copied again) */
  copy(quiet = false): PastePayload | undefined {
    const refs = this.host.selectedNodes().filter((r) => r !== HOST_ID);
    if (!refs.length) return undefined;
    const p = pastePayload(this.host.view(), refs);
    const same = JSON.stringify(p) === JSON.stringify(this.payload);
    this.payload = p;
    if (same && quiet) return p;
    this.pasteCount = 0;
    this.host.flash(`Copied ${plural(refs.length, 'node')}${p.links.length ? ` and ${plural(p.links.length, 'link')}` : ''}`, 'info');
    return p;
  }

  paste(): void {
    const p = this.payload;
    if (!p) return;
    this.pasteCount++;
    const d = 40 * this.pasteCount;
    this.host.edit({ kind: 'paste', namespaces: p.namespaces, bridges: p.bridges, links: p.links, offset: { x: d, y: d } });
  }

  /** Ctrl+V as a key: paste unless a paste event follows right away (that one pastes instead) */
  pasteSoon(e: KeyboardEvent): void {
    clearTimeout(this.pasteFallback);
    // (an embedder that prevents the key's default, as VS Code does on macOS, sends the paste event itself)
    this.pasteFallback = setTimeout(() => { if (!e.defaultPrevented) this.paste(); }, 60);
  }

  /** the document's copy / cut / paste events, outside text fields and the panel */
  bind(panel: HTMLElement): void {
    const allowed = (e: Event) => !fromEditable(e) && !e.composedPath().includes(panel);
    const copyTo = (e: ClipboardEvent): boolean => {
      const p = this.copy();
      if (!p) return false;
      e.clipboardData?.setData('text/plain', clipboardText(p));
      e.preventDefault();
      return true;
    };
    document.addEventListener('copy', (e) => { if (allowed(e)) copyTo(e); });
    document.addEventListener('cut', (e) => { if (allowed(e) && copyTo(e)) this.host.deleteSelection(); });
    document.addEventListener('paste', (e) => {
      if (!allowed(e)) return;
      clearTimeout(this.pasteFallback);
      const fromClipboard = parseClipboard(e.clipboardData?.getData('text/plain') ?? '');
      if (fromClipboard && JSON.stringify(fromClipboard) !== JSON.stringify(this.payload)) { this.payload = fromClipboard; this.pasteCount = 0; }
      if (!this.payload) return;
      e.preventDefault();
      this.paste();
    });
  }
}
