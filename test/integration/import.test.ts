/**
 * A network built by hand with the article's own commands is imported (and adopted), destroyed,
 * and rebuilt from the imported file: the kernel state is the same.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { ROOT, WAN, cli, listNetns, ping, resetSandbox, setupInternet, snapshot } from './sandbox.js';
import { execFileSync } from 'node:child_process';

const ARTICLE_SH = join(ROOT, '..', 'shared', 'reference', 'article-commands.sh');
const FALLBACK_SH = join(ROOT, 'test', 'fixtures', 'article-commands.sh');

describe('import of a network built by hand', () => {
  const dir = mkdtempSync(join(tmpdir(), 'netns-lab-import-'));
  const file = join(dir, 'imported.netns.json');
  let handMade: unknown;
  before(async () => {
    await resetSandbox();
    await setupInternet();
    let script = FALLBACK_SH;
    try { readFileSync(ARTICLE_SH); script = ARTICLE_SH; } catch { /* use the copy */ }
    execFileSync('bash', [script], { env: { ...process.env, UPLINK: WAN.uplink, DNS: WAN.dns }, stdio: 'pipe' });
    handMade = snapshot(['ns1', 'ns2']);
  });
  after(resetSandbox);

  it('the hand-made network works as the article says', () => {
    assert.ok(ping('ns1', '10.0.0.3'));
    assert.ok(ping('ns1', WAN.name));
  });

  it('does not adopt without a confirmation (no terminal, no --yes): it shows the list, changes nothing', () => {
    const r = cli(['import', '--name', 'art', '--ns', 'ns1,ns2', '--adopt', '-o', file]);
    assert.equal(r.code, 1, r.stderr);
    assert.match(r.stderr, /take +namespace 'ns1'/);
    assert.match(r.stderr, /take +bridge 'br0' in the host/);
    assert.match(r.stderr, /run again with --yes/);
    assert.deepEqual(snapshot(['ns1', 'ns2']), handMade);
  });

  it('imports it into a valid topology and adopts its objects', () => {
    const r = cli(['import', '--name', 'art', '--ns', 'ns1,ns2', '--adopt', '--yes', '-o', file]);
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stderr, /adopted 7 object\(s\)/);
    assert.match(r.stderr, /made by hand; netns-lab leaves it in place/);
    const t = JSON.parse(readFileSync(file, 'utf8')) as Record<string, any>;
    assert.equal(cli(['validate', file]).code, 0);
    assert.deepEqual(t.bridges.map((b: any) => [b.name, b.addresses]), [['br0', ['10.0.0.1/24']]]);
    assert.deepEqual(t.namespaces.map((n: any) => [n.name, n.routes, n.dns, n.internet]), [
      ['ns1', [{ to: 'default', via: '10.0.0.1' }], { servers: [WAN.dns] }, true],
      ['ns2', [{ to: 'default', via: '10.0.0.1' }], { servers: [WAN.dns] }, true],
    ]);
    assert.deepEqual(t.links.map((l: any) => [l.a.node, l.a.name, l.a.addresses, l.b.node, l.b.name]), [
      ['ns1', 'veth1', ['10.0.0.2/24'], 'br0', 'veth1-br'],
      ['ns2', 'veth2', ['10.0.0.3/24'], 'br0', 'veth2-br'],
    ]);
    assert.deepEqual(t.host.masquerade, ['10.0.0.0/24']);
    const s = JSON.parse(cli(['status', file, '--json']).stdout) as { objects: { kind: string; state: string }[] };
    assert.ok(s.objects.filter((o) => o.kind === 'namespace' || o.kind === 'bridge' || o.kind === 'veth').every((o) => o.state === 'in-sync'));
  });

  it('destroy removes the adopted network; apply of the imported file rebuilds the same state', () => {
    assert.equal(cli(['destroy', file]).code, 0);
    assert.deepEqual(listNetns(), ['wan']);
    const r = cli(['apply', file]);
    assert.equal(r.code, 0, r.stderr);
    assert.deepEqual(snapshot(['ns1', 'ns2']), handMade);
    assert.ok(ping('ns1', '10.0.0.3'));
    assert.ok(ping('ns2', WAN.name));
    assert.deepEqual(JSON.parse(cli(['plan', file, '--json']).stdout).steps, []);
  });
});
