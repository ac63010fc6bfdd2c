/**
 * Stop one service of a topology (the Namespaces view's Stop, issue 16): under the topology's
 * lock, its supervisor first (so nothing restarts it), then its process group, then its files.
 * A service the file names, or one a record still holds (removed from the file since): nothing
 * else. Stopping runs nothing, so it needs no root approval; Start is a `restart`.
 */
import { withLock } from '../lock.js';
import { serviceBackend, type BackendDeps } from '../service-backend.js';
import { backendDeps } from '../workload-steps.js';
import { fail, validTopology, type Handler, type OpContext } from './context.js';
import type { RequestOf, ResultOf } from '../protocol.js';

/** the handler over injected supervision (tests pass a fake /proc; no choice in d: the own supervisor) */
export async function stopOne(req: RequestOf<'service-stop'>, ctx: OpContext, d: BackendDeps): Promise<ResultOf<'service-stop'>> {
  const t = validTopology(req.topology);
  const id = { topology: t.name, ns: req.ns, name: req.name };
  const inFile = t.namespaces?.find((n) => n.name === req.ns)?.services?.some((s) => s.name === req.name);
  const waiting = () => ctx.progress(`waiting for another apply of '${t.name}' to finish`);
  const services = serviceBackend(d);
  return withLock(ctx.runner, `topology/${t.name}`, ctx.lockWaitMs, waiting, async () => {
    const recorded = await services.known(id);
    if (!inFile && !recorded) fail('not-found', `topology '${t.name}' has no service '${req.name}' in ${req.ns}`);
    ctx.progress(`stopping service ${req.name} in ${req.ns}`);
    try {
      const r = await services.stop(id);
      return { stopped: recorded, ...(r.pid !== undefined ? { pid: r.pid } : {}) };
    } catch (e) {
      return fail('step-failed', `stopping service '${req.name}' in ${req.ns}: ${(e as Error).message}`);
    }
  });
}

export const serviceStop: Handler<'service-stop'> = async (req, ctx) => stopOne(req, ctx, await backendDeps(ctx.runner));
