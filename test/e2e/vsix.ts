/** The VSIX: package it with vsce and check what is inside (a zip: read its central directory). */
import { spawnSync } from 'node:child_process';
import { readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';

export interface Vsix { path: string; bytes: number; files: string[]; ms: number }

/** file names in a zip archive */
export function zipEntries(file: string): string[] {
  const buf = readFileSync(file);
  // end of central directory record: signature 0x06054b50, within the last 64 KiB + 22 bytes
  let eocd = -1;
  for (let i = buf.length - 22; i >= Math.max(0, buf.length - 65_557); i--) {
    if (buf.readUInt32LE(i) === 0x06054b50) { eocd = i; break; }
  }
  if (eocd < 0) throw new Error(`${file} is not a zip archive`);
  const count = buf.readUInt16LE(eocd + 10);
  let p = buf.readUInt32LE(eocd + 16);
  const names: string[] = [];
  for (let i = 0; i < count; i++) {
    if (buf.readUInt32LE(p) !== 0x02014b50) throw new Error(`${file}: bad central directory entry ${i}`);
    const nameLen = buf.readUInt16LE(p + 28);
    const extraLen = buf.readUInt16LE(p + 30);
    const commentLen = buf.readUInt16LE(p + 32);
    names.push(buf.toString('utf8', p + 46, p + 46 + nameLen));
    p += 46 + nameLen + extraLen + commentLen;
  }
  return names;
}

/** `vsce package --no-dependencies` of the repository (already built) into out */
export function packageVsix(root: string, out: string): Vsix {
  const t0 = Date.now();
  const r = spawnSync(join(root, 'node_modules', '.bin', 'vsce'), ['package', '--no-dependencies', '--no-rewrite-relative-links', '--out', out],
    { cwd: root, encoding: 'utf8', timeout: 180_000, stdio: ['ignore', 'pipe', 'pipe'] });
  if (r.status !== 0) throw new Error(`vsce package failed (${r.status ?? r.signal}):\n${r.stdout}\n${r.stderr}`);
  return { path: out, bytes: statSync(out).size, files: zipEntries(out), ms: Date.now() - t0 };
}

/** what the extension needs at run time, and what may ship besides */
export const REQUIRED = [
  // (vsce stores README.md and CHANGELOG.md in lower case)
  'extension/package.json', 'extension/readme.md', 'extension/changelog.md', 'extension/LICENSE.txt',
  'extension/dist/extension.cjs', 'extension/dist/helper.js', 'extension/dist/webview.js',
  'extension/schema/netns-topology.schema.json',
];
const ALLOWED = [
  /^\[Content_Types\]\.xml$/, /^extension\.vsixmanifest$/,
  /^extension\/(package\.json|readme\.md|changelog\.md|LICENSE\.txt)$/,
  /^extension\/dist\/[^/]+\.(c?js|css)$/,
  /^extension\/schema\/[^/]+\.json$/,
  /^extension\/media\//,
  // the examples the README points at (.vscodeignore lets them in)
  /^extension\/examples\/[^/]+\.netns\.json$/,
];

/** problems with the file list: missing files, files that should not ship (sources, maps, tests) */
export function checkVsixFiles(files: string[]): string[] {
  const problems: string[] = [];
  for (const f of REQUIRED) if (!files.includes(f)) problems.push(`missing ${f}`);
  for (const f of files) if (!ALLOWED.some((re) => re.test(f))) problems.push(`should not ship ${f}`);
  return problems;
}

/** the project's VSIX (package.json's version) packaged into the run directory and installed into its code-server */
export function packageAndInstall(root: string, run: { path(...p: string[]): string; codeServerCli(args: string[]): string }): { vsix: Vsix; installed: string } {
  const version = (JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as { version: string }).version;
  const vsix = packageVsix(root, run.path(`netns-lab-${version}.vsix`));
  return { vsix, installed: run.codeServerCli(['--install-extension', vsix.path]) };
}
