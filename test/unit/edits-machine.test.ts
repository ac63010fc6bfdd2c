/** New nodes' proposed names skip names on the machine held by another topology or by nobody (issue 15 item 2). */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { describe, it } from 'node:test';
import { decideEdit } from '../../src/core/edit/edit-policy.js';
import { applyGesture } from '../../src/core/edit/edits.js';
import type { Topology } from '../../src/core/model/model.js';
import { validateText } from '../../src/core/model/validate.js';

const EMPTY = '{\n  "version": 1,\n  "name": "fresh",\n  "namespaces": [],\n  "bridges": [],\n  "links": []\n}\n';
const ARTICLE = readFileSync(new URL('../../../examples/article.netns.json', import.meta.url), 'utf8');
const added = (text: string, node: 'namespace' | 'bridge', machine?: Map<string, string | undefined>) => {
  const out = applyGesture(text, validateText(text).topology!, { kind: 'add-node', node, position: { x: 0, y: 0 } }, machine ? { machine } : {});
  const t = JSON.parse(out) as Topology;
  return node === 'bridge' ? t.bridges!.at(-1)!.name : t.namespaces!.at(-1)!.name;
};

describe('names proposed for new nodes', () => {
  it('skip namespaces running from another topology and unowned ones, not this topology\'s own', () => {
    assert.equal(added(EMPTY, 'namespace'), 'ns1', 'without the machine: the first name');
    assert.equal(added(EMPTY, 'namespace', new Map([['ns1', 'article'], ['ns2', undefined], ['ns3', 'fresh']])), 'ns3');
  });
  it('skip host interfaces for a bridge (docker0-like names held by nobody)', () => {
    assert.equal(added(EMPTY, 'bridge', new Map([['br0', undefined], ['br1', 'other']])), 'br2');
  });
  it('the edit policy passes the machine through', () => {
    const d = decideEdit(ARTICLE, { kind: 'add-node', node: 'namespace', position: { x: 1, y: 1 } }, { machine: new Map([['ns3', 'other']]) });
    assert.ok(d.ok && d.edit, JSON.stringify(d));
    assert.match(d.edit.text, /"ns4"/);
  });
});
