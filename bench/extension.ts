/**
 * The extension's sizes: the VSIX (`npm run package`) and the bundles in dist/. Sizes are not
 * noisy: they stand without a baseline (the ratio column stays empty; the targets say the limit).
 * Activation and memory: bench/vscode.ts (in the sandbox).
 */
import { spawnSync } from 'node:child_process';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { zipEntries } from '../test/e2e/vsix.js';
import type { Row, Unavailable } from './report.js';

const ROOT = join(new URL('.', import.meta.url).pathname, '..', '..');

export function runSizes(log: (s: string) => void): { rows: Row[]; unavailable: Unavailable[]; vsix?: string } {
  const rows: Row[] = [];
  const unavailable: Unavailable[] = [];
  let vsix: string | undefined;
  log('extension: npm run package');
  const version = (JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { version: string }).version;
  const r = spawnSync('npm', ['run', 'package'], { cwd: ROOT, encoding: 'utf8', timeout: 300_000 });
  if (r.status !== 0) unavailable.push({ section: 'extension', topology: '', n: null, subject: 'VSIX size', reason: `npm run package failed: ${(r.stderr || r.stdout).slice(-500)}` });
  else {
    vsix = join(ROOT, `netns-lab-${version}.vsix`);
    rows.push({ section: 'extension', topology: '', n: null, subject: `VSIX size (${zipEntries(vsix).length} files)`, value: statSync(vsix).size / 1024, unit: 'kB' });
  }
  for (const f of readdirSync(join(ROOT, 'dist')).filter((x) => /\.(c?js)$/.test(x)).sort()) {
    rows.push({ section: 'extension', topology: '', n: null, subject: `bundle dist/${f}`, value: statSync(join(ROOT, 'dist', f)).size / 1024, unit: 'kB' });
  }
  return { rows, unavailable, ...(vsix ? { vsix } : {}) };
}
