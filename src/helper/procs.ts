/**
 * Every process inside a namespace, and ending them: what destroy must do before it deletes a
 * namespace (a process left inside keeps the namespace alive and invisible once /run/netns/NS
 * is gone). A process is inside when its /proc/PID/ns/net is the inode of /run/netns/NS.
 */
import { NETNS_DIR } from '../core/plan/render.js';
import { nsNameProblem } from '../core/model/names.js';
import { sameProcess, startTimeOf, type ProcSys } from './procsys.js';

export interface NsProcess {
  pid: number;
  /** start time (/proc/PID/stat field 22): with pid, the process's identity */
  start: number;
  uid: number;
  /** the user's name, or the uid as text */
  user: string;
  /** the command line, words joined by spaces (the kernel's comm in brackets when empty) */
  command: string;
}

function uidOf(status: string | undefined): number | undefined {
  const m = /^Uid:\s+(\d+)\s+(\d+)/m.exec(status ?? '');
  return m ? Number(m[2]) : undefined;
}

function commandOf(sys: ProcSys, pid: number): string {
  const raw = sys.read(`/proc/${pid}/cmdline`) ?? '';
  const words = raw.split('\0').filter((w, i, a) => w !== '' || i < a.length - 1);
  if (words.length) return words.join(' ');
  return `[${(sys.read(`/proc/${pid}/comm`) ?? '?').trim()}]`;
}

/** user names by uid from the text of /etc/passwd */
export function passwdNames(passwd: string | undefined): Map<number, string> {
  const m = new Map<number, string>();
  for (const line of (passwd ?? '').split('\n')) {
    const f = line.split(':');
    if (f.length >= 7 && /^\d+$/.test(f[2]!) && !m.has(Number(f[2]))) m.set(Number(f[2]), f[0]!);
  }
  return m;
}

/** the processes whose network namespace is /run/netns/NS (none when it does not exist) */
export function processesIn(sys: ProcSys, ns: string): NsProcess[] {
  const problem = nsNameProblem(ns);
  if (problem) throw new Error(problem);
  const target = sys.inode(`${NETNS_DIR}/${ns}`);
  if (target === undefined) return [];
  const names = passwdNames(sys.read('/etc/passwd'));
  const out: NsProcess[] = [];
  for (const pid of sys.pids()) {
    if (pid === process.pid || sys.inode(`/proc/${pid}/ns/net`) !== target) continue;
    const start = startTimeOf(sys, pid);
    const uid = uidOf(sys.read(`/proc/${pid}/status`));
    if (start === undefined || uid === undefined || !sameProcess(sys, pid, start)) continue;
    out.push({ pid, start, uid, user: names.get(uid) ?? String(uid), command: commandOf(sys, pid) });
  }
  return out;
}

export interface Ended { terminated: NsProcess[]; killed: NsProcess[] }

/**
 * End processes: SIGTERM to each (still the same process: pid and start time), up to graceMs
 * for them to go, then SIGKILL to what is left, and wait until it is gone. Says which went how.
 */
export async function endProcesses(sys: ProcSys, procs: NsProcess[], graceMs = 2000): Promise<Ended> {
  const alive = (p: NsProcess) => sameProcess(sys, p.pid, p.start);
  for (const p of procs) if (alive(p)) sys.kill(p.pid, 'SIGTERM');
  const deadline = sys.now() + graceMs;
  while (procs.some(alive) && sys.now() < deadline) await sys.sleep(50);
  const left = procs.filter(alive);
  for (const p of left) sys.kill(p.pid, 'SIGKILL');
  for (let i = 0; i < 100 && left.some(alive); i++) await sys.sleep(20);
  const stubborn = left.filter(alive);
  if (stubborn.length) throw new Error(`processes still alive after SIGKILL: ${stubborn.map((p) => `${p.pid} (${p.command})`).join(', ')}`);
  return { terminated: procs.filter((p) => !left.includes(p)), killed: left };
}
