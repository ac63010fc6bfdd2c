/**
 * link-state and remove: a change to one object the tool owns (anything else is refused before
 * any process runs). Its owner's lock is taken first, and the object is looked at again inside
 * it: the check and the change see the same object (an apply or destroy of its topology cannot
 * replace it in between: a look outside the lock would only pick which lock to take).
 */
import { summarize } from '../../core/plan/render.js';
import { Phase, type Step } from '../../core/plan/steps.js';
import { execute } from '../execute.js';
import { pruneIntent } from '../journal.js';
import { withLock } from '../lock.js';
import { observe } from '../observe.js';
import type { RequestOf } from '../protocol.js';
import type { Runner } from '../runner.js';
import { fail, stepFailed, type Handler, type OpContext } from './context.js';

type OwnedRequest = RequestOf<'link-state' | 'remove'>;

/** the object's owner now and the steps that make the change */
async function look(runner: Runner, req: OwnedRequest): Promise<{ owner: string; steps: Step[] }> {
  const live = await observe(runner, { namespaces: req.ns === null ? [] : [req.ns] });
  const ns = req.ns === null ? live.host : live.namespaces.find((n) => n.name === req.ns);
  if (!ns) fail('not-found', `there is no namespace '${req.ns}'`);
  if (req.op === 'remove' && req.name === undefined) {
    if (req.ns === null) fail('bad-request', 'the host cannot be removed');
    if (!ns.owner) fail('not-owned', `namespace '${req.ns}' was not made by netns-lab; it is left alone`);
    return { owner: ns.owner, steps: [{ op: 'netns-del', name: req.ns }, ...(ns.resolvConf ? [{ op: 'dns-remove', ns: req.ns } as Step] : [])] };
  }
  const l = ns.links.find((x) => x.name === req.name);
  if (!l) fail('not-found', `there is no interface '${req.name}' in ${req.ns ?? 'the host'}`);
  if (!l.owner) fail('not-owned', `interface '${req.name}' was not made by netns-lab; it is left alone`);
  return { owner: l.owner, steps: req.op === 'remove' ? [{ op: 'link-del', ns: req.ns, name: req.name! }] : [{ op: 'link-set', ns: req.ns, name: req.name, up: req.up }] };
}

async function ownedChange(req: OwnedRequest, ctx: OpContext): Promise<{ owner: string; done: string[] }> {
  const { runner } = ctx;
  const { owner } = await look(runner, req);
  return withLock(runner, `topology/${owner}`, ctx.lockWaitMs, () => {}, async () => {
    const now = await look(runner, req);
    if (now.owner !== owner) fail('changed', `the object changed owner while waiting for '${owner}' (now '${now.owner}'); nothing was changed, try again`);
    const r = await execute(now.steps.map((step) => ({ phase: Phase.Configure, step, summary: summarize(step) })), { runner });
    if (!r.ok) stepFailed('', r.failure!);
    // a removed object: no journal entry may vouch for it (or for one made later by that name)
    if (req.op === 'remove') await pruneIntent(runner, owner);
    return { owner, done: now.steps.map((s) => summarize(s)) };
  });
}

export const linkState: Handler<'link-state'> = (req, ctx) => ownedChange(req, ctx);
export const remove: Handler<'remove'> = (req, ctx) => ownedChange(req, ctx);
