/**
 * The doctor: the article's "if not" causes, found in the live state, each with what is wrong,
 * why it matters, and a fix made of the same typed steps apply uses (never a policy change,
 * never a flush of a chain the tool does not own). Pure.
 */
import { contains, formatIP, parseCidr, parseIP } from '../model/ip.js';
import type { Topology } from '../model/model.js';
import { forwardChain, natChain, ownerTag } from '../model/names.js';
import type { LiveLink, LiveState } from '../observe/observe.js';
import { firewallRules, wantsIpForward, type Plan } from '../plan/plan.js';
import { fwRuleSaveText, jumpSaveText } from '../plan/render.js';
import type { Step } from '../plan/steps.js';
import { buildIndex } from '../model/topo-index.js';

export interface Finding {
  code: string;
  severity: 'error' | 'warning';
  /** what it is about: "host", "ns1", "ns1/veth1" */
  subject: string;
  message: string;
  why: string;
  fix?: { summary: string; steps: Step[] };
}

export const RP_FILTER = 'net.ipv4.conf.all.rp_filter';
export const BR_NF = 'net.bridge.bridge-nf-call-iptables';
/** sysctls the doctor reads: in the host, and in each namespace of the topology */
export const DOCTOR_HOST_SYSCTLS = [BR_NF, RP_FILTER];
export const DOCTOR_NS_SYSCTLS = ['net.ipv4.ip_forward', RP_FILTER];

const DROPS = /(^| )-j (DROP|REJECT)\b/;

/** what every check looks at */
interface Exam {
  t: Topology;
  live: LiveState;
  plan: Plan;
  idx: ReturnType<typeof buildIndex>;
  out: Finding[];
  nsOf(scope: string | null): LiveState['host'] | undefined;
  linkOf(scope: string | null, name: string): LiveLink | undefined;
  stepsOf(pred: (s: Step) => boolean): Step[];
}

export function doctor(t: Topology, live: LiveState, plan: Plan): Finding[] {
  const T = t.name;
  const applied = plan.objects.some((o) => o.state !== 'missing');
  if (!applied) return [{ code: 'not-applied', severity: 'warning', subject: T, message: `nothing of '${T}' runs on this machine`, why: 'the doctor checks a running network; apply it first' }];
  const nsOf = (scope: string | null) => (scope === null ? live.host : live.namespaces.find((n) => n.name === scope));
  const x: Exam = {
    t, live, plan, idx: buildIndex(t), out: [], nsOf,
    linkOf: (scope, name) => nsOf(scope)?.links.find((l) => l.name === name),
    stepsOf: (pred) => plan.steps.map((p) => p.step).filter(pred),
  };
  checkHostForwarding(x);
  checkFirewall(x);
  for (const ns of t.namespaces ?? []) checkNamespace(x, ns);
  checkInterfaces(x);
  return x.out;
}

function checkHostForwarding({ t, live, out }: Exam): void {
  const T = t.name;
  if (wantsIpForward(t) && live.host.sysctls['net.ipv4.ip_forward'] !== '1') {
    out.push({
      code: 'ip-forward-off', severity: 'error', subject: 'host',
      message: 'net.ipv4.ip_forward is 0 in the host',
      why: 'the host does not route between the LAN and the uplink, so nothing gets out (the article\'s first "if not")',
      fix: { summary: 'turn ip_forward on (its old value is recorded and restored on destroy)', steps: [{ op: 'ip-forward', topology: T, enable: true }] },
    });
  }

}

/** FORWARD: a DROP policy or a dropping rule ahead of our jump; masquerade */
function checkFirewall({ t, live, plan, idx, out, stepsOf }: Exam): void {
  const T = t.name;
  const fw = live.firewall;
  const rules = firewallRules(t, undefined);
  if (fw && rules.filter.length) {
    const fwdChain = fw.filter.FORWARD;
    const jump = jumpSaveText(ownerTag(T), forwardChain(T));
    const pos = fwdChain?.rules.indexOf(jump) ?? -1;
    const dropBefore = (fwdChain?.rules ?? []).slice(0, pos < 0 ? undefined : pos).some((r) => DROPS.test(r));
    const policyDrop = fwdChain?.policy === 'DROP';
    const bridged = live.host.sysctls[BR_NF] === '1' && idx.ifaces.some((f) => f.kind === 'bridge' && f.scope === null);
    const ownChain = fw.filter[forwardChain(T)];
    const chainOk = ownChain && ownChain.rules.length === rules.filter.length && ownChain.rules.every((r, i) => r === fwRuleSaveText(rules.filter[i]!));
    if ((policyDrop || dropBefore) && (pos < 0 || dropBefore || !chainOk)) {
      const steps: Step[] = [];
      if (!chainOk) steps.push({ op: 'fw-chain', table: 'filter', chain: forwardChain(T), rules: rules.filter });
      if (pos >= 0) steps.push({ op: 'fw-jump', table: 'filter', from: 'FORWARD', chain: forwardChain(T), comment: ownerTag(T), action: 'del' });
      steps.push({ op: 'fw-jump', table: 'filter', from: 'FORWARD', chain: forwardChain(T), comment: ownerTag(T), action: 'add' });
      out.push({
        code: bridged && pos < 0 ? 'br-netfilter-drop' : 'forward-drop', severity: 'error', subject: 'host',
        message: policyDrop ? 'the FORWARD chain drops by policy (as Docker sets it) and nothing accepts this topology first'
          : 'a rule in FORWARD drops packets before netns-lab\'s accept rules are reached',
        why: bridged ? `${BR_NF}=1: even traffic between namespaces on the same bridge passes FORWARD, so the LAN itself is cut` : 'routed traffic of the topology is dropped in the host',
        fix: { summary: `accept the topology's own subnets first (own chain ${forwardChain(T)} at the top of FORWARD); the policy and other rules stay as they are`, steps },
      });
    }
    // masquerade
    const up = plan.errors.find((e) => e.code === 'no-uplink' || e.code === 'uplink-missing');
    if ((t.host?.masquerade?.length ?? 0) > 0 && !up) {
      const natOk = (fw.nat[natChain(T)]?.rules.length ?? 0) > 0 && (fw.nat.POSTROUTING?.rules ?? []).includes(jumpSaveText(ownerTag(T), natChain(T)));
      if (!natOk) {
        const steps = stepsOf((s) => (s.op === 'fw-chain' || s.op === 'fw-jump') && s.table === 'nat');
        out.push({
          code: 'masquerade-missing', severity: 'error', subject: 'host',
          message: `no masquerade for ${t.host!.masquerade!.join(', ')} out of the uplink`,
          why: 'packets leave with private source addresses and replies never come back (the article\'s part two)',
          ...(steps.length ? { fix: { summary: `masquerade in own chain ${natChain(T)}`, steps } } : {}),
        });
      }
    }
  }

}

/** only what this topology owns is examined and repaired (a clash is apply's error to report) */
function checkNamespace({ t, idx, out, nsOf, stepsOf }: Exam, ns: NonNullable<Topology['namespaces']>[number]): void {
  const l = nsOf(ns.name);
  if (!l || l.owner !== t.name) return;
  // default route
  const want = (ns.routes ?? []).find((r) => r.to === 'default' && r.via && parseIP(r.via)!.family === 4);
  const have = l.routes.find((r) => r.to === 'default' && r.family === 4);
  if (want && (!have || have.via !== formatIP(4, parseIP(want.via!)!.addr))) {
    const onLink = have?.via ? l.links.some((x) => x.addresses.some((a) => contains(parseCidr(a.cidr)!, parseIP(have.via!)!))) : false;
    const isSelf = have?.via ? l.links.some((x) => x.addresses.some((a) => a.cidr.split('/')[0] === have.via)) : false;
    out.push({
      code: have ? (isSelf || !onLink ? 'gateway-off-link' : 'gateway-wrong') : 'default-route-missing', severity: 'error', subject: ns.name,
      message: have ? `${ns.name} routes via ${have.via}, the file says ${want.via}` : `${ns.name} has no default route`,
      why: have ? (isSelf ? 'the gateway is the namespace\'s own veth address; it must be the other side: the bridge' : 'packets for other networks go to the wrong neighbour')
        : 'it can only reach its own subnet',
      fix: { summary: `ip -n ${ns.name} route replace default via ${want.via}`, steps: [{ op: 'route-add', ns: ns.name, family: 4, to: 'default', via: formatIP(4, parseIP(want.via!)!.addr) }] },
    });
  }
  // DNS
  if (ns.dns) {
    const dnsStep = stepsOf((s) => s.op === 'dns-write' && s.ns === ns.name);
    const servers = (l.resolvConf ?? '').split('\n').map((x) => /^\s*nameserver\s+(\S+)/.exec(x)?.[1]).filter((x): x is string => !!x);
    const loopback = servers.filter((s) => /^127\.|^::1$/.test(s));
    if (!l.resolvConf) {
      out.push({ code: 'dns-missing', severity: 'error', subject: ns.name, message: `/etc/netns/${ns.name}/resolv.conf does not exist`, why: 'names do not resolve inside the namespace (the host\'s resolv.conf may point at a resolver it cannot reach)', ...(dnsStep.length ? { fix: { summary: 'write resolv.conf', steps: dnsStep } } : {}) });
    } else if (loopback.length) {
      out.push({ code: 'dns-loopback', severity: 'error', subject: ns.name, message: `resolv.conf of ${ns.name} names ${loopback.join(', ')}`, why: 'a stub resolver on the host\'s loopback is unreachable from a namespace: its own loopback has no resolver', ...(dnsStep.length ? { fix: { summary: 'write resolv.conf with the upstream servers', steps: dnsStep } } : {}) });
    }
  }
  // rp_filter on routers with more than one interface
  const ifs = (idx.ifacesByScope.get(ns.name) ?? []).length;
  if (String(ns.sysctls?.['net.ipv4.ip_forward'] ?? '') === '1' && ifs > 1 && l.sysctls[RP_FILTER] === '1' && !(ns.sysctls && RP_FILTER in ns.sysctls)) {
    out.push({ code: 'rp-filter', severity: 'warning', subject: ns.name, message: `${ns.name} forwards with strict reverse-path filtering (${RP_FILTER}=1)`, why: 'asymmetric paths through this router are dropped silently', fix: { summary: 'loose reverse-path filtering (2) in this namespace', steps: [{ op: 'sysctl', ns: ns.name, key: RP_FILTER, value: '2' }] } });
  }
}

/** interfaces: down, MTU mismatch, addresses that the host also has */
function checkInterfaces({ t, live, idx, out, linkOf, stepsOf }: Exam): void {
  const T = t.name;
  const hostAddrs = new Map<string, string>();
  for (const hl of live.host.links) if (!hl.owner) for (const a of hl.addresses) hostAddrs.set(a.cidr.split('/')[0]!, hl.name);
  for (const [, [a, b]] of idx.ends) {
    for (const f of [a, b]) {
      const l = linkOf(f.scope, f.name);
      if (!l || l.owner !== T) continue;
      if (!l.up && f.up) {
        out.push({ code: 'link-down', severity: 'error', subject: `${f.scope ?? 'host'}/${f.name}`, message: `${f.name} is down`, why: 'nothing passes a link that is down; the kernel also dropped the routes through it', fix: { summary: `set ${f.name} up (and restore its routes)`, steps: [{ op: 'link-set', ns: f.scope, name: f.name, up: true }, ...stepsOf((s) => s.op === 'route-add' && s.ns === f.scope)] } });
      }
    }
    const la = linkOf(a.scope, a.name);
    const lb = linkOf(b.scope, b.name);
    if (la && lb && la.owner === T && lb.owner === T && la.mtu !== lb.mtu) {
      const mtu = a.mtu ?? b.mtu ?? Math.min(la.mtu, lb.mtu);
      out.push({ code: 'mtu-mismatch', severity: 'warning', subject: `${a.name}<->${b.name}`, message: `the ends of ${a.name}<->${b.name} have MTU ${la.mtu} and ${lb.mtu}`, why: 'large packets from one side are dropped by the other: connections stall after the handshake', fix: { summary: `MTU ${mtu} on both ends`, steps: [{ op: 'link-set', ns: a.scope, name: a.name, mtu }, { op: 'link-set', ns: b.scope, name: b.name, mtu }] } });
    }
  }
  for (const f of idx.ifaces) {
    for (const a of f.addresses) {
      const ip = a.split('/')[0]!;
      const other = hostAddrs.get(formatIP(parseCidr(a)!.family, parseCidr(a)!.addr));
      if (other) out.push({ code: 'address-conflict', severity: 'error', subject: `${f.scope ?? 'host'}/${f.name}`, message: `${ip} is also the address of the host's ${other}`, why: 'two interfaces answer for one address: traffic to it goes to whichever the routing picks', });
    }
  }
}
