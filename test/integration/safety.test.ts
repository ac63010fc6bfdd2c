/**
 * Host safety and failure: clashes are refused before anything runs, decoys are never touched,
 * a failure in the middle of an apply leaves a state that re-apply fixes, invalid input starts
 * no process.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, afterEach, before, describe, it } from 'node:test';
import { EXAMPLES, WAN, cli, hostLinks, iptablesSave, listNetns, ping, resetSandbox, setupInternet, sh } from './sandbox.js';

const ARTICLE = join(EXAMPLES, 'article.netns.json');

describe('host safety and failures', () => {
  before(async () => { await resetSandbox(); await setupInternet(); });
  after(resetSandbox);
  afterEach(() => { cli(['destroy', '--name', 'article']); });

  it('refuses an apply that clashes with an unowned interface, before anything runs', () => {
    sh('ip', ['link', 'add', 'br0', 'type', 'bridge']);
    try {
      const links = hostLinks();
      const fw = iptablesSave();
      const r = cli(['apply', ARTICLE]);
      assert.equal(r.code, 1);
      assert.match(r.stderr, /error unowned-clash: interface 'br0' already exists in the host and is not managed by netns-lab/);
      assert.match(r.stderr, /nothing was changed/);
      assert.deepEqual(listNetns(), ['wan']);
      assert.deepEqual(hostLinks(), links);
      assert.equal(iptablesSave(), fw);
    } finally {
      sh('ip', ['link', 'del', 'br0']);
    }
  });

  it('refuses a namespace that exists but is not owned, and destroy never removes it', () => {
    sh('ip', ['netns', 'add', 'ns2']);
    try {
      const r = cli(['apply', ARTICLE]);
      assert.equal(r.code, 1);
      assert.match(r.stderr, /namespace 'ns2' already exists and is owned by nobody/);
      assert.deepEqual(listNetns(), ['ns2', 'wan']);
      assert.equal(cli(['destroy', ARTICLE]).code, 0);
      assert.deepEqual(listNetns(), ['ns2', 'wan']);
    } finally {
      sh('ip', ['netns', 'del', 'ns2']);
    }
  });

  it('leaves decoys as they were: a foreign FORWARD DROP policy and rules, a foreign masquerade', () => {
    sh('iptables', ['-P', 'FORWARD', 'DROP']);
    sh('iptables', ['-A', 'FORWARD', '-s', '192.0.2.0/24', '-j', 'DROP']);
    sh('iptables', ['-t', 'nat', '-A', 'POSTROUTING', '-s', '192.0.2.0/24', '-j', 'MASQUERADE']);
    try {
      const decoy = iptablesSave();
      assert.equal(cli(['apply', ARTICLE]).code, 0);
      // the topology works despite Docker-style policy DROP (bridged and routed traffic)
      assert.ok(ping('ns1', '10.0.0.3'));
      assert.ok(ping('ns1', WAN.outside));
      assert.equal(cli(['destroy', ARTICLE]).code, 0);
      assert.equal(iptablesSave(), decoy);
    } finally {
      sh('iptables', ['-P', 'FORWARD', 'ACCEPT']);
      sh('iptables', ['-F', 'FORWARD']);
      sh('iptables', ['-t', 'nat', '-F', 'POSTROUTING']);
    }
  });

  for (const at of [1, 6, 14, 20, 26]) {
    it(`a failure injected at step ${at} stops with the step named, and re-apply converges`, () => {
      const r = cli(['apply', ARTICLE], { NETNS_LAB_FAULT_AT: String(at) });
      assert.equal(r.code, 1, r.stderr);
      assert.match(r.stderr, new RegExp(`step ${at + 1} of \\d+ failed: .*injected fault`));
      const again = cli(['apply', ARTICLE]);
      assert.equal(again.code, 0, again.stderr);
      assert.deepEqual(JSON.parse(cli(['plan', ARTICLE, '--json']).stdout).steps, []);
      assert.ok(ping('ns1', '10.0.0.3'));
      assert.ok(ping('ns2', WAN.name));
    });
  }

  it('a step the system refuses is reported with its message, and the state stays re-appliable', () => {
    const dir = mkdtempSync(join(tmpdir(), 'netns-lab-'));
    const file = join(dir, 'bad-sysctl.netns.json');
    // valid for the file format, refused when it runs: a sysctl key this kernel does not have
    const t = JSON.parse(sh('cat', [ARTICLE])) as { namespaces: { sysctls?: Record<string, number> }[] };
    t.namespaces[0]!.sysctls = { 'net.ipv4.no_such_key': 1 };
    writeFileSync(file, JSON.stringify(t));
    const r = cli(['apply', file]);
    assert.equal(r.code, 1);
    assert.match(r.stderr, /step \d+ of \d+ failed: nsenter --net=\/run\/netns\/ns1 -- sysctl -q -w net\.ipv4\.no_such_key=1: .*no_such_key/);
    // what ran before the failure is there, consistent and owned
    assert.ok(ping('ns1', '10.0.0.3'));
    assert.equal(JSON.parse(cli(['status', ARTICLE, '--json']).stdout).status, 'drifted');
    const fixed = cli(['apply', ARTICLE]);
    assert.equal(fixed.code, 0, fixed.stderr);
    assert.deepEqual(JSON.parse(cli(['plan', ARTICLE, '--json']).stdout).steps, []);
  });

  it('invalid input exits 2 and starts no helper', () => {
    const dir = mkdtempSync(join(tmpdir(), 'netns-lab-'));
    const file = join(dir, 'bad.netns.json');
    writeFileSync(file, '{"version":1,"name":"bad","namespaces":[{"name":"x;rm -rf /"}]}');
    const links = hostLinks();
    const r = cli(['apply', file], { NETNS_LAB_HELPER: '/nonexistent/helper.js' });
    assert.equal(r.code, 2);
    assert.match(r.stderr, /bad\.netns\.json:1:\d+: error invalid-name: namespace name 'x;rm -rf \/' contains/);
    assert.deepEqual(hostLinks(), links);
    assert.equal(cli(['frobnicate']).code, 2);
    assert.equal(cli(['apply']).code, 2);
  });
});

describe('without root', () => {
  it('a user without a way to elevate gets a clear message and exit 1, and nothing changes', async () => {
    const { spawnSync } = await import('node:child_process');
    const { readableCopies } = await import('./sandbox.js');
    // the CLI (a bundle, with its helper beside it) and the file, where the user can read them
    const copies = readableCopies(['dist/cli.js', 'dist/helper.js', 'examples/article.netns.json']);
    const r = spawnSync('setpriv', ['--reuid=65534', '--regid=65534', '--clear-groups', '--', process.execPath, copies.path('dist/cli.js'), 'plan', copies.path('examples/article.netns.json')],
      { encoding: 'utf8', env: { PATH: '/usr/bin:/bin', HOME: '/nonexistent' } });
    copies.remove();
    assert.equal(r.status, 1, r.stderr);
    assert.match(r.stderr, /needs root to change the network and could not start its helper: sudo is not installed/);
    assert.match(r.stderr, /docs\/privilege\.md/);
  });
});
