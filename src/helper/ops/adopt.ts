/** adopt (import --adopt): tag existing, unowned objects named in the topology as its own. */
import { ownerTag } from '../../core/names.js';
import { observeScope } from '../../core/plan.js';
import { summarize } from '../../core/render.js';
import { Phase, type PlannedStep, type Step } from '../../core/steps.js';
import { buildIndex } from '../../core/topo-index.js';
import { execute } from '../execute.js';
import { withLock } from '../lock.js';
import { observe } from '../observe.js';
import { fail, stepFailed, validTopology, type Handler } from './context.js';

export const adopt: Handler<'adopt'> = async (req, ctx) => {
  const t = validTopology(req.topology);
  const { runner } = ctx;
  return withLock(`topology/${t.name}`, ctx.lockWaitMs, () => {}, async () => {
    const live = await observe(runner, observeScope(t));
    const tag = ownerTag(t.name);
    const steps: PlannedStep[] = [];
    const addStep = (step: Step) => steps.push({ phase: Phase.Configure, step, summary: summarize(step) });
    const clashes: string[] = [];
    for (const ns of t.namespaces ?? []) {
      const l = live.namespaces.find((n) => n.name === ns.name);
      if (!l) continue;
      if (l.owner && l.owner !== t.name) clashes.push(`namespace '${ns.name}' is owned by '${l.owner}'`);
      else if (!l.owner) addStep({ op: 'link-set', ns: ns.name, name: 'lo', alias: tag });
    }
    for (const f of buildIndex(t).ifaces) {
      const ln = f.scope === null ? live.host : live.namespaces.find((n) => n.name === f.scope);
      const l = ln?.links.find((x) => x.name === f.name);
      if (!l) continue;
      if (l.owner && l.owner !== t.name) clashes.push(`interface '${f.name}' is owned by '${l.owner}'`);
      else if (!l.owner) addStep({ op: 'link-set', ns: f.scope, name: f.name, alias: tag });
    }
    if (clashes.length) fail('adopt-refused', clashes.join('; '));
    const r = await execute(steps, { runner });
    if (!r.ok) stepFailed('adopt failed: ', r.failure!);
    return { adopted: steps.map((s) => s.summary) };
  });
};
