/**
 * Rendering: Step -> argv (the contract tests deep-equal), Step groups -> `ip -batch` lines and
 * iptables-restore input, Step[] -> a readable bash script in the article's style.
 */
import { qdiscWords } from '../model/impair.js';
import { NSNAME_PATTERN } from '../model/names.js';
import { isWorkloadStep, workloadScriptLines, workloadSummary } from './render-workloads.js';
import { Phase, executorKey, type FwRule, type PlannedStep, type Step } from './steps.js';

/** every word we ever render must match this (names and addresses are validated before) */
const SAFE_WORD = /^[A-Za-z0-9_.:/@,=+%-]+$/;

export class RenderError extends Error {}

function check(words: string[]): string[] {
  for (const w of words) {
    if (!SAFE_WORD.test(w)) throw new RenderError(`refusing to render unsafe word ${JSON.stringify(w)}`);
  }
  return words;
}

/** words taken from a step (names, addresses, comments): safe, and never read as an option */
function checkValues(words: (string | undefined)[]): string[] {
  const ws = words.filter((w): w is string => w !== undefined);
  for (const w of check(ws)) {
    if (w.startsWith('-')) throw new RenderError(`refusing to render ${JSON.stringify(w)}: it would read as an option`);
  }
  return ws;
}

const NS_NAME = new RegExp(NSNAME_PATTERN);
/** a namespace name is also a file name under /run/netns and /etc/netns */
function nsWord(ns: string): string {
  if (!NS_NAME.test(ns)) throw new RenderError(`refusing to render unsafe namespace name ${JSON.stringify(ns)}`);
  return ns;
}

export const NETNS_DIR = '/run/netns';
export const ETC_NETNS = '/etc/netns';

function routeWords(s: Extract<Step, { op: 'route-add' | 'route-del' }>): string[] {
  const to = s.to === 'default' ? (s.family === 6 ? '::/0' : '0.0.0.0/0') : s.to;
  // "replace" creates the route or changes the existing one to the same destination in place;
  // in the host only when the planner found that one to be ours (host-routes.ts): a new host
  // route is "add", which the kernel refuses rather than overwrite a route someone else holds
  const verb = s.op === 'route-del' ? 'del' : s.ns !== null || s.replace ? 'replace' : 'add';
  const w = ['route', verb, to];
  if (s.via) w.push('via', s.via);
  if (s.dev) w.push('dev', s.dev);
  if (s.metric !== undefined) w.push('metric', String(s.metric));
  if (s.op === 'route-add') w.push('proto', 'static');
  return w;
}

/** the `ip` commands of a step, each without `ip` and without `-n NS` (one line of a batch each) */
export function ipLines(s: Step): string[][] | undefined {
  if (s.op === 'netns-add') {
    // an nsid in the host for every namespace we make: `ip monitor all-nsid` then sees its events
    return [checkValues(['netns', 'add', nsWord(s.name)]), checkValues(['netns', 'set', nsWord(s.name), 'auto'])];
  }
  if (s.op === 'addr-change') {
    return [
      checkValues(['addr', 'del', s.from, 'dev', s.dev]),
      checkValues(['addr', 'add', s.to, 'dev', s.dev, ...(s.to.includes(':') ? ['nodad'] : [])]),
      ...(s.restore ?? []).map((r) => checkValues(routeWords({ op: 'route-add', ns: s.ns, ...r }))),
    ];
  }
  const w = ipWords(s);
  return w ? [w] : undefined;
}

/** the words of a single-command `ip` step, without `ip` and without `-n NS` */
export function ipWords(s: Step): string[] | undefined {
  switch (s.op) {
    case 'netns-add': return undefined; // two lines: see ipLines
    case 'netns-del': return checkValues(['netns', 'del', nsWord(s.name)]);
    case 'bridge-add': return checkValues(['link', 'add', 'name', s.name, ...(s.ns ? ['netns', nsWord(s.ns)] : []), 'type', 'bridge']);
    case 'veth-add':
      return checkValues(['link', 'add', 'name', s.a.name, ...(s.a.ns ? ['netns', nsWord(s.a.ns)] : []), ...(s.a.mac ? ['address', s.a.mac] : []), 'type', 'veth',
        'peer', 'name', s.b.name, ...(s.b.ns ? ['netns', nsWord(s.b.ns)] : []), ...(s.b.mac ? ['address', s.b.mac] : [])]);
    case 'vxlan-add':
      return checkValues(['link', 'add', 'name', s.name, ...(s.ns ? ['netns', nsWord(s.ns)] : []), 'type', 'vxlan', 'id', String(s.vni),
        'local', s.local, 'remote', s.remote, 'dstport', String(s.port), ...(s.dev ? ['dev', s.dev] : [])]);
    case 'macvlan-add':
      return checkValues(['link', 'add', 'link', s.parent, 'name', s.name, ...(s.ns ? ['netns', nsWord(s.ns)] : []), 'type', 'macvlan', 'mode', 'bridge']);
    case 'phys-attach': return checkValues(['link', 'set', 'dev', s.dev, 'master', s.master, 'up']);
    case 'phys-detach': return checkValues(['link', 'set', 'dev', s.dev, 'nomaster']);
    case 'link-del': return checkValues(['link', 'del', 'dev', s.name]);
    case 'link-set': {
      const w = ['link', 'set', 'dev', s.name];
      if (s.master === null) w.push('nomaster');
      else if (s.master !== undefined) w.push('master', s.master);
      if (s.mtu !== undefined) w.push('mtu', String(s.mtu));
      if (s.mac !== undefined) w.push('address', s.mac);
      if (s.up !== undefined) w.push(s.up ? 'up' : 'down');
      if (s.alias !== undefined) w.push('alias', s.alias);
      return checkValues(w);
    }
    case 'addr-add': return checkValues(['addr', 'add', s.cidr, 'dev', s.dev, ...(s.cidr.includes(':') ? ['nodad'] : [])]);
    case 'addr-del': return checkValues(['addr', 'del', s.cidr, 'dev', s.dev]);
    case 'addr-change': return undefined;
    case 'route-add':
    case 'route-del': return checkValues(routeWords(s));
    default: return undefined;
  }
}

/** the scope an ip step runs in: root-batch steps always run in the host */
export function ipScope(s: Step): string | null {
  const k = executorKey(s);
  return k === 'ip:' ? null : k.slice(3);
}

export function fwRuleWords(r: FwRule): string[] {
  checkValues([r.src, r.dst, r.out, r.comment, r.target]);
  const w: string[] = [];
  if (r.src) w.push('-s', r.src);
  if (r.dst) w.push('-d', r.dst);
  if (r.out) w.push('-o', r.out);
  if (r.established) w.push('-m', 'conntrack', '--ctstate', 'RELATED,ESTABLISHED');
  w.push('-m', 'comment', '--comment', r.comment, '-j', r.target);
  return check(w);
}

/** a rule as iptables-save prints it (after "-A CHAIN "): comments are quoted */
export function fwRuleSaveText(r: FwRule): string {
  const w = fwRuleWords(r);
  const i = w.indexOf('--comment');
  w[i + 1] = `"${w[i + 1]}"`;
  return w.join(' ');
}

export function jumpWords(s: Extract<Step, { op: 'fw-jump' }>): string[] {
  checkValues([s.comment, s.chain]);
  return check(['-m', 'comment', '--comment', s.comment, '-j', s.chain]);
}
export function jumpSaveText(comment: string, chain: string): string {
  return `-m comment --comment "${comment}" -j ${chain}`;
}

/** iptables-restore --noflush lines for one table's steps (comment arguments unquoted: no spaces) */
export function restoreLines(table: 'filter' | 'nat', steps: Step[]): string[] {
  const out = [`*${table}`];
  for (const s of steps) {
    if (s.op === 'fw-chain') {
      out.push(`:${s.chain} - [0:0]`); // declaring a chain creates it, or flushes it when it exists
      for (const r of s.rules) out.push(['-A', s.chain, ...fwRuleWords(r)].join(' '));
    } else if (s.op === 'fw-chain-del') {
      out.push(`-F ${s.chain}`, `-X ${s.chain}`);
    } else if (s.op === 'fw-jump') {
      out.push(s.action === 'add' ? ['-I', s.from, '1', ...jumpWords(s)].join(' ') : ['-D', s.from, ...jumpWords(s)].join(' '));
    }
  }
  out.push('COMMIT');
  return out;
}

/** the words of a tc step, without `tc` and without `-n NS` (one line of a `tc -b` batch) */
export function tcWords(s: Step): string[] | undefined {
  if (s.op === 'qdisc-set') return checkValues(qdiscWords(s.dev, s.impair, s.burst));
  if (s.op === 'qdisc-del') return checkValues(['qdisc', 'del', 'dev', s.dev, 'root']);
  return undefined;
}

/** the namespace a tc step runs in (null = host) */
export function tcScope(s: Step): string | null {
  return 'ns' in s && typeof s.ns === 'string' ? s.ns : null;
}

/** argv that runs `argv` inside a namespace's network stack (host: as is) */
export function inNetns(ns: string | null, argv: string[]): string[] {
  return ns === null ? argv : ['nsenter', `--net=${NETNS_DIR}/${nsWord(ns)}`, '--', ...argv];
}

export function sysctlArgv(ns: string | null, pairs: { key: string; value: string }[]): string[] {
  return inNetns(ns, ['sysctl', '-q', '-w', ...pairs.map((p) => `${p.key}=${p.value}`)]);
}

/** a sysctl value as the file format allows it: letters, digits, spaces and . : _ - */
const SYSCTL_VALUE = /^[A-Za-z0-9 .:_-]{1,64}$/;
function sysctlValue(v: string): string {
  if (!SYSCTL_VALUE.test(v)) throw new RenderError(`refusing to render sysctl value ${JSON.stringify(v)}`);
  return v;
}

/** every command of a step as standalone argv (what a person would type); undefined for file steps */
export function renderCommands(s: Step): string[][] | undefined {
  const lines = ipLines(s);
  if (lines) {
    const scope = ipScope(s);
    return lines.map((ip) => (scope === null ? ['ip', ...ip] : ['ip', '-n', nsWord(scope), ...ip]));
  }
  const one = renderArgv(s);
  return one ? [one] : undefined;
}

/** the standalone argv of a single-command step; undefined for file steps and addr-change */
export function renderArgv(s: Step): string[] | undefined {
  const ip = ipWords(s);
  if (ip) {
    const scope = ipScope(s);
    return scope === null ? ['ip', ...ip] : ['ip', '-n', nsWord(scope), ...ip];
  }
  const tc = tcWords(s);
  if (tc) {
    const scope = tcScope(s);
    return scope === null ? ['tc', ...tc] : ['tc', '-n', nsWord(scope), ...tc];
  }
  switch (s.op) {
    // the value is part of one argv word and may hold spaces ("0 2147483647"): checked on its own
    case 'sysctl': return sysctlArgv(s.ns, [{ key: checkValues([s.key])[0]!, value: sysctlValue(s.value) }]);
    case 'fw-chain': return ['iptables', '-t', s.table, '-N', ...checkValues([s.chain])];
    case 'fw-chain-del': return ['iptables', '-t', s.table, '-X', ...checkValues([s.chain])];
    case 'fw-jump':
      return ['iptables', '-t', s.table, ...(s.action === 'add' ? ['-I', s.from, '1'] : ['-D', s.from]), ...jumpWords(s)];
    case 'ip-forward':
      return ['sysctl', '-w', `net.ipv4.ip_forward=${s.enable ? '1' : s.restore ?? '0'}`];
    default: return undefined;
  }
}

/** quote a word for bash, only when needed */
export function shQuote(w: string): string {
  return /^[A-Za-z0-9_.:/@,=+%-]+$/.test(w) ? w : `'${w.replace(/'/g, `'\\''`)}'`;
}

/** one human line per step (used in progress and plan listings) */
export function summarize(s: Step): string {
  switch (s.op) {
    case 'dns-write': return `write ${ETC_NETNS}/${s.ns}/resolv.conf`;
    case 'dns-remove': return `remove ${ETC_NETNS}/${s.ns}/resolv.conf`;
    case 'fw-chain': return `iptables -t ${s.table}: chain ${s.chain} with ${s.rules.length} rule(s)`;
    case 'exec-run':
    case 'service-start':
    case 'service-restart':
    case 'service-stop': return workloadSummary(s);
    case 'ip-forward': return s.enable ? 'host: net.ipv4.ip_forward=1 (old value recorded)' : `host: release net.ipv4.ip_forward${s.restore ? ` (restore ${s.restore})` : ''}`;
    default: return renderCommands(s)!.map((c) => c.map(shQuote).join(' ')).join(' && ');
  }
}

const PHASE_TITLES: Record<Phase, string> = {
  [Phase.Teardown]: 'Remove what the topology no longer has',
  [Phase.Create]: 'Namespaces, bridges and veth pairs',
  [Phase.Configure]: 'Addresses, links up, routes, sysctls',
  [Phase.Files]: 'DNS (/etc/netns/NAME/resolv.conf)',
  [Phase.Firewall]: 'Forwarding and NAT (own chains, one jump each)',
  [Phase.Shape]: 'Link impairments (tc qdiscs: netem for delay/loss/..., tbf for a rate alone)',
  [Phase.Exec]: 'Commands run once in new namespaces (exec)',
  [Phase.Services]: 'Services',
};

/** a standalone bash script that does what the plan does, in the article's style */
export function renderScript(plan: PlannedStep[], title: string): string {
  const lines = [
    '#!/bin/bash',
    `# ${title}`,
    '# Generated by netns-lab. Run as root. Each object is tagged as owned (ifalias netns-lab:NAME)',
    '# so that `netns-lab destroy` can remove exactly what this script made.',
    'set -euo pipefail',
  ];
  let phase: Phase | undefined;
  for (const p of plan) {
    if (p.phase !== phase) {
      phase = p.phase;
      lines.push('', `# ${PHASE_TITLES[phase]}`);
    }
    const s = p.step;
    if (s.op === 'dns-write' || s.op === 'dns-remove') nsWord(s.ns);
    if (s.op === 'fw-chain' || s.op === 'fw-chain-del') checkValues([s.table, s.chain]);
    if (isWorkloadStep(s)) {
      nsWord(s.ns);
      lines.push(...workloadScriptLines(s));
    } else if (s.op === 'dns-write') {
      // a line "EOF" would end the here-document and run the rest of the content as commands
      if (s.content.split('\n').includes('EOF')) throw new RenderError('refusing to render resolv.conf content with a line "EOF"');
      lines.push(`mkdir -p ${ETC_NETNS}/${s.ns}`);
      lines.push(`cat > ${ETC_NETNS}/${s.ns}/resolv.conf <<'EOF'`, ...s.content.replace(/\n$/, '').split('\n'), 'EOF');
    } else if (s.op === 'dns-remove') {
      lines.push(`rm -f ${ETC_NETNS}/${s.ns}/resolv.conf`, `rmdir ${ETC_NETNS}/${s.ns} 2>/dev/null || true`);
    } else if (s.op === 'fw-chain') {
      lines.push(`iptables -t ${s.table} -N ${s.chain} 2>/dev/null || iptables -t ${s.table} -F ${s.chain}`);
      for (const r of s.rules) lines.push(['iptables', '-t', s.table, '-A', s.chain, ...fwRuleWords(r)].join(' '));
    } else if (s.op === 'fw-chain-del') {
      lines.push(`iptables -t ${s.table} -F ${s.chain}`, `iptables -t ${s.table} -X ${s.chain}`);
    } else if (s.op === 'qdisc-set' || s.op === 'qdisc-del') {
      // the article's way into a namespace: ip netns exec NS COMMAND
      const scope = tcScope(s);
      lines.push([...(scope === null ? [] : ['ip', 'netns', 'exec', nsWord(scope)]), 'tc', ...tcWords(s)!].map(shQuote).join(' '));
    } else if (s.op === 'ip-forward') {
      lines.push(s.enable ? 'sysctl -w net.ipv4.ip_forward=1   # (netns-lab apply also records the old value to restore on destroy; this script does not)'
        : `sysctl -w net.ipv4.ip_forward=${s.restore ?? '0'}`);
    } else {
      for (const c of renderCommands(s)!) lines.push(c.map(shQuote).join(' '));
    }
  }
  return lines.join('\n') + '\n';
}
