/**
 * One interface to a topology's services, whoever keeps them (issue 16): the helper's own
 * supervisor (supervise.ts) or systemd (systemd-supervise.ts). The ops and the plan's workload
 * steps use only this; which one is chosen is supervision.ts's (the machine's), carried in the
 * deps: deps without a choice (unit tests' fakes) get the own supervisor.
 */
import type { Service } from '../core/model/model-workloads.js';
import type { LiveService } from '../core/model/workloads.js';
import { recordPath, type ServiceId } from './service-files.js';
import { observeServices, serviceLog, serviceState, startService, stopService, type SuperviseDeps } from './supervise.js';
import type { Supervision } from './supervision.js';
import { observeUnits, startUnit, stopUnit, unitFilePath, unitState, type SystemdDeps } from './systemd-supervise.js';

export interface BackendDeps extends SystemdDeps { supervision?: Supervision }

export interface ServiceBackend {
  kind: Supervision;
  start(topology: string, ns: string, service: Service): Promise<LiveService>;
  stop(id: ServiceId): Promise<{ pid?: number }>;
  state(id: ServiceId): Promise<LiveService>;
  /** every service of a topology the helper knows it started (for the planner and status) */
  observe(topology: string): Promise<LiveService[]>;
  /** the end of its output: the same log file under both */
  log(id: ServiceId, maxBytes?: number): Promise<string>;
  /** the helper holds something of this service (a record, a unit file) */
  known(id: ServiceId): Promise<boolean>;
}

function ownBackend(d: SuperviseDeps): ServiceBackend {
  return {
    kind: 'own',
    start: (topology, ns, service) => startService(d, topology, ns, service),
    stop: (id) => stopService(d, id),
    state: (id) => serviceState(d, id),
    observe: (topology) => observeServices(d, topology),
    log: (id, maxBytes) => serviceLog(d, id, maxBytes),
    known: async (id) => (await d.runner.readFile(recordPath(id))) !== null,
  };
}

function systemdBackend(d: SystemdDeps): ServiceBackend {
  return {
    kind: 'systemd',
    start: (topology, ns, service) => startUnit(d, topology, ns, service),
    stop: (id) => stopUnit(d, id),
    state: (id) => unitState(d, id),
    observe: (topology) => observeUnits(d, topology),
    log: (id, maxBytes) => serviceLog(d, id, maxBytes),
    known: async (id) => (await d.runner.readFile(unitFilePath(id))) !== null,
  };
}

export const serviceBackend = (d: BackendDeps): ServiceBackend => (d.supervision === 'systemd' ? systemdBackend(d) : ownBackend(d));

/**
 * Stop every service of a topology (or of one of its namespaces): what destroy does first, before
 * it ends the other processes inside the namespaces (nothing may start them again)
 */
export async function stopAll(b: ServiceBackend, topology: string, ns?: string): Promise<LiveService[]> {
  const live = (await b.observe(topology)).filter((s) => ns === undefined || s.ns === ns);
  for (const s of live) await b.stop({ topology, ns: s.ns, name: s.name });
  return live;
}
