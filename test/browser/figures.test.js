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
const { FRAME_CSS, layoutCss } = require('../../dist/render/pagecss');

const CHECKS = [
  ['box', 'every text lies inside its box (node, mark, card, table cell)'],
  ['viewbox', 'every text lies inside the figure\'s viewBox'],
  ['overlap', 'no two texts overlap'],
  ['shape', 'no text lies on a box or mark that is not its own'],
  ['arrow', 'no packet arrow passes under a text'],
  ['line', 'no link, lifeline or rule line runs under a text'],
  ['width', 'every figure\'s box fits the article column; no page scrolls sideways'],
  ['scroll', 'a figure wider than its box scrolls sideways in it, keyboard users can focus it, it is named, its caption stays under it'],
  ['size', `no figure's text is drawn under ${C.MIN_TEXT_PX}px, on a phone either`],
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
  const B = H.useBrowser();
  let browser; let page; let svgPage;
  before(() => ({ browser, page, svgPage } = B));

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
          // What the theme's script added to a figure (landscape captions a bare <img> with its alt text).
          p.themeAdded = await page.locator('figure.nat-trace-figure .caption, figure.nat-trace-figure [data-fancybox]:not(.nat-trace-open)').count();
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

      it('serves pages with figures, no error box, nothing added by the theme, every figure checked in every view', () => {
        assert.ok(st.served >= (site.minPages || 1), `pages with figures: ${st.served}`);
        for (const p of st.pages) {
          assert.strictEqual(p.status, 200, p.path);
          assert.strictEqual(p.errorBoxes, 0, `${p.path}: error box`);
          assert.strictEqual(p.themeAdded, 0, `${p.path}: the theme's script added captions or lightbox links to figures`);
          if (site.expected && site.expected[p.path] !== undefined) assert.strictEqual(p.figureCount, site.expected[p.path], `${p.path}: figures`);
          // The crawler counted the figures in the served HTML; the browser shows as many.
          if (p.figures !== undefined) assert.strictEqual(p.figureCount, p.figures, `${p.path}: figures in the DOM`);
        }
        const perView = st.pages.reduce((a, p) => a + p.figureCount, 0);
        assert.strictEqual(st.figures.filter((f) => f.figure !== '(page)').length, perView * H.VIEWS.length);
        for (const f of st.figures) if (f.figure !== '(page)' && !f.problems.some((p) => p.check === 'load')) assert.ok(f.texts > 0, `${f.page} ${f.figure}: texts measured`);
        const smallest = (view) => st.figures.filter((f) => f.view === view && f.minFontPx).reduce((a, f) => (f.minFontPx < a.minFontPx ? f : a), { minFontPx: Infinity });
        const small = smallest('phone light');
        const scrolling = (view) => st.figures.filter((f) => f.view === view && f.scrolls).length;
        // On a phone a step figure shows its narrow layout whole: only rule tables, sequences and summaries may scroll.
        assert.deepStrictEqual(st.figures.filter((f) => /^phone/.test(f.view) && /^step-/.test(f.figure) && f.scrolls).map((f) => `${f.page} [${f.view}] ${f.figure}: ${f.width}px in a ${f.box}px box`), []);
        console.log(`      ${perView} figures on ${st.served} page(s) x ${H.VIEWS.length} views; smallest text on a phone: ${small.minFontPx.toFixed(1)}px (${small.page} ${small.figure}), on a desktop: ${smallest('desktop light').minFontPx.toFixed(1)}px; figures scrolling in their box: ${scrolling('phone light')} on a phone, ${scrolling('desktop light')} on a desktop`);
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

    /** A page with the figures in a 700px article column, or (column: 'fluid') one as wide as the view. */
    async function run(svgs, view = H.VIEWS[0], { column = 'fixed' } = {}) {
      const html = figureHtml(svgs, { mode: 'inline', lang: 'en' });
      const style = column === 'fluid' ? 'padding:0 10px' : 'width:700px;padding:0 10px';
      await page.setContent(`<!DOCTYPE html><html><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1"><style>${FRAME_CSS}${layoutCss(html)}</style></head><body style="margin:0"><article class="article-entry" style="${style}">${html}</article></body></html>`);
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

    it('reports unreadable contrast in dark mode', async () => {
      const step = figs.find((f) => f.step === 2);
      await run([step], H.VIEWS[1]);
      // The title in the light palette's text colour, on the dark background.
      await page.evaluate(() => { document.querySelector('svg > text.t').style.fill = '#1f2328'; });
      const ps = problems(await C.checkPage(page, { label: 'self-test', view: H.VIEWS[1] }));
      assert.deepStrictEqual(ps.map((p) => p.check), ['contrast'], C.describe([{ page: '', view: '', figure: '', problems: ps }]).join('\n'));
      assert.match(ps[0].detail, /contrast 1\.\d+ < 4\.5 \(text #1f2328 on #0d1117\)/);
    });

    it('lets a wide figure scroll in its box; reports one outside it, in a box that does not scroll, cannot be focused or has no name, and a caption above it', async () => {
      const view = H.VIEWS[0];
      const step = figs.find((f) => f.step === 2);
      const check = async () => problems(await C.checkPage(page, { label: 'self-test', view }));
      await run([step], view);
      await page.evaluate(() => {
        const svg = document.querySelector('svg.nat-trace-svg');
        svg.style.maxWidth = 'none';
        svg.style.width = '1000px';
      });
      let res = await C.checkPage(page, { label: 'self-test', view });
      assert.deepStrictEqual(C.describe(res), [], 'a 1000px figure scrolling in its box is fine');
      assert.ok(res[0].scrolls && res[0].width === 1000 && res[0].box <= 700, JSON.stringify(res[0]));

      // Out of its box, straight in the <figure>.
      await page.evaluate(() => { const svg = document.querySelector('svg.nat-trace-svg'); svg.closest('figure').prepend(svg); });
      let ps = await check();
      assert.deepStrictEqual(ps.map((p) => p.check), ['width']);
      assert.match(ps[0].detail, /^figure spans [\d.]+–[\d.]+px, the article column/);

      // Back in a box that clips instead of scrolling, without tabindex or name.
      await page.evaluate(() => {
        const svg = document.querySelector('svg.nat-trace-svg');
        const box = document.querySelector('.nat-trace-scroll');
        box.firstElementChild.append(svg);
        box.style.setProperty('overflow-x', 'hidden', 'important'); // the page's frame CSS sets it with !important
        box.removeAttribute('tabindex');
        box.removeAttribute('aria-label');
      });
      ps = await check();
      assert.deepStrictEqual(ps.map((p) => p.check), ['scroll', 'scroll', 'scroll'], C.describe([{ page: '', view: '', figure: '', problems: ps }]).join('\n'));
      assert.match(ps.map((p) => p.detail).join('\n'), /does not scroll \(overflow-x: hidden\)[^]*cannot focus[^]*no name/);

      // A scrolling box again, with the caption moved above it.
      await page.evaluate(() => {
        const box = document.querySelector('.nat-trace-scroll');
        box.style.overflowX = 'auto';
        box.tabIndex = 0;
        box.setAttribute('aria-label', 'x');
        box.closest('figure').prepend(box.closest('figure').querySelector('figcaption'));
      });
      ps = await check();
      assert.deepStrictEqual(ps.map((p) => p.check), ['scroll']);
      assert.match(ps[0].detail, /caption starts at/);
    });

    it('on a phone a step figure shows its narrow layout, whole, at a readable size; on a desktop the wide one', async () => {
      const step = figs.find((f) => f.step === 2);
      assert.ok(step.narrow && step.narrow.width < step.width, 'the step has a narrower layout');
      const shown = () => page.evaluate(() => [...document.querySelectorAll('svg.nat-trace-svg')].filter((s) => s.getClientRects().length).map((s) => s.viewBox.baseVal.width));
      await run([step], H.VIEWS[2], { column: 'fluid' });
      let res = await C.checkPage(page, { label: 'self-test', view: H.VIEWS[2] });
      assert.deepStrictEqual(C.describe(res), []);
      assert.deepStrictEqual(await shown(), [step.narrow.width]);
      assert.ok(res.length === 1 && !res[0].scrolls && res[0].minFontPx >= C.MIN_TEXT_PX - 0.05, JSON.stringify(res));
      await run([step], H.VIEWS[0]);
      res = await C.checkPage(page, { label: 'self-test', view: H.VIEWS[0] });
      assert.deepStrictEqual(C.describe(res), []);
      assert.deepStrictEqual(await shown(), [step.width]);
    });

    it('on a phone: a figure scrolls in its box at a readable size; reports one shrunk below the minimum text size, and a page that scrolls sideways', async () => {
      const view = H.VIEWS[2];
      // The step without its narrow layout: what a rule table or a sequence view does on a phone.
      const step = { ...figs.find((f) => f.step === 1), narrow: undefined };
      await run([step], view, { column: 'fluid' });
      let res = await C.checkPage(page, { label: 'self-test', view });
      assert.deepStrictEqual(C.describe(res), []);
      assert.ok(res[0].column < 400 && res[0].scrolls, `the figure scrolls in a ${res[0].column}px column`);
      assert.ok(res[0].minFontPx >= C.MIN_TEXT_PX - 0.05, `smallest text ${res[0].minFontPx}px`);

      // Without its minimum width the figure shrinks to the column: 11-unit text at about 5px.
      const minWidth = await page.evaluate(() => {
        const inner = document.querySelector('svg.nat-trace-svg').parentElement;
        const was = inner.style.minWidth;
        inner.style.minWidth = '0';
        return was;
      });
      assert.match(minWidth, /^\d+px$/);
      res = await C.checkPage(page, { label: 'self-test', view });
      const ps = problems(res);
      assert.deepStrictEqual(ps.map((p) => p.check), ['size'], C.describe(res).join('\n'));
      assert.match(ps[0].detail, new RegExp(`its 11-unit text is drawn at [3-7]\\.\\dpx \\(< ${C.MIN_TEXT_PX}\\)`));
      assert.match(C.describe(res)[0], /self-test \[phone light\] figure step-1 .*: size: /);

      // The box no longer clips: the figure at its minimum width widens the page.
      await page.evaluate((w) => {
        document.querySelector('svg.nat-trace-svg').parentElement.style.minWidth = w;
        const box = document.querySelector('.nat-trace-scroll');
        box.style.setProperty('overflow', 'visible', 'important');
        box.style.setProperty('contain', 'none', 'important');
      }, minWidth);
      res = await C.checkPage(page, { label: 'self-test', view });
      assert.deepStrictEqual(problems(res).map((p) => p.check).sort(), ['width', 'width'], C.describe(res).join('\n'));
      assert.match(C.describe(res).join('\n'), /figure \(page\): width: the page scrolls sideways by \d+px/);
    });
  });
});
