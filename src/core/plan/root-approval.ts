/**
 * Root approval of workloads (issue 16): every command of a file that would run as root is
 * listed, and an apply runs only with the digest of exactly that list (`approveRoot`): the
 * helper re-computes it and refuses otherwise, nothing changed.
 */
import type { Topology } from '../model/model.js';
import { rootCommands, rootCommandsDigest, type RootCommand } from '../model/workloads.js';

/** root applies directly (not through sudo or pkexec): an entry without a user then runs as root */
export function applierIsRoot(uid: number | undefined, env: Record<string, string | undefined>): boolean {
  return uid === 0 && !env.SUDO_UID && !env.PKEXEC_UID;
}

export interface RootApproval { rootCommands: RootCommand[]; rootDigest: string }

/** what the person must approve before an apply of t (an empty list needs no approval) */
export function rootApproval(t: Topology, uid: number | undefined, env: Record<string, string | undefined>): RootApproval {
  const list = rootCommands(t, { applierIsRoot: applierIsRoot(uid, env) });
  return { rootCommands: list, rootDigest: rootCommandsDigest(list) };
}

/** the refusal when root commands were not approved (undefined when the apply may run) */
export function rootRefusal(a: RootApproval, approved: string | undefined): string | undefined {
  if (!a.rootCommands.length || approved === a.rootDigest) return undefined;
  return `the file runs ${a.rootCommands.length} command(s) as root that were not approved: ${a.rootCommands.map(describeLine).join('; ')}`;
}

const describeLine = (r: RootCommand): string => `${r.kind === 'exec' ? `exec #${Number(r.which) + 1}` : `service '${r.which}'`} in ${r.ns}: ${r.text}`;
