/**
 * The helper's lab-test probes: the argv each typed request becomes (programs by absolute
 * path, "--" before anything from the request), how their answers are read, and the requests
 * the protocol refuses before anything runs.
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { fakeSystem } from '../support/fake-system.js';
import { Request, PROTOCOL_VERSION } from '../../src/helper/protocol.js';
import { fpingArgv, parseFping } from '../../src/helper/fping.js';
import { httpGet, parseRouteGet, probeIcmp, probeTcp, probeUdp, resolveName, routeGet } from '../../src/helper/probe-ops.js';
import { createServer } from '../../src/helper/server.js';
import type { Response } from '../../src/helper/protocol.js';

const bin = (cmd: string) => `/usr/bin/${cmd}`;
const noFping = (cmd: string) => { if (cmd === 'fping') throw new Error('not installed'); return `/usr/bin/${cmd}`; };

describe('fping: argv and answers', () => {
  it('one process, one echo per target, no retries, options ended before the targets', () => {
    assert.deepEqual(fpingArgv('/usr/bin/fping', 'ns1', ['10.0.0.2', 'web.lab'], 500),
      ['ip', 'netns', 'exec', 'ns1', '/usr/bin/fping', '-e', '-r', '0', '-t', '500', '-i', '1', '--', '10.0.0.2', 'web.lab']);
  });
  it('reads alive, unreachable, a send error, a name that does not resolve, and silence', () => {
    const stdout = '10.0.0.2 is alive (0.052 ms)\n10.0.0.9 is unreachable\n10.9.9.9 is unreachable\n';
    const stderr = 'nosuch.invalid: Temporary failure in name resolution\n10.9.9.9: error while sending ping: Network is unreachable\n';
    assert.deepEqual(parseFping(['10.0.0.2', '10.0.0.9', '10.9.9.9', 'nosuch.invalid'], 2, stdout, stderr), [
      { target: '10.0.0.2', ok: true, rttMs: 0.052 },
      { target: '10.0.0.9', ok: false, error: 'no reply' },
      { target: '10.9.9.9', ok: false, error: 'Network is unreachable' },
      { target: 'nosuch.invalid', ok: false, error: 'Temporary failure in name resolution' },
    ]);
    assert.deepEqual(parseFping(['10.0.0.2'], 4, '', 'fping: can\'t create socket (must run as root?)\n'),
      [{ target: '10.0.0.2', ok: false, error: 'fping: can\'t create socket (must run as root?)' }]);
  });
});

describe('probe operations: argv', () => {
  it('probe-icmp uses fping when installed, else one ping per target', async () => {
    const fs = fakeSystem(() => ({ code: 0, stdout: '10.0.0.2 is alive (0.1 ms)\n', stderr: '' }));
    assert.deepEqual(await probeIcmp(fs, { ns: 'a', targets: ['10.0.0.2'] }, bin), { results: [{ target: '10.0.0.2', ok: true, rttMs: 0.1 }] });
    assert.equal(fs.calls[0]!.argv[4], '/usr/bin/fping');
    const fs2 = fakeSystem(() => ({ code: 1, stdout: '1 packets transmitted, 0 received, 100% packet loss', stderr: '' }));
    const r = await probeIcmp(fs2, { ns: 'a', targets: ['10.0.0.2', '10.0.0.3'] }, noFping);
    assert.deepEqual(fs2.calls.map((c) => c.argv), [
      ['ip', 'netns', 'exec', 'a', '/usr/bin/ping', '-c', '1', '-W', '1', '-n', '--', '10.0.0.2'],
      ['ip', 'netns', 'exec', 'a', '/usr/bin/ping', '-c', '1', '-W', '1', '-n', '--', '10.0.0.3'],
    ]);
    assert.deepEqual(r.results.map((x) => [x.target, x.ok, x.error]), [['10.0.0.2', false, 'no reply'], ['10.0.0.3', false, 'no reply']]);
  });
  it('probe-tcp: nc -z; probe-udp: a datagram, ok only with a reply', async () => {
    const fs = fakeSystem((argv) => (argv.includes('-z') ? { code: 1, stdout: '', stderr: 'nc: connect to 10.0.0.2 port 80 (tcp) failed: Connection refused\n' } : { code: 0, stdout: 'netns-lab probe\n', stderr: '' }));
    assert.deepEqual(await probeTcp(fs, { ns: 'a', target: '10.0.0.2', port: 80 }, bin), { ok: false, error: 'connect to 10.0.0.2 port 80 (tcp) failed: Connection refused' });
    assert.deepEqual(await probeUdp(fs, { ns: 'a', target: '10.0.0.2', port: 7 }, bin), { ok: true, reply: 'netns-lab probe\n' });
    assert.deepEqual(fs.calls.map((c) => [c.argv, c.input]), [
      [['ip', 'netns', 'exec', 'a', '/usr/bin/nc', '-z', '-v', '-w', '1', '--', '10.0.0.2', '80'], ''],
      [['ip', 'netns', 'exec', 'a', '/usr/bin/nc', '-u', '-w', '1', '--', '10.0.0.2', '7'], 'netns-lab probe\n'],
    ]);
    const silent = fakeSystem(() => ({ code: 0, stdout: '', stderr: '' }));
    assert.deepEqual(await probeUdp(silent, { ns: 'a', target: '10.0.0.2', port: 7 }, bin), { ok: false, error: 'no reply within 1 s' });
  });
  it('route-get: ip -n NS -j route get, the gateway and device read back', async () => {
    const fs = fakeSystem(() => ({ code: 0, stdout: '[{"dst":"10.2.0.2","gateway":"10.1.0.1","dev":"eth0","prefsrc":"10.1.0.2","flags":[],"uid":0,"cache":[]}]\n', stderr: '' }));
    assert.deepEqual(await routeGet(fs, { ns: 'pc1', to: '10.2.0.2' }), { ok: true, via: '10.1.0.1', dev: 'eth0', src: '10.1.0.2' });
    assert.deepEqual(fs.calls[0]!.argv, ['ip', '-n', 'pc1', '-j', 'route', 'get', '10.2.0.2']);
    const none = fakeSystem(() => ({ code: 2, stdout: '', stderr: 'RTNETLINK answers: Network is unreachable\n' }));
    assert.deepEqual(await routeGet(none, { ns: null, to: '10.2.0.2' }), { ok: false, error: 'Network is unreachable' });
    assert.deepEqual(none.calls[0]!.argv, ['ip', '-j', 'route', 'get', '10.2.0.2']);
    assert.deepEqual(parseRouteGet('[{"type":"unreachable","dst":"10.2.0.2"}]'), { ok: false, error: 'unreachable route' });
  });
  it('resolve: getent ahosts in the namespace; http-get: curl without curlrc, http(s) only, the status read back', async () => {
    const fs = fakeSystem((argv) => (argv.includes('ahosts')
      ? { code: 0, stdout: '10.2.0.2        STREAM web.lab\n10.2.0.2        DGRAM\n10.2.0.2        RAW\n', stderr: '' }
      : { code: 0, stdout: 'hello lab\n\nnetns-lab-status:200', stderr: '' }));
    assert.deepEqual(await resolveName(fs, { ns: 'pc1', name: 'web.lab' }, bin), { addresses: ['10.2.0.2'] });
    assert.deepEqual(await httpGet(fs, { ns: 'pc1', url: 'http://10.2.0.2:8080/' }, bin), { status: 200, body: 'hello lab\n' });
    assert.deepEqual(fs.calls.map((c) => c.argv), [
      ['ip', 'netns', 'exec', 'pc1', '/usr/bin/getent', 'ahosts', '--', 'web.lab'],
      ['ip', 'netns', 'exec', 'pc1', '/usr/bin/curl', '-q', '-sS', '--proto', '=http,https', '--max-time', '3', '--max-filesize', '16777216', '-o', '-', '-w', '\nnetns-lab-status:%{http_code}', '--', 'http://10.2.0.2:8080/'],
    ]);
    const missing = fakeSystem(() => ({ code: 2, stdout: '', stderr: '' }));
    assert.deepEqual(await resolveName(missing, { ns: null, name: 'nope.lab' }, bin), { addresses: [], error: 'the name is not found' });
    assert.deepEqual(missing.calls[0]!.argv, ['getent', 'ahosts', '--', 'nope.lab']);
    const down = fakeSystem(() => ({ code: 7, stdout: '\nnetns-lab-status:000', stderr: 'curl: (7) Failed to connect to 10.2.0.2 port 8080\n' }));
    assert.deepEqual(await httpGet(down, { ns: 'pc1', url: 'http://10.2.0.2:8080/' }, bin), { error: '(7) Failed to connect to 10.2.0.2 port 8080' });
  });
});

describe('probe operations: a missing program', () => {
  it('is named with its Debian package, and nothing runs', async () => {
    const fs = fakeSystem();
    const none = (cmd: string): string => { throw new Error(`'${cmd}' was not found`); };
    await assert.rejects(probeTcp(fs, { ns: 'a', target: '10.0.0.2', port: 80 }, none), /^Error: nc is not installed \(Debian package netcat-openbsd; scripts\/setup.sh installs it\)$/);
    await assert.rejects(httpGet(fs, { ns: 'a', url: 'http://10.0.0.2/' }, none), /curl is not installed \(Debian package curl/);
    assert.equal(fs.calls.length, 0);
  });
});

describe('probe operations: the protocol refuses before anything runs', () => {
  const req = (o: Record<string, unknown>) => Request.safeParse({ v: PROTOCOL_VERSION, id: 1, ...o });
  it('option-like or malformed targets, names, URLs and ports', () => {
    for (const bad of [
      { op: 'probe-icmp', ns: 'a', targets: ['-f'] },
      { op: 'probe-icmp', ns: 'a', targets: [] },
      { op: 'probe-icmp', ns: '../x', targets: ['10.0.0.1'] },
      { op: 'probe-tcp', ns: 'a', target: '10.0.0.1', port: 0 },
      { op: 'probe-udp', ns: 'a', target: '10.0.0.1 -e sh', port: 53 },
      { op: 'route-get', ns: 'a', to: '-4' },
      { op: 'resolve', ns: 'a', name: '--help' },
      { op: 'http-get', ns: 'a', url: 'file:///etc/shadow' },
      { op: 'http-get', ns: 'a', url: 'http://a b/' },
      { op: 'http-get', ns: 'a', url: '-K/etc/shadow' },
      { op: 'probe-tcp', ns: 'a', target: '10.0.0.1', port: 80, argv: ['sh'] },
    ]) assert.equal(req(bad).success, false, JSON.stringify(bad));
    assert.equal(req({ op: 'probe-icmp', ns: 'a', targets: ['10.0.0.1', 'fd00::1', 'web.lab'] }).success, true);
  });
  it('the server answers a refused probe with bad-request, running nothing', async () => {
    const fs = fakeSystem();
    const sent: Response[] = [];
    const s = createServer({ runner: fs, send: (r) => sent.push(r) });
    await s.onLine(JSON.stringify({ v: PROTOCOL_VERSION, id: 7, op: 'probe-tcp', ns: 'a', target: '-oProxyCommand=x', port: 22 }));
    assert.equal(fs.calls.length, 0);
    assert.deepEqual(sent.map((r) => 'error' in r && r.error.code), ['bad-request']);
  });
});
