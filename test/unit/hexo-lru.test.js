'use strict';
// The in-memory caches of the Hexo layer (figures by block, deferred figure
// parts) are bounded by bytes held, not by entry count (issue 10: under
// `hexo server` RSS kept growing past the old 500-entry bound).
const assert = require('assert');
const { ByteLru, stringBytes } = require('../../dist/hexo/lru');
const { PartStore } = require('../../dist/hexo/expand');
const { figureCacheStats } = require('../../dist/hexo/block');

describe('hexo caches bounded by bytes', () => {
  it('ByteLru keeps the total under its bound, evicting the least recently used first', () => {
    const lru = new ByteLru(10000, (s) => stringBytes(s));
    for (let i = 0; i < 1000; i++) {
      lru.set(`k${i}`, 'x'.repeat(100 + (i % 7) * 50));
      assert.ok(lru.bytes <= 10000, `after ${i + 1} puts: ${lru.bytes} bytes`);
    }
    assert.ok(lru.size > 5 && lru.size < 1000);
    assert.strictEqual(lru.get('k0'), undefined, 'the oldest entry went first');
    assert.ok(lru.get('k999'), 'the newest entry stays');
  });

  it('a read makes an entry recent; a value over the bound is not kept and evicts nothing', () => {
    const lru = new ByteLru(1000, (s) => stringBytes(s));
    lru.set('a', 'x'.repeat(200));
    lru.set('b', 'x'.repeat(200));
    assert.ok(lru.get('a'));
    lru.set('c', 'x'.repeat(200)); // 1,200 bytes: b is the least recently used
    assert.strictEqual(lru.get('b'), undefined);
    assert.ok(lru.get('a') && lru.get('c'));
    lru.set('huge', 'x'.repeat(10000));
    assert.strictEqual(lru.get('huge'), undefined);
    assert.ok(lru.get('a') && lru.get('c'));
    lru.set('a', 'y'); // replacing an entry replaces its size
    assert.strictEqual(lru.bytes, stringBytes('y') + stringBytes('x'.repeat(200)));
  });

  it('deferred figure parts stay under their byte bound however many edits come', () => {
    const store = new PartStore(200000);
    for (let i = 0; i < 5000; i++) store.set(`${i}`.padStart(16, '0'), { body: `<svg>${'p'.repeat(1000)}</svg>`, text: 'steps' });
    assert.ok(store.bytes <= 200000, `${store.bytes} bytes`);
    assert.ok(store.get('4999'.padStart(16, '0')));
  });

  it('the figure cache has a byte bound', () => {
    const s = figureCacheStats();
    assert.ok(s.maxBytes > 0 && Number.isFinite(s.maxBytes));
    assert.ok(s.bytes <= s.maxBytes);
  });
});
