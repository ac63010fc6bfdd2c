/**
 * Where the helper keeps what it knows of a running service, and what those files hold:
 *   /run/netns-lab/services/TOPOLOGY/NS/NAME.spec    what the supervisor runs (written by the helper)
 *   /run/netns-lab/services/TOPOLOGY/NS/NAME.record  what runs now (written by the supervisor)
 *   /run/netns-lab/services/TOPOLOGY/NS/NAME.log     its stdout and stderr (NAME.log.1: the rotated part)
 * Every directory is root's, mode 0700: nobody else can read logs or plant a spec. The record is
 * the only way back to a service: pid, start time (/proc/PID/stat field 22) and network
 * namespace inode together, never a pid alone. (Distinct suffixes: no service name can make one
 * service's file another's.)
 */
import { z } from 'zod';
import { NsName, TopoName } from '../core/model/model.js';
import { Service } from '../core/model/model-workloads.js';

export const SERVICES_DIR = '/run/netns-lab/services';
/** a log grows to this many bytes, then becomes NAME.log.1 (the previous .1 goes) */
export const LOG_LIMIT = 1024 * 1024;

export interface ServiceId { topology: string; ns: string; name: string }
export const topoDir = (id: Pick<ServiceId, 'topology'>): string => `${SERVICES_DIR}/${id.topology}`;
export const nsDir = (id: Pick<ServiceId, 'topology' | 'ns'>): string => `${topoDir(id)}/${id.ns}`;
export const specPath = (id: ServiceId): string => `${nsDir(id)}/${id.name}.spec`;
export const recordPath = (id: ServiceId): string => `${nsDir(id)}/${id.name}.record`;
export const logPath = (id: ServiceId): string => `${nsDir(id)}/${id.name}.log`;
export const SERVICE_FILE = /^(.+)\.record$/;

const Name = Service.shape.name;
export const ServiceIdSchema = z.strictObject({ topology: TopoName, ns: NsName, name: Name });

const Argv = z.array(z.string().max(65536).refine((s) => !s.includes('\0'))).min(1).max(1024);
export const Spec = z.strictObject({
  v: z.literal(1),
  topology: TopoName,
  ns: NsName,
  name: Name,
  /** the whole argv (ip netns exec NS setpriv ... env ... COMMAND), built by service-argv.ts */
  argv: Argv,
  restart: z.enum(['no', 'on-failure']),
  maxRestarts: z.int().min(0).max(100),
  digest: z.string().regex(/^[0-9a-f]{64}$/),
  user: z.string().max(64),
  uid: z.int().min(0),
});
export type Spec = z.infer<typeof Spec>;

const Identity = z.strictObject({ pid: z.int().min(1), start: z.int().min(0) });
export const Record = z.strictObject({
  v: z.literal(1),
  /** the supervisor process (pid, start time): stop signals it first */
  supervisor: Identity,
  /** the service process, once started */
  pid: z.int().min(1).optional(),
  start: z.int().min(0).optional(),
  /** inode of /run/netns/NS when it was started */
  nsInode: z.int().min(0).optional(),
  digest: z.string().regex(/^[0-9a-f]{64}$/),
  user: z.string().max(64),
  uid: z.int().min(0),
  restarts: z.int().min(0),
  state: z.enum(['starting', 'running', 'exited', 'stopping']),
  /** exit code of the last run (128 + signal number when a signal ended it) */
  code: z.int().optional(),
  /** when the current run started (ms since the epoch) */
  since: z.number().optional(),
});
export type Record = z.infer<typeof Record>;

export function parseRecord(text: string | null | undefined): Record | undefined {
  if (!text) return undefined;
  try { return Record.parse(JSON.parse(text)); } catch { return undefined; }
}
export function parseSpec(text: string | null | undefined): Spec | undefined {
  if (!text) return undefined;
  try { return Spec.parse(JSON.parse(text)); } catch { return undefined; }
}
