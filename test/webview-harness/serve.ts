/**
 * A static server for the canvas webview outside VS Code: the page is the real canvasHtml()
 * (same CSP, with cspSource = this server's origin) plus a fake host (page/host.ts, bundled
 * here with esbuild) that provides acquireVsCodeApi() and applies gestures with src/core/edits.
 *
 *   npm run build && node out/test/webview-harness/serve.js [port]
 *   open http://127.0.0.1:PORT/?file=article&theme=light      (or ?n=1000, see page/host.ts)
 */
import { build } from 'esbuild';
import { createServer, type Server } from 'node:http';
import { existsSync, readFileSync } from 'node:fs';
import { dirname, extname, join, normalize, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { canvasHtml, makeNonce } from '../../src/extension/webview-html.js';

function repoRoot(): string {
  let dir = dirname(fileURLToPath(import.meta.url));
  for (;;) {
    const pkg = join(dir, 'package.json');
    if (existsSync(pkg) && (JSON.parse(readFileSync(pkg, 'utf8')) as { name?: string }).name === 'netns-lab') return dir;
    const up = dirname(dir);
    if (up === dir) throw new Error('cannot find the netns-lab repository root');
    dir = up;
  }
}

const TYPES: Record<string, string> = {
  '.js': 'text/javascript; charset=utf-8', '.css': 'text/css; charset=utf-8', '.map': 'application/json',
  '.svg': 'image/svg+xml', '.json': 'application/json', '.html': 'text/html; charset=utf-8',
};

export interface Harness { url: string; server: Server; close(): Promise<void> }

export async function startHarness(port = 0): Promise<Harness> {
  const root = repoRoot();
  if (!existsSync(join(root, 'dist', 'webview.js'))) throw new Error('dist/webview.js is missing: run npm run build first');
  const host = await build({
    entryPoints: [join(root, 'test', 'webview-harness', 'page', 'host.ts')],
    bundle: true, write: false, platform: 'browser', format: 'iife', target: ['chrome120'],
    mainFields: ['module', 'main'], logLevel: 'warning', sourcemap: 'inline',
  });
  const hostJs = host.outputFiles[0]!.text;

  const server = createServer((req, res) => {
    const u = new URL(req.url ?? '/', 'http://localhost');
    const origin = `http://${req.headers.host ?? '127.0.0.1'}`;
    if (u.pathname === '/' || u.pathname === '/index.html') {
      const nonce = makeNonce();
      const file = (u.searchParams.get('file') ?? 'article').replace(/[^A-Za-z0-9_-]/g, '');
      const examplePath = [join(root, 'examples', `${file}.netns.json`), join(root, 'test', 'webview-harness', 'fixtures', `${file}.netns.json`)]
        .find((x) => existsSync(x)) ?? '';
      const doc = examplePath ? readFileSync(examplePath, 'utf8') : '';
      let html = canvasHtml({
        cspSource: origin, nonce,
        scriptUri: `${origin}/dist/webview.js`,
        styleUri: `${origin}/media/canvas.css`,
        iconsBaseUri: `${origin}/media/icons`,
      });
      // the fake host runs first; the document travels as an inert JSON data block
      const data = JSON.stringify(doc).replace(/</g, '\\u003c');
      html = html
        .replace('<link id="__________cytoscape_stylesheet"', `<link rel="stylesheet" href="${origin}/harness/themes.css">\n  <link id="__________cytoscape_stylesheet"`)
        .replace(`<script nonce="${nonce}"`, `<script type="application/json" id="harness-doc-json">${data}</script>\n  <script nonce="${nonce}" src="${origin}/harness/host.js"></script>\n  <script nonce="${nonce}"`);
      res.writeHead(200, { 'content-type': TYPES['.html']!, 'cache-control': 'no-store' });
      res.end(html);
      return;
    }
    if (u.pathname === '/favicon.ico') { res.writeHead(204).end(); return; }
    if (u.pathname === '/harness/host.js') {
      res.writeHead(200, { 'content-type': TYPES['.js']!, 'cache-control': 'no-store' });
      res.end(hostJs);
      return;
    }
    let file: string | undefined;
    if (u.pathname === '/harness/themes.css') file = join(root, 'test', 'webview-harness', 'themes.css');
    else if (/^\/(dist|media)\//.test(u.pathname)) {
      const p = normalize(join(root, decodeURIComponent(u.pathname)));
      if (p.startsWith(join(root, 'dist')) || p.startsWith(join(root, 'media'))) file = p;
    }
    if (!file || !existsSync(file)) { res.writeHead(404).end('not found'); return; }
    res.writeHead(200, { 'content-type': TYPES[extname(file)] ?? 'application/octet-stream', 'cache-control': 'no-store' });
    res.end(readFileSync(file));
  });
  await new Promise<void>((ok) => server.listen(port, '127.0.0.1', ok));
  const addr = server.address();
  const url = `http://127.0.0.1:${typeof addr === 'object' && addr ? addr.port : port}/`;
  return { url, server, close: () => new Promise((ok) => server.close(() => ok())) };
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const h = await startHarness(Number(process.argv[2] ?? 0));
  console.log(`canvas harness: ${h.url}?file=article&theme=dark   (also ?n=1000, &theme=light|hc, &labels=names)`);
}
