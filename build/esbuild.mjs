// Bundles the CLI, the privileged helper (ESM, Node 20) and the extension (CJS, for VS Code).
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

await Promise.all([
  build({ ...common, entryPoints: ['src/cli.ts'], outfile: 'dist/cli.js', format: 'esm', banner: { js: `#!/usr/bin/env node\n${requireShim}` } }),
  build({ ...common, entryPoints: ['src/helper/main.ts'], outfile: 'dist/helper.js', format: 'esm', banner: { js: requireShim } }),
  build({ ...common, entryPoints: ['src/extension/extension.ts'], outfile: 'dist/extension.cjs', format: 'cjs', external: ['vscode'] }),
]);
await chmod('dist/cli.js', 0o755);
