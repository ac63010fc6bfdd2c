/**
 * Validation of *.netns.json topologies: every diagnostic both ways (a file that triggers it and
 * the closest valid file that does not), with code, severity, JSON path, message and position.
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { validateText, validateValue, type ValidationResult } from '../../src/core/model/validate.js';
import { topologyJsonSchema } from '../../src/core/model/model.js';
import { formatDiagnostic, type Diagnostic, type JsonPath } from '../../src/core/model/diagnostics.js';

// ---------------------------------------------------------------------------------------------
// fixtures and helpers

/** the article's network, inline (independent of the example file's positions and notes) */
function base(): Record<string, unknown> {
  return {
    version: 1,
    name: 'lab',
    host: { uplink: 'auto', masquerade: ['10.0.0.0/24'] },
    bridges: [{ name: 'br0', addresses: ['10.0.0.1/24'] }],
    namespaces: [
      { name: 'ns1', routes: [{ to: 'default', via: '10.0.0.1' }], dns: 'inherit', internet: true },
      { name: 'ns2', routes: [{ to: 'default', via: '10.0.0.1' }], dns: 'inherit', internet: true },
    ],
    links: [
      { a: { node: 'ns1', name: 'veth1', addresses: ['10.0.0.2/24'] }, b: { node: 'br0', name: 'veth1-br' } },
      { a: { node: 'ns2', name: 'veth2', addresses: ['10.0.0.3/24'] }, b: { node: 'br0', name: 'veth2-br' } },
    ],
  };
}

const DELETE = Symbol('delete');
type Edit = [JsonPath, unknown];

/** set (or with DELETE remove) the value at a JSON path, creating containers on the way */
function setAt(root: unknown, path: JsonPath, value: unknown): void {
  let cur = root as Record<string | number, unknown>;
  for (let i = 0; i < path.length - 1; i++) {
    const k = path[i]!;
    if (cur[k] === undefined || cur[k] === null) cur[k] = typeof path[i + 1] === 'number' ? [] : {};
    cur = cur[k] as Record<string | number, unknown>;
  }
  const last = path[path.length - 1]!;
  if (value === DELETE) {
    if (Array.isArray(cur) && typeof last === 'number') cur.splice(last, 1);
    else delete cur[last];
  } else {
    cur[last] = value;
  }
}

/** the base topology with edits applied */
function mk(...edits: Edit[]): Record<string, unknown> {
  const t = base();
  for (const [p, v] of edits) setAt(t, p, v);
  return t;
}

function v(...edits: Edit[]): ValidationResult {
  return validateValue(mk(...edits));
}

function clean(r: ValidationResult): void {
  assert.deepEqual(r.diagnostics, [], `expected no diagnostics, got ${JSON.stringify(r.diagnostics)}`);
  assert.equal(r.ok, true);
  assert.ok(r.topology, 'a valid file yields its topology');
}

interface Want {
  code: string;
  path: JsonPath;
  severity?: 'error' | 'warning';
  /** substrings the message must contain (the offending value, the reason) */
  includes?: string[];
}

function checkDiag(d: Diagnostic, w: Want): void {
  assert.equal(d.code, w.code, `code of ${JSON.stringify(d)}`);
  assert.equal(d.severity, w.severity ?? 'error', `severity of ${JSON.stringify(d)}`);
  assert.deepEqual(d.path, w.path, `path of ${JSON.stringify(d)}`);
  for (const s of w.includes ?? []) assert.ok(d.message.includes(s), `message ${JSON.stringify(d.message)} should contain ${JSON.stringify(s)}`);
}

/** exactly one diagnostic, as wanted; ok follows its severity */
function only(r: ValidationResult, w: Want): Diagnostic {
  assert.equal(r.diagnostics.length, 1, `expected exactly one diagnostic, got ${JSON.stringify(r.diagnostics)}`);
  const d = r.diagnostics[0]!;
  checkDiag(d, w);
  assert.equal(r.ok, (w.severity ?? 'error') !== 'error', 'errors block, warnings do not');
  if (r.ok) assert.ok(r.topology);
  return d;
}

/** the one diagnostic with this code among possibly others */
function one(r: ValidationResult, w: Want): Diagnostic {
  const found = r.diagnostics.filter((d) => d.code === w.code);
  assert.equal(found.length, 1, `expected one '${w.code}', got ${JSON.stringify(r.diagnostics)}`);
  checkDiag(found[0]!, w);
  return found[0]!;
}

function codes(r: ValidationResult): string[] {
  return r.diagnostics.map((d) => d.code);
}

/** 1-based line/column of the nth occurrence of needle, computed independently of json.ts */
function posOf(text: string, needle: string, nth = 0): { line: number; column: number; offset: number } {
  let i = -1;
  for (let k = 0; k <= nth; k++) {
    i = text.indexOf(needle, i + 1);
    assert.ok(i >= 0, `'${needle}' occurs ${nth + 1} times in the text`);
  }
  const lines = text.slice(0, i).split('\n');
  return { line: lines.length, column: lines[lines.length - 1]!.length + 1, offset: i };
}

function text(t: unknown): string {
  return JSON.stringify(t, null, 2);
}

const repoRoot = fileURLToPath(new URL('../../../', import.meta.url));
function example(name: string): string {
  return readFileSync(`${repoRoot}examples/${name}`, 'utf8');
}

// ---------------------------------------------------------------------------------------------

describe('examples and the valid base', () => {
  it('examples/article.netns.json validates with zero diagnostics', () => {
    const r = validateText(example('article.netns.json'));
    clean(r);
    assert.equal(r.topology!.name, 'article');
    assert.deepEqual(r.topology!.namespaces!.map((n) => n.name), ['ns1', 'ns2']);
    assert.deepEqual(r.topology!.bridges!.map((b) => b.addresses), [['10.0.0.1/24']]);
  });

  it('examples/routed.netns.json validates with zero diagnostics', () => {
    const r = validateText(example('routed.netns.json'));
    clean(r);
    assert.equal(r.topology!.name, 'routed');
    assert.deepEqual(r.topology!.namespaces!.find((n) => n.name === 'router')!.sysctls, { 'net.ipv4.ip_forward': 1 });
  });

  it('the inline article base is clean, as a value and as text', () => {
    clean(v());
    clean(validateText(text(base())));
  });

  it('a minimal topology (version and name only) is clean', () => {
    clean(validateValue({ version: 1, name: 'x' }));
  });

  it('the example files parse to what validateValue accepts', () => {
    const parsed = JSON.parse(example('article.netns.json')) as unknown;
    clean(validateValue(parsed));
  });
});

describe('ok: errors block, warnings do not', () => {
  it('one error makes ok false and yields no usable result', () => {
    const r = v([['namespaces', 0, 'routes', 0, 'via'], '10.0.1.1']);
    assert.equal(r.ok, false);
    assert.ok(r.diagnostics.every((d) => d.severity === 'error'));
  });

  it('warnings alone keep ok true and yield the topology', () => {
    const r = v([['namespaces', 0, 'routes', 0, 'via'], '10.0.0.99']);
    assert.equal(r.ok, true);
    assert.deepEqual(r.diagnostics.map((d) => d.severity), ['warning']);
    assert.equal(r.topology!.name, 'lab');
  });

  it('a structural error gives no topology', () => {
    const r = v([['colour'], 'red']);
    assert.equal(r.ok, false);
    assert.equal(r.topology, undefined);
  });

  it('validateText of malformed JSON gives no topology', () => {
    const r = validateText('{');
    assert.equal(r.ok, false);
    assert.equal(r.topology, undefined);
  });
});

describe('json-syntax', () => {
  it('a missing comma is reported at the next key, with line and column', () => {
    const src = '{\n  "version": 1,\n  "name": "t"\n  "bridges": []\n}';
    const r = validateText(src);
    assert.equal(r.ok, false);
    const d = only(r, { code: 'json-syntax', path: [], includes: ["','"] });
    assert.equal(d.line, 4);
    assert.equal(d.column, 3);
    assert.equal(d.offset, src.indexOf('"bridges"'));
  });

  it('the same text with the comma is valid', () => {
    clean(validateText('{\n  "version": 1,\n  "name": "t",\n  "bridges": []\n}'));
  });

  it('an unterminated string is reported on its line', () => {
    const src = '{\n  "version": 1,\n  "name": "t\n}';
    const r = validateText(src);
    assert.equal(r.ok, false);
    assert.ok(r.diagnostics.length >= 1);
    assert.ok(r.diagnostics.every((d) => d.code === 'json-syntax'));
    const d = r.diagnostics.find((x) => /unterminated string/.test(x.message));
    assert.ok(d, JSON.stringify(r.diagnostics));
    assert.equal(d.line, 3);
    assert.equal(d.column, 11);
  });

  it('a trailing comma is refused (strict JSON)', () => {
    const src = '{"version": 1, "name": "t",}';
    const r = validateText(src);
    assert.equal(r.ok, false);
    assert.ok(r.diagnostics.length >= 1);
    assert.ok(r.diagnostics.every((d) => d.code === 'json-syntax'));
    assert.equal(r.diagnostics[0]!.line, 1);
    assert.equal(r.diagnostics[0]!.column, 28);
    clean(validateText('{"version": 1, "name": "t"}'));
  });

  it('comments are refused', () => {
    const src = '{\n  // a comment\n  "version": 1, "name": "t"\n}';
    const d = only(validateText(src), { code: 'json-syntax', path: [], includes: ['comments'] });
    assert.equal(d.line, 2);
    assert.equal(d.column, 3);
  });

  it('an empty file is malformed JSON at 1:1', () => {
    const d = only(validateText(''), { code: 'json-syntax', path: [] });
    assert.equal(d.line, 1);
    assert.equal(d.column, 1);
  });

  it('a bad value deep in a file points at its line and column', () => {
    const src = '{\n  "version": 1,\n  "name": "t",\n  "bridges": [\n    { "name": "br0", "mtu": 15x0 }\n  ]\n}';
    const r = validateText(src);
    assert.equal(r.ok, false);
    assert.ok(r.diagnostics.every((d) => d.code === 'json-syntax'));
    const first = r.diagnostics[0]!;
    assert.equal(first.line, 5);
    assert.equal(first.column, posOf(src, '15x0').column + 2, JSON.stringify(r.diagnostics));
  });

  it('the compiler-style line names file, line, column, severity and code', () => {
    const src = '{\n  "version": 1\n  "name": "t"\n}';
    const r = validateText(src);
    assert.equal(formatDiagnostic('a.netns.json', r.diagnostics[0]!), "a.netns.json:3:3: error json-syntax: malformed JSON: ',' expected (at $)");
  });
});

describe('duplicate-key', () => {
  it('a repeated key at the root is refused at the second key', () => {
    const src = '{"version": 1, "name": "t", "name": "u"}';
    const d = only(validateText(src), { code: 'duplicate-key', path: ['name'], includes: ["'name'"] });
    assert.equal(d.offset, src.lastIndexOf('"name"'));
    assert.equal(d.line, 1);
    assert.equal(d.column, src.lastIndexOf('"name"') + 1);
  });

  it('a repeated key in a nested object has the nested path', () => {
    const src = '{\n  "version": 1,\n  "name": "t",\n  "bridges": [\n    { "name": "br0", "mtu": 1500, "mtu": 9000 }\n  ]\n}';
    const d = only(validateText(src), { code: 'duplicate-key', path: ['bridges', 0, 'mtu'], includes: ["'mtu'"] });
    assert.equal(d.line, 5);
    assert.equal(d.column, posOf(src, '"mtu"', 1).column);
  });

  it('the same key in two different objects is fine', () => {
    clean(validateText('{"version": 1, "name": "t", "bridges": [{"name": "a"}, {"name": "b"}]}'));
  });
});

describe('too-deep', () => {
  const nested = (k: number) => `{"version": 1, "name": "t", "x": ${'['.repeat(k)}${']'.repeat(k)}}`;

  it('nesting beyond 64 levels is refused', () => {
    const r = validateText(nested(65));
    assert.equal(r.ok, false);
    assert.deepEqual(codes(r), ['too-deep']);
    assert.match(r.diagnostics[0]!.message, /64/);
    assert.equal(r.diagnostics[0]!.line, 1);
  });

  it('64 levels are not too deep (only the unknown field is reported)', () => {
    const r = validateText(nested(64));
    assert.deepEqual(codes(r), ['unknown-field']);
  });

  it('absurd nesting is refused without overflowing the stack', () => {
    const r = validateText(nested(200000));
    assert.equal(r.ok, false);
    assert.deepEqual(codes(r), ['too-deep']);
  });

  it('brackets inside strings do not count as nesting', () => {
    clean(validateText(`{"version": 1, "name": "t", "namespaces": [{"name": "a", "note": "${'['.repeat(1000)}\\"{"}]}`));
  });
});

describe('unknown-field', () => {
  it('at the root: path is the key, position is the key', () => {
    const t = mk([['colour'], 'red']);
    const src = text(t);
    const d = only(validateText(src), { code: 'unknown-field', path: ['colour'], includes: ["'colour'"] });
    const p = posOf(src, '"colour"');
    assert.equal(d.line, p.line);
    assert.equal(d.column, p.column);
  });

  it('in a bridge', () => {
    only(v([['bridges', 0, 'colour'], 'red']), { code: 'unknown-field', path: ['bridges', 0, 'colour'], includes: ["'colour'"] });
  });

  it('in a link endpoint', () => {
    only(v([['links', 1, 'b', 'address'], '10.0.0.9/24']), { code: 'unknown-field', path: ['links', 1, 'b', 'address'], includes: ["'address'"] });
  });

  it('in a route (e.g. "gw" instead of "via")', () => {
    const r = v([['namespaces', 0, 'routes', 0], { to: 'default', gw: '10.0.0.1' }]);
    one(r, { code: 'unknown-field', path: ['namespaces', 0, 'routes', 0, 'gw'], includes: ["'gw'"] });
  });

  it('in the host and in a namespace', () => {
    only(v([['host', 'nat'], true]), { code: 'unknown-field', path: ['host', 'nat'] });
    only(v([['namespaces', 1, 'forwarding'], true]), { code: 'unknown-field', path: ['namespaces', 1, 'forwarding'] });
  });

  it('in a dns object', () => {
    only(v([['namespaces', 0, 'dns'], { servers: ['1.1.1.1'], domain: 'x' }]), { code: 'unknown-field', path: ['namespaces', 0, 'dns', 'domain'] });
  });

  it('__proto__ is an unknown field, not a prototype', () => {
    only(validateText('{"version": 1, "name": "t", "__proto__": {"x": 1}}'), { code: 'unknown-field', path: ['__proto__'] });
  });

  it('two unknown fields give two diagnostics', () => {
    const r = v([['a1'], 1], [['a2'], 2]);
    assert.deepEqual(r.diagnostics.map((d) => d.path), [['a1'], ['a2']]);
  });

  it('known optional fields are accepted (note, position, $schema, annotations, ipForward)', () => {
    clean(v(
      [['$schema'], './x.json'],
      [['namespaces', 0, 'note'], 'a note'],
      [['namespaces', 0, 'position'], { x: 1, y: -2.5 }],
      [['annotations'], [{ text: 'hello', position: { x: 0, y: 0 } }]],
      [['host', 'ipForward'], true],
    ));
  });
});

describe('missing-field', () => {
  it('version', () => {
    only(v([['version'], DELETE]), { code: 'missing-field', path: ['version'], includes: ["'version'"] });
  });

  it('name', () => {
    only(v([['name'], DELETE]), { code: 'missing-field', path: ['name'], includes: ["'name'"] });
  });

  it('a link end', () => {
    only(v([['links', 0, 'b'], DELETE]), { code: 'missing-field', path: ['links', 0, 'b'], includes: ["'b'"] });
  });

  it('an endpoint node, a bridge name, a route destination', () => {
    only(v([['links', 1, 'a', 'node'], DELETE]), { code: 'missing-field', path: ['links', 1, 'a', 'node'] });
    only(v([['bridges', 0, 'name'], DELETE]), { code: 'missing-field', path: ['bridges', 0, 'name'] });
    only(v([['namespaces', 1, 'routes', 0, 'to'], DELETE]), { code: 'missing-field', path: ['namespaces', 1, 'routes', 0, 'to'] });
  });

  it('names the object that lacks the field: which end of which link, which namespace (issue 15)', () => {
    const [end] = v([['links', 1, 'a', 'name'], DELETE]).diagnostics;
    assert.match(end!.message, /^missing required field 'name' in end a \(\w+\) of link 2 \(\w+ – \w+\)$/);
    const [b] = v([['links', 0, 'b', 'name'], DELETE]).diagnostics;
    assert.match(b!.message, /in end b \(\w+\) of link 1/);
    const [br] = v([['bridges', 0, 'name'], DELETE]).diagnostics;
    assert.equal(br!.message, "missing required field 'name' in bridge 1");
    const [top] = v([['name'], DELETE]).diagnostics;
    assert.equal(top!.message, "missing required field 'name'");
  });

  it('positions point at the object that lacks the field', () => {
    const t = mk([['links', 0, 'b'], DELETE]);
    const src = text(t);
    const d = only(validateText(src), { code: 'missing-field', path: ['links', 0, 'b'] });
    const p = posOf(src, '{\n      "a": {');
    assert.equal(d.line, p.line);
    assert.equal(d.column, p.column);
  });
});

describe('invalid-type and invalid-value', () => {
  it('an object where an array belongs', () => {
    only(v([['namespaces'], {}]), { code: 'invalid-type', path: ['namespaces'], includes: ['array', 'object'] });
  });

  it('a string MTU', () => {
    only(v([['bridges', 0, 'mtu'], '1500']), { code: 'invalid-type', path: ['bridges', 0, 'mtu'], includes: ['string'] });
  });

  it('a fractional MTU', () => {
    only(v([['bridges', 0, 'mtu'], 1500.5]), { code: 'invalid-type', path: ['bridges', 0, 'mtu'] });
  });

  it('a string where a boolean belongs', () => {
    only(v([['namespaces', 0, 'internet'], 'yes']), { code: 'invalid-type', path: ['namespaces', 0, 'internet'], includes: ['boolean', 'string'] });
  });

  it('null and an array as the whole file', () => {
    only(validateText('null'), { code: 'invalid-type', path: [], includes: ['object', 'null'] });
    only(validateText('[]'), { code: 'invalid-type', path: [], includes: ['object', 'array'] });
  });

  it('an explicit null is a wrong type, not a missing field', () => {
    only(validateText('{"version": 1, "name": null}'), { code: 'invalid-type', path: ['name'], includes: ['null'] });
  });

  it('version 2 is an invalid value', () => {
    only(v([['version'], 2]), { code: 'invalid-value', path: ['version'], includes: ['1'] });
  });
});

describe('out-of-range', () => {
  it('mtu 67 on a bridge', () => {
    only(v([['bridges', 0, 'mtu'], 67]), { code: 'out-of-range', path: ['bridges', 0, 'mtu'], includes: ['68'] });
  });

  it('mtu 65536 on a link', () => {
    only(v([['links', 0, 'mtu'], 65536]), { code: 'out-of-range', path: ['links', 0, 'mtu'], includes: ['65535'] });
  });

  it('mtu 0 on an endpoint', () => {
    only(v([['links', 0, 'a', 'mtu'], 0]), { code: 'out-of-range', path: ['links', 0, 'a', 'mtu'] });
  });

  it('mtu 68 and 65535 (the limits) are fine', () => {
    clean(v([['bridges', 0, 'mtu'], 68], [['links', 0, 'mtu'], 65535], [['links', 1, 'a', 'mtu'], 1500]));
  });

  it('a negative route metric', () => {
    only(v([['namespaces', 0, 'routes', 0, 'metric'], -1]), { code: 'out-of-range', path: ['namespaces', 0, 'routes', 0, 'metric'] });
  });

  it('a note longer than 4096 characters', () => {
    only(v([['namespaces', 0, 'note'], 'x'.repeat(4097)]), { code: 'out-of-range', path: ['namespaces', 0, 'note'], includes: ['4096'] });
    clean(v([['namespaces', 0, 'note'], 'x'.repeat(4096)]));
  });
});

describe('invalid-name: interface names', () => {
  const ifPath: JsonPath = ['links', 0, 'a', 'name'];
  const withIf = (name: string) => v([ifPath, name]);

  it('16 bytes are refused', () => {
    only(withIf('abcdefghijklmnop'), { code: 'invalid-name', path: ifPath, includes: ['abcdefghijklmnop', '16 bytes', '15'] });
  });

  it('exactly 15 bytes are fine', () => {
    clean(withIf('abcdefghijklmno'));
  });

  it('bytes, not characters, are counted (8 x é = 16 bytes)', () => {
    only(withIf('éééééééé'), { code: 'invalid-name', path: ifPath, includes: ['16 bytes'] });
  });

  it("'/' is refused", () => {
    only(withIf('veth/1'), { code: 'invalid-name', path: ifPath, includes: ['veth/1', "'/'"] });
  });

  it('a space is refused', () => {
    only(withIf('veth 1'), { code: 'invalid-name', path: ifPath, includes: ['veth 1', 'whitespace'] });
  });

  it('a tab is refused', () => {
    only(withIf('veth\t1'), { code: 'invalid-name', path: ifPath, includes: ['U+0009'] });
  });

  it('a control character (U+0001) is refused and shown escaped', () => {
    const d = only(withIf('veth\u00011'), { code: 'invalid-name', path: ifPath, includes: ['control character U+0001', 'veth\\u00011'] });
    assert.ok(!d.message.includes('\u0001'), 'the raw control character is not in the message');
  });

  it("a leading '-' is refused (option-like)", () => {
    only(withIf('-veth'), { code: 'invalid-name', path: ifPath, includes: ['-veth', 'start with a letter or digit'] });
  });

  it('non-ASCII is refused', () => {
    only(withIf('vethü'), { code: 'invalid-name', path: ifPath, includes: ['non-ASCII', 'ü'] });
  });

  it('empty, "." and ".." are refused', () => {
    only(withIf(''), { code: 'invalid-name', path: ifPath, includes: ['empty'] });
    only(withIf('.'), { code: 'invalid-name', path: ifPath });
    only(withIf('..'), { code: 'invalid-name', path: ifPath });
  });

  it('letters, digits, "_", "." and "-" inside are fine', () => {
    clean(withIf('v_e.t-h1'));
    clean(withIf('1veth'));
  });

  it('bridge names, uplink and route dev follow the same rule', () => {
    only(v([['bridges', 0, 'name'], 'br/0']), { code: 'invalid-name', path: ['bridges', 0, 'name'], includes: ['br/0'] });
    only(v([['host', 'uplink'], 'eth 0']), { code: 'invalid-name', path: ['host', 'uplink'], includes: ['eth 0'] });
    only(v([['namespaces', 0, 'routes', 0, 'dev'], 'abcdefghijklmnop']), { code: 'invalid-name', path: ['namespaces', 0, 'routes', 0, 'dev'] });
  });

  it('the position of an invalid name is its value', () => {
    const t = mk([['links', 1, 'a', 'name'], 'bad name']);
    const src = text(t);
    const d = only(validateText(src), { code: 'invalid-name', path: ['links', 1, 'a', 'name'] });
    const p = posOf(src, '"bad name"');
    assert.deepEqual([d.line, d.column, d.offset], [p.line, p.column, p.offset]);
  });
});

describe('invalid-name: namespace names', () => {
  // a third namespace without links, so only the name rule can fire
  const withNs = (name: string) => v([['namespaces', 2], { name }]);
  const nsPath: JsonPath = ['namespaces', 2, 'name'];

  it("'..' is not a safe file name", () => {
    only(withNs('..'), { code: 'invalid-name', path: nsPath, includes: ["'..'", 'safe file name'] });
  });

  it("'.' is refused", () => {
    only(withNs('.'), { code: 'invalid-name', path: nsPath });
  });

  it("'/' is refused", () => {
    only(withNs('a/b'), { code: 'invalid-name', path: nsPath, includes: ['a/b', "'/'"] });
    only(withNs('../../etc'), { code: 'invalid-name', path: nsPath });
  });

  it('more than 64 bytes are refused, 64 are fine', () => {
    only(withNs('n'.repeat(65)), { code: 'invalid-name', path: nsPath, includes: ['65 bytes', '64'] });
    clean(withNs('n'.repeat(64)));
  });

  it('whitespace, control characters and a leading "-" are refused', () => {
    only(withNs('ns 2'), { code: 'invalid-name', path: nsPath, includes: ['whitespace'] });
    only(withNs('ns\n2'), { code: 'invalid-name', path: nsPath, includes: ['U+000A'] });
    only(withNs('-ns2'), { code: 'invalid-name', path: nsPath, includes: ['-ns2'] });
  });

  it('dots, dashes and underscores inside are fine', () => {
    clean(withNs('lab.ns_2-b'));
  });
});

describe('invalid-name: topology names', () => {
  it("'.' is refused in a topology name (it is part of chain names)", () => {
    only(v([['name'], 'my.lab']), { code: 'invalid-name', path: ['name'], includes: ['my.lab', "'_' and '-'"] });
  });

  it('more than 20 bytes are refused, 20 are fine', () => {
    only(v([['name'], 't'.repeat(21)]), { code: 'invalid-name', path: ['name'], includes: ['21 bytes', '20'] });
    clean(v([['name'], 't'.repeat(20)]));
  });

  it("'/', whitespace, a leading '-' and the empty name are refused", () => {
    only(v([['name'], 'a/b']), { code: 'invalid-name', path: ['name'], includes: ["'/'"] });
    only(v([['name'], 'a b']), { code: 'invalid-name', path: ['name'], includes: ['whitespace'] });
    only(v([['name'], '-lab']), { code: 'invalid-name', path: ['name'] });
    only(v([['name'], '']), { code: 'invalid-name', path: ['name'], includes: ['empty'] });
  });

  it('letters, digits, "_" and "-" are fine', () => {
    clean(v([['name'], 'Lab_2-b']));
  });
});

describe('reserved-name', () => {
  it("'host' cannot name a namespace", () => {
    const r = v([['namespaces', 1, 'name'], 'host'], [['links', 1, 'a', 'node'], 'host']);
    one(r, { code: 'reserved-name', path: ['namespaces', 1, 'name'], includes: ["'host'"] });
    assert.equal(r.ok, false);
  });

  it("'hosts' is fine", () => {
    clean(v([['namespaces', 1, 'name'], 'hosts'], [['links', 1, 'a', 'node'], 'hosts']));
  });

  it("'default', 'all' and 'none' are reserved too", () => {
    for (const n of ['default', 'all', 'none']) {
      only(v([['namespaces', 2], { name: n }]), { code: 'reserved-name', path: ['namespaces', 2, 'name'], includes: [n] });
    }
  });

  it("'host' cannot name a bridge", () => {
    only(v([['bridges', 1], { name: 'host' }]), { code: 'reserved-name', path: ['bridges', 1, 'name'], includes: ["'host'", 'bridge'] });
  });

  it("'lo' cannot name an interface in a namespace", () => {
    only(v([['links', 0, 'a', 'name'], 'lo']), { code: 'reserved-name', path: ['links', 0, 'a', 'name'], includes: ["'lo'", "namespace 'ns1'"] });
  });

  it("'lo' cannot name an interface in the host", () => {
    only(v([['links', 0, 'b', 'name'], 'lo']), { code: 'reserved-name', path: ['links', 0, 'b', 'name'], includes: ["'lo'", 'the host'] });
  });

  it("'lo0' is fine", () => {
    clean(v([['links', 0, 'a', 'name'], 'lo0']));
  });

  // issue 13, 9b: the kernel refuses these two (verified: "RTNETLINK answers: File exists" mid-apply)
  it("'all' and 'default' cannot name an interface or a bridge (the kernel refuses them)", () => {
    for (const n of ['all', 'default']) {
      for (const path of [['links', 0, 'a', 'name'], ['links', 1, 'b', 'name']] as JsonPath[]) {
        only(v([path, n]), { code: 'invalid-name', path, includes: [`'${n}'`, 'reserved', `net.ipv4.conf.${n}`] });
      }
      const r = v([['bridges', 0, 'name'], n]);
      assert.equal(r.ok, false, `bridge ${n}`);
      assert.ok(r.diagnostics.some((d) => d.path.join('.') === 'bridges.0.name' && d.severity === 'error'), JSON.stringify(r.diagnostics));
    }
  });

  it("'All', 'defaults' and 'all0' are fine (only the exact names are the kernel's)", () => {
    for (const n of ['All', 'defaults', 'all0']) clean(v([['links', 0, 'a', 'name'], n]));
  });
});

describe('duplicate-name', () => {
  it('two namespaces with one name', () => {
    only(v([['namespaces', 2], { name: 'ns1' }]), { code: 'duplicate-name', path: ['namespaces', 2, 'name'], includes: ["'ns1'"] });
  });

  it('a namespace and a bridge with one name', () => {
    only(v([['bridges', 1], { name: 'ns2' }]), { code: 'duplicate-name', path: ['bridges', 1, 'name'], includes: ["'ns2'", 'namespace', 'bridge'] });
  });

  it('two bridges with one name', () => {
    only(v([['bridges', 1], { name: 'br0' }]), { code: 'duplicate-name', path: ['bridges', 1, 'name'], includes: ["'br0'"] });
  });

  it('two interfaces with one name in one namespace', () => {
    const r = v([['links', 2], { a: { node: 'ns1', name: 'veth1', addresses: ['192.168.9.1/30'] }, b: { node: 'ns2', name: 'p2', addresses: ['192.168.9.2/30'] } }]);
    only(r, { code: 'duplicate-name', path: ['links', 2, 'a', 'name'], includes: ["'veth1'", "namespace 'ns1'"] });
  });

  it('the same interface name in two different namespaces is fine', () => {
    clean(v([['links', 0, 'a', 'name'], 'eth0'], [['links', 1, 'a', 'name'], 'eth0']));
  });

  it('a host veth end named like a host bridge', () => {
    only(v([['links', 1, 'b', 'name'], 'br0']), { code: 'duplicate-name', path: ['links', 1, 'b', 'name'], includes: ["'br0'", 'the host'] });
  });

  it('a bridge port inside a namespace clashes with that namespace\'s interfaces', () => {
    // brx lives in ns1: its ports live there too
    const r = v(
      [['bridges', 1], { name: 'brx', in: 'ns1', addresses: ['10.5.0.1/24'] }],
      [['links', 2], { a: { node: 'ns2', name: 'p2', addresses: ['10.5.0.2/24'] }, b: { node: 'brx', name: 'veth1' } }],
    );
    one(r, { code: 'duplicate-name', path: ['links', 2, 'b', 'name'], includes: ["'veth1'", "namespace 'ns1'"] });
  });
});

describe('unknown-node', () => {
  it('a link end on an unknown node', () => {
    only(v([['links', 0, 'a', 'node'], 'ns9']), { code: 'unknown-node', path: ['links', 0, 'a', 'node'], includes: ["'ns9'", "'veth1'"] });
  });

  it('a link end on "host" is fine', () => {
    clean(v([['links', 2], { a: { node: 'host', name: 'h0', addresses: ['192.168.7.1/30'] }, b: { node: 'ns1', name: 'up0', addresses: ['192.168.7.2/30'] } }]));
  });

  it('a bridge "in" an unknown namespace', () => {
    only(v([['bridges', 0, 'in'], 'ns9']), { code: 'unknown-node', path: ['bridges', 0, 'in'], includes: ["'ns9'", "'br0'"] });
  });

  it('a bridge "in" another bridge is not a namespace', () => {
    only(v([['bridges', 1], { name: 'br1', in: 'br0' }]), { code: 'unknown-node', path: ['bridges', 1, 'in'], includes: ["'br0'"] });
  });

  it('a bridge "in" an existing namespace or "host" is fine', () => {
    clean(v([['bridges', 1], { name: 'br1', in: 'ns2' }]));
    clean(v([['bridges', 0, 'in'], 'host']));
  });

  it('position: points at the node value', () => {
    const src = text(mk([['links', 1, 'a', 'node'], 'nope']));
    const d = only(validateText(src), { code: 'unknown-node', path: ['links', 1, 'a', 'node'] });
    const p = posOf(src, '"nope"');
    assert.deepEqual([d.line, d.column], [p.line, p.column]);
  });
});

describe('invalid-cidr', () => {
  const addr: JsonPath = ['bridges', 0, 'addresses', 0];

  it('10.0.0.300/24', () => {
    only(v([addr, '10.0.0.300/24']), { code: 'invalid-cidr', path: addr, includes: ['10.0.0.300/24'] });
  });

  it('10.0.0.1/33', () => {
    only(v([addr, '10.0.0.1/33']), { code: 'invalid-cidr', path: addr, includes: ['10.0.0.1/33'] });
  });

  it('a missing prefix length', () => {
    only(v([addr, '10.0.0.1']), { code: 'invalid-cidr', path: addr, includes: ["'10.0.0.1'", 'prefix'] });
  });

  it('a prefix with a leading zero (/024)', () => {
    only(v([addr, '10.0.0.1/024']), { code: 'invalid-cidr', path: addr, includes: ['10.0.0.1/024'] });
  });

  it('not an address at all', () => {
    only(v([addr, 'gateway']), { code: 'invalid-cidr', path: addr, includes: ['gateway'] });
  });

  it('IPv6 with a prefix is fine (alongside IPv4)', () => {
    clean(v([['bridges', 0, 'addresses', 1], 'fd00::1/64'], [['links', 0, 'a', 'addresses', 1], 'fd00::2/64']));
  });

  it('IPv6 prefix 129 is refused', () => {
    only(v([['bridges', 0, 'addresses', 1], 'fd00::1/129']), { code: 'invalid-cidr', path: ['bridges', 0, 'addresses', 1], includes: ['fd00::1/129'] });
  });

  it('in an endpoint, a route destination and the masquerade list', () => {
    only(v([['links', 0, 'a', 'addresses', 0], '10.0.0.2/']), { code: 'invalid-cidr', path: ['links', 0, 'a', 'addresses', 0] });
    only(v([['namespaces', 0, 'routes', 1], { to: '10.1.0.0/40', via: '10.0.0.1' }]), { code: 'invalid-cidr', path: ['namespaces', 0, 'routes', 1, 'to'], includes: ['10.1.0.0/40'] });
    only(v([['host', 'masquerade', 0], '10.0.0.0']), { code: 'invalid-cidr', path: ['host', 'masquerade', 0] });
  });

  it('a route destination that is neither "default" nor a prefix', () => {
    only(v([['namespaces', 0, 'routes', 0, 'to'], 'everywhere']), { code: 'invalid-cidr', path: ['namespaces', 0, 'routes', 0, 'to'], includes: ['everywhere'] });
  });

  it('masquerade is IPv4 only', () => {
    only(v([['host', 'masquerade', 1], 'fd00::/64']), { code: 'invalid-cidr', path: ['host', 'masquerade', 1], includes: ['fd00::/64', 'IPv4'] });
  });
});

describe('invalid-ip', () => {
  const via: JsonPath = ['namespaces', 0, 'routes', 0, 'via'];

  it('via 10.0.0.300', () => {
    only(v([via, '10.0.0.300']), { code: 'invalid-ip', path: via, includes: ['10.0.0.300'] });
  });

  it('via with a prefix length', () => {
    only(v([via, '10.0.0.1/24']), { code: 'invalid-ip', path: via, includes: ['10.0.0.1/24'] });
  });

  it('via a name', () => {
    only(v([via, 'router']), { code: 'invalid-ip', path: via, includes: ['router'] });
  });

  it('via an IPv6 address with too many "::"', () => {
    only(v([via, 'fe80::1::2']), { code: 'invalid-ip', path: via, includes: ['fe80::1::2'] });
  });

  it('a dns server', () => {
    only(v([['namespaces', 1, 'dns'], { servers: ['1.1.1'] }]), { code: 'invalid-ip', path: ['namespaces', 1, 'dns', 'servers', 0], includes: ["'1.1.1'"] });
  });
});

describe('duplicate-address', () => {
  it('one address on two interfaces', () => {
    only(v([['links', 1, 'a', 'addresses', 0], '10.0.0.2/24']), {
      code: 'duplicate-address', path: ['links', 1, 'a', 'addresses', 0], includes: ['10.0.0.2', 'links.0.a.addresses.0'],
    });
  });

  it('one address with two prefix lengths is still one address', () => {
    const r = v([['links', 1, 'a', 'addresses', 0], '10.0.0.2/25']);
    one(r, { code: 'duplicate-address', path: ['links', 1, 'a', 'addresses', 0], includes: ['10.0.0.2'] });
  });

  it('IPv6 is compared in canonical form', () => {
    const r = v(
      [['bridges', 0, 'addresses', 1], 'fd00::1/64'],
      [['links', 0, 'a', 'addresses', 1], 'FD00:0:0::0001/64'],
    );
    only(r, { code: 'duplicate-address', path: ['links', 0, 'a', 'addresses', 1], includes: ['fd00::1'] });
  });

  it('the bridge address used again in a namespace', () => {
    only(v([['links', 0, 'a', 'addresses', 0], '10.0.0.1/24'], [['namespaces', 0, 'routes', 0, 'via'], '10.0.0.3']), {
      code: 'duplicate-address', path: ['links', 0, 'a', 'addresses', 0], includes: ['10.0.0.1'],
    });
  });

  it('distinct addresses are fine', () => {
    clean(v([['links', 1, 'a', 'addresses', 0], '10.0.0.4/24']));
  });
});

describe('address-on-port', () => {
  it('an address on the end attached to a bridge', () => {
    only(v([['links', 0, 'b', 'addresses'], ['10.0.0.9/24']]), {
      code: 'address-on-port', path: ['links', 0, 'b', 'addresses'], includes: ["'veth1-br'", "'br0'"],
    });
  });

  it('an empty address list on a port is fine', () => {
    clean(v([['links', 0, 'b', 'addresses'], []]));
  });

  it('the address belongs on the bridge: fine', () => {
    clean(v([['bridges', 0, 'addresses', 1], '10.0.0.254/24']));
  });
});

describe('subnet-overlap', () => {
  it('two bridges with overlapping subnets: one error', () => {
    only(v([['bridges', 1], { name: 'br1', addresses: ['10.0.0.129/25'] }]), {
      code: 'subnet-overlap', path: ['bridges', 1, 'addresses', 0], includes: ['10.0.0.128/25', '10.0.0.0/24'],
    });
  });

  it('two bridges with the same subnet', () => {
    only(v([['bridges', 1], { name: 'br1', addresses: ['10.0.0.200/24'] }]), {
      code: 'subnet-overlap', path: ['bridges', 1, 'addresses', 0], includes: ['10.0.0.0/24'],
    });
  });

  it('a point-to-point link inside a bridge LAN\'s subnet', () => {
    const r = v([['links', 2], { a: { node: 'ns1', name: 'p1', addresses: ['10.0.0.101/30'] }, b: { node: 'ns2', name: 'p2', addresses: ['10.0.0.102/30'] } }]);
    assert.equal(r.ok, false);
    assert.ok(r.diagnostics.every((d) => d.code === 'subnet-overlap'), JSON.stringify(r.diagnostics));
    assert.deepEqual(r.diagnostics.map((d) => d.path), [['links', 2, 'a', 'addresses', 0]]);
  });

  it('the same subnet on one bridge (all its ports) is fine', () => {
    clean(v());
  });

  it('disjoint subnets on two bridges are fine', () => {
    clean(v([['bridges', 1], { name: 'br1', addresses: ['10.0.1.1/24'] }]));
  });

  it('link-local addresses may repeat on every segment', () => {
    clean(v(
      [['bridges', 1], { name: 'br1', addresses: ['fe80::1/64'] }],
      [['bridges', 0, 'addresses', 1], 'fe80::2/64'],
    ));
  });

  it('IPv4 and IPv6 never overlap each other', () => {
    clean(v([['bridges', 1], { name: 'br1', addresses: ['::a00:1/120'] }]));
  });
});

describe('prefix-mismatch', () => {
  it('one segment, different prefix lengths: a single warning', () => {
    only(v([['links', 1, 'a', 'addresses', 0], '10.0.0.3/25']), {
      severity: 'warning', code: 'prefix-mismatch', path: ['links', 1, 'a', 'addresses', 0], includes: ['10.0.0.0/25', '10.0.0.0/24'],
    });
  });

  it('matching prefix lengths: nothing', () => {
    clean(v([['links', 1, 'a', 'addresses', 0], '10.0.0.3/24']));
  });
});

describe('gateway-unreachable (the article\'s lesson)', () => {
  const via: JsonPath = ['namespaces', 0, 'routes', 0, 'via'];

  it('a gateway off the namespace\'s subnet', () => {
    only(v([via, '10.0.1.1']), { code: 'gateway-unreachable', path: via, includes: ['10.0.1.1', "namespace 'ns1'", '10.0.0.0/24'] });
  });

  it('the gateway on the subnet (the bridge address) is fine', () => {
    clean(v([via, '10.0.0.1']));
  });

  it('a namespace with no address at all: connected none', () => {
    only(v([['namespaces', 2], { name: 'ns3', routes: [{ to: 'default', via: '10.0.0.1' }] }]), {
      code: 'gateway-unreachable', path: ['namespaces', 2, 'routes', 0, 'via'], includes: ['none'],
    });
  });

  it('a gateway of the other family', () => {
    only(v([via, 'fd00::1'], [['namespaces', 0, 'internet'], false]), { code: 'gateway-unreachable', path: via, includes: ['fd00::1'] });
  });

  it('a gateway on the subnet of a different interface than "dev"', () => {
    const r = v(
      [['links', 2], { a: { node: 'ns1', name: 'p1', addresses: ['192.168.9.1/30'] }, b: { node: 'ns2', name: 'p2', addresses: ['192.168.9.2/30'] } }],
      [['namespaces', 0, 'routes', 0], { to: 'default', via: '10.0.0.1', dev: 'p1' }],
    );
    only(r, { code: 'gateway-unreachable', path: via, includes: ["via 'p1'"] });
  });

  it('with the right dev it is fine', () => {
    clean(v([['namespaces', 0, 'routes', 0], { to: 'default', via: '10.0.0.1', dev: 'veth1' }]));
  });

  it('host routes are checked too', () => {
    only(v([['host', 'routes'], [{ to: '10.5.0.0/24', via: '10.9.9.9' }]]), {
      code: 'gateway-unreachable', path: ['host', 'routes', 0, 'via'], includes: ['10.9.9.9', 'the host'],
    });
    clean(v([['host', 'routes'], [{ to: '10.5.0.0/24', via: '10.0.0.2' }]]));
  });

  it('position: points at the via value', () => {
    const src = text(mk([via, '10.0.1.1']));
    const d = only(validateText(src), { code: 'gateway-unreachable', path: via });
    const p = posOf(src, '"10.0.1.1"');
    assert.deepEqual([d.line, d.column, d.offset], [p.line, p.column, p.offset]);
  });

  it('the routed example with the router\'s LAN-B address as a1\'s gateway is unreachable', () => {
    const t = JSON.parse(example('routed.netns.json')) as { namespaces: { name: string; routes: { via: string }[] }[] };
    const i = t.namespaces.findIndex((n) => n.name === 'a1');
    t.namespaces[i]!.routes[1]!.via = '10.10.2.1';
    one(validateValue(t), { code: 'gateway-unreachable', path: ['namespaces', i, 'routes', 1, 'via'], includes: ['10.10.2.1', '10.10.1.0/24'] });
  });
});

describe('gateway-is-self', () => {
  const via: JsonPath = ['namespaces', 0, 'routes', 0, 'via'];

  it('the namespace\'s own veth address as its gateway', () => {
    only(v([via, '10.0.0.2']), { code: 'gateway-is-self', path: via, includes: ['10.0.0.2', "'veth1'"] });
  });

  it('a neighbour on the LAN (another namespace) as gateway is fine', () => {
    clean(v([via, '10.0.0.3']));
  });
});

describe('gateway-unknown', () => {
  it('a gateway on the subnet that nobody has: a warning', () => {
    only(v([['namespaces', 0, 'routes', 0, 'via'], '10.0.0.99']), {
      severity: 'warning', code: 'gateway-unknown', path: ['namespaces', 0, 'routes', 0, 'via'], includes: ['10.0.0.99'],
    });
  });

  it('a gateway that the bridge has: nothing', () => {
    clean(v([['namespaces', 0, 'routes', 0, 'via'], '10.0.0.1']));
  });
});

describe('route-needs-gateway', () => {
  it('a route with neither via nor dev', () => {
    only(v([['namespaces', 0, 'routes', 1], { to: '10.1.0.0/24' }]), { code: 'route-needs-gateway', path: ['namespaces', 0, 'routes', 1], includes: ['via', 'dev'] });
  });

  it('a route with only dev is fine', () => {
    clean(v([['namespaces', 0, 'routes', 1], { to: '10.1.0.0/24', dev: 'veth1' }]));
  });

  it('a dev that the namespace does not have is an unknown-interface', () => {
    only(v([['namespaces', 0, 'routes', 1], { to: '10.1.0.0/24', dev: 'eth9' }]), {
      code: 'unknown-interface', path: ['namespaces', 0, 'routes', 1, 'dev'], includes: ["'eth9'", "namespace 'ns1'"],
    });
  });
});

describe('family-mismatch', () => {
  it('an IPv6 destination via an IPv4 gateway', () => {
    only(v([['namespaces', 0, 'routes', 1], { to: 'fd00:1::/64', via: '10.0.0.1' }]), {
      code: 'family-mismatch', path: ['namespaces', 0, 'routes', 1, 'via'], includes: ['fd00:1::/64', '10.0.0.1'],
    });
  });

  it('an IPv4 destination via an IPv4 gateway is fine', () => {
    clean(v([['namespaces', 0, 'routes', 1], { to: '10.1.0.0/24', via: '10.0.0.1' }]));
  });

  it('an IPv6 route via an IPv6 neighbour is fine', () => {
    clean(v(
      [['bridges', 0, 'addresses', 1], 'fd00::1/64'],
      [['links', 0, 'a', 'addresses', 1], 'fd00::2/64'],
      [['namespaces', 0, 'routes', 1], { to: 'fd00:1::/64', via: 'fd00::1' }],
      [['namespaces', 0, 'routes', 2], { to: 'default', via: 'fd00::1' }],
    ));
  });
});

describe('duplicate-route', () => {
  it('two default routes', () => {
    only(v([['namespaces', 0, 'routes', 1], { to: 'default', via: '10.0.0.1' }]), {
      code: 'duplicate-route', path: ['namespaces', 0, 'routes', 1, 'to'], includes: ['default', "namespace 'ns1'"],
    });
  });

  it('one prefix written two ways', () => {
    const r = v(
      [['namespaces', 0, 'routes', 1], { to: '10.1.0.0/24', via: '10.0.0.1' }],
      [['namespaces', 0, 'routes', 2], { to: '10.1.0.7/24', via: '10.0.0.3' }],
    );
    one(r, { code: 'duplicate-route', path: ['namespaces', 0, 'routes', 2, 'to'], includes: ['10.1.0.7/24'] });
    assert.equal(r.ok, false);
  });

  it('the same destination with different metrics is fine', () => {
    clean(v([['namespaces', 0, 'routes', 1], { to: 'default', via: '10.0.0.3', metric: 100 }]));
  });

  it('the same destination in two namespaces is fine', () => {
    clean(v(
      [['namespaces', 0, 'routes', 1], { to: '10.1.0.0/24', via: '10.0.0.1' }],
      [['namespaces', 1, 'routes', 1], { to: '10.1.0.0/24', via: '10.0.0.1' }],
    ));
  });
});

describe('no-route-out', () => {
  it('internet: true without any route', () => {
    only(v([['namespaces', 0, 'routes'], DELETE]), { code: 'no-route-out', path: ['namespaces', 0, 'internet'], includes: ["'ns1'", 'default'] });
  });

  it('internet: true with only a static route', () => {
    only(v([['namespaces', 1, 'routes', 0], { to: '10.1.0.0/24', via: '10.0.0.1' }]), { code: 'no-route-out', path: ['namespaces', 1, 'internet'], includes: ["'ns2'"] });
  });

  it('internet: true with only an IPv6 default route', () => {
    const r = v(
      [['bridges', 0, 'addresses', 1], 'fd00::1/64'],
      [['links', 0, 'a', 'addresses', 1], 'fd00::2/64'],
      [['namespaces', 0, 'routes', 0], { to: 'default', via: 'fd00::1' }],
    );
    only(r, { code: 'no-route-out', path: ['namespaces', 0, 'internet'], includes: ['IPv4'] });
  });

  it('no internet and no route is fine', () => {
    clean(v([['namespaces', 0, 'routes'], DELETE], [['namespaces', 0, 'internet'], false]));
    clean(v([['namespaces', 0, 'routes'], DELETE], [['namespaces', 0, 'internet'], DELETE]));
  });
});

describe('nat-no-uplink', () => {
  it('masquerade without host.uplink', () => {
    only(v([['host', 'uplink'], DELETE]), { code: 'nat-no-uplink', path: ['host', 'masquerade'], includes: ['uplink'] });
  });

  it('an explicit uplink interface is fine', () => {
    clean(v([['host', 'uplink'], 'eth0']));
  });

  it('no masquerade and no uplink: only the internet namespaces are warned', () => {
    const r = v([['host'], {}]);
    assert.equal(r.ok, true);
    assert.deepEqual(codes(r), ['not-masqueraded', 'not-masqueraded']);
  });
});

describe('not-masqueraded', () => {
  it('internet access without any masquerade: a warning per namespace', () => {
    const r = v([['host', 'masquerade'], DELETE]);
    assert.equal(r.ok, true);
    assert.equal(r.diagnostics.length, 2);
    checkDiag(r.diagnostics[0]!, { severity: 'warning', code: 'not-masqueraded', path: ['namespaces', 0, 'internet'], includes: ["'ns1'"] });
    checkDiag(r.diagnostics[1]!, { severity: 'warning', code: 'not-masqueraded', path: ['namespaces', 1, 'internet'], includes: ["'ns2'"] });
  });

  it('a masquerade that does not cover the namespace', () => {
    const r = v([['namespaces', 1, 'internet'], false], [['host', 'masquerade'], ['10.9.0.0/24']]);
    only(r, { severity: 'warning', code: 'not-masqueraded', path: ['namespaces', 0, 'internet'], includes: ['10.9.0.0/24', "'ns1'"] });
  });

  it('a wider masquerade that covers it is fine', () => {
    clean(v([['host', 'masquerade'], ['10.0.0.0/8']]));
  });

  it('a masquerade with host bits set is a not-a-network warning', () => {
    only(v([['host', 'masquerade'], ['10.0.0.5/24']]), { severity: 'warning', code: 'not-a-network', path: ['host', 'masquerade', 0], includes: ['10.0.0.5/24', '10.0.0.0/24'] });
  });
});

describe('uplink-clash', () => {
  it('the uplink is a bridge this topology creates', () => {
    only(v([['host', 'uplink'], 'br0']), { code: 'uplink-clash', path: ['host', 'uplink'], includes: ["'br0'"] });
  });

  it('the uplink is a host veth end this topology creates', () => {
    only(v([['host', 'uplink'], 'veth2-br']), { code: 'uplink-clash', path: ['host', 'uplink'], includes: ["'veth2-br'"] });
  });

  it('an interface name used only inside a namespace is fine as uplink', () => {
    clean(v([['host', 'uplink'], 'veth1']));
  });
});

describe('invalid-sysctl', () => {
  const sys: JsonPath = ['namespaces', 0, 'sysctls'];

  it('a key outside net.*', () => {
    only(v([sys, { 'kernel.panic': 1 }]), { code: 'invalid-sysctl', path: [...sys, 'kernel.panic'], includes: ["'kernel.panic'"] });
  });

  it('a key with a path escape', () => {
    only(v([sys, { 'net.ipv4/../../x': 1 }]), { code: 'invalid-sysctl', path: [...sys, 'net.ipv4/../../x'] });
  });

  it('a value with shell metacharacters', () => {
    only(v([sys, { 'net.ipv4.ip_forward': '1; reboot' }]), { code: 'invalid-sysctl', path: [...sys, 'net.ipv4.ip_forward'], includes: ['1; reboot'] });
  });

  it('a boolean value is the wrong type', () => {
    only(v([sys, { 'net.ipv4.ip_forward': true }]), { code: 'invalid-type', path: [...sys, 'net.ipv4.ip_forward'] });
  });

  it('network sysctls with numbers and strings are fine', () => {
    clean(v([sys, { 'net.ipv4.ip_forward': 1, 'net.ipv6.conf.all.forwarding': '1', 'net.ipv4.conf.all.rp_filter': 0 }]));
  });
});

describe('dns forms', () => {
  const dns: JsonPath = ['namespaces', 0, 'dns'];

  it('"inherit" is fine', () => {
    clean(v([dns, 'inherit']));
  });

  it('explicit servers (IPv4 and IPv6) with search domains are fine', () => {
    const r = v([dns, { servers: ['1.1.1.1', '2606:4700:4700::1111'], search: ['example.com', 'lab.'] }]);
    clean(r);
    assert.deepEqual(r.topology!.namespaces![0]!.dns, { servers: ['1.1.1.1', '2606:4700:4700::1111'], search: ['example.com', 'lab.'] });
  });

  it('another string is refused', () => {
    only(v([dns, 'Inherit']), { code: 'invalid-value', path: dns, includes: ['inherit', 'servers'] });
  });

  it('a number is refused', () => {
    only(v([dns, 53]), { code: 'invalid-value', path: dns, includes: ['inherit'] });
  });

  it('an empty server list is out of range', () => {
    only(v([dns, { servers: [] }]), { code: 'out-of-range', path: [...dns, 'servers'], includes: ['1'] });
  });

  it('four servers are out of range (resolv.conf uses three)', () => {
    only(v([dns, { servers: ['1.1.1.1', '1.0.0.1', '8.8.8.8', '8.8.4.4'] }]), { code: 'out-of-range', path: [...dns, 'servers'], includes: ['3'] });
  });

  it('a server that is not an address', () => {
    only(v([dns, { servers: ['dns.google'] }]), { code: 'invalid-ip', path: [...dns, 'servers', 0], includes: ['dns.google'] });
  });

  it('a bad search domain', () => {
    only(v([dns, { servers: ['1.1.1.1'], search: ['bad_domain!'] }]), { code: 'invalid-dns', path: [...dns, 'search', 0], includes: ['bad_domain!'] });
  });
});

describe('other address checks', () => {
  it('a loopback address on an interface', () => {
    only(v([['links', 0, 'a', 'addresses', 1], '127.0.0.2/8']), { code: 'invalid-address', path: ['links', 0, 'a', 'addresses', 1], includes: ['127.0.0.2/8'] });
  });

  it('a multicast address on an interface', () => {
    only(v([['links', 0, 'a', 'addresses', 1], '224.0.0.5/24']), { code: 'invalid-address', path: ['links', 0, 'a', 'addresses', 1] });
  });

  it('the network address of a subnet: a warning', () => {
    only(v([['links', 1, 'a', 'addresses', 0], '10.0.0.0/24']), { severity: 'warning', code: 'network-address', path: ['links', 1, 'a', 'addresses', 0], includes: ['10.0.0.0/24'] });
  });

  it('the broadcast address of a subnet: a warning', () => {
    only(v([['links', 1, 'a', 'addresses', 0], '10.0.0.255/24']), { severity: 'warning', code: 'network-address', path: ['links', 1, 'a', 'addresses', 0] });
  });

  it('a /31 point-to-point pair has no network or broadcast address', () => {
    clean(v([['links', 2], { a: { node: 'ns1', name: 'p1', addresses: ['192.168.9.0/31'] }, b: { node: 'ns2', name: 'p2', addresses: ['192.168.9.1/31'] } }]));
  });

  it('a route destination with host bits set: a warning naming the network', () => {
    only(v([['namespaces', 0, 'routes', 1], { to: '10.1.0.5/24', via: '10.0.0.1' }]), {
      severity: 'warning', code: 'not-a-network', path: ['namespaces', 0, 'routes', 1, 'to'], includes: ['10.1.0.5/24', '10.1.0.0/24'],
    });
  });
});

describe('topologyJsonSchema()', () => {
  const schema = topologyJsonSchema() as {
    $schema: string; $id: string; type: string; required: string[]; additionalProperties: boolean;
    properties: Record<string, { type?: string; items?: { properties: Record<string, { pattern?: string; minimum?: number; maximum?: number }> } }>;
  };

  it('is a draft-7 object schema with the top-level properties', () => {
    assert.equal(schema.$schema, 'http://json-schema.org/draft-07/schema#');
    assert.equal(schema.type, 'object');
    for (const k of ['namespaces', 'bridges', 'links', 'host', 'version', 'name']) assert.ok(k in schema.properties, k);
    assert.deepEqual([...schema.required].sort(), ['name', 'version']);
    assert.equal(schema.additionalProperties, false);
    assert.match(schema.$id, /netns-topology\.schema\.json$/);
  });

  it('is plain JSON (serializes and round-trips)', () => {
    assert.deepEqual(JSON.parse(JSON.stringify(schema)), schema);
  });

  it('its interface name pattern refuses 16 characters and accepts 15', () => {
    const pattern = schema.properties.bridges!.items!.properties.name!.pattern!;
    const re = new RegExp(pattern);
    assert.equal(re.test('abcdefghijklmnop'), false);
    assert.equal(re.test('abcdefghijklmno'), true);
    assert.equal(re.test('br/0'), false);
    assert.equal(re.test('br 0'), false);
    assert.equal(re.test('-br0'), false);
    assert.equal(re.test('br0'), true);
  });

  it('its namespace name pattern refuses ".." and "/"', () => {
    const re = new RegExp(schema.properties.namespaces!.items!.properties.name!.pattern!);
    assert.equal(re.test('..'), false);
    assert.equal(re.test('a/b'), false);
    assert.equal(re.test('n'.repeat(65)), false);
    assert.equal(re.test('ns1'), true);
  });

  it('carries the MTU range', () => {
    const mtu = schema.properties.bridges!.items!.properties.mtu!;
    assert.equal(mtu.minimum, 68);
    assert.equal(mtu.maximum, 65535);
  });
});
