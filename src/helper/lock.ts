/**
 * Locks that the kernel releases when the holder dies: a bound abstract unix socket. Binding
 * the same abstract name twice fails with EADDRINUSE, so no stale lock file can ever remain.
 * (Abstract sockets belong to the network namespace: the helper always runs in the host's.)
 */
import { createServer, type Server } from 'node:net';

export class LockBusy extends Error {}

function tryBind(name: string): Promise<Server | undefined> {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.once('error', (e: NodeJS.ErrnoException) => (e.code === 'EADDRINUSE' ? resolve(undefined) : reject(e)));
    srv.listen({ path: `\0netns-lab/${name}` }, () => resolve(srv));
  });
}

export async function withLock<T>(name: string, waitMs: number, onWait: () => void, fn: () => Promise<T>): Promise<T> {
  const deadline = Date.now() + waitMs;
  let srv = await tryBind(name);
  if (!srv) onWait();
  while (!srv) {
    if (Date.now() >= deadline) throw new LockBusy(`'${name}' is locked by another netns-lab process (an apply or destroy of the same topology is running); waited ${Math.round(waitMs / 1000)} s`);
    await new Promise((r) => setTimeout(r, 100));
    srv = await tryBind(name);
  }
  try {
    return await fn();
  } finally {
    srv.close();
  }
}
