/**
 * The benchmark's figures, their ratios against baselines measured in the same run, the
 * targets of issue 7, and the printed table. Pure: no processes, no files (unit-tested).
 */

export type Unit = 'ms' | 'MiB' | 'kB' | 'fps' | 'count';

/** one measured figure; ratio = value / baseline.value (below 1: faster / smaller than the baseline) */
export interface Row {
  /** apply | reapply | change | destroy | observe | event | canvas | extension */
  section: string;
  /** lan | chain | '' */
  topology: string;
  n: number | null;
  /** what was measured: "netns-lab CLI", "netns-lab session", "floor: ip -batch", ... */
  subject: string;
  value: number;
  unit: Unit;
  /** every sample when the figure is a median */
  samples?: number[];
  processes?: number;
  steps?: number;
  baseline?: { subject: string; value: number };
  note?: string;
}

/** something that could not be measured here, and exactly why */
export interface Unavailable {
  section: string;
  topology: string;
  n: number | null;
  subject: string;
  reason: string;
}

export interface Target {
  name: string;
  /** pass, miss, or n/a (not measured in this run) */
  result: 'pass' | 'miss' | 'n/a';
  detail: string;
}

export function median(xs: readonly number[]): number {
  if (!xs.length) throw new Error('median of no samples');
  const s = [...xs].sort((a, b) => a - b);
  const m = Math.floor(s.length / 2);
  return s.length % 2 ? s[m]! : (s[m - 1]! + s[m]!) / 2;
}

export function ratio(r: Row): number | undefined {
  if (!r.baseline || !(r.baseline.value > 0)) return undefined;
  return r.value / r.baseline.value;
}

/** 0.0123 -> "0.012x", 3.456 -> "3.46x", 123.4 -> "123x" */
export function formatRatio(x: number | undefined): string {
  if (x === undefined || !Number.isFinite(x)) return '';
  return `${x >= 100 ? x.toFixed(0) : x >= 10 ? x.toFixed(1) : x >= 0.1 ? x.toFixed(2) : x.toPrecision(2)}x`;
}

export function formatValue(v: number, unit: Unit): string {
  switch (unit) {
    case 'ms': return v >= 10_000 ? `${(v / 1000).toFixed(1)} s` : v >= 1000 ? `${(v / 1000).toFixed(2)} s` : `${v >= 10 ? v.toFixed(0) : v.toFixed(1)} ms`;
    case 'MiB': return `${v.toFixed(1)} MiB`;
    case 'kB': return `${v.toFixed(v >= 100 ? 0 : 1)} kB`;
    case 'fps': return `${v.toFixed(1)} fps`;
    case 'count': return String(v);
  }
}

const find = (rows: readonly Row[], section: string, topology: string, n: number | null, subject: string | RegExp) =>
  rows.find((r) => r.section === section && r.topology === topology && r.n === n
    && (typeof subject === 'string' ? r.subject === subject : subject.test(r.subject)));

export const CLI = 'netns-lab CLI';
export const SESSION = 'netns-lab session';

/** the targets of issue 7, evaluated on this run's rows */
export function evaluateTargets(rows: readonly Row[]): Target[] {
  const out: Target[] = [];
  const verdict = (ok: boolean): 'pass' | 'miss' => (ok ? 'pass' : 'miss');
  const x = (v: number) => formatRatio(v);
  for (const topo of ['lan', 'chain']) {
    for (const n of [50, 200]) {
      for (const path of [SESSION, CLI]) {
        const tool = find(rows, 'apply', topo, n, path);
        const floor = find(rows, 'apply', topo, n, /^floor/);
        const article = find(rows, 'apply', topo, n, /^article/);
        const name = `apply ${topo} N=${n} (${path === SESSION ? 'session' : 'CLI'})`;
        if (!tool || !floor) out.push({ name: `${name} <= 1.5x floor`, result: 'n/a', detail: 'not measured in this run' });
        else out.push({ name: `${name} <= 1.5x floor`, result: verdict(tool.value <= 1.5 * floor.value), detail: `${x(tool.value / floor.value)} the floor (${formatValue(tool.value, 'ms')} vs ${formatValue(floor.value, 'ms')})` });
        if (!tool || !article) out.push({ name: `${name} >= 5x faster than the article's way`, result: 'n/a', detail: 'not measured in this run' });
        else out.push({ name: `${name} >= 5x faster than the article's way`, result: verdict(article.value >= 5 * tool.value), detail: `${(article.value / tool.value).toFixed(1)}x faster (${formatValue(tool.value, 'ms')} vs ${formatValue(article.value, 'ms')})` });
      }
    }
    for (const path of [SESSION, CLI]) {
      const a = find(rows, 'apply', topo, 50, path);
      const b = find(rows, 'apply', topo, 200, path);
      const name = `apply ${topo} (${path === SESSION ? 'session' : 'CLI'}): N=200 costs <= 4.5x N=50`;
      out.push(a && b ? { name, result: verdict(b.value <= 4.5 * a.value), detail: `${x(b.value / a.value)}` } : { name, result: 'n/a', detail: 'not measured in this run' });
    }
  }
  const under = (name: string, r: Row | undefined, limit: number, unit: Unit) => out.push(r
    ? { name, result: verdict(r.value < limit), detail: formatValue(r.value, unit) }
    : { name, result: 'n/a', detail: 'not measured in this run' });
  under('re-apply with no change, lan N=200 (session) < 0.5 s', find(rows, 'reapply', 'lan', 200, SESSION), 500, 'ms');
  under('re-apply with no change, lan N=200 (CLI) < 0.5 s', find(rows, 'reapply', 'lan', 200, CLI), 500, 'ms');
  under('observe lan N=200 (session) < 1 s', find(rows, 'observe', 'lan', 200, SESSION), 1000, 'ms');
  under('observe lan N=200 (CLI status) < 1 s', find(rows, 'observe', 'lan', 200, `${CLI} status`), 1000, 'ms');
  under('full matrix lan N=50 (session, fping) <= 5 s', find(rows, 'matrix', 'lan', 50, /^netns-lab session/), 5001, 'ms');
  under('canvas: 1000 nodes drawn < 2 s', find(rows, 'canvas', '', 1000, /^load to first full draw/), 2000, 'ms');
  const drag = find(rows, 'canvas', '', 500, /^drag/);
  out.push(drag ? { name: 'canvas: drag in a 500-node graph >= 30 fps', result: verdict(drag.value >= 30), detail: formatValue(drag.value, 'fps') } : { name: 'canvas: drag in a 500-node graph >= 30 fps', result: 'n/a', detail: 'not measured in this run' });
  under('activation < 100 ms', find(rows, 'extension', '', null, /^activation/), 100, 'ms');
  const vsix = find(rows, 'extension', '', null, /^VSIX/);
  out.push(vsix ? { name: 'VSIX < 3 MB', result: verdict(vsix.value < 3 * 1024), detail: formatValue(vsix.value, 'kB') } : { name: 'VSIX < 3 MB', result: 'n/a', detail: 'not measured in this run' });
  return out;
}

function pad(cells: string[][]): string {
  const w = cells[0]!.map((_, i) => Math.max(...cells.map((r) => (r[i] ?? '').length)));
  return cells.map((r) => r.map((c, i) => (i >= 3 && i <= 5 || i === 7 ? c.padStart(w[i]!) : c.padEnd(w[i]!))).join('  ').trimEnd()).join('\n');
}

export function tableRows(rows: readonly Row[]): string[][] {
  return rows.map((r) => [
    r.section, r.topology || '-', r.n === null ? '-' : String(r.n), r.subject,
    formatValue(r.value, r.unit),
    [r.processes !== undefined ? `${r.processes} proc` : '', r.steps !== undefined ? `${r.steps} steps` : ''].filter(Boolean).join(', '),
    r.baseline ? `${r.baseline.subject} ${formatValue(r.baseline.value, r.unit)}` : '', formatRatio(ratio(r)),
  ]);
}

const HEAD = ['section', 'topo', 'N', 'subject', 'value', 'procs/steps', 'baseline (same run)', 'ratio'];

/** the plain-text table printed by `npm run bench` */
export function renderTable(rows: readonly Row[], unavailable: readonly Unavailable[] = [], targets: readonly Target[] = []): string {
  const parts = [pad([HEAD, ...tableRows(rows)])];
  if (unavailable.length) parts.push('not measured:\n' + unavailable.map((u) => `  ${u.section} ${u.topology || '-'} ${u.n ?? '-'} ${u.subject}: ${u.reason}`).join('\n'));
  const measured = targets.filter((t) => t.result !== 'n/a');
  const na = targets.length - measured.length;
  if (targets.length) parts.push('targets:\n' + measured.map((t) => `  ${t.result.toUpperCase().padEnd(4)} ${t.name}: ${t.detail}`).join('\n') + (na ? `${measured.length ? '\n' : ''}  (${na} target(s) not measured in this run)` : ''));
  return parts.join('\n\n');
}

/** the same table as Markdown (docs/performance.md, README) */
export function renderMarkdown(rows: readonly Row[], unavailable: readonly Unavailable[] = [], targets: readonly Target[] = []): string {
  const esc = (s: string) => s.replace(/\|/g, '\\|');
  const lines = [`| ${HEAD.join(' | ')} |`, `|${HEAD.map((_, i) => (i >= 4 && i !== 6 ? '---:' : '---')).join('|')}|`,
    ...tableRows(rows).map((c) => `| ${c.map(esc).join(' | ')} |`)];
  if (unavailable.length) lines.push('', 'Not measured:', '', ...unavailable.map((u) => `- ${u.section} ${u.topology || ''} ${u.n ?? ''} ${esc(u.subject)}: ${esc(u.reason)}`.replace(/ +/g, ' ')));
  if (targets.length) lines.push('', '| target | result | measured |', '|---|---|---|', ...targets.map((t) => `| ${esc(t.name)} | ${t.result === 'pass' ? 'pass' : t.result === 'miss' ? '**miss**' : 'n/a'} | ${esc(t.detail)} |`));
  return lines.join('\n');
}

export interface Options {
  quick: boolean; only: Set<string> | undefined; reps: number | undefined; sizes: number[];
  /** write the tables of docs/performance.md and README.md even from a partial run (it says which) */
  docs?: boolean;
}

export const SECTIONS = ['apply', 'reapply', 'change', 'destroy', 'observe', 'event', 'matrix', 'canvas', 'extension'] as const;
/** sections that need the kernel (run inside test/sandbox/run.sh) */
export const KERNEL_SECTIONS = new Set(['apply', 'reapply', 'change', 'destroy', 'observe', 'event', 'matrix']);

export function parseOptions(argv: readonly string[]): Options {
  let quick = false;
  let only: Set<string> | undefined;
  let reps: number | undefined;
  let sizes: number[] | undefined;
  let docs = false;
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i]!;
    const [k, inline] = a.includes('=') ? [a.slice(0, a.indexOf('=')), a.slice(a.indexOf('=') + 1)] : [a, undefined];
    const value = () => {
      const v = inline ?? argv[++i];
      if (v === undefined) throw new Error(`${k} needs a value`);
      return v;
    };
    if (k === '--quick') quick = true;
    else if (k === '--docs') docs = true;
    else if (k === '--only') {
      only = new Set(value().split(',').map((s) => s.trim()).filter(Boolean));
      for (const s of only) if (!(SECTIONS as readonly string[]).includes(s)) throw new Error(`--only: unknown section '${s}' (sections: ${SECTIONS.join(', ')})`);
    } else if (k === '--reps') {
      reps = Number(value());
      if (!Number.isInteger(reps) || reps < 1 || reps > 20) throw new Error('--reps: a whole number from 1 to 20');
    } else if (k === '--sizes') {
      sizes = value().split(',').map(Number);
      if (sizes.some((n) => !Number.isInteger(n) || n < 2 || n > 1000)) throw new Error('--sizes: whole numbers from 2 to 1000, comma-separated');
    } else throw new Error(`unknown option ${a} (options: --quick, --only SECTION,..., --reps K, --sizes N,..., --docs)`);
  }
  return { quick, only, reps, sizes: sizes ?? (quick ? [10, 50] : [10, 50, 200, 500]), ...(docs ? { docs } : {}) };
}

/** replace the text between `<!-- bench:NAME:start -->` and `<!-- bench:NAME:end -->` (undefined: no such markers) */
export function replaceBetweenMarkers(doc: string, name: string, body: string): string | undefined {
  const start = `<!-- bench:${name}:start -->`;
  const end = `<!-- bench:${name}:end -->`;
  const i = doc.indexOf(start);
  const j = doc.indexOf(end);
  if (i < 0 || j < i) return undefined;
  return `${doc.slice(0, i + start.length)}\n${body.trim()}\n${doc.slice(j)}`;
}

/** the targets alone, as Markdown (README) */
export function renderTargetsMarkdown(targets: readonly Target[]): string {
  const esc = (s: string) => s.replace(/\|/g, '\\|');
  return ['| target | result | measured (ratio against the baseline of the same run) |', '|---|---|---|',
    ...targets.map((t) => `| ${esc(t.name)} | ${t.result === 'pass' ? 'pass' : t.result === 'miss' ? '**miss**' : 'n/a'} | ${esc(t.detail)} |`)].join('\n');
}
