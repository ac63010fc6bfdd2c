/**
 * Workload steps (issue 16) for people: one line for plans and progress, and the lines of an
 * exported script (`ip netns exec NS setpriv ... -- COMMAND`, every word quoted for bash).
 */
import type { Command } from '../model/model-workloads.js';
import type { WorkloadStep } from '../model/workloads.js';
import { commandText } from '../model/workloads.js';

const quote = (w: string): string => (/^[A-Za-z0-9_.:/@,=+%-]+$/.test(w) ? w : `'${w.replace(/'/g, `'\\''`)}'`);
const as = (user: string | undefined) => `as ${user ?? 'you'}`;

export const isWorkloadStep = (s: { op: string }): s is WorkloadStep =>
  s.op === 'exec-run' || s.op === 'service-start' || s.op === 'service-restart' || s.op === 'service-stop';

/** one human line per workload step */
export function workloadSummary(s: WorkloadStep): string {
  switch (s.op) {
    case 'exec-run': return `run in ${s.ns} ${as(s.user)}: ${commandText(s.command)}`;
    case 'service-start': return `start service ${s.service.name} in ${s.ns} ${as(s.service.user)}: ${commandText(s.service.command)}`;
    case 'service-restart': return `restart service ${s.service.name} in ${s.ns} ${as(s.service.user)} (${s.reason === 'changed' ? 'its definition changed' : 'its namespace is re-created'}): ${commandText(s.service.command)}`;
    case 'service-stop': return `stop service ${s.name} in ${s.ns}`;
  }
}

function asUser(ns: string, user: string | undefined, command: Command): string {
  const drop = user ? ['setpriv', `--reuid=${user}`, `--regid=${user}`, '--init-groups', '--'] : [];
  const cmd = typeof command === 'string' ? ['/bin/sh', '-c', command] : command;
  return ['ip', 'netns', 'exec', ns, ...drop, ...cmd].map(quote).join(' ');
}

/** the script's lines of a workload step (a service runs in the background; netns-lab supervises it) */
export function workloadScriptLines(s: WorkloadStep): string[] {
  switch (s.op) {
    case 'exec-run': return [asUser(s.ns, s.user, s.command)];
    case 'service-start':
    case 'service-restart': {
      const env = Object.entries(s.service.env ?? {}).map(([k, v]) => quote(`${k}=${v}`));
      const line = asUser(s.ns, s.service.user, s.service.command);
      return [`# service ${s.service.name} (netns-lab supervises it, restarts it on failure and keeps its log)`,
        `${env.length ? `env ${env.join(' ')} ` : ''}setsid ${line} >/dev/null 2>&1 < /dev/null &`];
    }
    case 'service-stop': return [`# stop service ${s.name} in ${s.ns} (netns-lab ends the process it started)`];
  }
}
