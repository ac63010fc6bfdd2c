/**
 * netns-lab plan/apply/status/destroy for a file with `hosts` (issue 19): every host's part
 * through its own helper (the local one as usual, the others through ssh), with per-host output.
 */
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { hostOf, hostsOf } from './core/plan/hosts-split.js';
import type { Topology } from './core/model/model.js';
import type { HelperClient } from './engine/helper-client.js';
import { multiApply, multiDestroy, multiPlan, multiStatus, type HostEvent, type LabHost, type MultiOptions, type MultiResult } from './engine/multihost.js';
import { helperPathFor, hostConnector, partsForListing, SPLITTER } from './engine/ssh-connect.js';
import { outcomeLines } from './engine/multihost-report.js';
import { formatMatrix } from './core/diagnose/reach.js';
import type { Probes } from './engine/lab-tests.js';
import { crossHostMatrix, lazyHelpers, routedProbes } from './engine/multihost-probes.js';
import { describeRootCommand } from './core/model/workloads.js';
import { serviceLines } from './cli-workloads.js';

export { isMultiHost } from './core/model/hosts-layout.js';

/** the options of a multi-host command (all from the person's command line, never from the file) */
export const MULTIHOST_FLAGS = ['--ssh-config', '--remote-helper', '--remote-node'];
export const MULTIHOST_USAGE = `  for a file with "hosts" (docs/multi-host.md), plan/apply/status/destroy, test and ping work on every host:
    --ssh-config FILE                     ssh's config file (ssh -F; default: yours)
    --remote-helper PATH                  the helper on every remote host (default: the installed one)
    --remote-node PATH                    node on the remote hosts (default /usr/bin/node)`;


function version(): string {
  const here = dirname(fileURLToPath(import.meta.url));
  for (const p of [join(here, '..', 'package.json'), join(here, '..', '..', 'package.json')]) {
    try { return (JSON.parse(readFileSync(p, 'utf8')) as { version: string }).version; } catch { /* next */ }
  }
  return '0.0.0';
}

type Flags = Map<string, string | true>;
const flag = (f: Flags, k: string) => { const v = f.get(k); return typeof v === 'string' ? v : undefined; };

/** the helper a remote host runs: --remote-helper, else the file's (for a root login only in the installed directory) */
export function remoteHelperPath(h: LabHost, flags: Flags, user: string | undefined): string | undefined {
  return helperPathFor(h, flag(flags, '--remote-helper'), user);
}

/** how each host's helper is reached: the local one as for any lab, the others through ssh */
export function connector(flags: Flags, local: () => Promise<HelperClient>): MultiOptions['connect'] {
  const [sshConfig, remoteHelper, remoteNode] = MULTIHOST_FLAGS.map((k) => flag(flags, k));
  return hostConnector({ version: version(), ...(sshConfig ? { sshConfig } : {}), ...(remoteHelper ? { remoteHelper } : {}), ...(remoteNode ? { remoteNode } : {}) }, local);
}

const onEvent = (e: HostEvent) => {
  process.stderr.write(`[${e.host}] ${e.total ? `[${e.done}/${e.total}] ` : ''}${e.message}\n`);
};

function report(what: string, r: MultiResult): void {
  process.stderr.write(`${what} on ${r.hosts.length} host(s):\n`);
  for (const line of outcomeLines(r)) process.stderr.write(`${line}\n`);
  if (!r.ok && r.stage !== 'apply' && r.stage !== 'destroy') process.stderr.write('nothing was changed on any host\n');
}

const json = (v: unknown) => process.stdout.write(JSON.stringify(v, null, 2) + '\n');

/** apply --allow-root-commands across hosts: every host's root commands printed in full; approved only with the flag */
function approveRoots(t: Topology, allowed: boolean): MultiOptions['approveRoot'] {
  return (roots) => {
    const n = roots.reduce((k, r) => k + r.commands.length, 0);
    const lines = roots.flatMap((r) => r.commands.map((c) => `  [${r.host}] ${describeRootCommand(c)}\n`)).join('');
    if (!allowed) {
      process.stderr.write(`'${t.name}' runs ${n} command(s) as root:\n${lines}apply refused: nothing was changed on any host; read them and apply with --allow-root-commands to run them\n`);
      return false;
    }
    process.stderr.write(`running as root (approved with --allow-root-commands):\n${lines}`);
    return true;
  };
}

export async function multiHostCommand(cmd: 'plan' | 'apply' | 'status' | 'destroy', t: Topology, flags: Flags, asJson: boolean, local: () => Promise<HelperClient>): Promise<number> {
  const opts: MultiOptions = { connect: connector(flags, local), ...(asJson ? {} : { onEvent }) };
  if (cmd === 'destroy') {
    const r = await multiDestroy(t.name, hostsOf(t), partsForListing(t), { ...opts, kill: flags.has('--kill') });
    if (asJson) json(r); else report(`destroy '${t.name}'`, r);
    if (!asJson && r.hosts.some((o) => o.holders?.length)) process.stderr.write('end those processes yourself, or run again with --kill to end them (SIGTERM, then SIGKILL) and destroy\n');
    return r.ok ? 0 : 1;
  }
  if (cmd === 'apply') {
    const r = await multiApply(t, SPLITTER, { ...opts, approveRoot: approveRoots(t, flags.has('--allow-root-commands')) });
    if (asJson) json(r); else report(`apply '${t.name}'`, r);
    return r.ok ? 0 : 1;
  }
  if (cmd === 'status') {
    const r = await multiStatus(t, SPLITTER, opts);
    if (asJson) json({ topology: t.name, status: r.overall, hosts: r.hosts.map((o) => ({ host: o.host, state: o.state, message: o.message, objects: o.plan?.objects, services: o.services })) });
    else {
      for (const o of r.hosts) for (const x of o.plan?.objects ?? []) process.stdout.write(`${o.host.padEnd(8)} ${x.state.padEnd(14)} ${x.kind.padEnd(10)} ${(x.scope ?? 'host').padEnd(12)} ${x.name}${x.detail ? `  (${x.detail})` : ''}\n`);
      for (const o of r.hosts) for (const line of serviceLines(o.services ?? [])) process.stdout.write(`${o.host.padEnd(8)} service        ${line}\n`);
      for (const o of r.hosts) process.stdout.write(`${t.name} on ${o.host}: ${r.overall[o.host] ?? `${o.state}: ${o.message ?? ''}`}\n`);
    }
    return r.ok ? 0 : 1;
  }
  const r = await multiPlan(t, SPLITTER, opts);
  if (asJson) json({ ok: r.ok, hosts: r.hosts.map((o) => ({ host: o.host, state: o.state, message: o.message, steps: o.plan?.steps.map((s) => s.step), errors: o.plan?.errors })) });
  else {
    for (const o of r.hosts) {
      process.stdout.write(`== host ${o.host}: ${o.plan ? `${o.plan.steps.length} step(s)` : `${o.state}: ${o.message ?? ''}`}\n`);
      for (const s of o.plan?.steps ?? []) process.stdout.write(`${s.summary}\n`);
    }
    process.stderr.write(`${r.hosts.reduce((n, o) => n + (o.plan?.steps.length ?? 0), 0)} step(s) on ${r.hosts.length} host(s)${r.ok ? '' : '; apply would be refused'}\n`);
  }
  return r.ok ? 0 : 1;
}

/** the helpers of a file's hosts, each connected when a probe first needs it */
function hostHelpers(t: Topology, flags: Flags, local: () => Promise<HelperClient>) {
  const connect = connector(flags, local);
  const byName = new Map(hostsOf(t).map((h) => [h.name, h]));
  return lazyHelpers(async (name) => {
    const h = byName.get(name);
    if (!h) throw new Error(`no host ${name} in the file`);
    return await connect(h) as HelperClient;
  });
}

/** `test FILE` of a file with hosts: each probe through the helper of its source namespace's host */
export function multiHostProbes(t: Topology, flags: Flags, local: () => Promise<HelperClient>): { probes: Probes; close(): Promise<void> } {
  const helpers = hostHelpers(t, flags, local);
  return { probes: routedProbes((n) => hostOf(t, n), helpers.helperOf), close: helpers.close };
}

/** `ping FILE` of a file with hosts: every namespace to every other one (and its gateway), each from its own host */
export async function multiHostPing(t: Topology, flags: Flags, asJson: boolean, local: () => Promise<HelperClient>): Promise<number> {
  const helpers = hostHelpers(t, flags, local);
  const t0 = Date.now();
  let results;
  try { results = await crossHostMatrix(t, (n) => hostOf(t, n), helpers.helperOf); } finally { await helpers.close(); }
  const durationMs = Date.now() - t0;
  const failed = results.filter((x) => !x.ok);
  const where = (ns: string) => `${ns}@${hostOf(t, ns)}`;
  if (asJson) json({ results, durationMs });
  else {
    process.stdout.write(formatMatrix(results) + `${results.length - failed.length}/${results.length} reachable in ${(durationMs / 1000).toFixed(2)} s\n`);
    for (const f of failed) process.stderr.write(`unreachable: ${where(f.from)} -> ${f.kind === 'namespace' ? where(f.to) : f.to} (${f.target}): ${f.error}\n`);
  }
  return failed.length ? 1 : 0;
}
