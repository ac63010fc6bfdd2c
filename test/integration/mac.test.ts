/**
 * MAC addresses of link ends in the sandbox: a topology with MACs (namespace ends, a bridge port,
 * a host end) is applied and `ip -j link` shows each MAC in its namespace; the neighbours learn
 * them; re-apply plans nothing; one MAC changed in the file is one step that changes it on the up
 * link (announced to the neighbours where arp_notify is on); a MAC changed by hand is put back; a MAC removed from the file is left alone; destroy
 * leaves nothing.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { cli, hostLinks, listNetns, ping, resetSandbox, sh } from './sandbox.js';

interface Step { op: string; ns?: string | null; name?: string; mac?: string }

const MACS = { pc1: '02:00:00:00:aa:01', pc2: '02:00:00:00:aa:02', port2: '02:00:00:00:bb:02', up: '00:1b:21:3a:4f:10', hostEnd: '02:00:00:00:cc:01' };
const file = join(mkdtempSync(join(tmpdir(), 'netns-lab-mac-')), 'mac.netns.json');

function write(m: Partial<typeof MACS>): void {
  const mac = (v: string | undefined) => (v ? { mac: v } : {});
  writeFileSync(file, JSON.stringify({
    version: 1, name: 'mac',
    bridges: [{ name: 'mbr0', addresses: ['10.61.0.1/24'] }],
    // arp_notify: pc2 announces a new MAC (gratuitous ARP), else pc1 keeps the old one in its
    // neighbour cache until the entry expires (docs/topology-format.md, endpoints)
    namespaces: [{ name: 'pc1' }, { name: 'pc2', sysctls: { 'net.ipv4.conf.all.arp_notify': 1 } }],
    links: [
      { a: { node: 'pc1', name: 'eth0', addresses: ['10.61.0.11/24'], ...mac(m.pc1) }, b: { node: 'mbr0', name: 'pc1-p' } },
      { a: { node: 'pc2', name: 'eth0', addresses: ['10.61.0.12/24'], ...mac(m.pc2) }, b: { node: 'mbr0', name: 'pc2-p', ...mac(m.port2) } },
      { a: { node: 'pc1', name: 'up0', addresses: ['10.62.0.2/30'], ...mac(m.up) }, b: { node: 'host', name: 'mac-up', addresses: ['10.62.0.1/30'], ...mac(m.hostEnd) } },
    ],
  }, null, 2));
}
const planSteps = (): Step[] => {
  const r = cli(['plan', file, '--json']);
  assert.equal(r.code, 0, r.stderr);
  return (JSON.parse(r.stdout) as { steps: ({ step: Step } | Step)[] }).steps.map((s) => ('step' in s ? s.step : s));
};
/** the MAC of a device as the kernel reports it (`ip -j link show`) */
function macOf(ns: string | null, dev: string): string {
  const out = sh('ip', [...(ns ? ['-n', ns] : []), '-j', 'link', 'show', 'dev', dev]);
  return (JSON.parse(out) as { address: string }[])[0]!.address;
}
function apply(): void {
  const r = cli(['apply', file]);
  assert.equal(r.code, 0, r.stderr);
}

describe('MAC addresses on link ends', () => {
  before(resetSandbox);
  after(resetSandbox);

  it('apply makes every veth with its MAC; ip -j link shows each one in its namespace; re-apply plans nothing', () => {
    write(MACS);
    const adds = planSteps().filter((s) => s.op === 'veth-add');
    assert.equal(adds.length, 3);
    apply();
    assert.equal(macOf('pc1', 'eth0'), MACS.pc1);
    assert.equal(macOf('pc2', 'eth0'), MACS.pc2);
    assert.equal(macOf(null, 'pc2-p'), MACS.port2);
    assert.equal(macOf('pc1', 'up0'), MACS.up);
    assert.equal(macOf(null, 'mac-up'), MACS.hostEnd);
    assert.notEqual(macOf(null, 'pc1-p'), MACS.pc1, 'an end without a mac gets the kernel\'s own');
    assert.deepEqual(planSteps(), [], 're-apply has nothing to do');
  });

  it('the neighbours see the MACs: pc1 reaches pc2 and the host, and learns their MACs', () => {
    assert.ok(ping('pc1', '10.61.0.12'));
    assert.ok(ping('pc1', '10.62.0.1'));
    const neigh = JSON.parse(sh('ip', ['-n', 'pc1', '-j', 'neigh', 'show'])) as { dst: string; lladdr?: string }[];
    assert.equal(neigh.find((n) => n.dst === '10.61.0.12')?.lladdr, MACS.pc2);
    assert.equal(neigh.find((n) => n.dst === '10.62.0.1')?.lladdr, MACS.hostEnd);
  });

  it('one MAC changed in the file is one step, run on the up link; then nothing', () => {
    write({ ...MACS, pc2: '02:00:00:00:aa:22' });
    const steps = planSteps();
    assert.deepEqual(steps, [{ op: 'link-set', ns: 'pc2', name: 'eth0', mac: '02:00:00:00:aa:22' }]);
    assert.match(cli(['plan', file]).stdout, /ip -n pc2 link set dev eth0 address 02:00:00:00:aa:22/);
    apply();
    assert.equal(macOf('pc2', 'eth0'), '02:00:00:00:aa:22');
    const flags = (JSON.parse(sh('ip', ['-n', 'pc2', '-j', 'link', 'show', 'dev', 'eth0'])) as { flags: string[] }[])[0]!.flags;
    assert.ok(flags.includes('UP'), 'the link stays up');
    assert.deepEqual(planSteps(), []);
    assert.ok(ping('pc1', '10.61.0.12'), 'pc2 is reachable with its new MAC (it announced it: arp_notify)');
    const neigh = JSON.parse(sh('ip', ['-n', 'pc1', '-j', 'neigh', 'show'])) as { dst: string; lladdr?: string }[];
    assert.equal(neigh.find((n) => n.dst === '10.61.0.12')?.lladdr, '02:00:00:00:aa:22');
  });

  it('a MAC changed by hand is drift, put back by apply (in the host too)', () => {
    sh('ip', ['link', 'set', 'dev', 'mac-up', 'address', '02:00:00:00:cc:99']);
    const st = JSON.parse(cli(['status', file, '--json']).stdout) as { objects: { scope: string | null; name: string; state: string; detail?: string }[] };
    const o = st.objects.find((x) => x.scope === null && x.name === 'mac-up');
    assert.equal(o?.state, 'drifted', JSON.stringify(o));
    assert.match(o!.detail!, /mac 02:00:00:00:cc:99 -> 02:00:00:00:cc:01/);
    assert.deepEqual(planSteps(), [{ op: 'link-set', ns: null, name: 'mac-up', mac: MACS.hostEnd }]);
    apply();
    assert.equal(macOf(null, 'mac-up'), MACS.hostEnd);
  });

  it('a MAC removed from the file is left as it is', () => {
    write({ ...MACS, pc2: '02:00:00:00:aa:22', pc1: undefined });
    assert.deepEqual(planSteps(), []);
    assert.equal(macOf('pc1', 'eth0'), MACS.pc1);
  });

  it('the script makes the pairs with their MACs', () => {
    write(MACS);
    const s = cli(['script', file]).stdout;
    assert.match(s, /^ip link add name eth0 netns pc2 address 02:00:00:00:aa:02 type veth peer name pc2-p address 02:00:00:00:bb:02$/m);
  });

  it('destroy leaves nothing', () => {
    const r = cli(['destroy', file]);
    assert.equal(r.code, 0, r.stderr);
    assert.deepEqual(listNetns(), []);
    assert.deepEqual(hostLinks(), ['lo']);
  });
});
