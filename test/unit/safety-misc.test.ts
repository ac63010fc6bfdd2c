/** Small guarantees of docs/security.md that need their own test. */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { matrixHtml } from '../../src/extension/matrix-html.js';
import { createSystemRunner } from '../../src/helper/runner.js';
import { fakeSystem } from '../support/fake-system.js';
import { execute } from '../../src/helper/execute.js';
import { Phase } from '../../src/core/steps.js';

describe('the connectivity panel', () => {
  it('escapes every name and message it shows, and allows no script', () => {
    const html = matrixHtml('<script>x</script>', [{ from: 'ns1', to: '<img src=x onerror=alert(1)>', target: '"><b>', kind: 'outside', ok: false, error: '<i>no</i>' }], 'NONCE', 12);
    assert.doesNotMatch(html, /<script>x|<img src=x|<i>no<\/i>|"><b>/);
    assert.match(html, /&#60;img src=x onerror=alert\(1\)&#62;/);
    assert.match(html, /Content-Security-Policy" content="default-src 'none'; style-src 'nonce-NONCE';"/);
  });
});

describe('the helper runs tools by absolute path only', () => {
  it('refuses a program name that is not a plain tool name, before spawning', async () => {
    const r = createSystemRunner();
    await assert.rejects(r.run(['sh -c id']), /refusing to run/);
    await assert.rejects(r.run(['../bin/sh']), /refusing to run/);
    await assert.rejects(r.run(['no-such-tool-here']), /was not found in \/usr\/sbin/);
  });
});

describe('/etc/netns files are never written through a symlink', () => {
  it('refuses when /etc/netns/NS is a symbolic link', async () => {
    const sys = fakeSystem();
    sys.kind = async (p) => (p === '/etc/netns/ns1' ? 'symlink' : 'missing');
    const r = await execute([{ phase: Phase.Files, step: { op: 'dns-write', ns: 'ns1', content: 'nameserver 192.0.2.1\n' }, summary: '' }], { runner: sys });
    assert.equal(r.ok, false);
    assert.match(r.failure!.kernel, /is a symbolic link; refusing to follow it/);
    assert.equal(sys.files.size, 0);
  });
});
