/**
 * A host's physical interfaces in the lab, only where the file says so (`physical`):
 *  - a macvlan of one: the macvlan is the topology's object (made, tagged, deleted like a veth);
 *    its parent must exist in the host and is never touched;
 *  - one moved into a lab bridge: it stays the host's (never tagged, never deleted). It is
 *    refused when it carries an address or a route of the host (moving it would cut the host
 *    off), is someone's bridge port already, or is an object of netns-lab. Taken out of the
 *    file, it is given back (nomaster); destroy deletes the bridge, which gives it back too.
 * And the underlay: a VXLAN device's local address must be one of the host's.
 * The plan is made by the helper from what it just read, so these checks are the helper's own:
 * no caller can vouch for an interface.
 */
import type { Diagnostic, JsonPath } from '../model/diagnostics.js';
import { canonicalIP } from '../model/ip.js';
import type { LiveLink, LiveRoute } from '../observe/observe.js';
import type { PlanCtx } from './plan-context.js';
import { Phase } from './steps.js';

const IPV6_LINK_LOCAL = 'fe80::/64';

/** why moving `l` out of the host's hands would cut the host off (undefined: it carries nothing) */
export function carriesHost(l: LiveLink, routes: readonly LiveRoute[]): string | undefined {
  const a = l.addresses.find((x) => x.scope === 'global');
  if (a) return `it holds the host's address ${a.cidr}`;
  const r = routes.find((x) => x.dev === l.name && x.to !== IPV6_LINK_LOCAL);
  return r ? `it carries the host's route ${r.to}${r.via ? ` via ${r.via}` : ''}` : undefined;
}

function refuse(c: PlanCtx, code: string, message: string, path: JsonPath, dev: string): void {
  const e: Diagnostic = { severity: 'error', code, message, path };
  c.errors.push(e);
  c.objects.push({ kind: 'physical', scope: null, name: dev, state: 'unowned-clash', detail: message });
}

/** why `l` may not be moved into a lab bridge (undefined: it may) */
function attachProblem(c: PlanCtx, dev: string, bridge: string, l: LiveLink | undefined): [string, string] | undefined {
  if (c.idx.bridgeScope.get(bridge) !== null) return ['physical-bridge', `bridge '${bridge}' is not a bridge of this topology in the host; a host interface joins only a bridge in the host`];
  if (!l) return ['physical-missing', `the host has no interface '${dev}'`];
  if (l.owner !== undefined) return ['physical-owned', `'${dev}' is an object of netns-lab topology '${l.owner}', not a host interface`];
  if (l.kind === 'bridge' || l.kind === 'loopback') return ['physical-kind', `'${dev}' is a ${l.kind}; only an interface can join a lab bridge`];
  if (l.master !== undefined && l.master !== bridge) return ['physical-busy', `'${dev}' is already a port of '${l.master}'; it is left alone`];
  if (l.master === bridge) return undefined;
  const why = carriesHost(l, c.live.host.routes);
  return why ? ['physical-carries-host', `'${dev}' cannot be moved into bridge '${bridge}': ${why}; use a macvlan of it instead`] : undefined;
}

/**
 * A VXLAN device sends from its `local` address: it must be one of this host's (a tunnel from an
 * address the host does not have would be made, and carry nothing).
 */
function checkUnderlay(c: PlanCtx): void {
  const mine = new Set(c.live.host.links.flatMap((l) => l.addresses.map((a) => a.cidr.split('/')[0]!)));
  for (const f of c.idx.ifaces) {
    if (f.kind !== 'vxlan') continue;
    const { dev } = f.vxlan!;
    const at: JsonPath = [...f.namePath.slice(0, -1)];
    if (dev !== undefined && !c.live.host.links.some((l) => l.name === dev)) {
      c.errors.push({ severity: 'error', code: 'no-underlay', message: `VXLAN device '${f.name}' runs over '${dev}', which this host does not have`, path: [...at, 'dev'] });
    }
    const local = canonicalIP(f.vxlan!.local);
    if (local === undefined || mine.has(local)) continue;
    c.errors.push({ severity: 'error', code: 'no-underlay', message: `VXLAN device '${f.name}' would send from ${f.vxlan!.local}, which is not an address of this host; give the host its underlay address (or correct "underlay")`, path: [...at, 'local'] });
  }
}

export function planPhysical(c: PlanCtx): void {
  checkUnderlay(c);
  const { t, live, T, add, objects } = c;
  const hostLink = (name: string) => live.host.links.find((x) => x.name === name);
  const wanted = new Set<string>();
  (t.physical ?? []).forEach((p, i) => {
    const path: JsonPath = ['physical', i, 'dev'];
    if (p.macvlan) {
      if (!hostLink(p.dev)) refuse(c, 'physical-missing', `the host has no interface '${p.dev}' to make macvlan '${p.macvlan.name}' of`, path, p.dev);
      return;
    }
    const bridge = p.bridge!;
    wanted.add(p.dev);
    const l = hostLink(p.dev);
    const problem = attachProblem(c, p.dev, bridge, l);
    if (problem) { refuse(c, problem[0], problem[1], path, p.dev); return; }
    const fresh = [...c.fresh].some((f) => f.kind === 'bridge' && f.scope === null && f.name === bridge);
    if (l!.master === bridge && !fresh) objects.push({ kind: 'physical', scope: null, name: p.dev, state: 'in-sync' });
    else {
      add(Phase.Configure, { op: 'phys-attach', dev: p.dev, master: bridge });
      objects.push({ kind: 'physical', scope: null, name: p.dev, state: 'missing', detail: `into bridge ${bridge}` });
    }
  });
  // host interfaces in one of this topology's bridges that the file no longer puts there:
  // given back (a bridge being deleted gives its ports back by itself)
  for (const l of live.host.links) {
    if (l.owner !== undefined || l.master === undefined || wanted.has(l.name)) continue;
    const br = hostLink(l.master);
    if (br?.owner !== T || br.kind !== 'bridge' || c.teardownLinks.has(`|${br.name}`)) continue;
    add(Phase.Teardown, { op: 'phys-detach', dev: l.name, master: br.name });
    objects.push({ kind: 'physical', scope: null, name: l.name, state: 'extra', detail: `give back from bridge ${br.name}` });
  }
}
