/**
 * JSON text with positions: parse with jsonc-parser (strict JSON: no comments, no trailing
 * commas), report syntax errors and duplicate keys with line/column, map JSON paths to ranges.
 */
import { findNodeAtLocation, parseTree, printParseErrorCode, type Node, type ParseError } from 'jsonc-parser';
import type { Diagnostic, JsonPath } from './diagnostics.js';

export interface ParsedJson {
  value: unknown;
  tree: Node | undefined;
  diagnostics: Diagnostic[];
  text: string;
}

/** 10 MB: larger topology files are refused before parsing */
export const MAX_TEXT_BYTES = 10 * 1024 * 1024;
const MAX_DEPTH = 64;
/** jsonc-parser recurses per nesting level; refuse absurd nesting before it overflows the stack */
const MAX_SCAN_DEPTH = 512;

/** offset of the first '[' or '{' (outside strings) nested deeper than limit, or -1 */
function tooDeepOffset(text: string, limit: number): number {
  let depth = 0;
  let inString = false;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (inString) {
      if (c === 92 /* \ */) i++;
      else if (c === 34 /* " */) inString = false;
    } else if (c === 34) inString = true;
    else if (c === 91 /* [ */ || c === 123 /* { */) {
      if (++depth > limit) return i;
    } else if (c === 93 /* ] */ || c === 125 /* } */) depth--;
  }
  return -1;
}

/** line starts of the last text positioned: many diagnostics in one big file cost a search each, not a scan */
let lineIndex: { text: string; starts: number[] } | undefined;

export function lineCol(text: string, offset: number): { line: number; column: number } {
  if (lineIndex?.text !== text) {
    const starts = [0];
    for (let i = 0; i < text.length; i++) if (text.charCodeAt(i) === 10) starts.push(i + 1);
    lineIndex = { text, starts };
  }
  const { starts } = lineIndex;
  // the last line start at or before offset (a newline at offset itself ends the line)
  let lo = 0;
  let hi = starts.length - 1;
  while (lo < hi) {
    const mid = (lo + hi + 1) >> 1;
    if (starts[mid]! <= offset) lo = mid; else hi = mid - 1;
  }
  return { line: lo + 1, column: offset - starts[lo]! + 1 };
}

function at(text: string, offset: number, length: number): Pick<Diagnostic, 'offset' | 'length' | 'line' | 'column'> {
  // the parser measures an unterminated comment ("/*" at the end) past the end of the text
  return { offset, length: Math.max(0, Math.min(length, text.length - offset)), ...lineCol(text, offset) };
}

const SYNTAX_MESSAGES: Record<string, string> = {
  InvalidSymbol: 'invalid symbol',
  InvalidNumberFormat: 'invalid number',
  PropertyNameExpected: 'property name expected',
  ValueExpected: 'value expected',
  ColonExpected: "':' expected",
  CommaExpected: "',' expected",
  CloseBraceExpected: "'}' expected",
  CloseBracketExpected: "']' expected",
  EndOfFileExpected: 'end of file expected',
  InvalidCommentToken: 'comments are not allowed in JSON',
  UnexpectedEndOfComment: 'unexpected end of comment',
  UnexpectedEndOfString: 'unterminated string',
  UnexpectedEndOfNumber: 'unexpected end of number',
  InvalidUnicode: 'invalid unicode escape',
  InvalidEscapeCharacter: 'invalid escape character',
  InvalidCharacter: 'invalid character in string',
};

/** garbage has a syntax error every other byte: report the first ones instead of collecting millions */
const MAX_SYNTAX_ERRORS = 100;
class TooManyErrors extends Error {}
/** parseTree's error list: it stops the parse (by throwing) once it holds MAX_SYNTAX_ERRORS */
class CappedErrors extends Array<ParseError> {
  override push(...items: ParseError[]): number {
    if (this.length + items.length > MAX_SYNTAX_ERRORS) throw new TooManyErrors();
    return super.push(...items);
  }
}

export function parseJsonText(text: string): ParsedJson {
  const diagnostics: Diagnostic[] = [];
  // a UTF-16 code unit is at least one UTF-8 byte: only count bytes when it can matter
  const bytes = text.length > MAX_TEXT_BYTES / 3 ? new TextEncoder().encode(text).length : text.length;
  if (bytes > MAX_TEXT_BYTES) {
    diagnostics.push({ severity: 'error', code: 'too-large', message: `file is ${bytes} bytes; at most ${MAX_TEXT_BYTES} are accepted`, path: [], ...at(text, 0, 0) });
    return { value: undefined, tree: undefined, diagnostics, text };
  }
  const deep = tooDeepOffset(text, MAX_SCAN_DEPTH);
  if (deep >= 0) {
    diagnostics.push({ severity: 'error', code: 'too-deep', message: `nesting deeper than ${MAX_DEPTH} levels`, path: [], ...at(text, deep, 1) });
    return { value: undefined, tree: undefined, diagnostics, text };
  }
  if (!text.trim()) {
    diagnostics.push({ severity: 'error', code: 'json-syntax', message: 'malformed JSON: the file is empty', path: [], ...at(text, 0, 0) });
    return { value: undefined, tree: undefined, diagnostics, text };
  }
  const errors = new CappedErrors();
  let tree: Node | undefined;
  let truncated = false;
  try {
    tree = parseTree(text, errors, { allowTrailingComma: false, disallowComments: true, allowEmptyContent: false });
  } catch (e) {
    if (!(e instanceof TooManyErrors)) throw e;
    truncated = true;
  }
  for (const e of errors) {
    const name = printParseErrorCode(e.error);
    diagnostics.push({ severity: 'error', code: 'json-syntax', message: `malformed JSON: ${SYNTAX_MESSAGES[name] ?? name}`, path: [], ...at(text, e.offset, e.length) });
  }
  if (truncated) {
    const last = errors[errors.length - 1]!;
    diagnostics.push({ severity: 'error', code: 'json-syntax', message: `malformed JSON: more than ${MAX_SYNTAX_ERRORS} errors; the rest are not reported`, path: [], ...at(text, last.offset, last.length) });
  }
  if (errors.length || !tree) {
    if (!errors.length) diagnostics.push({ severity: 'error', code: 'json-syntax', message: 'malformed JSON: the file is empty', path: [], ...at(text, 0, 0) });
    return { value: undefined, tree, diagnostics, text };
  }
  // depth and duplicate keys (JSON.parse silently keeps the last one; we refuse)
  // a leaf needs a visit (and a path) only when it is itself too deep: 5 million numbers cost no garbage
  const deeper = (c: Node, depth: number) => c.type === 'object' || c.type === 'array' || depth + 1 > MAX_DEPTH;
  const walk = (n: Node, path: JsonPath, depth: number): boolean => {
    if (depth > MAX_DEPTH) {
      diagnostics.push({ severity: 'error', code: 'too-deep', message: `nesting deeper than ${MAX_DEPTH} levels`, path, ...at(text, n.offset, 1) });
      return false;
    }
    if (n.type === 'object') {
      const seen = new Set<string>();
      for (const prop of n.children ?? []) {
        const key = prop.children?.[0];
        const val = prop.children?.[1];
        if (!key || typeof key.value !== 'string') continue;
        if (seen.has(key.value)) {
          if (diagnostics.length >= MAX_SYNTAX_ERRORS) {
            diagnostics.push({ severity: 'error', code: 'duplicate-key', message: `more than ${MAX_SYNTAX_ERRORS} duplicate keys; the rest are not reported`, path: [...path, key.value], ...at(text, key.offset, key.length) });
            return false;
          }
          diagnostics.push({ severity: 'error', code: 'duplicate-key', message: `duplicate key '${key.value}'`, path: [...path, key.value], ...at(text, key.offset, key.length) });
        }
        seen.add(key.value);
        if (val && deeper(val, depth) && !walk(val, [...path, key.value], depth + 1)) return false;
      }
    } else if (n.type === 'array') {
      const cs = n.children ?? [];
      for (let i = 0; i < cs.length; i++) if (deeper(cs[i]!, depth) && !walk(cs[i]!, [...path, i], depth + 1)) return false;
    }
    return true;
  };
  walk(tree, [], 0);
  if (diagnostics.length) return { value: undefined, tree, diagnostics, text };
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (e) {
    diagnostics.push({ severity: 'error', code: 'json-syntax', message: `malformed JSON: ${(e as Error).message}`, path: [], ...at(text, 0, 0) });
  }
  return { value, tree, diagnostics, text };
}

/** attach offset/line/column to diagnostics from their JSON path (nearest existing ancestor) */
export function locate(parsed: ParsedJson, diags: Diagnostic[]): Diagnostic[] {
  return diags.map((d) => {
    if (d.line !== undefined || !parsed.tree) return d;
    for (let n = d.path.length; n >= 0; n--) {
      const node = findNodeAtLocation(parsed.tree, d.path.slice(0, n));
      if (node) {
        // point at the key for a property that is itself the problem (unknown field)
        const target = n === d.path.length && node.parent?.type === 'property' && d.code === 'unknown-field'
          ? node.parent.children![0]! : node;
        return { ...d, ...at(parsed.text, target.offset, target.length) };
      }
    }
    return { ...d, ...at(parsed.text, 0, 0) };
  });
}
