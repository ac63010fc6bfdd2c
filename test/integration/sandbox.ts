/**
 * Helpers for integration tests. They refuse to run outside the sandbox of
 * test/sandbox/run.sh (a private network namespace), so no test can touch the real host.
 */
import { execFileSync, spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { chmodSync, copyFileSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { inSandbox } from '../support/in-sandbox.js';

export const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..', '..', '..');
export const CLI = join(ROOT, 'dist', 'cli.js');
export const EXAMPLES = join(ROOT, 'examples');

/**
 * Copies of some files of the checkout (paths relative to it, same layout) where any user can
 * read them: a test that runs something as an unprivileged user must not depend on where the
 * checkout lies (a clean clone in a `mktemp -d` directory is readable by root only).
 */
export function readableCopies(paths: string[]): { path: (p: string) => string; remove: () => void } {
  const dir = mkdtempSync(join(tmpdir(), 'netns-lab-readable-'));
  chmodSync(dir, 0o755);
  for (const p of paths) {
    const to = join(dir, p);
    for (let d = dirname(to); d.length > dir.length; d = dirname(d)) { mkdirSync(d, { recursive: true }); chmodSync(d, 0o755); }
    copyFileSync(join(ROOT, p), to);
    chmodSync(to, 0o644);
  }
  return { path: (p) => join(dir, p), remove: () => rmSync(dir, { recursive: true, force: true }) };
}

/** throws unless this process sits in the private network namespace of test/sandbox/run.sh */
export function assertSandbox(): void {
  if (!inSandbox()) {
    throw new Error('integration tests must run inside test/sandbox/run.sh (a private network namespace); refusing to touch the host');
  }
}

export function sh(cmd: string, args: string[], input?: string): string {
  return execFileSync(cmd, args, { encoding: 'utf8', input: input ?? '', stdio: ['pipe', 'pipe', 'pipe'] });
}

export function tryRun(cmd: string, args: string[]): { code: number; stdout: string; stderr: string } {
  const r = spawnSync(cmd, args, { encoding: 'utf8' });
  return { code: r.status ?? 1, stdout: r.stdout, stderr: r.stderr };
}

export interface CliResult { code: number; stdout: string; stderr: string }
export function cli(args: string[], env: Record<string, string> = {}): CliResult {
  const r = spawnSync(process.execPath, [CLI, ...args], { encoding: 'utf8', env: { ...process.env, ...env }, timeout: 120_000 });
  return { code: r.status ?? 1, stdout: r.stdout, stderr: r.stderr };
}

/**
 * One reply within 5 s (a probe a second): right after an apply the kernel may still drop the
 * first ARP requests of a new link for a second or two (measured: 0.03-3 s on a loaded machine).
 * And a neighbour the source failed to resolve moments ago (the path was down, as a test had
 * just checked) is answered "Destination Host Unreachable" at once by the source's own kernel
 * (measured: 2 of 12 runs of admin-state's sequence, 14-25 ms after the apply): then ping
 * again, within the same 5 s.
 */
export function ping(ns: string, target: string): boolean {
  const deadline = Date.now() + 5000;
  for (;;) {
    const left = Math.ceil((deadline - Date.now()) / 1000);
    if (spawnSync('ip', ['netns', 'exec', ns, 'ping', '-c', '1', '-w', String(Math.max(1, left)), target], { encoding: 'utf8' }).status === 0) return true;
    if (Date.now() > deadline - 1000) return false;
    spawnSync('sleep', ['0.5']);
  }
}

/** no reply to one probe within 2 s: for paths that must be broken */
export function noPing(ns: string, target: string): boolean {
  return spawnSync('ip', ['netns', 'exec', ns, 'ping', '-c', '1', '-W', '2', target], { encoding: 'utf8' }).status !== 0;
}

/** the fake internet: namespace "wan" behind the host's uplink0, with a DNS server */
export const WAN = {
  uplink: 'uplink0',
  hostAddr: '203.0.113.1',
  gateway: '203.0.113.2',
  dns: '203.0.113.53',
  outside: '198.51.100.10',
  name: 'example.test',
};

let dnsmasq: ChildProcess | undefined;

export async function setupInternet(): Promise<void> {
  assertSandbox();
  sh('ip', ['link', 'set', 'lo', 'up']);
  sh('ip', ['-b', '-'], [
    'netns add wan',
    `link add ${WAN.uplink} type veth peer name wan0 netns wan`,
    `addr add ${WAN.hostAddr}/24 dev ${WAN.uplink}`,
    `link set ${WAN.uplink} up`,
    `route add default via ${WAN.gateway}`,
  ].join('\n') + '\n');
  sh('ip', ['-n', 'wan', '-b', '-'], [
    'link set lo up',
    `addr add ${WAN.gateway}/24 dev wan0`,
    `addr add ${WAN.dns}/32 dev lo`,
    `addr add ${WAN.outside}/32 dev lo`,
    'link set wan0 up',
  ].join('\n') + '\n');
  writeFileSync('/etc/resolv.conf', `nameserver ${WAN.dns}\n`);
  // with nf_tables, listing a table creates it: make both exist before any baseline is taken
  for (const t of ['filter', 'nat']) { sh('iptables', ['-t', t, '-N', 'NLTEST']); sh('iptables', ['-t', t, '-X', 'NLTEST']); }
  dnsmasq = spawn('ip', ['netns', 'exec', 'wan', 'dnsmasq', '--keep-in-foreground', '--no-resolv', '--no-hosts',
    '--conf-file=/dev/null', `--listen-address=${WAN.dns}`, '--bind-interfaces', '--user=root', '--pid-file',
    `--address=/${WAN.name}/${WAN.outside}`], { stdio: 'ignore' });
  // wait until it answers
  for (let i = 0; i < 50; i++) {
    if (spawnSync('ip', ['netns', 'exec', 'wan', 'getent', 'hosts', WAN.name], { encoding: 'utf8' }).status === 0) break;
    await new Promise((r) => setTimeout(r, 100));
  }
  await new Promise((r) => setTimeout(r, 200));
}

/** remove everything in the sandbox: every namespace, every link but lo, every rule */
export async function resetSandbox(): Promise<void> {
  assertSandbox();
  if (dnsmasq) {
    const d = dnsmasq;
    dnsmasq = undefined;
    const exited = new Promise((r) => d.once('exit', r));
    d.kill('SIGTERM');
    await exited;
  }
  for (const ns of listNetns()) tryRun('ip', ['netns', 'del', ns]);
  for (const l of hostLinks()) if (l !== 'lo') tryRun('ip', ['link', 'del', l]);
  tryRun('iptables', ['-F']); tryRun('iptables', ['-X']); tryRun('iptables', ['-t', 'nat', '-F']); tryRun('iptables', ['-t', 'nat', '-X']);
  tryRun('iptables', ['-P', 'FORWARD', 'ACCEPT']);
  writeFileSync('/proc/sys/net/ipv4/ip_forward', '0\n');
  tryRun('rm', ['-rf', '/etc/netns']);
  // namespaces are dismantled asynchronously: wait for their veth peers to disappear
  for (let i = 0; i < 100 && hostLinks().some((l) => l !== 'lo'); i++) await new Promise((r) => setTimeout(r, 20));
}

export function listNetns(): string[] {
  const out = sh('ip', ['-j', 'netns', 'list']).trim();
  return out ? (JSON.parse(out) as { name: string }[]).map((n) => n.name).sort() : [];
}

export function hostLinks(): string[] {
  return (JSON.parse(sh('ip', ['-j', 'link', 'show'])) as { ifname: string }[]).map((l) => l.ifname).sort();
}

/** kernel state that must match between two builds of the same network (no MACs, indexes, aliases) */
export function snapshot(namespaces: string[]): unknown {
  const one = (ns: string | null) => {
    const pre = ns ? ['-n', ns] : [];
    const links = (JSON.parse(sh('ip', [...pre, '-j', '-d', 'addr', 'show'])) as Record<string, unknown>[]).map((l) => ({
      name: l.ifname,
      kind: (l.linkinfo as { info_kind?: string } | undefined)?.info_kind ?? l.link_type,
      up: (l.flags as string[]).includes('UP'),
      mtu: l.mtu,
      master: l.master ?? null,
      addrs: ((l.addr_info as { family: string; local: string; prefixlen: number; scope: string }[]) ?? [])
        .filter((a) => a.scope === 'global').map((a) => `${a.local}/${a.prefixlen}`).sort(),
    })).sort((a, b) => String(a.name).localeCompare(String(b.name)));
    const routes = (JSON.parse(sh('ip', [...pre, '-j', 'route', 'show'])) as Record<string, unknown>[])
      .map((r) => `${r.dst} ${r.gateway ?? ''} ${r.dev}`).sort();
    return { links, routes };
  };
  return { host: one(null), ...Object.fromEntries(namespaces.map((n) => [n, one(n)])) };
}

export function iptablesSave(): string {
  return sh('iptables-save', []).split('\n').filter((l) => !l.startsWith('#')).map((l) => l.replace(/\[\d+:\d+\]/, '')).join('\n');
}

export function readJson(path: string): Record<string, unknown> {
  return JSON.parse(readFileSync(path, 'utf8')) as Record<string, unknown>;
}
