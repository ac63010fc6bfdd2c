/**
 * The lab-test engine against fake probes: what it asks (one icmp batch per source, a lost
 * echo of an ok:true target asked once more), each verdict and its message, the order of the
 * results, --only, and a probe that throws.
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { validateText } from '../../src/core/model/validate.js';
import type { Topology } from '../../src/core/model/model.js';
import { runLabTests, type Probes } from '../../src/engine/lab-tests.js';
import { addr, link, live, lo, ns, route, readText } from '../support/fixtures.js';
import type { LiveState } from '../../src/core/observe/observe.js';

/** the kernel's state of the broken lab: r2 has no route back to LAN 1 */
function brokenState(): LiveState {
  const veth = (name: string, cidr: string, peer: string, peerName = 'eth0') => link(name, { addresses: [addr(cidr)], peer: { ns: peer, name: peerName } });
  const fwd = { 'net.ipv4.ip_forward': '1' };
  return live({
    namespaces: [
      ns('pc1', { links: [lo(), veth('eth0', '10.1.0.2/24', 'r1')], routes: [route('default', { via: '10.1.0.1', dev: 'eth0' })] }),
      ns('r1', { links: [lo(), veth('eth0', '10.1.0.1/24', 'pc1'), veth('eth1', '10.9.0.1/30', 'r2', 'eth1')], routes: [route('10.2.0.0/24', { via: '10.9.0.2', dev: 'eth1' })], sysctls: fwd }),
      ns('r2', { links: [lo(), veth('eth1', '10.9.0.2/30', 'r1', 'eth1'), veth('eth0', '10.2.0.1/24', 'pc2')], routes: [], sysctls: fwd }),
      ns('pc2', { links: [lo(), veth('eth0', '10.2.0.2/24', 'r2')], routes: [route('default', { via: '10.2.0.1', dev: 'eth0' })] }),
    ],
  });
}

function topology(): Topology {
  const v = validateText(readText('test/fixtures/topologies/two-routers.netns.json'));
  assert.deepEqual(v.diagnostics, []);
  return v.topology!;
}

/** a lab where r2 lost its route back to LAN 1: pc1 reaches r1 and guest's r1 port only */
function brokenLab(calls: string[], firstLost = new Set<string>()): Probes {
  const reachable: Record<string, string[]> = { pc1: ['10.1.0.1', '10.9.0.1', '10.3.0.1'], pc2: ['10.2.0.1', '10.9.0.2'], guest: ['10.3.0.1'] };
  return {
    icmp: async (ns, targets) => {
      calls.push(`icmp ${ns} ${targets.join(',')}`);
      return targets.map((target) => {
        const lost = firstLost.delete(`${ns}>${target}`);
        return reachable[ns]!.includes(target) && !lost ? { target, ok: true, rttMs: 0.05 } : { target, ok: false, error: 'no reply' };
      });
    },
    tcp: async (ns, target, port) => { calls.push(`tcp ${ns} ${target}:${port}`); return { ok: false, error: 'timed out' }; },
    udp: async (ns, target, port) => { calls.push(`udp ${ns} ${target}:${port}`); return { ok: false, error: 'no reply within 1 s' }; },
    route: async (ns, to) => (ns === 'pc1' ? { ok: true, via: '10.1.0.1', dev: 'eth0' } : { ok: false, error: `Network is unreachable (${to})` }),
    resolve: async () => ({ addresses: ['10.2.0.3'] }),
    http: async () => { throw new Error('helper gone'); },
    state: async () => { calls.push('state'); return brokenState(); },
    addresses: async (scopes) => { calls.push(`addresses ${scopes.join(',')}`); return new Map([['r1', [{ dev: 'eth1', addresses: ['10.9.0.1/29'] }]]]); },
    latency: async (ns, targets) => { calls.push(`latency ${ns} ${targets.join(',')}`); return { results: targets.map((target) => ({ target, sent: 5, rttMs: [] })) }; },
    rate: async (from, server, target) => { calls.push(`rate ${from} ${server} ${target}`); return { mbit: 5 }; },
    services: async () => [],
  };
}

describe('lab tests: the engine', () => {
  it('asks one icmp batch per source, probes each tcp/udp address, reads addresses once', async () => {
    const calls: string[] = [];
    await runLabTests(topology(), brokenLab(calls));
    const icmp = calls.filter((c) => c.startsWith('icmp')).sort();
    // pc1's first batch, then once more for its targets that must answer and did not
    assert.deepEqual(icmp, [
      'icmp guest 10.1.0.2,10.3.0.1',
      'icmp pc1 10.2.0.2,10.1.0.1,10.9.0.1,10.3.0.1,10.9.0.2,10.2.0.1,10.3.0.2',
      'icmp pc1 10.2.0.2,10.9.0.2,10.2.0.1',
      'icmp pc2 10.1.0.2',
      'icmp pc2 10.1.0.2,10.9.0.2,10.2.0.1',
    ]);
    assert.deepEqual(calls.filter((c) => !c.startsWith('icmp')).sort(), ['addresses r1', 'rate pc1 pc2 10.2.0.2', 'state', 'tcp pc1 10.2.0.2:8080', 'tcp pc1 10.2.0.2:8081', 'udp pc1 10.2.0.2:7007', 'udp pc1 10.2.0.2:7008']);
  });

  it('decides each expectation, in the order of the file, with the observed value in the message', async () => {
    const r = await runLabTests(topology(), brokenLab([]));
    assert.deepEqual(r.map((x) => x.index), [...Array(18).keys()]);
    const byName = Object.fromEntries(r.map((x) => [x.name, [x.status, x.message]]));
    assert.deepEqual(byName['pc1 → pc2 icmp'], ['failed', 'pc1 cannot reach 10.2.0.2 (no reply) over icmp']);
    assert.deepEqual(byName['pc1 → r2 icmp'], ['failed', 'pc1 cannot reach 10.9.0.2 (no reply), 10.2.0.1 (no reply) over icmp']);
    assert.deepEqual(byName['pc1 → r1 icmp'], ['passed', undefined]);
    assert.deepEqual(byName['guest cannot reach pc1'], ['passed', undefined]);
    assert.deepEqual(byName['pc1 ↛ guest icmp'], ['passed', undefined]);
    assert.deepEqual(byName['pc1 → 10.2.0.2 tcp/8080'], ['failed', 'pc1 cannot reach 10.2.0.2:8080 (timed out) over tcp']);
    assert.deepEqual(byName['pc1 ↛ 10.2.0.2 udp/7008'], ['passed', undefined]);
    assert.deepEqual(byName['pc1: route to 10.2.0.2 via 10.1.0.1 dev eth0'], ['passed', undefined]);
    assert.deepEqual(byName['r2: route to 10.1.0.2 via 10.9.0.1 dev eth1'], ['failed', 'r2 has no route to 10.1.0.2: Network is unreachable (10.1.0.2)']);
    assert.deepEqual(byName['r1: eth1 has 10.9.0.1/30'], ['failed', 'eth1 in r1 has 10.9.0.1/29, expected 10.9.0.1/30']);
    assert.deepEqual(byName['pc1: web.lab resolves to 10.2.0.2'], ['failed', 'web.lab resolves to 10.2.0.3 in pc1, expected 10.2.0.2']);
    assert.deepEqual(byName['pc1: GET http://10.2.0.2:8080/ → 200 containing "hello lab"'], ['failed', 'the probe failed: helper gone']);
    assert.deepEqual(byName['pc1 → pc2 ≥ 8 Mbit/s'], ['failed', 'pc1 → pc2 carried 5.00 Mbit/s, expected at least 8 Mbit/s'], 'iperf3 towards the namespace pc2 (its server), at its first address');
  });

  it('a failed reach is explained by the path walk on the live state (one observation for all)', async () => {
    const r = await runLabTests(topology(), brokenLab([]));
    const f = Object.fromEntries(r.map((x) => [x.name, x.finding]));
    assert.equal(f['pc1 → pc2 icmp'], 'r2 has no route to 10.1.0.2: answers to pc1 (10.1.0.2) stop at r2');
    assert.equal(f['pc2 → pc1 icmp'], 'r2 has no route to 10.1.0.2: packets from pc2 stop at r2');
    assert.equal(f['pc1 → 10.2.0.2 tcp/8080'], 'r2 has no route to 10.1.0.2: answers to pc1 (10.1.0.2) stop at r2');
    assert.equal(f['r2: route to 10.1.0.2 via 10.9.0.1 dev eth1'], undefined, 'only reach tests are walked');
    const failing = { ...brokenLab([]), state: async () => { throw new Error('helper gone'); } };
    assert.ok((await runLabTests(topology(), failing)).every((x) => x.finding === undefined), 'no live state: no finding, the verdicts stand');
  });

  it('a reach to a DNS name: the resolver is walked first (the lookup asked once), then the addresses it gave', async () => {
    const t = topology();
    t.expect = [{ kind: 'reach', from: 'pc1', to: 'web.lab', ok: true }];
    const asked: string[] = [];
    const state = () => { const s = brokenState(); s.hostDns.resolvConf = 'nameserver 127.0.0.53\n'; return s; };
    const probes = (answer: string[], own: string | null) => ({
      ...brokenLab([]),
      resolve: async (ns: string | null, name: string) => { asked.push(`${ns} ${name}`); return { addresses: answer, ...(answer.length ? {} : { error: 'Name or service not known' }) }; },
      state: async () => { const s = state(); s.namespaces[0]!.resolvConf = own; return s; },
    });
    const [stub] = await runLabTests(t, probes([], null));
    assert.equal(stub!.finding, "pc1 asks 127.0.0.53 for names (the host's /etc/resolv.conf (pc1 has no /etc/netns/pc1/resolv.conf)): a resolver on the host's loopback, which the namespace's own loopback does not have");
    assert.equal(stub!.fix?.summary, 'give pc1 the host\'s upstream DNS servers ("dns": "inherit")');
    assert.deepEqual(asked, ['pc1 web.lab']);
    // its own resolver on r1 answers: the name resolves to pc2, and the way back from there breaks at r2
    const [resolved] = await runLabTests(t, probes(['10.2.0.2'], 'nameserver 10.1.0.1\n'));
    assert.equal(resolved!.finding, 'r2 has no route to 10.1.0.2: answers to pc1 (10.1.0.2) stop at r2');
  });

  it('a lost first echo of a target that must answer is asked once more and passes', async () => {
    const r = await runLabTests(topology(), brokenLab([], new Set(['pc1>10.1.0.1'])), { only: [2] });
    assert.deepEqual(r.map((x) => [x.name, x.status]), [['pc1 → r1 icmp', 'passed']]);
  });

  it('only the chosen expectations run; results are reported as they come', async () => {
    const calls: string[] = [];
    const seen: number[] = [];
    const r = await runLabTests(topology(), brokenLab(calls), { only: [8, 14], onResult: (x) => seen.push(x.index) });
    assert.deepEqual(r.map((x) => x.index), [8, 14]);
    assert.deepEqual(seen.sort((a, b) => a - b), [8, 14]);
    assert.deepEqual(calls.sort(), ['addresses r1', 'state', 'tcp pc1 10.2.0.2:8080']);
  });
});
