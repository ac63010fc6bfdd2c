/**
 * Kathará (a lab directory: lab.conf, *.startup, shared.startup, lab.dep, DEV/ folders) to a
 * topology: each device a namespace, each collision domain a bridge (no address), `dev[N]` the
 * interface ethN on it; Kathará's device defaults (forwarding on, rp_filter off…) written into
 * every namespace; start-up lines as structured fields or exec entries in lab.dep's order.
 * Pure: the files' texts in, topology and report out.
 */
import { LabBuilder } from './import-build.js';
import { parseLabConf, startOrder, type KDevice } from './import-kathara-conf.js';
import { fitNsName, fitTopoName } from './import-names.js';
import { Reporter, outcomeOf, sortReport, type ImportResult } from './import-report.js';
import { formatIP, network, parseCidr } from '../model/ip.js';
import { SysctlKey, SysctlValue } from '../model/model.js';

export interface KatharaInput {
  /** relative path -> text, for lab.conf, lab.dep, shared.startup and DEV.startup (and *.shutdown) */
  files: Record<string, string>;
  /** every file of the lab directory, relative (the DEV/ folders' files are reported) */
  paths?: string[];
  /** the lab directory's name, when lab.conf has no LAB_NAME */
  dirName?: string;
}

/** the sysctls Kathará sets in every device (its Docker manager), IPv6 per the ipv6 option */
export const KATHARA_SYSCTLS: Record<string, number> = {
  'net.ipv4.conf.all.rp_filter': 0,
  'net.ipv4.conf.default.rp_filter': 0,
  'net.ipv4.conf.lo.rp_filter': 0,
  'net.ipv4.ip_forward': 1,
  'net.ipv4.icmp_ratelimit': 0,
};
export const KATHARA_IPV6_ON: Record<string, number> = {
  'net.ipv6.conf.all.forwarding': 1,
  'net.ipv6.icmp.ratelimit': 0,
  'net.ipv6.conf.default.disable_ipv6': 0,
  'net.ipv6.conf.all.disable_ipv6': 0,
};
export const KATHARA_IPV6_OFF: Record<string, number> = {
  'net.ipv6.conf.default.disable_ipv6': 1,
  'net.ipv6.conf.all.disable_ipv6': 1,
  'net.ipv6.conf.default.forwarding': 0,
  'net.ipv6.conf.all.forwarding': 0,
};
/** [bridged] devices reach the internet through this bridge and subnet, masqueraded */
export const BRIDGED = { bridge: 'kt-bridged', subnet: '172.29.255.0/24' };

/** options with no effect on a namespace's network */
const NO_EFFECT: Record<string, string> = {
  image: '', num_terms: 'opens terminals', shell: 'the shell of its terminals',
};
const BLOCK = /^\s*(if|then|else|elif|fi|for|while|until|do|done|case|esac|function)\b|\\\s*$|<<-?\s*['"]?\w|\{\s*$|^\s*\}/m;

export function importKathara(input: KatharaInput): ImportResult {
  const r = new Reporter();
  const conf = input.files['lab.conf'];
  if (conf === undefined) { r.refused('lab.conf', 'a Kathará lab is a directory with a lab.conf', undefined, 'lab.conf'); return { report: r.items, outcome: 'invalid' }; }
  const lab = parseLabConf(conf, r);
  const order = startOrder([...lab.devices.keys()], input.files['lab.dep'], r);
  if (r.refusedAny || !order) return { report: sortReport(r.items), outcome: 'invalid' };

  const b = new LabBuilder(r);
  const names = new Map<string, string>();
  for (const d of order) {
    const n = fitNsName(d, new Set(names.values()));
    names.set(d, n);
    b.namespace(n);
    if (n !== d) r.mapped(d, `namespace '${n}' (namespace names are 1-64 letters, digits, _ . - and not host/default/all/none)`, lab.devices.get(d)!.line, 'lab.conf');
  }
  const nsNames = new Set(names.values());
  const cds = new Map<string, string>();
  for (const [d, dev] of lab.devices) interfaces(dev, names.get(d)!, b, cds, nsNames);
  let imageSaid = false;
  const bridged: string[] = [];
  for (const d of order) {
    const dev = lab.devices.get(d)!;
    const ns = names.get(d)!;
    imageSaid = options(dev, ns, b, imageSaid, bridged);
    defaults(dev, ns, b, input.files);
    startup(ns, d, b, input.files);
  }
  if (bridged.length) bridgedNet(bridged, b);
  r.mapped('defaults', `Kathará's device defaults written into every namespace: ${Object.entries(KATHARA_SYSCTLS).map(([k, v]) => `${k}=${v}`).join(', ')}; IPv6 off unless the device has [ipv6] (or IPv6 addresses)`, undefined, 'lab.conf');
  files(input, lab.devices, r);
  const rawName = lab.meta.get('LAB_NAME')?.value ?? input.dirName ?? 'kathara';
  const name = fitTopoName(rawName);
  for (const [k, v] of lab.meta) r.mapped(k, k === 'LAB_NAME' ? `topology name '${name}'` : k === 'LAB_DESCRIPTION' ? 'a note on the canvas' : 'lab metadata: not needed here', v.line, 'lab.conf');
  const desc = lab.meta.get('LAB_DESCRIPTION');
  if (desc) b.annotations.push({ text: desc.value.slice(0, 4096), position: { x: 320, y: 0 } });
  if (r.refusedAny) return { report: sortReport(r.items), outcome: 'invalid' };
  return { topology: b.build(name), report: sortReport(r.items), outcome: outcomeOf(r.items, true) };
}

/** ethN of each `dev[N]` on its collision domain's bridge */
function interfaces(dev: KDevice, ns: string, b: LabBuilder, cds: Map<string, string>, nsNames: Set<string>): void {
  const r = b.report;
  for (const f of dev.ifaces) {
    let br = cds.get(f.cd);
    if (!br) {
      br = b.hostIfName(f.cd, nsNames);
      b.bridge(br);
      cds.set(f.cd, br);
      r.mapped(`collision domain ${f.cd}`, br === f.cd ? `bridge ${br} (no address)` : `bridge ${br} (no address): '${f.cd}' is not a free interface name of at most 15 bytes`, f.line, 'lab.conf');
    }
    const name = `eth${f.n}`;
    if (name.length > 15) { r.refused(`${dev.name}[${f.n}]`, `interface ${name} is longer than 15 bytes`, f.line, 'lab.conf'); continue; }
    const err = b.addLink({ node: ns, name, ...(f.mac ? { mac: f.mac } : {}) }, { node: br, name: b.hostIfName(`${ns}-${name}`) });
    if (err) { r.refused(`${dev.name}[${f.n}]`, err, f.line, 'lab.conf'); continue; }
    r.mapped(`${dev.name}[${f.n}]`, `${ns}/${name} on bridge ${br}${f.mac ? `, MAC ${f.mac}` : ''}`, f.line, 'lab.conf');
  }
}

/** device options; returns whether the image note was said */
function options(dev: KDevice, ns: string, b: LabBuilder, imageSaid: boolean, bridged: string[]): boolean {
  const r = b.report;
  for (const o of dev.options) {
    const what = `${dev.name}[${o.key}]`;
    if (o.key === 'image') {
      if (!imageSaid) r.mapped(what, "container images are not used: namespaces share the host's filesystem and programs (said once for the lab)", o.line, 'lab.conf');
      imageSaid = true;
    } else if (o.key in NO_EFFECT) r.mapped(what, `${NO_EFFECT[o.key]}: no effect on the network, ignored`, o.line, 'lab.conf');
    else if (o.key === 'ipv6') r.mapped(what, `IPv6 ${/^(true|1|yes)$/i.test(o.value) ? 'on' : 'off'} in ${ns} (Kathará's IPv6 sysctls)`, o.line, 'lab.conf');
    else if (o.key === 'bridged') {
      if (/^(true|1|yes)$/i.test(o.value)) { bridged.push(ns); r.mapped(what, `the host's internet: ${ns} on bridge ${BRIDGED.bridge}, masqueraded`, o.line, 'lab.conf'); }
    } else if (o.key === 'sysctl') sysctlOption(o.value, what, ns, b, o.line);
    else if (o.key === 'exec') b.applyLine(ns, o.value, { file: 'lab.conf', line: o.line, construct: what });
    else r.reported(what, `option ${o.key} is a container setting netns-lab does not reproduce: not imported`, o.line, 'lab.conf');
  }
  return imageSaid;
}

function sysctlOption(value: string, what: string, ns: string, b: LabBuilder, line: number): void {
  const [k, v] = [value.slice(0, value.indexOf('=')), value.slice(value.indexOf('=') + 1)];
  const val = /^-?\d+$/.test(v) ? Number(v) : v;
  if (value.includes('=') && SysctlKey.safeParse(k).success && SysctlValue.safeParse(val).success) {
    (b.namespace(ns).sysctls ??= {})[k] = val;
    b.report.mapped(what, `sysctl ${k}=${val} in ${ns}`, line, 'lab.conf');
  } else b.report.reported(what, `'${value}' is not a network sysctl netns-lab sets: not imported`, line, 'lab.conf');
}

/** Kathará's sysctls, before the start-up lines (which may change them) */
function defaults(dev: KDevice, ns: string, b: LabBuilder, files: Record<string, string>): void {
  const n = b.namespace(ns);
  const v6opt = dev.options.find((o) => o.key === 'ipv6');
  const script = `${files['shared.startup'] ?? ''}\n${files[`${dev.name}.startup`] ?? ''}`;
  const v6 = v6opt ? /^(true|1|yes)$/i.test(v6opt.value) : /\b(inet6|ip\s+-6|[0-9a-f]*:[0-9a-f:]*:[0-9a-f]*\/\d+)/i.test(script);
  n.sysctls = { ...KATHARA_SYSCTLS, ...(v6 ? KATHARA_IPV6_ON : KATHARA_IPV6_OFF), ...n.sysctls };
}

/** shared.startup, then DEV.startup, line by line (a script with shell blocks stays whole) */
function startup(ns: string, dev: string, b: LabBuilder, files: Record<string, string>): void {
  for (const file of ['shared.startup', `${dev}.startup`]) {
    const text = files[file];
    if (text === undefined) continue;
    if (BLOCK.test(text)) {
      const body = text.replace(/^#!.*\n/, '').trim();
      b.exec(ns, { command: body, user: 'root' });
      b.report.mapped(file, `has shell blocks (if/for/…, continued lines or here-documents): kept whole as one exec entry run as root in ${ns}, once you approve its text`, 1, file);
      continue;
    }
    text.split('\n').forEach((line, i) => b.applyLine(ns, line, { file, line: i + 1, construct: `${file === 'shared.startup' ? `${dev}: ` : ''}${line.trim().slice(0, 60)}` }));
  }
}

function bridgedNet(devices: string[], b: LabBuilder): void {
  const subnet = parseCidr(BRIDGED.subnet)!;
  const gw = formatIP(4, network(subnet) + 1n);
  const br = b.bridge(b.hostIfName(BRIDGED.bridge));
  br.addresses = [`${gw}/${subnet.prefix}`];
  b.host.uplink = 'auto';
  b.host.masquerade = [BRIDGED.subnet];
  devices.forEach((ns, i) => {
    const used = [...b.links].flatMap((l) => [l.a, l.b]).filter((e) => e.node === ns).map((e) => Number(/^eth(\d+)$/.exec(e.name)?.[1] ?? -1));
    const name = `eth${Math.max(-1, ...used) + 1}`;
    b.addLink({ node: ns, name, addresses: [`${formatIP(4, network(subnet) + 2n + BigInt(i))}/${subnet.prefix}`] }, { node: br.name, name: b.hostIfName(`${ns}-br`) });
    const n = b.namespace(ns);
    if (!n.routes?.some((x) => x.to === 'default')) (n.routes ??= []).push({ to: 'default', via: gw });
    n.internet = true;
  });
  b.report.mapped('bridged', `${devices.join(', ')}: an extra interface on bridge ${br.name} (${BRIDGED.subnet}, gateway ${gw}), a default route there unless the device sets one, masquerade out of the host's uplink`, undefined, 'lab.conf');
}

/** the files Kathará would copy into devices, and the shutdown scripts: reported, never copied */
function files(input: KatharaInput, devices: Map<string, KDevice>, r: Reporter): void {
  for (const f of Object.keys(input.files)) {
    if (f.endsWith('.shutdown')) r.reported(f, 'runs when the lab stops: not imported', undefined, f);
    if (f.endsWith('.startup') && f !== 'shared.startup' && !devices.has(f.slice(0, -'.startup'.length))) r.reported(f, 'start-up file of a device that lab.conf does not name: not imported', undefined, f);
  }
  for (const p of input.paths ?? []) {
    const [top, ...rest] = p.split('/');
    if (!rest.length || top === undefined) continue;
    if (top === 'shared') { r.reported(p, 'Kathará mounts shared/ at /shared in every device: not reproduced', undefined, p); continue; }
    if (!devices.has(top)) continue;
    const target = `/${rest.join('/')}`;
    r.reported(p, target.startsWith('/etc/')
      ? `would overwrite the host's ${target} (namespaces share the host's files): never copied`
      : `would be copied to ${target} in ${top}; namespaces share the host's files: not copied`, undefined, p);
  }
}
