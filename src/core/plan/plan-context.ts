/**
 * What the planners of each kind of object (plan-*.ts) share while plan() runs: the inputs,
 * indexes of both sides, what earlier planners decided (namespaces made or deleted, interfaces
 * made fresh or deleted) and the plan being written.
 */
import type { Diagnostic } from '../model/diagnostics.js';
import type { Topology } from '../model/model.js';
import { ownerTag } from '../model/names.js';
import type { LiveLink, LiveNs, LiveState } from '../observe/observe.js';
import type { Phase, PlannedStep, Step } from './steps.js';
import { buildIndex, type IfaceInfo, type TopoIndex } from '../model/topo-index.js';

export type ObjectState = 'in-sync' | 'missing' | 'drifted' | 'unowned-clash' | 'extra';
export interface ObjectStatus {
  kind: 'namespace' | 'bridge' | 'veth' | 'vxlan' | 'macvlan' | 'physical' | 'route' | 'sysctl' | 'dns' | 'firewall' | 'ip-forward';
  /** null = host */
  scope: string | null;
  name: string;
  state: ObjectState;
  detail?: string;
}

export interface Plan {
  topology: string;
  steps: PlannedStep[];
  /** clashes and unresolvable facts (no default route for uplink "auto", ...): apply refuses */
  errors: Diagnostic[];
  warnings: Diagnostic[];
  objects: ObjectStatus[];
}

export interface PlanCtx {
  t: Topology;
  live: LiveState;
  /** the topology's name, and the tag of what it owns */
  T: string;
  tag: string;
  idx: TopoIndex;
  liveNs: Map<string | null, LiveNs>;
  nsIndex: Map<string, number>;
  steps: PlannedStep[];
  errors: Diagnostic[];
  warnings: Diagnostic[];
  objects: ObjectStatus[];
  add(phase: Phase, step: Step): void;
  /** namespaces to create, and owned ones the file no longer has */
  creatingNs: Set<string>;
  deletingNs: Set<string>;
  /** interfaces to (re)create; those of them that exist and are deleted first */
  fresh: Set<IfaceInfo>;
  recreate: Set<IfaceInfo>;
  /** "scope|name" of links deleted explicitly (or with their peer) */
  teardownLinks: Set<string>;
  /** "scope|name" of ends whose peer's namespace is deleted (they go with it) */
  goneWithNs: Set<string>;
  /** the live link of an interface (none in a namespace being created) */
  liveIf(scope: string | null, name: string): LiveLink | undefined;
  /** the other end of a veth of the file */
  peerOf(f: IfaceInfo): IfaceInfo;
}

export function planContext(t: Topology, live: LiveState): PlanCtx {
  const idx = buildIndex(t);
  const steps: PlannedStep[] = [];
  const liveNs = new Map<string | null, LiveNs>([[null, live.host], ...live.namespaces.map((n) => [n.name, n] as const)]);
  const creatingNs = new Set<string>();
  return {
    t, live, T: t.name, tag: ownerTag(t.name), idx, liveNs,
    nsIndex: new Map((t.namespaces ?? []).map((n, i) => [n.name, i])),
    steps, errors: [], warnings: [], objects: [],
    add: (phase, step) => steps.push({ phase, step, summary: '' }),
    creatingNs, deletingNs: new Set(), fresh: new Set(), recreate: new Set(), teardownLinks: new Set(), goneWithNs: new Set(),
    liveIf: (scope, name) => (scope !== null && creatingNs.has(scope) ? undefined : liveNs.get(scope)?.links.find((x) => x.name === name)),
    peerOf: (f) => { const [a, b] = idx.ends.get(f.linkIndex!)!; return a === f ? b : a; },
  };
}
