/**
 * The helper's side of the workload steps of a plan (issue 16): the supervise deps of this
 * process, the services of a topology for the planner, and one step run (exec-run -> runExec,
 * service-start/restart and service-stop -> the chosen service backend: service-backend.ts).
 */
import { basename, dirname, join } from 'node:path';
import type { LiveState } from '../core/observe/observe.js';
import type { Step } from '../core/plan/steps.js';
import { createProcSys } from './procsys.js';
import type { Runner } from './runner.js';
import { serviceBackend, type BackendDeps, type ServiceBackend } from './service-backend.js';
import { runExec, type SuperviseDeps } from './supervise.js';
import { machineSupervision } from './supervision.js';

/**
 * dist/helper.js: the script of this process when it is the helper; its sibling when the CLI runs
 * the helper's code in its own process (dist/cli.js has no --supervise mode)
 */
export function helperScript(argv1: string | undefined = process.argv[1]): string {
  const script = argv1 ?? 'helper.js';
  return basename(script) === 'helper.js' ? script : join(dirname(script), 'helper.js');
}

export function superviseDeps(runner: Runner): SuperviseDeps {
  return { runner, sys: createProcSys(), node: process.execPath, helperScript: helperScript(), env: process.env };
}

/** the deps with this machine's choice of who keeps services (supervision.ts) */
export async function backendDeps(runner: Runner): Promise<BackendDeps> {
  const d = superviseDeps(runner);
  return { ...d, supervision: await machineSupervision(d.sys, runner, d.env) };
}

/** the services of this machine: the own supervisor's, or systemd's where it is chosen */
export const backendOf = async (runner: Runner): Promise<ServiceBackend> => serviceBackend(await backendDeps(runner));

/** the live state with the topology's services (from their records or units) */
export async function withServices(runner: Runner, topology: string, live: LiveState): Promise<LiveState> {
  return { ...live, services: await (await backendOf(runner)).observe(topology) };
}

/** run one workload step (the step gate and the failure report are execute's) */
export async function runWorkloadStep(runner: Runner, s: Step): Promise<void> {
  switch (s.op) {
    case 'exec-run': await runExec(superviseDeps(runner), s.ns, s.command, s.user); return;
    case 'service-start':
    case 'service-restart': await (await backendOf(runner)).start(s.topology, s.ns, s.service); return;
    case 'service-stop': await (await backendOf(runner)).stop({ topology: s.topology, ns: s.ns, name: s.name }); return;
    default: throw new Error(`${s.op} is not a workload step`);
  }
}
