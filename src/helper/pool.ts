/** The worker pool every part of the helper runs its processes through. */

/**
 * Run fn over items with at most n at a time. After the first failure no new item starts;
 * the ones already running are awaited, then the first error is thrown (so nothing is still
 * changing the system once a failure is reported and the lock is released).
 */
export async function pool<T, R>(items: T[], n: number, fn: (t: T) => Promise<R>): Promise<R[]> {
  const out = new Array<R>(items.length);
  let next = 0;
  let failed: { error: unknown } | undefined;
  await Promise.all(Array.from({ length: Math.min(n, items.length) }, async () => {
    while (next < items.length && !failed) {
      const i = next++;
      try {
        out[i] = await fn(items[i]!);
      } catch (error) {
        failed ??= { error };
      }
    }
  }));
  if (failed) throw failed.error;
  return out;
}

/** wait for all (nothing may still be changing the system when a failure is reported), then throw the first failure */
export async function settleAll(ps: Promise<unknown>[]): Promise<void> {
  const rs = await Promise.allSettled(ps);
  const bad = rs.find((r): r is PromiseRejectedResult => r.status === 'rejected');
  if (bad) throw bad.reason;
}
