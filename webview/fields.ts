/**
 * Client-side checks of property values before they are sent, with the model's own zod
 * schemas, so the panel shows the same messages as validation while the user types. The host
 * checks again (and refuses edits that add errors): these are a convenience, not the guard.
 */
import { z } from 'zod';
import { Mac } from '../src/core/model/mac.js';
import { CidrString, IfName, Impair, IpString, Mtu, NsName, TopoName } from '../src/core/model/model.js';

export type Check<T> = { ok: true; value: T } | { ok: false; error: string };

/** the first issue's message without the "[code] " prefix */
function message(err: z.ZodError): string {
  const iss = err.issues[0];
  return (iss?.message ?? 'invalid value').replace(/^\[[a-z0-9-]+\]\s*/, '');
}

function run<T>(schema: z.ZodType<T>, v: unknown): Check<T> {
  const r = schema.safeParse(v);
  return r.success ? { ok: true, value: r.data } : { ok: false, error: message(r.error) };
}

export const checkNsName = (s: string): Check<string> => run(NsName, s.trim());
export const checkIfName = (s: string): Check<string> => run(IfName, s.trim());
export const checkTopoName = (s: string): Check<string> => run(TopoName, s.trim());
export const checkIp = (s: string): Check<string> => run(IpString, s.trim());
export const checkCidr = (s: string): Check<string> => run(CidrString, s.trim());

/** words of a list field: "10.0.0.2/24, fd00::2/64" */
export function splitList(s: string): string[] {
  return s.split(/[\s,;]+/).map((x) => x.trim()).filter(Boolean);
}

/** a list of addresses with prefix; empty -> null (the field is removed) */
export function checkCidrList(s: string): Check<string[] | null> {
  const words = splitList(s);
  for (const w of words) {
    const r = checkCidr(w);
    if (!r.ok) return r;
  }
  return { ok: true, value: words.length ? words : null };
}

/** a MAC address; empty -> null (the field is removed: the interface keeps the MAC it has) */
export function checkMac(s: string): Check<string | null> {
  const t = s.trim();
  return t ? run(Mac, t) : { ok: true, value: null };
}

/** an MTU; empty -> null (the field is removed) */
export function checkMtu(s: string): Check<number | null> {
  const t = s.trim();
  if (!t) return { ok: true, value: null };
  if (!/^\d+$/.test(t)) return { ok: false, error: `'${t}' is not a number of bytes` };
  return run(Mtu, Number(t));
}

/** DNS servers: 1 to 3 addresses */
export function checkServers(s: string): Check<string[]> {
  const words = splitList(s);
  if (!words.length) return { ok: false, error: 'give at least one DNS server address' };
  if (words.length > 3) return { ok: false, error: 'at most 3 DNS servers (resolv.conf reads no more)' };
  for (const w of words) {
    const r = checkIp(w);
    if (!r.ok) return r;
  }
  return { ok: true, value: words };
}

/** the host's uplink: "auto", an interface name, or empty (removed) */
export function checkUplink(s: string): Check<string | null> {
  const t = s.trim();
  if (!t) return { ok: true, value: null };
  if (t === 'auto') return { ok: true, value: t };
  return checkIfName(t);
}

export interface RouteDraft { to: string; via: string; dev: string; metric?: number }

/** one row of the routes editor -> a route object */
export function checkRoute(r: RouteDraft): Check<Record<string, unknown>> {
  const to = r.to.trim();
  if (!to) return { ok: false, error: 'a route needs a destination: "default" or a prefix such as 10.1.0.0/24' };
  if (to !== 'default') {
    const c = checkCidr(to);
    if (!c.ok) return c;
  }
  const out: Record<string, unknown> = { to };
  if (r.via.trim()) {
    const c = checkIp(r.via);
    if (!c.ok) return c;
    out.via = r.via.trim();
  }
  if (r.dev.trim()) {
    const c = checkIfName(r.dev);
    if (!c.ok) return c;
    out.dev = r.dev.trim();
  }
  if (!out.via && !out.dev) return { ok: false, error: 'a route needs "via" (a gateway) or "dev" (an interface)' };
  if (r.metric !== undefined) out.metric = r.metric;
  return { ok: true, value: out };
}

/** one impairment value (delay/jitter ms, loss/corrupt/duplicate %, rate kbit/s); empty -> null */
export function checkImpairField(key: keyof typeof Impair.shape, s: string): Check<number | null> {
  const t = s.trim().replace(/\s*(ms|%|kbit\/s|kbit)$/i, '');
  if (!t) return { ok: true, value: null };
  if (!/^\d+(\.\d+)?$/.test(t)) return { ok: false, error: `'${s.trim()}' is not a number${key === 'rate' ? ' of kbit/s' : key === 'delay' || key === 'jitter' ? ' of ms' : ' (percent)'}` };
  const r = run(Impair.shape[key], Number(t));
  return r.ok ? { ok: true, value: r.value ?? null } : r;
}
