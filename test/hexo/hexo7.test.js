'use strict';
// The plugin under the previous Hexo major (7.x, installed as the `hexo7`
// alias): generate a site with an inline block, a file-mode block and the
// <% %> spelling, and check the figures and the error path.
const assert = require('assert');
const fs = require('fs');
const path = require('path');
const Hexo7 = require('hexo7');
const { HAIRPIN, makeSite, post, count } = require('./helpers');

async function generate(dir) {
  const hexo = new Hexo7(dir, { silent: true });
  await hexo.init();
  await hexo.call('generate', {});
  await hexo.exit();
  return hexo;
}

describe('hexo 7.x', function () {
  it(`renders blocks with Hexo ${require('hexo7/package.json').version}: inline, file mode and the <% %> spelling`, async function () {
    const dir = makeSite('hexo7', {
      theme: 'landscape',
      posts: {
        'a.md': post('A', `Intro\n\n{% nat_trace hp %}\n${HAIRPIN}{% endnat_trace %}\n\n<% nat_trace from:hp step:2 output:file %>\n<% endnat_trace %>\n`),
      },
    });
    await generate(dir);
    const html = fs.readFileSync(path.join(dir, 'public', 'a', 'index.html'), 'utf8');
    assert.ok(count(html, /<svg[\s>]/g) >= 4, 'inline figures in the page');
    const img = /<img[^>]+src="([^"]+\.svg)"/.exec(html);
    assert.ok(img, 'file-mode figure as <img>');
    const file = path.join(dir, 'public', decodeURI(img[1]).replace(/^\//, ''));
    assert.ok(fs.readFileSync(file, 'utf8').startsWith('<svg'), `${file} is an SVG`);
    assert.ok(!html.includes('<% nat_trace'), 'the angle spelling was turned into figures');
  });

  it('fails the build with the post and line of a broken block', async function () {
    const dir = makeSite('hexo7-err', {
      posts: { 'b.md': post('B', `One\n\n{% nat_trace %}\n${HAIRPIN.replace('listen: [tcp/5000]', 'listn: [tcp/5000]')}{% endnat_trace %}\n`) },
    });
    await assert.rejects(generate(dir), (e) => {
      const msg = String(e && e.message);
      assert.match(msg, /b\.md/);
      assert.match(msg, /listn/);
      return true;
    });
  });
});
