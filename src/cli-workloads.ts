/**
 * The CLI's workloads (issue 16): what destroy stopped and ended, the services of status, and the
 * commands `services FILE`, `logs FILE SERVICE [-f]` and `restart FILE SERVICE`.
 */
import type { Topology } from './core/model/model.js';
import { rootApproval } from './core/plan/root-approval.js';
import type { LiveService } from './core/model/workloads.js';
import { newPart } from './core/diagnose/service-status.js';

export { newPart };
import type { HelperClient } from './engine/helper-client.js';

/** what the workload commands use of cli.ts */
export interface CliDeps<A> {
  loadValid(file: string): Promise<{ topology: Topology }>;
  withHelper<T>(a: A, fn: (h: HelperClient) => Promise<T>): Promise<T>;
  allow(a: A, allowed: string[], npos: number): void;
  usage(message: string): Error;
}
interface A { pos: string[]; flags: Map<string, string | true> }

const ago = (ms: number) => { const s = Math.max(0, Math.round(ms / 1000)); return s < 120 ? `${s} s` : s < 7200 ? `${Math.round(s / 60)} min` : `${Math.round(s / 3600)} h`; };

/** one line per service: "ns2/web  running  pid 4242 (nobody) since 3 min, 0 restart(s)" */
export function serviceLines(list: LiveService[], now = Date.now()): string[] {
  return list.map((s) => {
    const state = s.state === 'running' ? `running  pid ${s.pid}${s.user ? ` (${s.user})` : ''}${s.since !== undefined ? ` since ${ago(now - s.since)}` : ''}`
      : s.state === 'exited' ? `exited   code ${s.code ?? '?'}` : s.state === 'starting' ? 'starting' : 'not started';
    return `${`${s.ns}/${s.name}`.padEnd(24)} ${state}${s.restarts ? `, ${s.restarts} restart(s)` : ''}`;
  });
}

/** SERVICE as NAME (unique in the file) or NS/NAME */
function findService(t: Topology, which: string, usage: (m: string) => Error): { ns: string; name: string } {
  const all = (t.namespaces ?? []).flatMap((n) => (n.services ?? []).map((s) => ({ ns: n.name, name: s.name })));
  const hits = all.filter((s) => `${s.ns}/${s.name}` === which || s.name === which);
  if (hits.length === 1) return hits[0]!;
  throw usage(hits.length ? `'${which}' names services in ${hits.map((h) => h.ns).join(', ')}: say NS/NAME` : `the file has no service '${which}' (it has: ${all.map((s) => `${s.ns}/${s.name}`).join(', ') || 'none'})`);
}

export function workloadCommands<X extends A>(d: CliDeps<X>): Record<'services' | 'logs' | 'restart', (a: X, json: boolean) => Promise<number>> {
  return {
    async services(a, json) {
      d.allow(a, ['--json'], 1);
      const l = await d.loadValid(a.pos[0]!);
      const r = await d.withHelper(a, (h) => h.services({ topology: l.topology }));
      process.stdout.write(json ? JSON.stringify(r.services, null, 2) + '\n' : serviceLines(r.services).map((x) => `${x}\n`).join(''));
      return 0;
    },
    async logs(a) {
      d.allow(a, ['-f', '--follow'], 2);
      const l = await d.loadValid(a.pos[0]!);
      const s = findService(l.topology, a.pos[1]!, d.usage);
      const follow = a.flags.has('-f') || a.flags.has('--follow');
      return d.withHelper(a, async (h) => {
        let last = '';
        for (;;) {
          const { text } = await h.logs({ topo: l.topology.name, ns: s.ns, name: s.name });
          process.stdout.write(newPart(last, text));
          last = text;
          if (!follow) return 0;
          await new Promise((r) => setTimeout(r, 1000));
        }
      });
    },
    async restart(a) {
      d.allow(a, ['--allow-root-commands'], 2);
      const l = await d.loadValid(a.pos[0]!);
      const s = findService(l.topology, a.pos[1]!, d.usage);
      const approval = rootApproval(l.topology, process.getuid?.(), process.env);
      const approveRoot = a.flags.has('--allow-root-commands') ? approval.rootDigest : undefined;
      const r = await d.withHelper(a, (h) => h.restart({ topology: l.topology, ns: s.ns, name: s.name, ...(approveRoot ? { approveRoot } : {}) }));
      process.stderr.write(`restarted service ${s.name} in ${s.ns}: ${serviceLines([r])[0]!.trim()}\n`);
      return 0;
    },
  };
}

/** in sync only when every service of the file runs too */
export function withServicesStatus<O extends string>(overall: O, list: LiveService[]): O | 'drifted' {
  return overall === 'in-sync' && list.some((s) => s.state !== 'running') ? 'drifted' : overall;
}
