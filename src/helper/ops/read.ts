/** Operations that only read: hello (who answers) and observe (the live state). */
import { observe as observeLive } from '../observe.js';
import { PROTOCOL_VERSION } from '../protocol.js';
import { PATH_HOST_SYSCTLS } from '../../core/diagnose/path-walk.js';
import type { Handler } from './context.js';

export const hello: Handler<'hello'> = async () => {
  // test hook for the soak (test/soak/soak.ts): only a helper started with --expose-gc has
  // gc(); it then collects its garbage first and reports the heap that is really in use
  const gc = (globalThis as { gc?: () => void }).gc;
  if (gc) gc();
  return { protocol: PROTOCOL_VERSION, pid: process.pid, uid: process.getuid?.() ?? -1, ...(gc ? { heapUsed: process.memoryUsage().heapUsed } : {}) };
};

export const observe: Handler<'observe'> = (req, ctx) =>
  observeLive(ctx.runner, { ...(req.namespaces ? { namespaces: req.namespaces } : {}), ...(req.forwarding ? { forwarding: true, hostSysctls: PATH_HOST_SYSCTLS } : {}) });
