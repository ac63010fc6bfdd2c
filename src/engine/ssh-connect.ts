/**
 * How each host of a lab is reached, for the CLI and VS Code alike: the local helper as for any
 * lab, every other host's through ssh (ssh-helper.ts) with the options the person gave (never
 * the file's, beyond a validated helper path), and a terminal into a remote namespace.
 */
import { hostOf, hostsNeedingUnderlay, hostsOf, splitByHost, underlaySpec, type HostPart, type LabHost } from '../core/plan/hosts-split.js';
import type { Topology } from '../core/model/model.js';
import type { Splitter } from './multihost.js';
import { nsNameProblem } from '../core/model/names.js';
import type { HelperClient } from './helper-client.js';
import { INSTALL_DIR } from './privilege.js';
import { DEFAULT_REMOTE_NODE, installedHelper, parseSshTarget, remoteCommand, sshArgv, SshSetupError, startSshHelper, type SshTarget } from './ssh-helper.js';

/** the person's ssh options (CLI flags, or VS Code's machine-scoped settings) */
export interface RemoteOptions {
  /** ssh's config file (ssh -F) */
  sshConfig?: string;
  /** the helper on every remote host */
  remoteHelper?: string;
  /** node on the remote hosts */
  remoteNode?: string;
  /** the version whose installed helper is the default */
  version: string;
}

/**
 * The helper a remote host runs. A root login runs it without sudo, so no sudoers rule limits
 * it: a path from the file is used there only when it is in the installed helper's directory;
 * any other must be given by the person (`given`).
 */
export function helperPathFor(h: LabHost, given: string | undefined, user: string | undefined): string | undefined {
  if (given) return given;
  if (h.helper === undefined) return undefined;
  if (user === 'root' && !h.helper.startsWith(`${INSTALL_DIR}/`)) {
    throw new SshSetupError(`host ${h.name}: the file names helper ${h.helper}, which would run as root without sudo; only ${INSTALL_DIR}/… is taken from a file (pass --remote-helper ${h.helper} to run it)`);
  }
  return h.helper;
}

/** connects to a host's helper: `local()` for the local one, ssh for the others */
export function hostConnector<L>(o: RemoteOptions, local: () => Promise<L>): (h: LabHost) => Promise<L | HelperClient> {
  return async (h) => {
    if (h.ssh === undefined) return local();
    const target = parseSshTarget(h.ssh, `hosts ${h.name} ssh`);
    const helper = helperPathFor(h, o.remoteHelper, target.user);
    return startSshHelper(h.name, target, {
      version: o.version, ...(helper ? { helper } : {}), ...(o.remoteNode ? { node: o.remoteNode } : {}), ...(o.sshConfig ? { extra: ['-F', o.sshConfig] } : {}),
    });
  };
}

/**
 * The argv of a terminal in namespace ns of a remote host: `ssh -t … HOST sudo -n NODE HELPER
 * --shell NS` (a root login without sudo), with the same checks and options as the helper's
 * connection, except a terminal (-t) instead of none (-T). Pure: unit-tested by deep equality.
 */
export function remoteShellArgv(h: LabHost, ns: string, o: RemoteOptions): string[] {
  if (h.ssh === undefined) throw new SshSetupError(`host ${h.name} has no ssh target`);
  const problem = nsNameProblem(ns);
  if (problem) throw new SshSetupError(`namespace: ${problem}`);
  const target: SshTarget = parseSshTarget(h.ssh, `hosts ${h.name} ssh`);
  const helper = helperPathFor(h, o.remoteHelper, target.user) ?? installedHelper(o.version);
  const argv = sshArgv(target, { helper, version: o.version, ...(o.remoteNode ? { node: o.remoteNode } : {}), ...(o.sshConfig ? { extra: ['-F', o.sshConfig] } : {}) });
  // the namespace name is a safe file name (checked above): quoted like the two paths
  argv[argv.length - 1] = `${remoteCommand(target, o.remoteNode ?? DEFAULT_REMOTE_NODE, helper)} --shell '${ns}'`;
  argv[argv.indexOf('-T')] = '-t';
  return argv;
}

/** the model's side of the orchestration (src/core/hosts-split.ts) */
export const SPLITTER: Splitter = { hostsOf, hostOf, splitByHost, underlaySpec, hostsNeedingUnderlay };

/** the parts of a file without asking any host (interface-named underlays unknown): what destroy names on a host it cannot reach */
export function partsForListing(t: Topology): HostPart[] | undefined {
  const u: Record<string, string> = {};
  for (const h of hostsOf(t)) { const s = underlaySpec(h); u[h.name] = s && 'address' in s ? s.address : '0.0.0.0'; }
  try { return splitByHost(t, u); } catch { return undefined; }
}
