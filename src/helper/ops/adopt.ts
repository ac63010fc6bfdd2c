/**
 * adopt (import --adopt), in two steps: a preview of what it would take, then the adoption of
 * exactly that (its digest). The rules are core/adopt.ts; the facts and the tags, helper/adopt.ts.
 */
import { AdoptError, callerOf, previewAdopt, runAdopt } from '../adopt.js';
import { withLock } from '../lock.js';
import { fail, validTopology, type Handler } from './context.js';

export const adopt: Handler<'adopt'> = async (req, ctx) => {
  const t = validTopology(req.topology);
  const { runner } = ctx;
  if (!req.preview && !req.expect) fail('bad-request', 'adopt needs the digest of its preview (expect.digest): ask with preview: true first');
  return withLock(runner, `topology/${t.name}`, ctx.lockWaitMs, () => {}, async () => {
    try {
      if (req.preview) { const { take, refuse, clashes, lines, digest } = await previewAdopt(runner, t, callerOf(process.env)); return { take, refuse, clashes, lines, digest }; }
      return await runAdopt(runner, t, callerOf(process.env), req.expect!.digest);
    } catch (e) { if (e instanceof AdoptError) fail(e.code, e.message); throw e; }
  });
};
