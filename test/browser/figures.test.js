'use strict';
// The figures as readers see them: Chromium (Debian's /usr/bin/chromium)
// loads the example site and a site of stress scenarios (test/stress/*.yml),
// each served by a real `hexo server` on loopback, at desktop and phone
// widths in light and dark, and checks every figure's layout as laid out by
// the browser (see check.js). Screenshots of the example figures are written
// to a folder printed at the end. Skipped, with a message, without Chromium.
const assert = require('assert');
const fs = require('fs');
const path = require('path');
const H = require('./harness');
const C = require('./check');
const { runScenario } = require('../../dist/index');
const { renderFigures, figureHtml } = require('../../dist/render');

const CHECKS = [
  ['box', 'every text lies inside its box (node, mark, card, table cell)'],
  ['viewbox', 'every text lies inside the figure\'s viewBox'],
  ['overlap', 'no two texts overlap'],
  ['shape', 'no text lies on a box or mark that is not its own'],
  ['arrow', 'no packet arrow passes under a text'],
  ['line', 'no link, lifeline or rule line runs under a text'],
  ['width', 'every figure fits the article column; no page scrolls sideways'],
  ['size', 'at desktop width no figure is scaled down until its text is under 8px'],
  ['contrast', 'text contrast is readable in light and dark (WCAG 4.5, 3 for large or dimmed text)'],
  ['load', 'every figure file loads'],
];
const MAX_LINES = 60;

function report(lines) {
  const shown = lines.slice(0, MAX_LINES).join('\n');
  return `${lines.length} failure${lines.length === 1 ? '' : 's'}:\n${shown}${lines.length > MAX_LINES ? `\n... and ${lines.length - MAX_LINES} more` : ''}`;
}

describe('browser: figures in Chromium', function () {
  this.timeout(120000);
  let browser; let page; let svgPage;

  before(async function () {
    if (!H.haveChromium()) {
      console.log(`      ${H.skipMessage()}`);
      this.skip();
    }
    browser = await H.launch();
    page = await H.newPage(browser);
    svgPage = await H.newPage(browser);
  });

  after(async () => {
    if (browser) await browser.close();
  });

  /**
   * Serve a site, visit its pages in every view and keep the check results.
   * `make()` returns { dir, pages?, expected? }; pages are crawled when absent.
   */
  function siteSuite(title, make, { shots } = {}) {
    describe(title, function () {
      const st = { figures: [], pages: [], served: 0 };
      let site; let server;

      before(async function () {
        site = make();
        server = await H.startServer(site.dir);
        st.pages = site.pages ? site.pages.map((p) => ({ path: p })) : await H.crawl(server.base);
        const svgCache = new Map();
        for (const p of st.pages) {
          const res = await page.goto(server.base + p.path);
          p.status = res.status();
          p.figureCount = await page.locator('figure.nat-trace-figure').count();
          p.errorBoxes = await page.locator('.nat-trace-error').count();
          if (!p.figureCount) continue;
          st.served++;
          for (const view of H.VIEWS) {
            await H.setView(page, view);
            await H.setView(svgPage, view);
            st.figures.push(...await C.checkPage(page, { label: p.path, view, svgPage, svgCache }));
            if (shots && view.width === H.VIEWS[0].width) await screenshots(page, shots, p.path, view.scheme);
          }
        }
      });

      after(async () => {
        if (server) await server.stop();
        if (site) H.rmSite(site.dir);
      });

      it('serves pages with figures, no error box, every figure checked in every view', () => {
        assert.ok(st.served >= (site.minPages || 1), `pages with figures: ${st.served}`);
        for (const p of st.pages) {
          assert.strictEqual(p.status, 200, p.path);
          assert.strictEqual(p.errorBoxes, 0, `${p.path}: error box`);
          if (site.expected && site.expected[p.path] !== undefined) assert.strictEqual(p.figureCount, site.expected[p.path], `${p.path}: figures`);
          // The crawler counted the figures in the served HTML; the browser shows as many.
          if (p.figures !== undefined) assert.strictEqual(p.figureCount, p.figures, `${p.path}: figures in the DOM`);
        }
        const perView = st.pages.reduce((a, p) => a + p.figureCount, 0);
        assert.strictEqual(st.figures.filter((f) => f.figure !== '(page)').length, perView * H.VIEWS.length);
        for (const f of st.figures) if (f.figure !== '(page)' && !f.problems.some((p) => p.check === 'load')) assert.ok(f.texts > 0, `${f.page} ${f.figure}: texts measured`);
        const phone = st.figures.filter((f) => f.view === 'phone light' && f.minFontPx);
        const small = phone.reduce((a, f) => (f.minFontPx < a.minFontPx ? f : a), { minFontPx: Infinity });
        console.log(`      ${perView} figures on ${st.served} page(s) x ${H.VIEWS.length} views; smallest text on a phone: ${small.minFontPx.toFixed(1)}px (${small.page} ${small.figure})`);
      });

      for (const [check, what] of CHECKS) {
        it(what, () => {
          const lines = C.describe(st.figures, [check]);
          assert.ok(lines.length === 0, report(lines));
        });
      }
    });
  }

  async function screenshots(pg, dir, pagePath, scheme) {
    const slug = pagePath.replace(/^\/|\/$/g, '').replace(/[^A-Za-z0-9_-]+/g, '_') || 'index';
    const out = path.join(dir, slug);
    fs.mkdirSync(out, { recursive: true });
    const figs = pg.locator('figure.nat-trace-figure');
    const n = await figs.count();
    for (let i = 0; i < n; i++) {
      const name = await figs.nth(i).getAttribute('data-nat-trace');
      await figs.nth(i).screenshot({ path: path.join(out, `${String(i + 1).padStart(2, '0')}-${name}-${scheme}.png`) });
    }
  }

  siteSuite('the example site', () => {
    const dir = H.exampleSite();
    return { dir, minPages: 2 };
  }, { shots: path.join(H.SHOTS, 'example') });

  siteSuite('the stress scenarios (test/stress)', () => {
    const scenarios = H.stressScenarios();
    const langs = ['en', 'zh-TW'];
    const s = H.stressSite(scenarios, langs);
    const expected = {};
    let i = 0;
    for (const sc of scenarios) {
      for (const lang of langs) expected[s.pages[i++]] = renderFigures(runScenario(sc.text), { lang, show: ['steps', 'rules', 'sequence', 'summary'] }).length;
    }
    return { ...s, expected, minPages: scenarios.length * langs.length };
  });

  after(() => {
    if (browser && fs.existsSync(path.join(H.SHOTS, 'example'))) console.log(`      screenshots of the example figures (desktop, light and dark): ${path.join(H.SHOTS, 'example')}`);
  });

  describe('the checker itself', function () {
    const hairpin = fs.readFileSync(path.join(H.ROOT, 'docs', 'figures', 'hairpin.yml'), 'utf8');
    let figs;

    before(function () {
      if (!browser) this.skip();
      figs = renderFigures(runScenario(hairpin), { lang: 'en', show: ['steps', 'rules'] });
    });

    async function run(svgs, view = H.VIEWS[0]) {
      const html = figureHtml(svgs, { mode: 'inline', lang: 'en' });
      await page.setContent(`<!DOCTYPE html><html><head><meta charset="utf-8"></head><body><article class="article-entry" style="width:700px;padding:0 10px">${html}</article></body></html>`);
      await H.setView(page, view);
      return C.checkPage(page, { label: 'self-test', view });
    }
    const problems = (res) => res.flatMap((f) => f.problems);

    it('finds nothing wrong with an untouched figure', async () => {
      const res = await run([figs.find((f) => f.step === 1)]);
      assert.strictEqual(res.length, 1);
      assert.ok(res[0].texts > 5);
      assert.deepStrictEqual(C.describe(res), []);
    });

    it('reports a label that overflows its box (node, then table cell)', async () => {
      const step = figs.find((f) => f.step === 1);
      // The host box stays as laid out for "web"; its label becomes far longer.
      const long = 'web server with a label far too long for its box';
      const bad = { ...step, svg: step.svg.replace(/(<text[^>]*>)web(<\/text>)/, `$1${long}$2`) };
      assert.notStrictEqual(bad.svg, step.svg, 'the label was replaced');
      const res = await run([bad]);
      const hit = problems(res).filter((p) => p.check === 'box' && p.text === long);
      assert.strictEqual(hit.length, 1, C.describe(res).join('\n'));
      assert.match(hit[0].detail, /overflows its box \(rect\.nd\).* by [\d.]+ (left|right)/);
      assert.match(C.describe(res).join('\n'), /self-test \[desktop light\] figure step-1 .*box "web server with a label far too long/);

      const rules = figs.find((f) => f.kind === 'rules');
      const cell = 'action=accept with a far longer action than its cell was laid out for';
      const badRules = { ...rules, svg: rules.svg.replace(/(<text[^>]*data-w="[\d.]+"[^>]*>)action=accept(<\/text>)/, `$1${cell}$2`) };
      assert.notStrictEqual(badRules.svg, rules.svg, 'the cell was replaced');
      const hits = problems(await run([badRules])).filter((p) => p.check === 'box' && p.text === cell);
      assert.strictEqual(hits.length, 1);
      assert.match(hits[0].detail, /wider than its cell/);
    });

    it('reports overlapping texts, a text outside the viewBox, on a foreign box, across a cloud\'s outline, under an arrow', async () => {
      const step = figs.find((f) => f.step === 1);
      await run([step]);
      await page.evaluate(() => {
        const texts = [...document.querySelectorAll('svg text')];
        const by = (s) => texts.find((t) => t.textContent === s);
        // Two labels on one spot.
        const a = by('bridge (LAN)'); const b = by('10.30.9.1/24');
        b.setAttribute('y', a.getAttribute('y'));
        b.setAttribute('x', a.getAttribute('x'));
        // The title pushed out of the figure.
        document.querySelector('svg > text.t').setAttribute('x', '-40');
        // A host's address moved into the router box.
        const router = document.querySelector('svg rect.rt');
        const addr = by('10.30.9.77');
        addr.setAttribute('x', String(router.x.baseVal.value + router.width.baseVal.value / 2));
        addr.setAttribute('y', String(router.y.baseVal.value + 20));
        // The cloud's word raised into the dip between its bumps (inside the
        // cloud's bounding box, across its outline).
        const cloud = document.querySelector('svg path.cl');
        const cb = cloud.getBBox();
        cloud.parentNode.querySelector('text').setAttribute('y', String(cb.y + 12));
        // A caption laid on the packet's path.
        const pts = [...document.querySelector('svg .pk').points];
        const mid = by('ether1 (WAN)');
        mid.setAttribute('x', String((pts[0].x + pts[1].x) / 2));
        mid.setAttribute('y', String((pts[0].y + pts[1].y) / 2 + 4));
      });
      const res = C.checkPage(page, { label: 'self-test', view: H.VIEWS[0] });
      const ps = problems(await res);
      const has = (check, text) => ps.some((p) => p.check === check && p.text === text);
      assert.ok(has('overlap', 'bridge (LAN)') || has('overlap', '10.30.9.1/24'), 'overlap');
      assert.ok(ps.some((p) => p.check === 'viewbox' && /left/.test(p.detail)), 'viewbox');
      assert.ok(has('shape', '10.30.9.77') || has('box', '10.30.9.77'), 'text on the router box');
      assert.ok(has('arrow', 'ether1 (WAN)'), 'arrow');
      assert.ok(ps.some((p) => p.check === 'box' && p.text === 'Internet' && /crosses the outline of its box \(path\.cl\)/.test(p.detail)), 'cloud outline');
    });

    it('reports unreadable contrast in dark mode and a figure wider than its column', async () => {
      const step = figs.find((f) => f.step === 2);
      await run([step], H.VIEWS[1]);
      // The title in the light palette's text colour, on the dark background.
      await page.evaluate(() => { document.querySelector('svg > text.t').style.fill = '#1f2328'; });
      let ps = problems(await C.checkPage(page, { label: 'self-test', view: H.VIEWS[1] }));
      assert.deepStrictEqual(ps.map((p) => p.check), ['contrast'], C.describe([{ page: '', view: '', figure: '', problems: ps }]).join('\n'));
      assert.match(ps[0].detail, /contrast 1\.\d+ < 4\.5 \(text #1f2328 on #0d1117\)/);
      await page.evaluate(() => {
        const svg = document.querySelector('svg.nat-trace-svg');
        svg.style.fill = '';
        svg.style.maxWidth = 'none';
        svg.style.width = '1000px';
      });
      ps = problems(await C.checkPage(page, { label: 'self-test', view: H.VIEWS[1] }));
      assert.ok(ps.some((p) => p.check === 'width' && /article column/.test(p.detail)), 'width');
    });
  });
});
