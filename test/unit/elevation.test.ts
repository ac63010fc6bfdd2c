import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { helperCommands } from '../../src/engine/helper-client.js';

const opts = { helperPath: '/opt/netns-lab/dist/helper.js', nodePath: '/usr/bin/node' };

describe('how the helper is started', () => {
  it('root runs it directly', () => {
    assert.deepEqual(helperCommands(opts, {}, 0), [['/usr/bin/node', '/opt/netns-lab/dist/helper.js']]);
  });
  it('a user without a graphical session uses sudo -n only (never a password prompt)', () => {
    assert.deepEqual(helperCommands(opts, {}, 1000), [['sudo', '-n', '--', '/usr/bin/node', '/opt/netns-lab/dist/helper.js']]);
  });
  it('a user in a desktop session falls back to pkexec', () => {
    assert.deepEqual(helperCommands(opts, { WAYLAND_DISPLAY: 'wayland-0' }, 1000).map((c) => c[0]), ['sudo', 'pkexec']);
  });
  it('an explicit method is used alone', () => {
    assert.deepEqual(helperCommands({ ...opts, elevation: 'pkexec' }, {}, 1000), [['pkexec', '/usr/bin/node', '/opt/netns-lab/dist/helper.js']]);
    assert.deepEqual(helperCommands({ ...opts, elevation: 'direct' }, {}, 1000), [['/usr/bin/node', '/opt/netns-lab/dist/helper.js']]);
  });
});

describe('the node binary of an elevated helper', () => {
  it('is a root-owned system node (the one the sudoers rule names), not the editor\'s own binary', async () => {
    const { systemNode } = await import('../../src/engine/helper-client.js');
    assert.equal(systemNode((p) => p === '/usr/bin/node'), '/usr/bin/node');
    assert.equal(systemNode((p) => p === '/usr/local/bin/node'), '/usr/local/bin/node');
    assert.equal(systemNode(() => false), process.execPath);
    const cmds = helperCommands({ helperPath: '/h.js' }, {}, 1000);
    assert.equal(cmds[0]![3], systemNode());
    assert.equal(helperCommands({ helperPath: '/h.js' }, {}, 0)[0]![0], process.execPath);
  });
});
