'use strict';
// Issue 10, the Hexo side: one message per mistake (a broken block reused by
// later ones, a wrong `nat_trace:` config), each at the line of the mistake.
const assert = require('assert');
const { HAIRPIN, post, makeSite, openHexo, postOf, lineOf } = require('./helpers');

const block = (args, body = '') => `{% nat_trace ${args} %}\n${body}{% endnat_trace %}\n`;

/** Collects what the plugin logs as errors on a Hexo instance. */
function logErrors(hexo) {
  const seen = [];
  const orig = hexo.log.error.bind(hexo.log);
  hexo.log.error = (...a) => { seen.push(a.map(String).join(' ')); return orig(...a); };
  return seen;
}

async function loadError(hexo) {
  try { await hexo.load(); } catch (e) { return e; }
  return undefined;
}

describe('hexo: one message per mistake', function () {
  this.timeout(60000);
  const broken = HAIRPIN.replace('  web: {', '  web: { gatway: 10.30.9.1,');

  it('a broken block reused by later from: blocks is reported once, at its own line', async () => {
    const text = post('Reuse', [block('base', broken), block('from:base step:1'), block('again from:base step:2'), block('from:again'), block('ok', HAIRPIN)].join('\n'));
    const dir = makeSite('dep', { posts: { 'r.md': text } });
    const hexo = await openHexo(dir);
    const err = await loadError(hexo);
    assert.ok(err, 'the build fails');
    assert.ok(!err.message.includes('\n'), `one message, not one per reusing block:\n${err.message}`);
    assert.match(err.message, new RegExp(`^source/_posts/r\\.md:${lineOf(text, 'gatway')}(:\\d+)?: unknown key "gatway"`));
    assert.ok(!/cannot be reused/.test(err.message));
  });

  it('under hexo server the reusing blocks show the cause in their box, logged once', async () => {
    const text = post('Reuse', [block('base', broken), block('from:base step:1'), block('again from:base'), block('from:again')].join('\n'));
    const dir = makeSite('depserve', { config: { nat_trace: { fail_on_error: false } }, posts: { 'r.md': text } });
    const hexo = await openHexo(dir);
    const logged = logErrors(hexo);
    await hexo.load();
    const html = postOf(hexo, 'r.md').content;
    assert.strictEqual((html.match(/class="nat-trace-error"/g) || []).length, 4, 'every block shows a box');
    assert.strictEqual((html.match(/unknown key &quot;gatway&quot;/g) || []).length, 4, 'each box names the cause');
    assert.strictEqual(logged.filter((l) => /nat_trace|gatway/.test(l)).length, 1, `logged once: ${logged.join('\n')}`);
  });

  it('a wrong nat_trace config is one message naming _config.yml, the key and its line', async () => {
    const text = post('Cfg', [block('a', HAIRPIN), block('from:a step:1'), block('from:a step:2')].join('\n'));
    for (const [cfg, key, re] of [
      [{ theme: 'light' }, 'theme', /unknown figure theme "light" \(expected one of default, mono, warm, dark/],
      [{ output: 'files' }, 'output', /unknown output mode "files".*did you mean `file`/],
      [{ sport: 'x' }, 'sport', /not a port/],
      [{ themes: 'mono' }, 'themes', /unknown key "themes".*did you mean `theme`/],
    ]) {
      const dir = makeSite('cfg', { config: { nat_trace: cfg }, posts: { 'c.md': text, 'd.md': text } });
      const configText = require('fs').readFileSync(require('path').join(dir, '_config.yml'), 'utf8');
      const hexo = await openHexo(dir);
      const err = await loadError(hexo);
      assert.ok(err, `the build fails for ${key}`);
      assert.ok(!err.message.includes('\n'), `one message:\n${err.message}`);
      assert.match(err.message, new RegExp(`^_config\\.yml:${lineOf(configText, `${key}:`, configText.indexOf('nat_trace:'))}: nat_trace\\.${key}: `));
      assert.match(err.message, re);
      assert.ok(!/_posts/.test(err.message), 'not reported against post lines');
    }
  });

  it('under hexo server a wrong config is logged once and every block shows it', async () => {
    const text = post('Cfg', [block('a', HAIRPIN), block('from:a step:1'), block('from:a step:2')].join('\n'));
    const dir = makeSite('cfgserve', { config: { nat_trace: { theme: 'light', fail_on_error: false } }, posts: { 'c.md': text, 'd.md': text } });
    const hexo = await openHexo(dir);
    const logged = logErrors(hexo);
    await hexo.load();
    for (const p of ['c.md', 'd.md']) {
      const html = postOf(hexo, p).content;
      assert.strictEqual((html.match(/class="nat-trace-error"/g) || []).length, 3);
      assert.match(html, /_config\.yml:\d+: nat_trace\.theme: unknown figure theme/);
    }
    assert.strictEqual(logged.filter((l) => /nat_trace/.test(l)).length, 1, `logged once: ${logged.join('\n')}`);
  });

  it('a step the trace does not have says how many steps it has', async () => {
    const { runScenario } = require('../../dist/index');
    const { renderFigures } = require('../../dist/render');
    const total = renderFigures(runScenario(HAIRPIN), { lang: 'en', show: ['steps'] }).length;
    const text = post('Steps', block('a', HAIRPIN) + block('from:a step:40'));
    const hexo = await openHexo(makeSite('steps', { posts: { 's.md': text } }));
    const err = await loadError(hexo);
    assert.ok(err);
    assert.match(err.message, new RegExp(`step 40 does not exist: this trace has ${total} steps .*expected steps from 1 to ${total}`));
  });
});
