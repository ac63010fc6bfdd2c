/**
 * Host routes and ownership. Routes carry no owner tag in the kernel, so the rule is:
 *
 *   a route of the host is this topology's only when its device is a link this topology owns
 *   (a bridge or veth end tagged `netns-lab:NAME`).
 *
 * Consequences, enforced by the planner (plan.ts) and the renderer (render.ts):
 * - every desired host route goes out through an owned device: the validator already refuses a
 *   `dev` the topology does not have and a gateway on no subnet of its own host interfaces;
 *   the planner then pins the device (`dev`) of a host route given only by gateway, so the
 *   kernel can never pick an unowned interface (eth0 on an overlapping subnet) for it;
 * - a desired host route whose destination (same family, table main, same metric) is already
 *   held by a route through a device the topology does not own (or with no device) is an
 *   `unowned-clash` error: apply refuses before anything runs, like any other unowned clash;
 * - a new host route is created with `ip route add` (the kernel refuses with "File exists"
 *   instead of replacing whatever holds that destination by then); `ip route replace` is used
 *   in the host only to change a route through an owned device;
 * - only host routes through owned devices are ever deleted (apply of an edited file, destroy).
 *
 * Pure: no I/O.
 */
import { contains, parseCidr, parseIP } from '../model/ip.js';
import type { LiveRoute } from '../observe/observe.js';
import type { PlannedStep, Step } from './steps.js';
import type { IfaceInfo } from '../model/topo-index.js';

export interface HostRouteKey { family: 4 | 6; to: string; via?: string; dev?: string; metric?: number }

/** the metric the kernel gives a route added without one */
export function effectiveMetric(family: 4 | 6, metric: number | undefined): number {
  return metric ?? (family === 6 ? 1024 : 0);
}

/**
 * The owned host interface a route given only by gateway leaves through: the first one the file
 * keeps up whose subnet holds the gateway (else the first that holds it at all). Undefined when
 * none does (the validator refuses such a route before any plan).
 */
export function pinnedDev(r: HostRouteKey, hostIfs: IfaceInfo[]): string | undefined {
  if (r.dev !== undefined || r.via === undefined) return r.dev;
  const gw = parseIP(r.via);
  if (!gw) return undefined;
  const holds = (f: IfaceInfo) => f.addresses.some((a) => { const c = parseCidr(a); return !!c && c.family === gw.family && contains(c, gw); });
  return (hostIfs.find((f) => f.up && holds(f)) ?? hostIfs.find(holds))?.name;
}

/** a live host route that holds the destination a desired route would take */
export function sameSlot(d: HostRouteKey, l: LiveRoute): boolean {
  return d.family === l.family && d.to === l.to && effectiveMetric(d.family, d.metric) === effectiveMetric(l.family, l.metric);
}

/**
 * The live host route a desired host route would replace and that is not this topology's
 * (its device is not owned, or it has none): the clash, or undefined.
 */
export function unownedHolder(d: HostRouteKey, liveRoutes: LiveRoute[], owned: ReadonlySet<string>): LiveRoute | undefined {
  return liveRoutes.find((l) => sameSlot(d, l) && (l.dev === undefined || !owned.has(l.dev)));
}

export function routeText(r: { to: string; via?: string | undefined; dev?: string | undefined; metric?: number | undefined }): string {
  return `${r.to}${r.via ? ` via ${r.via}` : ''}${r.dev ? ` dev ${r.dev}` : ''}${r.metric !== undefined ? ` metric ${r.metric}` : ''}`;
}

/**
 * Why a step changes the host itself, outside the topology's own objects (its namespaces, its
 * tagged links, its own NSL- chains and files), or undefined when it does not. These are the
 * steps a confirmation must show whatever their position in the plan:
 * - the host's `net.ipv4.ip_forward` (recorded and restored on destroy);
 * - the one jump into a built-in chain (`FORWARD`, `POSTROUTING`) of the host's firewall;
 * - a sysctl of the host;
 * - a route of the host (it goes through an owned device, but it decides where the host's
 *   own traffic to that destination goes: a `default` route takes all of it).
 */
export function hostWideReason(s: Step): string | undefined {
  switch (s.op) {
    case 'ip-forward': return s.enable ? "turns on the host's IPv4 forwarding (net.ipv4.ip_forward)" : "gives back the host's IPv4 forwarding setting";
    case 'fw-jump': return `${s.action === 'add' ? 'inserts a jump into' : 'removes its jump from'} the host's built-in ${s.from} chain of table ${s.table}`;
    case 'sysctl': return s.ns === null ? `changes the host's sysctl ${s.key}` : undefined;
    case 'route-add':
    case 'route-del': {
      if (s.ns !== null) return undefined;
      const what = s.to === 'default' ? "the host's default route (where all of its outside traffic goes)" : `the host's route to ${s.to}`;
      return `${s.op === 'route-add' ? (s.replace ? 'changes' : 'adds') : 'removes'} ${what}`;
    }
    default: return undefined;
  }
}

/** the plan's host-wide steps, in plan order, each with its 1-based position and the reason */
export function hostWideSteps(steps: PlannedStep[]): { n: number; step: PlannedStep; reason: string }[] {
  return steps.flatMap((step, i) => { const reason = hostWideReason(step.step); return reason ? [{ n: i + 1, step, reason }] : []; });
}

/**
 * The text a confirmation shows: every host-wide step first (all of them, whatever their
 * position), then the first `first` steps of the plan in order.
 */
export function confirmationText(steps: PlannedStep[], first = 12): string {
  const wide = hostWideSteps(steps);
  const head = wide.length
    ? [`Changes to the host itself, outside this topology's own objects (${wide.length}):`,
      ...wide.map((w) => `  step ${w.n}: ${w.step.summary}  — ${w.reason}`), '', 'Steps in order:']
    : [];
  const list = steps.slice(0, first).map((s, i) => `${i + 1}. ${s.summary}`);
  const more = steps.length > first ? [`… and ${steps.length - first} more (Netns: Show Plan lists them all)`] : [];
  return [...head, ...list, ...more].join('\n');
}

/** the CLI plan's preamble: the host-wide steps as comment lines ('' when there are none) */
export function hostWideBlock(wide: { n: number; step: PlannedStep; reason: string }[]): string {
  if (!wide.length) return '';
  return [`# ${wide.length} step(s) change the host itself, outside this topology's own objects:`,
    ...wide.map((w) => `#   step ${w.n}: ${w.step.summary}  — ${w.reason}`), '# all steps, in order:'].join('\n') + '\n';
}
