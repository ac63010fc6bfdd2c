/**
 * Test hooks of the helper, read from its environment and ignored unless set (sudo and pkexec
 * drop them from the environment anyway): fail at a step index (NETNS_LAB_FAULT_AT), SIGKILL
 * itself before a step index (NETNS_LAB_KILL_AT), how long to wait for a lock
 * (NETNS_LAB_LOCK_WAIT_MS).
 */
export function serverHooks(env: Record<string, string | undefined>): { faultAt?: number; killAt?: number; lockWaitMs?: number } {
  const num = (v: string | undefined) => (v && /^\d{1,9}$/.test(v) ? Number(v) : undefined);
  const faultAt = num(env.NETNS_LAB_FAULT_AT);
  const killAt = num(env.NETNS_LAB_KILL_AT);
  const lockWaitMs = num(env.NETNS_LAB_LOCK_WAIT_MS);
  return {
    ...(faultAt !== undefined ? { faultAt } : {}),
    ...(killAt !== undefined ? { killAt } : {}),
    ...(lockWaitMs !== undefined ? { lockWaitMs } : {}),
  };
}
