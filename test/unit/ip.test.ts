/** IPv4/IPv6 parsing, RFC 5952 formatting and prefix arithmetic (src/core/model/ip.ts). */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import {
  bits, canonicalCidr, canonicalIP, contains, formatCidr, formatIP, isLinkLocal, isLoopback, isMulticastOrUnspecified,
  isNetworkOrBroadcast, mask, network, overlaps, parseCidr, parseIP, parseIPv4, parseIPv6, subnetOf, type Cidr,
} from '../../src/core/model/ip.js';

function cidr(s: string): Cidr {
  const c = parseCidr(s);
  assert.ok(c, `${s} parses`);
  return c;
}
function ip(s: string): { family: 4 | 6; addr: bigint } {
  const a = parseIP(s);
  assert.ok(a, `${s} parses`);
  return a;
}

describe('parseIPv4', () => {
  it('parses dotted quads to 32-bit values', () => {
    assert.equal(parseIPv4('0.0.0.0'), 0n);
    assert.equal(parseIPv4('1.2.3.4'), 0x01020304n);
    assert.equal(parseIPv4('10.0.0.1'), 0x0a000001n);
    assert.equal(parseIPv4('192.168.255.254'), 0xc0a8fffen);
    assert.equal(parseIPv4('255.255.255.255'), 0xffffffffn);
  });

  it('refuses three or five parts', () => {
    assert.equal(parseIPv4('1.2.3'), undefined);
    assert.equal(parseIPv4('1.2.3.4.5'), undefined);
  });

  it('refuses octets above 255', () => {
    assert.equal(parseIPv4('256.1.1.1'), undefined);
    assert.equal(parseIPv4('10.0.0.300'), undefined);
    assert.equal(parseIPv4('1.2.3.1000'), undefined);
  });

  it('refuses leading zeros (01.2.3.4 is octal to inet_aton, decimal to others)', () => {
    assert.equal(parseIPv4('01.2.3.4'), undefined);
    assert.equal(parseIPv4('1.2.3.04'), undefined);
    assert.equal(parseIPv4('1.2.3.00'), undefined);
    assert.equal(parseIPv4('1.2.3.0'), 0x01020300n);
  });

  it('refuses empty parts, signs, spaces, hex and other text', () => {
    for (const s of ['', '1..2.3', '.1.2.3', '1.2.3.', '1.2.3.-1', '+1.2.3.4', ' 1.2.3.4', '1.2.3.4 ', '0x1.2.3.4', 'a.b.c.d', '1.2.3.4\n', '١.2.3.4']) {
      assert.equal(parseIPv4(s), undefined, JSON.stringify(s));
    }
  });
});

describe('parseIPv6', () => {
  it('parses the full form', () => {
    assert.equal(parseIPv6('2001:0db8:0000:0000:0000:0000:0000:0001'), 0x20010db8000000000000000000000001n);
    assert.equal(parseIPv6('1:2:3:4:5:6:7:8'), 0x00010002000300040005000600070008n);
  });

  it('parses "::" compression at the start, middle and end', () => {
    assert.equal(parseIPv6('::'), 0n);
    assert.equal(parseIPv6('::1'), 1n);
    assert.equal(parseIPv6('1::'), 1n << 112n);
    assert.equal(parseIPv6('fe80::1'), (0xfe80n << 112n) | 1n);
    assert.equal(parseIPv6('2001:db8::8:800:200c:417a'), 0x20010db80000000000080800200c417an);
  });

  it('"::" may stand for a single zero group', () => {
    assert.equal(parseIPv6('1:2:3:4:5:6:7::'), 0x00010002000300040005000600070000n);
    assert.equal(parseIPv6('::2:3:4:5:6:7:8'), 0x00000002000300040005000600070008n);
  });

  it('is case-insensitive', () => {
    assert.equal(parseIPv6('FE80::ABCD'), parseIPv6('fe80::abcd'));
  });

  it('parses an embedded IPv4 tail', () => {
    assert.equal(parseIPv6('::ffff:1.2.3.4'), 0xffff01020304n);
    assert.equal(parseIPv6('::1.2.3.4'), 0x01020304n);
    assert.equal(parseIPv6('64:ff9b::192.0.2.33'), (0x64ff9bn << 96n) | 0xc0000221n);
    assert.equal(parseIPv6('1:2:3:4:5:6:10.0.0.1'), 0x0001000200030004000500060a000001n);
  });

  it('refuses a bad embedded IPv4 tail', () => {
    for (const s of ['::ffff:1.2.3', '::ffff:01.2.3.4', '::ffff:256.0.0.1', '::ffff:1.2.3.4:1', '1.2.3.4::', '1:2:3:4:5:6:7:1.2.3.4', '::1.2.3.4.5']) {
      assert.equal(parseIPv6(s), undefined, s);
    }
  });

  it("refuses ':::'", () => {
    assert.equal(parseIPv6(':::'), undefined);
    assert.equal(parseIPv6('1:::2'), undefined);
  });

  it("refuses two '::' (fe80::1::2)", () => {
    assert.equal(parseIPv6('fe80::1::2'), undefined);
    assert.equal(parseIPv6('::1::'), undefined);
  });

  it('refuses the wrong number of groups', () => {
    assert.equal(parseIPv6('1:2:3:4:5:6:7'), undefined);
    assert.equal(parseIPv6('1:2:3:4:5:6:7:8:9'), undefined);
    assert.equal(parseIPv6('::1:2:3:4:5:6:7:8'), undefined, 'nothing left for :: to stand for');
    assert.equal(parseIPv6('1:2:3:4::5:6:7:8'), undefined);
  });

  it('refuses groups of five digits, non-hex and stray colons', () => {
    for (const s of ['12345::', 'g::1', ':1::', '1::2:', ':1:2:3:4:5:6:7:8', '1:2:3:4:5:6:7:8:', '', ':', 'fe80::1%eth0', '[::1]', ' ::1']) {
      assert.equal(parseIPv6(s), undefined, JSON.stringify(s));
    }
  });

  it('refuses a plain IPv4 address', () => {
    assert.equal(parseIPv6('1.2.3.4'), undefined);
  });

  it('refuses absurdly long input', () => {
    assert.equal(parseIPv6('0000:'.repeat(20) + '1'), undefined);
  });
});

describe('parseIP', () => {
  it('tells the families apart', () => {
    assert.deepEqual(parseIP('10.0.0.1'), { family: 4, addr: 0x0a000001n });
    assert.deepEqual(parseIP('fd00::1'), { family: 6, addr: (0xfd00n << 112n) | 1n });
    assert.deepEqual(parseIP('::ffff:10.0.0.1'), { family: 6, addr: 0xffff0a000001n });
  });

  it('refuses what neither family accepts', () => {
    for (const s of ['1.2.3', '01.2.3.4', ':::', 'fe80::1::2', 'localhost', '10.0.0.1/24', '']) {
      assert.equal(parseIP(s), undefined, s);
    }
  });
});

describe('formatIP', () => {
  it('formats IPv4', () => {
    assert.equal(formatIP(4, 0n), '0.0.0.0');
    assert.equal(formatIP(4, 0x0a000001n), '10.0.0.1');
    assert.equal(formatIP(4, 0xffffffffn), '255.255.255.255');
  });

  it('RFC 5952: lowercase, no leading zeros', () => {
    assert.equal(formatIP(6, parseIPv6('2001:0DB8:0000:0000:0000:0000:0000:0001')!), '2001:db8::1');
    assert.equal(formatIP(6, parseIPv6('FE80:0:0:0:0ABC:0:0:1')!), 'fe80::abc:0:0:1');
  });

  it('RFC 5952: the longest run of zeros is compressed', () => {
    assert.equal(formatIP(6, parseIPv6('2001:db8:0:0:1:0:0:0')!), '2001:db8:0:0:1::');
    assert.equal(formatIP(6, parseIPv6('2001:0:0:1:0:0:0:1')!), '2001:0:0:1::1');
  });

  it('RFC 5952: the first of equally long runs is compressed', () => {
    assert.equal(formatIP(6, parseIPv6('2001:db8:0:0:1:0:0:1')!), '2001:db8::1:0:0:1');
    assert.equal(formatIP(6, parseIPv6('1:0:0:2:0:0:3:4')!), '1::2:0:0:3:4');
  });

  it('RFC 5952: a single zero group is not compressed', () => {
    assert.equal(formatIP(6, parseIPv6('2001:db8:0:1:1:1:1:1')!), '2001:db8:0:1:1:1:1:1');
    assert.equal(formatIP(6, parseIPv6('1:2:3:4:5:6:7::')!), '1:2:3:4:5:6:7:0');
    assert.equal(formatIP(6, parseIPv6('::2:3:4:5:6:7:8')!), '0:2:3:4:5:6:7:8');
  });

  it('the all-zeros, loopback and end-compressed addresses', () => {
    assert.equal(formatIP(6, 0n), '::');
    assert.equal(formatIP(6, 1n), '::1');
    assert.equal(formatIP(6, 1n << 112n), '1::');
    assert.equal(formatIP(6, (1n << 128n) - 1n), 'ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff');
  });

  it('RFC 5952 section 5: an IPv4-mapped address keeps its dotted tail', () => {
    assert.equal(formatIP(6, parseIPv6('::ffff:1.2.3.4')!), '::ffff:1.2.3.4');
    assert.equal(formatIP(6, parseIPv6('::FFFF:0102:0304')!), '::ffff:1.2.3.4');
    assert.equal(formatIP(6, parseIPv6('0:0:0:0:0:ffff:a00:1')!), '::ffff:10.0.0.1');
  });

  it('other embedded IPv4 forms are written in hex', () => {
    assert.equal(formatIP(6, parseIPv6('64:ff9b::192.0.2.33')!), '64:ff9b::c000:221');
    assert.equal(formatIP(6, parseIPv6('1:2:3:4:5:6:10.0.0.1')!), '1:2:3:4:5:6:a00:1');
  });

  it('format then parse is the identity', () => {
    for (const s of ['::', '::1', '1::', 'fe80::1', '2001:db8::8:800:200c:417a', '1::2:0:0:3:4', '::ffff:1.2.3.4', 'ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff']) {
      const a = parseIPv6(s)!;
      assert.equal(parseIPv6(formatIP(6, a)), a, s);
      assert.equal(formatIP(6, a), s, 'already canonical');
    }
  });
});

describe('canonicalIP', () => {
  it('returns the canonical text, or undefined', () => {
    assert.equal(canonicalIP('2001:DB8:0:0::1'), '2001:db8::1');
    assert.equal(canonicalIP('10.0.0.1'), '10.0.0.1');
    assert.equal(canonicalIP('01.2.3.4'), undefined);
    assert.equal(canonicalIP(':::'), undefined);
  });
});

describe('parseCidr', () => {
  it('keeps the host address and the prefix', () => {
    assert.deepEqual(parseCidr('10.0.0.2/24'), { family: 4, addr: 0x0a000002n, prefix: 24 });
    assert.deepEqual(parseCidr('fd00::2/64'), { family: 6, addr: (0xfd00n << 112n) | 2n, prefix: 64 });
  });

  it('accepts the extreme prefixes', () => {
    assert.deepEqual(parseCidr('0.0.0.0/0'), { family: 4, addr: 0n, prefix: 0 });
    assert.deepEqual(parseCidr('1.2.3.4/32'), { family: 4, addr: 0x01020304n, prefix: 32 });
    assert.deepEqual(parseCidr('::/0'), { family: 6, addr: 0n, prefix: 0 });
    assert.deepEqual(parseCidr('::1/128'), { family: 6, addr: 1n, prefix: 128 });
  });

  it('refuses prefixes beyond the family', () => {
    assert.equal(parseCidr('10.0.0.1/33'), undefined);
    assert.equal(parseCidr('fd00::1/129'), undefined);
    assert.equal(parseCidr('1.2.3.4/999'), undefined);
  });

  it("refuses a prefix with a leading zero ('1.2.3.4/08')", () => {
    assert.equal(parseCidr('1.2.3.4/08'), undefined);
    assert.equal(parseCidr('1.2.3.4/024'), undefined);
    assert.equal(parseCidr('1.2.3.4/00'), undefined);
    assert.deepEqual(parseCidr('1.2.3.4/8'), { family: 4, addr: 0x01020304n, prefix: 8 });
  });

  it('requires a prefix', () => {
    assert.equal(parseCidr('10.0.0.1'), undefined);
    assert.equal(parseCidr('10.0.0.1/'), undefined);
    assert.equal(parseCidr('fd00::1'), undefined);
  });

  it('refuses malformed prefixes and addresses', () => {
    for (const s of ['1.2.3.4/1/2', '1.2.3.4/+8', '1.2.3.4/ 8', '1.2.3.4/-1', '/24', '10.0.0.300/24', '1.2.3/24', ':::/64', 'fe80::1::2/64', '1.2.3.4/2a']) {
      assert.equal(parseCidr(s), undefined, s);
    }
  });
});

describe('canonicalCidr, formatCidr and subnetOf', () => {
  it('canonicalCidr keeps host bits and normalizes the text', () => {
    assert.equal(canonicalCidr('10.0.0.2/24'), '10.0.0.2/24');
    assert.equal(canonicalCidr('FD00:0:0::0002/64'), 'fd00::2/64');
    assert.equal(canonicalCidr('::ffff:10.0.0.1/120'), '::ffff:10.0.0.1/120');
    assert.equal(canonicalCidr('1.2.3.4/08'), undefined);
    assert.equal(canonicalCidr('10.0.0.1'), undefined);
  });

  it('formatCidr is canonicalCidr on a parsed value', () => {
    assert.equal(formatCidr({ family: 6, addr: 1n, prefix: 128 }), '::1/128');
    assert.equal(formatCidr({ family: 4, addr: 0x0a000002n, prefix: 24 }), '10.0.0.2/24');
  });

  it('subnetOf masks the host bits', () => {
    assert.equal(subnetOf(cidr('10.0.0.2/24')), '10.0.0.0/24');
    assert.equal(subnetOf(cidr('10.0.0.129/25')), '10.0.0.128/25');
    assert.equal(subnetOf(cidr('192.168.37.200/20')), '192.168.32.0/20');
    assert.equal(subnetOf(cidr('10.1.2.3/32')), '10.1.2.3/32');
    assert.equal(subnetOf(cidr('10.1.2.3/0')), '0.0.0.0/0');
    assert.equal(subnetOf(cidr('fd00:a:b:c:d::1/64')), 'fd00:a:b:c::/64');
    assert.equal(subnetOf(cidr('2001:db8:abcd:1234::1/36')), '2001:db8:a000::/36');
    assert.equal(subnetOf(cidr('fe80::1/0')), '::/0');
  });
});

describe('mask, network and bits', () => {
  it('bits per family', () => {
    assert.equal(bits(4), 32);
    assert.equal(bits(6), 128);
  });

  it('IPv4 masks', () => {
    assert.equal(mask(4, 0), 0n);
    assert.equal(mask(4, 8), 0xff000000n);
    assert.equal(mask(4, 24), 0xffffff00n);
    assert.equal(mask(4, 31), 0xfffffffen);
    assert.equal(mask(4, 32), 0xffffffffn);
  });

  it('IPv6 masks', () => {
    assert.equal(mask(6, 0), 0n);
    assert.equal(mask(6, 64), ((1n << 64n) - 1n) << 64n);
    assert.equal(mask(6, 128), (1n << 128n) - 1n);
  });

  it('network', () => {
    assert.equal(network(cidr('10.0.0.77/24')), 0x0a000000n);
    assert.equal(network(cidr('fd00::ff/120')), 0xfd00n << 112n);
  });
});

describe('contains', () => {
  it('an address inside the subnet', () => {
    assert.equal(contains(cidr('10.0.0.2/24'), ip('10.0.0.1')), true);
    assert.equal(contains(cidr('10.0.0.2/24'), ip('10.0.0.255')), true);
    assert.equal(contains(cidr('fd00::2/64'), ip('fd00::ffff:1')), true);
  });

  it('an address outside the subnet', () => {
    assert.equal(contains(cidr('10.0.0.2/24'), ip('10.0.1.1')), false);
    assert.equal(contains(cidr('10.0.0.2/25'), ip('10.0.0.200')), false);
    assert.equal(contains(cidr('fd00::2/64'), ip('fd00:0:0:1::1')), false);
  });

  it('never across families', () => {
    assert.equal(contains(cidr('0.0.0.0/0'), ip('::')), false);
    assert.equal(contains(cidr('::/0'), ip('10.0.0.1')), false);
    assert.equal(contains(cidr('::ffff:0.0.0.0/96'), ip('10.0.0.1')), false);
  });

  it('/0 contains everything of its family, /32 only itself', () => {
    assert.equal(contains(cidr('0.0.0.0/0'), ip('203.0.113.9')), true);
    assert.equal(contains(cidr('10.0.0.1/32'), ip('10.0.0.1')), true);
    assert.equal(contains(cidr('10.0.0.1/32'), ip('10.0.0.2')), false);
  });
});

describe('overlaps', () => {
  it('nested subnets overlap, in both orders', () => {
    assert.equal(overlaps(cidr('10.0.0.1/24'), cidr('10.0.0.129/25')), true);
    assert.equal(overlaps(cidr('10.0.0.129/25'), cidr('10.0.0.1/24')), true);
    assert.equal(overlaps(cidr('10.0.0.0/8'), cidr('10.200.1.1/32')), true);
  });

  it('the same subnet overlaps itself', () => {
    assert.equal(overlaps(cidr('10.0.0.1/24'), cidr('10.0.0.200/24')), true);
  });

  it('adjacent subnets do not overlap', () => {
    assert.equal(overlaps(cidr('10.0.0.1/24'), cidr('10.0.1.1/24')), false);
    assert.equal(overlaps(cidr('10.0.0.1/25'), cidr('10.0.0.129/25')), false);
    assert.equal(overlaps(cidr('fd00:0:0:1::1/64'), cidr('fd00:0:0:2::1/64')), false);
  });

  it('IPv6 nesting', () => {
    assert.equal(overlaps(cidr('fd00::/48'), cidr('fd00:0:0:7::1/64')), true);
  });

  it('never across families', () => {
    assert.equal(overlaps(cidr('0.0.0.0/0'), cidr('::/0')), false);
    assert.equal(overlaps(cidr('10.0.0.1/24'), cidr('::a00:1/120')), false);
  });
});

describe('address classes', () => {
  it('isNetworkOrBroadcast (IPv4)', () => {
    assert.equal(isNetworkOrBroadcast(cidr('10.0.0.0/24')), true);
    assert.equal(isNetworkOrBroadcast(cidr('10.0.0.255/24')), true);
    assert.equal(isNetworkOrBroadcast(cidr('10.0.0.1/24')), false);
    assert.equal(isNetworkOrBroadcast(cidr('10.0.0.254/24')), false);
    assert.equal(isNetworkOrBroadcast(cidr('10.0.0.128/25')), true);
    assert.equal(isNetworkOrBroadcast(cidr('10.0.0.0/31')), false, '/31 has no network or broadcast address');
    assert.equal(isNetworkOrBroadcast(cidr('10.0.0.1/31')), false);
    assert.equal(isNetworkOrBroadcast(cidr('10.0.0.0/32')), false);
  });

  it('isNetworkOrBroadcast (IPv6: the subnet-router anycast address)', () => {
    assert.equal(isNetworkOrBroadcast(cidr('fd00::/64')), true);
    assert.equal(isNetworkOrBroadcast(cidr('fd00::1/64')), false);
    assert.equal(isNetworkOrBroadcast(cidr('fd00::ffff:ffff:ffff:ffff/64')), false, 'IPv6 has no broadcast');
    assert.equal(isNetworkOrBroadcast(cidr('fd00::/127')), false);
  });

  it('isLoopback', () => {
    assert.equal(isLoopback(ip('127.0.0.1')), true);
    assert.equal(isLoopback(ip('127.255.0.9')), true);
    assert.equal(isLoopback(ip('128.0.0.1')), false);
    assert.equal(isLoopback(ip('::1')), true);
    assert.equal(isLoopback(ip('::2')), false);
  });

  it('isLinkLocal', () => {
    assert.equal(isLinkLocal(ip('169.254.1.1')), true);
    assert.equal(isLinkLocal(ip('169.255.1.1')), false);
    assert.equal(isLinkLocal(ip('fe80::1')), true);
    assert.equal(isLinkLocal(ip('febf::1')), true, 'fe80::/10 ends at febf');
    assert.equal(isLinkLocal(ip('fec0::1')), false);
    assert.equal(isLinkLocal(ip('fd00::1')), false);
  });

  it('isMulticastOrUnspecified', () => {
    assert.equal(isMulticastOrUnspecified(ip('224.0.0.1')), true);
    assert.equal(isMulticastOrUnspecified(ip('239.255.255.255')), true);
    assert.equal(isMulticastOrUnspecified(ip('240.0.0.1')), false);
    assert.equal(isMulticastOrUnspecified(ip('0.0.0.0')), true);
    assert.equal(isMulticastOrUnspecified(ip('255.255.255.255')), true);
    assert.equal(isMulticastOrUnspecified(ip('10.0.0.1')), false);
    assert.equal(isMulticastOrUnspecified(ip('ff02::1')), true);
    assert.equal(isMulticastOrUnspecified(ip('::')), true);
    assert.equal(isMulticastOrUnspecified(ip('fe80::1')), false);
  });
});
