import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { doctor } from '../../src/core/diagnose/doctor.js';
import { plan } from '../../src/core/plan/plan.js';
import { article, articleLive, bareHost, live } from '../support/fixtures.js';

const run = (l = articleLive()) => doctor(article(), l, plan(article(), l));

describe('doctor (pure)', () => {
  it('finds nothing on a network that matches its file', () => assert.deepEqual(run(), []));
  it('says "apply first" when nothing runs', () => {
    const l = live({ host: bareHost(), namespaces: [] });
    assert.deepEqual(run(l).map((f) => f.code), ['not-applied']);
  });
  it('ip_forward off: the fix is the recorded ip-forward step', () => {
    const l = articleLive();
    l.host.sysctls['net.ipv4.ip_forward'] = '0';
    const f = run(l);
    assert.deepEqual(f.map((x) => [x.code, x.fix?.steps]), [['ip-forward-off', [{ op: 'ip-forward', topology: 'article', enable: true }]]]);
  });
  it('FORWARD policy DROP with our jump present and first: nothing to do', () => {
    const l = articleLive();
    l.firewall!.filter.FORWARD!.policy = 'DROP';
    assert.deepEqual(run(l), []);
  });
  it('a DROP rule ahead of our jump: re-insert our jump at the top, never touch the policy', () => {
    const l = articleLive();
    l.firewall!.filter.FORWARD!.policy = 'DROP';
    l.firewall!.filter.FORWARD!.rules.unshift('-j DROP');
    const f = run(l);
    assert.equal(f.length, 1);
    assert.deepEqual(f[0]!.fix!.steps.map((s) => s.op === 'fw-jump' ? s.action : s.op), ['del', 'add']);
  });
  it('a veth end down, with the routes the kernel dropped', () => {
    const l = articleLive();
    const ns1 = l.namespaces.find((n) => n.name === 'ns1')!;
    ns1.links.find((x) => x.name === 'veth1')!.up = false;
    ns1.routes = ns1.routes.filter((r) => r.to !== 'default');
    const codes = run(l).map((x) => x.code).sort();
    assert.deepEqual(codes, ['default-route-missing', 'link-down']);
  });
});
