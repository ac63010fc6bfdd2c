/**
 * The helper's side of the workload steps of a plan (issue 16): the supervise deps of this
 * process, the services of a topology for the planner, and one step run (exec-run -> runExec,
 * service-start/restart -> startService, service-stop -> stopService).
 */
import { basename, dirname, join } from 'node:path';
import type { LiveState } from '../core/observe.js';
import type { Step } from '../core/steps.js';
import { createProcSys } from './procsys.js';
import type { Runner } from './runner.js';
import { observeServices, runExec, startService, stopService, type SuperviseDeps } from './supervise.js';

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

/** the live state with the topology's services (from their records) */
export async function withServices(runner: Runner, topology: string, live: LiveState): Promise<LiveState> {
  return { ...live, services: await observeServices(superviseDeps(runner), topology) };
}

/** run one workload step (the step gate and the failure report are execute's) */
export async function runWorkloadStep(runner: Runner, s: Step): Promise<void> {
  const d = superviseDeps(runner);
  switch (s.op) {
    case 'exec-run': await runExec(d, s.ns, s.command, s.user); return;
    case 'service-start':
    case 'service-restart': await startService(d, s.topology, s.ns, s.service); return;
    case 'service-stop': await stopService(d, { topology: s.topology, ns: s.ns, name: s.name }); return;
    default: throw new Error(`${s.op} is not a workload step`);
  }
}
