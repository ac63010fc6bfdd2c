/**
 * The processes that hold a topology's namespaces: what destroy must say (and end, when asked)
 * before it deletes them. A process left inside keeps the namespace alive after `ip netns del`,
 * and with it the veths inside and their peers in the host: destroy would leave objects behind.
 */
import { NETNS_DIR } from '../core/render.js';
import { endProcesses, processesIn, type NsProcess } from './procs.js';
import type { ProcSys } from './procsys.js';
import { listNamespaces, observe } from './observe.js';
import type { Runner } from './runner.js';

export interface Holder extends NsProcess {
  /** the namespace the process is in */
  ns: string;
}

/** which of these namespaces have at least one process inside (one pass over /proc) */
export function heldNamespaces(sys: Pick<ProcSys, 'inode' | 'pids'>, names: readonly string[], self = process.pid): string[] {
  const byInode = new Map<number, string>();
  for (const n of names) {
    const i = sys.inode(`${NETNS_DIR}/${n}`);
    if (i !== undefined) byInode.set(i, n);
  }
  if (!byInode.size) return [];
  const held = new Set<string>();
  for (const pid of sys.pids()) {
    if (pid === self) continue;
    const i = sys.inode(`/proc/${pid}/ns/net`);
    const n = i === undefined ? undefined : byInode.get(i);
    if (n) held.add(n);
  }
  return [...held].sort();
}

/** the processes inside the namespaces topology `name` owns (by the tag on their loopback) */
export async function topologyHolders(runner: Runner, sys: ProcSys, name: string): Promise<Holder[]> {
  const held = heldNamespaces(sys, await listNamespaces(runner));
  if (!held.length) return [];
  const live = await observe(runner, { namespaces: held });
  const owned = live.namespaces.filter((n) => n.owner === name).map((n) => n.name!);
  return owned.flatMap((ns) => processesIn(sys, ns).map((p) => ({ ns, ...p })));
}

/** "ns1: pid 4242 alice bash -i; …" */
export function describeHolders(holders: readonly Holder[]): string {
  return holders.map((h) => `${h.ns}: pid ${h.pid} ${h.user} ${h.command}`).join('; ');
}

/**
 * Before a destroy: none inside, nothing to do; some inside and not `kill`, a refusal naming
 * them (thrown by `refuse`); else end them (SIGTERM, then SIGKILL) and return which.
 */
export async function clearHolders(runner: Runner, sys: ProcSys, name: string, kill: boolean,
  refuse: (holders: Holder[]) => never): Promise<Holder[]> {
  const holders = await topologyHolders(runner, sys, name);
  if (!holders.length) return [];
  if (!kill) refuse(holders);
  await endProcesses(sys, holders);
  return holders;
}
