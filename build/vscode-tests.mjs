// Bundles the extension-host test suite (test/vscode/suite) to CommonJS in out/vscode-suite/:
// VS Code's extension host loads extensionTestsPath and the mocha files with require().
// `vscode` comes from the extension host, mocha from the repository's node_modules.
import { build } from 'esbuild';
import { readdirSync, rmSync } from 'node:fs';

const dir = 'test/vscode/suite';
const entries = readdirSync(dir).filter((f) => f === 'index.ts' || f.endsWith('.test.ts')).map((f) => `${dir}/${f}`);
rmSync('out/vscode-suite', { recursive: true, force: true });
await build({
  entryPoints: entries,
  outdir: 'out/vscode-suite',
  outExtension: { '.js': '.cjs' },
  bundle: true,
  platform: 'node',
  target: 'node20',
  format: 'cjs',
  sourcemap: 'inline',
  external: ['vscode', 'mocha'],
  mainFields: ['module', 'main'],
  logLevel: 'warning',
});
