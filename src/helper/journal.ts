/**
 * The intent journal. Between `ip netns add` / `ip link add` (phase Create) and the tagging of
 * the new objects (phase Configure) an apply can be killed or fail; the untagged objects would
 * then look like someone else's and block the next apply. Before it creates anything, the
 * helper writes here what it is about to create (with the time, and the highest ifindex of
 * each scope); right after the Create phase (or its failure) it records the evidence of what it
 * really created (a namespace's inode and birth time, a link's ifindex) and drops what it did
 * not create; once they carry their tags, the entry goes; a `remove` drops what it removed.
 * The kernel's tags stay the source of truth: an entry claims only untagged objects with that
 * evidence (see applyIntents in core/observe.ts), never by name alone. It lives on /run (tmpfs),
 * as namespaces do.
 */
import type { Intent, IntentLink, IntentNs } from '../core/observe/intent.js';
import { parseJsonStream, splitBatchOutput, type LiveState } from '../core/observe/observe.js';
import { topoNameProblem } from '../core/model/names.js';
import { NETNS_DIR } from '../core/plan/render.js';
import { Phase, type PlannedStep, type Step } from '../core/plan/steps.js';
import type { Runner } from './runner.js';

export const JOURNAL_DIR = '/run/netns-lab/intent';

/**
 * `ip -j link show` of each scope (null = the host) as one `ip -j -b -` whose lines are
 * `link show` / `netns exec NS ip -j link show`; one process per scope when that batch fails
 */
export async function readLinks(sys: Runner, scopes: (string | null)[]): Promise<Map<string | null, unknown>> {
  const out = new Map<string | null, unknown>();
  if (!scopes.length) return out;
  const r = await sys.run(['ip', '-j', '-b', '-'], scopes.map((sc) => (sc === null ? 'link show\n' : `netns exec ${sc} ip -j link show\n`)).join(''));
  const m = r.code === 0 ? splitBatchOutput(scopes.map((sc) => sc ?? ''), 1, r.stdout, r.stderr) : undefined;
  for (const sc of scopes) {
    if (m) { out.set(sc, m.get(sc ?? '')?.[0]); continue; }
    const one = await sys.run(sc === null ? ['ip', '-j', 'link', 'show'] : ['ip', '-n', sc, '-j', 'link', 'show']);
    if (one.code === 0) out.set(sc, parseJsonStream(one.stdout)[0]);
  }
  return out;
}

const fileOf = (topology: string) => `${JOURNAL_DIR}/${topology}.json`;

/** the highest ifindex of a scope in the observation the plan was made from (0 when it does not exist yet) */
function highest(live: LiveState | undefined, ns: string | null): number {
  const n = ns === null ? live?.host : live?.namespaces.find((x) => x.name === ns);
  return Math.max(0, ...(n?.links.map((l) => l.ifindex) ?? []));
}

/** the objects a create step makes */
export function createdBy(s: Step): { namespaces: string[]; links: { ns: string | null; name: string }[] } {
  if (s.op === 'netns-add') return { namespaces: [s.name], links: [] };
  if (s.op === 'bridge-add') return { namespaces: [], links: [{ ns: s.ns, name: s.name }] };
  if (s.op === 'veth-add') return { namespaces: [], links: [{ ns: s.a.ns, name: s.a.name }, { ns: s.b.ns, name: s.b.name }] };
  if (s.op === 'vxlan-add' || s.op === 'macvlan-add') return { namespaces: [], links: [{ ns: s.ns, name: s.name }] };
  return { namespaces: [], links: [] };
}

export function intentOf(topology: string, steps: PlannedStep[], live?: LiveState, at = Date.now()): Intent {
  const it: Intent = { topology, namespaces: [], links: [] };
  for (const { step } of steps) {
    const c = createdBy(step);
    for (const name of c.namespaces) it.namespaces.push({ name, at });
    for (const l of c.links) it.links.push({ ...l, above: highest(live, l.ns) });
  }
  return it;
}

const isNs = (v: unknown): v is IntentNs => !!v && typeof v === 'object' && typeof (v as IntentNs).name === 'string' && Number.isFinite((v as IntentNs).at)
  && ((v as IntentNs).born === undefined || (typeof (v as IntentNs).born === 'string' && /^\d+$/.test((v as IntentNs).born!) && typeof (v as IntentNs).ino === 'string'));
const isLink = (v: unknown): v is IntentLink => !!v && typeof v === 'object' && typeof (v as IntentLink).name === 'string'
  && ((v as IntentLink).ns === null || typeof (v as IntentLink).ns === 'string') && Number.isSafeInteger((v as IntentLink).above)
  && ((v as IntentLink).ifindex === undefined || Number.isSafeInteger((v as IntentLink).ifindex));

/** a journal entry, or undefined when it is torn or of an older format (those claim nothing) */
export function parseIntent(text: string, topology: string): Intent | undefined {
  try {
    const v = JSON.parse(text) as Intent;
    if (v.topology !== topology || !Array.isArray(v.namespaces) || !Array.isArray(v.links)) return undefined;
    if (!v.namespaces.every(isNs) || !v.links.every(isLink)) return undefined;
    return v;
  } catch { return undefined; }
}

export async function readIntents(sys: Runner): Promise<Intent[]> {
  const out: Intent[] = [];
  for (const f of await sys.listDir(JOURNAL_DIR)) {
    if (!f.endsWith('.json') || topoNameProblem(f.slice(0, -5))) continue;
    const v = parseIntent((await sys.readFile(`${JOURNAL_DIR}/${f}`)) ?? '', f.slice(0, -5));
    if (v) out.push(v);
  }
  return out;
}

async function writeIntent(sys: Runner, it: Intent): Promise<void> {
  if (!it.namespaces.length && !it.links.length) { await sys.unlink(fileOf(it.topology)); return; }
  await sys.mkdir(JOURNAL_DIR, 0o700);
  await sys.writeFile(fileOf(it.topology), JSON.stringify(it), 0o600);
}

/** add the objects about to be created to the topology's entry (earlier ones stay until tagged or gone) */
export async function recordIntent(sys: Runner, it: Intent, earlier: Intent | undefined): Promise<void> {
  const sameLink = (a: { ns: string | null; name: string }, b: { ns: string | null; name: string }) => a.ns === b.ns && a.name === b.name;
  await writeIntent(sys, {
    topology: it.topology,
    namespaces: [...(earlier?.namespaces ?? []).filter((e) => !it.namespaces.some((n) => n.name === e.name)), ...it.namespaces],
    links: [...(earlier?.links ?? []).filter((e) => !it.links.some((l) => sameLink(l, e))), ...it.links],
  });
}

/** inode and mtime (ns) of /run/netns/NAME: the namespace's identity (inodes are reused, birth times are not) */
export async function nsIdentity(sys: Runner, ns: string): Promise<{ ino: string; born: string } | undefined> {
  return (await sys.statId?.(`${NETNS_DIR}/${ns}`)) ?? undefined;
}

type ShownLink = { ifindex?: number; ifname?: string; link_index?: number };

/**
 * The ifindex of each created link ("ns|name"). The host is read first: the host end of a veth
 * shows its peer's ifindex (`link_index`), so the namespace end of a veth to the host needs no
 * read inside its namespace (a `netns exec` costs a few ms each: 100 namespaces took 0.4 s);
 * only the scopes of the other links are read.
 */
async function createdIndexes(sys: Runner, created: Step[], madeLinks: { ns: string | null; name: string }[]): Promise<Map<string, number>> {
  const k = (ns: string | null, name: string) => `${ns ?? ''}|${name}`;
  const out = new Map<string, number>();
  const take = (scope: string | null, arr: unknown) => {
    for (const l of Array.isArray(arr) ? arr as ShownLink[] : []) if (l.ifname && Number.isSafeInteger(l.ifindex)) out.set(k(scope, l.ifname), l.ifindex!);
  };
  const viaHost = created.filter((s): s is Extract<Step, { op: 'veth-add' }> => s.op === 'veth-add' && (s.a.ns === null) !== (s.b.ns === null));
  let host: ShownLink[] = [];
  if (madeLinks.some((l) => l.ns === null)) {
    host = ((await readLinks(sys, [null])).get(null) ?? []) as ShownLink[];
    take(null, host);
    for (const s of viaHost) {
      const [h, far] = s.a.ns === null ? [s.a, s.b] : [s.b, s.a];
      const peer = host.find((l) => l.ifname === h.name)?.link_index;
      if (Number.isSafeInteger(peer)) out.set(k(far.ns, far.name), peer!);
    }
  }
  const rest = [...new Set(madeLinks.filter((l) => l.ns !== null && !out.has(k(l.ns, l.name))).map((l) => l.ns))];
  for (const [scope, arr] of await readLinks(sys, rest)) take(scope, arr);
  return out;
}

/**
 * Right after the Create phase (or its failure): the evidence of the objects the apply really
 * created (`created`: its create steps that succeeded, of all it `planned`). The other new
 * entries are dropped: a step that failed or never ran created nothing, and an object by that
 * name is someone else's. Entries of an earlier, interrupted apply stay as they were.
 */
export async function recordEvidence(sys: Runner, topology: string, planned: Step[], created: Step[]): Promise<void> {
  const it = (await readIntents(sys)).find((i) => i.topology === topology);
  if (!it) return;
  const k = (ns: string | null, name: string) => `${ns ?? ''}|${name}`;
  const plannedNs = new Set(planned.flatMap((s) => createdBy(s).namespaces));
  const plannedLinks = new Set(planned.flatMap((s) => createdBy(s).links).map((l) => k(l.ns, l.name)));
  const madeNs = new Set(created.flatMap((s) => createdBy(s).namespaces));
  const madeLinks = created.flatMap((s) => createdBy(s).links);
  const indexes = await createdIndexes(sys, created, madeLinks);
  const namespaces: IntentNs[] = [];
  for (const e of it.namespaces) {
    if (!plannedNs.has(e.name)) { namespaces.push(e); continue; }
    const id = madeNs.has(e.name) ? await nsIdentity(sys, e.name) : undefined;
    if (id) namespaces.push({ ...e, ...id });
  }
  const links: IntentLink[] = [];
  for (const e of it.links) {
    if (!plannedLinks.has(k(e.ns, e.name))) { links.push(e); continue; }
    const ifindex = madeLinks.some((l) => l.ns === e.ns && l.name === e.name) ? indexes.get(k(e.ns, e.name)) : undefined;
    if (ifindex !== undefined) links.push({ ...e, ifindex });
  }
  await writeIntent(sys, { topology, namespaces, links });
}

/**
 * After a remove: the topology's entries whose object is gone (or is no longer the one created)
 * go, so that none can vouch for an object made later by that name. A veth's other end and the
 * links of a deleted namespace go with it, so every recorded object is checked, not only the
 * one removed. Entries without evidence (an apply in flight, or killed) stay: they claim only
 * what is born after them.
 */
export async function pruneIntent(sys: Runner, topology: string): Promise<void> {
  const it = (await readIntents(sys)).find((i) => i.topology === topology);
  if (!it) return;
  const namespaces: IntentNs[] = [];
  for (const e of it.namespaces) {
    if (e.born === undefined) { namespaces.push(e); continue; }
    const id = await nsIdentity(sys, e.name);
    if (id && id.ino === e.ino && id.born === e.born) namespaces.push(e);
  }
  const shown = await readLinks(sys, [...new Set(it.links.filter((l) => l.ifindex !== undefined).map((l) => l.ns))]);
  const links = it.links.filter((e) => {
    if (e.ifindex === undefined) return true;
    const arr = shown.get(e.ns);
    return Array.isArray(arr) && (arr as { ifindex?: number; ifname?: string }[]).some((l) => l.ifname === e.name && l.ifindex === e.ifindex);
  });
  if (namespaces.length !== it.namespaces.length || links.length !== it.links.length) await writeIntent(sys, { topology, namespaces, links });
}

/**
 * An apply's journal: records what it is about to create (when it creates anything); execute()
 * fills `created` and calls onCreated right after the Create phase; on a failure, failed()
 * records the evidence if that has not happened yet, and clears the entry when the failing step
 * came after the Configure phase (every object it made carries its tag then).
 */
export async function startJournal(sys: Runner, topology: string, steps: PlannedStep[], live: LiveState): Promise<{ created: Step[]; onCreated: () => Promise<void>; failed: (phase: Phase) => Promise<void> }> {
  const intent = intentOf(topology, steps, live);
  const journaled = intent.namespaces.length > 0 || intent.links.length > 0;
  if (journaled) await recordIntent(sys, intent, (await readIntents(sys)).find((i) => i.topology === topology));
  const created: Step[] = [];
  let recorded = !journaled;
  const onCreated = async () => {
    if (recorded) return;
    recorded = true;
    await recordEvidence(sys, topology, steps.filter((s) => s.phase === Phase.Create).map((s) => s.step), created);
  };
  const failed = async (phase: Phase) => {
    await onCreated();
    if (journaled && phase > Phase.Configure) await clearIntent(sys, topology);
  };
  return { created, onCreated, failed };
}

export async function clearIntent(sys: Runner, topology: string): Promise<void> {
  await sys.unlink(fileOf(topology));
}
