/**
 * Starts the privileged helper and talks to it. Root runs it directly; a user goes through
 * `sudo -n` (a sudoers drop-in that allows exactly the helper) or pkexec (a polkit dialog).
 */
import { statSync } from 'node:fs';
import { execa, type ResultPromise } from 'execa';
import type { LiveEvent } from '../core/observe/monitor.js';
import { systemPathFs } from './path-fs.js';
import { pkexecProblems } from './privilege.js';
import type { Topology } from '../core/model/model.js';
import { OPS, PROTOCOL_VERSION, type AdoptDone, type AdoptPreview, type HelperError, type Op, type ParamsOf, type Response, type ResultOf } from '../helper/protocol.js';

export type Elevation = 'auto' | 'direct' | 'sudo' | 'pkexec';

export interface HelperOptions {
  helperPath: string;
  elevation?: Elevation;
  /** node binary for the helper (default: this process's) */
  nodePath?: string;
  /** extra environment for a directly started helper (tests: NETNS_LAB_FAULT_AT) */
  env?: Record<string, string>;
}

export class HelperFailure extends Error {
  constructor(readonly error: HelperError) { super(error.message); }
}

export interface Progress { done: number; total: number; message: string }

/** operations that answer once; watch and capture stream until stopped (unwatch) */
export type CallOp = Exclude<Op, 'watch' | 'capture' | 'unwatch'>;
const STREAM_OPS: readonly Op[] = ['watch', 'capture', 'unwatch'];
/** the protocol's operation names as methods: link-state -> linkState */
type Camel<S extends string> = S extends `${infer A}-${infer B}` ? `${A}${Capitalize<Camel<B>>}` : S;
type ArgsOf<K extends CallOp> = Partial<ParamsOf<K>> extends ParamsOf<K>
  ? [params?: ParamsOf<K>, onProgress?: (p: Progress) => void]
  : [params: ParamsOf<K>, onProgress?: (p: Progress) => void];
/**
 * One typed method per operation of the helper protocol (src/helper/protocol.ts OPS): its
 * parameters and its result are the protocol's own types, so a wrong one does not compile.
 */
export type HelperApi = { [K in Exclude<CallOp, 'adopt'> as Camel<K>]: (...args: ArgsOf<K>) => Promise<ResultOf<K>> } & {
  /** adopt in two steps: the preview, then the adoption of exactly what it showed (its digest) */
  adopt(params: { topology: Topology; preview: true }, onProgress?: (p: Progress) => void): Promise<AdoptPreview>;
  adopt(params: { topology: Topology; expect: { digest: string } }, onProgress?: (p: Progress) => void): Promise<AdoptDone>;
};
/** how a HelperApi sends one request */
export type Call = <K extends CallOp>(op: K, params: ParamsOf<K> | undefined, onProgress?: (p: Progress) => void) => Promise<ResultOf<K>>;

const camel = (op: string) => op.replace(/-([a-z])/g, (_, c: string) => c.toUpperCase());

/** the typed methods over one way of sending a request (a connection; a session that restarts its helper) */
export function helperApi(call: Call): HelperApi {
  const api: Record<string, unknown> = {};
  for (const op of Object.keys(OPS) as Op[]) {
    if (STREAM_OPS.includes(op)) continue;
    api[camel(op)] = (params?: ParamsOf<CallOp>, onProgress?: (p: Progress) => void) => call(op as CallOp, params, onProgress);
  }
  return api as HelperApi;
}

export interface HelperClient extends HelperApi {
  /** the same requests by operation name (for wrappers such as a session that restarts its helper) */
  readonly call: Call;
  /** stream live events until stop() */
  watch(onEvent: (e: LiveEvent) => void): { stop(): Promise<void>; done: Promise<unknown> };
  /** tcpdump output (text lines, or base64 pcap chunks) until stop() */
  capture(params: ParamsOf<'capture'>, onData: (data: string) => void): { stop(): Promise<void>; done: Promise<unknown> };
  /** asks the helper to stop every apply and destroy of this connection before its next group of steps (they answer `cancelled`) */
  cancelRunning(): Promise<void>;
  close(): Promise<void>;
  readonly pid: number | undefined;
}

/**
 * The node binary for an elevated helper: a root-owned system node (the one the sudoers rule
 * names), not this process's own binary: under VS Code desktop that is Electron, under
 * Remote-SSH the server's private node, and neither matches the rule (or should run as root).
 */
export function systemNode(isRootOwned: (p: string) => boolean = rootOwned): string {
  for (const p of ['/usr/bin/node', '/usr/local/bin/node']) if (isRootOwned(p)) return p;
  return process.execPath;
}
function rootOwned(p: string): boolean {
  try { return statSync(p).uid === 0; } catch { return false; }
}

/** the ways to start the helper, in the order they are tried */
export function helperCommands(opts: HelperOptions, env: NodeJS.ProcessEnv = process.env, uid = process.getuid?.()): string[][] {
  const how = opts.elevation ?? 'auto';
  const elevated = !(how === 'direct' || (how === 'auto' && uid === 0));
  const node = opts.nodePath ?? (elevated ? systemNode() : process.execPath);
  const direct = [node, opts.helperPath];
  const sudo = ['sudo', '-n', '--', node, opts.helperPath];
  const pkexec = ['pkexec', node, opts.helperPath];
  if (!elevated) return [direct];
  if (how === 'sudo') return [sudo];
  if (how === 'pkexec') return [pkexec];
  // a polkit dialog needs a graphical session to show in
  return env.DISPLAY || env.WAYLAND_DISPLAY ? [sudo, pkexec] : [sudo];
}

export async function startHelper(opts: HelperOptions): Promise<HelperClient> {
  const reasons: string[] = [];
  for (const cmd of helperCommands(opts)) {
    try {
      return await spawnHelper(cmd, opts);
    } catch (e) {
      if (!(e instanceof HelperFailure) || e.error.code !== 'helper-exited') throw e;
      reasons.push(e.message);
    }
  }
  throw new HelperFailure({
    code: 'no-privilege',
    message: `Netns Lab needs root to change the network and could not start its helper: ${reasons.join('; ')}. `
      + 'Run as root, or install the helper rule for sudo (docs/privilege.md), or use pkexec in a desktop session.',
  });
}

async function spawnHelper(argv: string[], opts: HelperOptions): Promise<HelperClient> {
  // pkexec would run whatever file is there as root: only a node and helper that are root's alone
  const unsafe = pkexecProblems(argv, systemPathFs);
  if (unsafe.length) throw new HelperFailure({ code: 'helper-exited', message: `pkexec was not used: ${unsafe.join('; ')} (install the helper: "Netns: Install Privileged Helper", docs/privilege.md)` });
  const [cmd] = argv;
  const direct = cmd === (opts.nodePath ?? process.execPath);
  return connect(processTransport(argv, direct && opts.env ? opts.env : undefined, (r, stderr) => (r.exitCode === 0 ? 'the helper exited' : elevationHint(cmd!, r, stderr))));
}

/** what a helper's process left when it ended: its exit and the tail of its stderr */
export type ExitExplainer = (r: { exitCode?: number; failed: boolean; code?: string; signal?: string }, stderr: string) => string;

/** a helper process's stdin/stdout as a line transport (a local helper, or ssh to a remote one) */
export function processTransport(argv: string[], env: Record<string, string> | undefined, explain: ExitExplainer): LineTransport & { kill(): void } {
  const [cmd, ...args] = argv;
  const child: ResultPromise = execa(cmd!, args, {
    stdin: 'pipe', stdout: 'pipe', stderr: 'pipe', buffer: false, reject: false,
    ...(env ? { env } : {}),
  });
  let stderr = '';
  child.stderr!.on('data', (d: Buffer) => { stderr = (stderr + d.toString()).slice(-8192); });
  // a peer that went away (ssh dropped) must not crash this process with EPIPE
  child.stdin!.on('error', () => undefined);
  return {
    pid: child.pid,
    write: (line) => { child.stdin!.write(line); },
    onLines: (deliver) => {
      let buf = '';
      child.stdout!.on('data', (d: Buffer) => {
        buf += d.toString();
        let nl: number;
        while ((nl = buf.indexOf('\n')) >= 0) {
          const line = buf.slice(0, nl);
          buf = buf.slice(nl + 1);
          deliver(line);
        }
      });
    },
    exited: child.then((r) => explain(r as Parameters<ExitExplainer>[0], stderr)),
    close: async () => { child.stdin!.end(); await child; },
    kill: () => { child.kill('SIGTERM'); },
  };
}

/** how a client reaches a helper: JSON lines both ways */
export interface LineTransport {
  pid: number | undefined;
  /** send one request line (with its newline) */
  write(line: string): void;
  /** register the receiver of every answer line (without its newline) */
  onLines(deliver: (line: string) => void): void;
  /** resolves with the reason when the helper is gone */
  exited: Promise<string>;
  close(): Promise<void>;
}

/** the client side of the helper protocol over a line transport; says hello before it returns */
export async function connect(t: LineTransport): Promise<HelperClient> {
  let nextId = 1;
  const waiting = new Map<number, { op?: Op; resolve: (v: unknown) => void; reject: (e: Error) => void; onProgress?: (p: Progress) => void; onLive?: (e: LiveEvent) => void; onData?: (d: string) => void }>();
  let dead: Error | undefined;
  t.onLines((line) => {
    let msg: Response;
    try { msg = JSON.parse(line) as Response; } catch { return; }
    if (msg.id === null) return;
    const w = waiting.get(msg.id);
    if (!w) return;
    if ('event' in msg) {
      if (msg.event === 'live') w.onLive?.(msg.change);
      else if (msg.event === 'capture') w.onData?.(msg.data);
      else w.onProgress?.({ done: msg.done, total: msg.total, message: msg.message });
      return;
    }
    waiting.delete(msg.id);
    if (msg.ok) w.resolve(msg.result); else w.reject(new HelperFailure(msg.error));
  });
  void t.exited.then((why) => {
    dead = new HelperFailure({ code: 'helper-exited', message: why });
    for (const w of waiting.values()) w.reject(dead);
    waiting.clear();
  });
  /** one request: its final answer, progress events on the way */
  function send<T>(req: { op: Op } & Record<string, unknown>, handlers: { onProgress?: (p: Progress) => void; onLive?: (e: LiveEvent) => void; onData?: (d: string) => void }, id = nextId++): Promise<T> {
    if (dead) return Promise.reject(dead);
    return new Promise<T>((resolve, reject) => {
      waiting.set(id, { op: req.op, resolve: resolve as (v: unknown) => void, reject, ...handlers });
      t.write(JSON.stringify({ v: PROTOCOL_VERSION, id, ...req }) + '\n');
    });
  }
  const call: Call = (op, params, onProgress) => send({ op, ...params }, onProgress ? { onProgress } : {});
  /** a request that stays open, sending events, until it is stopped with unwatch */
  function openStream(req: { op: 'watch' | 'capture' } & Record<string, unknown>, handlers: { onLive?: (e: LiveEvent) => void; onData?: (d: string) => void }) {
    const id = nextId++;
    const done = send<unknown>(req, handlers, id);
    done.catch(() => undefined);
    return {
      done,
      stop: async () => { if (!dead && waiting.has(id)) await send({ op: 'unwatch', watch: id }, {}).catch(() => undefined); await done.catch(() => undefined); },
    };
  }
  const client: HelperClient = {
    ...helperApi(call),
    call,
    pid: t.pid,
    watch(onLive) {
      return openStream({ op: 'watch' }, { onLive });
    },
    capture(params, onData) {
      return openStream({ op: 'capture', ...params }, { onData });
    },
    async cancelRunning() {
      const ids = [...waiting].filter(([, w]) => w.op === 'apply' || w.op === 'destroy').map(([id]) => id);
      await Promise.all(ids.map((request) => send({ op: 'cancel', request }, {}).catch(() => undefined)));
    },
    close: () => t.close(),
  };
  await client.hello();
  return client;
}

function elevationHint(cmd: string, r: { exitCode?: number; failed: boolean; code?: string }, stderr: string): string {
  const tail = stderr.trim().split('\n').slice(-3).join(' ');
  // ENOENT, or EACCES when PATH holds a directory this user cannot search
  if (r.code === 'ENOENT' || r.code === 'EACCES') return `${cmd} is not installed (or not executable for this user)`;
  if (cmd === 'sudo') {
    return /password is required|may not run|not allowed|not in the sudoers/i.test(tail)
      ? `sudo -n refused (${tail}): the helper rule is not installed`
      : `sudo -n failed (exit ${r.exitCode ?? '?'}${tail ? `: ${tail}` : ''})`;
  }
  if (cmd === 'pkexec') return `pkexec did not start the helper (exit ${r.exitCode ?? '?'}${tail ? `: ${tail}` : ': authentication refused or no polkit agent'})`;
  return `the helper exited with code ${r.exitCode ?? '?'}${tail ? `: ${tail}` : ''}`;
}
