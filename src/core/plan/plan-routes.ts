/**
 * The planner of routes, per scope: the file's routes (without those through links it keeps
 * down), against the static routes the topology manages there (in its own namespaces, or on its
 * own links in the host).
 */
import { canonicalIP, contains, parseCidr, parseIP, subnetOf } from '../model/ip.js';
import type { Route } from '../model/model.js';
import { emptyNs, type LiveRoute } from '../observe/observe.js';
import type { PlanCtx } from './plan-context.js';
import type { ScopeLinks } from './plan-links.js';
import { pinnedDev, routeText, sameSlot, unownedHolder } from './host-routes.js';
import { Phase } from './steps.js';
import type { IfaceInfo } from '../model/topo-index.js';

const STATIC_PROTOCOLS = new Set(['boot', 'static']);

function routeFamily(r: Route): 4 | 6 {
  if (r.via) return parseIP(r.via)!.family;
  if (r.to !== 'default') return parseCidr(r.to)!.family;
  return 4;
}

export interface DRoute { family: 4 | 6; to: string; via?: string; dev?: string; metric?: number }
function desiredRoute(r: Route): DRoute {
  return {
    family: routeFamily(r),
    to: r.to === 'default' ? 'default' : subnetOf(parseCidr(r.to)!),
    ...(r.via ? { via: canonicalIP(r.via)! } : {}),
    ...(r.dev ? { dev: r.dev } : {}),
    ...(r.metric !== undefined ? { metric: r.metric } : {}),
  };
}
function routeMatches(d: DRoute, l: LiveRoute): boolean {
  return d.family === l.family && d.to === l.to && d.via === l.via
    && (d.dev === undefined || d.dev === l.dev) && (d.metric === undefined || d.metric === (l.metric ?? 0));
}

/** phase 2, the routes of one scope (after its interfaces: an address change may restore a route) */
export function planRoutes(c: PlanCtx, scope: string | null, ifs: IfaceInfo[], { v4Flushed, addrChanges }: ScopeLinks): void {
  const { t, T, nsIndex, creatingNs, liveNs, teardownLinks, goneWithNs, errors, objects, add } = c;
  // a route through a link the file keeps down cannot exist (the kernel drops it): not wanted
  const downIfs = new Set(ifs.filter((f) => !f.up).map((f) => f.name));
  const nets = (up: boolean) => ifs.filter((f) => f.up === up).flatMap((f) => f.addresses.map((a) => parseCidr(a)!));
  const upNets = nets(true);
  const downNets = nets(false);
  const throughDown = (r: DRoute) => (r.dev !== undefined && downIfs.has(r.dev))
    || (r.via !== undefined && !upNets.some((n) => contains(n, parseIP(r.via!)!)) && downNets.some((n) => contains(n, parseIP(r.via!)!)));
  // host routes: always through an owned device (pinned when the file gives only a gateway)
  const pin = (d: DRoute): DRoute => { const dev = scope === null ? pinnedDev(d, ifs) : d.dev; return dev === undefined ? d : { ...d, dev }; };
  const wantRoutes = (scope === null ? t.host?.routes ?? [] : (t.namespaces ?? [])[nsIndex.get(scope)!]!.routes ?? [])
    .map((r, i) => ({ ...pin(desiredRoute(r)), i })).filter((r) => !throughDown(r));
  const ln = scope !== null && creatingNs.has(scope) ? emptyNs(scope) : liveNs.get(scope);
  const ownedHere = new Set((ln?.links ?? []).filter((x) => x.owner === T).map((x) => x.name));
  // routes on links we delete, or on devices losing their last IPv4 address, vanish in teardown
  const vanishes = (r: LiveRoute) => r.dev !== undefined
    && (teardownLinks.has(`${scope ?? ''}|${r.dev}`) || goneWithNs.has(`${scope ?? ''}|${r.dev}`) || (r.family === 4 && v4Flushed.has(r.dev)));
  const managed = (ln?.routes ?? []).filter((r) => STATIC_PROTOCOLS.has(r.protocol) && !vanishes(r)
    && (scope !== null ? ln!.owner === T : r.dev !== undefined && ownedHere.has(r.dev)));
  const matched = new Set<LiveRoute>();
  for (const { i, ...d } of wantRoutes) {
    const m = managed.find((r) => !matched.has(r) && routeMatches(d, r));
    const name = `${d.to}${d.via ? ` via ${d.via}` : ''}${d.dev ? ` dev ${d.dev}` : ''}`;
    if (m) { matched.add(m); objects.push({ kind: 'route', scope, name, state: 'in-sync' }); continue; }
    // a live route the kernel drops when an edited address goes: the address change puts it back
    const flushed = (ln?.routes ?? []).find((r) => r.dev !== undefined && addrChanges.has(r.dev) && vanishes(r) && routeMatches(d, r));
    if (flushed) {
      const ch = addrChanges.get(flushed.dev!)!;
      (ch.restore ??= []).push({ ...d, ...(d.dev ? {} : { dev: flushed.dev! }) });
      objects.push({ kind: 'route', scope, name, state: 'in-sync' });
      continue;
    }
    // the same destination with another gateway: `ip route replace` changes it in one step
    const other = managed.find((r) => !matched.has(r) && r.family === d.family && r.to === d.to && (d.metric === undefined || d.metric === (r.metric ?? 0)));
    if (other) matched.add(other);
    // the host: a destination held through a device this topology does not own is a clash
    const holder = scope === null && !other ? unownedHolder(d, ln?.routes ?? [], ownedHere) : undefined;
    if (holder) {
      errors.push({ severity: 'error', code: 'unowned-clash', message: `the host already has a route to ${d.to} (${routeText(holder)}${holder.dev ? '' : ', no device'}) that is not netns-lab's: its device is not a link of this topology; the route ${name} would replace it. Nothing was changed; choose another destination or metric`, path: ['host', 'routes', i, 'to'] });
      objects.push({ kind: 'route', scope, name, state: 'unowned-clash', detail: `held by ${routeText(holder)}` });
      continue;
    }
    // replace only what is ours: a route to that slot through one of our own devices
    const ours = scope === null && !other && (ln?.routes ?? []).some((r) => sameSlot(d, r) && r.dev !== undefined && ownedHere.has(r.dev) && !vanishes(r));
    add(Phase.Configure, { op: 'route-add', ns: scope, ...d, ...(scope === null && (other || ours) ? { replace: true as const } : {}) });
    objects.push({ kind: 'route', scope, name, state: other ? 'drifted' : 'missing', ...(other ? { detail: `now via ${other.via ?? other.dev}` } : {}) });
  }
  for (const r of managed) {
    if (matched.has(r)) continue;
    add(Phase.Teardown, { op: 'route-del', ns: scope, family: r.family, to: r.to, ...(r.via ? { via: r.via } : {}), ...(r.dev ? { dev: r.dev } : {}), ...(r.metric !== undefined ? { metric: r.metric } : {}) });
    objects.push({ kind: 'route', scope, name: `${r.to}${r.via ? ` via ${r.via}` : ''}`, state: 'extra' });
  }
}
