/**
 * Labs across several machines (issue 19): the `hosts` of a topology file and the `on` field of
 * namespaces and bridges. model.ts adds them to the Topology; types are inferred here.
 *
 * Every value here ends up in an argv (`ssh TARGET sudo -n HELPER`) or in a VXLAN device's
 * `local`/`remote`: the patterns admit only characters that are safe as one argv word and can
 * never be read as an option (no leading '-'), no spaces and no shell metacharacters.
 */
import { z } from 'zod';
import { parseIP } from './ip.js';
import { IFNAME_PATTERN, printable } from './names.js';

/** the implied local machine (the one running the engine; no ssh) */
export const LOCAL_HOST = 'local';
export const HOSTNAME_PATTERN = '^[A-Za-z0-9][A-Za-z0-9_.-]{0,31}$';
const RESERVED_HOST_NAMES = new Set(['host', 'all', 'default', 'none']);

/** user@address[:port]: user as POSIX allows it, address a DNS name, IPv4 or [IPv6] */
const SSH_USER = '[A-Za-z_][A-Za-z0-9_.-]{0,31}';
const SSH_DNS = '[A-Za-z0-9](?:[A-Za-z0-9-]{0,62})(?:\\.[A-Za-z0-9](?:[A-Za-z0-9-]{0,62}))*';
const SSH_V6 = '\\[[0-9A-Fa-f:.]{2,45}\\]';
export const SSH_TARGET_PATTERN = `^(?:${SSH_USER}@)?(?:${SSH_DNS}|${SSH_V6})(?::[0-9]{1,5})?$`;
export const HELPER_PATH_PATTERN = '^/[A-Za-z0-9_.+/-]{1,255}$';

export function hostNameProblem(s: unknown): string | undefined {
  if (typeof s !== 'string' || !new RegExp(HOSTNAME_PATTERN).test(s)) {
    return `host name '${printable(String(s))}' must be 1-32 letters, digits, '_', '.' or '-', starting with a letter or digit`;
  }
  if (RESERVED_HOST_NAMES.has(s)) return `'${s}' is reserved and cannot name a host`;
  return undefined;
}

/** the parts of an ssh target; undefined when it is not one */
export function parseSshTarget(s: string): { user: string | undefined; address: string; port: number | undefined } | undefined {
  if (!new RegExp(SSH_TARGET_PATTERN).test(s)) return undefined;
  const at = s.indexOf('@');
  const user = at < 0 ? undefined : s.slice(0, at);
  const rest = s.slice(at + 1);
  const m = rest.startsWith('[') ? /^\[([^\]]+)\](?::([0-9]+))?$/.exec(rest) : /^([^:]+)(?::([0-9]+))?$/.exec(rest);
  if (!m) return undefined;
  const address = m[1]!;
  const port = m[2] !== undefined ? Number(m[2]) : undefined;
  if (rest.startsWith('[') && parseIP(address)?.family !== 6) return undefined;
  if (port !== undefined && (port < 1 || port > 65535)) return undefined;
  return { user, address, port };
}

export function sshTargetProblem(s: unknown): string | undefined {
  if (typeof s !== 'string') return 'ssh must be a string such as "lab@192.0.2.2" or "lab@b.example:2222"';
  if (s.startsWith('-')) return `ssh target '${printable(s)}' starts with '-' and would read as an option of ssh`;
  const bad = [...s].find((c) => !/[A-Za-z0-9_.@:[\]-]/.test(c));
  if (bad !== undefined) return `ssh target '${printable(s)}' contains ${/\s/.test(bad) ? 'whitespace' : `'${printable(bad)}'`}; only user@address[:port] is accepted (letters, digits, '_', '.', '-', '@', ':' and [ ] around an IPv6 address)`;
  if (!parseSshTarget(s)) return `ssh target '${printable(s)}' is not user@address[:port] (address: a DNS name, an IPv4 address or [an IPv6 address]; port 1-65535)`;
  return undefined;
}

export function helperPathProblem(s: unknown): string | undefined {
  if (typeof s !== 'string' || !s.startsWith('/')) return `helper must be an absolute path such as /usr/local/lib/netns-lab/helper (got '${printable(String(s))}')`;
  if (!new RegExp(HELPER_PATH_PATTERN).test(s)) return `helper path '${printable(s)}' may hold only letters, digits and _ . + / - (at most 256 characters)`;
  if (s.split('/').some((p) => p === '..' || p === '.')) return `helper path '${printable(s)}' must not contain '.' or '..' segments`;
  return undefined;
}

/** an underlay: an interface name, or an IPv4/IPv6 address of this host */
export function underlayProblem(s: unknown): string | undefined {
  if (typeof s !== 'string') return 'underlay must be an interface name or an address';
  if (/^[0-9A-Fa-f:.]+$/.test(s) && (s.includes(':') || /^[0-9.]+$/.test(s))) {
    return parseIP(s) ? undefined : `underlay '${printable(s)}' is not a valid IPv4 or IPv6 address`;
  }
  if (!new RegExp(IFNAME_PATTERN).test(s) || s === 'all' || s === 'default') return `underlay '${printable(s)}' is neither an address nor an interface name (1-15 letters, digits, _ . -)`;
  return undefined;
}

/** the underlay written as an address (undefined when it names an interface) */
export function underlayAddress(s: string | undefined): string | undefined {
  return s !== undefined && parseIP(s) ? s : undefined;
}

/**
 * How a host's underlay is written: an address, or an interface (whose address the engine asks
 * that host's helper for). Without `underlay`, the ssh address when it is an IP address.
 */
export function writtenUnderlay(h: { ssh?: string | undefined; underlay?: string | undefined }): { address: string } | { ifname: string } | undefined {
  if (h.underlay !== undefined) return underlayAddress(h.underlay) !== undefined ? { address: h.underlay } : { ifname: h.underlay };
  const ssh = h.ssh !== undefined ? parseSshTarget(h.ssh) : undefined;
  return ssh && underlayAddress(ssh.address) !== undefined ? { address: ssh.address } : undefined;
}

const checked = (code: string, problem: (s: unknown) => string | undefined, description: string) => z.string()
  .refine((s) => problem(s) === undefined, { error: (iss) => `[${code}] ${problem(iss.input) ?? 'invalid value'}` })
  .meta({ description });

export const HostName = checked('invalid-name', hostNameProblem, 'Name of a lab host: "local" (this machine) or a name from "hosts".');

export const LabHostEntry = z.strictObject({
  name: HostName.meta({ description: 'The host\'s name, used by "on" (1-32 letters, digits, _ . -). "local" is this machine: give it only to set its underlay.' }),
  ssh: checked('invalid-ssh', sshTargetProblem, 'How to reach the host: [user@]address[:port] (ssh with BatchMode, your ssh config and agent; known_hosts is checked).').optional(),
  underlay: checked('invalid-underlay', underlayProblem, 'The host\'s address on the network between the hosts (VXLAN runs over it), or the interface holding it. Default: the ssh address when it is an IP address.').optional(),
  underlayMtu: z.int().min(1280).max(65535).optional()
    .meta({ description: 'MTU of the underlay network (default 1500). A tunnelled link carries at most this minus 50 bytes (VXLAN over IPv4).' }),
  helper: checked('invalid-helper', helperPathProblem, 'Absolute path of the netns-lab helper on that host (default: the path the local installer uses).').optional(),
  note: z.string().max(4096).optional(),
}).meta({ description: 'A machine the lab spans. Its helper runs as `ssh TARGET sudo -n HELPER`.' });
export type LabHostEntry = z.infer<typeof LabHostEntry>;

export const OnHost = z.string().min(1).max(32)
  .meta({ description: 'The host this node is on: "local" (default) or the name of an entry of "hosts".' });
