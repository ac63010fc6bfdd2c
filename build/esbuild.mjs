// Bundles the CLI, the privileged helper (ESM, Node 20), the extension (CJS, for VS Code) and
// the canvas webview (a browser IIFE: no module loading inside the webview's strict CSP).
import { build } from 'esbuild';
import { chmod } from 'node:fs/promises';

const common = {
  bundle: true,
  platform: 'node',
  target: 'node20',
  sourcemap: 'linked',
  // jsonc-parser's "main" is UMD, which esbuild cannot follow; its "module" is plain ESM
  mainFields: ['module', 'main'],
  logLevel: 'warning',
  legalComments: 'none',
};
// ESM bundles may contain CommonJS code that calls require() for Node builtins
const requireShim = "import { createRequire as __nlCreateRequire } from 'node:module'; const require = __nlCreateRequire(import.meta.url);";

// zod's namespace export drags every translation of its messages (~300 kB) into the browser
// bundle; the webview uses the English ones, which zod imports separately.
const noZodLocales = {
  name: 'no-zod-locales',
  setup(b) {
    b.onResolve({ filter: /^\.\.\/locales\/index\.js$/ }, (args) =>
      /[\\/]zod[\\/]v4[\\/](classic|core|mini)[\\/]/.test(args.importer) ? { path: 'zod-locales', namespace: 'no-zod-locales' } : undefined);
    b.onLoad({ filter: /.*/, namespace: 'no-zod-locales' }, () => ({ contents: 'export {};', loader: 'js' }));
  },
};

await Promise.all([
  // every CLI command starts two Node processes (the CLI, then the helper): minified, without
  // zod's translations, each loads ~0.1 s sooner on this 2-core machine
  build({ ...common, entryPoints: ['src/cli.ts'], outfile: 'dist/cli.js', format: 'esm', minify: true, plugins: [noZodLocales], banner: { js: `#!/usr/bin/env node\n${requireShim}` } }),
  build({ ...common, entryPoints: ['src/helper/main.ts'], outfile: 'dist/helper.js', format: 'esm', minify: true, plugins: [noZodLocales], banner: { js: requireShim } }),
  // the extension host loads extension.cjs on activation: only the shell that registers the
  // contributions (src/extension/extension.ts); it requires extension-main.cjs (everything else)
  // on first use. Minified and without zod's translations, the main bundle parses in about
  // half the time.
  build({ ...common, entryPoints: ['src/extension/extension.ts'], outfile: 'dist/extension.cjs', format: 'cjs', external: ['vscode', './extension-main.cjs'], minify: true }),
  build({ ...common, entryPoints: ['src/extension/main.ts'], outfile: 'dist/extension-main.cjs', format: 'cjs', external: ['vscode'], minify: true, plugins: [noZodLocales] }),
  build({
    entryPoints: ['webview/main.ts'],
    outfile: 'dist/webview.js',
    bundle: true,
    platform: 'browser',
    format: 'iife',
    target: ['chrome120'],
    minify: true,
    sourcemap: 'linked',
    // the node pictures and codicons are SVG files inlined as text
    loader: { '.svg': 'text' },
    legalComments: 'none',
    logLevel: 'warning',
    plugins: [noZodLocales],
  }),
]);
await chmod('dist/cli.js', 0o755);
