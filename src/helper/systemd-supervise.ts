/**
 * Services under systemd (issue 16), the helper's side: the same start / stop / state / logs as
 * the own supervisor (supervise.ts), with a transient unit per service (systemd-run.ts) instead
 * of a supervisor process. The helper keeps one small file per service beside where the own
 * supervisor keeps its record, NAME.unit (the unit, definition digest, user), so it finds a
 * topology's services again without asking systemd to list units; the state is systemd's
 * (`systemctl show`), the process checked against /proc (inside the namespace as it is now).
 */
import { z } from 'zod';
import type { Service } from '../core/model/model-workloads.js';
import { DEFAULT_MAX_RESTARTS } from '../core/model/model-workloads.js';
import { NETNS_DIR } from '../core/plan/render.js';
import type { LiveService } from '../core/model/workloads.js';
import { serviceDigest } from '../core/model/workloads.js';
import { startTimeOf } from './procsys.js';
import { nsDir, type ServiceId } from './service-files.js';
import {
  awaitReady, checkId, filedIds, forget, prepareStart, workdir, type Look, type SuperviseDeps,
} from './supervise.js';
import {
  parseShow, resetFailedArgv, showArgv, startArgv, stopArgv, unitName, unitView, wallOf, type SystemdBins,
} from './systemd-run.js';

export interface SystemdDeps extends SuperviseDeps {
  /** both clocks read at once: ms since the epoch and CLOCK_MONOTONIC microseconds (systemd's timestamps) */
  clock?: () => { wallMs: number; monoUs: number };
}

const realClock = () => ({ wallMs: Date.now(), monoUs: Number(process.hrtime.bigint() / 1000n) });

/** systemd-run and systemctl by name: the runner finds them in the fixed directories; env by absolute path (it runs in the unit) */
const bins = (d: SuperviseDeps): SystemdBins => ({ systemdRun: 'systemd-run', systemctl: 'systemctl', env: d.sys.bin('env'), sh: '/bin/sh' });

export const unitFilePath = (id: ServiceId): string => `${nsDir(id)}/${id.name}.unit`;
const UnitFile = z.strictObject({
  v: z.literal(1),
  unit: z.string().regex(/^[A-Za-z0-9:_.\\-]+\.service$/),
  digest: z.string().regex(/^[0-9a-f]{64}$/),
  user: z.string().max(64),
  uid: z.int().min(0),
});
type UnitFile = z.infer<typeof UnitFile>;

async function readUnitFile(d: SuperviseDeps, id: ServiceId): Promise<UnitFile | undefined> {
  const text = await d.runner.readFile(unitFilePath(id));
  if (!text) return undefined;
  try { return UnitFile.parse(JSON.parse(text)); } catch { return undefined; }
}

/** the unit's state with its process checked: running only while its main process is inside the namespace as it is now */
export function liveOfUnit(d: SystemdDeps, id: ServiceId, f: UnitFile, showText: string): LiveService {
  const v = unitView(parseShow(showText));
  const base = { ns: id.ns, name: id.name, digest: f.digest, restarts: v.restarts, user: f.user };
  if (v.state === 'running') {
    const now = d.sys.inode(`${NETNS_DIR}/${id.ns}`);
    const inside = now !== undefined && d.sys.inode(`/proc/${v.pid}/ns/net`) === now;
    const start = startTimeOf(d.sys, v.pid!);
    if (!inside || start === undefined) return { ...base, state: 'starting' };
    const since = v.startMonoUs !== undefined ? { since: wallOf(v.startMonoUs, (d.clock ?? realClock)()) } : {};
    return { ...base, state: 'running', pid: v.pid, startTime: start, nsInode: now, ...since };
  }
  if (v.state === 'starting') return { ...base, state: 'starting' };
  // gone: the unit vanished without the helper (stopped by hand, a daemon re-exec): no code
  return { ...base, state: 'exited', ...(v.code !== undefined ? { code: v.code } : {}) };
}

async function look(d: SystemdDeps, id: ServiceId): Promise<LiveService | undefined> {
  const f = await readUnitFile(d, id);
  if (!f) return undefined;
  const r = await d.runner.run(showArgv(id, bins(d).systemctl));
  if (r.code !== 0) throw new Error(`systemctl show ${f.unit} failed with exit code ${r.code}: ${r.stderr.trim()}`);
  return liveOfUnit(d, id, f, r.stdout);
}

export async function unitState(d: SystemdDeps, id: ServiceId): Promise<LiveService> {
  checkId(id);
  return (await look(d, id)) ?? { ns: id.ns, name: id.name, state: 'not-started', restarts: 0 };
}

/** every service of a topology that has a unit file */
export async function observeUnits(d: SystemdDeps, topology: string): Promise<LiveService[]> {
  const out: LiveService[] = [];
  for (const id of await filedIds(d, topology, '.unit')) {
    const l = await look(d, id);
    if (l) out.push(l);
  }
  return out;
}

/**
 * Stop a service's unit (SIGTERM to all its processes, SIGKILL 2 s later: systemd waits), forget
 * a failed one, remove its files. Run even without a unit file: one may be left from a helper that
 * died between writing it and starting the unit. "Not loaded" (exit 5) is no failure.
 */
export async function stopUnit(d: SystemdDeps, id: ServiceId): Promise<{ pid?: number }> {
  checkId(id);
  const before = await look(d, id).catch(() => undefined);
  const { systemctl } = bins(d);
  const r = await d.runner.run(stopArgv(id, systemctl));
  if (r.code !== 0 && r.code !== 5) throw new Error(`systemctl stop ${unitName(id)} failed with exit code ${r.code}: ${r.stderr.trim()}`);
  await d.runner.run(resetFailedArgv(id, systemctl));
  await forget(d, id, [unitFilePath(id)]);
  return before?.pid !== undefined ? { pid: before.pid } : {};
}

/** final: exited, and systemd will not start it again (a restart pending is `starting`) */
const lookUnit = async (d: SystemdDeps, id: ServiceId): Promise<Look> => {
  const live = await look(d, id);
  return { ...(live ? { live } : {}), final: live?.state === 'exited' };
};

/** start (or restart: the running one is stopped first) a service as a transient unit */
export async function startUnit(d: SystemdDeps, topology: string, ns: string, service: Service): Promise<LiveService> {
  const { s, id, a } = await prepareStart(d, topology, ns, service, (x) => stopUnit(d, x));
  const argv = startArgv({
    id, command: s.command, account: a, cwd: await workdir(d, s.cwd, a), ...(s.env ? { env: s.env } : {}),
    restart: s.restart ?? 'no', maxRestarts: s.maxRestarts ?? DEFAULT_MAX_RESTARTS,
  }, bins(d));
  // the file first: a unit is never started that the helper could not find again
  const f: UnitFile = { v: 1, unit: unitName(id), digest: serviceDigest(s), user: a.name, uid: a.uid };
  await d.runner.writeFile(unitFilePath(id), JSON.stringify(f), 0o600);
  const r = await d.runner.run(argv);
  if (r.code !== 0) {
    await stopUnit(d, id);
    throw new Error(`service '${s.name}' in ${ns}: systemd-run failed with exit code ${r.code}: ${r.stderr.trim() || '(no output)'}`);
  }
  return awaitReady(d, id, s, a, () => lookUnit(d, id), () => stopUnit(d, id));
}
