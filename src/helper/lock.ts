/**
 * The helper's locks (per topology; ip-forward): taken through the runner, whose locks only
 * root can take and the kernel drops when the holder dies (flock.ts). A runner without locks
 * (the recording runners of unit tests) gets locks held within this process.
 */
import { LockBusy, busyMessage, type Held } from './flock.js';
import type { Runner } from './runner.js';

export { LockBusy };

const heldHere = new Set<string>();

async function processLock(name: string, waitMs: number, onBusy: (holder: string | undefined) => void): Promise<Held> {
  const deadline = Date.now() + waitMs;
  if (heldHere.has(name)) onBusy(`pid ${process.pid} (this process)`);
  while (heldHere.has(name)) {
    if (Date.now() >= deadline) throw new LockBusy(busyMessage(name, waitMs, `pid ${process.pid} (this process)`));
    await new Promise((r) => setTimeout(r, 20));
  }
  heldHere.add(name);
  return { release: async () => { heldHere.delete(name); } };
}

/** run fn holding the lock `name`; onWait(holder) once when another process holds it */
export async function withLock<T>(runner: Pick<Runner, 'lock'>, name: string, waitMs: number, onWait: (holder: string | undefined) => void, fn: () => Promise<T>): Promise<T> {
  const held = runner.lock ? await runner.lock(name, waitMs, onWait) : await processLock(name, waitMs, onWait);
  try {
    return await fn();
  } finally {
    await held.release();
  }
}
