'use strict';
// lib/hexo/onebyte.ts: a page with figures written with character references
// above U+00FF, so V8 keeps it at one byte a character; the same page to a
// browser's parser (jsdom here), and left alone where references would not be read.
const assert = require('assert');
const v8 = require('v8');
const { JSDOM } = require('jsdom');
const { oneBytePage } = require('../../dist/hexo/onebyte');

const figurePage = (extra = '') => [
  '<!DOCTYPE html><html lang="en"><head><title>Hairpin · step 1</title></head><body>',
  '<p>Caf\u00e9 prose, then a figure.</p>',
  `<p>${'Some prose around the figure. '.repeat(40)}</p>`,
  '<div class="nat-trace"><figure><svg class="nat-trace-svg" role="img" aria-label="pc → router"><title>Step 1 · pc → MikroTik</title>',
  '<text x="1" y="2">10.0.0.2:40000 → 203.0.113.1:80</text></svg>',
  '<figcaption>The rule “add chain=dstnat” matches 😀</figcaption></figure></div>',
  extra,
  '</body></html>',
].join('\n');

/** What a parser makes of a page: every element's name, attributes and own text, in order. */
function parsed(html) {
  const doc = new JSDOM(html).window.document;
  const out = [doc.title];
  for (const el of doc.querySelectorAll('*')) {
    out.push(el.tagName, ...[...el.attributes].map((a) => `${a.name}=${a.value}`));
    for (const n of el.childNodes) if (n.nodeType === 3) out.push(n.data);
  }
  return out;
}

describe('hexo: pages with figures at one byte a character', () => {
  it('writes the characters above U+00FF as references: nothing above U+00FF is left, and the parser reads the same page', () => {
    const page = figurePage();
    const out = oneBytePage(page);
    assert.ok(!/[^\x00-\xff]/.test(out), 'no character above U+00FF');
    assert.match(out, /&#x2192;/);
    assert.match(out, /&#x1f600;/, 'a character outside the BMP is one reference, not two halves');
    assert.ok(out.includes('Caf\u00e9'), 'Latin-1 letters stay as they are');
    assert.deepStrictEqual(parsed(out), parsed(page));
  });

  it('gives V8 a one-byte string (asked of V8 itself: its serializer writes a string in its own form)', () => {
    // v8.serialize: after its 2-byte header (and padding zeros that align a two-byte string), tag 0x22 ('"') for a
    // one-byte string, 0x63 ('c') for a two-byte one.
    const form = (s) => { const b = v8.serialize(s); let i = 2; while (b[i] === 0) i++; return ({ 0x22: 'one-byte', 0x63: 'two-byte' })[b[i]]; };
    const page = figurePage();
    assert.strictEqual(form(page), 'two-byte');
    assert.strictEqual(form(oneBytePage(page)), 'one-byte');
  });

  it('leaves a page alone where a reference would be read as text: script, style, raw text, CDATA', () => {
    for (const extra of ['<script>var s = "→";</script>', '<style>.a::after{content:"→"}</style>', '<noscript>→</noscript>', '<svg><![CDATA[ → ]]></svg>']) {
      const page = figurePage(extra);
      assert.strictEqual(oneBytePage(page), page, extra);
    }
    // A script without such characters does not stop it.
    assert.ok(!/[^\x00-\xff]/.test(oneBytePage(figurePage('<script>var s = "ok";</script>'))));
  });

  it('leaves a page whose own text is not Latin-1 (a CJK blog) as it is, and a Latin-1 page untouched', () => {
    const cjk = figurePage(`<p>${'路由器把封包轉送到內部的伺服器。'.repeat(40)}</p>`);
    assert.strictEqual(oneBytePage(cjk), cjk);
    const plain = '<p>plain</p>';
    assert.strictEqual(oneBytePage(plain), plain);
  });
});

describe('render: deferred drawings with their characters above U+00FF as references', function () {
  this.timeout(60000);
  const { runScenario } = require('../../dist/index');
  const R = require('../../dist/render');
  const { S } = require('./story-scenarios');
  const form = (s) => { const b = v8.serialize(s); let i = 2; while (b[i] === 0) i++; return ({ 0x22: 'one-byte', 0x63: 'two-byte' })[b[i]]; };
  const partsOf = (lang) => {
    const figs = R.renderFigures(runScenario(S.hairpin), { lang, show: ['steps', 'rules'] });
    return { figs, ...R.figureParts(figs, { mode: 'inline', lang, defer: () => '/f.svg' }) };
  };

  it('an English block: every part one byte a character, reading as the drawing does', () => {
    const { figs, parts } = partsOf('en');
    assert.ok(figs.some((f) => /→/.test(f.svg)), 'the drawings have arrows');
    for (const p of parts.values()) {
      for (const s of [p.body, p.text]) {
        assert.ok(!/[^\x00-\xff]/.test(s));
        assert.strictEqual(form(s), 'one-byte');
      }
    }
    // The drawing's text as a parser reads it is the figure's own.
    const i = figs.findIndex((f) => /→/.test(f.svg));
    const drawn = new JSDOM(`<body>${[...parts.values()][i].body}</body>`).window.document.querySelector('svg').textContent;
    const own = new JSDOM(`<body>${figs[i].svg}</body>`).window.document.querySelector('svg').textContent;
    assert.ok(drawn.includes('→'), 'the arrows read as arrows');
    assert.strictEqual(drawn, own);
  });

  it('a zh-TW block keeps its characters (references would make it longer)', () => {
    const { parts } = partsOf('zh-TW');
    assert.ok([...parts.values()].some((p) => /[\u4e00-\u9fff]/.test(p.body)));
  });

  it('post.content keeps its characters: captions feed excerpts and descriptions', () => {
    const { html } = partsOf('en');
    assert.match(html, /[^\x00-\xff]/);
  });
});
