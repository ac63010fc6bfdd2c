/**
 * fast-check arbitraries for hostile topologies: structurally plausible files (so that every
 * stage of the validator and the planner is reached) with hostile strings, numbers and keys
 * mixed in. Shared by test/unit/fuzz.test.ts (bounded) and test/fuzz/run.ts (`npm run fuzz`).
 */
import fc from 'fast-check';
import { IFNAME_PATTERN, NSNAME_PATTERN, TOPONAME_PATTERN } from '../../src/core/model/names.js';

/** the names an attacker tries first: shell, options, paths, controls, look-alikes, lengths, keywords */
export const HOSTILE_NAMES: readonly string[] = [
  'ns1; rm -rf /', '$(reboot)', '`reboot`', 'a|b', 'a&b', 'a>b', '<x', 'a b', 'a\tb', 'x\ny', "it's", '"q"', '\\', '%s', '*', '~root', '#x',
  '-n', '--help', '-all', '-', '--', '-w', '--net=/proc/1/ns/net',
  '../../etc', 'a/b', '.', '..', '/', '', ' ',
  'ns1\u0000', 'ns\u0007', '\u001b[2J', '\u001b]0;x\u0007', '\u009b1m',
  'n\u04551', 'v\u0435th1', '\uff4e\uff53\uff11', 'ns\u200b1', 'ns\u202e1', '\ufeffns1', 'ns\ud8001', '\u00e9',
  'veth0123456789ab', 'veth0123456789\u00e9', 'a'.repeat(16), 'a'.repeat(21), 'a'.repeat(65), 'a'.repeat(5000),
  'host', 'default', 'all', 'none', 'lo', 'auto', 'inherit', 'eth0', 'EOF', 'nameserver 203.0.113.66', 'NSL-F-x', 'netns-lab:x',
  '__proto__', 'constructor', 'prototype', 'toString', 'hasOwnProperty', 'valueOf',
];

/** addresses and prefixes at the edges of the parsers and of the kernel's rules */
export const HOSTILE_ADDRESSES: readonly string[] = [
  '010.0.0.1/24', '10.0.0.1/33', '10.0.0.1/024', '10.0.0.1/-1', '10.0.0.1/', '10.0.0.1', '1.2.3.4.5/8', '10.0.0.256/24',
  '::ffff:10.0.0.1/24', '::ffff:10.0.0.2/96', '::ffff:a00:2/96', 'fe80::1%eth0/64', '0.0.0.0/0', '255.255.255.255/32', '2001:db8::/129',
  ':::/64', '::/0', '::1/128', '127.0.0.1/8', '224.0.0.1/4', 'ff02::1/16', 'fe80::1/64', '169.254.1.1/16', '10.0.0.0/24', '10.0.0.255/24',
  '1::/0', '1:2:3:4:5:6:7:8/64', '1:2:3:4:5:6:7:8:9/64', '1::2::3/64', '::ffff:1.2.3.4/128', '1:2:3:4:5:6:1.2.3.4/96',
  '10.0.0.1 /24', ' 10.0.0.1/24', '10.0.0.1/24\n', '10.0.0.1/24 dev eth0', '\uff10.0.0.1/24', '10.0.0.1\u0000/24', '0x0a.0.0.1/24',
  '10.0.0.1', 'fd00::1', '-6', '10.0.0.1 dev eth0', '1.1.1.1\nnameserver 6.6.6.6', 'localhost',
];

const CONTROL = Array.from({ length: 32 }, (_, i) => String.fromCharCode(i));
const META = [...';|&$`<>(){}[]*?~!#"\'\\/ \t.-_=+,:@%^'];

/** strings of hostile characters, of any unicode, and of the safe alphabet (so lengths are probed) */
export const hostileString: fc.Arbitrary<string> = fc.oneof(
  { weight: 4, arbitrary: fc.constantFrom(...HOSTILE_NAMES) },
  { weight: 2, arbitrary: fc.string({ unit: fc.constantFrom(...CONTROL, ...META, 'a', '1', '\u00e9', '\u200b', '\u202e', '\ufeff'), maxLength: 20 }) },
  { weight: 2, arbitrary: fc.string({ unit: 'binary', maxLength: 24 }) },
  { weight: 1, arbitrary: fc.string({ unit: fc.constantFrom('a', 'b', '0', '.', '-', '_'), minLength: 12, maxLength: 70 }) },
  // a lone surrogate: not well-formed UTF-16, still a JavaScript string
  { weight: 1, arbitrary: fc.integer({ min: 0xd800, max: 0xdfff }).map((c) => `ns${String.fromCharCode(c)}`) },
);

const octet = fc.oneof(fc.integer({ min: 0, max: 255 }), fc.integer({ min: 0, max: 999 }));
/** CIDR-like strings: random quads and prefixes, random IPv6, random hex-colon soup, the edge cases */
export const cidrLike: fc.Arbitrary<string> = fc.oneof(
  fc.constantFrom(...HOSTILE_ADDRESSES),
  fc.tuple(octet, octet, octet, octet, fc.integer({ min: 0, max: 40 })).map(([a, b, c, d, p]) => `${a}.${b}.${c}.${d}/${p}`),
  fc.tuple(fc.ipV4(), fc.integer({ min: 0, max: 33 })).map(([ip, p]) => `${ip}/${p}`),
  fc.tuple(fc.ipV6(), fc.integer({ min: 0, max: 130 })).map(([ip, p]) => `${ip}/${p}`),
  fc.string({ unit: fc.constantFrom(...'0123456789abcdefABCDEF:./%'), maxLength: 50 }),
);
export const ipLike: fc.Arbitrary<string> = fc.oneof(
  fc.ipV4(), fc.ipV6(), fc.ipV4Extended(),
  cidrLike.map((c) => c.split('/')[0]!),
  fc.constantFrom(...HOSTILE_ADDRESSES),
);

/** numbers at and beyond every limit of the format, and values of the wrong type */
export const hostileNumber: fc.Arbitrary<unknown> = fc.oneof(
  fc.constantFrom(0, -1, 1.5, 67, 68, 65535, 65536, 1e7, -1e7, 2 ** 31, 2 ** 32, -(2 ** 31) - 1, Number.MAX_SAFE_INTEGER + 2, -0, NaN, Infinity, -Infinity, 1e-300),
  fc.integer(), fc.double(),
  fc.constantFrom('1500', '0x10', '', null, true, [], {}, [1500], { value: 1 }),
);

export const hostileValue: fc.Arbitrary<unknown> = fc.oneof(
  { weight: 4, arbitrary: hostileString },
  { weight: 2, arbitrary: cidrLike },
  { weight: 2, arbitrary: hostileNumber },
  { weight: 1, arbitrary: fc.jsonValue({ maxDepth: 3 }) },
);

// ---- structurally plausible topologies ----

const ifName = fc.stringMatching(new RegExp(IFNAME_PATTERN));
const nsName = fc.stringMatching(new RegExp(NSNAME_PATTERN)).filter((n) => n.length <= 24);
const topoName = fc.stringMatching(new RegExp(TOPONAME_PATTERN)).map((n) => `fz${n}`.slice(0, 20));
const suffix = fc.stringMatching(/^[A-Za-z0-9_.-]{0,10}$/);
const position = fc.record({ x: fc.double({ min: -1e6, max: 1e6, noNaN: true }), y: fc.integer({ min: -1e6, max: 1e6 }) });
const note = fc.oneof(fc.string({ unit: 'binary', maxLength: 60 }), fc.constantFrom(...HOSTILE_NAMES));
const sysctls = fc.dictionary(
  fc.oneof(
    fc.constantFrom('net.ipv4.ip_forward', 'net.ipv4.ping_group_range', 'net.ipv6.conf.all.forwarding', 'net.ipv4.conf.all.rp_filter', 'net.core.somaxconn'),
    fc.stringMatching(/^net\.(ipv4|ipv6|core|netfilter)(\.[A-Za-z0-9_-]{1,8}){1,3}$/),
  ),
  fc.oneof(fc.integer({ min: -5, max: 70000 }), fc.constantFrom('0 2147483647', '1', ' 1', 'a b  c', '4096 131072 6291456'), fc.stringMatching(/^[A-Za-z0-9 .:_-]{1,20}$/)),
  { maxKeys: 3 },
);
const dns = fc.oneof(
  fc.constant('inherit'),
  fc.record({
    servers: fc.array(fc.oneof(fc.ipV4(), fc.ipV6()), { minLength: 1, maxLength: 3 }),
    search: fc.array(fc.stringMatching(/^[A-Za-z0-9]([A-Za-z0-9-]{0,10})(\.[A-Za-z0-9]([A-Za-z0-9-]{0,10}))*\.?$/), { maxLength: 3 }),
  }, { requiredKeys: ['servers'] }),
);

interface Shape {
  name: string;
  bridges: { name: string; v6: boolean; mtu: number | undefined; inNs: boolean }[];
  namespaces: { name: string; sysctls: Record<string, unknown>; dns: unknown; internet: boolean; note: string | undefined; position: unknown; extraRoute: boolean }[];
  suffixes: string[];
  uplink: string;
  linkMtu: (number | undefined)[];
  up: (boolean | undefined)[];
  annotations: { text: string; position: unknown }[];
  /** issue 19: a hand-written VXLAN device, a macvlan of the host's uplink, a second host */
  tunnel: boolean;
  macvlan: boolean;
  multiHost: boolean;
}

const shape: fc.Arbitrary<Shape> = fc.record({
  name: topoName,
  bridges: fc.uniqueArray(fc.record({ name: ifName, v6: fc.boolean(), mtu: fc.option(fc.integer({ min: 68, max: 65535 }), { nil: undefined }), inNs: fc.boolean() }), { maxLength: 3, selector: (b) => b.name }),
  namespaces: fc.uniqueArray(fc.record({
    name: nsName, sysctls, dns: fc.option(dns, { nil: undefined }), internet: fc.boolean(),
    note: fc.option(note, { nil: undefined }), position: fc.option(position, { nil: undefined }), extraRoute: fc.boolean(),
  }), { minLength: 1, maxLength: 5, selector: (n) => n.name }),
  suffixes: fc.array(suffix, { minLength: 6, maxLength: 6 }),
  uplink: fc.oneof(fc.constant('auto'), ifName),
  linkMtu: fc.array(fc.option(fc.integer({ min: 68, max: 65535 }), { nil: undefined }), { minLength: 6, maxLength: 6 }),
  up: fc.array(fc.option(fc.boolean(), { nil: undefined }), { minLength: 6, maxLength: 6 }),
  annotations: fc.array(fc.record({ text: note, position }), { maxLength: 2 }),
  tunnel: fc.boolean(),
  macvlan: fc.boolean(),
  multiHost: fc.boolean(),
});

/**
 * A topology built to be valid: namespaces on bridge LANs (10.B.0.0/24, fd00:B::/64) or on
 * point-to-point links to the host (10.200.I.0/30), default routes via the gateway, NAT for the
 * LANs. Random names and values may still clash (a namespace named like a bridge, 'lo'): such
 * a file is refused, which the properties check too.
 */
export const plausibleTopology: fc.Arbitrary<Record<string, unknown>> = shape.map((s) => {
  const drop = <T extends Record<string, unknown>>(o: T): T => Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as T;
  // a bridge "in" a namespace lives there: only when that namespace has no other LAN role
  const bridges = s.bridges.map((b, j) => drop({
    name: b.name,
    in: b.inNs && j === 0 && s.namespaces.length > 1 ? s.namespaces[s.namespaces.length - 1]!.name : undefined,
    addresses: [`10.${j}.0.1/24`, ...(b.v6 ? [`fd00:${j}::1/64`] : [])],
    mtu: b.mtu,
  }));
  const hostBridges = bridges.map((b, j) => ({ b, j })).filter(({ b }) => b.in === undefined);
  const links: Record<string, unknown>[] = [];
  const namespaces = s.namespaces.map((n, i) => {
    const k = i % 6;
    const onLan = hostBridges.length > 0 && !(bridges[0]?.in === n.name);
    let gw: string;
    if (onLan) {
      const { b, j } = hostBridges[i % hostBridges.length]!;
      gw = `10.${j}.0.1`;
      links.push(drop({
        a: { node: n.name, name: `e${i}-${s.suffixes[k]}`.slice(0, 15), addresses: [`10.${j}.0.${i + 2}/24`, ...((b.addresses as string[]).length > 1 ? [`fd00:${j}::${i + 2}/64`] : [])] },
        b: { node: b.name, name: `p${i}-${s.suffixes[k]}`.slice(0, 15) },
        mtu: s.linkMtu[k], up: s.up[k],
      }));
    } else {
      gw = `10.200.${i}.1`;
      links.push(drop({
        a: { node: n.name, name: `e${i}-${s.suffixes[k]}`.slice(0, 15), addresses: [`10.200.${i}.2/30`] },
        b: { node: 'host', name: `h${i}-${s.suffixes[k]}`.slice(0, 15), addresses: [`10.200.${i}.1/30`] },
        mtu: s.linkMtu[k], up: s.up[k],
      }));
    }
    return drop({
      name: n.name,
      routes: [{ to: 'default', via: gw }, ...(n.extraRoute ? [{ to: `10.99.${i}.0/24`, via: gw, metric: i }] : [])],
      sysctls: Object.keys(n.sysctls).length ? n.sysctls : undefined,
      dns: n.dns, internet: n.internet || undefined, note: n.note, position: n.position,
    });
  });
  // the fuzzers' host (bareHost) has uplink0 with 198.51.100.2: a tunnel from there, a macvlan of it
  const first = s.namespaces[0]!.name;
  const last = namespaces.at(-1)! as Record<string, unknown>;
  if (s.multiHost && namespaces.length > 1 && !last.internet) last.on = 'h2';
  return drop({
    version: 1,
    name: s.name,
    host: { uplink: s.uplink, masquerade: [...hostBridges.map(({ j }) => `10.${j}.0.0/24`), '10.200.0.0/16'] },
    bridges: bridges.length ? bridges : undefined,
    namespaces,
    links,
    hosts: last.on ? [{ name: 'local', underlay: '198.51.100.2' }, { name: 'h2', ssh: 'fz@198.51.100.3:22', helper: '/usr/local/lib/netns-lab/helper' }] : undefined,
    vxlans: s.tunnel ? [{ name: `vx-${s.suffixes[0]}`.slice(0, 15), node: first, vni: 4242, local: '198.51.100.2', remote: '198.51.100.9', addresses: ['10.250.0.1/24'], mtu: 1450 }] : undefined,
    physical: s.macvlan ? [{ dev: 'uplink0', macvlan: { node: first, name: `mv-${s.suffixes[1]}`.slice(0, 15), addresses: ['10.251.0.2/24'] } }] : undefined,
    annotations: s.annotations.length ? s.annotations : undefined,
  });
});

// ---- hostile mutations of a plausible topology ----

export interface Mutation { where: number; how: 'replace' | 'replace-string' | 'copy' | 'delete' | 'add-key' | 'proto'; value: unknown; key: string; from: number }

export const mutation: fc.Arbitrary<Mutation> = fc.record({
  where: fc.nat(),
  how: fc.constantFrom('replace', 'replace-string', 'replace-string', 'copy', 'copy', 'delete', 'add-key', 'proto'),
  value: hostileValue,
  from: fc.nat(),
  key: fc.oneof(hostileString, fc.constantFrom('argv', 'exec', 'cmd', 'shell', 'gw', 'addresses', 'name')),
});

/** set an own property (also "__proto__", which plain assignment would turn into a prototype) */
function setOwn(o: Record<string, unknown>, key: string, value: unknown): void {
  Object.defineProperty(o, key, { value, enumerable: true, writable: true, configurable: true });
}

/** every (container, key) in a value, containers first */
function slots(v: unknown, out: { parent: Record<string | number, unknown>; key: string | number }[] = []): typeof out {
  if (Array.isArray(v)) v.forEach((x, i) => { out.push({ parent: v as unknown as Record<number, unknown>, key: i }); slots(x, out); });
  else if (v && typeof v === 'object') for (const [k, x] of Object.entries(v)) { out.push({ parent: v as Record<string, unknown>, key: k }); slots(x, out); }
  return out;
}

export function mutate(base: Record<string, unknown>, ms: Mutation[]): Record<string, unknown> {
  const t = structuredClone(base);
  for (const m of ms) {
    const all = slots(t);
    if (m.how === 'add-key' || m.how === 'proto') {
      const objects = [t, ...all.map((s) => s.parent[s.key]).filter((x): x is Record<string, unknown> => !!x && typeof x === 'object' && !Array.isArray(x))];
      const o = objects[m.where % objects.length]!;
      setOwn(o, m.how === 'proto' ? '__proto__' : m.key, m.value);
      continue;
    }
    if (!all.length) continue;
    const strings = all.filter((s) => typeof s.parent[s.key] === 'string');
    const pool = m.how === 'replace-string' && strings.length ? strings : all;
    const s = pool[m.where % pool.length]!;
    if (m.how === 'copy') {
      // one string of the file copied over another: names and addresses that clash, references that dangle
      if (strings.length < 2) continue;
      const [to, from] = [strings[m.where % strings.length]!, strings[m.from % strings.length]!];
      to.parent[to.key] = from.parent[from.key];
    } else if (m.how === 'delete') {
      if (Array.isArray(s.parent)) (s.parent as unknown[]).splice(s.key as number, 1);
      else delete s.parent[s.key];
    } else if (m.how === 'replace-string') {
      s.parent[s.key] = typeof m.value === 'string' ? m.value : String(m.value);
    } else if (typeof s.key === 'string') {
      setOwn(s.parent as Record<string, unknown>, s.key, m.value);
    } else {
      s.parent[s.key] = m.value;
    }
  }
  return t;
}

/** a plausible topology, as built (often valid) or with up to four hostile mutations (mostly not) */
export const hostileTopology: fc.Arbitrary<unknown> = fc.oneof(
  { weight: 2, arbitrary: plausibleTopology },
  { weight: 5, arbitrary: fc.tuple(plausibleTopology, fc.array(mutation, { minLength: 1, maxLength: 4 })).map(([t, ms]) => mutate(t, ms)) },
  { weight: 1, arbitrary: fc.oneof(hostileValue, fc.record({ version: hostileNumber, name: hostileString }), fc.anything({ maxDepth: 3 })) },
);

// ---- hostile text ----

const TEXT_CHARS = ['{', '}', '[', ']', ',', ':', '"', '\\', '/', '*', '\u0000', '\u0001', '\n', '\r', '\t', ' ', '\ufeff', '\u2028', '\ud800', '\u00e9', '0', '1', 'e', '-', '.', 'a', 'n', 'u', 'l', 't', '\'', '#'];

/** the text of a plausible topology with a few characters inserted, deleted or replaced */
export const hostileText: fc.Arbitrary<string> = fc.oneof(
  { weight: 4, arbitrary: fc.tuple(plausibleTopology, fc.boolean(), fc.array(fc.tuple(fc.nat(), fc.constantFrom('insert', 'delete', 'replace'), fc.string({ unit: fc.constantFrom(...TEXT_CHARS), minLength: 1, maxLength: 3 })), { maxLength: 4 }))
    .map(([t, pretty, edits]) => {
      let s = JSON.stringify(t, null, pretty ? 2 : undefined);
      for (const [at, how, what] of edits) {
        const i = at % (s.length + 1);
        s = how === 'insert' ? s.slice(0, i) + what + s.slice(i) : how === 'delete' ? s.slice(0, i) + s.slice(i + what.length) : s.slice(0, i) + what + s.slice(i + what.length);
      }
      return s;
    }) },
  { weight: 1, arbitrary: fc.string({ unit: fc.constantFrom(...TEXT_CHARS), maxLength: 80 }) },
  { weight: 1, arbitrary: fc.string({ unit: 'binary', maxLength: 80 }) },
  { weight: 1, arbitrary: fc.json({ maxDepth: 4 }) },
);
