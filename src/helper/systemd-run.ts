/**
 * Where systemd is PID 1 (issue 16): a service is a transient unit, pure argv and parsers only
 * (unit-tested word by word; systemd-supervise.ts runs them). One unit per service:
 *   systemd-run --unit=netns-lab-TOPOLOGY-NS-NAME.service ... --property=NetworkNamespacePath=/run/netns/NS
 *     --uid=U --gid=G --working-directory=DIR --setenv=K=V ... -- /usr/bin/env -- COMMAND...
 * Nothing here is built from unvalidated input: the names are checked against the file's own
 * patterns first, and the unit name is made of systemd-escape'd parts (only [A-Za-z0-9:_.\\-]).
 */
import type { Command } from '../core/model/model-workloads.js';
import { NETNS_DIR } from '../core/plan/render.js';
import type { LiveService } from '../core/model/workloads.js';
import { userEnv, type Account } from './service-argv.js';
import { ServiceIdSchema, logPath, type ServiceId } from './service-files.js';

/** the absolute paths of what a unit's argv uses */
export interface SystemdBins { systemdRun: string; systemctl: string; env: string; sh: string }

/**
 * systemd-escape of one part: every byte outside [A-Za-z0-9:_.] becomes \xNN (a '-' is \x2d),
 * a leading '.' too; so '-' only ever separates the parts and no two services share a unit
 */
export function escapePart(s: string): string {
  return [...Buffer.from(s, 'utf8')].map((b, i) => {
    const c = String.fromCharCode(b);
    return /[A-Za-z0-9:_]/.test(c) || (c === '.' && i > 0) ? c : `\\x${b.toString(16).padStart(2, '0')}`;
  }).join('');
}

/** unit names are at most 255 bytes (UNIT_NAME_MAX) */
const UNIT_NAME_MAX = 255;
export const UNIT_PREFIX = 'netns-lab-';

/** the unit of a service: netns-lab-TOPOLOGY-NS-NAME.service, each part escaped; a name the file would refuse is refused */
export function unitName(id: ServiceId): string {
  const r = ServiceIdSchema.safeParse(id);
  if (!r.success) throw new Error(`refusing a unit for service '${String(id.name)}' in '${String(id.ns)}' of '${String(id.topology)}': ${r.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ')}`);
  const unit = `${UNIT_PREFIX}${[id.topology, id.ns, id.name].map(escapePart).join('-')}.service`;
  if (unit.length > UNIT_NAME_MAX || !/^[A-Za-z0-9:_.\\-]+\.service$/.test(unit)) throw new Error(`'${unit}' is not a unit name`);
  return unit;
}

export interface UnitSpec {
  id: ServiceId;
  command: Command;
  account: Account;
  /** the working directory (resolved by the helper as for its own supervisor: the given one, else home, else /) */
  cwd: string;
  env?: Record<string, string>;
  restart: 'no' | 'on-failure';
  maxRestarts: number;
}

/**
 * `ip netns exec` binds each file of /etc/netns/NS over /etc (the helper writes resolv.conf there
 * for a lab's DNS); NetworkNamespacePath= does not, so the unit binds these ('-': when present)
 */
export const ETC_NETNS_FILES = ['resolv.conf', 'hosts'] as const;

/** the service manager expands $VAR and ${VAR} in a command line: "$$" is a literal "$" */
export const dollarEscaped = (w: string): string => w.replaceAll('$', () => '$$');

/**
 * The command as the unit runs it: an argv through env(1) by absolute path, so its program is
 * found as the user through the fixed PATH (as under the own supervisor, not by systemd-run as
 * root through root's PATH); a string through /bin/sh -c. Every word with its "$" escaped.
 */
export function unitCommand(c: Command, bins: Pick<SystemdBins, 'env' | 'sh'>): string[] {
  if (typeof c !== 'string' && c[0]!.includes('=')) throw new Error(`the program '${c[0]}' contains '='`);
  const argv = typeof c === 'string' ? [bins.sh, '-c', c] : [bins.env, '--', ...c];
  return argv.map(dollarEscaped);
}

/** StartLimitBurst counts starts: the first one and maxRestarts more, within a day */
function restartProps(s: UnitSpec): string[] {
  if (s.restart !== 'on-failure') return ['--property=Restart=no'];
  return ['--property=Restart=on-failure', '--property=RestartSec=1', `--property=StartLimitBurst=${s.maxRestarts + 1}`, '--property=StartLimitIntervalSec=1d'];
}

/**
 * Start a service's unit. Type=exec: systemd-run returns once the command runs (or fails). No
 * --collect: a failed unit stays loaded with its exit status until the helper stops it (stop
 * resets it), as the own supervisor's record does. RemainAfterExit: a clean exit keeps its code
 * too. Output appended to the same log file as under the own supervisor (stderr with stdout).
 * TimeoutStopSec=2: SIGTERM to the unit's processes, SIGKILL 2 s later, as the own supervisor.
 */
export function startArgv(s: UnitSpec, bins: SystemdBins): string[] {
  const { id } = s;
  return [
    bins.systemdRun, '--quiet', `--unit=${unitName(id)}`,
    `--description=netns-lab service ${id.name} in ${id.ns} (topology ${id.topology})`,
    '--service-type=exec', '--property=RemainAfterExit=yes',
    `--property=NetworkNamespacePath=${NETNS_DIR}/${id.ns}`,
    ...ETC_NETNS_FILES.map((f) => `--property=BindReadOnlyPaths=-/etc/netns/${id.ns}/${f}:/etc/${f}`),
    `--uid=${s.account.uid}`, `--gid=${s.account.gid}`, `--working-directory=${s.cwd}`,
    ...userEnv(s.account, s.env).map((e) => `--setenv=${e}`),
    ...restartProps(s),
    `--property=StandardOutput=append:${logPath(id)}`, '--property=StandardError=inherit',
    '--property=TimeoutStopSec=2',
    '--', ...unitCommand(s.command, bins),
  ];
}

/** stop the unit (SIGTERM to its whole cgroup, SIGKILL after TimeoutStopSec) */
export const stopArgv = (id: ServiceId, systemctl: string): string[] => [systemctl, 'stop', '--', unitName(id)];
/** forget a failed unit (its exit status and start count) so the name can be started again */
export const resetFailedArgv = (id: ServiceId, systemctl: string): string[] => [systemctl, 'reset-failed', '--', unitName(id)];

export const SHOW_PROPERTIES = ['LoadState', 'ActiveState', 'SubState', 'MainPID', 'ExecMainStatus', 'ExecMainCode', 'NRestarts', 'ExecMainStartTimestampMonotonic'] as const;
export const showArgv = (id: ServiceId, systemctl: string): string[] => [systemctl, 'show', `--property=${SHOW_PROPERTIES.join(',')}`, '--', unitName(id)];
/** the journal's copy of a unit's messages (systemd's own: started, failed, restarts) */
export const journalArgv = (id: ServiceId, journalctl: string, lines: number): string[] =>
  [journalctl, '-u', unitName(id), '-n', String(lines), '--no-pager', '-o', 'cat'];

/** `systemctl show` output: KEY=VALUE lines */
export function parseShow(text: string): Map<string, string> {
  const out = new Map<string, string>();
  for (const line of text.split('\n')) {
    const eq = line.indexOf('=');
    if (eq > 0) out.set(line.slice(0, eq), line.slice(eq + 1));
  }
  return out;
}

const int = (v: string | undefined): number | undefined => (v !== undefined && /^\d+$/.test(v) ? Number(v) : undefined);

/** CLD_EXITED (1): the status is the exit code; CLD_KILLED (2), CLD_DUMPED (3): the signal, as 128 + it */
export function exitCode(show: Map<string, string>): number | undefined {
  const code = int(show.get('ExecMainCode'));
  const status = int(show.get('ExecMainStatus'));
  if (!int(show.get('ExecMainStartTimestampMonotonic')) || status === undefined) return undefined;
  if (code === 1) return status;
  if (code === 2 || code === 3) return 128 + status;
  return undefined;
}

export interface UnitView {
  state: LiveService['state'] | 'gone';
  pid?: number;
  restarts: number;
  code?: number;
  /** CLOCK_MONOTONIC microseconds when the current main process started */
  startMonoUs?: number;
}

/**
 * What a unit's state says, before the helper checks its process against /proc: `gone` when
 * systemd has no such unit (never started, or stopped); running: active with a main process;
 * starting: activating (its first start, or waiting to restart: auto-restart) or deactivating;
 * exited: failed, or active/inactive without a process (RemainAfterExit after a clean exit).
 */
export function unitView(show: Map<string, string>): UnitView {
  const restarts = int(show.get('NRestarts')) ?? 0;
  const active = show.get('ActiveState');
  const pid = int(show.get('MainPID'));
  if (show.get('LoadState') !== 'loaded') return { state: 'gone', restarts };
  const startMonoUs = int(show.get('ExecMainStartTimestampMonotonic'));
  if ((active === 'active' || active === 'reloading') && pid) return { state: 'running', pid, restarts, ...(startMonoUs ? { startMonoUs } : {}) };
  if (active === 'activating' || active === 'deactivating') return { state: 'starting', restarts };
  const code = exitCode(show);
  return { state: 'exited', restarts, ...(code !== undefined ? { code } : {}) };
}

/** when a monotonic instant was, in ms since the epoch, from a reading of both clocks now */
export const wallOf = (monoUs: number, now: { wallMs: number; monoUs: number }): number =>
  Math.round(now.wallMs - (now.monoUs - monoUs) / 1000);
