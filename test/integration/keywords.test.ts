/**
 * Names that are iproute2 keywords (or their abbreviations: `ip link add a ...` reads "a" as
 * "address") must still be names: every rendered command names its objects with a keyword.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { cli, listNetns, ping, resetSandbox } from './sandbox.js';

const NAMES = ['a', 'dev', 'help', 'up', 'type', 'name', 'peer', 'master', 'mtu', 'link'];

describe('keyword-like names', () => {
  const dir = mkdtempSync(join(tmpdir(), 'netns-lab-kw-'));
  const file = join(dir, 'kw.netns.json');
  before(async () => {
    await resetSandbox();
    const t = {
      version: 1, name: 'kw',
      bridges: [{ name: 'add', addresses: ['10.7.0.1/24'] }],
      namespaces: [{ name: 'list', routes: [{ to: 'default', via: '10.7.0.1' }] }, { name: 'help', routes: [{ to: 'default', via: '10.7.0.1' }] }, { name: 'set' }],
      links: [
        { a: { node: 'list', name: NAMES[0], addresses: ['10.7.0.2/24'] }, b: { node: 'add', name: NAMES[1] } },
        { a: { node: 'help', name: NAMES[2], addresses: ['10.7.0.3/24'] }, b: { node: 'add', name: NAMES[3] } },
        { a: { node: 'set', name: NAMES[4], addresses: ['10.8.0.1/30'] }, b: { node: 'list', name: NAMES[5], addresses: ['10.8.0.2/30'] } },
        { a: { node: 'set', name: NAMES[6] }, b: { node: 'help', name: NAMES[7] } },
        { a: { node: 'set', name: NAMES[8] }, b: { node: 'host', name: NAMES[9] } },
      ],
    };
    writeFileSync(file, JSON.stringify(t, null, 2));
  });
  after(resetSandbox);

  it('applies, works, re-plans to nothing and destroys', () => {
    const r = cli(['apply', file]);
    assert.equal(r.code, 0, r.stderr);
    assert.deepEqual(listNetns(), ['help', 'list', 'set']);
    assert.ok(ping('list', '10.7.0.3'));
    assert.ok(ping('set', '10.8.0.2'));
    assert.deepEqual(JSON.parse(cli(['plan', file, '--json']).stdout).steps, []);
    assert.equal(cli(['destroy', file]).code, 0);
    assert.deepEqual(listNetns(), []);
  });
});
