/**
 * Lab tests against a real kernel: a two-router lab (pc1 - r1 - r2 - pc2, and an isolated
 * guest on r1) with its routes complete passes every expectation of its file, ok:false pairs
 * included; with one route deleted by hand, exactly the expectations that need it fail, the path
 * walk names the router that lost the route, and the JUnit file says so.
 */
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { ROOT, cli, ping, resetSandbox, sh } from './sandbox.js';

const FILE = join(ROOT, 'test', 'fixtures', 'topologies', 'two-routers.netns.json');

/** an HTTP server on 8080 and a UDP echo on 7007 inside pc2 */
function servers(): ChildProcess {
  const code = "require('http').createServer((q,s)=>s.end('hello lab\\n')).listen(8080,()=>console.log('up'));"
    + "const d=require('dgram').createSocket('udp4');d.on('message',(m,r)=>d.send(m,r.port,r.address));d.bind(7007);";
  return spawn('ip', ['netns', 'exec', 'pc2', process.execPath, '-e', code], { stdio: ['ignore', 'pipe', 'inherit'] });
}

/** the testcases of a JUnit file: name and whether it failed / was skipped */
function junitCases(xml: string): { name: string; failed: boolean; skipped: boolean }[] {
  const unescape = (s: string) => s.replace(/&lt;/g, '<').replace(/&gt;/g, '>').replace(/&quot;/g, '"').replace(/&apos;/g, "'").replace(/&amp;/g, '&');
  return [...xml.matchAll(/<testcase [^>]*name="([^"]*)"[^>]*?(\/>|>([\s\S]*?)<\/testcase>)/g)].map((m) => ({
    name: unescape(m[1]!), failed: (m[3] ?? '').includes('<failure'), skipped: (m[3] ?? '').includes('<skipped'),
  }));
}

describe('netns-lab test on a two-router lab', () => {
  let srv: ChildProcess | undefined;
  const dir = mkdtempSync(join(tmpdir(), 'netns-lab-labtests-'));
  before(async () => {
    await resetSandbox();
    const r = cli(['apply', FILE]);
    assert.equal(r.code, 0, r.stderr);
    // the name the dns test looks up, in pc1's own hosts file (ip netns exec mounts it over /etc/hosts)
    mkdirSync('/etc/netns/pc1', { recursive: true });
    writeFileSync('/etc/netns/pc1/hosts', '10.2.0.2 web.lab\n');
    srv = servers();
    await new Promise<void>((resolve) => srv!.stdout!.once('data', () => resolve()));
    // the lab is up: the first packets across both routers got through
    assert.ok(ping('pc1', '10.2.0.2'));
  });
  after(async () => {
    if (srv) { const gone = new Promise((r) => srv!.once('exit', r)); srv.kill(); await gone; }
    rmSync(dir, { recursive: true, force: true });
    await resetSandbox();
  });

  it('every expectation passes (the rate bound measured with iperf3); exit 0; the summary is the last line', () => {
    const junit = join(dir, 'all.xml');
    const r = cli(['test', FILE, '--junit', junit]);
    assert.equal(r.code, 0, r.stdout + r.stderr);
    const lines = r.stdout.trimEnd().split('\n');
    assert.equal(lines.at(-1), '18 passed, 0 failed');
    assert.match(r.stdout, /^PASS {2}guest cannot reach pc1 \(\d+ ms\)$/m);
    const cases = junitCases(readFileSync(junit, 'utf8'));
    assert.equal(cases.length, 18);
    assert.deepEqual(cases.filter((c) => c.failed), []);
    assert.deepEqual(cases.filter((c) => c.skipped).map((c) => c.name), []);
  });

  it('--only and --json select and report', () => {
    const r = cli(['test', FILE, '--json', '--only', 'ROUTE to']);
    assert.equal(r.code, 0, r.stderr);
    const j = JSON.parse(r.stdout) as { results: { name: string; status: string }[] };
    assert.deepEqual(j.results.map((x) => [x.name, x.status]), [
      ['pc1: route to 10.2.0.2 via 10.1.0.1 dev eth0', 'passed'], ['r2: route to 10.1.0.2 via 10.9.0.1 dev eth1', 'passed'],
    ]);
    assert.equal(r.stderr.trimEnd().split('\n').at(-1), '2 passed, 0 failed');
    assert.equal(cli(['test', FILE, '--only', 'nothing like this']).code, 2);
  });

  it("r2's route back to LAN 1 deleted by hand: exactly the expectations that need it fail (exit 1)", () => {
    sh('ip', ['-n', 'r2', 'route', 'del', '10.1.0.0/24']);
    const junit = join(dir, 'broken.xml');
    const r = cli(['test', FILE, '--junit', junit]);
    assert.equal(r.code, 1, r.stdout + r.stderr);
    assert.equal(r.stdout.trimEnd().split('\n').at(-1), '10 passed, 8 failed');
    const cases = junitCases(readFileSync(junit, 'utf8'));
    assert.deepEqual(cases.filter((c) => c.failed).map((c) => c.name), [
      'pc1 → pc2 icmp', 'pc2 → pc1 icmp', 'pc1 → r2 icmp', 'pc1 → 10.2.0.2 tcp/8080', 'pc1 → 10.2.0.2 udp/7007',
      'r2: route to 10.1.0.2 via 10.9.0.1 dev eth1', 'pc1: GET http://10.2.0.2:8080/ → 200 containing "hello lab"', 'pc1 → pc2 ≥ 8 Mbit/s',
    ]);
    assert.match(r.stdout, /r2 has no route to 10\.1\.0\.2: Network is unreachable/);
    // the path walk on the live state names the router and the missing route for the failed reach tests
    assert.match(r.stdout, /FAIL {2}pc1 → pc2 icmp \(\d+ ms\)\n.*\n {6}path: r2 has no route to 10\.1\.0\.2: answers to pc1 \(10\.1\.0\.2\) stop at r2\n/);
    assert.match(r.stdout, /FAIL {2}pc2 → pc1 icmp \(\d+ ms\)\n.*\n {6}path: r2 has no route to 10\.1\.0\.2: packets from pc2 stop at r2\n {6}fix: the file gives r2 a way to 10\.1\.0\.2 that the kernel lost: apply again to restore it\n/);
    assert.match(readFileSync(junit, 'utf8'), /<failure [^>]*>pc1 cannot reach 10\.2\.0\.2 \(no reply\) over icmp&#10;r2 has no route to 10\.1\.0\.2: answers to pc1/);
  });

  it('an invalid file is exit 2, nothing probed', () => {
    const bad = join(dir, 'bad.netns.json');
    const t = JSON.parse(readFileSync(FILE, 'utf8')) as { expect: unknown[] };
    t.expect.push({ kind: 'reach', from: 'nobody', to: 'pc1', ok: true });
    writeFileSync(bad, JSON.stringify(t));
    const r = cli(['test', bad]);
    assert.equal(r.code, 2);
    assert.match(r.stderr, /unknown-namespace/);
  });
});
