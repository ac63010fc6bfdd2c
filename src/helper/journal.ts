/**
 * The intent journal. Between `ip netns add` / `ip link add` (phase Create) and the tagging of
 * the new objects (phase Configure) an apply can be killed or fail; the untagged objects would
 * then look like someone else's and block the next apply. Before it creates anything, the
 * helper writes here what it is about to create; once they carry their tags, the entry goes.
 * The kernel's tags stay the source of truth: the journal only ever claims untagged objects
 * with exactly these names, for this topology. It lives on /run (tmpfs), as namespaces do.
 */
import type { Intent } from '../core/observe.js';
import { topoNameProblem } from '../core/names.js';
import type { PlannedStep } from '../core/steps.js';
import type { Runner } from './runner.js';

export const JOURNAL_DIR = '/run/netns-lab/intent';

export function intentOf(topology: string, steps: PlannedStep[]): Intent {
  const it: Intent = { topology, namespaces: [], links: [] };
  for (const { step: s } of steps) {
    if (s.op === 'netns-add') it.namespaces.push(s.name);
    else if (s.op === 'bridge-add') it.links.push({ ns: s.ns, name: s.name });
    else if (s.op === 'veth-add') it.links.push({ ns: s.a.ns, name: s.a.name }, { ns: s.b.ns, name: s.b.name });
  }
  return it;
}

export async function readIntents(sys: Runner): Promise<Intent[]> {
  const out: Intent[] = [];
  for (const f of await sys.listDir(JOURNAL_DIR)) {
    if (!f.endsWith('.json') || topoNameProblem(f.slice(0, -5))) continue;
    try {
      const v = JSON.parse((await sys.readFile(`${JOURNAL_DIR}/${f}`)) ?? '') as Intent;
      if (v.topology === f.slice(0, -5) && Array.isArray(v.namespaces) && Array.isArray(v.links)) out.push(v);
    } catch { /* a torn file claims nothing */ }
  }
  return out;
}

/** add the objects about to be created to the topology's entry (earlier ones stay until tagged) */
export async function recordIntent(sys: Runner, it: Intent, earlier: Intent | undefined): Promise<void> {
  const merged: Intent = {
    topology: it.topology,
    namespaces: [...new Set([...(earlier?.namespaces ?? []), ...it.namespaces])],
    links: [...(earlier?.links ?? []), ...it.links.filter((l) => !earlier?.links.some((e) => e.ns === l.ns && e.name === l.name))],
  };
  await sys.mkdir(JOURNAL_DIR, 0o700);
  await sys.writeFile(`${JOURNAL_DIR}/${it.topology}.json`, JSON.stringify(merged), 0o600);
}

export async function clearIntent(sys: Runner, topology: string): Promise<void> {
  await sys.unlink(`${JOURNAL_DIR}/${topology}.json`);
}
