/**
 * Lab tests in the text of the file: where each `expect` entry is (for the Test Explorer's
 * items and the editor's gutter), and Record's edit: recorded expectations appended to the
 * `expect` array, one entry a line, without the ones the file already has. Pure.
 */
import { findNodeAtLocation } from 'jsonc-parser';
import { minimalEdit, type TextEdit } from './edits.js';
import { canonicalIP } from '../model/ip.js';
import type { ParsedJson } from '../model/json.js';
import type { Expectation } from '../model/model.js';

/** where expect[index] is in the text */
export interface ExpectSpan { index: number; offset: number; length: number }

export function expectSpans(parsed: ParsedJson): ExpectSpan[] {
  const arr = parsed.tree && findNodeAtLocation(parsed.tree, ['expect']);
  if (!arr || arr.type !== 'array') return [];
  return (arr.children ?? []).map((c, index) => ({ index, offset: c.offset, length: c.length }));
}

/** where the `expect` member is (its key to the end of the array), or undefined */
export function expectMemberSpan(parsed: ParsedJson): { offset: number; length: number } | undefined {
  const member = (parsed.tree && findNodeAtLocation(parsed.tree, ['expect']))?.parent;
  return member?.type === 'property' ? { offset: member.offset, length: member.length } : undefined;
}

/** what a test checks, without its title: two entries with the same key are the same test */
export function expectationKey(e: Expectation): string {
  const rest: Record<string, unknown> = { ...e };
  delete rest.title;
  const canon = (v: unknown) => (typeof v === 'string' ? canonicalIP(v) ?? v : v);
  const norm: Record<string, unknown> = {};
  for (const k of Object.keys(rest).sort()) norm[k] = canon(rest[k]);
  if (e.kind === 'reach' && (e.proto ?? 'icmp') === 'icmp') { delete norm.proto; }
  return JSON.stringify(norm);
}

/** the recorded expectations the file does not have yet (a reach of the same pair with the other `ok` counts as had: it is the person's to change) */
export function newExpectations(existing: readonly Expectation[], recorded: readonly Expectation[]): Expectation[] {
  const pairKey = (e: Expectation) => (e.kind === 'reach' ? expectationKey({ ...e, ok: true }) : expectationKey(e));
  const had = new Set(existing.map(pairKey));
  const out: Expectation[] = [];
  for (const e of recorded) {
    const k = pairKey(e);
    if (had.has(k)) continue;
    had.add(k);
    out.push(e);
  }
  return out;
}

/** one entry on one line: { "kind": "reach", "from": "ns1", "to": "ns2", "ok": true } */
export function inlineJson(e: Expectation): string {
  return `{ ${Object.entries(e).map(([k, v]) => `${JSON.stringify(k)}: ${JSON.stringify(v)}`).join(', ')} }`;
}

const lineIndent = (text: string, offset: number) => /^[ \t]*/.exec(text.slice(text.lastIndexOf('\n', offset - 1) + 1))![0];

/** the text with the entries appended to `expect` (the array made when missing), one a line */
export function appendExpectations(text: string, parsed: ParsedJson, list: readonly Expectation[]): string {
  if (!list.length) return text;
  const eol = text.includes('\r\n') ? '\r\n' : '\n';
  const arr = parsed.tree && findNodeAtLocation(parsed.tree, ['expect']);
  if (arr?.type === 'array' && arr.children?.length) {
    const last = arr.children.at(-1)!;
    const indent = lineIndent(text, last.offset);
    const at = last.offset + last.length;
    return text.slice(0, at) + list.map((e) => `,${eol}${indent}${inlineJson(e)}`).join('') + text.slice(at);
  }
  const unit = /\n([ \t]+)"/.exec(text)?.[1] ?? '  ';
  if (arr?.type === 'array') {
    const outer = lineIndent(text, arr.offset);
    const body = list.map((e) => `${outer}${unit}${inlineJson(e)}`).join(`,${eol}`);
    return text.slice(0, arr.offset) + `[${eol}${body}${eol}${outer}]` + text.slice(arr.offset + arr.length);
  }
  // no expect yet: a new last member of the top object (the text before it stays as it is)
  const root = parsed.tree!;
  const lastMember = root.children?.at(-1);
  const at = lastMember ? lastMember.offset + lastMember.length : root.offset + 1;
  const body = list.map((e) => `${unit}${unit}${inlineJson(e)}`).join(`,${eol}`);
  return text.slice(0, at) + `${lastMember ? ',' : ''}${eol}${unit}"expect": [${eol}${body}${eol}${unit}]` + (lastMember ? '' : eol) + text.slice(at);
}

/** Record's change of the document as one replacement (undefined: nothing new) */
export function recordEdit(parsed: ParsedJson, existing: readonly Expectation[], recorded: readonly Expectation[]): { edit: TextEdit; added: Expectation[] } | undefined {
  const added = newExpectations(existing, recorded);
  const edit = minimalEdit(parsed.text, appendExpectations(parsed.text, parsed, added));
  return edit ? { edit, added } : undefined;
}
