/**
 * The extension's analysis cache (src/extension/analysis.ts): one analysis per document version,
 * whoever asks (the canvas, the Problems panel, the live marks, the commands), and the same
 * diagnostics and topology as validateText.
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { DocumentAnalysis, analyseText } from '../../src/extension/analysis.js';
import { validateText } from '../../src/core/model/validate.js';

const article = readFileSync(fileURLToPath(new URL('../../../examples/article.netns.json', import.meta.url)), 'utf8');

/** a cache whose analysis counts how often it runs, and which texts it saw */
function counting() {
  const seen: string[] = [];
  const cache = new DocumentAnalysis((text: string) => { seen.push(text); return analyseText(text); });
  return { cache, seen };
}

describe('analyseText', () => {
  const texts: [string, string][] = [
    ['a valid topology', article],
    ['not JSON', '{ "version": 1, '],
    ['a schema error', JSON.stringify({ version: 1, name: 'lab', namespaces: [{ name: 7 }] })],
    ['a semantic error (gateway off every subnet)', article.replace('"via": "10.0.0.1"', '"via": "10.9.9.1"')],
  ];
  for (const [what, text] of texts) {
    it(`gives validateText's diagnostics and topology: ${what}`, () => {
      const a = analyseText(text);
      const v = validateText(text);
      assert.deepEqual(a.diagnostics, v.diagnostics);
      assert.deepEqual(a.topology, v.topology);
      assert.equal(a.valid, v.ok && !!v.topology);
      assert.equal(a.parsed.text, text);
    });
  }

  it('the semantic-error fixture really has an error (the table above is not all valid)', () => {
    assert.equal(analyseText(texts[3]![1]).valid, false);
    assert.ok(analyseText(texts[3]![1]).topology, 'the schema accepted it');
    assert.equal(analyseText(article).valid, true);
  });
});

describe('DocumentAnalysis', () => {
  it('a burst of edits is analysed once per version asked, however many consumers ask', () => {
    const { cache, seen } = counting();
    let text = article;
    const asked = new Set<number>();
    for (let version = 1; version <= 60; version++) {
      text = text.replace(/\n}\s*$/, `\n${' '.repeat(version % 3)}}\n`);
      // the canvas (16 ms) sees every version of this burst, the Problems panel (150 ms) every
      // fifth, the live marks (250 ms) every tenth, and a command the last one
      const consumers = ['canvas', ...(version % 5 ? [] : ['problems']), ...(version % 10 ? [] : ['live'])];
      for (let i = 0; i < consumers.length; i++) {
        const a = cache.get('file:///lab.netns.json', version, text);
        assert.equal(a.parsed.text, text);
        asked.add(version);
      }
    }
    cache.get('file:///lab.netns.json', 60, text);
    assert.equal(cache.analyses, 60);
    assert.equal(seen.length, asked.size);
    assert.equal(cache.size, 1, 'only the last version of a document is kept');
  });

  it('reads the text only when the version is not cached', () => {
    const { cache } = counting();
    let reads = 0;
    const read = () => { reads++; return article; };
    cache.get('a', 1, read);
    cache.get('a', 1, read);
    cache.get('a', 1, read);
    assert.equal(reads, 1);
    cache.get('a', 2, read);
    assert.equal(reads, 2);
    assert.equal(cache.analyses, 2);
  });

  it('keeps documents apart, and an earlier version asked again is analysed again', () => {
    const { cache, seen } = counting();
    cache.get('a', 1, 'A1');
    cache.get('b', 1, 'B1');
    cache.get('a', 1, 'A1');
    cache.get('b', 1, 'B1');
    assert.deepEqual(seen, ['A1', 'B1']);
    cache.get('a', 2, 'A2');
    cache.get('a', 1, 'A1');
    assert.deepEqual(seen, ['A1', 'B1', 'A2', 'A1']);
  });

  it('a seeded version (a canvas edit analysed before it was written) is not analysed again', () => {
    const { cache, seen } = counting();
    cache.get('a', 1, article);
    const next = article.replace('"name": "article"', '"name": "lab2"');
    cache.seed('a', 2, analyseText(next));
    assert.equal(cache.get('a', 2, next).topology?.name, 'lab2');
    assert.deepEqual(seen, [article]);
  });

  it('forget and retain drop documents (closed, deleted); a version can be any value (a file by its text)', () => {
    const { cache } = counting();
    cache.get('a', 'text a', 'text a');
    cache.get('b', 'text b', 'text b');
    cache.get('c', 'text c', 'text c');
    cache.forget('a');
    assert.equal(cache.size, 2);
    cache.retain(new Set(['c']));
    assert.equal(cache.size, 1);
    cache.get('c', 'text c', 'text c');
    assert.equal(cache.analyses, 3);
    cache.get('c', 'text c2', 'text c2');
    assert.equal(cache.analyses, 4);
  });
});
