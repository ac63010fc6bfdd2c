/**
 * The helper's own code run inside this process, for the CLI when it already runs as root: the
 * same server, runner and request checks as the helper process (requests still go through its
 * JSON lines), without starting a second Node (about 0.25 s per command here). Root calling
 * root crosses no privilege boundary; a CLI run by a user still starts the helper through sudo
 * or pkexec. The VS Code extension never uses this (its helper is a separate process).
 */
import { serverHooks } from '../helper/hooks.js';
import { createSystemRunner } from '../helper/runner.js';
import { createServer } from '../helper/server.js';
import { connect, type HelperClient } from './helper-client.js';

export function startInProcessHelper(env: Record<string, string | undefined>): Promise<HelperClient> {
  let deliver: (line: string) => void = () => {};
  let closed = false;
  let gone: (why: string) => void = () => {};
  const exited = new Promise<string>((r) => { gone = r; });
  const pending = new Set<Promise<void>>();
  const server = createServer({ runner: createSystemRunner(), send: (r) => deliver(JSON.stringify(r)), ...serverHooks(env) });
  return connect({
    pid: process.pid,
    write(line) {
      if (closed) return;
      const p = server.onLine(line.replace(/\n$/, '')).finally(() => pending.delete(p));
      pending.add(p);
    },
    onLines(d) { deliver = d; },
    exited,
    async close() {
      closed = true;
      // like the helper process when its input ends: stop watches and captures, let requests answer
      await server.close();
      await Promise.allSettled([...pending]);
      gone('the helper was closed');
    },
  });
}

/** the helper's `--exec` mode in this process (the CLI already runs as root) */
export { runExecMode } from '../helper/exec-mode.js';
