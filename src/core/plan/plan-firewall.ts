/**
 * The planner of the firewall and forwarding: the topology's own chains (FORWARD acceptance of
 * its subnets, masquerade out of the uplink) with one jump each, and its use of ip_forward
 * (recorded in a state chain, so the last user restores the old value).
 */
import type { Diagnostic } from '../model/diagnostics.js';
import { parseCidr, subnetOf } from '../model/ip.js';
import type { Topology } from '../model/model.js';
import { STATE_CHAIN, forwardChain, natChain, ownerTag } from '../model/names.js';
import type { LiveState } from '../observe/observe.js';
import type { PlanCtx } from './plan-context.js';
import { fwRuleSaveText, jumpSaveText } from './render.js';
import { Phase, type FwRule } from './steps.js';
import { buildIndex } from '../model/topo-index.js';

export const UPLINK_AUTO_ERROR = 'no-uplink';

function resolveUplink(t: Topology, live: LiveState): { uplink?: string; error?: Diagnostic } {
  const u = t.host?.uplink;
  if (!u) return {};
  if (u !== 'auto') {
    if (!live.host.links.some((l) => l.name === u)) {
      return { error: { severity: 'error', code: 'uplink-missing', message: `uplink '${u}' does not exist on the host`, path: ['host', 'uplink'] } };
    }
    return { uplink: u };
  }
  const defaults = live.host.routes.filter((r) => r.family === 4 && r.to === 'default' && r.dev)
    .sort((a, b) => (a.metric ?? 0) - (b.metric ?? 0));
  if (!defaults.length) {
    return { error: { severity: 'error', code: UPLINK_AUTO_ERROR, message: 'uplink is "auto" but the host has no IPv4 default route to take the interface from', path: ['host', 'uplink'] } };
  }
  return { uplink: defaults[0]!.dev! };
}

export function firewallRules(t: Topology, uplink: string | undefined): { filter: FwRule[]; nat: FwRule[] } {
  const comment = ownerTag(t.name);
  const idx = buildIndex(t);
  const touchesHost = (idx.ifacesByScope.get(null) ?? []).length > 0;
  const subnets = [...new Set(idx.ifaces.flatMap((f) => f.addresses.map((a) => parseCidr(a)!))
    .filter((c) => c.family === 4).map((c) => subnetOf(c)))].sort();
  const filter: FwRule[] = touchesHost ? subnets.flatMap((s): FwRule[] => [
    { src: s, comment, target: 'ACCEPT' },
    { dst: s, established: true, comment, target: 'ACCEPT' },
  ]) : [];
  const nat: FwRule[] = uplink ? (t.host?.masquerade ?? []).map((m) => ({ src: subnetOf(parseCidr(m)!), out: uplink, comment, target: 'MASQUERADE' as const })) : [];
  return { filter, nat };
}

export function wantsIpForward(t: Topology): boolean {
  return t.host?.ipForward ?? (t.host?.masquerade?.length ?? 0) > 0;
}

export const USES_FORWARD_PREFIX = 'netns-lab:uses_ip_forward=';
export const WAS_FORWARD_PREFIX = 'netns-lab:ip_forward_was=';
export function stateComments(rules: string[]): { was?: string; users: string[] } {
  let was: string | undefined;
  const users: string[] = [];
  for (const r of rules) {
    const m = /--comment "?([^" ]+)"?/.exec(r);
    if (!m) continue;
    if (m[1]!.startsWith(WAS_FORWARD_PREFIX)) was = m[1]!.slice(WAS_FORWARD_PREFIX.length);
    if (m[1]!.startsWith(USES_FORWARD_PREFIX)) users.push(m[1]!.slice(USES_FORWARD_PREFIX.length));
  }
  return { was, users };
}

/** phase 4: the topology's chains and their jumps, then ip_forward */
export function planFirewall(c: PlanCtx): void {
  const { t, T, tag, live, errors, objects, add } = c;
  const up = resolveUplink(t, live);
  if (up.error) errors.push(up.error);
  const rules = firewallRules(t, up.uplink);
  const fw = live.firewall ?? { filter: {}, nat: {} };
  const chains = [
    { table: 'filter' as const, chain: forwardChain(T), from: 'FORWARD' as const, rules: rules.filter },
    { table: 'nat' as const, chain: natChain(T), from: 'POSTROUTING' as const, rules: rules.nat },
  ];
  for (const c of chains) {
    const liveChain = fw[c.table][c.chain];
    const jumpText = jumpSaveText(tag, c.chain);
    const hasJump = (fw[c.table][c.from]?.rules ?? []).includes(jumpText);
    const name = `${c.table}/${c.chain}`;
    if (c.rules.length) {
      const want = c.rules.map(fwRuleSaveText);
      const same = liveChain && liveChain.rules.length === want.length && liveChain.rules.every((r, i) => r === want[i]);
      if (!same) add(Phase.Firewall, { op: 'fw-chain', table: c.table, chain: c.chain, rules: c.rules });
      if (!hasJump) add(Phase.Firewall, { op: 'fw-jump', table: c.table, from: c.from, chain: c.chain, comment: tag, action: 'add' });
      objects.push({ kind: 'firewall', scope: null, name, state: same && hasJump ? 'in-sync' : liveChain ? 'drifted' : 'missing' });
    } else if (liveChain || hasJump) {
      if (hasJump) add(Phase.Firewall, { op: 'fw-jump', table: c.table, from: c.from, chain: c.chain, comment: tag, action: 'del' });
      if (liveChain) add(Phase.Firewall, { op: 'fw-chain-del', table: c.table, chain: c.chain });
      objects.push({ kind: 'firewall', scope: null, name, state: 'extra' });
    }
  }
  const state = stateComments(fw.filter[STATE_CHAIN]?.rules ?? []);
  const using = state.users.includes(T);
  const fwd = live.host.sysctls['net.ipv4.ip_forward'];
  if (wantsIpForward(t)) {
    if (!using || fwd !== '1') add(Phase.Firewall, { op: 'ip-forward', topology: T, enable: true });
    objects.push({ kind: 'ip-forward', scope: null, name: 'net.ipv4.ip_forward', state: using && fwd === '1' ? 'in-sync' : using ? 'drifted' : 'missing' });
  } else if (using) {
    const last = state.users.every((u) => u === T);
    add(Phase.Firewall, { op: 'ip-forward', topology: T, enable: false, ...(last && (state.was === '0' || state.was === '1') ? { restore: state.was } : {}) });
    objects.push({ kind: 'ip-forward', scope: null, name: 'net.ipv4.ip_forward', state: 'extra' });
  }
}
