import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { describe, it } from 'node:test';
import { PrivilegeError, installScript, sudoersText } from '../../src/engine/privilege.js';

describe('the privileged helper rule', () => {
  it('grants exactly this user exactly the helper (and its shell and exec modes), nothing else', () => {
    const t = sudoersText('alice', '/usr/bin/node', '/usr/local/lib/netns-lab/helper-0.1.0.js');
    const rules = t.split('\n').filter((l) => l && !l.startsWith('#'));
    assert.deepEqual(rules, ['alice ALL=(root) NOPASSWD: /usr/bin/node /usr/local/lib/netns-lab/helper-0.1.0.js, /usr/bin/node /usr/local/lib/netns-lab/helper-0.1.0.js --shell *, /usr/bin/node /usr/local/lib/netns-lab/helper-0.1.0.js --exec *']);
    assert.doesNotMatch(t, /ALL\s*$|NOPASSWD:\s*ALL/m);
  });
  it('refuses names and paths that could widen the rule', () => {
    assert.throws(() => sudoersText('alice ALL', '/usr/bin/node', '/x.js'), PrivilegeError);
    assert.throws(() => sudoersText('alice', '/usr/bin/node, ALL', '/x.js'), PrivilegeError);
    assert.throws(() => sudoersText('alice', '/usr/bin/node', 'relative.js'), PrivilegeError);
    assert.throws(() => installScript({ user: 'alice', node: '/usr/bin/node', source: '/a b/helper.js', version: '1' }), PrivilegeError);
  });
  it('the install script copies the helper root-owned, checks the rule with visudo, and is valid bash', () => {
    const { script, helper } = installScript({ user: 'alice', node: '/usr/bin/node', source: '/home/alice/.vscode/extensions/x/dist/helper.js', version: '0.1.0' });
    assert.equal(helper, '/usr/local/lib/netns-lab/helper-0.1.0.js');
    assert.match(script, /install -m 0755 -o root -g root \/home\/alice\/\.vscode\/extensions\/x\/dist\/helper\.js \/usr\/local\/lib\/netns-lab\/helper-0\.1\.0\.js/);
    assert.match(script, /visudo -cf "\$rule"/);
    assert.match(script, /install -m 0440 -o root -g root "\$rule" \/etc\/sudoers\.d\/netns-lab/);
    assert.equal(spawnSync('bash', ['-n'], { input: script }).status, 0);
  });
});
