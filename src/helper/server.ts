/**
 * The helper's request handling. It trusts no caller: every line is size-limited, parsed,
 * checked against the versioned Request schema; topologies are validated again with the same
 * schemas and semantic checks; plans are computed here from a fresh observation, never taken
 * from the caller; only typed steps are executed. This file is the dispatcher: one line in,
 * one answer out; each operation's handler lives in src/helper/ops/.
 */
import { LockBusy } from './lock.js';
import { HANDLERS } from './ops/index.js';
import { RequestError, fail, type OpContext } from './ops/context.js';
import { Streams } from './ops/registry.js';
import { MAX_REQUEST_BYTES, PROTOCOL_VERSION, Request, type HelperError, type Response } from './protocol.js';
import type { Runner } from './runner.js';

export interface ServerOptions {
  runner: Runner;
  send: (r: Response) => void;
  faultAt?: number;
  /** test hook: SIGKILL the helper before this step index of an apply or destroy */
  killAt?: number;
  lockWaitMs?: number;
}

/** the request a line holds, or a RequestError naming why it is none */
function parseRequest(line: string, setId: (id: number) => void): Request {
  let msg: unknown;
  try { msg = JSON.parse(line); } catch { fail('bad-json', 'request is not valid JSON'); }
  if (msg && typeof msg === 'object' && Number.isSafeInteger((msg as { id?: unknown }).id)) setId((msg as { id: number }).id);
  if (msg && typeof msg === 'object' && (msg as { v?: unknown }).v !== PROTOCOL_VERSION) {
    fail('bad-version', `protocol version ${JSON.stringify((msg as { v?: unknown }).v)} is not supported; this helper speaks ${PROTOCOL_VERSION}`);
  }
  const parsed = Request.safeParse(msg);
  if (!parsed.success) {
    const iss = parsed.error.issues[0]!;
    fail('bad-request', `invalid request at ${iss.path.join('.') || '(root)'}: ${iss.message}`);
  }
  return parsed.data;
}

function errorOf(e: unknown): HelperError {
  return e instanceof RequestError ? e.detail
    : e instanceof LockBusy ? { code: 'locked', message: e.message }
      : { code: 'internal', message: (e as Error).message };
}

export function createServer(opts: ServerOptions) {
  const { runner, send } = opts;
  const streams = new Streams();
  /** the requests running now, and those of them asked to stop (cancel) */
  const running = new Set<number>();
  const stopping = new Set<number>();
  const hooks = { ...(opts.faultAt !== undefined ? { faultAt: opts.faultAt } : {}), ...(opts.killAt !== undefined ? { killAt: opts.killAt } : {}) };
  const contextOf = (id: number): OpContext => ({
    runner, hooks, streams, lockWaitMs: opts.lockWaitMs ?? 30_000,
    progress: (message, done = 0, total = 0) => send({ v: PROTOCOL_VERSION, id, event: 'progress', done, total, message }),
    emit: (ev) => send({ v: PROTOCOL_VERSION, id, ...ev }),
    cancelled: () => stopping.has(id),
    cancel: (request) => { if (!running.has(request) || request === id) return false; stopping.add(request); return true; },
  });

  /** handle one raw line; always answers exactly once */
  async function onLine(line: string): Promise<void> {
    let id: number | null = null;
    try {
      const req = parseRequest(line, (n) => { id = n; });
      const handle = HANDLERS[req.op] as (r: Request, ctx: OpContext) => Promise<unknown>;
      running.add(req.id);
      const result = await handle(req, contextOf(req.id));
      send({ v: PROTOCOL_VERSION, id, ok: true, result });
    } catch (e) {
      send({ v: PROTOCOL_VERSION, id, ok: false, error: errorOf(e) });
    } finally {
      if (id !== null) { running.delete(id); stopping.delete(id); }
    }
  }

  /** stop every watch and capture, waiting for their processes to end (their requests then answer) */
  const close = (): Promise<void> => streams.close();

  return { onLine, close, MAX_REQUEST_BYTES };
}
