/**
 * The path walk's rp_filter break on a real kernel: two routers joined by two links, r2 routing
 * LAN 1 back over the second link while r1 sends LAN 2 over the first (an asymmetric path), and
 * r2 filtering strictly. `netns-lab test` fails the reach, the walk names r2, the interface the
 * packets arrive on and the one its route back leaves by, and offers the file's loose
 * rp_filter; that edit applied (as the Test Explorer applies it) and applied to the machine, the
 * same tests pass.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { applyGesture } from '../../src/core/edit/edits.js';
import { validateText } from '../../src/core/model/validate.js';
import { cli, resetSandbox } from './sandbox.js';

const RP = 'net.ipv4.conf.all.rp_filter';
/** r1 and r2 filter as the file says, whatever the machine's defaults (default: the interfaces made after it) */
const TEXT = `{
  "version": 1,
  "name": "asym",
  "namespaces": [
    { "name": "pc1", "routes": [{ "to": "default", "via": "10.1.0.1" }] },
    { "name": "r1", "sysctls": { "net.ipv4.ip_forward": 1, "${RP}": 0, "net.ipv4.conf.default.rp_filter": 0 }, "routes": [{ "to": "10.2.0.0/24", "via": "10.9.0.2" }] },
    { "name": "r2", "sysctls": { "net.ipv4.ip_forward": 1, "${RP}": 1, "net.ipv4.conf.default.rp_filter": 1 }, "routes": [{ "to": "10.1.0.0/24", "via": "10.8.0.1" }] },
    { "name": "pc2", "routes": [{ "to": "default", "via": "10.2.0.1" }] }
  ],
  "links": [
    { "a": { "node": "pc1", "name": "eth0", "addresses": ["10.1.0.2/24"] }, "b": { "node": "r1", "name": "eth0", "addresses": ["10.1.0.1/24"] } },
    { "a": { "node": "r1", "name": "eth1", "addresses": ["10.9.0.1/30"] }, "b": { "node": "r2", "name": "eth1", "addresses": ["10.9.0.2/30"] } },
    { "a": { "node": "r1", "name": "eth3", "addresses": ["10.8.0.1/30"] }, "b": { "node": "r2", "name": "eth3", "addresses": ["10.8.0.2/30"] } },
    { "a": { "node": "r2", "name": "eth0", "addresses": ["10.2.0.1/24"] }, "b": { "node": "pc2", "name": "eth0", "addresses": ["10.2.0.2/24"] } }
  ],
  "expect": [
    { "kind": "reach", "from": "pc1", "to": "10.2.0.2", "ok": true },
    { "kind": "reach", "from": "pc1", "to": "10.8.0.2", "ok": true }
  ]
}
`;

describe('netns-lab test: strict rp_filter on an asymmetric path', () => {
  const dir = mkdtempSync(join(tmpdir(), 'netns-lab-pathwalk-'));
  const file = join(dir, 'asym.netns.json');
  before(async () => {
    await resetSandbox();
    writeFileSync(file, TEXT);
    const r = cli(['apply', file]);
    assert.equal(r.code, 0, r.stderr);
  });
  after(async () => {
    rmSync(dir, { recursive: true, force: true });
    await resetSandbox();
  });

  it('the reach through r2 fails, the walk names rp_filter at r2, and the file fix makes it pass', () => {
    const r = cli(['test', file, '--json']);
    assert.equal(r.code, 1, r.stdout + r.stderr);
    const j = JSON.parse(r.stdout) as { results: { name: string; status: string; finding?: string; fix?: { where: string; summary: string; change?: unknown } }[] };
    // 10.8.0.2 is r2's own address on the link its route back uses: that one passes
    assert.deepEqual(j.results.map((x) => x.status), ['failed', 'passed']);
    const failed = j.results[0]!;
    assert.equal(failed.finding, 'r2 drops packets from 10.1.0.2 arriving on eth1: rp_filter is strict and its route back leaves by eth3');
    assert.equal(failed.fix?.where, 'file');
    assert.equal(failed.fix?.summary, `loose reverse-path filtering in r2 (${RP}: 2)`);
    // the edit, as the Test Explorer makes it, then apply and test again
    const t = validateText(TEXT).topology!;
    const fixed = applyGesture(TEXT, t, { kind: 'set', ...(failed.fix as { change: { target: { type: 'namespace'; name: string }; field: string; value: unknown } }).change });
    assert.equal(validateText(fixed).topology!.namespaces!.find((n) => n.name === 'r2')!.sysctls![RP], 2);
    writeFileSync(file, fixed);
    const a = cli(['apply', file]);
    assert.equal(a.code, 0, a.stderr);
    const again = cli(['test', file]);
    assert.equal(again.code, 0, again.stdout + again.stderr);
    assert.equal(again.stdout.trimEnd().split('\n').at(-1), '2 passed, 0 failed');
    assert.match(readFileSync(file, 'utf8'), new RegExp(`"${RP.replace(/\./g, '\\.')}": 2`));
  });
});
