/** The connectivity matrix as a static page (no script): pure, so it is tested in Node. */
import { matrixAxes, type ProbeResult } from '../core/diagnose/reach.js';

const esc = (s: string) => s.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);

/** the matrix as a static page: no script at all, so the CSP allows none */
export function matrixHtml(title: string, results: ProbeResult[], nonce: string, ms: number): string {
  const { rows, cols } = matrixAxes(results);
  const cell = (f: string, c: string) => {
    if (f === c) return '<td class="self"></td>';
    const rs = results.filter((r) => r.from === f && r.to === c);
    if (!rs.length) return '<td class="none">–</td>';
    const ok = rs.every((r) => r.ok);
    const tip = rs.map((r) => `${r.target}: ${r.ok ? `${r.rttMs} ms` : r.error}`).join('\n');
    return `<td class="${ok ? 'ok' : rs.some((r) => r.ok) ? 'partial' : 'fail'}" title="${esc(tip)}">${ok ? `${Math.max(...rs.map((r) => r.rttMs ?? 0)).toFixed(2)} ms` : rs.some((r) => r.ok) ? 'partial' : 'unreachable'}</td>`;
  };
  const failed = results.filter((r) => !r.ok);
  return `<!DOCTYPE html><html><head><meta charset="utf-8">
<meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'nonce-${nonce}';">
<style nonce="${nonce}">
body { font-family: var(--vscode-font-family); font-size: var(--vscode-font-size); color: var(--vscode-foreground); padding: 12px; }
table { border-collapse: collapse; } th, td { border: 1px solid var(--vscode-panel-border, var(--vscode-editorGroup-border)); padding: 4px 10px; text-align: center; }
th { background: var(--vscode-editorWidget-background); font-weight: 600; }
td.ok { background: color-mix(in srgb, var(--vscode-testing-iconPassed) 25%, transparent); }
td.fail { background: color-mix(in srgb, var(--vscode-testing-iconFailed) 35%, transparent); font-weight: 600; }
td.partial { background: color-mix(in srgb, var(--vscode-testing-iconQueued) 35%, transparent); }
td.self { background: var(--vscode-editorWidget-background); }
.summary { margin: 8px 0 12px; } li { font-family: var(--vscode-editor-font-family); }
</style></head><body>
<h2>${esc(title)}</h2>
<p class="summary">${results.length - failed.length} of ${results.length} reachable, in ${(ms / 1000).toFixed(2)} s. Rows: from; columns: to. Hover a cell for each address.</p>
<table role="grid"><thead><tr><th scope="col">from \\ to</th>${cols.map((c) => `<th scope="col">${esc(c)}</th>`).join('')}</tr></thead>
<tbody>${rows.map((f) => `<tr><th scope="row">${esc(f)}</th>${cols.map((c) => cell(f, c)).join('')}</tr>`).join('')}</tbody></table>
${failed.length ? `<h3>Unreachable</h3><ul>${failed.map((r) => `<li>${esc(r.from)} → ${esc(r.to)} (${esc(r.target)}): ${esc(r.error ?? '')}</li>`).join('')}</ul><p>Run <b>Netns: Diagnose</b> to find out why.</p>` : ''}
</body></html>`;
}
