/**
 * What the canvas may change, decided in one place for the VS Code provider and the webview
 * harness alike: a gesture becomes one minimal text edit, or a refusal with the reason. Refused:
 * any edit of a file that is not JSON, a 'set' of a field the panel does not have (SETTABLE,
 * whatever the webview sends), a gesture the edits reject, and an edit that adds an error,
 * unless the person insists: some changes go through invalid states (renumbering a /30 one
 * address at a time), and the file is text: its errors are shown, and Apply refuses until they
 * are fixed. Insisting never lets through a field the panel does not have or a rejected gesture.
 */
import type { Diagnostic } from '../model/diagnostics.js';
import { EditError, applyGesture, minimalEdit, type EditOptions as GestureOptions, type TextEdit } from './edits.js';
import { SETTABLE, type Gesture } from './gestures.js';
import { parseJsonText } from '../model/json.js';
import type { Topology } from '../model/model.js';
import { validateText } from '../model/validate.js';

export type EditDecision =
  | { ok: true; /** undefined: the text stays as it is */ edit: TextEdit | undefined }
  | { ok: false; message: string; diagnostics?: Diagnostic[]; /** insisting would make the edit */ insistable?: true };

/** the gesture's options (the address pool, names on the machine) and whether the person insists */
export interface EditOptions extends GestureOptions {
  /** the person saw the refusal for new errors and wants the edit anyway */
  insist?: boolean;
}

/** diagnostics that b has and a had not (by code, path and message) */
export function newErrors(a: readonly Diagnostic[], b: readonly Diagnostic[]): Diagnostic[] {
  const key = (d: Diagnostic) => `${d.code}|${d.path.join('.')}|${d.message}`;
  const before = new Set(a.filter((d) => d.severity === 'error').map(key));
  return b.filter((d) => d.severity === 'error' && !before.has(key(d)));
}

/** a gesture on this text -> the edit to make, or why not */
export function decideEdit(text: string, gesture: Gesture, opts: EditOptions = {}): EditDecision {
  const before = validateText(text);
  const parsed = parseJsonText(text);
  if (parsed.diagnostics.length || !parsed.value || typeof parsed.value !== 'object') {
    return { ok: false, message: 'the file is not valid JSON; fix it in the text editor first', diagnostics: parsed.diagnostics };
  }
  // the webview may set only the fields its panel has (the shared list), whatever it sends
  if (gesture.kind === 'set' && !SETTABLE[gesture.target.type].includes(gesture.field)) {
    return { ok: false, message: `'${gesture.field}' cannot be set from the canvas` };
  }
  let next: string;
  try {
    next = applyGesture(text, (before.topology ?? parsed.value) as Topology, gesture, { ...(opts.pool ? { pool: opts.pool } : {}), ...(opts.machine ? { machine: opts.machine } : {}) });
  } catch (e) {
    if (e instanceof EditError) return { ok: false, message: e.message };
    throw e;
  }
  const added = newErrors(before.diagnostics, validateText(next).diagnostics);
  if (added.length && !opts.insist) return { ok: false, message: added[0]!.message, diagnostics: added, insistable: true };
  return { ok: true, edit: minimalEdit(text, next) };
}
