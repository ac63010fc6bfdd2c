/**
 * What an iptables chain does with one packet (the path walk's FORWARD and masquerade checks),
 * on chains as iptables-save prints them: decided matches, a match that may apply, jumps,
 * RETURN, policies, quoted comments.
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { chainDecision, ruleMatch } from '../../src/core/diagnose/fw-eval.js';
import type { FwTable } from '../../src/core/observe/observe.js';

const pkt = { src: '10.0.0.2', dst: '10.5.0.2', in: 'br0', out: 'v3', proto: 'icmp', state: 'new' as const };

describe('fw-eval: one rule', () => {
  it('decides addresses, interfaces (with +), protocol and connection state', () => {
    assert.equal(ruleMatch('-s 10.0.0.0/24 -d 10.5.0.2/32 -i br+ -o v3 -p icmp -j ACCEPT', pkt).match, 'yes');
    assert.equal(ruleMatch('-s 10.1.0.0/24 -j ACCEPT', pkt).match, 'no');
    assert.equal(ruleMatch('-o eth0 -m physdev --physdev-is-bridged -j ACCEPT', pkt).match, 'no', 'a decided mismatch beats an undecided match');
    assert.equal(ruleMatch('-p tcp -j DROP', pkt).match, 'no');
    assert.equal(ruleMatch('-m conntrack --ctstate RELATED,ESTABLISHED -j ACCEPT', pkt).match, 'no');
    assert.equal(ruleMatch('-m state --state NEW,ESTABLISHED -j ACCEPT', pkt).match, 'yes');
    assert.equal(ruleMatch('-m physdev --physdev-in v1 -j DROP', pkt).match, 'maybe');
    assert.equal(ruleMatch('! -s 10.0.0.2/32 -j DROP', pkt).match, 'maybe');
  });
  it('keeps a quoted comment as one word and finds the target', () => {
    assert.deepEqual(ruleMatch('-s 10.0.0.0/24 -m comment --comment "netns-lab:a b -j DROP" -j NSL-F-a', pkt), { match: 'yes', target: 'NSL-F-a' });
  });
});

describe('fw-eval: a chain', () => {
  const table = (forward: string[], policy = 'DROP'): FwTable => ({
    FORWARD: { policy, rules: forward },
    'NSL-F-a': { policy: undefined, rules: ['-d 10.9.0.0/24 -j RETURN', '-s 10.0.0.0/24 -j ACCEPT'] },
  });
  it('a jump that accepts, a RETURN that goes on to the policy, a rule that drops', () => {
    assert.deepEqual(chainDecision(table(['-j NSL-F-a']), 'FORWARD', pkt), { verdict: 'accept', by: '-A NSL-F-a -s 10.0.0.0/24 -j ACCEPT' });
    assert.deepEqual(chainDecision(table(['-j NSL-F-a']), 'FORWARD', { ...pkt, dst: '10.9.0.4' }), { verdict: 'drop', by: 'policy DROP' });
    assert.deepEqual(chainDecision(table(['-i br0 -j REJECT', '-j NSL-F-a']), 'FORWARD', pkt), { verdict: 'drop', by: '-A FORWARD -i br0 -j REJECT' });
  });
  it('an undecided ACCEPT counts (unknown), an undecided DROP does not; LOG goes on', () => {
    assert.equal(chainDecision(table(['-m mark --mark 0x1 -j ACCEPT']), 'FORWARD', { ...pkt, src: '10.7.0.1' }).verdict, 'unknown');
    assert.equal(chainDecision(table(['-m mark --mark 0x1 -j DROP', '-j LOG', '-j NSL-F-a'], 'ACCEPT'), 'FORWARD', pkt).verdict, 'accept');
  });
  it('masquerade in nat POSTROUTING through a jump', () => {
    const nat: FwTable = { POSTROUTING: { policy: 'ACCEPT', rules: ['-m comment --comment "netns-lab:a" -j NSL-N-a'] }, 'NSL-N-a': { policy: undefined, rules: ['-s 10.0.0.0/24 -o uplink0 -m comment --comment "netns-lab:a" -j MASQUERADE'] } };
    assert.equal(chainDecision(nat, 'POSTROUTING', { src: '10.0.0.2', dst: '203.0.113.9', out: 'uplink0' }).verdict, 'nat');
    assert.deepEqual(chainDecision(nat, 'POSTROUTING', { src: '10.5.0.2', dst: '203.0.113.9', out: 'uplink0' }), { verdict: 'accept', by: 'policy ACCEPT' });
  });
});
