/**
 * The path walk's checks beyond routes and links (issue 18): reverse-path filtering at the
 * interface a packet arrives on, MTU between the two ends of a hop, the host's FORWARD chain
 * (routed, or bridged with bridge netfilter on), masquerade out of the host's uplink, and a
 * namespace's DNS servers. Each gives the break's sentence, or undefined when it passes.
 * Pure: on the live state observe read (with `forwarding`: rp_filter per interface, and the
 * host's bridge-nf-call-iptables and rp_filter).
 */
import { contains, parseCidr, parseIP } from '../model/ip.js';
import type { LiveLink, LiveNs, LiveState } from '../observe/observe.js';
import { BR_NF, RP_FILTER } from './doctor.js';
import { chainDecision, type FwPacket } from './fw-eval.js';

export const where = (ns: string | null) => ns ?? 'the host';

/** the rp_filter the kernel applies on an interface: the larger of `all`'s and the interface's (0 when not read) */
export function rpFilterOf(n: LiveNs, dev: string): number {
  const v = (k: string) => { const x = Number(n.sysctls[k] ?? 0); return Number.isInteger(x) ? x : 0; };
  return Math.max(v(RP_FILTER), v(`net.ipv4.conf.${dev}.rp_filter`));
}

/**
 * strict reverse-path filtering on the interface the packet arrived by, and the route back to
 * its source leaves by another: the kernel drops it (loose, 2, only needs some route back; no
 * route back at all is the return walk's break)
 */
export function rpFilterDrop(n: LiveNs, inDev: string, src: string, backDev: string | undefined, answers: boolean): string | undefined {
  if (rpFilterOf(n, inDev) !== 1 || backDev === undefined || backDev === inDev) return undefined;
  return `${where(n.name)} drops ${answers ? 'answers' : 'packets'} from ${src} arriving on ${inDev}: rp_filter is strict and its route back leaves by ${backDev}`;
}

export interface MtuEnds { from: { ns: string | null; dev: string; mtu: number }; to: { ns: string | null; dev: string; mtu: number } }

/**
 * a hop whose sending end has a larger MTU than the receiving end: frames between the two sizes
 * are dropped where they arrive. With a probe size (ICMP payload bytes): only when it is too big.
 */
export function mtuDrop(from: { ns: string | null; link: LiveLink }, to: { ns: string | null; link: LiveLink }, origin: string, back: boolean, size?: number): { ends: MtuEnds; message: string; certain: boolean } | undefined {
  const a = from.link.mtu;
  const b = to.link.mtu;
  if (!(a > 0 && b > 0 && a > b)) return undefined;
  const packet = size === undefined ? undefined : size + 28;
  if (packet !== undefined && packet <= b) return undefined;
  const noun = back ? 'answers' : 'packets';
  const what = packet === undefined ? `${noun} larger than ${b} bytes` : `${noun} of ${packet} bytes`;
  return {
    ends: { from: { ns: from.ns, dev: from.link.name, mtu: a }, to: { ns: to.ns, dev: to.link.name, mtu: b } },
    message: `the MTU of ${from.link.name} in ${where(from.ns)} (${a}) is larger than that of ${to.link.name} in ${where(to.ns)} (${b}): ${what} ${back ? 'to' : 'from'} ${origin} are lost at ${where(to.ns)}`,
    certain: packet !== undefined,
  };
}

/** the host's filter FORWARD drops the packet for certain (a DROP policy or rule that surely applies) */
export function forwardDrop(live: LiveState, p: FwPacket, bridged: boolean): string | undefined {
  const filter = live.firewall?.filter;
  if (!filter?.FORWARD) return undefined;
  const d = chainDecision(filter, 'FORWARD', p);
  if (d.verdict !== 'drop') return undefined;
  return `the host's FORWARD chain drops ${p.src} → ${p.dst} (${d.by}${bridged ? '; bridge netfilter is on' : ''})`;
}

/** the host bridge a namespace's interface is a port of (through its veth peer), when bridge netfilter sends bridged frames through FORWARD */
export function hostBridgeWithNetfilter(live: LiveState, ns: string | null, dev: LiveLink): string | undefined {
  if (ns === null || dev.peer?.ns !== null || live.host.sysctls[BR_NF] !== '1') return undefined;
  const port = live.host.links.find((l) => l.name === dev.peer!.name);
  const bridge = port?.master ? live.host.links.find((l) => l.name === port.master && l.kind === 'bridge') : undefined;
  return bridge?.name;
}

const PRIVATE = ['10.0.0.0/8', '172.16.0.0/12', '192.168.0.0/16', '100.64.0.0/10'].map((c) => parseCidr(c)!);

/**
 * a private source leaving the host through an interface that is not the lab's (its uplink)
 * without a MASQUERADE or SNAT in nat POSTROUTING that may apply: answers cannot come back
 */
export function masqueradeMissing(live: LiveState, src: string, dst: string, out: string): string | undefined {
  const ip = parseIP(src);
  const nat = live.firewall?.nat;
  if (!ip || ip.family !== 4 || !nat || !PRIVATE.some((c) => contains(c, ip))) return undefined;
  const d = nat.POSTROUTING ? chainDecision(nat, 'POSTROUTING', { src, dst, out }) : { verdict: 'accept' };
  if (d.verdict === 'nat' || d.verdict === 'unknown') return undefined;
  return `the host sends packets from ${src} to ${dst} out of ${out} without masquerade: answers to a private address cannot come back`;
}

/** the nameservers of a resolv.conf */
export function nameservers(conf: string | null | undefined): string[] {
  return (conf ?? '').split('\n').map((x) => /^\s*nameserver\s+(\S+)/.exec(x)?.[1]).filter((x): x is string => !!x);
}

/**
 * a namespace's resolver: its /etc/netns/NAME/resolv.conf, else (as `ip netns exec` does) the
 * host's /etc/resolv.conf; the sentence when it has no server, or only the loopback's
 */
export function dnsServers(live: LiveState, n: LiveNs): { servers: string[]; file: string; problem?: string } {
  const own = n.name !== null && typeof n.resolvConf === 'string';
  const file = own ? `/etc/netns/${n.name}/resolv.conf` : n.name === null ? "the host's /etc/resolv.conf" : `the host's /etc/resolv.conf (${n.name} has no /etc/netns/${n.name}/resolv.conf)`;
  const servers = nameservers(own ? n.resolvConf : live.hostDns.resolvConf);
  if (!servers.length) return { servers, file, problem: `${where(n.name)} has no DNS server: ${file} names none` };
  const loop = servers.filter((s) => /^127\.|^::1$/.test(s));
  if (n.name !== null && loop.length === servers.length) {
    return { servers, file, problem: `${n.name} asks ${loop.join(', ')} for names (${file}): a resolver on the host's loopback, which the namespace's own loopback does not have` };
  }
  return { servers: servers.filter((s) => !loop.includes(s)), file };
}
