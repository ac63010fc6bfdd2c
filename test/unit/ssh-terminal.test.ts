/**
 * A terminal into a namespace of a remote host (issue 19): the argv VS Code runs, built by the
 * same checks as the helper's ssh connection (src/engine/ssh-connect.ts). Pure: deep equality.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { remoteShellArgv } from '../../src/engine/ssh-connect.js';
import { SshSetupError } from '../../src/engine/ssh-helper.js';

const SAFE = ['-o', 'BatchMode=yes', '-o', 'PasswordAuthentication=no', '-o', 'KbdInteractiveAuthentication=no',
  '-o', 'StrictHostKeyChecking=yes', '-o', 'ConnectTimeout=10', '-o', 'ServerAliveInterval=5', '-o', 'ServerAliveCountMax=3',
  '-o', 'ForwardAgent=no', '-o', 'ForwardX11=no', '-o', 'ClearAllForwardings=yes', '-o', 'PermitLocalCommand=no'];

describe('a terminal in a remote namespace', () => {
  it('a user: ssh -t … HOST sudo -n NODE HELPER --shell NS, the installed helper of this version', () => {
    assert.deepEqual(remoteShellArgv({ name: 'b', ssh: 'alice@192.0.2.2' }, 'r2', { version: '0.1.0' }), [
      'ssh', '-t', ...SAFE, '--', 'alice@192.0.2.2', "sudo -n -- '/usr/bin/node' '/usr/local/lib/netns-lab/helper-0.1.0.js' --shell 'r2'",
    ]);
  });

  it('root without sudo; a port, the settings\' ssh config, node and helper', () => {
    const argv = remoteShellArgv({ name: 'c', ssh: 'root@192.0.2.3:2222' }, 'c1', { version: '0.1.0', sshConfig: '/home/a/.ssh/lab_config', remoteNode: '/opt/node/bin/node', remoteHelper: '/srv/h.js' });
    assert.deepEqual(argv.slice(argv.indexOf('PermitLocalCommand=no') + 1), ['-p', '2222', '-F', '/home/a/.ssh/lab_config', '--', 'root@192.0.2.3', "'/opt/node/bin/node' '/srv/h.js' --shell 'c1'"]);
    assert.equal(argv[1], '-t');
    assert.ok(!argv.includes('-T'));
  });

  it('a helper path from the file runs under a root login only from the installed directory', () => {
    assert.throws(() => remoteShellArgv({ name: 'c', ssh: 'root@192.0.2.3', helper: '/home/x/evil.js' }, 'c1', { version: '0.1.0' }), /would run as root without sudo/);
    assert.equal(remoteShellArgv({ name: 'c', ssh: 'root@192.0.2.3', helper: '/usr/local/lib/netns-lab/h.js' }, 'c1', { version: '0.1.0' }).at(-1), "'/usr/bin/node' '/usr/local/lib/netns-lab/h.js' --shell 'c1'");
  });

  it('refuses a namespace name, a target or a path that is not plain, before anything runs', () => {
    for (const ns of ["x'; id; '", '-n', '../etc', 'a b', '']) {
      assert.throws(() => remoteShellArgv({ name: 'b', ssh: 'alice@192.0.2.2' }, ns, { version: '0.1.0' }), (e: Error) => e instanceof SshSetupError && /namespace/.test(e.message), JSON.stringify(ns));
    }
    assert.throws(() => remoteShellArgv({ name: 'b', ssh: 'a@-oProxyCommand=x' }, 'r2', { version: '0.1.0' }), /hosts b ssh:/);
    assert.throws(() => remoteShellArgv({ name: 'b', ssh: 'alice@192.0.2.2' }, 'r2', { version: '0.1.0', remoteHelper: '/srv/h.js; id' }), /remote helper/);
    assert.throws(() => remoteShellArgv({ name: 'local' }, 'r2', { version: '0.1.0' }), /no ssh target/);
  });
});
