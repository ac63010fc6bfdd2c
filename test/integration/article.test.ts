/**
 * The article's network, built by `netns-lab apply` in the sandbox, checked with the article's
 * own pings (LAN, gateway, NAT, DNS by name), then reconciled, edited and destroyed.
 */
import assert from 'node:assert/strict';
import { readFileSync, writeFileSync, existsSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { EXAMPLES, WAN, cli, hostLinks, iptablesSave, listNetns, noPing, ping, resetSandbox, setupInternet, sh } from './sandbox.js';

const ARTICLE = join(EXAMPLES, 'article.netns.json');

describe('the article network', () => {
  let baseLinks: string[];
  let baseFw: string;
  before(async () => {
    await resetSandbox();
    await setupInternet();
    baseLinks = hostLinks();
    baseFw = iptablesSave();
  });
  after(resetSandbox);

  it('applies and every ping of the article succeeds, including by name to the outside', () => {
    const r = cli(['apply', ARTICLE]);
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stderr, /applied 'article': \d+ step\(s\), \d+ process\(es\)/);
    assert.deepEqual(listNetns(), ['ns1', 'ns2', 'wan']);
    assert.ok(ping('ns1', '10.0.0.1'), 'ns1 -> bridge (the gateway)');
    assert.ok(ping('ns1', '10.0.0.3'), 'ns1 -> ns2');
    assert.ok(ping('ns2', '10.0.0.2'), 'ns2 -> ns1');
    assert.ok(ping('ns1', WAN.outside), 'ns1 -> the internet (NAT)');
    assert.ok(ping('ns2', WAN.name), 'ns2 -> the internet by name (DNS)');
    assert.equal(readFileSync('/etc/netns/ns1/resolv.conf', 'utf8').includes(`nameserver ${WAN.dns}`), true);
    assert.equal(readFileSync('/proc/sys/net/ipv4/ip_forward', 'utf8').trim(), '1');
  });

  it('re-plans to nothing and reports every object in sync', () => {
    const p = cli(['plan', ARTICLE, '--json']);
    assert.equal(p.code, 0, p.stderr);
    assert.deepEqual(JSON.parse(p.stdout).steps, []);
    const s = cli(['status', ARTICLE, '--json']);
    const st = JSON.parse(s.stdout) as { status: string; objects: { state: string }[] };
    assert.equal(st.status, 'in-sync');
    assert.ok(st.objects.length >= 10);
    assert.ok(st.objects.every((o) => o.state === 'in-sync'));
  });

  it('an edited address is a one-step plan, and applying it converges', () => {
    const dir = mkdtempSync(join(tmpdir(), 'netns-lab-'));
    const file = join(dir, 'article.netns.json');
    writeFileSync(file, readFileSync(ARTICLE, 'utf8').replace('"10.0.0.3/24"', '"10.0.0.30/24"'));
    const p = cli(['plan', file, '--json']);
    assert.equal(p.code, 0, p.stderr);
    // one step: the kernel drops the default route with the old address; the same step puts it back
    assert.deepEqual(JSON.parse(p.stdout).steps, [{
      op: 'addr-change', ns: 'ns2', dev: 'veth2', from: '10.0.0.3/24', to: '10.0.0.30/24',
      restore: [{ family: 4, to: 'default', via: '10.0.0.1', dev: 'veth2' }],
    }]);
    assert.equal(cli(['apply', file]).code, 0);
    assert.ok(ping('ns1', '10.0.0.30'));
    assert.ok(noPing('ns1', '10.0.0.3'));
    assert.deepEqual(JSON.parse(cli(['plan', file, '--json']).stdout).steps, []);
    // and back
    assert.equal(cli(['apply', ARTICLE]).code, 0);
    assert.ok(ping('ns1', '10.0.0.3'));
  });

  it('a link set down by hand is drift that apply repairs', () => {
    sh('ip', ['-n', 'ns1', 'link', 'set', 'veth1', 'down']);
    const s = JSON.parse(cli(['status', ARTICLE, '--json']).stdout) as { status: string; objects: { name: string; state: string; detail?: string }[] };
    assert.equal(s.status, 'drifted');
    // the kernel drops the routes through a link that goes down: the default route is missing too
    assert.deepEqual(s.objects.filter((o) => o.state !== 'in-sync').map((o) => [o.name, o.state, o.detail]),
      [['veth1', 'drifted', 'down -> up'], ['default via 10.0.0.1', 'missing', undefined]]);
    assert.equal(cli(['apply', ARTICLE]).code, 0);
    assert.ok(ping('ns1', '10.0.0.3'));
  });

  it('destroy leaves nothing: no namespace, link, rule or file, and ip_forward restored', () => {
    const r = cli(['destroy', ARTICLE]);
    assert.equal(r.code, 0, r.stderr);
    assert.deepEqual(listNetns(), ['wan']);
    assert.deepEqual(hostLinks(), baseLinks);
    assert.equal(iptablesSave(), baseFw);
    assert.equal(existsSync('/etc/netns/ns1'), false);
    assert.equal(existsSync('/etc/netns/ns2'), false);
    assert.equal(readFileSync('/proc/sys/net/ipv4/ip_forward', 'utf8').trim(), '0');
    // and destroying again is a no-op
    const again = cli(['destroy', ARTICLE]);
    assert.equal(again.code, 0);
    assert.match(again.stderr, /0 step\(s\)/);
  });
});
