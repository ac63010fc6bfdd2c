import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { execCommandLine, planExec } from '../../src/cli-exec.js';

describe('netns-lab exec: arguments', () => {
  it('hands the options and the command to the helper unchanged', () => {
    const p = planExec(['ns1', '--cwd', '/srv', '--env', 'A=1 2', '--', 'sh', '-c', 'echo $A'], {});
    assert.deepEqual(p, { helperArgs: ['ns1', '--cwd', '/srv', '--env', 'A=1 2', '--', 'sh', '-c', 'echo $A'], elevation: 'auto' });
  });
  it('refuses a bad namespace, a missing command or an unknown option before anything runs', () => {
    assert.match(String(planExec(['../x', '--', 'true'], {})), /namespace|name/i);
    assert.match(String(planExec(['ns1'], {})), /command follows "--"/);
    assert.match(String(planExec(['ns1', '--'], {})), /command follows "--"/);
    assert.match(String(planExec(['ns1', '--shell', 'x', '--', 'true'], {})), /unknown option --shell/);
    assert.match(String(planExec(['ns1', '--env', 'NOEQUALS', '--', 'true'], {})), /NAME=VALUE/);
    assert.match(String(planExec(['ns1', '--elevation', 'su', '--', 'true'], {})), /--elevation/);
    assert.equal(typeof planExec([], {}), 'string');
  });
  it('takes --elevation for itself, not for the helper', () => {
    assert.deepEqual(planExec(['ns1', '--elevation', 'sudo', '--', 'id'], {}), { helperArgs: ['ns1', '--', 'id'], elevation: 'sudo' });
    assert.deepEqual(planExec(['ns1', '--elevation=pkexec', '--', 'id'], {}), { helperArgs: ['ns1', '--', 'id'], elevation: 'pkexec' });
  });
  it('hands a debugger\'s variables on as --env (the environment is cleared inside), unless --env names them', () => {
    const env = { NODE_OPTIONS: '--require /b.js', VSCODE_INSPECTOR_OPTIONS: '{"inspectorIpc":"/tmp/x.sock"}', OTHER: 'no' };
    assert.deepEqual(planExec(['ns1', '--', 'node', 'a.js'], env), {
      helperArgs: ['ns1', '--env', 'NODE_OPTIONS=--require /b.js', '--env', 'VSCODE_INSPECTOR_OPTIONS={"inspectorIpc":"/tmp/x.sock"}', '--', 'node', 'a.js'], elevation: 'auto',
    });
    assert.deepEqual(planExec(['ns1', '--env', 'NODE_OPTIONS=', '--', 'node'], { NODE_OPTIONS: '--x' }), { helperArgs: ['ns1', '--env', 'NODE_OPTIONS=', '--', 'node'], elevation: 'auto' });
  });
});

describe('netns-lab exec: how the helper starts', () => {
  const plan = { helperArgs: ['ns1', '--', 'id'], elevation: 'auto' as const };
  it('as root: in this process', () => {
    assert.equal(execCommandLine(plan, '/x/helper.js', {}, 0), undefined);
  });
  it('as root with another helper named: that helper, directly', () => {
    assert.deepEqual(execCommandLine(plan, '/opt/h.js', { NETNS_LAB_HELPER: '/opt/h.js' }, 0), [process.execPath, '/opt/h.js', '--exec', 'ns1', '--', 'id']);
  });
  it('as a user: sudo -n of the helper in --exec mode (the form the sudoers rule allows), never a fallback', () => {
    const l = execCommandLine(plan, '/usr/local/lib/netns-lab/helper-1.js', { DISPLAY: ':0' }, 1000)!;
    assert.deepEqual(l.slice(0, 3), ['sudo', '-n', '--']);
    assert.deepEqual(l.slice(4), ['/usr/local/lib/netns-lab/helper-1.js', '--exec', 'ns1', '--', 'id']);
    assert.deepEqual(execCommandLine({ ...plan, elevation: 'pkexec' }, '/h.js', {}, 1000)!.slice(0, 1), ['pkexec']);
  });
});
