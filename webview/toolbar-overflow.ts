/**
 * The toolbar in one row when the editor is narrow (the matrix beside the canvas): once the
 * buttons are icons only and it would still wrap, the least needed buttons move, in order, into
 * a "More" menu that lists them with their labels (role=menu, arrow keys, Escape closes).
 */
const MORE_ID = 'tb-more';

export class ToolbarOverflow {
  private readonly more: HTMLButtonElement;
  private readonly menu: HTMLElement;
  private moved: HTMLButtonElement[] = [];

  /** order: the buttons that may move, the first to go first */
  constructor(private readonly root: HTMLElement, private readonly order: HTMLButtonElement[]) {
    const more = document.createElement('button');
    more.type = 'button';
    more.id = MORE_ID;
    more.className = 'tb-button tb-more';
    more.textContent = '⋯';
    more.title = 'More tools';
    more.setAttribute('aria-label', 'More tools');
    more.setAttribute('aria-haspopup', 'menu');
    more.setAttribute('aria-expanded', 'false');
    more.hidden = true;
    more.addEventListener('click', () => (this.menu.hidden ? this.open() : this.close()));
    root.append(more);
    this.more = more;
    const menu = document.createElement('div');
    menu.className = 'tb-menu';
    menu.setAttribute('role', 'menu');
    menu.setAttribute('aria-label', 'More tools');
    menu.hidden = true;
    menu.addEventListener('keydown', (e) => this.onKey(e));
    document.body.append(menu);
    this.menu = menu;
    document.addEventListener('pointerdown', (e) => { if (!menu.hidden && !menu.contains(e.target as Node) && e.target !== more) this.close(); });
  }

  /** every button back in the row */
  reset(): void {
    for (const b of this.moved) b.hidden = false;
    this.moved = [];
    this.more.hidden = true;
    this.syncGroups();
    this.close();
  }

  /** move buttons into the menu, in order, until the toolbar no longer wraps */
  fit(wraps: () => boolean): void {
    for (const b of this.order) {
      if (!wraps()) break;
      this.more.hidden = false;
      b.hidden = true;
      this.moved.push(b);
      this.syncGroups();
    }
  }

  /** a group whose buttons all moved takes no room (nor its separator) */
  private syncGroups(): void {
    for (const g of this.root.querySelectorAll<HTMLElement>('.tb-group')) {
      const bs = [...g.querySelectorAll<HTMLButtonElement>('.tb-button')];
      g.hidden = bs.length > 0 && bs.every((b) => b.hidden);
    }
  }

  private open(): void {
    const items = this.moved.map((b) => {
      const item = document.createElement('button');
      item.type = 'button';
      item.className = 'tb-menu-item';
      item.setAttribute('role', 'menuitem');
      item.textContent = b.getAttribute('aria-label') ?? b.textContent ?? '';
      item.title = b.title;
      item.disabled = b.disabled;
      item.addEventListener('click', () => { this.close(); b.click(); });
      return item;
    });
    this.menu.replaceChildren(...items);
    const r = this.more.getBoundingClientRect();
    this.menu.style.top = `${r.bottom + 2}px`;
    this.menu.style.right = `${Math.max(4, document.documentElement.clientWidth - r.right)}px`;
    this.menu.hidden = false;
    this.more.setAttribute('aria-expanded', 'true');
    items.find((i) => !i.disabled)?.focus();
  }

  private close(): void {
    if (this.menu.hidden) return;
    this.menu.hidden = true;
    this.more.setAttribute('aria-expanded', 'false');
  }

  private onKey(e: KeyboardEvent): void {
    const items = [...this.menu.querySelectorAll<HTMLButtonElement>('.tb-menu-item:not(:disabled)')];
    const i = items.indexOf(document.activeElement as HTMLButtonElement);
    if (e.key === 'Escape') { this.close(); this.more.focus(); } else if (e.key === 'ArrowDown') items[(i + 1) % items.length]?.focus();
    else if (e.key === 'ArrowUp') items[(i - 1 + items.length) % items.length]?.focus();
    else return;
    e.preventDefault();
    e.stopPropagation();
  }
}
