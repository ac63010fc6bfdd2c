/**
 * Labs of other tools, imported and run: the containerlab office lab (linux, bridge and host
 * nodes, a management network) and the Kathará campus lab (routers and PCs with static routes).
 * Each is imported with the CLI, applied with the real helper in the sandbox, and every pair that
 * should reach each other does; a second plan is empty and destroy leaves nothing.
 */
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { ROOT, WAN, cli, hostLinks, iptablesSave, listNetns, ping, resetSandbox, setupInternet, tryRun } from './sandbox.js';

const FIX = join(ROOT, 'test', 'fixtures', 'import');

/** every namespace reaches every address of the others (and the host's, when given) */
function matrix(addrs: Record<string, string[]>, hostTargets: string[]): string[] {
  const failed: string[] = [];
  for (const from of Object.keys(addrs)) {
    for (const [to, list] of Object.entries(addrs)) {
      if (to === from) continue;
      for (const a of list) if (!ping(from, a)) failed.push(`${from} -> ${to} ${a}`);
    }
    for (const a of hostTargets) if (!ping(from, a)) failed.push(`${from} -> host ${a}`);
  }
  return failed;
}

/** the MAC of an interface, as `ip -j link` shows it */
function macOf(ns: string, dev: string): string | undefined {
  const r = tryRun('ip', ['-n', ns, '-j', 'link', 'show', 'dev', dev]);
  return r.code === 0 ? (JSON.parse(r.stdout) as { address?: string }[])[0]?.address : undefined;
}

function hostPing(target: string): boolean {
  return tryRun('ping', ['-c', '1', '-W', '3', target]).code === 0;
}

function importApply(args: string[], out: string): void {
  const imp = cli(['import', ...args, '--partial', '-o', out]);
  assert.ok(imp.code === 0 || imp.code === 1, imp.stderr);
  assert.match(imp.stderr, /0 refused: wrote /);
  // the lab's start-up lines run as root here (root applies directly): refused until approved
  const refused = cli(['apply', out]);
  assert.equal(refused.code, 1, refused.stderr);
  assert.match(refused.stderr, /runs \d+ command\(s\) as root:[\s\S]*apply refused: nothing was changed/);
  assert.deepEqual(listNetns(), ['wan'], 'a refused apply changes nothing');
  const r = cli(['apply', out, '--allow-root-commands']);
  assert.equal(r.code, 0, r.stderr);
}

function replanEmptyThenDestroy(out: string): void {
  assert.deepEqual(JSON.parse(cli(['plan', out, '--json']).stdout).steps, []);
  assert.equal(cli(['destroy', out]).code, 0);
  assert.deepEqual(listNetns(), ['wan']);
  assert.deepEqual(hostLinks().filter((l) => l !== 'lo' && l !== WAN.uplink), []);
  assert.equal(iptablesSave().includes('NSL-'), false);
}

describe('importing other tools\' labs', () => {
  const dir = mkdtempSync(join(tmpdir(), 'nsl-import-'));
  before(async () => { await resetSandbox(); await setupInternet(); });
  after(async () => { rmSync(dir, { recursive: true, force: true }); await resetSandbox(); });

  it('containerlab: the office lab applies and its ping matrix is complete', () => {
    const out = join(dir, 'office.netns.json');
    importApply(['--from', 'clab', join(FIX, 'clab', 'office.clab.yml')], out);
    const data = {
      pc1: ['10.1.0.11'], pc2: ['10.1.0.12'], router: ['10.1.0.1', '10.2.0.1', '192.168.77.2'], srv: ['10.2.0.10'],
    };
    assert.deepEqual(matrix(data, ['192.168.77.1']), []);
    const mgmt = { pc1: ['172.30.30.11'], pc2: ['172.30.30.3'], router: ['172.30.30.2'], srv: ['172.30.30.4'] };
    assert.deepEqual(matrix(mgmt, ['172.30.30.1']), []);
    for (const a of ['10.1.0.11', '10.1.0.12', '10.1.0.1', '10.2.0.10']) assert.ok(hostPing(a), `host -> ${a} through the router`);
    assert.ok(ping('pc1', WAN.outside), 'pc1 -> internet through the management network (masquerade)');
    assert.equal(tryRun('ip', ['-n', 'srv', '-j', 'link', 'show', 'eth1']).stdout.includes('"mtu":1400'), true);
    assert.equal(tryRun('ip', ['-n', 'pc1', '-j', 'link', 'show', 'eth1']).stdout.includes('"mtu":9500'), true);
    // MACs: an endpoint's `mac` and an exec line `ip link set eth1 address MAC`, now the links' mac fields
    assert.equal(macOf('router', 'eth2'), '02:00:00:00:02:01');
    assert.equal(macOf('pc2', 'eth1'), '02:00:00:00:01:12');
    replanEmptyThenDestroy(out);
  });

  it('Kathará: the campus lab applies and its ping matrix is complete', () => {
    const out = join(dir, 'campus.netns.json');
    importApply(['--from', 'kathara', join(FIX, 'kathara', 'campus')], out);
    const data = {
      pc1: ['10.10.1.11'], pc2: ['10.10.1.12'], r1: ['10.10.1.1', '10.10.0.1'], r2: ['10.10.0.2', '10.10.2.1'], pc3: ['10.10.2.13'],
    };
    assert.deepEqual(matrix(data, []), []);
    assert.equal(tryRun('ip', ['netns', 'exec', 'pc3', 'sysctl', '-n', 'net.ipv4.conf.all.rp_filter']).stdout.trim(), '0');
    assert.equal(tryRun('ip', ['netns', 'exec', 'r1', 'sysctl', '-n', 'net.ipv4.ip_forward']).stdout.trim(), '1');
    // MACs: dev[N]="CD/MAC" and a start-up line `ip link set dev eth0 address MAC`
    assert.equal(macOf('pc2', 'eth0'), '02:00:00:00:0a:02');
    assert.equal(macOf('pc3', 'eth0'), '02:00:00:00:0b:13');
    replanEmptyThenDestroy(out);
  });
});

describe('import --from: exit codes and what is written', () => {
  const dir = mkdtempSync(join(tmpdir(), 'nsl-import-cli-'));
  after(() => rmSync(dir, { recursive: true, force: true }));

  it('0 with a full mapping, written', () => {
    const out = join(dir, 'pair.netns.json');
    const r = cli(['import', '--from', 'kathara', join(FIX, 'kathara', 'pair'), '-o', out]);
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stderr, /pair\/pc2\.startup:2: mapped: ip link set eth0 up: eth0 is up/);
    assert.match(r.stderr, /0 reported, 0 refused: wrote /);
    assert.equal(cli(['validate', out]).code, 0);
  });
  it('1 with a partial mapping: written only with --partial', () => {
    const out = join(dir, 'campus.netns.json');
    const r = cli(['import', '--from', 'kathara', join(FIX, 'kathara', 'campus'), '-o', out]);
    assert.equal(r.code, 1);
    assert.match(r.stderr, /r1\.startup:5: reported: \/etc\/init\.d\/frr start: /);
    assert.match(r.stderr, /not written: --partial writes it/);
    assert.equal(existsSync(out), false);
    assert.equal(cli(['import', '--from', 'kathara', join(FIX, 'kathara', 'campus'), '-o', out, '--partial']).code, 1);
    assert.equal(existsSync(out), true);
  });
  it('2 on invalid input, nothing written', () => {
    const out = join(dir, 'never.netns.json');
    for (const args of [['clab', 'bad-yaml.clab.yml'], ['clab', 'template.clab.yml'], ['clab', 'undefined-node.clab.yml'], ['clab', 'vendor.clab.yml'], ['kathara', 'dup-index'], ['kathara', 'bad-cd'], ['clab', 'missing.clab.yml']]) {
      const r = cli(['import', '--from', args[0]!, join(FIX, args[0]!, args[1]!), '-o', out]);
      assert.equal(r.code, 2, `${args.join(' ')}: ${r.stderr}`);
    }
    assert.match(cli(['import', '--from', 'clab', join(FIX, 'clab', 'template.clab.yml')]).stderr, /template\.clab\.yml:4: refused: Go template: /);
    assert.equal(existsSync(out), false);
    assert.equal(cli(['import', '--from', 'clab', join(FIX, 'clab', 'vendor.clab.yml'), '--stub-unsupported', '--partial', '-o', out]).code, 1);
  });
});
