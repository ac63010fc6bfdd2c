/**
 * The properties panel: the fields of the selected node or link (or of the topology when
 * nothing is selected), built from @vscode-elements/elements controls. Each committed field
 * posts one gesture ('set' or 'rename'); values are checked first with the model's schemas and
 * refused edits come back from the host with diagnostics, shown under the field they concern.
 * The panel never writes anything itself: it is rebuilt from the next document.
 */
import '@vscode-elements/elements/dist/vscode-badge/index.js';
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
import { codicon } from './codicons.js';
import type { RouteDraft } from './fields.js';
import { diagText, elementOfPath, pathStartsWith, summary, type Diag, type JsonPath } from './model.js';
import { bridgePanel, hostPanel, linkPanel, multiPanel, namespacePanel, topologyPanel } from './panel-forms.js';
import {
  button, h, header, nextId,
  type CheckboxOptions, type Field, type Form, type PanelContext, type PanelHost, type SelectOptions, type TextOptions,
} from './panel-widgets.js';

export type { PanelContext, PanelHost, PanelTarget } from './panel-widgets.js';

export class Panel implements Form {
  private fields = new Map<string, Field>();
  private renderKey = '';
  private ctx: PanelContext | undefined;
  /** open/closed state of collapsible sections, by heading */
  private readonly sections = new Map<string, boolean>();
  /** errors found before sending, by field key */
  private readonly local = new Map<string, string>();
  /** what the host said about the last refused edit (kept until the document changes) */
  private refusal: { field: string | undefined; message: string | undefined; diags: Diag[]; anyway?: () => void } | undefined;
  /** routes being typed that are not complete yet, per target */
  readonly drafts = new Map<string, RouteDraft[]>();
  private problemsEl: HTMLElement | undefined;
  private targetPath: JsonPath = [];

  constructor(private readonly root: HTMLElement, readonly host: PanelHost) {}

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
      header('Not valid JSON', 'topology'),
      h('p', { className: 'hint', text: 'The properties come back when the file parses again. The Problems panel shows where the syntax error is.' })));
  }

  /** the host refused an edit made from a field */
  showRefusal(field: string | undefined, message: string | undefined, diags: Diag[], anyway?: () => void): void {
    this.refusal = { field, message, diags, ...(anyway ? { anyway } : {}) };
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
        return JSON.stringify(['node', t.ref, n?.kind, n?.raw, ends, refs, ctx.liveNote?.(t.ref)]);
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
    this.form(body, ctx);
    this.root.replaceChildren(body);

    if (activeKey) {
      const f = this.fields.get(activeKey);
      if (f) {
        if (typed !== undefined && f.el.value !== undefined) f.el.value = typed;
        f.el.focus();
      }
    }
  }

  /** the form of the target (the topology's when the target is gone) */
  private form(body: HTMLElement, ctx: PanelContext): void {
    const t = ctx.target;
    if (t.type === 'multi') { multiPanel(this, body, ctx, t); return; }
    if (t.type === 'node') {
      const n = ctx.view.byRef.get(t.ref);
      const note = ctx.liveNote?.(t.ref);
      if (note) body.append(h('div', { className: 'live-note', text: note, attrs: { role: 'note' } }));
      if (n?.kind === 'bridge') { bridgePanel(this, body, ctx, n); return; }
      if (n?.kind === 'host') { hostPanel(this, body, ctx, n); return; }
      if (n) { namespacePanel(this, body, ctx, n); return; }
    }
    if (t.type === 'link') {
      const l = ctx.view.links.find((x) => x.index === t.index);
      if (l) { linkPanel(this, body, ctx, l); return; }
    }
    topologyPanel(this, body, ctx);
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
    for (const f of this.fields.values()) this.paintField(f, perField.get(f.key) ?? []);
    // a refusal with no field of its own: at the top of the panel
    if (this.refusal && !this.refusal.diags.length && (!this.refusal.field || !this.fields.has(this.refusal.field)) && this.refusal.message) {
      rest.unshift({ severity: 'error', code: 'refused', message: this.refusal.message, path: [] });
    }
    if (this.problemsEl) {
      this.problemsEl.replaceChildren(...rest.map((d) => this.problemRow(d)));
      this.problemsEl.hidden = rest.length === 0;
    }
    this.paintInsist();
  }

  /** a refusal for the errors an edit adds: say so, and offer to make it anyway */
  private paintInsist(): void {
    this.root.querySelector('.refusal-bar')?.remove();
    const r = this.refusal;
    if (!r?.anyway) return;
    const anyway = r.anyway;
    this.root.prepend(h('div', { className: 'refusal-bar', attrs: { role: 'alert' } },
      h('p', { text: `Not changed: ${r.message ?? 'the edit adds errors'}. You can make it anyway (for a change in several steps, like renumbering a link); the errors stay listed and Apply waits until they are fixed.` }),
      button('Apply anyway', () => { this.refusal = undefined; this.paintDiagnostics(); anyway(); }, { icon: 'warning' })));
  }

  private paintField(f: Field, ds: Diag[]): void {
    const local = this.local.get(f.key);
    const refusedHere = this.refusal && this.refusal.field === f.key && !this.refusal.diags.length ? this.refusal.message : undefined;
    const err = local ?? refusedHere ?? (ds[0] ? diagText(ds[0]) : undefined);
    const severity = local || refusedHere ? 'error' : ds[0]?.severity;
    f.el.invalid = severity === 'error';
    f.el.toggleAttribute('aria-invalid', severity === 'error');
    f.message.textContent = err ?? f.help ?? '';
    f.message.className = `field-message${err ? ` ${severity}` : ''}`;
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
  // the Form the forms build with (panel-widgets.ts)

  setTarget(path: JsonPath): void {
    this.targetPath = path;
  }

  paint(): void {
    this.paintDiagnostics();
  }

  redraw(): void {
    if (this.ctx) this.update(this.ctx, true);
  }

  field(key: string): Field | undefined {
    return this.fields.get(key);
  }

  clearLocal(key: string): void {
    this.local.delete(key);
  }

  problems(parent: HTMLElement): void {
    this.problemsEl = h('div', { className: 'problems', attrs: { role: 'list', 'aria-label': 'Problems' } });
    this.problemsEl.hidden = true;
    parent.append(this.problemsEl);
  }

  section(parent: HTMLElement, heading: string, build: (body: HTMLElement) => void, open = true, description?: string): void {
    const c = h('vscode-collapsible', { props: { heading, open: this.sections.get(heading) ?? open } });
    if (description) c.description = description;
    c.addEventListener('vsc-collapsible-toggle', (e) => this.sections.set(heading, (e as CustomEvent<{ open: boolean }>).detail.open));
    const body = h('div', { className: 'section-body' });
    build(body);
    c.append(body);
    parent.append(c);
  }

  register(key: string, path: JsonPath, el: Field['el'], original: string, help?: string): Field['message'] {
    const message = h('div', { className: 'field-message', attrs: { 'aria-live': 'polite' } });
    message.id = `${nextId()}-msg`;
    el.setAttribute('aria-describedby', message.id);
    el.setAttribute('data-field', key);
    const f: Field = { key, path, el, message, original };
    if (help !== undefined) f.help = help;
    this.fields.set(key, f);
    return message;
  }

  fail(key: string, error: string): void {
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
  text<T>(parent: HTMLElement, o: TextOptions<T>): Field['el'] {
    const id = nextId();
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

  checkbox(parent: HTMLElement, o: CheckboxOptions): void {
    const el = h('vscode-checkbox', { props: { checked: o.checked, label: o.label } });
    el.setAttribute('aria-label', o.label);
    const message = this.register(o.key, o.path, el as Field['el'], String(o.checked), o.help);
    el.addEventListener('change', () => this.host.edit(o.commit(el.checked), o.key));
    parent.append(h('div', { className: 'field checkbox-field' }, el, message));
  }

  select(parent: HTMLElement, o: SelectOptions): VscodeSingleSelect {
    const id = nextId();
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
}
