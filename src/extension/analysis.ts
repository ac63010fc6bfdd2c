/**
 * One analysis of a topology document per version: the text parsed, its diagnostics and its
 * topology, shared by the canvas, the Problems panel, the commands and the views. A keystroke
 * used to validate the same text about four times on three timers; the cache asks each version
 * once, however many of them look at it.
 *
 * No vscode here: the cache is a plain class tested in test/unit/analysis.test.ts;
 * documents.ts is its thin adapter to VS Code's TextDocuments.
 */
import { hasErrors, type Diagnostic } from '../core/model/diagnostics.js';
import { locate, parseJsonText, type ParsedJson } from '../core/model/json.js';
import type { Topology } from '../core/model/model.js';
import { validateValue } from '../core/model/validate.js';

export interface Analysis {
  /** the JSON text parsed (value undefined when it is not JSON) */
  parsed: ParsedJson;
  /** the JSON errors, else the topology's diagnostics located in the text (validateText's) */
  diagnostics: Diagnostic[];
  /** the topology the schema accepted (it may still have semantic errors) */
  topology: Topology | undefined;
  /** a topology without errors: what plan, apply and the probes accept */
  valid: boolean;
}

/** validateText, keeping the parse for the canvas (which shows what it can of invalid files) */
export function analyseText(text: string): Analysis {
  const parsed = parseJsonText(text);
  if (parsed.diagnostics.length) return { parsed, diagnostics: parsed.diagnostics, topology: undefined, valid: false };
  const r = validateValue(parsed.value);
  const diagnostics = locate(parsed, r.diagnostics);
  return { parsed, diagnostics, topology: r.topology, valid: !!r.topology && !hasErrors(diagnostics) };
}

/**
 * The last analysis of each document, keyed by the document and its version: a later version
 * replaces it, an earlier one is never asked again (VS Code's versions only grow while a
 * document is open; forget() it when it closes). The version can be any value compared with
 * `===` (a file read from disk uses its text).
 */
export class DocumentAnalysis<A = Analysis> {
  private readonly entries = new Map<string, { version: unknown; analysis: A }>();
  /** how many times analyse ran (for tests and measurements) */
  analyses = 0;

  constructor(private readonly analyse: (text: string) => A) {}

  /** the analysis of this version of the document; the text is read only when it is not cached */
  get(key: string, version: unknown, text: string | (() => string)): A {
    const e = this.entries.get(key);
    if (e && e.version === version) return e.analysis;
    this.analyses++;
    const analysis = this.analyse(typeof text === 'function' ? text() : text);
    this.entries.set(key, { version, analysis });
    return analysis;
  }

  /** an analysis already made of a version about to exist (the text a canvas edit wrote) */
  seed(key: string, version: unknown, analysis: A): void {
    this.entries.set(key, { version, analysis });
  }

  forget(key: string): void {
    this.entries.delete(key);
  }

  /** forget every document but these (files deleted since) */
  retain(keys: ReadonlySet<string>): void {
    for (const k of [...this.entries.keys()]) if (!keys.has(k)) this.entries.delete(k);
  }

  get size(): number { return this.entries.size; }
}
