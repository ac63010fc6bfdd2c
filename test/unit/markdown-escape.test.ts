/**
 * Issue 13, 9d: live, untrusted text (kernel interface and namespace names, aliases, addresses)
 * is escaped before it goes into the tree views' Markdown hovers.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { markdownText } from '../../src/core/model/markdown.js';

// names the kernel accepts (a namespace name is any file name; an interface name has no '/', ':' or space)
const HOSTILE = [
  '[x](command:netnsLab.apply)', '![i](https://203.0.113.9/t.png)', '<img src=x onerror=alert(1)>', '<b>bold</b>',
  '**bold**', '_em_', '`code`', '~~s~~', '# head', '- item', '1. item', '> quote', '$(alert)', '&amp;', '&#60;x&#62;',
  'www.example.test', 'a@example.test', 'https://203.0.113.9', '|a|b|', '\\', 'line\nbreak', 'tab\there', 'nul\u0000x', '\u2028',
  'veth0', '10.0.0.1/24 (global)', 'topology lab-1',
];

function html(s: string): string {
  return s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
}

describe('markdownText', () => {
  it('escapes every ASCII punctuation character and leaves letters, digits and spaces', () => {
    assert.equal(markdownText('veth0 up'), 'veth0 up');
    assert.equal(markdownText('[x](y)'), '\\[x\\]\\(y\\)');
    assert.equal(markdownText('$(alert)'), '\\$\\(alert\\)');
    assert.equal(markdownText('a\nb'), 'a\\\\u000ab');
    for (const s of HOSTILE) {
      const out = markdownText(s);
      assert.ok(!/[\u0000-\u001f]/.test(out), `control character left in ${JSON.stringify(out)}`);
      // every punctuation is preceded by an (unescaped) backslash
      for (let i = 0; i < out.length; i++) {
        if (/[!-/:-@[-`{-~]/.test(out[i]!) && out[i] !== '\\') assert.equal(out[i - 1], '\\', `${JSON.stringify(out)} at ${i}`);
        if (out[i] === '\\') i++;
      }
    }
  });

  it('renders as the literal text in a CommonMark renderer with HTML and links on (markdown-it)', async (t) => {
    const name = 'markdown-it'; // present in node_modules (a build tool's dependency); untyped
    const mod = await import(name).catch(() => undefined) as { default: new (o: object) => { render(s: string): string } } | undefined;
    if (!mod) { t.skip('markdown-it is not installed'); return; }
    const md = new mod.default({ html: true, linkify: true, typographer: false });
    for (const s of HOSTILE) {
      const rendered = md.render(`**${markdownText(s)}** in namespace ${markdownText(s)}`);
      const shown = s.replace(/[\u0000-\u001f\u2028]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);
      assert.equal(rendered, `<p><strong>${html(shown)}</strong> in namespace ${html(shown)}</p>\n`, JSON.stringify(s));
    }
  });
});
