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

  it('errors name the post line of the mistake: an indented block, a same-line body, the <% %> spelling', async () => {
    const indented = broken.split('\n').map((l) => (l ? '   ' + l : l)).join('\n');
    const text = post('Lines', [
      'Intro.', '', '1. A list item:', '', `   {% nat_trace a %}\n${indented}   {% endnat_trace %}`, '',
      `<% nat_trace b %>\n${broken}<% endnat_trace %>`, '',
      '{% nat_trace c %}trace: nobody -> 203.0.113.22:5000', `${HAIRPIN.replace(/^trace:.*\n/m, '')}{% endnat_trace %}`, '',
    ].join('\n'));
    const hexo = await openHexo(makeSite('lines', { posts: { 'l.md': text } }));
    const err = await loadError(hexo);
    assert.ok(err);
    const lines = err.message.split('\n').slice(1);
    assert.strictEqual(lines.length, 3, err.message);
    const first = lineOf(text, 'gatway');
    assert.match(lines[0], new RegExp(`^source/_posts/l\\.md:${first}(:\\d+)?: unknown key "gatway".*nat_trace block at source/_posts/l\\.md:${lineOf(text, '{% nat_trace a')}`));
    assert.match(lines[1], new RegExp(`^source/_posts/l\\.md:${lineOf(text, 'gatway', text.indexOf('<% nat_trace b'))}(:\\d+)?: unknown key "gatway"`));
    assert.match(lines[2], new RegExp(`^source/_posts/l\\.md:${lineOf(text, 'trace: nobody')}(:\\d+)?: trace: no host`));
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

describe('hexo: nothing in a block body reaches the page unescaped', function () {
  this.timeout(120000);
  const { JSDOM } = require('jsdom');
  const { hexoCli } = require('./helpers');
  const fs = require('fs');
  const path = require('path');
  const XSS = '<img src=x onerror=alert(document.domain)>';
  const withTitle = (title) => `title: ${JSON.stringify(title)}\n${HAIRPIN}`;
  const withLabel = (label) => HAIRPIN.replace('  pc:  { interface: bridge,', `  pc:  { label: ${JSON.stringify(label)}, interface: bridge,`);

  /** Elements and attributes a page must not have: anything that runs script or loads from a post's text. */
  function liveMarkup(html) {
    const { document } = new JSDOM(html).window;
    const found = [];
    for (const el of document.querySelectorAll('*')) {
      if (['IMG', 'SCRIPT', 'IFRAME', 'OBJECT', 'EMBED'].includes(el.tagName) && !el.closest('.nat-trace-figure')) found.push(el.outerHTML.slice(0, 80));
      for (const a of el.attributes) if (/^on/i.test(a.name)) found.push(`${el.tagName} ${a.name}`);
    }
    return found;
  }

  const angle = (args, body) => `<% nat_trace ${args} %>\n${body}<% endnat_trace %>\n`;

  it('the <% %> spelling: a <!-- in one body and a --> in a later one are no comment', async () => {
    const text = post('Angle', [
      'Intro.', '', angle('a step:1', withTitle('<!-- opens')), 'Between one.', '',
      angle('b step:1', withLabel(XSS)), 'Between two.', '', angle('c step:1', withTitle('closes -->')), 'After.', '',
    ].join('\n'));
    const hexo = await openHexo(makeSite('angle-xss', { posts: { 'x.md': text } }));
    await hexo.load();
    const html = postOf(hexo, 'x.md').content;
    assert.deepStrictEqual(liveMarkup(html), []);
    const { document } = new JSDOM(html).window;
    const blocks = document.querySelectorAll('div.nat-trace');
    assert.strictEqual(blocks.length, 3, 'all three blocks are figures');
    assert.ok(document.body.textContent.includes('Between one.') && document.body.textContent.includes('Between two.'));
    assert.ok(!html.includes('<% nat_trace') && !html.includes('&lt;% nat_trace'), 'no block left as text');
    assert.ok(!html.includes('__at:'));
  });

  it('the {% %} spelling: bodies with {% endraw %}, -->, </script>, {{ }} and Nunjucks syntax stay in their figure', async () => {
    const labels = ['{% endraw %}' + XSS, '--> ' + XSS, '</script><script>alert(1)</script>', '{{ 7*7 }}' + XSS, '{% if true %}' + XSS + '{% endif %}', '{# x #}' + XSS, '{% endnat_trace' + XSS, '<!--' + XSS];
    const body = ['{% raw %}raw text{% endraw %}', '', ...labels.map((l, i) => `${block(`b${i} step:1`, withLabel(l))}\nText ${i}.\n`)].join('\n');
    const dir = makeSite('brace-xss', { theme: 'landscape', posts: { 'y.md': post('Brace', body) } });
    const r = await hexoCli(dir, ['generate']);
    assert.strictEqual(r.code, 0, r.stdout + r.stderr);
    const page = fs.readFileSync(path.join(dir, 'public', 'y', 'index.html'), 'utf8');
    const entry = new JSDOM(page).window.document.querySelector('.article-entry');
    assert.ok(entry, 'the theme page has the post');
    const html = entry.innerHTML;
    assert.deepStrictEqual(liveMarkup(html), []);
    const { document } = new JSDOM(html).window;
    assert.strictEqual(document.querySelectorAll('div.nat-trace').length, labels.length, 'every block is a figure');
    for (let i = 0; i < labels.length; i++) assert.ok(document.body.textContent.includes(`Text ${i}.`));
    // Each label is drawn as text, verbatim (Nunjucks did not read it).
    const texts = [...document.querySelectorAll('svg text, svg title')].map((t) => t.textContent).join('\n');
    assert.ok(texts.includes('{{ 7*7 }}'), 'the label is text, not a Nunjucks expression');
    assert.ok(!texts.includes('49'));
  });
});

describe('hexo: ids are unique within a page', function () {
  this.timeout(120000);
  const { JSDOM } = require('jsdom');
  const { hexoCli } = require('./helpers');
  const fs = require('fs');
  const path = require('path');

  function pages(dir) {
    const out = [];
    const walk = (d) => { for (const e of fs.readdirSync(d, { withFileTypes: true })) { const p = path.join(d, e.name); if (e.isDirectory()) walk(p); else if (e.name.endsWith('.html')) out.push(p); } };
    walk(path.join(dir, 'public'));
    return out.sort();
  }

  /** Duplicate ids, and aria-labelledby / aria-describedby tokens that do not name exactly one element. */
  function idProblems(html) {
    const { document } = new JSDOM(html).window;
    const count = new Map();
    for (const el of document.querySelectorAll('[id]')) count.set(el.id, (count.get(el.id) || 0) + 1);
    const problems = [...count].filter(([, n]) => n > 1).map(([id, n]) => `${id} x${n}`);
    for (const el of document.querySelectorAll('[aria-labelledby],[aria-describedby]')) {
      for (const attr of ['aria-labelledby', 'aria-describedby']) {
        for (const ref of (el.getAttribute(attr) || '').split(/\s+/).filter(Boolean)) if (count.get(ref) !== 1) problems.push(`${attr} ${ref} names ${count.get(ref) || 0}`);
      }
    }
    return { problems, svgs: document.querySelectorAll('svg.nat-trace-svg').length };
  }

  it('a figure shown twice in a post, and in two posts on the index page, has its own ids each time', async () => {
    const twice = post('Twice', `${block('before', HAIRPIN)}\nAgain:\n\n${block('from:before step:2')}\n${block('from:before step:2')}`, { date: '2024-03-09 20:00:00' });
    const other = post('Other', `${block('x step:2', HAIRPIN)}`, { date: '2024-03-10 20:00:00' });
    const dir = makeSite('ids', { theme: 'landscape', posts: { 'twice.md': twice, 'other.md': other } });
    // The index page as hexo-generator-index makes it (every post in full, one page).
    fs.writeFileSync(path.join(dir, 'scripts', 'index-page.js'), `hexo.extend.generator.register('index', (locals) => ({
  path: 'index.html', layout: ['index', 'archive'],
  data: { __index: true, base: '/', total: 1, current: 1, current_url: '', posts: locals.posts.sort('-date'), prev: 0, prev_link: '', next: 0, next_link: '' },
}));\n`);
    const r = await hexoCli(dir, ['generate']);
    assert.strictEqual(r.code, 0, r.stdout + r.stderr);
    const seen = {};
    for (const file of pages(dir)) {
      const html = fs.readFileSync(file, 'utf8');
      const { problems, svgs } = idProblems(html);
      assert.deepStrictEqual(problems, [], path.relative(dir, file));
      seen[path.relative(path.join(dir, 'public'), file)] = { svgs, html };
    }
    const stepsOf = require('../../dist/render').renderFigures(require('../../dist/index').runScenario(HAIRPIN), { lang: 'en', show: ['steps'] }).length;
    assert.strictEqual(seen['twice/index.html'].svgs, stepsOf + 2);
    assert.strictEqual(seen['index.html'].svgs, stepsOf + 3, 'the index page shows both posts');
    // Deterministic: a second build gives the same pages.
    const again = await hexoCli(dir, ['generate', '--force']);
    assert.strictEqual(again.code, 0, again.stderr);
    for (const [rel, { html }] of Object.entries(seen)) assert.strictEqual(fs.readFileSync(path.join(dir, 'public', rel), 'utf8'), html, rel);
  });
});

describe('hexo: second attacker pass (block options, data files)', function () {
  this.timeout(120000);
  const fs = require('fs');
  const path = require('path');
  // (A symlink to /dev/zero under source/_data hangs Hexo's own data processor before any block runs; the CLI test covers devices.)
  it('theme:constructor, steps:1-100000000 and a from: data file over the size limit are one message each', async () => {
    const text = post('Attack', block('theme:constructor', HAIRPIN) + block('steps:1-100000000', HAIRPIN) + block('from:zero'));
    const dir = makeSite('attack', { posts: { 'a.md': text }, config: { nat_trace: { fail_on_error: false } } });
    fs.mkdirSync(path.join(dir, 'source', '_data', 'nat_trace'), { recursive: true });
    fs.writeFileSync(path.join(dir, 'source', '_data', 'nat_trace', 'zero.yml'), `title: ${'x'.repeat(4 * 1024 * 1024)}\n`);
    const hexo = await openHexo(dir);
    const errors = logErrors(hexo);
    await hexo.load();
    assert.strictEqual(errors.length, 3, errors.join('\n'));
    assert.match(errors[0], /unknown figure theme "constructor"/);
    assert.match(errors[1], /steps: step 100000000 is beyond any trace/);
    assert.match(errors[2], /source\/_data\/nat_trace\/zero\.yml: is larger than 4 MB/);
    for (const e of errors) assert.doesNotMatch(e, /internal error/);
    assert.strictEqual((postOf(hexo, 'a.md').content.match(/class="nat-trace-error"/g) || []).length, 3);
  });
});
