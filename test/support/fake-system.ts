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
    async kind(p) { return fs.has(p) ? 'file' : dirs.has(p) ? 'dir' : 'missing'; },
    async listDir(p) {
      const pre = `${p}/`;
      return [...new Set([...fs.keys(), ...dirs].filter((f) => f.startsWith(pre)).map((f) => f.slice(pre.length).split('/')[0]!))];
    },
  };
}
