/** Capture inside a namespace: a capture of a ping contains its ICMP packets; nothing is left running. */
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { CLI, EXAMPLES, cli, resetSandbox, setupInternet, sh } from './sandbox.js';

/** IPv4 protocol numbers of the packets in a pcap file (Ethernet link type) */
function pcapProtocols(buf: Buffer): number[] {
  assert.equal(buf.readUInt32LE(0), 0xa1b2c3d4, 'a little-endian pcap');
  const out: number[] = [];
  for (let off = 24; off + 16 <= buf.length;) {
    const incl = buf.readUInt32LE(off + 8);
    const pkt = buf.subarray(off + 16, off + 16 + incl);
    if (pkt.length >= 34 && pkt.readUInt16BE(12) === 0x0800) out.push(pkt[23]!);
    off += 16 + incl;
  }
  return out;
}

function captureWhilePinging(args: string[]): Promise<{ code: number | null; stdout: string }> {
  return new Promise((resolve) => {
    const c = spawn(process.execPath, [CLI, 'capture', ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    c.stdout.on('data', (d) => { stdout += d; });
    // ping for most of the capture, so a slow start of tcpdump still sees several of them
    setTimeout(() => spawnSync('ip', ['netns', 'exec', 'ns1', 'ping', '-c', '8', '-i', '0.2', '10.0.0.3']), 500);
    c.on('exit', (code) => resolve({ code, stdout }));
  });
}

describe('capture', () => {
  before(async () => { await resetSandbox(); await setupInternet(); assert.equal(cli(['apply', join(EXAMPLES, 'article.netns.json')]).code, 0); });
  after(resetSandbox);

  it('writes a pcap of a ping with its ICMP packets', async () => {
    const file = join(mkdtempSync(join(tmpdir(), 'netns-lab-cap-')), 'ping.pcap');
    const r = await captureWhilePinging(['--ns', 'ns1', '--iface', 'veth1', '--filter', 'icmp', '--seconds', '3', '-o', file]);
    assert.equal(r.code, 0);
    const protos = pcapProtocols(readFileSync(file));
    assert.ok(protos.length >= 4, `${protos.length} packets`);
    assert.ok(protos.every((p) => p === 1), 'only ICMP, as filtered');
  });

  it('prints text live, and leaves no tcpdump running', async () => {
    const r = await captureWhilePinging(['--ns', 'ns1', '--iface', 'veth1', '--seconds', '3']);
    assert.equal(r.code, 0);
    assert.match(r.stdout, /10\.0\.0\.2 > 10\.0\.0\.3: ICMP echo request/);
    await new Promise((res) => setTimeout(res, 200));
    assert.equal(/tcpdump/.test(sh('ps', ['-eo', 'comm'])), false);
  });

  it('refuses filters with shell or option text and unknown interfaces', () => {
    assert.equal(cli(['capture', '--ns', 'ns1', '--iface', '-w']).code, 2);
    const r = cli(['capture', '--ns', 'ns1', '--iface', 'veth1', '--filter', 'icmp; reboot', '--seconds', '1']);
    assert.equal(r.code, 2);
    assert.equal(cli(['capture', '--ns', 'ns1', '--iface', 'nope0', '--seconds', '1']).code, 1);
  });
});
