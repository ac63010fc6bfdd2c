/**
 * The multi-host row of the benchmark (issue 19): a LAN of 3 x N namespaces spread over three
 * hosts (a bridge on host a spanning all three, each host's part applied by its own helper in
 * parallel) against the same 3 x N namespaces on one host, in the same run, through the real
 * CLI and ssh. The hosts are the simulated ones of the multi-host tests
 * (test/integration/multihost.ts): on this one machine they share its cores, so the ratio
 * shows the orchestration's overhead and what parallel helpers win on shared CPUs, not what
 * three real machines would.
 *   test/sandbox/run.sh node out/bench/multihost.js [N] [REPS]     (default N=50, REPS=3)
 */
import { spawnSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { ThreeHosts, sshdAvailable } from '../test/integration/multihost.js';
import { median } from './report.js';
import { inSandbox } from '../test/support/in-sandbox.js';

const ROOT = join(new URL('.', import.meta.url).pathname, '..', '..');
const CLI = join(ROOT, 'dist', 'cli.js');
const HELPER = join(ROOT, 'dist', 'helper.js');

const HOSTS = [
  { name: 'a', ssh: 'root@192.0.2.1' },
  { name: 'b', ssh: 'root@192.0.2.2' },
  { name: 'c', ssh: 'root@192.0.2.3' },
];

/** n namespaces per entry of `on`, all on one LAN whose bridge is on host a */
export function spreadLan(name: string, n: number, on: string[]): Record<string, unknown> {
  const members = on.flatMap((h) => Array.from({ length: n }, (_, i) => ({ ns: `${h}${i + 1}`, on: h })));
  const ip = (k: number) => `10.202.${Math.floor(k / 256)}.${k % 256}`;
  return {
    version: 1, name, hosts: HOSTS,
    bridges: [{ name: 'lanbr0', on: 'a' }],
    namespaces: members.map((m) => ({ name: m.ns, on: m.on })),
    links: members.map((m, i) => ({ a: { node: m.ns, name: 'eth0', addresses: [`${ip(i + 2)}/16`] }, b: { node: 'lanbr0', name: `v${m.ns}` } })),
  };
}

/** the same lab without hosts and "on": an ordinary single-host file */
function singleHost(t: Record<string, unknown>): Record<string, unknown> {
  const strip = (xs: unknown) => (xs as Record<string, unknown>[]).map((x) => Object.fromEntries(Object.entries(x).filter(([k]) => k !== 'on')));
  return { ...Object.fromEntries(Object.entries(t).filter(([k]) => k !== 'hosts')), bridges: strip(t.bridges), namespaces: strip(t.namespaces) };
}

function timed(args: string[]): number {
  const t0 = process.hrtime.bigint();
  const r = spawnSync(process.execPath, [CLI, ...args], { encoding: 'utf8', timeout: 600_000 });
  const ms = Number(process.hrtime.bigint() - t0) / 1e6;
  if (r.status !== 0) throw new Error(`netns-lab ${args[0]} failed (${r.status}): ${r.stderr.slice(-2000)}`);
  return ms;
}

async function main(): Promise<number> {
  if (!inSandbox()) { console.error('run inside test/sandbox/run.sh'); return 2; }
  const missing = sshdAvailable();
  if (missing) { console.error(`multi-host bench not run: ${missing}`); return 2; }
  const n = Number(process.argv[2] ?? 50);
  const reps = Number(process.argv[3] ?? 3);
  const hosts = await ThreeHosts.start();
  try {
    const opts = ['--ssh-config', hosts.sshConfig, '--remote-helper', HELPER, '--remote-node', process.execPath];
    const cases = [
      { label: `3 hosts x ${n} (parallel helpers)`, file: join(hosts.dir, 'spread.netns.json'), t: spreadLan('mhbench', n, ['a', 'b', 'c']) },
      { label: `1 host x ${3 * n} (host a, through ssh)`, file: join(hosts.dir, 'one.netns.json'), t: spreadLan('mhbench', 3 * n, ['a']) },
      // for reference: the same lab as a single-host file, applied here without ssh
      { label: `1 host x ${3 * n} (local, no hosts)`, file: join(hosts.dir, 'local.netns.json'), t: singleHost(spreadLan('mhbench', 3 * n, ['a'])) },
    ];
    const results = new Map<string, { apply: number[]; destroy: number[] }>();
    for (const c of cases) { writeFileSync(c.file, JSON.stringify(c.t)); results.set(c.label, { apply: [], destroy: [] }); }
    // interleaved, so load drifting during the run hits both alike
    for (let i = 0; i < reps; i++) {
      for (const c of cases) {
        const r = results.get(c.label)!;
        r.apply.push(timed(['apply', c.file, ...opts]));
        r.destroy.push(timed(['destroy', c.file, ...opts]));
        process.stderr.write(`[rep ${i + 1}/${reps}] ${c.label}: apply ${r.apply.at(-1)!.toFixed(0)} ms, destroy ${r.destroy.at(-1)!.toFixed(0)} ms\n`);
      }
    }
    const [spread, one, local] = cases.map((c) => results.get(c.label)!);
    console.log(`case                                    apply (median of ${reps})   destroy`);
    for (const c of cases) {
      const r = results.get(c.label)!;
      console.log(`${c.label.padEnd(40)} ${(median(r.apply) / 1000).toFixed(2).padStart(8)} s ${(median(r.destroy) / 1000).toFixed(2).padStart(16)} s`);
    }
    const ratio = (a: number[], b: number[]) => `${(median(a) / median(b)).toFixed(2)}x`;
    console.log(`ratio 3 hosts / 1 host (both through ssh): apply ${ratio(spread!.apply, one!.apply)}, destroy ${ratio(spread!.destroy, one!.destroy)}`);
    console.log(`ratio 1 host through ssh / local: apply ${ratio(one!.apply, local!.apply)}, destroy ${ratio(one!.destroy, local!.destroy)}`);
    return 0;
  } finally {
    await hosts.stop();
  }
}

main().then((c) => { process.exitCode = c; }, (e: unknown) => { console.error((e as Error).stack ?? String(e)); process.exitCode = 1; });
