/**
 * The properties panel: the fields of the selected node or link (or of the topology when
 * nothing is selected), built from @vscode-elements/elements controls. Each committed field
 * posts one gesture ('set' or 'rename'); values are checked first with the model's schemas and
 * refused edits come back from the host with diagnostics, shown under the field they concern.
 * The panel never writes anything itself: it is rebuilt from the next document.
 */
import '@vscode-elements/elements/dist/vscode-badge/index.js';
import '@vscode-elements/elements/dist/vscode-button/index.js';
import '@vscode-elements/elements/dist/vscode-checkbox/index.js';
import '@vscode-elements/elements/dist/vscode-collapsible/index.js';
import '@vscode-elements/elements/dist/vscode-label/index.js';
import '@vscode-elements/elements/dist/vscode-option/index.js';
import '@vscode-elements/elements/dist/vscode-single-select/index.js';
import '@vscode-elements/elements/dist/vscode-textarea/index.js';
import '@vscode-elements/elements/dist/vscode-textfield/index.js';
import type { VscodeSingleSelect } from '@vscode-elements/elements/dist/vscode-single-select/vscode-single-select.js';
import type { VscodeTextarea } from '@vscode-elements/elements/dist/vscode-textarea/vscode-textarea.js';
import type { VscodeTextfield } from '@vscode-elements/elements/dist/vscode-textfield/vscode-textfield.js';
import type { Gesture, Target } from '../src/shared/protocol.js';
import { codicon } from './codicons.js';
import {
  checkCidrList, checkIfName, checkImpairField, checkMtu, checkNsName, checkRoute, checkServers, checkTopoName, checkUplink,
  type Check, type RouteDraft,
} from './fields.js';
import {
  HOST_ID, KIND_TEXT, diagText, elementOfPath, pathStartsWith, summary,
  type Diag, type Impairment, type JsonPath, type TopologyView, type ViewLink, type ViewNode,
} from './model.js';
import { impairSummary } from '../src/core/impair.js';

export type PanelTarget =
  | { type: 'topology' }
  | { type: 'node'; ref: string }
  | { type: 'link'; index: number }
  | { type: 'multi'; nodes: string[]; links: number[] };

export interface PanelHost {
  /** post a gesture; `field` is the panel field it came from (for refusals) */
  edit(g: Gesture, field?: string): void;
  openTerminal(node: string): void;
  /** select an element on the canvas by id */
  select(id: string): void;
  deleteSelection(): void;
}

export interface PanelContext {
  view: TopologyView;
  target: PanelTarget;
  diagnostics: readonly Diag[];
}

interface Field {
  key: string;
  path: JsonPath;
  el: HTMLElement & { value?: string; invalid?: boolean };
  message: HTMLElement;
  original: string;
  /** a hint shown when there is no error */
  help?: string;
}

const isObj = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

type Child = Node | string | null | undefined | false;
interface Props {
  className?: string;
  text?: string;
  attrs?: Record<string, string | boolean | undefined>;
  props?: Record<string, unknown>;
  on?: Record<string, (e: Event) => void>;
}

function h<K extends keyof HTMLElementTagNameMap>(tag: K, p: Props = {}, ...children: Child[]): HTMLElementTagNameMap[K] {
  const el = document.createElement(tag);
  if (p.className) el.className = p.className;
  if (p.text !== undefined) el.textContent = p.text;
  for (const [k, v] of Object.entries(p.attrs ?? {})) {
    if (v === true) el.setAttribute(k, '');
    else if (typeof v === 'string') el.setAttribute(k, v);
  }
  for (const [k, v] of Object.entries(p.props ?? {})) (el as unknown as Record<string, unknown>)[k] = v;
  for (const [k, fn] of Object.entries(p.on ?? {})) el.addEventListener(k, fn);
  for (const c of children) if (c) el.append(c);
  return el;
}

let uid = 0;

export class Panel {
  private fields = new Map<string, Field>();
  private renderKey = '';
  private ctx: PanelContext | undefined;
  /** open/closed state of collapsible sections, by heading */
  private readonly sections = new Map<string, boolean>();
  /** errors found before sending, by field key */
  private readonly local = new Map<string, string>();
  /** what the host said about the last refused edit (kept until the document changes) */
  private refusal: { field: string | undefined; message: string | undefined; diags: Diag[] } | undefined;
  /** routes being typed that are not complete yet, per target */
  private readonly drafts = new Map<string, RouteDraft[]>();
  private problemsEl: HTMLElement | undefined;
  private targetPath: JsonPath = [];

  constructor(private readonly root: HTMLElement, private readonly host: PanelHost) {}

  /** show a context; rebuilt only when what it shows changed (so typing is not disturbed) */
  update(ctx: PanelContext, force = false): void {
    this.ctx = ctx;
    const key = this.keyOf(ctx);
    if (force || key !== this.renderKey) {
      this.renderKey = key;
      this.rebuild(ctx);
    }
    this.paintDiagnostics();
  }

  /** the file is not JSON: nothing to edit here */
  showUnreadable(): void {
    this.renderKey = 'unreadable';
    this.fields = new Map();
    this.problemsEl = undefined;
    this.root.replaceChildren(h('div', { className: 'panel-body' },
      this.header('Not valid JSON', 'topology'),
      h('p', { className: 'hint', text: 'The properties come back when the file parses again. The Problems panel shows where the syntax error is.' })));
  }

  /** the host refused an edit made from a field */
  showRefusal(field: string | undefined, message: string | undefined, diags: Diag[]): void {
    this.refusal = { field, message, diags };
    this.paintDiagnostics();
  }

  clearRefusal(): void {
    if (!this.refusal) return;
    this.refusal = undefined;
    this.paintDiagnostics();
  }

  /** move keyboard focus to the name field (F2 / "Rename" in the context menu) */
  focusName(): void {
    const f = this.fields.get('name');
    if (f) { f.el.focus(); (f.el as VscodeTextfield).wrappedElement?.select?.(); }
  }

  // -------------------------------------------------------------------------------------------

  private keyOf(ctx: PanelContext): string {
    const v = ctx.view;
    const t = ctx.target;
    const refs = v.nodes.map((n) => `${n.ref}/${n.kind}`).join(',');
    switch (t.type) {
      case 'topology': return JSON.stringify(['topology', v.name, summary(v)]);
      case 'multi': return JSON.stringify(['multi', t.nodes, t.links]);
      case 'node': {
        const n = v.byRef.get(t.ref);
        const ends = v.links.filter((l) => l.a.node === t.ref || l.b.node === t.ref).map((l) => [l.index, l.raw]);
        return JSON.stringify(['node', t.ref, n?.kind, n?.raw, ends, refs]);
      }
      case 'link': {
        const l = v.links.find((x) => x.index === t.index);
        return JSON.stringify(['link', t.index, l?.raw, l && v.byRef.get(l.a.node)?.kind, l && v.byRef.get(l.b.node)?.kind]);
      }
    }
  }

  private rebuild(ctx: PanelContext): void {
    // keep the focus (and a value being typed) on the field with the same key
    const active = document.activeElement?.closest?.('[data-field]');
    const activeKey = active?.getAttribute('data-field') ?? undefined;
    const activeField = activeKey ? this.fields.get(activeKey) : undefined;
    const typed = activeField && activeField.el.value !== undefined && activeField.el.value !== activeField.original ? activeField.el.value : undefined;

    this.fields = new Map();
    this.local.clear();
    this.problemsEl = undefined;
    const body = h('div', { className: 'panel-body' });
    const t = ctx.target;
    if (t.type === 'topology') this.topologyPanel(body, ctx);
    else if (t.type === 'multi') this.multiPanel(body, ctx, t);
    else if (t.type === 'node') {
      const n = ctx.view.byRef.get(t.ref);
      if (!n) this.topologyPanel(body, ctx);
      else if (n.kind === 'bridge') this.bridgePanel(body, ctx, n);
      else if (n.kind === 'host') this.hostPanel(body, ctx, n);
      else this.namespacePanel(body, ctx, n);
    } else {
      const l = ctx.view.links.find((x) => x.index === t.index);
      if (!l) this.topologyPanel(body, ctx);
      else this.linkPanel(body, ctx, l);
    }
    this.root.replaceChildren(body);

    if (activeKey) {
      const f = this.fields.get(activeKey);
      if (f) {
        if (typed !== undefined && f.el.value !== undefined) f.el.value = typed;
        f.el.focus();
      }
    }
  }

  // -------------------------------------------------------------------------------------------
  // diagnostics

  private diagsFor(path: JsonPath): Diag[] {
    const ctx = this.ctx;
    if (!ctx) return [];
    const out = ctx.diagnostics.filter((d) => pathStartsWith(d.path, path));
    if (this.refusal) out.unshift(...this.refusal.diags.filter((d) => pathStartsWith(d.path, path)));
    return out;
  }

  /** put each diagnostic under the field with the longest path that contains it */
  private paintDiagnostics(): void {
    const perField = new Map<string, Diag[]>();
    const rest: Diag[] = [];
    const all = this.diagsFor(this.targetPath);
    const fields = [...this.fields.values()].sort((a, b) => b.path.length - a.path.length);
    for (const d of all) {
      const f = fields.find((x) => pathStartsWith(d.path, x.path));
      if (f) (perField.get(f.key) ?? perField.set(f.key, []).get(f.key)!).push(d);
      else rest.push(d);
    }
    for (const f of this.fields.values()) {
      const local = this.local.get(f.key);
      const refusedHere = this.refusal && this.refusal.field === f.key && !this.refusal.diags.length ? this.refusal.message : undefined;
      const ds = perField.get(f.key) ?? [];
      const err = local ?? refusedHere ?? (ds[0] ? diagText(ds[0]) : undefined);
      const severity = local || refusedHere ? 'error' : ds[0]?.severity;
      f.el.invalid = severity === 'error';
      f.el.toggleAttribute('aria-invalid', severity === 'error');
      f.message.textContent = err ?? f.help ?? '';
      f.message.className = `field-message${err ? ` ${severity}` : ''}`;
    }
    // a refusal with no field of its own: at the top of the panel
    if (this.refusal && !this.refusal.diags.length && (!this.refusal.field || !this.fields.has(this.refusal.field)) && this.refusal.message) {
      rest.unshift({ severity: 'error', code: 'refused', message: this.refusal.message, path: [] });
    }
    if (this.problemsEl) {
      this.problemsEl.replaceChildren(...rest.map((d) => this.problemRow(d)));
      this.problemsEl.hidden = rest.length === 0;
    }
  }

  private problemRow(d: Diag): HTMLElement {
    const id = this.ctx ? elementOfPath(this.ctx.view, d.path) : undefined;
    const row = h('div', { className: `problem ${d.severity}`, attrs: { role: 'listitem' } },
      codicon(d.severity === 'error' ? 'error' : 'warning'),
      h('span', { className: 'problem-text', text: diagText(d) }),
    );
    if (id && this.ctx?.target.type === 'topology') {
      row.classList.add('clickable');
      row.tabIndex = 0;
      row.title = 'Select on the canvas';
      const go = () => this.host.select(id);
      row.addEventListener('click', go);
      row.addEventListener('keydown', (e) => { if (e.key === 'Enter' || e.key === ' ') { e.preventDefault(); go(); } });
    }
    return row;
  }

  // -------------------------------------------------------------------------------------------
  // building blocks

  private header(title: string, kind: string, badge?: string): HTMLElement {
    return h('div', { className: 'panel-header' },
      h('span', { className: `panel-kind kind-${kind}`, text: KIND_TEXT[kind as keyof typeof KIND_TEXT] ?? kind }),
      h('h2', { className: 'panel-title', text: title, attrs: { title } }),
      badge ? h('vscode-badge', { text: badge }) : null,
    );
  }

  private problems(parent: HTMLElement): void {
    this.problemsEl = h('div', { className: 'problems', attrs: { role: 'list', 'aria-label': 'Problems' } });
    this.problemsEl.hidden = true;
    parent.append(this.problemsEl);
  }

  private section(parent: HTMLElement, heading: string, build: (body: HTMLElement) => void, open = true, description?: string): void {
    const c = h('vscode-collapsible', { props: { heading, open: this.sections.get(heading) ?? open } });
    if (description) c.description = description;
    c.addEventListener('vsc-collapsible-toggle', (e) => this.sections.set(heading, (e as CustomEvent<{ open: boolean }>).detail.open));
    const body = h('div', { className: 'section-body' });
    build(body);
    c.append(body);
    parent.append(c);
  }

  private register(key: string, path: JsonPath, el: Field['el'], original: string, help?: string): Field['message'] {
    const message = h('div', { className: 'field-message', attrs: { 'aria-live': 'polite' } });
    const id = `f${++uid}`;
    message.id = `${id}-msg`;
    el.setAttribute('aria-describedby', message.id);
    el.setAttribute('data-field', key);
    const f: Field = { key, path, el, message, original };
    if (help !== undefined) f.help = help;
    this.fields.set(key, f);
    return message;
  }

  private fail(key: string, error: string): void {
    this.local.set(key, error);
    this.paintDiagnostics();
  }

  private ok(key: string): void {
    if (this.local.delete(key) || this.refusal?.field === key) {
      if (this.refusal?.field === key) this.refusal = undefined;
      this.paintDiagnostics();
    }
  }

  /** a text field that checks its value on commit (Enter or leaving it) and posts a gesture */
  private text<T>(parent: HTMLElement, o: {
    key: string; label: string; path: JsonPath; value: string; placeholder?: string; help?: string; mono?: boolean;
    multiline?: boolean; disabled?: boolean;
    check: (s: string) => Check<T>;
    commit: (v: T) => Gesture | undefined;
  }): Field['el'] {
    const id = `f${++uid}`;
    const el: VscodeTextfield | VscodeTextarea = o.multiline
      ? h('vscode-textarea', { attrs: { id }, props: { value: o.value, rows: 3, resize: 'vertical' } })
      : h('vscode-textfield', { attrs: { id }, props: { value: o.value } });
    if (o.placeholder) el.placeholder = o.placeholder;
    if (o.mono) el.classList.add('mono');
    if (o.disabled) el.disabled = true;
    el.setAttribute('aria-label', o.label);
    const message = this.register(o.key, o.path, el, o.value, o.help);
    el.addEventListener('change', () => {
      const s = el.value;
      const f = this.fields.get(o.key);
      if (f && s === f.original) { this.ok(o.key); return; }
      const r = o.check(s);
      if (!r.ok) { this.fail(o.key, r.error); return; }
      this.ok(o.key);
      const g = o.commit(r.value);
      if (g) this.host.edit(g, o.key);
    });
    el.addEventListener('keydown', (e) => {
      const ke = e as KeyboardEvent;
      if (ke.key === 'Escape') {
        const f = this.fields.get(o.key);
        if (f && el.value !== f.original) { el.value = f.original; this.ok(o.key); ke.stopPropagation(); }
      }
    });
    parent.append(h('div', { className: 'field' }, h('vscode-label', { attrs: { for: id }, text: o.label }), el, message));
    return el;
  }

  private checkbox(parent: HTMLElement, o: { key: string; label: string; path: JsonPath; checked: boolean; help?: string; commit: (v: boolean) => Gesture }): void {
    const el = h('vscode-checkbox', { props: { checked: o.checked, label: o.label } });
    el.setAttribute('aria-label', o.label);
    const message = this.register(o.key, o.path, el as Field['el'], String(o.checked), o.help);
    el.addEventListener('change', () => this.host.edit(o.commit(el.checked), o.key));
    parent.append(h('div', { className: 'field checkbox-field' }, el, message));
  }

  private select(parent: HTMLElement, o: {
    key: string; label: string; path: JsonPath; value: string; options: [string, string][]; help?: string;
    commit: (v: string) => Gesture | undefined;
  }): VscodeSingleSelect {
    const id = `f${++uid}`;
    const el = h('vscode-single-select', { attrs: { id } });
    if (o.options.length > 20) el.combobox = true;
    for (const [value, label] of o.options) el.append(h('vscode-option', { props: { value }, text: label, attrs: { value } }));
    el.value = o.value;
    el.setAttribute('aria-label', o.label);
    const message = this.register(o.key, o.path, el as unknown as Field['el'], o.value, o.help);
    el.addEventListener('change', () => {
      const g = o.commit(el.value);
      if (g) this.host.edit(g, o.key);
    });
    parent.append(h('div', { className: 'field' }, h('vscode-label', { attrs: { for: id }, text: o.label }), el, message));
    return el;
  }

  private button(label: string, onClick: () => void, o: { secondary?: boolean; icon?: Parameters<typeof codicon>[0]; disabled?: boolean; title?: string } = {}): HTMLElement {
    const b = h('vscode-button', { on: { click: onClick } });
    if (o.secondary) b.secondary = true;
    if (o.disabled) b.disabled = true;
    if (o.title) b.title = o.title;
    if (o.icon) { const i = codicon(o.icon); i.classList.add('button-icon'); b.append(i); }
    b.append(label);
    return b;
  }

  // -------------------------------------------------------------------------------------------
  // shared sections

  private routes(parent: HTMLElement, base: JsonPath, raw: Record<string, unknown>, target: Target): void {
    const list = (Array.isArray(raw.routes) ? raw.routes : []) as unknown[];
    const draftKey = JSON.stringify(base);
    const drafts = this.drafts.get(draftKey) ?? [];
    const rowOf = (r: unknown): RouteDraft => {
      const o = isObj(r) ? r : {};
      const d: RouteDraft = { to: typeof o.to === 'string' ? o.to : '', via: typeof o.via === 'string' ? o.via : '', dev: typeof o.dev === 'string' ? o.dev : '' };
      if (typeof o.metric === 'number') d.metric = o.metric;
      return d;
    };
    this.section(parent, 'Routes', (body) => {
      const grid = h('div', { className: 'routes', attrs: { role: 'table', 'aria-label': 'Routes' } });
      grid.append(h('div', { className: 'routes-head', attrs: { role: 'row' } },
        h('span', { text: 'To', attrs: { role: 'columnheader' } }), h('span', { text: 'Via', attrs: { role: 'columnheader' } }),
        h('span', { text: 'Dev', attrs: { role: 'columnheader' } }), h('span')));
      const rows: RouteDraft[] = [...list.map(rowOf), ...drafts];
      rows.forEach((row, k) => {
        const isDraft = k >= list.length;
        const cells: Record<'to' | 'via' | 'dev', VscodeTextfield> = {} as never;
        const r = h('div', { className: `routes-row${isDraft ? ' draft' : ''}`, attrs: { role: 'row' } });
        const msgs: HTMLElement[] = [];
        for (const col of ['to', 'via', 'dev'] as const) {
          const key = `routes.${k}.${col}`;
          const el = h('vscode-textfield', { props: { value: row[col] }, className: 'mono' });
          el.placeholder = col === 'to' ? 'default' : col === 'via' ? 'gateway' : 'iface';
          el.setAttribute('aria-label', `Route ${k + 1} ${col}`);
          msgs.push(this.register(key, [...base, 'routes', k, col], el, row[col]));
          cells[col] = el;
          el.addEventListener('change', () => {
            const next: RouteDraft = { to: cells.to.value, via: cells.via.value, dev: cells.dev.value };
            if (row.metric !== undefined) next.metric = row.metric;
            const checked = checkRoute(next);
            for (const c of ['to', 'via', 'dev']) this.local.delete(`routes.${k}.${c}`);
            if (!checked.ok) {
              // an unfinished new row is not an error yet
              if (isDraft && /needs/.test(checked.error)) { drafts[k - list.length] = next; this.drafts.set(draftKey, drafts); this.paintDiagnostics(); return; }
              this.fail(key, checked.error);
              return;
            }
            this.paintDiagnostics();
            const routes = [...list];
            if (isDraft) {
              drafts.splice(k - list.length, 1);
              this.drafts.set(draftKey, drafts);
              routes.push(checked.value);
            } else routes[k] = checked.value;
            this.host.edit({ kind: 'set', target, field: 'routes', value: routes }, key);
          });
          r.append(el);
        }
        const remove = h('button', {
          className: 'icon-button', attrs: { type: 'button', 'aria-label': `Remove route ${k + 1}`, title: 'Remove this route' },
          on: {
            click: () => {
              if (isDraft) { drafts.splice(k - list.length, 1); this.drafts.set(draftKey, drafts); this.update(this.ctx!, true); return; }
              const routes = list.filter((_, i) => i !== k);
              this.host.edit({ kind: 'set', target, field: 'routes', value: routes.length ? routes : null }, `routes.${k}.to`);
            },
          },
        }, codicon('close'));
        r.append(remove);
        grid.append(r);
        const msgRow = h('div', { className: 'routes-messages' }, ...msgs);
        grid.append(msgRow);
      });
      body.append(grid);
      body.append(h('div', { className: 'row-actions' }, this.button('Add route', () => {
        drafts.push({ to: list.some((x) => isObj(x) && x.to === 'default') ? '' : 'default', via: '', dev: '' });
        this.drafts.set(draftKey, drafts);
        this.update(this.ctx!, true);
        this.fields.get(`routes.${list.length + drafts.length - 1}.via`)?.el.focus();
      }, { secondary: true, icon: 'add' })));
      if (!rows.length) body.prepend(h('p', { className: 'hint', text: 'No static routes. A namespace on a bridge LAN usually needs a default route via the bridge\'s address.' }));
    }, true, list.length ? String(list.length) : undefined);
  }

  private interfaces(parent: HTMLElement, ctx: PanelContext, n: ViewNode): void {
    const ends = ctx.view.links.flatMap((l) => [[l, l.a, l.b], [l, l.b, l.a]] as const).filter(([, mine]) => mine.node === n.ref);
    const title = n.kind === 'bridge' ? 'Ports' : 'Interfaces';
    this.section(parent, title, (body) => {
      if (!ends.length) body.append(h('p', { className: 'hint', text: 'Not connected. Drag from this node to another one (or use "Connect to" below) to add a veth link.' }));
      const list = h('div', { className: 'iface-list', attrs: { role: 'list' } });
      for (const [l, mine, other] of ends) {
        const row = h('div', { className: 'iface', attrs: { role: 'listitem', tabindex: '0', title: 'Select this link' } },
          h('span', { className: 'iface-name mono', text: mine.name || '?' }),
          h('span', { className: 'iface-addr mono', text: mine.addresses.join(', ') }),
          h('span', { className: 'iface-peer', text: `→ ${other.node}` }),
        );
        const go = () => this.host.select(l.id);
        row.addEventListener('click', go);
        row.addEventListener('keydown', (e) => { if (e.key === 'Enter' || e.key === ' ') { e.preventDefault(); go(); } });
        list.append(row);
      }
      body.append(list);
      // keyboard (and mouse) alternative to dragging a link
      const others = ctx.view.nodes.filter((x) => x.ref !== n.ref);
      if (others.length) {
        const sel = h('vscode-single-select', { className: 'connect-select' });
        if (others.length > 20) sel.combobox = true;
        for (const x of others) sel.append(h('vscode-option', { props: { value: x.ref }, attrs: { value: x.ref }, text: `${x.ref} (${KIND_TEXT[x.kind]})` }));
        // the likely partner: a bridge for a namespace, a namespace for a bridge, not yet connected
        const linked = new Set(ends.map(([, , other]) => other.node));
        const wanted = (x: ViewNode) => (n.kind === 'bridge' ? x.kind === 'namespace' || x.kind === 'router' : x.kind === 'bridge');
        sel.value = (others.find((x) => wanted(x) && !linked.has(x.ref)) ?? others.find((x) => !linked.has(x.ref)) ?? others[0]!).ref;
        sel.setAttribute('aria-label', 'Node to connect to');
        body.append(h('div', { className: 'field' }, h('vscode-label', { text: 'Connect to' }),
          h('div', { className: 'inline' }, sel, this.button('Link', () => {
            if (sel.value) this.host.edit({ kind: 'add-link', a: n.ref, b: sel.value });
          }, { secondary: true, icon: 'link', title: 'Add a veth link to the chosen node' }))));
      }
    }, true, ends.length ? String(ends.length) : undefined);
  }

  private actions(parent: HTMLElement, n: ViewNode | undefined): void {
    const row = h('div', { className: 'panel-actions' });
    if (n && n.kind !== 'bridge') row.append(this.button('Open Terminal', () => this.host.openTerminal(n.ref), { secondary: true, icon: 'terminal', title: `A shell inside ${n.ref === HOST_ID ? 'the host' : n.ref}` }));
    row.append(this.button('Delete', () => this.host.deleteSelection(), { secondary: true, icon: 'trash' }));
    parent.append(row);
  }

  private note(parent: HTMLElement, path: JsonPath, value: unknown, target: Target): void {
    this.text(parent, {
      key: 'note', label: 'Note', path: [...path, 'note'], value: typeof value === 'string' ? value : '', multiline: true,
      placeholder: 'Free-form note',
      check: (s) => ({ ok: true, value: s.trim() ? s : null }),
      commit: (v) => ({ kind: 'set', target, field: 'note', value: v }),
    });
  }

  // -------------------------------------------------------------------------------------------
  // panels

  private topologyPanel(body: HTMLElement, ctx: PanelContext): void {
    this.targetPath = [];
    const v = ctx.view;
    body.append(this.header(v.name || 'Topology', 'topology'));
    body.append(h('p', { className: 'summary', text: summary(v) }));
    this.text(body, {
      key: 'name', label: 'Topology name', path: ['name'], value: v.name, mono: true,
      help: 'Marks every object apply creates (1-20 letters, digits, _ or -).',
      check: checkTopoName,
      commit: (name) => ({ kind: 'set', target: { type: 'topology' }, field: 'name', value: name }),
    });
    const all = ctx.diagnostics;
    this.section(body, 'Problems', (b) => {
      this.problems(b);
      if (!all.length) b.append(h('p', { className: 'hint', text: 'No problems.' }));
    }, true, all.length ? String(all.length) : undefined);
    this.section(body, 'How to', (b) => {
      const tips: [string, string][] = [
        ['Add', 'drag a kind from the toolbar onto the canvas, or click it and then click the canvas'],
        ['Link', 'drag the handle that appears on a node onto another node, or turn on link mode'],
        ['Select', 'click; Shift+click or Shift+drag for more'],
        ['Move', 'drag, or the arrow keys (one grid step)'],
        ['Delete', 'Delete or Backspace, or right-click'],
        ['Copy', 'Ctrl+C / Ctrl+V copies nodes with the links among them'],
        ['View', '+ / - zoom, F fits, Escape clears'],
      ];
      b.append(h('dl', { className: 'tips' }, ...tips.flatMap(([k, t]) => [h('dt', { text: k }), h('dd', { text: t })])));
    }, v.nodes.length === 0);
    this.targetPath = [];
  }

  private multiPanel(body: HTMLElement, ctx: PanelContext, t: Extract<PanelTarget, { type: 'multi' }>): void {
    this.targetPath = ['\u0000none'];
    const parts = [];
    if (t.nodes.length) parts.push(`${t.nodes.length} node${t.nodes.length === 1 ? '' : 's'}`);
    if (t.links.length) parts.push(`${t.links.length} link${t.links.length === 1 ? '' : 's'}`);
    body.append(this.header(`${parts.join(', ')} selected`, 'selection'));
    const names = t.nodes.slice(0, 12).join(', ') + (t.nodes.length > 12 ? ', …' : '');
    if (names) body.append(h('p', { className: 'summary mono', text: names }));
    body.append(h('p', { className: 'hint', text: 'Ctrl+C copies the selected nodes with the links among them; arrow keys move them.' }));
    this.actions(body, undefined);
    void ctx;
  }

  private namespacePanel(body: HTMLElement, ctx: PanelContext, n: ViewNode): void {
    const raw = n.raw;
    const target: Target = { type: 'namespace', name: n.ref };
    this.targetPath = n.path;
    body.append(this.header(n.ref, n.kind));
    this.problems(body);
    this.text(body, {
      key: 'name', label: 'Name', path: [...n.path, 'name'], value: n.ref, mono: true,
      help: 'Renaming keeps links and bridges pointing at it.',
      check: checkNsName,
      commit: (to) => ({ kind: 'rename', from: n.ref, to }),
    });
    const sysctls = isObj(raw.sysctls) ? raw.sysctls : {};
    this.checkbox(body, {
      key: 'sysctls', label: 'IP forwarding (a router)', path: [...n.path, 'sysctls'], checked: n.kind === 'router',
      help: 'net.ipv4.ip_forward = 1 inside the namespace',
      commit: (on) => {
        const next: Record<string, unknown> = { ...sysctls };
        if (on) next['net.ipv4.ip_forward'] = 1; else delete next['net.ipv4.ip_forward'];
        return { kind: 'set', target, field: 'sysctls', value: Object.keys(next).length ? next : null };
      },
    });
    this.checkbox(body, {
      key: 'internet', label: 'Internet access', path: [...n.path, 'internet'], checked: raw.internet === true,
      help: 'Needs a default route and a masqueraded subnet in the host',
      commit: (on) => ({ kind: 'set', target, field: 'internet', value: on ? true : null }),
    });
    this.routes(body, n.path, raw, target);
    this.dns(body, n, target);
    this.interfaces(body, ctx, n);
    this.note(body, n.path, raw.note, target);
    this.actions(body, n);
  }

  private dns(parent: HTMLElement, n: ViewNode, target: Target): void {
    const dns = n.raw.dns;
    const mode = dns === 'inherit' ? 'inherit' : isObj(dns) ? 'servers' : 'none';
    const servers = isObj(dns) && Array.isArray(dns.servers) ? (dns.servers as unknown[]).filter((x) => typeof x === 'string').join(', ') : '';
    this.section(parent, 'DNS', (body) => {
      const serversField = h('div');
      this.select(body, {
        key: 'dns', label: 'Resolver', path: [...n.path, 'dns'], value: mode,
        options: [['none', 'None (use the host\'s /etc/resolv.conf)'], ['inherit', 'Inherit the host\'s upstream servers'], ['servers', 'These servers…']],
        commit: (v) => {
          serversField.hidden = v !== 'servers';
          if (v === 'none') return mode === 'none' ? undefined : { kind: 'set', target, field: 'dns', value: null };
          if (v === 'inherit') return { kind: 'set', target, field: 'dns', value: 'inherit' };
          // servers: wait for the addresses
          if (mode !== 'servers') this.fields.get('dns.servers')?.el.focus();
          return undefined;
        },
      });
      this.text(serversField, {
        key: 'dns.servers', label: 'Servers', path: [...n.path, 'dns', 'servers'], value: servers, mono: true,
        placeholder: '1.1.1.1, 9.9.9.9', help: 'Up to 3 addresses, written to /etc/netns/NAME/resolv.conf',
        check: checkServers,
        commit: (list) => ({ kind: 'set', target, field: 'dns', value: { ...(isObj(dns) ? dns : {}), servers: list } }),
      });
      serversField.hidden = mode !== 'servers';
      body.append(serversField);
    }, mode !== 'none');
  }

  private bridgePanel(body: HTMLElement, ctx: PanelContext, n: ViewNode): void {
    const raw = n.raw;
    const target: Target = { type: 'bridge', name: n.ref };
    this.targetPath = n.path;
    body.append(this.header(n.ref, 'bridge', n.in ? `in ${n.in}` : undefined));
    this.problems(body);
    this.text(body, {
      key: 'name', label: 'Name', path: [...n.path, 'name'], value: n.ref, mono: true,
      help: 'An interface name: at most 15 bytes',
      check: checkIfName,
      commit: (to) => ({ kind: 'rename', from: n.ref, to }),
    });
    this.text(body, {
      key: 'addresses', label: 'Addresses', path: [...n.path, 'addresses'], mono: true,
      value: (Array.isArray(raw.addresses) ? raw.addresses : []).join(', '),
      placeholder: '10.0.0.1/24', help: 'The gateway of the LAN behind the bridge',
      check: checkCidrList,
      commit: (v) => ({ kind: 'set', target, field: 'addresses', value: v }),
    });
    this.text(body, {
      key: 'mtu', label: 'MTU', path: [...n.path, 'mtu'], mono: true,
      value: typeof raw.mtu === 'number' ? String(raw.mtu) : '', placeholder: '1500',
      check: checkMtu,
      commit: (v) => ({ kind: 'set', target, field: 'mtu', value: v }),
    });
    const namespaces = ctx.view.nodes.filter((x) => x.kind === 'namespace' || x.kind === 'router');
    this.select(body, {
      key: 'in', label: 'Lives in', path: [...n.path, 'in'], value: n.in ?? HOST_ID,
      options: [[HOST_ID, 'the host'], ...namespaces.map((x) => [x.ref, x.ref] as [string, string])],
      commit: (v) => ({ kind: 'set', target, field: 'in', value: v === HOST_ID ? null : v }),
    });
    this.interfaces(body, ctx, n);
    this.note(body, n.path, raw.note, target);
    this.actions(body, n);
  }

  private hostPanel(body: HTMLElement, ctx: PanelContext, n: ViewNode): void {
    const raw = n.raw;
    const target: Target = { type: 'host' };
    this.targetPath = ['host'];
    body.append(this.header('host', 'host'));
    body.append(h('p', { className: 'hint', text: 'The root network namespace of this machine.' }));
    this.problems(body);
    this.text(body, {
      key: 'uplink', label: 'Uplink', path: ['host', 'uplink'], mono: true,
      value: typeof raw.uplink === 'string' ? raw.uplink : '', placeholder: 'auto',
      help: '"auto" (the interface of the default route) or an interface such as eth0',
      check: checkUplink,
      commit: (v) => ({ kind: 'set', target, field: 'uplink', value: v }),
    });
    this.text(body, {
      key: 'masquerade', label: 'Masquerade (NAT) subnets', path: ['host', 'masquerade'], mono: true,
      value: (Array.isArray(raw.masquerade) ? raw.masquerade : []).join(', '), placeholder: '10.0.0.0/24',
      help: 'Source subnets NATed out of the uplink',
      check: checkCidrList,
      commit: (v) => ({ kind: 'set', target, field: 'masquerade', value: v }),
    });
    this.select(body, {
      key: 'ipForward', label: 'IP forwarding', path: ['host', 'ipForward'],
      value: raw.ipForward === true ? 'on' : raw.ipForward === false ? 'off' : 'default',
      options: [['default', 'Default (on when masquerading)'], ['on', 'On'], ['off', 'Off']],
      commit: (v) => ({ kind: 'set', target, field: 'ipForward', value: v === 'on' ? true : v === 'off' ? false : null }),
    });
    this.routes(body, ['host'], raw, target);
    this.interfaces(body, ctx, n);
    this.actions(body, n);
  }

  /** delay, jitter, loss, corruption, duplication and rate of what one end sends (tc netem / tbf) */
  private impairments(parent: HTMLElement, l: ViewLink, side: 'a' | 'b', target: Target, p: JsonPath): void {
    const e = l[side];
    const end = l.raw[side];
    const cur: Record<string, unknown> = isObj(end) && isObj(end.impair) ? end.impair : {};
    const FIELDS: [keyof Impairment, string, string, string][] = [
      ['delay', 'Delay (ms)', '100', 'Added one-way delay'],
      ['jitter', 'Jitter (ms)', '10', '± this much around the delay (needs a delay)'],
      ['loss', 'Loss (%)', '1', 'Share of packets dropped'],
      ['corrupt', 'Corruption (%)', '0.1', 'Share of packets with a flipped bit'],
      ['duplicate', 'Duplication (%)', '1', 'Share of packets sent twice'],
      ['rate', 'Rate (kbit/s)', '10000', 'Bandwidth limit: 10000 = 10 Mbit/s'],
    ];
    const summary = impairSummary(e.impair);
    this.section(parent, `Impairments of ${e.node}:${e.name || '?'}`, (b) => {
      for (const [key, label, placeholder, help] of FIELDS) {
        const v = cur[key];
        this.text(b, {
          key: `${side}.impair.${key}`, label, path: [...p, 'impair', key], mono: true,
          value: typeof v === 'number' ? String(v) : '', placeholder, help,
          check: (s) => checkImpairField(key, s),
          commit: (n) => {
            if ((typeof v === 'number' ? v : null) === n) return undefined;
            const next: Record<string, unknown> = { ...cur, [key]: n };
            const empty = Object.values(next).every((x) => x === null || x === undefined);
            return { kind: 'set', target, field: 'impair', value: empty ? null : next };
          },
        });
      }
    }, summary !== '', summary || 'none (tc netem / tbf on what this end sends)');
  }

  private linkPanel(body: HTMLElement, ctx: PanelContext, l: ViewLink): void {
    const base: JsonPath = ['links', l.index];
    this.targetPath = base;
    body.append(this.header(`${l.a.node} ⟷ ${l.b.node}`, 'link', 'veth'));
    this.problems(body);
    for (const side of ['a', 'b'] as const) {
      const e = l[side];
      const target: Target = { type: 'link', index: l.index, side };
      const onBridge = ctx.view.byRef.get(e.node)?.kind === 'bridge';
      const p: JsonPath = [...base, side];
      this.section(body, `End on ${e.node}`, (b) => {
        this.text(b, {
          key: `${side}.name`, label: 'Interface name', path: [...p, 'name'], value: e.name, mono: true,
          check: checkIfName,
          commit: (v) => ({ kind: 'set', target, field: 'name', value: v }),
        });
        this.text(b, {
          key: `${side}.addresses`, label: 'Addresses', path: [...p, 'addresses'], mono: true, value: e.addresses.join(', '),
          placeholder: onBridge ? '' : '10.0.0.2/24', disabled: onBridge && !e.addresses.length,
          help: onBridge ? `A port of bridge ${e.node}: no address (put it on the bridge)` : undefined,
          check: checkCidrList,
          commit: (v) => ({ kind: 'set', target, field: 'addresses', value: v }),
        });
        this.text(b, {
          key: `${side}.mtu`, label: 'MTU (this end)', path: [...p, 'mtu'], mono: true,
          value: e.mtu !== undefined ? String(e.mtu) : '', placeholder: l.mtu !== undefined ? String(l.mtu) : '1500',
          check: checkMtu,
          commit: (v) => ({ kind: 'set', target, field: 'mtu', value: v }),
        });
      });
      this.impairments(body, l, side, target, p);
    }
    const target: Target = { type: 'link', index: l.index };
    this.text(body, {
      key: 'mtu', label: 'MTU (both ends)', path: [...base, 'mtu'], mono: true,
      value: l.mtu !== undefined ? String(l.mtu) : '', placeholder: '1500',
      check: checkMtu,
      commit: (v) => ({ kind: 'set', target, field: 'mtu', value: v }),
    });
    this.note(body, base, l.note, target);
    this.actions(body, undefined);
  }
}
