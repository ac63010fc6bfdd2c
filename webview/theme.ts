/**
 * The colours of the current VS Code theme, read from the --vscode-* CSS variables VS Code
 * puts on the webview's document, and a watcher for theme changes (VS Code swaps the body's
 * vscode-light / vscode-dark / vscode-high-contrast class and the variables together).
 */
import type { Theme } from './style.js';

/** the colours of hosts (a lab across hosts): the terminal's, distinct from the node kinds' */
export const HOST_VARS: [string, string][] = [
  ['--vscode-terminal-ansiCyan', '#11a8cd'], ['--vscode-terminal-ansiMagenta', '#bc3fbc'], ['--vscode-terminal-ansiYellow', '#e5e510'],
  ['--vscode-terminal-ansiBlue', '#2472c8'], ['--vscode-terminal-ansiGreen', '#0dbc79'], ['--vscode-terminal-ansiRed', '#cd3131'],
];

function cssVar(style: CSSStyleDeclaration, name: string, fallback: string): string {
  const v = style.getPropertyValue(name).trim();
  return v || fallback;
}

/** turn any CSS colour (#rgb, #rrggbbaa, rgb(), a name) into an opaque rgb() cytoscape accepts, and its alpha */
function normalize(color: string, background: string, probe: HTMLElement): string {
  probe.style.color = background;
  const bg = parseRgb(getComputedStyle(probe).color) ?? [255, 255, 255, 1];
  probe.style.color = color;
  const c = parseRgb(getComputedStyle(probe).color);
  if (!c) return color;
  // blend a translucent colour over the background: cytoscape colours have no alpha channel
  const a = c[3];
  const mix = (i: number) => Math.round(c[i]! * a + bg[i]! * (1 - a));
  return `rgb(${mix(0)}, ${mix(1)}, ${mix(2)})`;
}

function parseRgb(s: string): [number, number, number, number] | undefined {
  const m = /rgba?\(\s*([\d.]+)[,\s]+([\d.]+)[,\s]+([\d.]+)(?:[,\s/]+([\d.]+))?\s*\)/.exec(s);
  if (!m) return undefined;
  return [Number(m[1]), Number(m[2]), Number(m[3]), m[4] === undefined ? 1 : Number(m[4])];
}

export function themeKind(body: HTMLElement): Theme['kind'] {
  if (body.classList.contains('vscode-high-contrast-light')) return 'hc-light';
  if (body.classList.contains('vscode-high-contrast')) return 'hc';
  if (body.classList.contains('vscode-light')) return 'light';
  return 'dark';
}

/** the current theme's colours and fonts */
export function readTheme(): Theme {
  const body = document.body;
  const style = getComputedStyle(body);
  const kind = themeKind(body);
  const light = kind === 'light' || kind === 'hc-light';
  const probe = document.createElement('span');
  probe.style.display = 'none';
  body.appendChild(probe);
  try {
    const background = normalize(cssVar(style, '--vscode-editor-background', light ? '#ffffff' : '#1e1e1e'), light ? '#ffffff' : '#1e1e1e', probe);
    const c = (name: string, fallback: string) => normalize(cssVar(style, name, fallback), background, probe);
    const foreground = c('--vscode-editor-foreground', light ? '#3b3b3b' : '#cccccc');
    const contrast = cssVar(style, '--vscode-contrastBorder', '');
    return {
      kind,
      background,
      foreground,
      muted: c('--vscode-descriptionForeground', light ? '#717171' : '#9d9d9d'),
      nodeBackground: c('--vscode-editorWidget-background', light ? '#f8f8f8' : '#252526'),
      nodeBorder: contrast ? c('--vscode-contrastBorder', '#6fc3df') : c('--vscode-editorWidget-border', light ? '#c8c8c8' : '#454545'),
      selection: c('--vscode-focusBorder', light ? '#005fb8' : '#0078d4'),
      error: c('--vscode-editorError-foreground', light ? '#e51400' : '#f14c4c'),
      warning: c('--vscode-editorWarning-foreground', light ? '#bf8803' : '#cca700'),
      passed: c('--vscode-testing-iconPassed', light ? '#388a34' : '#73c991'),
      edge: c('--vscode-editor-foreground', light ? '#3b3b3b' : '#cccccc'),
      accent: {
        namespace: c('--vscode-charts-blue', light ? '#1a85ff' : '#3794ff'),
        router: c('--vscode-charts-purple', light ? '#652d90' : '#b180d7'),
        bridge: c('--vscode-charts-green', light ? '#388a34' : '#89d185'),
        host: c('--vscode-charts-orange', '#d18616'),
      },
      hosts: HOST_VARS.map(([v, f]) => c(v, f)),
      font: cssVar(style, '--vscode-font-family', 'system-ui, sans-serif'),
      monoFont: cssVar(style, '--vscode-editor-font-family', 'monospace'),
    };
  } finally {
    probe.remove();
  }
}

/** call `onChange` when VS Code switches the theme */
export function watchTheme(onChange: () => void): () => void {
  let last = document.body.className;
  const mo = new MutationObserver(() => {
    if (document.body.className === last) return;
    last = document.body.className;
    onChange();
  });
  mo.observe(document.body, { attributes: true, attributeFilter: ['class'] });
  // VS Code also rewrites the variables on <html style="..."> (e.g. a colour customization)
  const mo2 = new MutationObserver(() => onChange());
  mo2.observe(document.documentElement, { attributes: true, attributeFilter: ['style'] });
  return () => { mo.disconnect(); mo2.disconnect(); };
}
