/**
 * Host routes are the topology's only through a device it owns (src/core/plan/host-routes.ts): a
 * destination held by an unowned route is a clash, a new host route is `ip route add`, only
 * owned routes are ever replaced or deleted, and the plan names every host-wide step first.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { confirmationText, effectiveMetric, hostWideReason, hostWideSteps, pinnedDev, unownedHolder } from '../../src/core/plan/host-routes.js';
import type { Route, Topology } from '../../src/core/model/model.js';
import type { LiveState } from '../../src/core/observe/observe.js';
import { emptyTopology, plan, type Plan } from '../../src/core/plan/plan.js';
import { renderCommands } from '../../src/core/plan/render.js';
import { validateValue } from '../../src/core/model/validate.js';
import { addr, article, articleLive, bareHost, link, live, owned, route } from '../support/fixtures.js';

const withHostRoutes = (routes: Route[]): Topology => { const t = article(); t.host = { ...t.host, routes }; return t; };
const hostRouteCmds = (p: Plan): string[][] => p.steps.filter((s) => (s.step.op === 'route-add' || s.step.op === 'route-del') && s.step.ns === null)
  .flatMap((s) => renderCommands(s.step) ?? []);
const codes = (p: Plan) => p.errors.map((e) => [e.code, e.path]);

describe('host routes: a destination held by an unowned route is a clash', () => {
  it('refuses "default via a lab address" while the host has its own default route (the finding)', () => {
    const p = plan(withHostRoutes([{ to: 'default', via: '10.0.0.2' }]), live({ host: bareHost() }));
    assert.deepEqual(codes(p), [['unowned-clash', ['host', 'routes', 0, 'to']]]);
    assert.match(p.errors[0]!.message, /the host already has a route to default \(default via 198\.51\.100\.1 dev uplink0\) that is not netns-lab's/);
    assert.deepEqual(hostRouteCmds(p), [], 'no host route step at all');
    assert.deepEqual(p.objects.filter((o) => o.kind === 'route' && o.scope === null).map((o) => o.state), ['unowned-clash']);
  });

  it('refuses it whatever the holder\'s protocol (dhcp, kernel, ra) and when the holder has no device', () => {
    for (const holder of [
      route('default', { via: '198.51.100.1', dev: 'uplink0', protocol: 'dhcp' }),
      route('default', { via: '198.51.100.1', dev: 'uplink0', protocol: 'ra' }),
      route('10.0.9.0/24', { dev: 'uplink0', protocol: 'kernel', scope: 'link' }),
      route('10.0.9.0/24', { protocol: 'static' }),
    ]) {
      const host = bareHost();
      host.routes = holder.to === 'default' ? [holder, ...host.routes.filter((r) => r.to !== 'default')] : [...host.routes, holder];
      const p = plan(withHostRoutes([{ to: holder.to === 'default' ? 'default' : '10.0.9.0/24', via: '10.0.0.2' }]), live({ host }));
      assert.deepEqual(codes(p), [['unowned-clash', ['host', 'routes', 0, 'to']]], JSON.stringify(holder));
      assert.deepEqual(hostRouteCmds(p), []);
    }
  });

  it('IPv6: the same slot is the same destination and metric (1024 when none is given)', () => {
    const t = withHostRoutes([{ to: 'default', via: 'fd00:9::2' }]);
    t.bridges![0]!.addresses = ['10.0.0.1/24', 'fd00:9::1/64'];
    const host = bareHost();
    host.routes.push(route('default', { family: 6, via: 'fe80::1', dev: 'uplink0', protocol: 'ra', metric: 1024 }));
    assert.deepEqual(codes(plan(t, live({ host }))), [['unowned-clash', ['host', 'routes', 0, 'to']]]);
    // another metric is another slot: the kernel keeps both; the new one is listed as host-wide
    const t2 = withHostRoutes([{ to: 'default', via: 'fd00:9::2', metric: 2048 }]);
    t2.bridges![0]!.addresses = ['10.0.0.1/24', 'fd00:9::1/64'];
    const p2 = plan(t2, live({ host }));
    assert.deepEqual(p2.errors, []);
    assert.deepEqual(hostRouteCmds(p2), [['ip', 'route', 'add', '::/0', 'via', 'fd00:9::2', 'dev', 'br0', 'metric', '2048', 'proto', 'static']]);
  });

  it('another metric of an IPv4 destination is not a clash; the route is added (never replace) and named host-wide', () => {
    const p = plan(withHostRoutes([{ to: 'default', via: '10.0.0.2', metric: 500 }]), live({ host: bareHost() }));
    assert.deepEqual(p.errors, []);
    assert.deepEqual(hostRouteCmds(p), [['ip', 'route', 'add', '0.0.0.0/0', 'via', '10.0.0.2', 'dev', 'br0', 'metric', '500', 'proto', 'static']]);
    const wide = hostWideSteps(p.steps).map((w) => w.reason);
    assert.ok(wide.includes("adds the host's default route (where all of its outside traffic goes)"), wide.join('\n'));
  });

  it('unownedHolder: only a route in the same slot through an unowned device (or none) holds it', () => {
    const owned = new Set(['br0']);
    const d = { family: 4 as const, to: '10.9.0.0/24', via: '10.0.0.2', dev: 'br0' };
    assert.equal(unownedHolder(d, [route('10.9.0.0/24', { dev: 'br0', via: '10.0.0.3' })], owned), undefined);
    assert.equal(unownedHolder(d, [route('10.9.0.0/24', { dev: 'eth0', metric: 5 })], owned), undefined);
    assert.ok(unownedHolder(d, [route('10.9.0.0/24', { dev: 'eth0', metric: 0 })], owned));
    assert.ok(unownedHolder(d, [route('10.9.0.0/24', { dev: 'eth0' })], owned));
    assert.equal(effectiveMetric(4, undefined), 0);
    assert.equal(effectiveMetric(6, undefined), 1024);
  });
});

describe('host routes: always through an owned device', () => {
  it('a gateway reachable only through an unowned device (the host\'s uplink) is refused by the validator', () => {
    const t = withHostRoutes([{ to: '10.77.0.0/16', via: '198.51.100.1' }]);
    const d = validateValue(t).diagnostics.filter((x) => x.severity === 'error');
    assert.deepEqual(d.map((x) => [x.code, x.path]), [['gateway-unreachable', ['host', 'routes', 0, 'via']]]);
  });

  it('a device the topology does not have (eth0, uplink0) is refused by the validator', () => {
    const t = withHostRoutes([{ to: '10.77.0.0/16', dev: 'uplink0' }]);
    const d = validateValue(t).diagnostics.filter((x) => x.severity === 'error');
    assert.deepEqual(d.map((x) => [x.code, x.path]), [['unknown-interface', ['host', 'routes', 0, 'dev']]]);
  });

  it('pins the owned device of a route given by gateway, even when an unowned link shares the subnet', () => {
    const host = bareHost();
    host.links.push(link('eth1', { kind: 'device', addresses: [addr('10.0.0.50/24')] }));
    host.routes.push(route('10.0.0.0/24', { dev: 'eth1', protocol: 'kernel', scope: 'link' }));
    const p = plan(withHostRoutes([{ to: '10.77.0.0/16', via: '10.0.0.2' }]), live({ host }));
    assert.deepEqual(p.errors, []);
    assert.deepEqual(hostRouteCmds(p), [['ip', 'route', 'add', '10.77.0.0/16', 'via', '10.0.0.2', 'dev', 'br0', 'proto', 'static']]);
  });

  it('pinnedDev prefers an interface the file keeps up, and leaves an explicit dev alone', () => {
    const f = (name: string, up: boolean, addresses: string[]) => ({ scope: null, name, kind: 'bridge' as const, addresses, up }) as Parameters<typeof pinnedDev>[1][number];
    assert.equal(pinnedDev({ family: 4, to: 'default', via: '10.1.0.9' }, [f('a', false, ['10.1.0.1/24']), f('b', true, ['10.1.0.2/24'])]), 'b');
    assert.equal(pinnedDev({ family: 4, to: 'default', via: '10.1.0.9', dev: 'a' }, [f('b', true, ['10.1.0.2/24'])]), 'a');
    assert.equal(pinnedDev({ family: 4, to: 'default', via: '10.2.0.9' }, [f('b', true, ['10.1.0.2/24'])]), undefined);
  });
});

describe('host routes: only owned ones are replaced or deleted', () => {
  const applied = (extra: (l: LiveState) => void = () => {}): LiveState => {
    const l = articleLive();
    l.host.routes.push(route('10.50.0.0/16', { via: '198.51.100.1', dev: 'uplink0', protocol: 'static' }));
    l.host.routes.push(route('10.60.0.0/16', { via: '10.0.0.2', dev: 'br0', protocol: 'static' }));
    extra(l);
    return l;
  };

  it('a changed gateway of an owned route is a replace of that route', () => {
    const p = plan(withHostRoutes([{ to: '10.60.0.0/16', via: '10.0.0.3' }]), applied());
    assert.deepEqual(p.errors, []);
    assert.deepEqual(hostRouteCmds(p), [['ip', 'route', 'replace', '10.60.0.0/16', 'via', '10.0.0.3', 'dev', 'br0', 'proto', 'static']]);
  });

  it('a route the file no longer has is deleted only through the owned device; the unowned static route stays', () => {
    const p = plan(withHostRoutes([]), applied());
    assert.deepEqual(hostRouteCmds(p), [['ip', 'route', 'del', '10.60.0.0/16', 'via', '10.0.0.2', 'dev', 'br0']]);
  });

  it('destroy deletes no unowned host route (default, static through the uplink), whatever its protocol', () => {
    const l = applied((x) => {
      x.host.routes.push(route('10.70.0.0/16', { via: '198.51.100.1', dev: 'uplink0', protocol: 'boot' }));
      x.host.links.push(owned('other', 'obr', { kind: 'bridge' }));
      x.host.routes.push(route('10.80.0.0/16', { dev: 'obr', protocol: 'static' }));
    });
    const p = plan(emptyTopology('article'), l);
    const dels = p.steps.filter((s) => s.step.op === 'route-del').map((s) => s.step);
    assert.deepEqual(dels, [], 'the owned route via br0 goes with br0; nothing else is deleted');
    assert.ok(p.steps.some((s) => s.step.op === 'link-del' && s.step.name === 'br0'));
  });

  it('a route in the slot through one of our own devices (not ours by protocol) is replaced, never an unowned one', () => {
    const l = applied((x) => x.host.routes.push(route('10.90.0.0/24', { dev: 'br0', protocol: 'kernel', scope: 'link' })));
    const p = plan(withHostRoutes([{ to: '10.90.0.0/24', via: '10.0.0.2' }, { to: '10.60.0.0/16', via: '10.0.0.2' }]), l);
    assert.deepEqual(p.errors, []);
    assert.deepEqual(hostRouteCmds(p), [['ip', 'route', 'replace', '10.90.0.0/24', 'via', '10.0.0.2', 'dev', 'br0', 'proto', 'static']]);
  });
});

describe('host-wide steps are named first', () => {
  it('classifies exactly the steps that change the host outside its own objects', () => {
    const p = plan(withHostRoutes([{ to: '10.77.0.0/16', via: '10.0.0.2' }]), live({ host: bareHost() }));
    assert.deepEqual(hostWideSteps(p.steps).map((w) => w.step.step.op), ['route-add', 'fw-jump', 'fw-jump', 'ip-forward']);
    assert.equal(hostWideReason({ op: 'route-add', ns: 'ns1', family: 4, to: 'default', via: '10.0.0.1' }), undefined);
    assert.equal(hostWideReason({ op: 'sysctl', ns: 'ns1', key: 'net.ipv4.ip_forward', value: '1' }), undefined);
    assert.match(hostWideReason({ op: 'sysctl', ns: null, key: 'net.ipv4.conf.all.rp_filter', value: '2' })!, /host's sysctl/);
    assert.equal(hostWideReason({ op: 'fw-chain', table: 'filter', chain: 'NSL-F-x', rules: [] }), undefined);
    assert.equal(hostWideReason({ op: 'addr-add', ns: null, dev: 'br0', cidr: '10.0.0.1/24' }), undefined);
  });

  it('the confirmation lists every host-wide step before the first steps, even those far down the plan', () => {
    const p = plan(withHostRoutes([{ to: '10.77.0.0/16', via: '10.0.0.2' }]), live({ host: bareHost() }));
    const wide = hostWideSteps(p.steps);
    assert.ok(wide.every((w) => w.n > 5), 'the case: all of them beyond the first five steps');
    const text = confirmationText(p.steps, 5);
    const head = text.split('Steps in order:')[0]!;
    for (const w of wide) assert.ok(head.includes(`step ${w.n}: ${w.step.summary}`), `${w.step.summary} missing from:\n${head}`);
    assert.match(text, /Steps in order:\n1\. /);
    assert.match(text, new RegExp(`… and ${p.steps.length - 5} more`));
    assert.ok(!confirmationText(plan(withHostRoutes([]), articleLive()).steps).includes('host itself'), 'in sync: no host-wide block');
  });
});
