/**
 * Starts the privileged helper and talks to it. Root runs it directly; a user goes through
 * `sudo -n` (a sudoers drop-in that allows exactly the helper) or pkexec (a polkit dialog).
 */
import { execa, type ResultPromise } from 'execa';
import { PROTOCOL_VERSION, type HelperError, type Response } from '../helper/protocol.js';

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

export interface HelperClient {
  request<T>(op: string, params?: Record<string, unknown>, onProgress?: (p: Progress) => void): Promise<T>;
  close(): Promise<void>;
  readonly pid: number | undefined;
}

export function helperCommand(opts: HelperOptions): string[] {
  const node = opts.nodePath ?? process.execPath;
  const isRoot = process.getuid?.() === 0;
  const how = opts.elevation ?? 'auto';
  if (how === 'direct' || (how === 'auto' && isRoot)) return [node, opts.helperPath];
  if (how === 'pkexec') return ['pkexec', node, opts.helperPath];
  return ['sudo', '-n', '--', node, opts.helperPath];
}

export async function startHelper(opts: HelperOptions): Promise<HelperClient> {
  const [cmd, ...args] = helperCommand(opts);
  const direct = cmd === (opts.nodePath ?? process.execPath);
  const child: ResultPromise = execa(cmd!, args, {
    stdin: 'pipe', stdout: 'pipe', stderr: 'pipe', buffer: false, reject: false,
    ...(direct && opts.env ? { env: opts.env } : {}),
  });
  let nextId = 1;
  const waiting = new Map<number, { resolve: (v: unknown) => void; reject: (e: Error) => void; onProgress?: (p: Progress) => void }>();
  let stderr = '';
  let dead: Error | undefined;
  child.stderr!.on('data', (d: Buffer) => { stderr = (stderr + d.toString()).slice(-8192); });
  let buf = '';
  child.stdout!.on('data', (d: Buffer) => {
    buf += d.toString();
    let nl: number;
    while ((nl = buf.indexOf('\n')) >= 0) {
      const line = buf.slice(0, nl);
      buf = buf.slice(nl + 1);
      let msg: Response;
      try { msg = JSON.parse(line) as Response; } catch { continue; }
      if (msg.id === null) continue;
      const w = waiting.get(msg.id);
      if (!w) continue;
      if ('event' in msg) { w.onProgress?.({ done: msg.done, total: msg.total, message: msg.message }); continue; }
      waiting.delete(msg.id);
      if (msg.ok) w.resolve(msg.result); else w.reject(new HelperFailure(msg.error));
    }
  });
  void child.then((r) => {
    const why = r.exitCode === 0 ? 'the helper exited' : elevationHint(cmd!, r.exitCode, stderr);
    dead = new HelperFailure({ code: 'helper-exited', message: why });
    for (const w of waiting.values()) w.reject(dead);
    waiting.clear();
  });
  const client: HelperClient = {
    pid: child.pid,
    request<T>(op: string, params: Record<string, unknown> = {}, onProgress?: (p: Progress) => void): Promise<T> {
      if (dead) return Promise.reject(dead);
      const id = nextId++;
      return new Promise<T>((resolve, reject) => {
        waiting.set(id, { resolve: resolve as (v: unknown) => void, reject, ...(onProgress ? { onProgress } : {}) });
        child.stdin!.write(JSON.stringify({ v: PROTOCOL_VERSION, id, op, ...params }) + '\n');
      });
    },
    async close() {
      child.stdin!.end();
      await child;
    },
  };
  await client.request('hello');
  return client;
}

function elevationHint(cmd: string, code: number | undefined, stderr: string): string {
  const tail = stderr.trim().split('\n').slice(-3).join(' ');
  if (cmd === 'sudo') {
    return `could not start the privileged helper with sudo -n (exit ${code}): ${tail || 'no output'}. Run as root, or install the sudoers rule (docs/privilege.md), or set elevation to pkexec.`;
  }
  if (cmd === 'pkexec') return `pkexec did not start the helper (exit ${code}): ${tail || 'authentication refused or no polkit agent'}`;
  return `the helper exited with code ${code}: ${tail}`;
}
