/** A link kept down in the file: drawn, built, but down; re-plan is empty; up again on edit. */
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { EXAMPLES, cli, noPing, ping, resetSandbox, setupInternet, sh } from './sandbox.js';

describe('link admin state in the file', () => {
  const file = join(mkdtempSync(join(tmpdir(), 'netns-lab-admin-')), 'article.netns.json');
  const write = (up: boolean | undefined) => {
    const t = JSON.parse(readFileSync(join(EXAMPLES, 'article.netns.json'), 'utf8')) as { links: { up?: boolean }[] };
    if (up === undefined) delete t.links[1]!.up; else t.links[1]!.up = up;
    writeFileSync(file, JSON.stringify(t, null, 2));
  };
  before(async () => { await resetSandbox(); await setupInternet(); });
  after(resetSandbox);

  it('"up": false builds the link down, and the plan stays empty', () => {
    write(false);
    assert.equal(cli(['apply', file]).code, 0);
    assert.match(sh('ip', ['-n', 'ns2', '-br', 'link', 'show', 'veth2']), /DOWN/);
    assert.ok(noPing('ns1', '10.0.0.3'));
    assert.deepEqual(JSON.parse(cli(['plan', file, '--json']).stdout).steps, []);
    const d = JSON.parse(cli(['doctor', file, '--json']).stdout) as { findings: { code: string }[] };
    assert.equal(d.findings.some((f) => f.code === 'link-down'), false, 'a link the file keeps down is not a problem');
  });

  it('removing it brings the link up with its routes', () => {
    write(undefined);
    const p = JSON.parse(cli(['plan', file, '--json']).stdout) as { steps: { op: string }[] };
    assert.deepEqual(p.steps.map((s) => s.op).sort(), ['link-set', 'link-set', 'route-add']);
    assert.equal(cli(['apply', file]).code, 0);
    assert.ok(ping('ns1', '10.0.0.3'));
    assert.ok(ping('ns2', '10.0.0.1'));
  });
});
