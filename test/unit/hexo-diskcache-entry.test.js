'use strict';
// A disk-cache entry (lib/hexo/diskcache.ts) read back: every string as it
// was written (non-Latin-1 text, emoji, quotes), the figure files as their
// UTF-8 bytes, and nothing read back that is a slice of the whole file (a
// part kept by the part store would otherwise keep the entry's HTML and
// files alive with it: checked in a heap snapshot of a small process).
const assert = require('assert');
const fs = require('fs');
const os = require('os');
const path = require('path');
const { execFileSync } = require('child_process');
const { DiskCache } = require('../../dist/hexo/diskcache');

const DIST = process.env.NAT_TRACE_DIST || path.join(__dirname, '..', '..', 'dist');

describe('hexo disk cache: an entry read back', function () {
  this.timeout(60000);
  let dir;
  beforeEach(() => { dir = fs.mkdtempSync(path.join(os.tmpdir(), 'nt-entry-')); });
  afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

  it('gives back each string as written and each file as its UTF-8 bytes', () => {
    const cache = new DiskCache(dir);
    const svg = '<svg><text>10.0.0.2:80 → 203.0.113.5:80 · 步驟 2／5 “引號” 🚀 &amp;</text></svg>';
    const entry = {
      html: '<figure>連線 → “x”</figure>\n', parts: [['0123456789abcdef', '<div>圖 · 1</div>', '<ol><li>第一步</li></ol>']],
      files: [['2024/a/nat-trace/0000000001-step-1-narrow.svg', svg]], feedFiles: [], merged: { trace: { value: 'pc -> 1.2.3.4:80' } },
    };
    cache.put('k1', entry);
    const back = new DiskCache(dir).get('k1');
    assert.ok(back, 'the entry is found again');
    assert.strictEqual(back.html, entry.html);
    assert.deepStrictEqual(back.parts, entry.parts);
    assert.strictEqual(back.files.length, 1);
    assert.strictEqual(back.files[0][0], entry.files[0][0]);
    assert.ok(Buffer.isBuffer(back.files[0][1]), 'a file comes back as bytes');
    assert.ok(back.files[0][1].equals(Buffer.from(svg, 'utf8')), 'the bytes are the SVG in UTF-8');
    assert.deepStrictEqual(back.merged, entry.merged);
    // Written again from what was read (bytes for the file): the same entry.
    cache.put('k2', { ...back });
    const again = new DiskCache(dir).get('k2');
    assert.ok(again && again.files[0][1].equals(back.files[0][1]));
    assert.strictEqual(again.html, entry.html);
  });

  it('refuses an entry cut short by a byte or with a byte appended', () => {
    const cache = new DiskCache(dir);
    cache.put('k', { html: 'é→', parts: [], files: [['a.svg', '<svg>→</svg>']], feedFiles: [] });
    const file = path.join(dir, 'k.ntc');
    const whole = fs.readFileSync(file);
    fs.writeFileSync(file, whole.subarray(0, whole.length - 1));
    assert.strictEqual(new DiskCache(dir).get('k'), undefined);
    fs.writeFileSync(file, Buffer.concat([whole, Buffer.from('x')]));
    assert.strictEqual(new DiskCache(dir).get('k'), undefined);
    fs.writeFileSync(file, whole);
    assert.ok(new DiskCache(dir).get('k'));
  });

  it('reads back entries larger than its read buffer (long strings, a long header) and stores Latin-1 strings a byte a character', () => {
    const cache = new DiskCache(dir);
    const body = '<svg>' + 'a·×é'.repeat(200000) + '</svg>';
    const text = '→ “q” '.repeat(100000);
    const feed = Array.from({ length: 4000 }, (_, i) => `2024/a/nat-trace/${String(i).padStart(10, '0')}-step-${i}.svg`);
    const files = feed.map((p, i) => [p, `<svg>${i} → ${'x'.repeat(i % 50)}</svg>`]);
    cache.put('big', { html: 'é', parts: [['0123456789abcdef', body, text]], files, feedFiles: feed });
    const back = new DiskCache(dir).get('big');
    assert.ok(back, 'the entry is found again');
    assert.strictEqual(back.parts[0][1], body);
    assert.strictEqual(back.parts[0][2], text);
    assert.strictEqual(back.html, 'é');
    assert.deepStrictEqual(back.feedFiles, feed);
    assert.deepStrictEqual(back.files.map(([p, b]) => [p, b.toString('utf8')]), files);
    // A small entry after the large one (the read buffer reused): nothing of the large one in it.
    cache.put('small', { html: 'h→', parts: [['fedcba9876543210', 'b·', 't']], files: [['s.svg', '<svg/>']], feedFiles: [] });
    const small = new DiskCache(dir).get('small');
    assert.deepStrictEqual([small.html, small.parts, small.files[0][1].toString()], ['h→', [['fedcba9876543210', 'b·', 't']], '<svg/>']);
    // The body (every character at most U+00FF) is one byte a character on disk (as UTF-8: 1.4 MB).
    cache.put('nobody', { html: 'é', parts: [['0123456789abcdef', '', text]], files, feedFiles: feed });
    const grown = fs.statSync(path.join(dir, 'big.ntc')).size - fs.statSync(path.join(dir, 'nobody.ntc')).size;
    assert.ok(Math.abs(grown - body.length) < 100, `the body takes ${grown} bytes for ${body.length} characters`);
  });

  it('holds none of the entry\'s other text through a part it gave back', () => {
    const script = `
      const v8 = require('v8'); const fs = require('fs');
      const { DiskCache } = require(${JSON.stringify(path.join(DIST, 'hexo', 'diskcache'))});
      const dir = ${JSON.stringify(dir)};
      // Built at run time: the marks are not in this script's own text.
      const mark = (a, b) => [a, b].join('');
      // In functions of their own: their locals are gone from the stack when the snapshot is taken.
      function write() { new DiskCache(dir).put('k', {
        html: mark('HTML', 'TEXT-') + 'h'.repeat(30000) + '→', parts: [['0123456789abcdef', 'PARTBODY-' + '→'.repeat(20), 'PARTTEXT']],
        files: [['a.svg', mark('FILE', 'TEXT-') + 'f'.repeat(30000) + '→']], feedFiles: [],
      }); }
      write();
      const kept = [];
      function use() { const e = new DiskCache(dir).get('k'); kept.push(e.parts[0][1], e.parts[0][2]); }
      use();
      /y/.exec('y');
      const file = v8.writeHeapSnapshot();
      const text = fs.readFileSync(file, 'utf8'); fs.unlinkSync(file);
      process.stdout.write(JSON.stringify({ kept: kept.length, html: (text.match(new RegExp(mark('HTML', 'TEXT-'), 'g')) || []).length, file: (text.match(new RegExp(mark('FILE', 'TEXT-'), 'g')) || []).length }));
    `;
    const out = JSON.parse(execFileSync(process.execPath, ['-e', script], { cwd: os.tmpdir(), encoding: 'utf8' }));
    assert.deepStrictEqual(out, { kept: 2, html: 0, file: 0 }, 'a part read back keeps the entry\'s HTML or files alive');
  });
});
