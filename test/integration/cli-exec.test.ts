/** `netns-lab exec`: one command inside a namespace, with stdin, stdout and its exit code passed through. */
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { CLI, ROOT, resetSandbox, sh } from './sandbox.js';

function exec(args: string[], opts: { input?: string; env?: Record<string, string> } = {}) {
  const r = spawnSync(process.execPath, [CLI, 'exec', ...args], { input: opts.input ?? '', encoding: 'utf8', env: { PATH: '/usr/bin:/bin', ...opts.env }, timeout: 20_000 });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}
const pidsIn = (ns: string) => sh('ip', ['netns', 'pids', ns]).trim();
const waitFor = async (what: string, f: () => boolean) => {
  for (let i = 0; i < 200; i++) { if (f()) return; await new Promise((r) => setTimeout(r, 50)); }
  throw new Error(`timed out waiting for ${what}`);
};

describe('netns-lab exec', () => {
  before(async () => {
    await resetSandbox();
    sh('ip', ['netns', 'add', 'ns1']);
    sh('ip', ['-n', 'ns1', 'link', 'add', 'veth1', 'type', 'veth', 'peer', 'name', 'p1']);
    sh('ip', ['-n', 'ns1', 'addr', 'add', '10.0.0.2/24', 'dev', 'veth1']);
  });
  after(resetSandbox);

  it('runs the command inside the namespace: its output, its exit code, this stdin', () => {
    const a = exec(['ns1', '--', 'ip', '-br', 'addr']);
    assert.equal(a.code, 0, a.stderr);
    assert.match(a.stdout, /^veth1@p1\s+\S+\s+10\.0\.0\.2\/24/m);
    const b = exec(['ns1', '--', 'sh', '-c', 'cat; exit 7'], { input: 'hello from stdin\n' });
    assert.equal(b.code, 7);
    assert.equal(b.stdout, 'hello from stdin\n');
  });

  it('runs it as the person who asked (sudo netns-lab exec), with --cwd and --env', () => {
    const r = exec(['ns1', '--cwd', '/tmp', '--env', 'GREETING=hi there', '--', 'sh', '-c', 'id -u; pwd; echo "$GREETING $NETNS_LAB_NS"'], { env: { SUDO_UID: '65534', SUDO_GID: '65534' } });
    assert.equal(r.code, 0, r.stderr);
    assert.deepEqual(r.stdout.split('\n'), ['65534', '/tmp', 'hi there ns1', '']);
  });

  it('refuses a bad name, a missing namespace, or another user for a non-root caller, running nothing', () => {
    const bad = exec(['ns1;reboot', '--', 'true']);
    assert.equal(bad.code, 2);
    assert.match(bad.stderr, /namespace name 'ns1;reboot'/);
    const none = exec(['nosuch', '--', 'true']);
    assert.equal(none.code, 1);
    assert.match(none.stderr, /there is no namespace 'nosuch'/);
    const other = exec(['ns1', '--user', 'root', '--', 'id', '-u'], { env: { SUDO_UID: '65534' } });
    assert.equal(other.code, 2);
    assert.match(other.stderr, /only root may run a command as another user/);
    assert.equal(other.stdout, '');
  });

  it('hands a debugger\'s variables on (the environment inside is otherwise cleared)', () => {
    const r = exec(['ns1', '--', 'sh', '-c', 'echo "[$VSCODE_INSPECTOR_OPTIONS][$OTHER]"'], { env: { VSCODE_INSPECTOR_OPTIONS: '{"a":1}', OTHER: 'x' } });
    assert.equal(r.stdout, '[{"a":1}][]\n', r.stderr);
  });

  it('through a helper process (NETNS_LAB_HELPER) as well, and SIGTERM to netns-lab ends the command', async () => {
    const env = { PATH: '/usr/bin:/bin', NETNS_LAB_HELPER: join(ROOT, 'dist', 'helper.js') };
    const r = exec(['ns1', '--', 'sh', '-c', 'cat; exit 4'], { input: 'via helper\n', env });
    assert.equal(r.code, 4, r.stderr);
    assert.equal(r.stdout, 'via helper\n');
    const child = spawn(process.execPath, [CLI, 'exec', 'ns1', '--', 'sleep', '60'], { env, stdio: 'ignore' });
    const exited = new Promise<number | null>((res) => child.once('exit', (code, sig) => res(code ?? (sig ? -1 : null))));
    await waitFor('sleep inside ns1', () => pidsIn('ns1') !== '');
    child.kill('SIGTERM');
    assert.equal(await exited, 143, 'the command\'s end by SIGTERM, as 128+15');
    await waitFor('nothing left in ns1', () => pidsIn('ns1') === '');
  });
});
