/**
 * What an iptables chain (as iptables-save printed it, read by observe) does with one packet:
 * the path walk asks the host's filter FORWARD (a drop) and nat POSTROUTING (a masquerade).
 * Only matches it can decide are decided: source, destination, in and out interface (with
 * iptables' "+" wildcard), protocol, connection state (conntrack --ctstate, state --state); a
 * rule with any other match (physdev, marks, a negation) "may" match. So a drop is reported only when it is certain, and an accept or a
 * masquerade that may apply counts as one. Pure.
 */
import { contains, parseCidr, parseIP } from '../model/ip.js';
import type { FwTable } from '../observe/observe.js';

export interface FwPacket {
  src: string;
  dst: string;
  /** the interfaces iptables sees (for bridged traffic with bridge netfilter: the bridge) */
  in?: string;
  out?: string;
  /** icmp, tcp, udp; undefined: a rule with -p may match */
  proto?: string;
  /** the connection's state: the first packet of a flow is new, its answers established; undefined: a state match may match */
  state?: 'new' | 'established';
}

/** accept, drop, nat (MASQUERADE or SNAT), unknown (a rule that may match decided it), none (a user chain ran out) */
export type FwVerdict = 'accept' | 'drop' | 'nat' | 'unknown' | 'none';

export interface FwDecision {
  verdict: FwVerdict;
  /** the rule that decided ("-A FORWARD -s ... -j DROP"), or the chain's policy ("policy DROP") */
  by: string;
}

type Match = 'yes' | 'no' | 'maybe';
const TERMINAL: Record<string, FwVerdict> = { ACCEPT: 'accept', DROP: 'drop', REJECT: 'drop', MASQUERADE: 'nat', SNAT: 'nat' };
const MAX_DEPTH = 16;

/** the words of a saved rule ("-m comment --comment \"a b\"" keeps "a b" as one word) */
function words(rule: string): string[] {
  return [...rule.matchAll(/"((?:[^"\\]|\\.)*)"|(\S+)/g)].map((m) => m[1] ?? m[2]!);
}

const ifaceMatches = (pattern: string, name: string | undefined) =>
  name === undefined ? 'maybe' : (pattern.endsWith('+') ? name.startsWith(pattern.slice(0, -1)) : name === pattern) ? 'yes' : 'no';

function addrMatches(cidr: string, addr: string): Match {
  const c = parseCidr(cidr.includes('/') ? cidr : `${cidr}/32`);
  const ip = parseIP(addr);
  if (!c || !ip) return 'maybe';
  return c.family === ip.family && contains(c, ip) ? 'yes' : 'no';
}

function stateMatches(list: string, state: FwPacket['state']): Match {
  if (!state) return 'maybe';
  return list.split(',').includes(state === 'new' ? 'NEW' : 'ESTABLISHED') ? 'yes' : 'no';
}

/** does the rule's match part apply to the packet, and where does it jump */
export function ruleMatch(rule: string, p: FwPacket): { match: Match; target: string | undefined } {
  const w = words(rule);
  let match: Match = 'yes';
  let target: string | undefined;
  const and = (m: Match) => { if (m === 'no' || match === 'no') match = 'no'; else if (m === 'maybe') match = 'maybe'; };
  for (let i = 0; i < w.length; i++) {
    const x = w[i]!;
    const v = w[i + 1];
    if (x === '-j' || x === '-g') { target = v; i++; continue; }
    if (x === '-m' && (v === 'comment' || v === 'conntrack' || v === 'state')) { i++; continue; }
    if (x === '--comment') { i++; continue; }
    if ((x === '--ctstate' || x === '--state') && v !== undefined) { and(stateMatches(v, p.state)); i++; continue; }
    if (x === '!') { and('maybe'); continue; }
    if (v === undefined) { and('maybe'); continue; }
    if (x === '-s') and(addrMatches(v, p.src));
    else if (x === '-d') and(addrMatches(v, p.dst));
    else if (x === '-i') and(ifaceMatches(v, p.in));
    else if (x === '-o') and(ifaceMatches(v, p.out));
    else if (x === '-p') and(v === 'all' ? 'yes' : p.proto === undefined ? 'maybe' : v === p.proto ? 'yes' : 'no');
    else { and('maybe'); continue; }
    i++;
  }
  return { match, target };
}

/** the chain's decision for the packet (a built-in chain ends in its policy) */
export function chainDecision(table: FwTable, chain: string, p: FwPacket, depth = 0): FwDecision {
  const c = table[chain];
  if (!c || depth > MAX_DEPTH) return { verdict: 'unknown', by: `chain ${chain}` };
  for (const rule of c.rules) {
    const { match, target } = ruleMatch(rule, p);
    if (match === 'no' || !target) continue;
    const by = `-A ${chain} ${rule}`;
    let d: FwDecision;
    if (target === 'RETURN') { if (match === 'yes') break; continue; }
    if (TERMINAL[target]) d = { verdict: TERMINAL[target]!, by };
    else if (table[target]) d = chainDecision(table, target, p, depth + 1);
    else continue; // LOG, MARK, DNAT, ...: the packet goes on
    if (d.verdict === 'none') continue;
    // a rule that may match: an accept (or masquerade) it may give is counted, a drop is not
    if (match === 'maybe') { if (d.verdict === 'drop') continue; return { verdict: 'unknown', by: d.by }; }
    return d;
  }
  if (c.policy && c.policy !== '-') return { verdict: c.policy === 'DROP' ? 'drop' : c.policy === 'ACCEPT' ? 'accept' : 'unknown', by: `policy ${c.policy}` };
  return { verdict: 'none', by: `chain ${chain}` };
}
