/**
 * Kathará's lab.conf and lab.dep, read line by line: `dev[N]="CD[/MAC]"` interfaces, `dev[option]=value`
 * options, `LAB_*` metadata; lab.dep's `dev: dep dep…` start order.
 */
import { macProblem } from '../model/mac.js';
import type { Reporter } from './import-report.js';

export interface KIface { n: number; cd: string; mac?: string; line: number }
export interface KOption { key: string; value: string; line: number }
export interface KDevice { name: string; line: number; ifaces: KIface[]; options: KOption[] }
export interface LabConf { devices: Map<string, KDevice>; meta: Map<string, { value: string; line: number }> }

const FILE = 'lab.conf';
const unquote = (v: string) => {
  const t = v.trim();
  return /^".*"$|^'.*'$/.test(t) ? t.slice(1, -1) : t;
};
/** a collision domain name: no spaces, commas, dots (Kathará's rule), nor '/' (the MAC separator) or quotes */
const CD = /^[^\s,./"'[\]=]+$/;

export function parseLabConf(text: string, r: Reporter): LabConf {
  const devices = new Map<string, KDevice>();
  const meta = new Map<string, { value: string; line: number }>();
  text.split('\n').forEach((raw, i) => {
    const line = i + 1;
    const s = raw.trim();
    if (s === '' || s.startsWith('#')) return;
    const m = /^(LAB_[A-Z_]+)\s*=\s*(.*)$/.exec(s);
    if (m) { meta.set(m[1]!, { value: unquote(m[2]!), line }); return; }
    const d = /^([A-Za-z0-9_.-]+)\[([^\]]+)\]\s*=\s*(.*)$/.exec(s);
    if (!d) { r.refused(s.slice(0, 40), 'not a lab.conf line: device[N]="domain" or device[option]=value or LAB_…=…', line, FILE); return; }
    const [, name, arg, rawVal] = d as unknown as [string, string, string, string];
    let dev = devices.get(name);
    if (!dev) { dev = { name, line, ifaces: [], options: [] }; devices.set(name, dev); }
    const value = unquote(rawVal);
    if (!/^\d+$/.test(arg)) { dev.options.push({ key: arg, value, line }); return; }
    const n = Number(arg);
    const [cd, mac, extra] = value.split('/');
    if (cd === undefined || !CD.test(cd) || extra !== undefined) {
      r.refused(`${name}[${arg}]`, `'${value}' is not a collision domain: a name without spaces, commas, dots or slashes, optionally /MAC`, line, FILE);
      return;
    }
    const badMac = mac === undefined ? undefined : macProblem(mac);
    if (badMac) { r.refused(`${name}[${arg}]`, badMac, line, FILE); return; }
    const dup = dev.ifaces.find((f) => f.n === n);
    if (dup) { r.refused(`${name}[${arg}]`, `${name} already has interface eth${n} (line ${dup.line}): two interfaces of the same index`, line, FILE); return; }
    dev.ifaces.push({ n, cd, ...(mac !== undefined ? { mac: mac.toLowerCase() } : {}), line });
  });
  for (const d of devices.values()) d.ifaces.sort((a, b) => a.n - b.n);
  return { devices, meta };
}

/** lab.dep: each device after the devices it names; the order of lab.conf otherwise. Undefined on a cycle. */
export function startOrder(devices: string[], dep: string | undefined, r: Reporter): string[] | undefined {
  if (dep === undefined) return devices;
  const after = new Map<string, Set<string>>(devices.map((d) => [d, new Set<string>()]));
  dep.split('\n').forEach((raw, i) => {
    const s = raw.trim();
    if (s === '' || s.startsWith('#')) return;
    const m = /^([^:\s]+)\s*:\s*(.*)$/.exec(s);
    if (!m) { r.refused('lab.dep', `'${s}' is not "device: device device…"`, i + 1, 'lab.dep'); return; }
    const deps = m[2]!.split(/\s+/).filter(Boolean);
    const unknown = [m[1]!, ...deps].filter((d) => !after.has(d));
    if (unknown.length) { r.reported('lab.dep', `${unknown.join(', ')}: not a device of lab.conf; the line is ignored`, i + 1, 'lab.dep'); return; }
    for (const x of deps) after.get(m[1]!)!.add(x);
    r.mapped('lab.dep', `${m[1]} starts after ${deps.join(', ')}: namespaces are listed (and their exec entries run) in start order`, i + 1, 'lab.dep');
  });
  const order: string[] = [];
  const done = new Set<string>();
  while (order.length < devices.length) {
    const next = devices.find((d) => !done.has(d) && [...after.get(d)!].every((x) => done.has(x)));
    if (!next) {
      r.refused('lab.dep', `the dependencies form a cycle among ${devices.filter((d) => !done.has(d)).join(', ')}`, undefined, 'lab.dep');
      return undefined;
    }
    order.push(next);
    done.add(next);
  }
  return order;
}
