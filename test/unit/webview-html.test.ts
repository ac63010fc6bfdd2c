/** The canvas page's HTML and Content-Security-Policy (src/extension/webview-html.ts). */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { canvasCsp, canvasHtml, makeNonce } from '../../src/extension/webview-html.js';

const opts = {
  cspSource: 'https://file+.vscode-resource.vscode-cdn.net',
  nonce: 'abcdefghijklmnopqrstuvwxyz012345',
  scriptUri: 'https://file+.vscode-resource.vscode-cdn.net/ext/dist/webview.js',
  styleUri: 'https://file+.vscode-resource.vscode-cdn.net/ext/media/canvas.css',
  iconsBaseUri: 'https://file+.vscode-resource.vscode-cdn.net/ext/media/icons',
};

describe('canvas webview HTML', () => {
  it('has a strict policy: nonce scripts only, nothing inline or remote', () => {
    const csp = canvasCsp(opts.cspSource, opts.nonce);
    assert.match(csp, /^default-src 'none'; /);
    assert.match(csp, /script-src 'nonce-abcdefghijklmnopqrstuvwxyz012345'(;|$)/);
    assert.match(csp, /style-src https:\/\/file\+\.vscode-resource\.vscode-cdn\.net(;|$)/);
    assert.match(csp, /img-src https:\/\/file\+\.vscode-resource\.vscode-cdn\.net data: blob:(;|$)/);
    assert.match(csp, /font-src https:\/\/file\+\.vscode-resource\.vscode-cdn\.net(;|$)/);
    assert.doesNotMatch(csp, /unsafe-inline|unsafe-eval|https?:\/\/\*|\*/);
  });

  it('loads the script with the nonce, and nothing inline', () => {
    const html = canvasHtml(opts);
    assert.ok(html.includes(`<meta http-equiv="Content-Security-Policy" content="${canvasCsp(opts.cspSource, opts.nonce)}">`));
    const scripts = [...html.matchAll(/<script\b[^>]*>/g)].map((m) => m[0]);
    assert.deepEqual(scripts, [`<script nonce="${opts.nonce}" src="${opts.scriptUri}">`]);
    assert.doesNotMatch(html, /<style\b|\sstyle="|\son[a-z]+="/i);
    assert.ok(html.includes(`href="${opts.styleUri}"`));
    assert.ok(html.includes(`data-icons-base="${opts.iconsBaseUri}"`));
    for (const id of ['toolbar', 'canvas', 'panel', 'status-summary', 'status-problem', 'status-info', 'overlay', 'overlay-open-text']) {
      assert.ok(html.includes(`id="${id}"`), id);
    }
    assert.doesNotMatch(html, /codicon/);
    assert.match(canvasHtml({ ...opts, codiconsUri: 'https://x/codicon.css' }), /<link id="vscode-codicon-stylesheet" rel="stylesheet" href="https:\/\/x\/codicon.css">/);
  });

  it('escapes the URIs it is given and refuses a weak nonce', () => {
    const html = canvasHtml({ ...opts, scriptUri: 'https://x/"><script>alert(1)</script>' });
    assert.doesNotMatch(html, /"><script>alert/);
    assert.throws(() => canvasHtml({ ...opts, nonce: 'short' }));
    assert.throws(() => canvasHtml({ ...opts, nonce: "abcdefghijklmnop' 'unsafe-inline" }));
  });

  it('makes a fresh 256-bit nonce each time', () => {
    const a = makeNonce();
    const b = makeNonce();
    assert.notEqual(a, b);
    assert.equal(Buffer.from(a, 'base64').length, 32);
    assert.doesNotThrow(() => canvasHtml({ ...opts, nonce: a }));
  });
});
