/**
 * The canvas webview's HTML: a static skeleton (toolbar, canvas, properties panel, status
 * line) and one script, under a strict Content-Security-Policy: nothing inline but the nonce'd
 * script, nothing remote, styles and images only from the extension's own resources (plus
 * data:/blob: images: the node pictures are generated SVG data URIs, exports use blobs).
 *
 * Pure: the provider passes the webview's URIs in; tests can check the policy as text.
 */

export interface CanvasHtmlOptions {
  /** webview.cspSource */
  cspSource: string;
  /** a fresh nonce per page (makeNonce) */
  nonce: string;
  /** dist/webview.js as a webview URI */
  scriptUri: string;
  /** media/canvas.css as a webview URI */
  styleUri: string;
  /** @vscode/codicons' codicon.css, when the host ships it (the canvas draws its own icons without it) */
  codiconsUri?: string;
  /** media/icons/ as a webview URI */
  iconsBaseUri: string;
}

const escapeAttr = (s: string): string =>
  s.replace(/&/g, '&amp;').replace(/"/g, '&quot;').replace(/</g, '&lt;').replace(/>/g, '&gt;');

/** the Content-Security-Policy of the canvas page */
export function canvasCsp(cspSource: string, nonce: string): string {
  return [
    "default-src 'none'",
    `script-src 'nonce-${nonce}'`,
    `style-src ${cspSource}`,
    `img-src ${cspSource} data: blob:`,
    `font-src ${cspSource}`,
    "base-uri 'none'",
    "form-action 'none'",
  ].join('; ');
}

export function canvasHtml(opts: CanvasHtmlOptions): string {
  if (!/^[A-Za-z0-9+/=_-]{16,}$/.test(opts.nonce)) throw new Error('canvasHtml: the nonce must be at least 16 base64 characters');
  const a = escapeAttr;
  const codicons = opts.codiconsUri
    ? `\n  <link id="vscode-codicon-stylesheet" rel="stylesheet" href="${a(opts.codiconsUri)}">`
    : '';
  // The id on the stylesheet link tells cytoscape that its container rule (position: relative,
  // in canvas.css) is already there, so it does not inject an inline <style> the CSP would block.
  return `<!DOCTYPE html>
<html lang="en">
<head>
  <meta charset="UTF-8">
  <meta http-equiv="Content-Security-Policy" content="${a(canvasCsp(opts.cspSource, opts.nonce))}">
  <meta name="viewport" content="width=device-width, initial-scale=1.0">
  <link id="__________cytoscape_stylesheet" rel="stylesheet" href="${a(opts.styleUri)}">${codicons}
  <title>Netns Lab canvas</title>
</head>
<body data-icons-base="${a(opts.iconsBaseUri)}">
  <div class="app">
    <div id="toolbar" class="toolbar"></div>
    <div class="workspace">
      <main id="canvas" class="canvas" tabindex="0" aria-label="Topology canvas: Delete removes the selection, arrow keys move it, + and - zoom, F fits"></main>
      <aside id="panel" class="panel" aria-label="Properties"></aside>
    </div>
    <footer class="status" role="status" aria-live="polite">
      <span id="status-summary" class="status-summary"></span>
      <span id="status-problem" class="status-problem"></span>
      <span id="status-info" class="status-info"></span>
    </footer>
  </div>
  <div id="overlay" class="overlay" hidden>
    <div class="overlay-box" role="alert">
      <p><strong>This file is not valid JSON</strong>, so there is nothing to draw.</p>
      <p>Fix it in the text editor; the canvas follows every change.</p>
      <button id="overlay-open-text" type="button" class="tb-button tb-primary">Open as Text</button>
    </div>
  </div>
  <script nonce="${a(opts.nonce)}" src="${a(opts.scriptUri)}"></script>
</body>
</html>
`;
}

/** a nonce for the page's script: 32 random bytes, base64 */
export function makeNonce(): string {
  const bytes = new Uint8Array(32);
  globalThis.crypto.getRandomValues(bytes);
  let s = '';
  for (const b of bytes) s += String.fromCharCode(b);
  return btoa(s);
}
