/**
 * Whether this process runs inside test/sandbox/run.sh: NETNS_LAB_SANDBOX=1 alone proves nothing
 * (it can be set by hand, and PID 1's namespaces may not be readable here to compare with), so
 * the network namespace must also differ from the one run.sh was started in
 * (NETNS_LAB_HOST_NETNS, the inode run.sh recorded before it unshared).
 */
import { statSync } from 'node:fs';

export function inSandbox(env: NodeJS.ProcessEnv = process.env): boolean {
  if (env.NETNS_LAB_SANDBOX !== '1' || !/^\d+$/.test(env.NETNS_LAB_HOST_NETNS ?? '')) return false;
  try {
    return String(statSync('/proc/self/ns/net').ino) !== env.NETNS_LAB_HOST_NETNS;
  } catch {
    return false;
  }
}
