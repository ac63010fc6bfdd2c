/**
 * `netns-lab import --from clab FILE [-o OUT]` and `--from kathara DIR`: another tool's lab as a
 * topology. The report goes to stderr; exit 0 with a full mapping, 1 with a partial one (written
 * only with --partial), 2 on invalid input (nothing written).
 */
import { writeFile } from 'node:fs/promises';
import { relative } from 'node:path';
import { formatDiagnostic, hasErrors } from './core/model/diagnostics.js';
import { formatReport } from './core/import/import-report.js';
import { importLab, topologyText, type LabFormat } from './engine/import-lab.js';

const FLAGS = new Set(['--from', '-o', '--output', '--partial', '--stub-unsupported', '--elevation']);

export const IMPORT_LAB_USAGE = `  netns-lab import --from clab FILE.clab.yml | --from kathara DIR [-o FILE] [--partial] [--stub-unsupported]
                                          another tool's lab as a topology; the report on stderr`;

function fail(msg: string): number {
  process.stderr.write(`netns-lab: ${msg}\n(see netns-lab --help)\n`);
  return 2;
}

/** pos: the positional words after "import"; flags as cli.ts parsed them (--from may have taken no value) */
export async function importLabCommand(pos: string[], flags: Map<string, string | true>): Promise<number> {
  for (const k of flags.keys()) if (!FLAGS.has(k)) return fail(`unknown option ${k} for import --from`);
  const args = [...pos];
  const fromFlag = flags.get('--from');
  const from = typeof fromFlag === 'string' ? fromFlag : args.shift();
  if (from !== 'clab' && from !== 'kathara') return fail('--from is clab or kathara');
  if (args.length !== 1) return fail(`import --from ${from} takes one ${from === 'clab' ? 'FILE' : 'DIR'}`);
  const path = args[0]!;
  const out = flags.get('-o') ?? flags.get('--output');
  let lab;
  try {
    lab = await importLab(from as LabFormat, path, { stubUnsupported: flags.has('--stub-unsupported') });
  } catch (e) {
    const err = e as NodeJS.ErrnoException;
    return fail(`cannot read ${path}: ${err.code === 'ENOENT' ? 'no such file or directory' : err.code === 'EISDIR' ? 'a directory (a containerlab lab is a file)' : err.code === 'ENOTDIR' ? 'not a directory' : err.message}`);
  }
  const shown = relative(process.cwd(), path) || path;
  const base = from === 'clab' ? shown : undefined;
  const report = formatReport(lab.result.report.map((r) => (from === 'kathara' ? { ...r, file: `${shown}/${r.file ?? 'lab.conf'}` } : r.file === 'annotations.json' ? { ...r, file: `${shown}.annotations.json` } : r)), base ?? shown);
  if (report) process.stderr.write(report + '\n');
  const { outcome, topology } = lab.result;
  const counts = (['mapped', 'reported', 'refused'] as const).map((s) => `${lab.result.report.filter((r) => r.status === s).length} ${s}`).join(', ');
  if (outcome === 'invalid' || !topology) {
    process.stderr.write(`${counts}: cannot import; nothing written\n`);
    return 2;
  }
  for (const d of lab.diagnostics) process.stderr.write(formatDiagnostic(typeof out === 'string' ? out : '<topology>', d) + '\n');
  const partial = outcome === 'partial' || hasErrors(lab.diagnostics);
  if (partial && !flags.has('--partial')) {
    process.stderr.write(`${counts}: a partial mapping (see "reported" above); not written: --partial writes it\n`);
    return 1;
  }
  const text = topologyText(topology);
  if (typeof out === 'string') { await writeFile(out, text); process.stderr.write(`${counts}: wrote ${out}${partial ? ' (partial)' : ''}\n`); }
  else { process.stdout.write(text); process.stderr.write(`${counts}${partial ? ' (partial)' : ''}\n`); }
  return partial ? 1 : 0;
}
