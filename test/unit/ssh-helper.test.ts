import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { explainSshExit, installedHelper, parseSshTarget, remoteCommand, sshArgv, SshSetupError } from '../../src/engine/ssh-helper.js';

const SAFE = ['-T', '-o', 'BatchMode=yes', '-o', 'PasswordAuthentication=no', '-o', 'KbdInteractiveAuthentication=no',
  '-o', 'StrictHostKeyChecking=yes', '-o', 'ConnectTimeout=10', '-o', 'ServerAliveInterval=5', '-o', 'ServerAliveCountMax=3',
  '-o', 'ForwardAgent=no', '-o', 'ForwardX11=no', '-o', 'ClearAllForwardings=yes', '-o', 'PermitLocalCommand=no'];

describe('ssh targets', () => {
  it('user@address[:port], a bare name, IPv6 in brackets', () => {
    assert.deepEqual(parseSshTarget('alice@192.0.2.2'), { user: 'alice', host: '192.0.2.2', port: undefined });
    assert.deepEqual(parseSshTarget('root@lab-b.example.net:2222'), { user: 'root', host: 'lab-b.example.net', port: 2222 });
    assert.deepEqual(parseSshTarget('labhost'), { user: undefined, host: 'labhost', port: undefined });
    assert.deepEqual(parseSshTarget('bob@[2001:db8::2]:22'), { user: 'bob', host: '2001:db8::2', port: 22 });
  });
  it('refuses what could become an ssh option or shell text, naming the field', () => {
    for (const bad of ['-oProxyCommand=x', 'a@-oProxyCommand=x', 'a b@host', 'a@host;id', 'a@$(id)', 'a@host:0', 'a@host:99999', 'a@host:x', 'a@', '@host', 'a@[zz]', 'a@[192.0.2.1]']) {
      assert.throws(() => parseSshTarget(bad, 'hosts[1].ssh'), (e: Error) => e instanceof SshSetupError && e.message.startsWith('hosts[1].ssh:'), bad);
    }
  });
});

describe('the ssh argv of a remote helper', () => {
  it('a user goes through sudo -n to exactly node and the installed helper, after --', () => {
    const argv = sshArgv(parseSshTarget('alice@192.0.2.2'), { version: '0.1.0' });
    assert.deepEqual(argv, ['ssh', ...SAFE, '--', 'alice@192.0.2.2',
      "sudo -n -- '/usr/bin/node' '/usr/local/lib/netns-lab/helper-0.1.0.js'"]);
  });
  it('root runs it without sudo; a port and the caller\'s options come before --', () => {
    const argv = sshArgv(parseSshTarget('root@192.0.2.3:2200'), {
      node: '/opt/node/bin/node', helper: '/srv/netns-lab/dist/helper.js', connectTimeoutS: 3, aliveIntervalS: 2,
      extra: ['-F', '/tmp/t/ssh_config', '-i', '/tmp/t/id_ed25519'],
    });
    const after = argv.indexOf('PermitLocalCommand=no') + 1;
    assert.deepEqual(argv.slice(after, argv.indexOf('--')), ['-p', '2200', '-F', '/tmp/t/ssh_config', '-i', '/tmp/t/id_ed25519']);
    assert.ok(argv.includes('ConnectTimeout=3') && argv.includes('ServerAliveInterval=2'));
    assert.deepEqual(argv.slice(argv.indexOf('--')), ['--', 'root@192.0.2.3', "'/opt/node/bin/node' '/srv/netns-lab/dist/helper.js'"]);
  });
  it('a host without a user name still uses sudo (the remote user is not known to be root)', () => {
    assert.equal(remoteCommand(parseSshTarget('labhost'), '/usr/bin/node', '/h.js'), "sudo -n -- '/usr/bin/node' '/h.js'");
  });
  it('refuses a remote path the remote shell would read as more than a path', () => {
    const t = parseSshTarget('root@192.0.2.3');
    for (const p of ['relative/helper.js', '/a b.js', "/a'b.js", '/a;id', '/a/$(id).js', '/a/`id`', '/a/../etc/shadow', '/a/*.js', '/a\n.js', '']) {
      assert.throws(() => sshArgv(t, { helper: p }), SshSetupError, JSON.stringify(p));
      assert.throws(() => sshArgv(t, { node: p, helper: '/h.js' }), SshSetupError, JSON.stringify(p));
    }
    assert.throws(() => installedHelper('1.0; id'), SshSetupError);
    assert.throws(() => sshArgv(t, { extra: ['-o', 'x\ny'] }), SshSetupError);
    assert.throws(() => sshArgv(t, { connectTimeoutS: 0 }), SshSetupError);
  });
});

describe('why ssh ended, in words', () => {
  const w = 'host c (root@192.0.2.3)';
  it('names the cause a person can act on', () => {
    assert.match(explainSshExit(w, { exitCode: 255 }, 'Host key verification failed.\n'), /host key of host c .* known_hosts/);
    assert.match(explainSshExit(w, { exitCode: 255 }, 'root@192.0.2.3: Permission denied (publickey).\n'), /was refused .*agent/);
    assert.match(explainSshExit(w, { exitCode: 255 }, 'ssh: connect to host 192.0.2.3 port 22: Connection refused\n'), /^cannot reach host c/);
    assert.match(explainSshExit(w, { exitCode: 1 }, 'sudo: a password is required\n'), /sudo -n on host c .* sudoers rule/);
    assert.match(explainSshExit(w, { exitCode: 127 }, "bash: line 1: /usr/bin/node: No such file or directory\n"), /missing on host c/);
    assert.match(explainSshExit(w, { exitCode: 2 }, 'odd\n'), /exited with code 2 \(odd\)/);
    assert.match(explainSshExit(w, { code: 'ENOENT' }, ''), /openssh-client/);
  });
});

describe('which helper a remote host runs', async () => {
  const { remoteHelperPath } = await import('../../src/cli-multihost.js');
  const none = new Map<string, string | true>();
  it('the installed one by default; the file\'s path through sudo (the sudoers rule limits it)', () => {
    assert.equal(remoteHelperPath({ name: 'b', ssh: 'alice@192.0.2.2' }, none, 'alice'), undefined);
    assert.equal(remoteHelperPath({ name: 'b', ssh: 'alice@192.0.2.2', helper: '/opt/netns-lab/helper.js' }, none, 'alice'), '/opt/netns-lab/helper.js');
  });
  it('a root login (no sudo) takes from the file only a path in the install directory; any other must be typed by the person', () => {
    assert.equal(remoteHelperPath({ name: 'b', ssh: 'root@192.0.2.2', helper: '/usr/local/lib/netns-lab/helper-0.1.0.js' }, none, 'root'), '/usr/local/lib/netns-lab/helper-0.1.0.js');
    assert.throws(() => remoteHelperPath({ name: 'b', ssh: 'root@192.0.2.2', helper: '/home/alice/evil.js' }, none, 'root'), /host b: the file names helper \/home\/alice\/evil\.js, which would run as root without sudo/);
    assert.equal(remoteHelperPath({ name: 'b', ssh: 'root@192.0.2.2', helper: '/home/alice/evil.js' }, new Map([['--remote-helper', '/srv/h.js']]), 'root'), '/srv/h.js');
  });
});
