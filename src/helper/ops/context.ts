/**
 * What every operation's handler gets: the runner, its request's progress and event channel,
 * the test hooks, and the streams (watches and captures) open on this connection. A handler
 * refuses with fail(code, message): the dispatcher turns that into the one error answer.
 */
import { hasErrors } from '../../core/model/diagnostics.js';
import type { Topology } from '../../core/model/model.js';
import { validateValue } from '../../core/model/validate.js';
import type { StepFailure } from '../execute.js';
import type { HelperError, HelperErrorCode, Op, RequestOf, Response, ResultOf } from '../protocol.js';
import type { Runner } from '../runner.js';
import type { Streams } from './registry.js';

export interface OpContext {
  runner: Runner;
  /** a progress event of this request (done/total 0: a message without a count) */
  progress(message: string, done?: number, total?: number): void;
  /** a stream event of this request (watch: live changes; capture: data) */
  emit(event: { event: 'live'; change: Extract<Response, { event: 'live' }>['change'] } | { event: 'capture'; data: string }): void;
  /** test hooks: fail at / SIGKILL before this step index of an apply or destroy */
  hooks: { faultAt?: number; killAt?: number };
  /** the longest a request waits for a topology's lock */
  lockWaitMs: number;
  streams: Streams;
  /** whether this request was cancelled (an apply or destroy then stops before its next group of steps) */
  cancelled(): boolean;
  /** cancel a running request of this connection: false when none with that id runs */
  cancel(request: number): boolean;
}

/** one operation: its request (checked against its schema) in, its result out */
export type Handler<K extends Op> = (req: RequestOf<K>, ctx: OpContext) => Promise<ResultOf<K>>;
export type Handlers = { [K in Op]: Handler<K> };

export class RequestError extends Error {
  constructor(readonly detail: HelperError) { super(detail.message); }
}

export function fail(code: HelperErrorCode, message: string, extra: Partial<HelperError> = {}): never {
  throw new RequestError({ code, message, ...extra });
}

/** a failed step of an execute: step-failed, with the step's argv and the kernel's message */
export function stepFailed(prefix: string, f: StepFailure): never {
  fail('step-failed', `${prefix}${f.argv.join(' ')}: ${f.kernel}`, { ...f });
}

/** the topology of a request, validated again here with the same schemas and checks */
export function validTopology(value: unknown): Topology {
  const v = validateValue(value);
  if (!v.topology || hasErrors(v.diagnostics)) {
    fail('invalid-topology', `the topology is invalid: ${v.diagnostics.filter((d) => d.severity === 'error').slice(0, 5).map((d) => `${d.code} at ${d.path.join('.')}: ${d.message}`).join('; ')}`, { diagnostics: v.diagnostics });
  }
  return v.topology;
}
