/** The host/webview protocol: both directions are schema-checked; hostile messages are refused. */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { FromWebview, ToWebview, parseMessage } from '../../src/shared/protocol.js';

describe('webview -> host messages', () => {
  const good: unknown[] = [
    { type: 'ready', v: 1 },
    { type: 'edit', id: 1, gesture: { kind: 'add-node', node: 'namespace', position: { x: 1, y: 2 } } },
    { type: 'edit', id: 2, gesture: { kind: 'move', moves: [{ node: 'ns1', position: { x: 1, y: 2 } }] } },
    { type: 'edit', id: 3, gesture: { kind: 'add-link', a: 'ns1', b: 'br0' } },
    { type: 'edit', id: 4, gesture: { kind: 'delete', nodes: ['ns1'], links: [0] } },
    { type: 'edit', id: 5, gesture: { kind: 'set', target: { type: 'link', index: 0, side: 'a' }, field: 'addresses', value: ['10.0.0.2/24'] } },
    { type: 'command', id: 6, command: 'apply' },
    { type: 'export-image', id: 7, format: 'svg', data: '<svg/>' },
    { type: 'command', id: 8, command: 'ping' },
    { type: 'clear-matrix' },
    { type: 'edit', id: 9, gesture: { kind: 'set', target: { type: 'link', index: 0, side: 'a' }, field: 'addresses', value: ['10.5.0.2/24'] }, insist: true },
    { type: 'edit', id: 10, gesture: { kind: 'renumber', link: 0, cidr: '10.1.0.0/30' } },
  ];
  for (const m of good) {
    it(`accepts ${JSON.stringify(m).slice(0, 70)}`, () => assert.equal(parseMessage(FromWebview, m).ok, true));
  }
  const bad: [string, unknown][] = [
    ['no type', { id: 1 }],
    ['wrong protocol version', { type: 'ready', v: 2 }],
    ['an unknown message', { type: 'exec', argv: ['sh', '-c', 'id'] }],
    ['a command the palette does not have', { type: 'command', id: 1, command: 'runShell' }],
    ['an extra field', { type: 'command', id: 1, command: 'apply', argv: ['x'] }],
    ['a gesture of an unknown kind', { type: 'edit', id: 1, gesture: { kind: 'write-file', path: '/etc/passwd' } }],
    ['a position that is not a number', { type: 'edit', id: 1, gesture: { kind: 'add-node', node: 'namespace', position: { x: 'NaN', y: 0 } } }],
    ['an infinite position', { type: 'edit', id: 1, gesture: { kind: 'add-node', node: 'namespace', position: { x: Number.POSITIVE_INFINITY, y: 0 } } }],
    ['a node kind that does not exist', { type: 'edit', id: 1, gesture: { kind: 'add-node', node: 'container', position: { x: 0, y: 0 } } }],
    ['a set on an unknown target type', { type: 'edit', id: 1, gesture: { kind: 'set', target: { type: 'file', path: '/x' }, field: 'a', value: 1 } }],
    ['a negative id', { type: 'edit', id: -1, gesture: { kind: 'add-link', a: 'a', b: 'b' } }],
    ['a huge image', { type: 'export-image', id: 1, format: 'png', data: 'a'.repeat(9 * 1024 * 1024) }],
    ['an image format that is not png or svg', { type: 'export-image', id: 1, format: 'html', data: '<script>' }],
    ['a clear-matrix with a payload', { type: 'clear-matrix', links: [0] }],
    ['an insist that is not true', { type: 'edit', id: 1, gesture: { kind: 'add-link', a: 'a', b: 'b' }, insist: 'yes' }],
    ['a renumber of a negative link', { type: 'edit', id: 1, gesture: { kind: 'renumber', link: -1, cidr: '10.1.0.0/30' } }],
    ['a renumber with a huge subnet text', { type: 'edit', id: 1, gesture: { kind: 'renumber', link: 0, cidr: '1'.repeat(100) } }],
    ['null', null],
    ['a string', 'ready'],
  ];
  for (const [what, m] of bad) {
    it(`refuses ${what}, saying where`, () => {
      const r = parseMessage(FromWebview, m);
      assert.equal(r.ok, false);
      assert.ok(!r.ok && r.reason.length > 3);
    });
  }
});

describe('host -> webview messages', () => {
  it('a document message carries version, topology, diagnostics, settings and trust', () => {
    const m = { type: 'document', v: 1, version: 3, topology: { version: 1, name: 'x' }, diagnostics: [], unreadable: false, settings: { labels: 'all', gridSnap: true, gridSize: 20 }, trusted: true };
    assert.equal(parseMessage(ToWebview, m).ok, true);
    assert.equal(parseMessage(ToWebview, { ...m, settings: { labels: 'some', gridSnap: true, gridSize: 20 } }).ok, false);
  });
});

describe('the connectivity paint (host -> webview)', () => {
  const paint = {
    probes: 4, failed: 3, unplaced: 0, durationMs: 1400, at: '2026-11-29T17:00:00.000Z',
    links: { 0: { state: 'mixed', ok: 1, failed: 2, detail: '✗ ns1 → ns2' }, 1: { state: 'fail', ok: 0, failed: 3, detail: '' } },
    nodes: { ns2: { state: 'fail', ok: 0, failed: 2, failing: ['ns1 (10.0.0.2)'], detail: '' }, ns1: { state: 'mixed', ok: 1, failed: 1, maxRttMs: 0.05, failing: [], detail: '' } },
  };
  it('accepts a paint and a clear', () => {
    assert.equal(parseMessage(ToWebview, { type: 'matrix', paint }).ok, true);
    assert.equal(parseMessage(ToWebview, { type: 'matrix', paint: null }).ok, true);
  });
  const bad: [string, unknown][] = [
    ['a state that is not ok/fail/mixed', { ...paint, links: { 0: { ...paint.links[0], state: 'red' } } }],
    ['a link key that is not an index', { ...paint, links: { 'l:0': paint.links[0] } }],
    ['a negative count', { ...paint, failed: -1 }],
    ['an infinite latency', { ...paint, nodes: { ns1: { ...paint.nodes.ns1, maxRttMs: Number.POSITIVE_INFINITY } } }],
    ['an extra field', { ...paint, script: 'x' }],
    ['a node name too long', { ...paint, nodes: { ['n'.repeat(65)]: paint.nodes.ns1 } }],
  ];
  for (const [what, p] of bad) {
    it(`refuses ${what}, saying where`, () => {
      const r = parseMessage(ToWebview, { type: 'matrix', paint: p });
      assert.equal(r.ok, false);
      assert.ok(!r.ok && /paint/.test(r.reason), !r.ok ? r.reason : '');
    });
  }
});
