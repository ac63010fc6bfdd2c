/**
 * A Runner that touches nothing: it records every argv and keeps files in memory. Unit tests
 * of the helper use it, so no test outside the sandbox can write to the real machine.
 */
import type { RunResult, Runner } from '../../src/helper/runner.js';

export interface FakeSystem extends Runner {
  /** running streams by argv, with a way to feed them lines */
  streams: { argv: string[]; feed(line: string): void; stopped: boolean }[];
  calls: { argv: string[]; input: string }[];
  files: Map<string, string>;
  dirs: Set<string>;
  /** everything the helper changed: process runs that are not reads, and file writes */
  writes: string[];
  /** every file written, with its content (batch files are removed again after a run) */
  written: { path: string; data: string }[];
}

export function fakeSystem(answer: (argv: string[], input: string) => RunResult | undefined = () => undefined, files: Record<string, string> = {}): FakeSystem {
  const calls: { argv: string[]; input: string }[] = [];
  const fs = new Map(Object.entries(files));
  const dirs = new Set<string>();
  const writes: string[] = [];
  const written: { path: string; data: string }[] = [];
  const streams: FakeSystem['streams'] = [];
  return {
    calls, files: fs, dirs, writes, streams, written,
    streamRaw(argv, onData) {
      calls.push({ argv, input: '' });
      const s = { argv, feed: (line: string) => onData(Buffer.from(line)), stopped: false };
      streams.push(s);
      return { stop: async () => { s.stopped = true; } };
    },
    stream(argv, onLine) {
      calls.push({ argv, input: '' });
      const s = { argv, feed: onLine, stopped: false };
      streams.push(s);
      return { stop: async () => { s.stopped = true; } };
    },
    get spawned() { return calls.length; },
    async run(argv, input) {
      calls.push({ argv, input: input ?? '' });
      return answer(argv, input ?? '') ?? { code: 0, stdout: '', stderr: '' };
    },
    async readFile(p) { return fs.get(p) ?? null; },
    async writeFile(p, d) { writes.push(`write ${p}`); written.push({ path: p, data: d }); fs.set(p, d); },
    async writeExisting(p, d) { writes.push(`write ${p}`); fs.set(p, d); },
    async mkdir(p) { writes.push(`mkdir ${p}`); dirs.add(p); },
    async unlink(p) { writes.push(`unlink ${p}`); fs.delete(p); },
    async rmdirIfEmpty(p) {
      if ([...fs.keys()].some((f) => f.startsWith(`${p}/`))) return false;
      writes.push(`rmdir ${p}`);
      dirs.delete(p);
      return true;
    },
    async privateDir(p) { return dirs.has(p); },
    async kind(p) { return fs.has(p) ? 'file' : dirs.has(p) ? 'dir' : 'missing'; },
    async listDir(p) {
      const pre = `${p}/`;
      return [...new Set([...fs.keys(), ...dirs].filter((f) => f.startsWith(pre)).map((f) => f.slice(pre.length).split('/')[0]!))];
    },
  };
}

/**
 * A host as the helper first sees it: lo and an uplink eth0 with a default route, no namespace,
 * no rule; /etc/resolv.conf and ip_forward=0. Records every argv, keeps files in memory.
 */
export function emptyHost(): FakeSystem {
  const hostJson = JSON.stringify([
    { ifindex: 1, ifname: 'lo', flags: ['LOOPBACK', 'UP'], mtu: 65536, operstate: 'UNKNOWN', link_type: 'loopback', addr_info: [] },
    { ifindex: 2, ifname: 'eth0', flags: ['UP'], mtu: 1500, operstate: 'UP', link_type: 'ether', addr_info: [{ family: 'inet', local: '192.0.2.10', prefixlen: 24, scope: 'global' }] },
  ]) + JSON.stringify([{ dst: 'default', gateway: '192.0.2.1', dev: 'eth0', protocol: 'boot' }]) + '[]';
  return fakeSystem((argv) => {
    if (argv.join(' ') === 'ip -j netns list') return { code: 0, stdout: '', stderr: '' };
    if (argv[0] === 'ip' && argv.includes('-b') && argv.includes('-j') && !argv.includes('-n')) return { code: 0, stdout: hostJson, stderr: '' };
    return undefined;
  }, { '/etc/resolv.conf': 'nameserver 192.0.2.53\n', '/proc/sys/net/ipv4/ip_forward': '0\n' });
}
