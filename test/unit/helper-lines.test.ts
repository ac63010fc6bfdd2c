/**
 * Issue 13, 9c: the helper's line reader copies each byte of a request at most once, refuses an
 * over-size line as soon as it passes the limit (dropping the rest unread) and keeps serving;
 * a connection has at most MAX_IN_FLIGHT requests in flight.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { MAX_IN_FLIGHT, createLineReader, createRequestGate } from '../../src/helper/lines.js';
import { MAX_REQUEST_BYTES, type Response } from '../../src/helper/protocol.js';

function reader(max = 100) {
  const lines: string[] = [];
  let refused = 0;
  const r = createLineReader(max, (l) => lines.push(l), () => { refused++; });
  return { r, lines, refused: () => refused };
}

describe('helper line reader', () => {
  it('assembles lines across chunks and splits several lines in one chunk', () => {
    const { r, lines } = reader();
    r.push(Buffer.from('{"a":'));
    r.push(Buffer.from('1}\n{"b":2}\n{"c"'));
    r.push(Buffer.from(':3}\n'));
    assert.deepEqual(lines, ['{"a":1}', '{"b":2}', '{"c":3}']);
    assert.equal(r.end(), false);
  });

  it('a 16 MiB line in 64 KiB chunks is copied once (linear), not once per chunk', () => {
    const lines: string[] = [];
    const r = createLineReader(MAX_REQUEST_BYTES, (l) => lines.push(l), () => assert.fail('refused'));
    const chunk = Buffer.alloc(64 * 1024, 0x61);
    const n = MAX_REQUEST_BYTES / chunk.length - 1;
    for (let i = 0; i < n; i++) r.push(chunk);
    r.push(Buffer.from('\n'));
    assert.equal(lines.length, 1);
    assert.equal(lines[0]!.length, n * chunk.length);
    // the old reader re-copied the whole buffer for every chunk: n*(n+1)/2 chunks' worth (~2 TiB here)
    assert.equal(r.copied, n * chunk.length);
  });

  it('refuses an over-size line as soon as it passes the limit, drops the rest unread, and the next line works', () => {
    const { r, lines, refused } = reader(100);
    r.push(Buffer.alloc(60, 0x61));
    assert.equal(refused(), 0);
    r.push(Buffer.alloc(60, 0x62)); // 120 > 100: refused now, before its end is seen
    assert.equal(refused(), 1);
    r.push(Buffer.alloc(1000, 0x63)); // still the same line: dropped, not refused again
    assert.equal(refused(), 1);
    r.push(Buffer.from('ccc\n{"ok":1}\n'));
    assert.deepEqual(lines, ['{"ok":1}']);
    assert.equal(r.copied, 0, 'nothing of the refused line was assembled');
  });

  it('refuses an over-size line that arrives whole in one chunk, and serves the line after it in the same chunk', () => {
    const { r, lines, refused } = reader(10);
    r.push(Buffer.from(`${'x'.repeat(11)}\nshort\n`));
    assert.equal(refused(), 1);
    assert.deepEqual(lines, ['short']);
    r.push(Buffer.from('0123456789\n'));
    assert.deepEqual(lines, ['short', '0123456789'], 'exactly the limit is fine');
  });

  it('end() reports half a request, but not an over-size one being dropped', () => {
    const a = reader(10);
    a.r.push(Buffer.from('{"v":'));
    assert.equal(a.r.end(), true);
    const b = reader(10);
    b.r.push(Buffer.from('x'.repeat(20)));
    assert.equal(b.r.end(), false);
  });
});

describe('requests in flight per connection', () => {
  it(`answers too-many (naming the bound and the request's id) beyond ${MAX_IN_FLIGHT}, and accepts again once one ends`, async () => {
    const sent: Response[] = [];
    const waiting: (() => void)[] = [];
    let handled = 0;
    const gate = createRequestGate(() => { handled++; return new Promise<void>((res) => waiting.push(res)); }, (r) => sent.push(r));
    for (let i = 0; i < MAX_IN_FLIGHT; i++) gate.line(JSON.stringify({ v: 1, id: i, op: 'hello' }));
    assert.equal(handled, MAX_IN_FLIGHT);
    assert.equal(sent.length, 0);
    gate.line(JSON.stringify({ v: 1, id: 999, op: 'hello' }));
    gate.line('not json');
    gate.line('   ');
    assert.equal(handled, MAX_IN_FLIGHT);
    const answers = sent as unknown as { id: number | null; ok: boolean; error: { code: string; message: string } }[];
    assert.deepEqual(answers.map((r) => [r.id, r.ok, r.error.code]), [[999, false, 'too-many'], [null, false, 'too-many']]);
    assert.match(answers[0]!.error.message, new RegExp(`at most ${MAX_IN_FLIGHT} requests`));
    waiting[0]!();
    await new Promise((r) => setImmediate(r));
    assert.equal(gate.pending().length, MAX_IN_FLIGHT - 1);
    gate.line(JSON.stringify({ v: 1, id: 1000, op: 'hello' }));
    assert.equal(handled, MAX_IN_FLIGHT + 1);
    assert.equal(sent.length, 2);
    for (const w of waiting) w();
  });
});
