/**
 * Lab test results for machines: JUnit XML (CI systems read it) and JSON. Pure.
 */
import { summaryLine, type TestResult } from '../model/expect.js';

/** text for XML element content and attribute values (control characters XML 1.0 forbids are dropped) */
export function xmlEscape(s: string): string {
  return s
    .replace(/[\u0000-\u0008\u000b\u000c\u000e-\u001f\ufffe\uffff]/g, '')
    .replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;')
    .replace(/"/g, '&quot;').replace(/'/g, '&apos;')
    .replace(/\n/g, '&#10;').replace(/\r/g, '&#13;').replace(/\t/g, '&#9;');
}

const seconds = (ms: number) => (ms / 1000).toFixed(3);

/** one <testsuite> named after the topology, one <testcase> per expectation run */
export function renderJUnit(suite: string, results: readonly TestResult[], totalMs: number, file?: string): string {
  const count = (s: TestResult['status']) => results.filter((r) => r.status === s).length;
  const lines = [
    '<?xml version="1.0" encoding="UTF-8"?>',
    `<testsuites name="netns-lab" tests="${results.length}" failures="${count('failed')}" errors="0" skipped="${count('skipped')}" time="${seconds(totalMs)}">`,
    `  <testsuite name="${xmlEscape(suite)}" tests="${results.length}" failures="${count('failed')}" errors="0" skipped="${count('skipped')}" time="${seconds(totalMs)}"${file ? ` file="${xmlEscape(file)}"` : ''}>`,
  ];
  for (const r of results) {
    const open = `    <testcase classname="${xmlEscape(`${suite}.${r.kind}`)}" name="${xmlEscape(r.name)}" time="${seconds(r.durationMs)}"`;
    if (r.status === 'passed') { lines.push(`${open}/>`); continue; }
    const msg = xmlEscape(r.message ?? '');
    const body = xmlEscape([r.message ?? '', ...(r.finding ? [r.finding] : [])].join('\n'));
    lines.push(`${open}>`,
      r.status === 'failed' ? `      <failure message="${msg}" type="${xmlEscape(r.kind)}">${body}</failure>` : `      <skipped message="${msg}"/>`,
      '    </testcase>');
  }
  lines.push('  </testsuite>', '</testsuites>');
  return lines.join('\n') + '\n';
}

export interface JsonReport {
  topology: string;
  summary: { passed: number; failed: number; skipped: number; line: string };
  durationMs: number;
  results: TestResult[];
}

export function renderJson(topology: string, results: readonly TestResult[], totalMs: number): string {
  const n = (s: TestResult['status']) => results.filter((r) => r.status === s).length;
  const report: JsonReport = {
    topology, durationMs: totalMs, results: [...results],
    summary: { passed: n('passed'), failed: n('failed'), skipped: n('skipped'), line: summaryLine(results) },
  };
  return JSON.stringify(report, null, 2) + '\n';
}
