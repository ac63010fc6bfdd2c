/**
 * The planners of namespaces and interfaces (bridges, veth ends): which to delete, which to
 * create, and each interface's configuration in its scope (tag, MTU, master, addresses, up,
 * impairment).
 */
import { IMPAIR_KINDS, effectiveImpair, impairDetail, qdiscKind, sameImpair, tbfBurst } from '../model/impair.js';
import { canonicalCidr, canonicalIP } from '../model/ip.js';
import type { LiveLink } from '../observe/observe.js';
import type { PlanCtx } from './plan-context.js';
import { Phase, type Step } from './steps.js';
import type { IfaceInfo } from '../model/topo-index.js';

/** the namespaces: created when missing, a clash when someone else's, deleted when owned and no longer in the file */
export function planNamespaces(c: PlanCtx): void {
  const { t, T, live, liveNs, nsIndex, creatingNs, deletingNs, errors, objects } = c;
  for (const ns of t.namespaces ?? []) {
    const l = liveNs.get(ns.name);
    if (!l) {
      creatingNs.add(ns.name);
      objects.push({ kind: 'namespace', scope: ns.name, name: ns.name, state: 'missing' });
    } else if (l.owner !== T) {
      const who = l.owner ? `topology '${l.owner}'` : 'nobody (not made by netns-lab)';
      errors.push({ severity: 'error', code: 'unowned-clash', message: `namespace '${ns.name}' already exists and is owned by ${who}; rename it in the file or remove it first`, path: ['namespaces', nsIndex.get(ns.name)!, 'name'] });
      objects.push({ kind: 'namespace', scope: ns.name, name: ns.name, state: 'unowned-clash', detail: l.owner ? `owned by ${l.owner}` : 'not managed by netns-lab' });
    } else {
      objects.push({ kind: 'namespace', scope: ns.name, name: ns.name, state: 'in-sync' });
    }
  }
  for (const l of live.namespaces) {
    if (l.owner === T && !nsIndex.has(l.name!)) {
      deletingNs.add(l.name!);
      objects.push({ kind: 'namespace', scope: l.name, name: l.name!, state: 'extra' });
    }
  }
}

/** why a live link of the right name is not the object the file wants (undefined: it is) */
function kindDrift(c: PlanCtx, f: IfaceInfo, l: LiveLink): string | undefined {
  switch (f.kind) {
    case 'bridge': return l.kind === 'bridge' ? undefined : `is a ${l.kind}, not a bridge`;
    case 'veth': return l.kind === 'veth' && l.peer !== undefined && l.peer.ns === f.peer!.scope && l.peer.name === f.peer!.name ? undefined
      : `peer is ${l.peer ? `${l.peer.ns ?? 'host'}/${l.peer.name}` : 'unknown'}, want ${f.peer!.scope ?? 'host'}/${f.peer!.name}`;
    case 'vxlan': return vxlanDrift(f, l);
    case 'macvlan': return macvlanDrift(c, f, l);
  }
}

function vxlanDrift(f: IfaceInfo, l: LiveLink): string | undefined {
  const w = f.vxlan!;
  const v = l.vxlan;
  if (l.kind !== 'vxlan' || !v) return `is a ${l.kind}, not a VXLAN device`;
  // the underlay device is read back by name only in the host (in a namespace, iproute2 would
  // look its ifindex up there): compared where it can be
  const dev = (d: string | undefined) => (f.scope === null && d !== undefined ? ` dev ${d}` : '');
  const have = `vni ${v.vni} ${v.local ?? '?'} -> ${v.remote ?? '?'}:${v.port ?? '?'}${dev(v.dev ?? (w.dev !== undefined ? 'none' : undefined))}`;
  const want = `vni ${w.vni} ${canonicalIP(w.local)} -> ${canonicalIP(w.remote)}:${w.port}${dev(w.dev ?? (v.dev !== undefined ? 'none' : undefined))}`;
  return have === want ? undefined : `tunnel ${have}, want ${want}`;
}

function macvlanDrift(c: PlanCtx, f: IfaceInfo, l: LiveLink): string | undefined {
  if (l.kind !== 'macvlan') return `is a ${l.kind}, not a macvlan`;
  if (l.macvlanMode !== undefined && l.macvlanMode !== 'bridge') return `mode ${l.macvlanMode}, want bridge`;
  // a macvlan's link_index is its parent's ifindex in the host (where the parent stays)
  const parent = c.live.host.links.find((x) => x.name === f.parent);
  return parent && l.linkIndex !== undefined && l.linkIndex !== parent.ifindex ? `parent is not '${f.parent}'` : undefined;
}

/** interfaces the file has: fresh when missing, recreated when of the wrong kind, peer or tunnel; a clash when not owned */
function planExistingInterfaces(c: PlanCtx, teardown: Step[]): void {
  const { T, idx, fresh, recreate, teardownLinks, errors, objects } = c;
  for (const f of idx.ifaces) {
    const l = c.liveIf(f.scope, f.name);
    if (!l) { fresh.add(f); continue; }
    if (l.owner !== T) {
      const where = f.scope === null ? 'the host' : `namespace '${f.scope}'`;
      errors.push({ severity: 'error', code: 'unowned-clash', message: `interface '${f.name}' already exists in ${where} and is ${l.owner ? `owned by topology '${l.owner}'` : 'not managed by netns-lab'}; nothing was changed`, path: f.namePath });
      objects.push({ kind: f.kind, scope: f.scope, name: f.name, state: 'unowned-clash', detail: l.owner ? `owned by ${l.owner}` : 'not managed by netns-lab' });
      continue;
    }
    const drift = kindDrift(c, f, l);
    if (drift !== undefined) {
      recreate.add(f);
      fresh.add(f);
      const k = `${f.scope ?? ''}|${f.name}`;
      if (!teardownLinks.has(k)) {
        teardownLinks.add(k);
        if (l.peer) teardownLinks.add(`${l.peer.ns ?? ''}|${l.peer.name}`);
        teardown.push({ op: 'link-del', ns: f.scope, name: f.name });
      }
      objects.push({ kind: f.kind, scope: f.scope, name: f.name, state: 'drifted', detail: drift });
    }
  }
  // veth pairs: if one end must be (re)created, so must the other
  for (const f of [...fresh]) {
    if (f.kind !== 'veth') continue;
    const other = c.peerOf(f);
    if (!fresh.has(other)) {
      fresh.add(other);
      const l = c.liveIf(other.scope, other.name);
      if (l && l.owner === T) {
        const k = `${other.scope ?? ''}|${other.name}`;
        if (!teardownLinks.has(k)) {
          teardownLinks.add(k);
          teardown.push({ op: 'link-del', ns: other.scope, name: other.name });
        }
      }
    }
  }
}

/** owned interfaces the file no longer has (namespaces being deleted take theirs along) */
function planExtraInterfaces(c: PlanCtx, teardown: Step[]): void {
  const { T, idx, live, deletingNs, teardownLinks, goneWithNs, objects } = c;
  const desiredNames = new Set(idx.ifaces.map((f) => `${f.scope ?? ''}|${f.name}`));
  for (const n of [live.host, ...live.namespaces]) {
    if (n.name !== null && (deletingNs.has(n.name) || n.owner !== T)) continue;
    for (const l of n.links) {
      if (l.owner !== T || l.kind === 'loopback') continue;
      const k = `${n.name ?? ''}|${l.name}`;
      if (desiredNames.has(k) || teardownLinks.has(k)) continue;
      const peerGoesWithNs = l.peer && l.peer.ns !== null && deletingNs.has(l.peer.ns);
      objects.push({ kind: l.kind === 'bridge' || l.kind === 'vxlan' || l.kind === 'macvlan' ? l.kind : 'veth', scope: n.name, name: l.name, state: 'extra' });
      if (peerGoesWithNs && !desiredNames.has(k)) { goneWithNs.add(k); continue; }
      teardownLinks.add(k);
      if (l.peer) teardownLinks.add(`${l.peer.ns ?? ''}|${l.peer.name}`);
      teardown.push({ op: 'link-del', ns: n.name, name: l.name });
    }
  }
}

/** phase 0 (teardown of namespaces and links) and phase 1 (creation, one root batch) */
export function planInterfaces(c: PlanCtx): void {
  const { t, idx, add, fresh, recreate, creatingNs, deletingNs, objects } = c;
  const teardown: Step[] = [];
  planExistingInterfaces(c, teardown);
  planExtraInterfaces(c, teardown);
  for (const name of [...deletingNs].sort()) add(Phase.Teardown, { op: 'netns-del', name });
  for (const s of teardown) add(Phase.Teardown, s);
  for (const ns of t.namespaces ?? []) if (creatingNs.has(ns.name)) add(Phase.Create, { op: 'netns-add', name: ns.name });
  for (const f of idx.ifaces) {
    if (!fresh.has(f) || f.kind !== 'bridge') continue;
    add(Phase.Create, { op: 'bridge-add', ns: f.scope, name: f.name });
    if (!recreate.has(f)) objects.push({ kind: 'bridge', scope: f.scope, name: f.name, state: 'missing' });
  }
  const createdPairs = new Set<number>();
  for (const f of idx.ifaces) {
    if (!fresh.has(f) || f.kind !== 'veth' || createdPairs.has(f.linkIndex!)) continue;
    createdPairs.add(f.linkIndex!);
    const other = c.peerOf(f);
    add(Phase.Create, { op: 'veth-add', a: vethEnd(f), b: vethEnd(other) });
    if (!recreate.has(f) && !recreate.has(other)) objects.push({ kind: 'veth', scope: f.scope, name: `${f.name}<->${other.name}`, state: 'missing' });
  }
  for (const f of idx.ifaces) {
    if (!fresh.has(f) || (f.kind !== 'vxlan' && f.kind !== 'macvlan')) continue;
    if (f.kind === 'vxlan') {
      const v = f.vxlan!;
      add(Phase.Create, { op: 'vxlan-add', ns: f.scope, name: f.name, vni: v.vni, local: v.local, remote: v.remote, port: v.port, ...(v.dev ? { dev: v.dev } : {}) });
    } else add(Phase.Create, { op: 'macvlan-add', ns: f.scope, name: f.name, parent: f.parent! });
    if (!recreate.has(f)) objects.push({ kind: f.kind, scope: f.scope, name: f.name, state: 'missing' });
  }
}

/** one end of a new veth pair: where, its name, its MAC when the file sets one */
function vethEnd(f: IfaceInfo): { ns: string | null; name: string; mac?: string } {
  return { ns: f.scope, name: f.name, ...(f.mac !== undefined ? { mac: f.mac } : {}) };
}

/** a new namespace's loopback: tagged (ownership) and up; an owned one's, if an apply stopped before tagging it */
export function planLoopback(c: PlanCtx, scope: string | null): void {
  const { T, tag, add, liveNs, creatingNs } = c;
  if (scope !== null && creatingNs.has(scope)) {
    add(Phase.Configure, { op: 'link-set', ns: scope, name: 'lo', up: true, alias: tag });
  } else if (scope !== null && liveNs.get(scope)?.owner === T) {
    const lo = liveNs.get(scope)!.links.find((x) => x.kind === 'loopback');
    // an untagged loopback: the namespace was made by an apply that stopped before tagging it
    if (lo && (!lo.up || lo.alias !== tag)) {
      add(Phase.Configure, { op: 'link-set', ns: scope, name: 'lo', ...(lo.up ? {} : { up: true }), ...(lo.alias !== tag ? { alias: tag } : {}) });
    }
  }
}

/** what the interfaces of a scope leave for its routes: devices losing their last IPv4 address, edited addresses */
export interface ScopeLinks {
  v4Flushed: Set<string>;
  addrChanges: Map<string, Extract<Step, { op: 'addr-change' }>>;
}

/** a link's addresses: one edited address is one change, not a removal and an unrelated addition */
function planAddresses(c: PlanCtx, scope: string | null, f: IfaceInfo, l: LiveLink | undefined, acc: ScopeLinks, drift: string[]): void {
  const want = f.addresses.map((a) => canonicalCidr(a)!);
  const have = (l?.addresses ?? []).filter((a) => a.scope === 'global').map((a) => a.cidr);
  const gone = have.filter((a) => !want.includes(a));
  const added = want.filter((a) => !have.includes(a));
  if (gone.length === 1 && added.length === 1) {
    const step: Extract<Step, { op: 'addr-change' }> = { op: 'addr-change', ns: scope, dev: f.name, from: gone[0]!, to: added[0]! };
    c.add(Phase.Configure, step);
    acc.addrChanges.set(f.name, step);
    drift.push(`${gone[0]} -> ${added[0]}`);
  } else {
    for (const a of gone) { c.add(Phase.Teardown, { op: 'addr-del', ns: scope, dev: f.name, cidr: a }); drift.push(`remove ${a}`); }
    for (const a of added) { c.add(Phase.Configure, { op: 'addr-add', ns: scope, dev: f.name, cidr: a }); if (l) drift.push(`add ${a}`); }
  }
  // the kernel drops every IPv4 route through a device when its last IPv4 address is deleted
  const v4 = (l?.addresses ?? []).filter((a) => a.family === 4);
  if (v4.length && v4.every((a) => a.scope === 'global' && !want.includes(a.cidr))) acc.v4Flushed.add(f.name);
}

/** impairments: the root qdisc, after the link is up; only netem/tbf are ours to replace or remove */
function planImpairment(c: PlanCtx, scope: string | null, f: IfaceInfo, l: LiveLink | undefined, drift: string[]): void {
  const want = effectiveImpair(f.impair);
  const shaped = l?.qdisc !== undefined && IMPAIR_KINDS.includes(l.qdisc);
  const same = !!want && shaped && !!l!.shaping && sameImpair(want, l!.shaping);
  // tbf's bucket holds one frame of the MTU it was made for: a larger MTU needs a new one
  const bucketTooSmall = same && qdiscKind(want!) === 'tbf' && f.mtu !== undefined && tbfBurst(want!.rate!, f.mtu) > tbfBurst(want!.rate!, l!.mtu);
  if (want && (!same || bucketTooSmall)) {
    c.add(Phase.Shape, { op: 'qdisc-set', ns: scope, dev: f.name, impair: want, ...(qdiscKind(want) === 'tbf' ? { burst: tbfBurst(want.rate!, f.mtu) } : {}) });
    if (l) drift.push(bucketTooSmall ? `rate limit bucket for MTU ${f.mtu}` : shaped && l.shaping ? `impairment ${impairDetail(l.shaping.impair) || l.shaping.kind} -> ${impairDetail(want)}` : `add impairment ${impairDetail(want)}`);
  } else if (!want && shaped && l) {
    c.add(Phase.Shape, { op: 'qdisc-del', ns: scope, dev: f.name });
    drift.push(`remove impairment (${l.qdisc}${l.shaping ? ` ${impairDetail(l.shaping.impair)}` : ''})`);
  }
}

/** phase 2, the interfaces of one scope: tag, MTU, master, addresses, impairment; up/down last */
export function planScopeLinks(c: PlanCtx, scope: string | null, ifs: IfaceInfo[]): ScopeLinks {
  const { T, tag, fresh, objects } = c;
  const acc: ScopeLinks = { v4Flushed: new Set(), addrChanges: new Map() };
  const ups: Step[] = [];
  for (const f of ifs) {
    const l = fresh.has(f) ? undefined : c.liveIf(f.scope, f.name);
    if (l && l.owner !== T) continue; // clash, reported
    const set: Extract<Step, { op: 'link-set' }> = { op: 'link-set', ns: scope, name: f.name };
    const drift: string[] = [];
    if (!l || l.alias !== tag) set.alias = tag;
    if (f.mtu !== undefined && (!l || l.mtu !== f.mtu)) { set.mtu = f.mtu; if (l) drift.push(`mtu ${l.mtu} -> ${f.mtu}`); }
    // a new veth gets its MAC when it is made (veth-add); an existing one only when it differs
    if (f.mac !== undefined && l && l.mac?.toLowerCase() !== f.mac) { set.mac = f.mac; drift.push(`mac ${l.mac ?? 'none'} -> ${f.mac}`); }
    if (f.onBridge && (!l || l.master !== f.onBridge)) { set.master = f.onBridge; if (l) drift.push(`master ${l.master ?? 'none'} -> ${f.onBridge}`); }
    if (!f.onBridge && l?.master) { set.master = null; drift.push(`detach from ${l.master}`); }
    if (Object.keys(set).length > 3) c.add(Phase.Configure, set);
    planAddresses(c, scope, f, l, acc, drift);
    if (f.up && (!l || !l.up)) { ups.push({ op: 'link-set', ns: scope, name: f.name, up: true }); if (l) drift.push('down -> up'); }
    if (!f.up && l?.up) { ups.push({ op: 'link-set', ns: scope, name: f.name, up: false }); drift.push('up -> down (the file keeps this link down)'); }
    if (f.kind === 'veth' || f.kind === 'vxlan') planImpairment(c, scope, f, l, drift);
    if (l) {
      objects.push({ kind: f.kind, scope, name: f.name, state: drift.length ? 'drifted' : 'in-sync', ...(drift.length ? { detail: drift.join(', ') } : {}) });
    }
  }
  for (const u of ups) c.add(Phase.Configure, u);
  return acc;
}
