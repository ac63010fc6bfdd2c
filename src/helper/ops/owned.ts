/** link-state and remove: a change to one object the tool owns; anything else is refused before any process runs. */
import { summarize } from '../../core/render.js';
import { Phase, type Step } from '../../core/steps.js';
import { execute } from '../execute.js';
import { withLock } from '../lock.js';
import { observe } from '../observe.js';
import type { RequestOf } from '../protocol.js';
import { fail, stepFailed, type Handler, type OpContext } from './context.js';

async function ownedChange(req: RequestOf<'link-state' | 'remove'>, ctx: OpContext): Promise<{ owner: string; done: string[] }> {
  const live = await observe(ctx.runner, { namespaces: req.ns === null ? [] : [req.ns] });
  const ns = req.ns === null ? live.host : live.namespaces.find((n) => n.name === req.ns);
  if (!ns) fail('not-found', `there is no namespace '${req.ns}'`);
  let steps: Step[];
  let owner: string | undefined;
  if (req.op === 'remove' && req.name === undefined) {
    if (req.ns === null) fail('bad-request', 'the host cannot be removed');
    owner = ns.owner;
    if (!owner) fail('not-owned', `namespace '${req.ns}' was not made by netns-lab; it is left alone`);
    steps = [{ op: 'netns-del', name: req.ns! }, ...(ns.resolvConf ? [{ op: 'dns-remove', ns: req.ns! } as Step] : [])];
  } else {
    const l = ns.links.find((x) => x.name === req.name);
    if (!l) fail('not-found', `there is no interface '${req.name}' in ${req.ns ?? 'the host'}`);
    owner = l.owner;
    if (!owner) fail('not-owned', `interface '${req.name}' was not made by netns-lab; it is left alone`);
    steps = req.op === 'remove' ? [{ op: 'link-del', ns: req.ns, name: req.name! }] : [{ op: 'link-set', ns: req.ns, name: req.name, up: req.up }];
  }
  const who = owner;
  return withLock(`topology/${who}`, ctx.lockWaitMs, () => {}, async () => {
    const r = await execute(steps.map((step) => ({ phase: Phase.Configure, step, summary: summarize(step) })), { runner: ctx.runner });
    if (!r.ok) stepFailed('', r.failure!);
    return { owner: who, done: steps.map((s) => summarize(s)) };
  });
}

export const linkState: Handler<'link-state'> = (req, ctx) => ownedChange(req, ctx);
export const remove: Handler<'remove'> = (req, ctx) => ownedChange(req, ctx);
