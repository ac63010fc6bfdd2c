/** Diagnostics shared by the validator, the planner, the CLI and (later) the Problems panel. */
export type Severity = 'error' | 'warning';
export type JsonPath = (string | number)[];

export interface Diagnostic {
  severity: Severity;
  /** stable kebab-case code, e.g. "gateway-unreachable" */
  code: string;
  message: string;
  /** JSON path of the offending value in the topology file */
  path: JsonPath;
  /** character offsets in the file text, when known */
  offset?: number;
  length?: number;
  /** 1-based line and column, when known */
  line?: number;
  column?: number;
}

export function formatPath(path: JsonPath): string {
  if (path.length === 0) return '$';
  return '$' + path.map((p) => (typeof p === 'number' ? `[${p}]` : /^[A-Za-z_$][\w$]*$/.test(p) ? `.${p}` : `[${JSON.stringify(p)}]`)).join('');
}

export function hasErrors(d: readonly Diagnostic[]): boolean {
  return d.some((x) => x.severity === 'error');
}

/** control, bidi and invisible characters: shown escaped so a file cannot drive the terminal */
const UNPRINTABLE = /[\u0000-\u001f\u007f-\u009f\u200b-\u200f\u2028-\u202e\u2066-\u2069\ufeff]/g;
function terminalSafe(s: string): string {
  return s.replace(UNPRINTABLE, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);
}

/** compiler style: FILE:LINE:COL: error CODE: message (at $.path); one line whatever the file holds */
export function formatDiagnostic(file: string, d: Diagnostic): string {
  const pos = `${d.line ?? 1}:${d.column ?? 1}`;
  return terminalSafe(`${file}:${pos}: ${d.severity} ${d.code}: ${d.message} (at ${formatPath(d.path)})`);
}
