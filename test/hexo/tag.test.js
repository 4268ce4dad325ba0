'use strict';
// The nat_trace tag inside a real Hexo instance: inline and file output,
// from: reuse within a post and from source/_data, step selection, both
// spellings, code left alone, and errors naming the post file and line.
const assert = require('assert');
const fs = require('fs');
const path = require('path');
const { unescapeHTML } = require('hexo-util');
const { HAIRPIN, post, makeSite, openHexo, postOf, routeText, lineOf, count, write } = require('./helpers');
const { runScenario } = require('../../dist/index');
const { renderFigures } = require('../../dist/render');
const { pageSvg } = require('../../dist/render/pagecss');

const FIG = /<figure\b/g;
const SVG = /<svg\b/g;
const block = (args, body = '') => `{% nat_trace ${args} %}\n${body}{% endnat_trace %}\n`;
/** How many step figures the pipeline itself makes for a scenario. */
/** A page's figures with the per-page repeat suffix of their ids (`nt-x-2`) taken off, to compare drawings. */
const figuresOf = (html) => (html.match(/<svg\b[^]*?<\/svg>/g) || []).map((svg) => svg.replace(/(nt-[0-9a-f]{12})-\d+/g, '$1'));
const stepCount = (yaml) => renderFigures(runScenario(yaml), { lang: 'en', show: ['steps'] }).length;

describe('hexo: nat_trace tag', function () {
  this.timeout(60000);

  it('renders every step inline by default, one figure each', async () => {
    const dir = makeSite('inline', { posts: { 'a.md': post('A', `Intro.\n\n${block('hairpin', HAIRPIN)}\nAfter.\n`) } });
    const hexo = await openHexo(dir);
    await hexo.load();
    const html = postOf(hexo, 'a.md').content;
    const n = stepCount(HAIRPIN);
    assert.ok(n >= 3, `the hairpin trace has several steps (got ${n})`);
    assert.strictEqual(count(html, FIG), n);
    assert.strictEqual(count(html, SVG), n);
    assert.match(html, /<p>Intro\.<\/p>/);
    assert.ok(!html.includes('__at:'), 'the line marker never reaches the page');
  });

  it('selects steps, reuses a named block with from:, and accepts the <% %> spelling', async () => {
    const body = [
      'First.', '', block('hairpin show:rules', HAIRPIN),
      'Step two alone:', '', block('from:hairpin step:2'),
      'Steps one to three:', '', block('from:hairpin steps:1-3'),
      'The other spelling:', '', '<% nat_trace from:hairpin step:2 %>', '<% endnat_trace %>', '',
    ].join('\n');
    const dir = makeSite('reuse', { posts: { 'b.md': post('B', body) } });
    const hexo = await openHexo(dir);
    await hexo.load();
    const html = postOf(hexo, 'b.md').content;
    const rootIds = [...html.matchAll(/<svg\b[^>]*?\sid="([^"]+)"/g)].map((m) => m[1]);
    assert.strictEqual(new Set(rootIds).size, rootIds.length, 'a repeated figure gets its own ids');
    const svgs = figuresOf(html);
    assert.strictEqual(svgs.length, 1 + 1 + 3 + 1);
    assert.strictEqual(svgs[1], svgs[5], 'both spellings draw the same step 2');
    assert.strictEqual(svgs[1], svgs[3], 'step:2 equals the second of steps:1-3');
    assert.notStrictEqual(svgs[2], svgs[3]);
    assert.ok(!html.includes('&lt;% nat_trace'), 'the angle spelling was turned into a figure');
  });

  it('from: replaces only what the block gives (trace, rules) and finds source/_data/nat_trace', async () => {
    const udpTrace = 'trace: pc -> 203.0.113.22:5000/udp\n';
    const masq = 'routeros: |\n  /ip firewall nat\n  add chain=dstnat action=dst-nat dst-address=203.0.113.22 protocol=tcp dst-port=5000 to-addresses=10.30.9.77 to-ports=5000\n  add chain=srcnat action=masquerade src-address=10.30.9.0/24 dst-address=10.30.9.0/24\n';
    const body = [block('from:office step:1'), block('from:office step:1', udpTrace), block('fixed from:office show:rules', masq), block('from:fixed show:rules')].join('\n');
    const dir = makeSite('data', { posts: { 'c.md': post('C', body) }, data: { 'office.yml': HAIRPIN } });
    const hexo = await openHexo(dir);
    await hexo.load();
    const svgs = figuresOf(postOf(hexo, 'c.md').content);
    assert.strictEqual(svgs.length, 4);
    // A page's figure is the drawn one without the rules the page has once (pagecss.ts).
    const expect = (yaml, show, steps) => renderFigures(runScenario(yaml), { lang: 'en', show, steps }).map((f) => pageSvg(f.svg, f.id, undefined));
    assert.deepStrictEqual(svgs[0], expect(HAIRPIN, ['steps'], [1])[0]);
    assert.deepStrictEqual(svgs[1], expect(HAIRPIN.replace(/^trace:.*\n/m, udpTrace), ['steps'], [1])[0], 'trace replaced');
    assert.deepStrictEqual(svgs[2], expect(HAIRPIN.replace(/^routeros: \|\n(  .*\n)+/m, masq), ['rules'])[0], 'rules replaced');
    assert.strictEqual(svgs[3], svgs[2], 'a block that reuses another with an empty body draws the same');
  });

  it('leaves the spelling alone inside fenced, inline and indented code', async () => {
    const body = [
      'Write it like this:', '', '```', '<% nat_trace hairpin %>', 'router: ...', '<% endnat_trace %>', '```', '',
      'Or `<% nat_trace x %>` inline.', '', '~~~', '{% nat_trace y %}', '~~~', '',
      block('from:office step:1'),
    ].join('\n');
    const dir = makeSite('code', { posts: { 'd.md': post('D', body) }, data: { 'office.yml': HAIRPIN } });
    const hexo = await openHexo(dir);
    await hexo.load();
    const html = postOf(hexo, 'd.md').content;
    assert.strictEqual(count(html, SVG), 1, 'only the real block is drawn');
    assert.match(html, /&lt;% nat_trace hairpin %&gt;/);
    assert.match(html, /<code>&lt;% nat_trace x %&gt;<\/code>/);
    assert.match(html, /\{% nat_trace y %\}|&#123;% nat_trace y %&#125;/);
    assert.ok(!html.includes('__at:'));
  });

  it('a post whose only tags are blocks is not rendered by Nunjucks; one with another tag is, and both give the same figures', async () => {
    const only = post('O', `Before.\n\n${block('hairpin step:1', HAIRPIN)}\n- a list item with a block:\n\n  ${block('from:hairpin step:2').replace(/\n(?=.)/g, '\n  ')}\n> quoted\n\nAfter.\n`);
    const mixed = only.replace('Before.', 'Before {% raw %}{{ kept }}{% endraw %}.');
    const dir = makeSite('in-place', { posts: { 'o.md': only, 'm.md': mixed } });
    const hexo = await openHexo(dir);
    // Hexo's post renderer calls the tag registry's render (Nunjucks) only for a post with a tag left.
    const rendered = [];
    const render = hexo.extend.tag.render;
    hexo.extend.tag.render = function (text, data) { rendered.push(data.source); return render.apply(this, arguments); };
    await hexo.load();
    assert.deepStrictEqual(rendered, ['_posts/m.md'], 'Nunjucks ran for the post with another tag only');
    const o = postOf(hexo, 'o.md').content;
    const m = postOf(hexo, 'm.md').content;
    assert.ok(m.includes('{{ kept }}'), 'the other tag rendered');
    assert.strictEqual(count(o, SVG), 2);
    assert.deepStrictEqual(figuresOf(o), figuresOf(m));
    assert.match(o, /<li>[^]*?<div class="nat-trace"[^]*?<\/li>/, 'the block in the list item stays in it');
    assert.ok(!/hexoPostRenderCodeBlock|nat_trace __at/.test(o), 'no placeholder left');
  });

  it('file mode writes SVG routes under the post URL and drops them when the block goes', async () => {
    const text = post('E', `${block('hairpin output:file caption:"The hairpin, step by step"', HAIRPIN)}`);
    const dir = makeSite('file', { posts: { 'e.md': text } });
    const hexo = await openHexo(dir);
    await hexo.load();
    const html = postOf(hexo, 'e.md').content;
    assert.strictEqual(count(html, SVG), 0);
    const srcs = [...html.matchAll(/<img\b[^>]*\bsrc="([^"]+)"/g)].map((m) => unescapeHTML(m[1]));
    // Each step also has its narrow layout: its slice of one file for the block (render/sheet.ts).
    const n = stepCount(HAIRPIN);
    assert.strictEqual(srcs.filter((s) => !/-narrow\.svg$/.test(s)).length, n);
    const narrow = [...html.matchAll(/<a\b[^>]*\bhref="([^"]+)"[^>]*><img\b[^>]*\bsrc="([^"]+-narrow\.svg)"[^>]*\bstyle="([^"]+)"/g)]
      .map((m) => ({ href: unescapeHTML(m[1]), src: unescapeHTML(m[2]), style: m[3] }));
    assert.strictEqual(narrow.length, n, 'a narrow <img> per step');
    assert.deepStrictEqual([...new Set(narrow.map((x) => x.src))].map((s) => s.replace(/^.*-(steps-)/, '$1')), [`steps-1-${n}-narrow.svg`]);
    assert.deepStrictEqual(narrow.map((x) => x.href), narrow.map((x, i) => `${x.src}#v${i + 1}`), 'each lightbox link names its slice');
    const positions = narrow.map((x) => /object-position:0 ([\d.]+)%/.exec(x.style));
    assert.ok(positions.every(Boolean), 'each narrow <img> shows a slice');
    assert.strictEqual(Number(positions[0][1]), 0);
    assert.strictEqual(Number(positions[n - 1][1]), 100);
    for (let i = 1; i < n; i++) assert.ok(Number(positions[i][1]) > Number(positions[i - 1][1]), `slice ${i + 1} below slice ${i}`);
    const sheet = await routeText(hexo, narrow[0].src.slice(1));
    assert.strictEqual(count(sheet, /<view id="v\d+"/g), n);
    assert.ok(html.includes('The hairpin, step by step'), 'caption with spaces arrives whole');
    for (const m of html.matchAll(/<img\b[^>]*>/g)) assert.match(m[0], /\balt="[^"]+"/);
    for (const src of srcs) {
      assert.match(src, /^\/e\/nat-trace\/[^/]+\.svg$/);
      const svg = await routeText(hexo, src.slice(1));
      assert.match(svg, /^<svg\b/, `route ${src} serves the SVG`);
    }
    // The block is removed: after the next generate its routes are gone.
    write(path.join(dir, 'source', '_posts', 'e.md'), post('E', 'No figures any more.\n'));
    await hexo.load();
    for (const src of srcs) assert.strictEqual(hexo.route.get(src.slice(1)), undefined, `${src} no longer routed`);
  });

  it('keeps each post\'s names apart while Hexo renders posts concurrently', async () => {
    const posts = {};
    for (let i = 0; i < 8; i++) {
      const yaml = HAIRPIN.replace('10.30.9.70', `10.30.9.${100 + i}`);
      posts[`p${i}.md`] = post(`P${i}`, `${block('net step:1', yaml)}\n${block('from:net step:1')}`);
    }
    const dir = makeSite('concurrent', { posts });
    const hexo = await openHexo(dir);
    await hexo.load();
    const firsts = new Set();
    for (let i = 0; i < 8; i++) {
      const svgs = figuresOf(postOf(hexo, `p${i}.md`).content);
      assert.strictEqual(svgs.length, 2);
      assert.strictEqual(svgs[1], svgs[0], `post ${i} reuses its own "net"`);
      firsts.add(svgs[0]);
    }
    assert.strictEqual(firsts.size, 8, 'every post drew its own client');
  });

  it('a from: name does not leak from one post into another', async () => {
    const dir = makeSite('leak', {
      config: { nat_trace: { fail_on_error: false } },
      posts: { 'one.md': post('One', block('shared', HAIRPIN)), 'two.md': post('Two', block('from:shared step:1')) },
    });
    const hexo = await openHexo(dir);
    await hexo.load();
    const two = postOf(hexo, 'two.md').content;
    assert.strictEqual(count(two, SVG), 0);
    assert.match(two, /nat-trace-error/);
    assert.match(two, /no earlier block in this post is named &quot;shared&quot;|no earlier block in this post is named "shared"/);
  });
});

describe('hexo: nat_trace errors', function () {
  this.timeout(60000);

  it('fails the build with the post file, the block line and the error line', async () => {
    const bad = HAIRPIN.replace('  web: {', '  web: { gatway: 10.30.9.1,');
    const text = post('Bad', `Intro\n\n${block('ok', HAIRPIN)}\n${block('broken', bad)}`);
    const dir = makeSite('err', { posts: { 'bad.md': text } });
    const hexo = await openHexo(dir);
    let err;
    try { await hexo.load(); } catch (e) { err = e; }
    assert.ok(err, 'the build fails');
    const blockLine = lineOf(text, '{% nat_trace broken');
    const errLine = lineOf(text, 'gatway');
    assert.ok(errLine > blockLine);
    assert.match(err.message, new RegExp(`source/_posts/bad\\.md:${errLine}(:\\d+)?: unknown key "gatway"`));
    assert.match(err.message, new RegExp(`nat_trace block at source/_posts/bad\\.md:${blockLine}`));
    assert.match(err.message, /did you mean `gateway`\?/);
    assert.ok(!err.message.includes('\n'), 'one failing block, one line');
    assert.strictEqual(err.stack.split('\n').filter((l) => /^\s+at /.test(l)).length, 0, 'no stack trace in the printed text');
  });

  it('finds the right line among identical blocks, and reports bad tag options at the tag', async () => {
    const same = block('from:office step:1');
    const text = post('Twice', `${same}\n${same}\n${block('from:office stepz:1')}`);
    const dir = makeSite('err2', { posts: { 't.md': text }, data: { 'office.yml': HAIRPIN } });
    const hexo = await openHexo(dir);
    let err;
    try { await hexo.load(); } catch (e) { err = e; }
    assert.ok(err);
    const tagLine = lineOf(text, 'stepz');
    assert.match(err.message, new RegExp(`^source/_posts/t\\.md:${tagLine}: unknown option "stepz"`));
  });

  it('shows the error in the page, escaped, when errors are not fatal', async () => {
    const bad = HAIRPIN.replace('trace: pc -> 203.0.113.22:5000', 'trace: "<script>alert(1)</script> -> x:1"');
    const dir = makeSite('errpage', { config: { nat_trace: { fail_on_error: false } }, posts: { 'p.md': post('P', block('x', bad) + '\nText after.\n') } });
    const hexo = await openHexo(dir);
    await hexo.load();
    const html = postOf(hexo, 'p.md').content;
    assert.match(html, /nat-trace-error/);
    assert.ok(!html.includes('<script>'), 'post text is escaped');
    assert.match(html, /&lt;script&gt;/);
    assert.match(unescapeHTML(html), /source\/_posts\/p\.md:\d+: trace: no host/);
    assert.match(html, /Text after\./);
  });
});
