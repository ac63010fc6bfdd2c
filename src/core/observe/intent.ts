/**
 * The intent journal's entries and what they may claim (pure): the helper writes them under
 * /run/netns-lab/intent (src/helper/journal.ts) and observe applies them to a fresh read.
 */
import type { LiveLink, LiveNs, LiveState } from './observe.js';

/**
 * Objects an interrupted apply created but had not tagged yet, from the helper's intent journal
 * (see src/helper/journal.ts): they belong to that topology, so re-apply tags them instead of
 * refusing them as clashes. Only untagged objects are claimed, never another owner's, and never
 * by name alone:
 *  - with the evidence the helper recorded right after creating it (a namespace's inode and
 *    birth time, a link's ifindex), only the object with exactly that evidence;
 *  - without it (the helper died between the create and the record: one ip batch), only an
 *    object born after the entry was written: a namespace whose nsfs inode is younger than the
 *    entry, a link whose ifindex is above the highest of its scope when the entry was written
 *    (the kernel hands out ifindexes in increasing order).
 * A link inside a namespace is claimed only when that namespace is the topology's (tagged or
 * claimed): a namespace deleted and made again by someone else is neither, nor are its links.
 */
export interface IntentNs {
  name: string;
  /** ms since the epoch when the entry was written, before the namespace was created */
  at: number;
  /** evidence read right after the creation: inode of /run/netns/NAME and its mtime (ns, decimal) */
  ino?: string;
  born?: string;
}
export interface IntentLink {
  ns: string | null;
  name: string;
  /** the highest ifindex of its scope when the entry was written (0: a namespace made by the same apply) */
  above: number;
  /** evidence read right after the creation */
  ifindex?: number;
}
export interface Intent {
  topology: string;
  namespaces: IntentNs[];
  links: IntentLink[];
}

/** the kernel stamps a new nsfs inode with a coarse clock (at most a tick behind) */
export const BORN_SLACK_MS = 20;

export function intentClaimsNs(e: IntentNs, n: LiveNs): boolean {
  if (n.owner !== undefined || n.born === undefined || e.name !== n.name) return false;
  if (e.born !== undefined) return e.born === n.born && e.ino === n.ino;
  return BigInt(n.born) >= BigInt(Math.max(0, e.at - BORN_SLACK_MS)) * 1_000_000n;
}

export function intentClaimsLink(e: IntentLink, l: LiveLink): boolean {
  if (l.owner !== undefined || l.kind === 'loopback' || e.name !== l.name) return false;
  return e.ifindex !== undefined ? l.ifindex === e.ifindex : l.ifindex > e.above;
}

export function applyIntents(live: LiveState, intents: Intent[]): LiveState {
  for (const it of intents) {
    for (const n of live.namespaces) if (it.namespaces.some((e) => intentClaimsNs(e, n))) n.owner = it.topology;
    for (const n of [live.host, ...live.namespaces]) {
      if (n.name !== null && n.owner !== it.topology) continue;
      for (const l of n.links) if (it.links.some((e) => e.ns === n.name && intentClaimsLink(e, l))) l.owner = it.topology;
    }
  }
  return live;
}
