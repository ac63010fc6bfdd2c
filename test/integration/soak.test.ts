/**
 * The soak of test/soak/soak.ts in a shortened form (the full one: `npm run soak`): the article
 * and a 100-namespace LAN applied and destroyed through one helper process; nothing may be left
 * after any cycle, and the helper's fds, children and memory may not grow.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { soak } from '../soak/soak.js';

describe('soak (shortened)', () => {
  it('10 article cycles and 2 cycles of a 100-namespace LAN through one helper leave nothing and leak nothing', async () => {
    const lines: string[] = [];
    const r = await soak({ articleCycles: 10, lanCycles: 2, lanSize: 100, log: (l) => lines.push(l) });
    for (const l of lines) console.log(l);
    assert.deepEqual(r.leaks, []);
    assert.equal(r.samples.length, 6, r.samples.map((s) => s.label).join(', '));
    for (const s of r.samples) assert.ok(s.fds > 3 && s.rssKiB > 10_000, `a real measurement: ${JSON.stringify(s)}`);
  });
});
