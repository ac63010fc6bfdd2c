/** The helper's terminal mode: the user's shell, as the user, inside the namespace, /etc/netns in effect. */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { ROOT, readableCopies, resetSandbox, sh } from './sandbox.js';

const HELPER = join(ROOT, 'dist', 'helper.js');
// the user's shell reads it: a copy any user can read, wherever the checkout lies
const RC_COPY = readableCopies(['media/shell/bashrc']);
const RC = RC_COPY.path('media/shell/bashrc');

function shell(env: Record<string, string>, input: string, args: string[] = ['--shell', 'ns1', '--rcfile', RC]) {
  return spawnSync(process.execPath, [HELPER, ...args], { input, encoding: 'utf8', env: { PATH: '/usr/bin:/bin', TERM: 'dumb', ...env }, timeout: 20_000 });
}

describe('a shell inside a namespace', () => {
  before(async () => {
    await resetSandbox();
    sh('ip', ['netns', 'add', 'ns1']);
    sh('ip', ['-n', 'ns1', 'link', 'add', 'veth1', 'type', 'veth', 'peer', 'name', 'p1']);
    sh('ip', ['-n', 'ns1', 'addr', 'add', '10.0.0.2/24', 'dev', 'veth1']);
    mkdirSync('/etc/netns/ns1', { recursive: true });
    writeFileSync('/etc/netns/ns1/resolv.conf', 'nameserver 192.0.2.99\n');
  });
  after(async () => { RC_COPY.remove(); await resetSandbox(); });

  it('runs as the user who asked through sudo, in the namespace, with its resolv.conf', () => {
    const r = shell({ SUDO_UID: '65534', SUDO_GID: '65534' }, 'id -u; ip -br addr show veth1; cat /etc/resolv.conf; echo "ns=$NETNS_LAB_NS"; exit\n');
    assert.equal(r.status, 0, r.stderr);
    assert.match(r.stdout, /^65534$/m);
    assert.match(r.stdout, /veth1\S*\s+\S+\s+10\.0\.0\.2\/24/);
    assert.match(r.stdout, /nameserver 192\.0\.2\.99/);
    assert.match(r.stdout, /ns=ns1/);
  });

  it('puts the namespace in the prompt of an interactive bash, for root and for a user', () => {
    for (const env of [{}, { SUDO_UID: '65534', SUDO_GID: '65534' }] as Record<string, string>[]) {
      const r = shell(env, 'exit\n');
      assert.equal(r.status, 0, r.stderr);
      assert.match(r.stderr, /\(ns1\) /); // bash -i writes its prompt to stderr
    }
  });

  it('refuses bad names and missing namespaces before running anything', () => {
    assert.equal(shell({}, '', ['--shell', '../etc']).status, 2);
    assert.equal(shell({}, '', ['--shell', '-n']).status, 2);
    assert.equal(shell({}, '', ['--shell', 'ns1', '--cwd', 'relative']).status, 2);
    const r = shell({}, '', ['--shell', 'nope']);
    assert.equal(r.status, 1);
    assert.match(r.stderr, /there is no namespace 'nope'/);
  });
});
