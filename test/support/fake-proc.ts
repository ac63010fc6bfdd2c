/** A fake /proc for the helper's process code (ProcSys): nothing is signalled or read for real. */
import type { ProcSys } from '../../src/helper/procsys.js';

/** a fake /proc: pid -> net namespace inode, uid, command, start time, state */
export function fakeProc(procs: Record<number, { net: number; uid: number; cmd: string[]; start: number; comm?: string }>, netns: Record<string, number>) {
  const killed: [number, string][] = [];
  let t = 0;
  const gone = new Set<number>();
  const sys: ProcSys = {
    inode(path) {
      const ns = /^\/run\/netns\/(.+)$/.exec(path)?.[1];
      if (ns) return netns[ns];
      const pid = Number(/^\/proc\/(\d+)\/ns\/net$/.exec(path)?.[1]);
      return gone.has(pid) ? undefined : procs[pid]?.net;
    },
    read(path) {
      if (path === '/etc/passwd') return 'nobody:x:65534:65534::/:/bin/sh\n';
      const m = /^\/proc\/(\d+)\/(stat|status|cmdline|comm)$/.exec(path);
      const p = m && !gone.has(Number(m[1])) ? procs[Number(m[1])] : undefined;
      if (!p) return undefined;
      if (m![2] === 'stat') return `${m![1]} (${p.comm ?? 'x) y'}) S 1 ${Array.from({ length: 17 }, () => '0').join(' ')} ${p.start} 0 0`;
      if (m![2] === 'status') return `Name:\tx\nUid:\t${p.uid}\t${p.uid}\t${p.uid}\t${p.uid}\n`;
      if (m![2] === 'comm') return 'kworker\n';
      return p.cmd.length ? p.cmd.join('\0') + '\0' : '';
    },
    pids: () => Object.keys(procs).map(Number),
    // (a negative pid: its process group, led by that process)
    kill(pid, sig) { killed.push([pid, sig]); const p = Math.abs(pid); if (sig === 'SIGKILL' || procs[p]?.cmd[0] !== 'stubborn') gone.add(p); return true; },
    spawnDetached() { throw new Error('not here'); },
    runInherited() { throw new Error('not here'); },
    sleep: async (ms) => { t += ms; },
    now: () => t,
    bin: (n) => `/usr/bin/${n}`,
  };
  return { sys, killed };
}
