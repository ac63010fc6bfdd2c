/**
 * MAC addresses of link ends: six hex octets separated by ':', unicast (the group bit, the lowest
 * bit of the first octet, clear) and not all zeros — what the kernel accepts as a veth's address
 * (it refuses the others with "Cannot assign requested address"). A universally administered
 * address (the locally administered bit clear) is allowed: labs copy real devices' MACs.
 */
import { z } from 'zod';
import { printable } from './names.js';

export const MAC_PATTERN = '^[0-9A-Fa-f]{2}(:[0-9A-Fa-f]{2}){5}$';
const MAC_RE = new RegExp(MAC_PATTERN);

/** the reason a value is not a MAC a link end may have; undefined when it is fine */
export function macProblem(s: unknown): string | undefined {
  if (typeof s !== 'string') return 'mac must be a string such as "02:00:00:00:00:01"';
  if (!MAC_RE.test(s)) return `mac '${printable(s)}' is not six hex octets separated by ':', e.g. 02:00:00:00:00:01`;
  if (parseInt(s.slice(0, 2), 16) & 1) return `mac '${s}' is a multicast address (the lowest bit of its first octet is set); a link end needs a unicast MAC, e.g. ${macWithGroupBitClear(s)}`;
  if (/^(00:){5}00$/.test(s)) return "mac '00:00:00:00:00:00' is all zeros, which the kernel refuses";
  return undefined;
}

/** the canonical (lower-case) form the kernel prints */
export function canonicalMac(s: string): string {
  return s.toLowerCase();
}

function macWithGroupBitClear(s: string): string {
  return `${(parseInt(s.slice(0, 2), 16) & 0xfe).toString(16).padStart(2, '0')}${s.slice(2).toLowerCase()}`;
}

const macError = (iss: { input?: unknown }) => `[invalid-mac] ${macProblem(iss.input) ?? 'invalid value'}`;

export const Mac = z.string()
  .regex(MAC_RE, { error: macError, abort: true })
  .refine((s) => macProblem(s) === undefined, { error: macError })
  .meta({ description: 'MAC address of this end: six hex octets such as 02:00:00:00:00:01, unicast, not all zeros. Without it the kernel picks a random one (and a MAC set before is left as it is).' });
