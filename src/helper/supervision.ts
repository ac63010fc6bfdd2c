/**
 * Who keeps the services running (issue 16): systemd, where it is PID 1 and the helper runs
 * beside it, else the helper's own supervisor. The choice is made here only, from the machine
 * (never from a request):
 *   - /proc/1/comm is `systemd`;
 *   - systemd-run and systemctl are in the fixed system directories (bin.ts);
 *   - `systemctl --version` is 242 or later (NetworkNamespacePath=; Type=exec and append: are 240);
 *   - the helper is in PID 1's mount and network namespaces: in a sandbox or container (its own
 *     /run, its own /run/netns) a unit started by the host's systemd would see the host's
 *     /run/netns, not the helper's, so the own supervisor is used there.
 * NETNS_LAB_SUPERVISION=own in the helper's environment forces the own supervisor (for tests on
 * a systemd machine); no other value changes anything.
 */
import type { ProcSys } from './procsys.js';
import type { Runner } from './runner.js';

export type Supervision = 'own' | 'systemd';

/** the oldest systemd with every unit setting the helper uses */
export const MIN_SYSTEMD = 242;

export interface SupervisionProbe {
  /** a small file's text, undefined when it cannot be read */
  read(path: string): string | undefined;
  /** inode of what a path points to (following links), undefined when it cannot be read */
  inode(path: string): number | undefined;
  /** a system program's absolute path from the fixed directories (bin.ts), undefined when there is none */
  bin(name: string): string | undefined;
  /** `systemctl --version`'s output (run only when everything else says systemd) */
  systemctlVersion(): Promise<string | undefined>;
  env: NodeJS.ProcessEnv;
}

/** `systemd 255 (255.4-1ubuntu8)` -> 255 */
export function systemdVersion(text: string | undefined): number | undefined {
  const m = /^systemd (\d+)\b/.exec(text ?? '');
  return m ? Number(m[1]) : undefined;
}

/** the same namespace as PID 1 (both inodes readable and equal) */
function besidePid1(p: SupervisionProbe, kind: 'mnt' | 'net'): boolean {
  const mine = p.inode(`/proc/self/ns/${kind}`);
  return mine !== undefined && mine === p.inode(`/proc/1/ns/${kind}`);
}

export async function chooseSupervision(p: SupervisionProbe): Promise<Supervision> {
  if (p.env.NETNS_LAB_SUPERVISION === 'own') return 'own';
  if (p.read('/proc/1/comm')?.trim() !== 'systemd') return 'own';
  if (!p.bin('systemctl') || !p.bin('systemd-run')) return 'own';
  if (!besidePid1(p, 'mnt') || !besidePid1(p, 'net')) return 'own';
  return (systemdVersion(await p.systemctlVersion()) ?? 0) >= MIN_SYSTEMD ? 'systemd' : 'own';
}

/** the probe of this machine: /proc through ProcSys, `systemctl --version` through the runner */
export function machineProbe(sys: ProcSys, runner: Runner, env: NodeJS.ProcessEnv): SupervisionProbe {
  return {
    read: (path) => sys.read(path),
    inode: (path) => sys.inode(path),
    bin: (name) => { try { return sys.bin(name); } catch { return undefined; } },
    systemctlVersion: async () => { const r = await runner.run(['systemctl', '--version']); return r.code === 0 ? r.stdout : undefined; },
    env,
  };
}

let chosen: Promise<Supervision> | undefined;
/** the choice for this process, made once */
export function machineSupervision(sys: ProcSys, runner: Runner, env: NodeJS.ProcessEnv): Promise<Supervision> {
  chosen ??= chooseSupervision(machineProbe(sys, runner, env));
  return chosen;
}
