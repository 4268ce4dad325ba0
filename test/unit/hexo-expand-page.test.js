'use strict';
// A page's deferred figures put back (lib/hexo/expand.ts expandPage): the
// parts in place of their markers, and `latin1` only for a page with no
// character above U+00FF (the page filter then skips the one-byte pass).
const assert = require('assert');
const { expandPage, PartStore } = require('../../dist/hexo/expand');
const { oneBytePage } = require('../../dist/hexo/onebyte');

const K1 = '0123456789abcdef';
const K2 = 'fedcba9876543210';
const fig = (k) => `<!--nat-trace:${k}--><img alt="a → b"><figcaption>“x” → y</figcaption><!--/nat-trace-->\n<!--nat-trace-text:${k}-->`;

describe('hexo: a page with its figures put back', () => {
  it('puts each part in its place, keeps an unknown drawing\'s fallback, drops unknown text', () => {
    const store = new PartStore();
    store.set(K1, { body: '<svg>a · b × c</svg>', text: '<ol><li>1</li></ol>' });
    const page = `<p>café</p>${fig(K1)}<p>mid</p>${fig(K2)}<p>end</p>`;
    const out = expandPage(page, (k) => store.held(k));
    assert.strictEqual(out.html, `<p>café</p><svg>a · b × c</svg>\n<ol><li>1</li></ol><p>mid</p><!--nat-trace:${K2}--><img alt="a → b"><figcaption>“x” → y</figcaption><!--/nat-trace-->\n<p>end</p>`);
    // The unknown figure's fallback has arrows: not Latin-1.
    assert.strictEqual(out.latin1, false);
  });

  it('is Latin-1 exactly when nothing above U+00FF is left, with the value oneBytePage would give', () => {
    const store = new PartStore();
    store.set(K1, { body: '<svg>a · b</svg>', text: '' });
    store.set(K2, { body: '<svg>→</svg>', text: '' }, false, false);
    const latin = `<p>é</p>${fig(K1)}<p>x</p>`;
    const a = expandPage(latin, (k) => store.held(k));
    assert.strictEqual(a.latin1, true);
    assert.strictEqual(a.html, oneBytePage(a.html));
    assert.strictEqual(a.html, '<p>é</p><svg>a · b</svg>\n<p>x</p>');
    assert.strictEqual(expandPage(`<p>x</p>${fig(K2)}`, (k) => store.held(k)).latin1, false, 'a part with an arrow');
    assert.strictEqual(expandPage(`<p>“x”</p>${fig(K1)}`, (k) => store.held(k)).latin1, false, 'prose with curly quotes');
    assert.strictEqual(expandPage('<p>no figures</p>', (k) => store.held(k)).latin1, false);
  });

  it('holds a Latin-1 part as such whether or not the caller said so', () => {
    const store = new PartStore();
    store.set(K1, { body: '<svg>·</svg>', text: '' });
    store.set(K2, { body: '<svg>·</svg>', text: '' }, true, true);
    assert.strictEqual(store.held(K1).latin1, true);
    assert.strictEqual(store.held(K2).latin1, true);
    store.set(K1, { body: '<svg>→</svg>', text: '' });
    assert.strictEqual(store.held(K1).latin1, false);
    assert.strictEqual(store.get(K1).body, '<svg>→</svg>');
  });
});
