'use strict';
// SVG output: well-formed XML, no script, every piece of scenario text escaped,
// unique ids, byte-identical across runs, sizes and the HTML around figures.
const assert = require('assert');
const { JSDOM } = require('jsdom');
const { runScenario } = require('../../dist/index');
const { renderFigures, figureHtml, errorHtml } = require('../../dist/render');
const { S } = require('./story-scenarios');

const ALL = ['steps', 'rules', 'sequence', 'summary'];
const { window } = new JSDOM('');
const parseXml = (svg) => new window.DOMParser().parseFromString(svg, 'image/svg+xml');

// Host label, router label and a rule comment carrying markup characters.
const EVIL = S.hairpin
  .replace('pc:  { interface: bridge, address: 10.30.9.70, gateway: 10.30.9.1 }', 'pc:  { interface: bridge, address: 10.30.9.70, gateway: 10.30.9.1, label: "<b>&\\"pc" }')
  .replace('name: gw', 'name: gw\n  label: "R<script>alert(1)</script>"')
  .replace('comment="web server"', 'comment="<i>&amp;\'x"');

describe('render: SVG figures', function () {
  this.timeout(30000);

  for (const [name, text] of Object.entries(S)) {
    it(`${name}: every figure is well-formed, scriptless, titled, scalable`, () => {
      const figs = renderFigures(runScenario(text), { lang: 'en', show: ALL });
      assert.ok(figs.length >= 4);
      for (const f of figs) {
        const doc = parseXml(f.svg);
        assert.strictEqual(doc.getElementsByTagName('parsererror').length, 0, `${f.kind} ${f.step}: XML parses`);
        const root = doc.documentElement;
        assert.strictEqual(root.tagName, 'svg');
        assert.strictEqual(root.getAttribute('role'), 'img');
        assert.strictEqual(root.getAttribute('id'), f.id);
        assert.match(root.getAttribute('viewBox'), /^0 0 \d+ \d+$/);
        assert.match(root.getAttribute('style'), /width:100%;max-width:\d+px/);
        assert.ok(root.querySelector('title').textContent.length > 0);
        assert.ok(root.querySelector('desc').textContent.length > 0);
        assert.strictEqual(root.getElementsByTagName('style').length, 1, 'one style block');
        assert.match(root.getElementsByTagName('style')[0].textContent, /prefers-color-scheme:dark/);
        assert.strictEqual(root.getElementsByTagName('script').length, 0);
        assert.ok(!/\son[a-z]+=/i.test(f.svg), 'no event handler attributes');
        assert.ok(!/<svg\b/.test(f.svg.slice(4)), 'no nested svg');
      }
    });
  }

  it('escapes labels, router names and rule comments from the scenario', () => {
    const figs = renderFigures(runScenario(EVIL), { lang: 'en', show: ALL });
    const all = figs.map((f) => f.svg).join('\n');
    assert.ok(!all.includes('<b>'), 'no raw <b>');
    assert.ok(!all.includes('<script>'), 'no raw <script>');
    assert.ok(!all.includes('<i>'), 'no raw <i>');
    assert.ok(all.includes('&lt;b&gt;&amp;"pc') || all.includes('&lt;b&gt;&amp;&quot;pc'), 'the host label appears escaped');
    assert.ok(all.includes('&lt;i&gt;&amp;amp;'), 'the rule comment appears escaped');
    for (const f of figs) {
      const doc = parseXml(f.svg);
      assert.strictEqual(doc.getElementsByTagName('parsererror').length, 0);
      assert.strictEqual(doc.getElementsByTagName('script').length, 0);
      assert.strictEqual(doc.getElementsByTagName('b').length, 0);
    }
    const texts = [...parseXml(figs.find((f) => f.kind === 'step').svg).getElementsByTagName('text')].map((t) => t.textContent);
    assert.ok(texts.includes('<b>&"pc'), 'the label reads back verbatim');
    const html = figureHtml(figs, { mode: 'file', src: (f) => `x/${f.id}.svg`, lang: 'en' });
    assert.ok(!html.includes('<b>&'), 'alt text and captions are escaped');
    assert.ok(!html.includes('<script>'));
  });

  it('ids are unique across the figures of a trace and across scenarios, and stable', () => {
    const ids = new Set();
    let n = 0;
    for (const text of [S.hairpin, S.hairpinFixed, S.udp]) {
      for (const f of renderFigures(runScenario(text), { lang: 'en', show: ALL })) {
        n++;
        ids.add(f.id);
        for (const m of f.svg.matchAll(/\bid="([^"]+)"/g)) assert.ok(m[1].startsWith(f.id), 'every id derives from the figure id');
      }
    }
    assert.strictEqual(ids.size, n);
  });

  it('is byte-identical across two runs', () => {
    for (const lang of ['en', 'zh-TW']) {
      const a = renderFigures(runScenario(S.hairpinFixed), { lang, show: ALL, theme: 'mono' });
      const b = renderFigures(runScenario(S.hairpinFixed), { lang, show: ALL, theme: 'mono' });
      assert.deepStrictEqual(a.map((f) => f.svg), b.map((f) => f.svg));
    }
  });

  it('a step figure is a few KB; themes change colours only', () => {
    const figs = renderFigures(runScenario(S.hairpin), { lang: 'en', show: ['steps'] });
    for (const f of figs) assert.ok(f.svg.length <= 8192, `step ${f.step}: ${f.svg.length} bytes`);
    const mono = renderFigures(runScenario(S.hairpin), { lang: 'en', show: ['steps'], theme: 'mono' });
    assert.notStrictEqual(mono[0].svg, figs[0].svg);
    const strip = (s) => s.replace(/<style>[^]*<\/style>/, '').replace(/nt-[0-9a-f]+/g, '');
    assert.strictEqual(strip(mono[0].svg), strip(figs[0].svg));
  });

  it('the direct LAN reply is drawn away from the router; the fixed reply passes it', () => {
    const st = renderFigures(runScenario(S.hairpin), { lang: 'en', show: ['steps'], steps: [4] });
    assert.strictEqual(st.length, 1);
    assert.strictEqual(st[0].step, 4);
    // The router's node class is quieted in the direct step.
    const css = parseXml(st[0].svg).getElementsByTagName('style')[0].textContent;
    const routerClass = st[0].svg.match(/<g class="(n\d+)"><rect[^>]*class="rt"/)[1];
    assert.match(css, new RegExp(`\\.${routerClass}[,{]`));
    const fixed = renderFigures(runScenario(S.hairpinFixed), { lang: 'en', show: ['steps'] });
    const back = fixed.find((f) => /web → gw/.test(f.alt));
    const css2 = parseXml(back.svg).getElementsByTagName('style')[0].textContent;
    const rc2 = back.svg.match(/<g class="(n\d+)"><rect[^>]*class="rt"/)[1];
    assert.ok(!new RegExp(`\\.${rc2}[,{]`).test(css2), 'router is not quiet when the reply goes through it');
  });

  it('rewritten fields show the old value struck through and the new one', () => {
    const [f] = renderFigures(runScenario(S.hairpin), { lang: 'en', show: ['steps'], steps: [2] });
    const doc = parseXml(f.svg);
    const texts = [...doc.getElementsByTagName('text')];
    const old = texts.find((t) => t.textContent === '203.0.113.22:5000');
    const neu = texts.find((t) => t.textContent === '10.30.9.77:5000');
    assert.ok(old && neu);
    assert.strictEqual(neu.getAttribute('class'), 'rw');
    assert.ok(doc.querySelector('line.st'), 'a strike-through line');
    assert.ok(doc.querySelector('rect.hl'), 'a highlighted cell');
  });

  it('rule table marks the rules that acted, in their own dialect', () => {
    const [f] = renderFigures(runScenario(S.filterReject), { lang: 'en', show: ['rules'] });
    assert.match(f.svg, /--reject-with tcp-reset/);
    assert.match(f.svg, /-j DNAT --to-destination 10\.30\.9\.77/);
    assert.strictEqual((f.svg.match(/◀ acted/g) || []).length, 2);
    const [r] = renderFigures(runScenario(S.hairpin), { lang: 'en', show: ['rules'] });
    assert.match(r.svg, /action=dst-nat/);
  });

  it('figureHtml: one figure per SVG, inline or as <img>; errorHtml escapes', () => {
    const figs = renderFigures(runScenario(S.hairpin), { lang: 'zh-TW', show: ['steps', 'summary'] });
    const inline = figureHtml(figs, { mode: 'inline', lang: 'zh-TW' });
    assert.strictEqual((inline.match(/<figure\b/g) || []).length, figs.length);
    // A step figure also carries its narrow layout (a second drawing, without files to point to).
    const narrow = figs.filter((f) => f.narrow).length;
    assert.ok(narrow > 0 && narrow <= figs.filter((f) => f.kind === 'step').length, `narrow layouts: ${narrow}`);
    assert.strictEqual((inline.match(/<svg\b/g) || []).length, figs.length + narrow);
    assert.match(inline, /lang="zh-TW"/);
    const file = figureHtml(figs, { mode: 'file', src: (f) => `/p/${f.id}.svg`, lang: 'zh-TW', caption: 'A <caption>' });
    assert.strictEqual((file.match(/<img\b/g) || []).length, figs.length);
    assert.ok(!/<svg\b/.test(file));
    assert.match(file, /A &lt;caption&gt;/);
    // Each figure in its own focusable, named box that scrolls sideways; the figure
    // no narrower than where its 11-unit text is drawn at 9px.
    // (Inline, a step's narrow layout has a box of its own after the wide one's; file mode here has no narrow files.)
    for (const [html, withNarrow] of [[inline, true], [file, false]]) {
      const boxes = [...html.matchAll(/<div class="nat-trace-scroll" role="region" tabindex="0" aria-label="([^"]+)">/g)];
      assert.deepStrictEqual(boxes.map((m) => m[1]), figs.flatMap((f) => (withNarrow && f.narrow ? [f.title, f.title] : [f.title])));
    }
    const vb = figs.map((f) => Number(/viewBox="0 0 (\d+) (\d+)"/.exec(f.svg)[1]));
    const drawn = figs.flatMap((f, i) => (f.narrow ? [vb[i], f.narrow.width] : [vb[i]]));
    assert.deepStrictEqual([...inline.matchAll(/<div style="min-width:(\d+)px"><svg\b/g)].map((m) => Number(m[1])), drawn.map((w) => Math.ceil((w * 9) / 11)));
    const imgs = [...file.matchAll(/<a class="nat-trace-open nat-trace-v-auto" href="([^"]+)"[^>]*><img class="nat-trace-img no-lightbox no-lazyload" src="([^"]+)"[^>]* width="(\d+)"[^>]*style="max-width:(\d+)px;min-width:(\d+)px">/g)];
    assert.deepStrictEqual(imgs.map((m) => [m[1], m[2], Number(m[3]), Number(m[4]), Number(m[5])]), figs.map((f, i) => [`/p/${f.id}.svg`, `/p/${f.id}.svg`, vb[i], vb[i], Math.ceil((vb[i] * 9) / 11)]));
    const err = errorHtml('bad <rule> & "x"', 'en');
    assert.match(err, /nat-trace-error/);
    assert.match(err, /bad &lt;rule&gt; &amp; &quot;x&quot;/);
  });
});
