/**
 * Reading other tools' labs from disk for the pure importers: a containerlab file (and its
 * annotations file beside it), or a Kathará lab directory (lab.conf, lab.dep, *.startup,
 * *.shutdown, and the list of every file in it, so DEV/ folders are reported).
 */
import { lstat, readFile, readdir, stat } from 'node:fs/promises';
import { basename, dirname, join, relative } from 'node:path';
import { importClab } from '../core/import/import-clab.js';
import { importKathara } from '../core/import/import-kathara.js';
import type { ImportResult } from '../core/import/import-report.js';
import type { Topology } from '../core/model/model.js';
import { validateValue } from '../core/model/validate.js';
import type { Diagnostic } from '../core/model/diagnostics.js';
import { MAX_TEXT_BYTES } from '../core/model/json.js';

export type LabFormat = 'clab' | 'kathara';

export interface LabImport {
  result: ImportResult;
  /** diagnostics of the produced topology (the validator's), when there is one */
  diagnostics: Diagnostic[];
  /** where NAME.netns.json goes by default: beside the clab file, inside the Kathará directory */
  defaultOut?: string;
}

const MAX_FILES = 5000;
const MAX_DEPTH = 12;
const KATHARA_TEXT = /^(lab\.conf|lab\.dep|[^/]+\.startup|[^/]+\.shutdown)$/;

/** a lab's text file, refused above the size a topology file may have */
async function readText(path: string): Promise<string> {
  const st = await stat(path);
  if (st.size > MAX_TEXT_BYTES) throw Object.assign(new Error(`${path} is ${st.size} bytes; at most ${MAX_TEXT_BYTES} are read`), { code: 'EFBIG' });
  return readFile(path, 'utf8');
}

async function walk(root: string, dir: string, depth: number, out: string[]): Promise<void> {
  if (depth > MAX_DEPTH || out.length >= MAX_FILES) return;
  for (const e of (await readdir(dir, { withFileTypes: true })).sort((a, b) => a.name.localeCompare(b.name))) {
    const p = join(dir, e.name);
    if (e.isDirectory() && !e.name.startsWith('.')) await walk(root, p, depth + 1, out);
    else if (e.isFile() || e.isSymbolicLink()) out.push(relative(root, p));
    if (out.length >= MAX_FILES) return;
  }
}

export async function readKatharaInput(dir: string): Promise<Parameters<typeof importKathara>[0]> {
  const paths: string[] = [];
  await walk(dir, dir, 0, paths);
  const files: Record<string, string> = {};
  for (const p of paths.filter((x) => KATHARA_TEXT.test(x))) {
    if ((await lstat(join(dir, p))).isFile()) files[p] = await readText(join(dir, p));
  }
  return { files, paths, dirName: basename(dir) };
}

export async function readClabInput(file: string, stubUnsupported: boolean): Promise<Parameters<typeof importClab>[0]> {
  const text = await readText(file);
  const annotations = await readText(`${file}.annotations.json`).catch(() => undefined);
  return { text, ...(annotations !== undefined ? { annotations } : {}), stubUnsupported };
}

export async function importLab(from: LabFormat, path: string, opts: { stubUnsupported?: boolean } = {}): Promise<LabImport> {
  const result = from === 'clab' ? importClab(await readClabInput(path, opts.stubUnsupported === true)) : importKathara(await readKatharaInput(path));
  if (!result.topology) return { result, diagnostics: [] };
  const v = validateValue(result.topology);
  const dir = from === 'clab' ? dirname(path) : path;
  return { result, diagnostics: v.diagnostics, defaultOut: join(dir, `${result.topology.name}.netns.json`) };
}

/** the topology as the text of a *.netns.json file */
export function topologyText(t: Topology | NonNullable<ImportResult['topology']>): string {
  return JSON.stringify(t, null, 2) + '\n';
}
