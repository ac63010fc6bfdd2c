/** A router's connectivity badge (a second line under its name) and its links' end labels do not overlap (issue 15 item 7). */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { fitLinkLabels } from '../../webview/model.js';

describe('end labels beside a connectivity badge', () => {
  const node = { w: 84, h: 62 };
  const full: [string, string] = ['eth1\n10.0.1.1/30', 'eth0\n10.0.1.2/30'];
  const short: [string, string] = ['eth1', 'eth0'];
  it('a link leaving downwards puts its end label past the badge, further than past the name alone', () => {
    const a = { x: 0, y: 0 };
    const b = { x: 0, y: 400 };
    const plain = fitLinkLabels(a, b, node, ['r1', 'ns1'], full, short, '');
    const badged = fitLinkLabels(a, b, node, ['r1\n✓ 4 reached · ≤ 0.12 ms', 'ns1'], full, short, '');
    assert.ok(plain.src, 'a label at the router end');
    assert.ok(badged.src, 'still a label at the router end');
    assert.ok(badged.srcOffset > plain.srcOffset, `offset ${badged.srcOffset} vs ${plain.srcOffset} without the badge`);
  });
});
