/**
 * The properties panel's building blocks: the element helper `h`, headers and buttons, and
 * the Form interface through which the forms (panel-forms.ts, panel-routes.ts) add fields to
 * the panel (panel.ts), which keeps their state and paints their diagnostics.
 */
import type { VscodeSingleSelect } from '@vscode-elements/elements/dist/vscode-single-select/vscode-single-select.js';
import type { Gesture } from '../src/shared/protocol.js';
import { codicon } from './codicons.js';
import type { Check, RouteDraft } from './fields.js';
import { KIND_TEXT, type Diag, type JsonPath, type TopologyView } from './model.js';

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
  /** what the live mark of a node means (a red border: which object clashes, whose), when applied */
  liveNote?: (ref: string) => string | undefined;
}

export interface Field {
  key: string;
  path: JsonPath;
  el: HTMLElement & { value?: string; invalid?: boolean };
  message: HTMLElement;
  original: string;
  /** a hint shown when there is no error */
  help?: string;
}

export interface TextOptions<T> {
  key: string; label: string; path: JsonPath; value: string; placeholder?: string; help?: string; mono?: boolean;
  multiline?: boolean; disabled?: boolean;
  check: (s: string) => Check<T>;
  commit: (v: T) => Gesture | undefined;
}

export interface CheckboxOptions { key: string; label: string; path: JsonPath; checked: boolean; help?: string; commit: (v: boolean) => Gesture }

export interface SelectOptions {
  key: string; label: string; path: JsonPath; value: string; options: [string, string][]; help?: string;
  commit: (v: string) => Gesture | undefined;
}

/** what a form can do with the panel it is built into */
export interface Form {
  readonly host: PanelHost;
  /** routes being typed that are not complete yet, per target */
  readonly drafts: Map<string, RouteDraft[]>;
  /** the JSON path of what the form shows: the diagnostics under it are its own */
  setTarget(path: JsonPath): void;
  /** the list of problems that belong to no field */
  problems(parent: HTMLElement): void;
  section(parent: HTMLElement, heading: string, build: (body: HTMLElement) => void, open?: boolean, description?: string): void;
  register(key: string, path: JsonPath, el: Field['el'], original: string, help?: string): Field['message'];
  field(key: string): Field | undefined;
  text<T>(parent: HTMLElement, o: TextOptions<T>): Field['el'];
  checkbox(parent: HTMLElement, o: CheckboxOptions): void;
  select(parent: HTMLElement, o: SelectOptions): VscodeSingleSelect;
  /** a field's value is wrong before it is sent */
  fail(key: string, error: string): void;
  /** forget the errors found before sending for these fields */
  clearLocal(key: string): void;
  /** paint the diagnostics again */
  paint(): void;
  /** build the form again (after a change of its drafts) */
  redraw(): void;
}

export const isObj = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

type Child = Node | string | null | undefined | false;
interface Props {
  className?: string;
  text?: string;
  attrs?: Record<string, string | boolean | undefined>;
  props?: Record<string, unknown>;
  on?: Record<string, (e: Event) => void>;
}

export function h<K extends keyof HTMLElementTagNameMap>(tag: K, p: Props = {}, ...children: Child[]): HTMLElementTagNameMap[K] {
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
/** a fresh element id */
export const nextId = (): string => `f${++uid}`;

export function header(title: string, kind: string, badge?: string): HTMLElement {
  return h('div', { className: 'panel-header' },
    h('span', { className: `panel-kind kind-${kind}`, text: KIND_TEXT[kind as keyof typeof KIND_TEXT] ?? kind }),
    h('h2', { className: 'panel-title', text: title, attrs: { title } }),
    badge ? h('vscode-badge', { text: badge }) : null,
  );
}

export function button(label: string, onClick: () => void, o: { secondary?: boolean; icon?: Parameters<typeof codicon>[0]; disabled?: boolean; title?: string } = {}): HTMLElement {
  const b = h('vscode-button', { on: { click: onClick } });
  if (o.secondary) b.secondary = true;
  if (o.disabled) b.disabled = true;
  if (o.title) b.title = o.title;
  if (o.icon) { const i = codicon(o.icon); i.classList.add('button-icon'); b.append(i); }
  b.append(label);
  return b;
}
