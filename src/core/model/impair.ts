/**
 * Link impairments (an endpoint's `impair`): which qdisc they need, the tc words that set it,
 * how tc's JSON reads back in the model's units, and the short text the canvas shows. Pure.
 *
 * Units everywhere (file, steps, live state): delay and jitter in ms, loss/corrupt/duplicate
 * in percent, rate in kbit/s (1000 bit/s). tc's JSON prints netem times in seconds,
 * percentages as fractions of 1 and rates in bytes per second; parseQdiscs converts.
 */
import type { Impair } from './model.js';

/** the qdisc kinds this tool sets (and, on its own links, removes) */
export const IMPAIR_KINDS: readonly string[] = ['netem', 'tbf'];
const NETEM_FIELDS = ['delay', 'jitter', 'loss', 'corrupt', 'duplicate'] as const;

/** the impairment as it takes effect: fields set to 0 mean "none"; undefined when nothing is left */
export function effectiveImpair(i: Impair | undefined): Impair | undefined {
  if (!i) return undefined;
  const out: Impair = {};
  for (const k of [...NETEM_FIELDS, 'rate'] as const) if (i[k] !== undefined && i[k] !== 0) out[k] = i[k];
  if (out.jitter !== undefined && out.delay === undefined) delete out.jitter; // refused by validation anyway
  return Object.keys(out).length ? out : undefined;
}

/** netem when any of delay/jitter/loss/corrupt/duplicate is set, tbf for a rate alone */
export function qdiscKind(i: Impair): 'netem' | 'tbf' {
  return NETEM_FIELDS.some((k) => i[k] !== undefined) ? 'netem' : 'tbf';
}

/** tbf's bucket: 10 ms worth of the rate, and never less than one full frame of the interface */
export function tbfBurst(rateKbit: number, mtu: number | undefined): number {
  return Math.max(Math.ceil((rateKbit * 125) / 100), (mtu ?? 1500) + 14, 1600);
}
/** tbf's queue: at most this long a wait before a packet is dropped */
export const TBF_LATENCY = '50ms';

/** a decimal without exponent or trailing zeros ("0.1", "100", "0.000001") */
function dec(v: number, digits: number): string {
  const s = v.toFixed(digits);
  return s.includes('.') ? s.replace(/\.?0+$/, '') : s;
}

/** `qdisc replace dev DEV root ...` (the words after `tc` and its options) */
export function qdiscWords(dev: string, i: Impair, burst: number | undefined): string[] {
  const w = ['qdisc', 'replace', 'dev', dev, 'root'];
  if (qdiscKind(i) === 'netem') {
    w.push('netem');
    if (i.delay !== undefined) {
      w.push('delay', `${dec(i.delay, 3)}ms`);
      if (i.jitter !== undefined) w.push(`${dec(i.jitter, 3)}ms`);
    }
    if (i.loss !== undefined) w.push('loss', `${dec(i.loss, 6)}%`);
    if (i.corrupt !== undefined) w.push('corrupt', `${dec(i.corrupt, 6)}%`);
    if (i.duplicate !== undefined) w.push('duplicate', `${dec(i.duplicate, 6)}%`);
    if (i.rate !== undefined) w.push('rate', `${i.rate}kbit`);
  } else {
    w.push('tbf', 'rate', `${i.rate}kbit`, 'burst', String(burst ?? tbfBurst(i.rate!, undefined)), 'latency', TBF_LATENCY);
  }
  return w;
}

/** a root qdisc as read back from tc, in the model's units */
export interface LiveQdisc {
  kind: string;
  impair: Impair;
}

type J = Record<string, unknown>;
const num = (v: unknown): number | undefined => (typeof v === 'number' && Number.isFinite(v) ? v : undefined);
const obj = (v: unknown): J | undefined => (v && typeof v === 'object' && !Array.isArray(v) ? (v as J) : undefined);
const round = (v: number, digits: number) => Number(v.toFixed(digits));

/**
 * `tc -j qdisc show` (one namespace) -> root qdisc per device. With `dev X` tc omits "dev";
 * pass that name as `dev`.
 */
export function parseQdiscs(json: unknown, dev?: string): Map<string, LiveQdisc> {
  const out = new Map<string, LiveQdisc>();
  if (!Array.isArray(json)) return out;
  for (const q of json as J[]) {
    const name = typeof q.dev === 'string' ? q.dev : dev;
    if (!name || q.root !== true || typeof q.kind !== 'string') continue;
    const o = obj(q.options) ?? {};
    const impair: Impair = {};
    if (q.kind === 'tbf') {
      const r = num(o.rate);
      if (r !== undefined && r > 0) impair.rate = Math.round((r * 8) / 1000);
    } else if (q.kind === 'netem') {
      const d = obj(o.delay);
      const delay = num(d?.delay);
      const jitter = num(d?.jitter);
      if (delay !== undefined && delay > 0) impair.delay = round(delay * 1000, 3);
      if (jitter !== undefined && jitter > 0) impair.jitter = round(jitter * 1000, 3);
      const pct = (k: string, inner: string) => {
        const v = num(obj(o[k])?.[inner]);
        return v !== undefined && v > 0 ? round(v * 100, 6) : undefined;
      };
      const loss = pct('loss-random', 'loss');
      const corrupt = pct('corrupt', 'corrupt');
      const duplicate = pct('duplicate', 'duplicate');
      if (loss !== undefined) impair.loss = loss;
      if (corrupt !== undefined) impair.corrupt = corrupt;
      if (duplicate !== undefined) impair.duplicate = duplicate;
      const r = num(obj(o.rate)?.rate);
      if (r !== undefined && r > 0) impair.rate = Math.round((r * 8) / 1000);
    }
    out.set(name, { kind: q.kind, impair });
  }
  return out;
}

/** does the live qdisc do what the file asks (within what the kernel can store)? */
export function sameImpair(want: Impair, live: LiveQdisc): boolean {
  if (live.kind !== qdiscKind(want)) return false;
  const close = (a: number | undefined, b: number | undefined, tol: number) =>
    (a === undefined || a === 0) ? (b === undefined || b === 0) : b !== undefined && Math.abs(a - b) <= tol;
  return close(want.delay, live.impair.delay, 0.0015) && close(want.jitter, live.impair.jitter, 0.0015)
    && close(want.loss, live.impair.loss, 1e-5) && close(want.corrupt, live.impair.corrupt, 1e-5)
    && close(want.duplicate, live.impair.duplicate, 1e-5) && close(want.rate, live.impair.rate, 0.5);
}

/** "10 Mbit/s", "512 kbit/s", "1.5 Gbit/s" */
export function rateText(kbit: number): string {
  if (kbit >= 1_000_000 && kbit % 10_000 === 0) return `${kbit / 1_000_000} Gbit/s`;
  if (kbit >= 1000 && kbit % 10 === 0) return `${kbit / 1000} Mbit/s`;
  return `${kbit} kbit/s`;
}

/** the short text on a link: "100ms ±10ms · 1% loss · 10 Mbit/s" */
export function impairSummary(i: Impair | undefined): string {
  const e = effectiveImpair(i);
  if (!e) return '';
  const parts: string[] = [];
  if (e.delay !== undefined) parts.push(`${e.delay}ms${e.jitter !== undefined ? ` ±${e.jitter}ms` : ''}`);
  if (e.loss !== undefined) parts.push(`${e.loss}% loss`);
  if (e.corrupt !== undefined) parts.push(`${e.corrupt}% corrupt`);
  if (e.duplicate !== undefined) parts.push(`${e.duplicate}% dup`);
  if (e.rate !== undefined) parts.push(rateText(e.rate));
  return parts.join(' · ');
}

/** every value with its unit, for tooltips: "delay 100 ms ± 10 ms, loss 1 %, rate 10000 kbit/s" */
export function impairDetail(i: Impair | undefined): string {
  const e = effectiveImpair(i);
  if (!e) return '';
  const parts: string[] = [];
  if (e.delay !== undefined) parts.push(`delay ${e.delay} ms${e.jitter !== undefined ? ` ± ${e.jitter} ms` : ''}`);
  if (e.loss !== undefined) parts.push(`loss ${e.loss} %`);
  if (e.corrupt !== undefined) parts.push(`corrupt ${e.corrupt} %`);
  if (e.duplicate !== undefined) parts.push(`duplicate ${e.duplicate} %`);
  if (e.rate !== undefined) parts.push(`rate ${e.rate} kbit/s (${rateText(e.rate)})`);
  return parts.join(', ');
}
