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

// Under `hexo server` the heap grew ~80 KB per edit beyond what the caches count (bench/memory.js):
// heap snapshots showed every PartStore entry re-keyed, at each read, by a 16-character key cut out
// of the whole rendered page (after_render:html), and V8 keeps the page alive through that
// substring. Checked structurally: after the reads, a heap snapshot of a small process holds no
// copy of the pages (the strings the caches keep are their own).
describe('hexo caches hold no borrowed strings', function () {
  this.timeout(120000);
  it('a read with a key cut out of a page, and a part cut out of a block, keep neither the page nor the block', () => {
    const { execFileSync } = require('child_process');
    const path = require('path');
    const script = `
      const v8 = require('v8'); const fs = require('fs');
      const { PartStore } = require(${JSON.stringify(path.join(process.env.NAT_TRACE_DIST || path.join(__dirname, '..', '..', 'dist'), 'hexo', 'expand'))});
      const store = new PartStore(1 << 20);
      // In a function of its own: its locals are gone from the stack when the snapshot is taken.
      function use() {
      const keys = [];
      for (let i = 0; i < 20; i++) {
        const key = String(i).padStart(16, 'a');
        const block = 'BLOCKTEXT' + i + '-' + 'b'.repeat(20000) + '<svg>' + key + '</svg>' + 'c'.repeat(20000);
        store.set(key, { body: block.slice(block.indexOf('<svg>'), block.indexOf('</svg>') + 6), text: '' });
        keys.push(key);
      }
      for (let i = 0; i < 20; i++) {
        const page = 'PAGETEXT' + i + '-' + 'p'.repeat(50000) + '<!--nat-trace:' + keys[i] + '-->';
        const key = /<!--nat-trace:([0-9a-f]{16})-->/.exec(page)[1];
        if (!store.get(key)) throw new Error('lost ' + key);
      }
      }
      use();
      /y/.exec('y'); // the last regex match keeps its subject (RegExp.lastMatch): not the cache's doing
      const file = v8.writeHeapSnapshot();
      const text = fs.readFileSync(file, 'utf8'); fs.unlinkSync(file);
      process.stdout.write(JSON.stringify({ pages: (text.match(/PAGETEXT\\d+-/g) || []).length, blocks: (text.match(/BLOCKTEXT\\d+-/g) || []).length }));
    `;
    const out = JSON.parse(execFileSync(process.execPath, ['-e', script], { cwd: require('os').tmpdir(), encoding: 'utf8' }));
    assert.deepStrictEqual(out, { pages: 0, blocks: 0 }, 'strings the caches were handed keep pages and blocks alive');
  });
});
