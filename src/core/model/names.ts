/**
 * Name rules. The kernel accepts more than we do; we accept only what is safe everywhere a
 * name travels: argv words, ip -batch lines, file names under /etc/netns, iptables comments.
 * Each check returns the reason a name is refused, or undefined when it is fine.
 */

/**
 * interface names: 1..15 bytes, start alphanumeric (so never option-like), then [A-Za-z0-9_.-];
 * never `all` or `default`, which the kernel refuses (each link gets the sysctl directories
 * net/ipv4/conf/NAME and net/ipv6/conf/NAME, and those two names are taken by the defaults).
 * The kernel's own rule (dev_valid_name: not empty, < 16 bytes, not "." or "..", no '/', ':'
 * or whitespace) is implied by the pattern; the two reserved names are refused by IfName
 * (model.ts) beside it (the pattern stays a plain character class for generators and schemas).
 */
export const KERNEL_RESERVED_IFNAMES: readonly string[] = ['all', 'default'];
export const IFNAME_PATTERN = '^[A-Za-z0-9][A-Za-z0-9_.-]{0,14}$';
/** namespace names: safe file names, 1..64 bytes, start alphanumeric */
export const NSNAME_PATTERN = '^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$';
/** topology names: also part of iptables chain names (max 28 bytes), so 1..20 */
export const TOPONAME_PATTERN = '^[A-Za-z0-9][A-Za-z0-9_-]{0,19}$';

const RESERVED_NODE_NAMES = new Set(['host', 'default', 'all', 'none']);

function byteLength(s: string): number {
  return new TextEncoder().encode(s).length;
}

function describeChar(c: string): string {
  const cp = c.codePointAt(0)!;
  if (cp < 0x20 || cp === 0x7f) return `control character U+${cp.toString(16).padStart(4, '0').toUpperCase()}`;
  if (/\s/u.test(c)) return 'whitespace';
  if (cp > 0x7e) return `non-ASCII character '${c}' (U+${cp.toString(16).toUpperCase()})`;
  return `'${c}'`;
}

function charProblem(s: string, allowed: RegExp, what: string): string | undefined {
  for (const c of s) {
    if (!allowed.test(c)) {
      if (c === '/') return `${what} contains '/', which the kernel and file names refuse`;
      return `${what} contains ${describeChar(c)}; only letters, digits, '_', '.' and '-' are allowed`;
    }
  }
  return undefined;
}

export function ifNameProblem(s: unknown): string | undefined {
  if (typeof s !== 'string') return 'interface name must be a string';
  if (s.length === 0) return 'interface name is empty';
  const n = byteLength(s);
  if (n > 15) return `interface name '${printable(s)}' is ${n} bytes; the kernel allows at most 15`;
  if (s === '.' || s === '..') return `interface name '${s}' is refused by the kernel`;
  if (KERNEL_RESERVED_IFNAMES.includes(s)) return `interface name '${s}' is reserved: the kernel refuses it (net.ipv4.conf.${s} and net.ipv6.conf.${s} are its default settings)`;
  const c = charProblem(s, /[A-Za-z0-9_.-]/, `interface name '${printable(s)}'`);
  if (c) return c;
  if (!/^[A-Za-z0-9]/.test(s)) return `interface name '${s}' must start with a letter or digit (a leading '-' reads as an option)`;
  return undefined;
}

export function nsNameProblem(s: unknown): string | undefined {
  if (typeof s !== 'string') return 'namespace name must be a string';
  if (s.length === 0) return 'namespace name is empty';
  const n = byteLength(s);
  if (n > 64) return `namespace name '${printable(s.slice(0, 20))}…' is ${n} bytes; at most 64 are allowed`;
  if (s === '.' || s === '..') return `namespace name '${s}' is not a safe file name`;
  const c = charProblem(s, /[A-Za-z0-9_.-]/, `namespace name '${printable(s)}'`);
  if (c) return c;
  if (!/^[A-Za-z0-9]/.test(s)) return `namespace name '${s}' must start with a letter or digit`;
  return undefined;
}

export function topoNameProblem(s: unknown): string | undefined {
  if (typeof s !== 'string') return 'topology name must be a string';
  if (s.length === 0) return 'topology name is empty';
  const n = byteLength(s);
  if (n > 20) return `topology name '${printable(s.slice(0, 24))}' is ${n} bytes; at most 20 are allowed (it is part of iptables chain names)`;
  const c = charProblem(s, /[A-Za-z0-9_-]/, `topology name '${printable(s)}'`);
  if (c) return c.replace(", '.' and '-'", " and '-'");
  if (!/^[A-Za-z0-9]/.test(s)) return `topology name '${s}' must start with a letter or digit`;
  return undefined;
}

export function isReservedNodeName(s: string): boolean {
  return RESERVED_NODE_NAMES.has(s);
}

/** make a string safe to show in one line of a message */
export function printable(s: string): string {
  return s.replace(/[\u0000-\u001f\u007f-\u009f]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);
}

/** the ifalias / comment tag that marks an object as owned by a topology */
export const OWNER_PREFIX = 'netns-lab:';
export function ownerTag(topology: string): string {
  return `${OWNER_PREFIX}${topology}`;
}
export function parseOwnerTag(alias: string | undefined): string | undefined {
  if (!alias || !alias.startsWith(OWNER_PREFIX)) return undefined;
  const t = alias.slice(OWNER_PREFIX.length);
  return topoNameProblem(t) ? undefined : t;
}

/** iptables chains owned by the tool */
export const CHAIN_PREFIX = 'NSL-';
export const STATE_CHAIN = 'NSL-STATE';
export function forwardChain(topology: string): string {
  return `NSL-F-${topology}`;
}
export function natChain(topology: string): string {
  return `NSL-N-${topology}`;
}
