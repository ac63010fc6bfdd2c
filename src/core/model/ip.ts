/**
 * IPv4/IPv6 address and prefix arithmetic. Pure; no dependencies.
 * Addresses are held as bigint so both families share one code path.
 */
export type Family = 4 | 6;

export interface Cidr {
  family: Family;
  /** the host address as written (not masked) */
  addr: bigint;
  prefix: number;
}

const V4_RE = /^(25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)(\.(25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)){3}$/;

export function parseIPv4(s: string): bigint | undefined {
  if (!V4_RE.test(s)) return undefined;
  return s.split('.').reduce((acc, p) => (acc << 8n) | BigInt(Number(p)), 0n);
}

export function parseIPv6(s: string): bigint | undefined {
  if (s.length > 45 || !/^[0-9A-Fa-f:.]+$/.test(s)) return undefined;
  let tail4: bigint | undefined;
  let str = s;
  const lastColon = s.lastIndexOf(':');
  if (s.includes('.')) {
    tail4 = parseIPv4(s.slice(lastColon + 1));
    if (tail4 === undefined) return undefined;
    str = s.slice(0, lastColon + 1) + '0:0';
  }
  const dbl = str.split('::');
  if (dbl.length > 2) return undefined;
  const parseGroups = (part: string): number[] | undefined => {
    if (part === '') return [];
    const groups = part.split(':');
    const out: number[] = [];
    for (const g of groups) {
      if (!/^[0-9A-Fa-f]{1,4}$/.test(g)) return undefined;
      out.push(parseInt(g, 16));
    }
    return out;
  };
  const head = parseGroups(dbl[0]!);
  const tail = dbl.length === 2 ? parseGroups(dbl[1]!) : [];
  if (!head || !tail) return undefined;
  let groups: number[];
  if (dbl.length === 2) {
    const missing = 8 - head.length - tail.length;
    if (missing < 1) return undefined;
    groups = [...head, ...new Array<number>(missing).fill(0), ...tail];
  } else {
    groups = head;
  }
  if (groups.length !== 8) return undefined;
  let v = groups.reduce((acc, g) => (acc << 16n) | BigInt(g), 0n);
  if (tail4 !== undefined) v = (v & ~0xffffffffn) | tail4;
  return v;
}

export function parseIP(s: string): { family: Family; addr: bigint } | undefined {
  const v4 = parseIPv4(s);
  if (v4 !== undefined) return { family: 4, addr: v4 };
  const v6 = parseIPv6(s);
  if (v6 !== undefined) return { family: 6, addr: v6 };
  return undefined;
}

export function bits(f: Family): number {
  return f === 4 ? 32 : 128;
}

/** Parse "a.b.c.d/n" or "x::y/n". A prefix is required. */
export function parseCidr(s: string): Cidr | undefined {
  const m = /^([^/]+)\/(\d{1,3})$/.exec(s);
  if (!m) return undefined;
  const ip = parseIP(m[1]!);
  if (!ip) return undefined;
  const prefix = Number(m[2]);
  if (prefix > bits(ip.family) || (m[2]!.length > 1 && m[2]!.startsWith('0'))) return undefined;
  return { family: ip.family, addr: ip.addr, prefix };
}

export function mask(f: Family, prefix: number): bigint {
  const b = BigInt(bits(f));
  return ((1n << b) - 1n) ^ ((1n << (b - BigInt(prefix))) - 1n);
}

export function network(c: Cidr): bigint {
  return c.addr & mask(c.family, c.prefix);
}

export function formatIP(f: Family, a: bigint): string {
  if (f === 4) {
    return [24n, 16n, 8n, 0n].map((sh) => String((a >> sh) & 255n)).join('.');
  }
  // RFC 5952 section 5: IPv4-mapped addresses in mixed notation, as inet_ntop (and so `ip`) prints them
  if (a >> 32n === 0xffffn) return `::ffff:${formatIP(4, a & 0xffffffffn)}`;
  const groups: number[] = [];
  for (let i = 7; i >= 0; i--) groups.push(Number((a >> BigInt(i * 16)) & 0xffffn));
  // RFC 5952: compress the longest run (>=2) of zero groups, leftmost on ties
  let bestStart = -1;
  let bestLen = 0;
  for (let i = 0; i < 8; ) {
    if (groups[i] !== 0) { i++; continue; }
    let j = i;
    while (j < 8 && groups[j] === 0) j++;
    if (j - i > bestLen && j - i >= 2) { bestStart = i; bestLen = j - i; }
    i = j;
  }
  const hex = groups.map((g) => g.toString(16));
  if (bestStart < 0) return hex.join(':');
  const left = hex.slice(0, bestStart).join(':');
  const right = hex.slice(bestStart + bestLen).join(':');
  return `${left}::${right}`;
}

/** canonical text of a CIDR, host bits kept: "10.0.0.2/24" */
export function formatCidr(c: Cidr): string {
  return `${formatIP(c.family, c.addr)}/${c.prefix}`;
}

/** canonical text of the subnet: "10.0.0.0/24" */
export function subnetOf(c: Cidr): string {
  return `${formatIP(c.family, network(c))}/${c.prefix}`;
}

export function canonicalIP(s: string): string | undefined {
  const ip = parseIP(s);
  return ip ? formatIP(ip.family, ip.addr) : undefined;
}

export function canonicalCidr(s: string): string | undefined {
  const c = parseCidr(s);
  return c ? formatCidr(c) : undefined;
}

export function contains(net: Cidr, ip: { family: Family; addr: bigint }): boolean {
  return net.family === ip.family && (ip.addr & mask(net.family, net.prefix)) === network(net);
}

export function overlaps(a: Cidr, b: Cidr): boolean {
  if (a.family !== b.family) return false;
  const p = Math.min(a.prefix, b.prefix);
  const m = mask(a.family, p);
  return (a.addr & m) === (b.addr & m);
}

/** true for the network or (IPv4) broadcast address of a subnet with room for hosts */
export function isNetworkOrBroadcast(c: Cidr): boolean {
  if (c.family === 4 && c.prefix < 31) {
    const host = c.addr & ~mask(4, c.prefix) & 0xffffffffn;
    const all = (1n << BigInt(32 - c.prefix)) - 1n;
    return host === 0n || host === all;
  }
  if (c.family === 6 && c.prefix < 127) {
    return (c.addr & ~mask(6, c.prefix) & ((1n << 128n) - 1n)) === 0n;
  }
  return false;
}

export function isLoopback(ip: { family: Family; addr: bigint }): boolean {
  if (ip.family === 4) return ip.addr >> 24n === 127n;
  return ip.addr === 1n;
}

export function isLinkLocal(ip: { family: Family; addr: bigint }): boolean {
  if (ip.family === 4) return ip.addr >> 16n === 0xa9fen;
  return ip.addr >> 118n === 0x3fan; // fe80::/10
}

export function isMulticastOrUnspecified(ip: { family: Family; addr: bigint }): boolean {
  if (ip.family === 4) return ip.addr >> 28n === 0xen || ip.addr === 0n || ip.addr === 0xffffffffn;
  return ip.addr >> 120n === 0xffn || ip.addr === 0n;
}
