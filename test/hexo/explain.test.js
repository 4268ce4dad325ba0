'use strict';
// show:explain and the `fix` option inside a real Hexo: the explain figure
// (cause, step, the fixed rule table with the new rule marked), a `fix` block
// that needs no rules written by hand and is reusable with from:, every
// language, and one clear error for a block with nothing to fix.
const assert = require('assert');
const { unescapeHTML } = require('hexo-util');
const { HAIRPIN, post, makeSite, openHexo, postOf, lineOf, count } = require('./helpers');
const { runScenario } = require('../../dist/index');
const { renderFigures } = require('../../dist/render');

const block = (args, body = '') => `{% nat_trace ${args} %}\n${body}{% endnat_trace %}\n`;

describe('hexo: show:explain and fix', function () {
  this.timeout(60000);

  it('explains the hairpin and shows the fixed rules; a fix block tells the story after the fix', async () => {
    const text = post('Loop', [
      block('loop show:summary', HAIRPIN),
      block('from:loop show:explain'),
      block('after from:loop fix'),
      block('from:after show:summary'),
    ].join('\n'));
    const dir = makeSite('explain', { posts: { 'l.md': text } });
    const hexo = await openHexo(dir);
    await hexo.load();
    const html = postOf(hexo, 'l.md').content;
    assert.ok(!html.includes('nat-trace-error'), html.slice(0, 500));
    const explainFig = /<figure[^>]*data-nat-trace="explain"[^]*?<\/figure>/.exec(html);
    assert.ok(explainFig, 'one explain figure');
    const fig = unescapeHTML(explainFig[0]);
    assert.match(fig, /<figcaption>Step \d+: The router rewrote only the destination/);
    assert.match(fig, /Fix: masquerade traffic from the LAN to the LAN/);
    assert.match(fig, /◀ new/);
    assert.match(fig, /action=masquerade/);
    // The fixed block: as many step figures as the fixed scenario has, and it connects.
    const fixedYaml = HAIRPIN.replace(/(routeros: \|\n(?: .*\n)*)/, (m) => `${m}  add chain=srcnat action=masquerade src-address=10.30.9.0/24 dst-address=10.30.9.0/24\n`);
    const steps = renderFigures(runScenario(fixedYaml), { lang: 'en', show: ['steps'] }).length;
    assert.strictEqual(runScenario(fixedYaml).trace.outcome, 'established');
    assert.strictEqual(count(html, /data-nat-trace="step-/g), steps);
    const summaries = [...html.matchAll(/<figure[^>]*data-nat-trace="summary"[^]*?<\/figure>/g)].map((m) => unescapeHTML(m[0]));
    assert.strictEqual(summaries.length, 2);
    assert.match(summaries[0], /timeout/);
    assert.match(summaries[1], /established/);
    assert.match(summaries[1], /10\.30\.9\.1:40000/);
  });

  it('explains in the post language (zh-TW front matter)', async () => {
    const dir = makeSite('explain-tw', { posts: { 't.md': post('T', block('from:x show:explain'), { lang: 'zh-TW' }) }, data: { 'x.yml': HAIRPIN } });
    const hexo = await openHexo(dir);
    await hexo.load();
    const html = unescapeHTML(postOf(hexo, 't.md').content);
    assert.match(html, /<figcaption>第 \d+ 步：路由器只改寫了目的位址/);
    assert.match(html, /◀ 新增/);
  });

  it('a fix block on a connection that works is one error at the block', async () => {
    const ok = HAIRPIN.replace('trace: pc -> 203.0.113.22:5000', 'trace: pc -> web:5000');
    const text = post('Ok', `Intro\n\n${block('fix', ok)}`);
    const dir = makeSite('explain-err', { posts: { 'o.md': text } });
    const hexo = await openHexo(dir);
    let err;
    try { await hexo.load(); } catch (e) { err = e; }
    assert.ok(err, 'the build fails');
    const line = lineOf(text, '{% nat_trace fix');
    assert.match(err.message, new RegExp(`source/_posts/o\\.md:${line}: fix: the connection is already established; there is nothing to fix`));
    assert.ok(!err.message.includes('\n'));
  });
});
