/**
 * Host-side orchestration without vscode: load -> validate -> (helper) observe/plan/apply ->
 * verify. Used by the CLI and by the extension.
 */
import { readFile } from 'node:fs/promises';
import type { Diagnostic } from '../core/model/diagnostics.js';
import { hasErrors } from '../core/model/diagnostics.js';
import { importLive, type ImportResult } from '../core/import/importer.js';
import type { Topology } from '../core/model/model.js';
import { topoNameProblem } from '../core/model/names.js';
import { emptyNs, type LiveState } from '../core/observe/observe.js';
import { plan as makePlan, type ObjectStatus } from '../core/plan/plan.js';
import { renderScript } from '../core/plan/render.js';
import { validateText, type ValidationResult } from '../core/model/validate.js';
import type { ApplyResult, PlanWithDigest } from '../helper/protocol.js';
import type { HelperApi, Progress } from './helper-client.js';

export type { ApplyResult, DoctorResult, PingResult, PlanWithDigest } from '../helper/protocol.js';

export interface Loaded extends ValidationResult {
  file: string;
  text: string;
}

export async function loadFile(file: string): Promise<Loaded> {
  const text = await readFile(file, 'utf8');
  return { file, text, ...validateText(text) };
}

export class EngineError extends Error {
  constructor(message: string, readonly diagnostics: Diagnostic[] = []) { super(message); }
}

export function requireValid(l: Loaded): Topology {
  if (!l.topology || hasErrors(l.diagnostics)) throw new EngineError(`${l.file} is invalid`, l.diagnostics);
  return l.topology;
}

export function planTopology(h: HelperApi, t: Topology): Promise<PlanWithDigest> {
  return h.plan({ topology: t });
}

/** "read 0.05 s, execute 1.10 s, verify 0.62 s, settle 0.00 s" */
export function formatPhases(phases: Record<string, number> | undefined): string {
  return Object.entries(phases ?? {}).map(([k, v]) => `${k} ${(v / 1000).toFixed(2)} s`).join(', ');
}

/** approveRoot: the digest of the root commands the person saw and approved (the plan's rootDigest) */
export function applyTopology(h: HelperApi, t: Topology, onProgress?: (p: Progress) => void, expect?: { steps: number; digest: string }, approveRoot?: string): Promise<ApplyResult> {
  return h.apply({ topology: t, ...(expect ? { expect } : {}), ...(approveRoot ? { approveRoot } : {}) }, onProgress);
}

/** a destroy's answer: the services it stopped and `ended`, the other processes it ended inside the namespaces (kill) */
export type DestroyResult = ApplyResult;

/** kill: end the processes inside the topology's namespaces; without it a destroy they hold is refused (HelperFailure 'destroy-held', error.holders) */
export function destroyTopology(h: HelperApi, name: string, onProgress?: (p: Progress) => void, kill = false): Promise<DestroyResult> {
  if (topoNameProblem(name)) throw new EngineError(topoNameProblem(name)!);
  return h.destroy({ name, ...(kill ? { kill } : {}) }, onProgress);
}

export type Overall = 'not-applied' | 'in-sync' | 'drifted' | 'partly-applied' | 'clash';

export function overallStatus(objects: ObjectStatus[]): Overall {
  if (objects.some((o) => o.state === 'unowned-clash')) return 'clash';
  if (objects.every((o) => o.state === 'in-sync')) return objects.length ? 'in-sync' : 'not-applied';
  const missing = objects.some((o) => o.state === 'missing');
  const present = objects.some((o) => o.state === 'in-sync' || o.state === 'drifted');
  if (missing && !present) return 'not-applied';
  // whole namespaces, bridges or links missing beside present ones: an apply did not finish
  if (objects.some((o) => o.state === 'missing' && (o.kind === 'namespace' || o.kind === 'bridge' || o.kind === 'veth'))) return 'partly-applied';
  return 'drifted';
}

/** the article-style script that builds the topology from scratch (no helper needed) */
export function scriptFor(t: Topology, host: { resolvConf: string | null; systemdResolvConf: string | null }): string {
  const auto = !t.host?.uplink || t.host.uplink === 'auto';
  const UPLINK = auto ? 'UPLINK0000' : t.host!.uplink!;
  const live: LiveState = {
    host: { ...emptyNs(null), links: [{ name: UPLINK, ifindex: 2, kind: 'device', alias: undefined, owner: undefined, up: true, operstate: 'UP', mtu: 1500, mac: undefined, master: undefined, linkIndex: undefined, linkNetnsid: undefined, peer: undefined, addresses: [] }],
      routes: [{ family: 4, to: 'default', via: undefined, dev: UPLINK, protocol: 'boot', metric: undefined, scope: undefined }] },
    namespaces: [],
    firewall: { filter: {}, nat: {} },
    hostDns: host,
  };
  const p = makePlan(t, live);
  if (p.errors.length) throw new EngineError(p.errors.map((e) => e.message).join('; '), p.errors);
  let text = renderScript(p.steps, `netns-lab topology '${t.name}': build it from scratch`);
  if (auto && text.includes(UPLINK)) {
    text = text.replace('set -euo pipefail\n', 'set -euo pipefail\n# the uplink: the interface of the default route (or set UPLINK=...)\nUPLINK=${UPLINK:-$(ip -o route show default | awk \'{for (i = 1; i < NF; i++) if ($i == "dev") {print $(i + 1); exit}}\')}\n')
      .split(UPLINK).join('"$UPLINK"');
  }
  return text;
}

export async function importFromLive(h: HelperApi, opts: { name: string; namespaces?: string[] }): Promise<ImportResult> {
  if (topoNameProblem(opts.name)) throw new EngineError(topoNameProblem(opts.name)!);
  const live = await h.observe({ forwarding: true, ...(opts.namespaces ? { namespaces: opts.namespaces } : {}) });
  if (opts.namespaces) {
    const missing = opts.namespaces.filter((n) => !live.namespaces.some((x) => x.name === n));
    if (missing.length) throw new EngineError(`no such namespace: ${missing.join(', ')}`);
  }
  return importLive(live, opts);
}

export async function readHostDns(): Promise<{ resolvConf: string | null; systemdResolvConf: string | null }> {
  const rd = (p: string) => readFile(p, 'utf8').catch(() => null);
  return { resolvConf: await rd('/etc/resolv.conf'), systemdResolvConf: await rd('/run/systemd/resolve/resolv.conf') };
}
