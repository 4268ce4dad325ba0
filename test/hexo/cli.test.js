'use strict';
// `hexo generate` as a user runs it, one process per build: file-mode SVGs
// survive a rebuild that changes nothing, disappear when their block goes,
// and a wrong block fails the build with one message naming file and line.
const assert = require('assert');
const fs = require('fs');
const path = require('path');
const { HAIRPIN, post, makeSite, lineOf, write, hexoCli } = require('./helpers');

const block = (args, body = '') => `{% nat_trace ${args} %}\n${body}{% endnat_trace %}\n`;
const svgFiles = (dir) => {
  const d = path.join(dir, 'public', 'e', 'nat-trace');
  return fs.existsSync(d) ? fs.readdirSync(d).sort() : [];
};

describe('hexo: generate from the command line', function () {
  this.timeout(120000);
  let dir;
  before(() => {
    dir = makeSite('cli', { theme: 'landscape', config: { nat_trace: { output: 'file' } }, posts: { 'e.md': post('E', `Before.\n\n${block('hairpin', HAIRPIN)}\nAfter.\n`) } });
  });

  it('writes the post and its SVG files, and keeps them on a rebuild', async () => {
    const r = await hexoCli(dir, ['generate']);
    assert.strictEqual(r.code, 0, r.stderr + r.stdout);
    const html = fs.readFileSync(path.join(dir, 'public', 'e', 'index.html'), 'utf8');
    const srcs = [...html.matchAll(/<img\b[^>]*\bsrc="([^"]+\.svg)"/g)].map((m) => m[1].replace(/&#x2F;/g, '/'));
    const files = svgFiles(dir);
    assert.ok(files.length > 0);
    // Every file the page shows, once (a block's narrow layouts are one file, each step's <img> showing its slice).
    assert.deepStrictEqual([...new Set(srcs.map((s) => path.basename(s)))].sort(), files);
    const again = await hexoCli(dir, ['generate']);
    assert.strictEqual(again.code, 0, again.stderr);
    assert.deepStrictEqual(svgFiles(dir), files, 'an unchanged rebuild keeps every figure file');
  });

  it('removes the files of a removed block on the next generate (no clean)', async () => {
    write(path.join(dir, 'source', '_posts', 'e.md'), post('E', 'Before.\n\nAfter.\n'));
    const r = await hexoCli(dir, ['generate']);
    assert.strictEqual(r.code, 0, r.stderr);
    assert.deepStrictEqual(svgFiles(dir), []);
  });

  it('fails with the post file and line', async () => {
    const text = post('E', `Before.\n\n${block('hairpin', HAIRPIN.replace('tcp/5000', 'tcp/500000'))}`);
    write(path.join(dir, 'source', '_posts', 'e.md'), text);
    const r = await hexoCli(dir, ['generate']);
    assert.notStrictEqual(r.code, 0);
    const out = r.stdout + r.stderr;
    assert.match(out, new RegExp(`source/_posts/e\\.md:${lineOf(text, 'tcp/500000')}: `), out);
    assert.match(out, /port/);
  });
});
