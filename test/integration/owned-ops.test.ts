/** Tree-view actions through the helper: only objects the tool owns can be set down or removed. */
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { HelperFailure, startHelper, type HelperClient } from '../../src/engine/helper-client.js';
import { EXAMPLES, ROOT, cli, hostLinks, listNetns, noPing, ping, resetSandbox, setupInternet, sh } from './sandbox.js';

describe('owned-only actions', () => {
  let h: HelperClient;
  before(async () => {
    await resetSandbox();
    await setupInternet();
    assert.equal(cli(['apply', join(EXAMPLES, 'article.netns.json')]).code, 0);
    h = await startHelper({ helperPath: join(ROOT, 'dist', 'helper.js'), elevation: 'direct' });
  });
  after(async () => { await h?.close(); await resetSandbox(); });

  const refused = async (p: Promise<unknown>, code: string) => {
    await assert.rejects(p, (e: unknown) => e instanceof HelperFailure && e.error.code === code);
  };

  it('sets an owned link down and up', async () => {
    await h.linkState({ ns: 'ns1', name: 'veth1', up: false });
    assert.ok(noPing('ns1', '10.0.0.3'));
    assert.match(sh('ip', ['-n', 'ns1', '-br', 'link', 'show', 'veth1']), /DOWN/);
    await h.linkState({ ns: 'ns1', name: 'veth1', up: true });
    assert.match(sh('ip', ['-n', 'ns1', '-br', 'link', 'show', 'veth1']), /UP|LOWERLAYERDOWN/);
  });

  it('refuses links and namespaces it does not own, and names that do not exist', async () => {
    await refused(h.linkState({ ns: null, name: 'uplink0', up: false }), 'not-owned');
    await refused(h.remove({ ns: 'wan' }), 'not-owned');
    await refused(h.remove({ ns: null }), 'bad-request');
    await refused(h.linkState({ ns: 'nope', name: 'x', up: true }), 'not-found');
    await refused(h.remove({ ns: '../etc' }), 'bad-request');
    assert.match(sh('ip', ['-br', 'link', 'show', 'uplink0']), /UP/);
    assert.ok(listNetns().includes('wan'));
  });

  it('removes an owned namespace with its resolv.conf; apply brings it back', async () => {
    await h.remove({ ns: 'ns2' });
    assert.deepEqual(listNetns(), ['ns1', 'wan']);
    assert.equal(existsSync('/etc/netns/ns2'), false);
    assert.equal(cli(['apply', join(EXAMPLES, 'article.netns.json')]).code, 0);
    assert.ok(ping('ns1', '10.0.0.3'));
    assert.ok(hostLinks().includes('veth2-br'));
  });
});
