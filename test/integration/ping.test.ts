/** The reachability matrix: all green for the article, exactly the broken pairs when a veth is down. */
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { ProbeResult } from '../../src/core/diagnose/reach.js';
import { EXAMPLES, WAN, cli, resetSandbox, setupInternet, sh } from './sandbox.js';

const ARTICLE = join(EXAMPLES, 'article.netns.json');
const matrix = (extra: string[] = []) => {
  const r = cli(['ping', ARTICLE, '--json', ...extra]);
  return { code: r.code, results: (JSON.parse(r.stdout) as { results: ProbeResult[] }).results };
};

describe('ping matrix', () => {
  before(async () => { await resetSandbox(); await setupInternet(); assert.equal(cli(['apply', ARTICLE]).code, 0); });
  after(resetSandbox);

  it('is all green for the article, outside probes by address and by name included', () => {
    const { code, results } = matrix(['--probe', `${WAN.outside},${WAN.name}`]);
    assert.equal(code, 0, JSON.stringify(results.filter((r) => !r.ok)));
    assert.deepEqual(results.map((r) => `${r.from}>${r.to}:${r.target}`).sort(), [
      'ns1>198.51.100.10:198.51.100.10', 'ns1>example.test:example.test', 'ns1>host:10.0.0.1', 'ns1>ns2:10.0.0.3',
      'ns2>198.51.100.10:198.51.100.10', 'ns2>example.test:example.test', 'ns2>host:10.0.0.1', 'ns2>ns1:10.0.0.2',
    ]);
    assert.ok(results.every((r) => typeof r.rttMs === 'number' && r.rttMs >= 0));
  });

  it('shows exactly the broken pairs when a veth is set down', () => {
    sh('ip', ['-n', 'ns2', 'link', 'set', 'veth2', 'down']);
    try {
      const { code, results } = matrix();
      assert.equal(code, 1);
      assert.deepEqual(results.filter((r) => !r.ok).map((r) => `${r.from}>${r.to}`).sort(), ['ns1>ns2', 'ns2>host', 'ns2>ns1']);
    } finally {
      sh('ip', ['-n', 'ns2', 'link', 'set', 'veth2', 'up']);
      sh('ip', ['-n', 'ns2', 'route', 'replace', 'default', 'via', '10.0.0.1']);
    }
  });

  it('prints a matrix for people and refuses a probe that is neither an address nor a name', () => {
    const r = cli(['ping', ARTICLE]);
    // columns in the rows' order: the self cells are the diagonal
    assert.match(r.stdout, /^from \\ to\s+ns1\s+ns2\s+host/m);
    assert.match(r.stdout, /^ns1\s+ok [\d.]+ms/m);
    assert.equal(cli(['ping', ARTICLE, '--probe', '-c 100']).code, 2);
  });
});
