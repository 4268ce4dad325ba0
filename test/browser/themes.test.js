'use strict';
// The figures inside the themes people run (landscape, NexT, butterfly,
// Fluid, Redefine, Icarus, from the npm registry as devDependencies): each theme's
// site is built with `hexo generate` and served from public/ on loopback,
// then read in Chromium at 1280 and 390 px, with the OS light and dark, and
// with the theme's own toggle set against the OS (the attribute or class its
// toggle script sets on <html>). Checked: the suite's layout checks, captions
// visible and readable against what is behind them, the figure's scheme the
// page's, the scroll hint exactly when a figure scrolls in its box, no
// dark-mode image filter on figure files; the word counts and search.xml of
// the post equal those of the same post without blocks plus its captions;
// the feed's figures are images at absolute URLs the site serves.
const assert = require('assert');
const fs = require('fs');
const path = require('path');
const { stripHTML } = require('hexo-util');
const H = require('./harness');
const C = require('./check');

/** How a theme's toggle marks the page (what its script does), or null: no toggle. */
const TOGGLES = {
  landscape: null,
  next: null,
  butterfly: (s) => document.documentElement.setAttribute('data-theme', s),
  fluid: (s) => document.documentElement.setAttribute('data-user-color-scheme', s),
  redefine: (s) => {
    document.documentElement.classList.remove('dark', 'light');
    document.documentElement.classList.add(s);
    document.body.classList.remove('dark-mode', 'light-mode');
    document.body.classList.add(`${s}-mode`);
  },
  // Icarus 6 is light only (hexo-renderer-inferno; runs under Hexo 8 although it names hexo ^7 as its own dependency).
  icarus: null,
};
const THEMES = Object.keys(TOGGLES).filter((t) => !process.env.NAT_TRACE_THEMES || process.env.NAT_TRACE_THEMES.split(',').includes(t));

/** The in-page probe: per figure, its caption, the page's and the figure's scheme, the scroll hint. */
function probe() {
  const parse = (s) => {
    const m = /rgba?\(([^)]+)\)/.exec(s || '');
    if (!m) return null;
    const p = m[1].split(/[,\s/]+/).filter(Boolean).map(Number);
    return { r: p[0], g: p[1], b: p[2], a: p.length > 3 ? p[3] : 1 };
  };
  const lum = (c) => {
    const f = (v) => { v /= 255; return v <= 0.04045 ? v / 12.92 : ((v + 0.055) / 1.055) ** 2.4; };
    return 0.2126 * f(c.r) + 0.7152 * f(c.g) + 0.0722 * f(c.b);
  };
  const contrast = (a, b) => { const x = lum(a); const y = lum(b); return (Math.max(x, y) + 0.05) / (Math.min(x, y) + 0.05); };
  const hex = (c) => `#${[c.r, c.g, c.b].map((v) => Math.round(v).toString(16).padStart(2, '0')).join('')}`;
  // What is painted behind an element: the first ancestor with a (mostly) opaque background, else the canvas (white).
  const behind = (el) => {
    for (let n = el; n; n = n.parentElement) {
      const c = parse(getComputedStyle(n).backgroundColor);
      if (c && c.a > 0.5) return c;
    }
    return { r: 255, g: 255, b: 255, a: 1 };
  };
  const osDark = matchMedia('(prefers-color-scheme: dark)').matches;
  const out = [];
  for (const fig of document.querySelectorAll('figure.nat-trace-figure')) {
    const name = fig.getAttribute('data-nat-trace');
    const cap = fig.querySelector('figcaption');
    const cs = cap ? getComputedStyle(cap) : null;
    const capBg = cap ? behind(cap) : null;
    const capColor = cs ? parse(cs.color) : null;
    const r = cap ? cap.getBoundingClientRect() : { height: 0, width: 0 };
    const pageBg = behind(fig.parentElement);
    // What shows: a step figure has a wide and a narrow layout, one of them display:none.
    const visible = (sel) => [...fig.querySelectorAll(sel)].find((e) => e.getClientRects().length > 0) || null;
    const svg = visible('svg.nat-trace-svg');
    let figureDark = null;
    let how = '';
    const imgs = [...fig.querySelectorAll('img')];
    const shown = imgs.filter((i) => i.getClientRects().length > 0);
    if (svg) {
      const bg = svg.querySelector('rect.bg');
      figureDark = lum(parse(getComputedStyle(bg).fill)) < 0.2;
      how = `inline, background ${hex(parse(getComputedStyle(bg).fill))}`;
    } else if (shown.length === 1) {
      const v = /nat-trace-v-(\w+)/.exec(shown[0].closest('a').className);
      const variant = v ? v[1] : 'auto';
      figureDark = variant === 'dark' || (variant === 'auto' && osDark);
      how = `file ${variant}`;
    }
    const box = visible('.nat-trace-scroll');
    const hint = [...fig.querySelectorAll('.nat-trace-hint')].find((h) => h.parentElement.getClientRects().length > 0) || null;
    const layout = fig.querySelector('.nat-trace-layouts') ? (visible('.nat-trace-narrow') ? 'narrow' : 'wide') : 'single';
    out.push({
      name,
      caption: cap ? cap.textContent.trim() : '',
      captionVisible: !!cs && cs.display !== 'none' && cs.visibility !== 'hidden' && parseFloat(cs.opacity) > 0.9 && r.height > 4 && r.width > 20,
      captionContrast: capColor && capBg ? contrast(capColor, capBg) : 0,
      captionColors: capColor && capBg ? `${hex(capColor)} on ${hex(capBg)}` : '',
      pageDark: lum(pageBg) < 0.2,
      pageBg: hex(pageBg),
      figureDark,
      how,
      imagesShown: shown.length,
      imageFilters: shown.map((i) => getComputedStyle(i).filter).filter((f) => f !== 'none'),
      scrolls: !!box && box.scrollWidth > box.clientWidth + 1,
      hintShown: !!hint && hint.getBoundingClientRect().height > 4,
      hintText: hint ? hint.textContent.trim() : '',
      layout,
    });
  }
  return out;
}

/** Words as hexo-wordcount counts them (butterfly, Redefine), and characters as Fluid counts them. */
function counts(html) {
  const text = stripHTML(html);
  const cn = (text.match(/[\u4E00-\u9FA5]/g) || []).length;
  const en = (text.replace(/[\u4E00-\u9FA5]/g, '').match(/[a-zA-Z0-9_\u0392-\u03c9\u0400-\u04FF]+|[\u4E00-\u9FFF\u3400-\u4dbf\uf900-\ufaff\u3040-\u309f\uac00-\ud7af\u0400-\u04FF]+|[\u00E4\u00C4\u00E5\u00C5\u00F6\u00D6]+|\w+/g) || []).length;
  return { words: cn + en, chars: text.replace(/[\s\r\n]/g, '').length };
}

/** search.xml entries: title -> content. */
function searchEntries(xml) {
  const out = new Map();
  for (const m of xml.matchAll(/<entry>([^]*?)<\/entry>/g)) {
    const title = /<title>(?:<!\[CDATA\[)?([^]*?)(?:\]\]>)?<\/title>/.exec(m[1]);
    const content = /<content>(?:<!\[CDATA\[)?([^]*?)(?:\]\]>)?<\/content>/.exec(m[1]);
    if (title) out.set(title[1].trim(), content ? content[1] : '');
  }
  return out;
}

describe('browser: the figures in popular themes', function () {
  this.timeout(600000);
  const B = H.useBrowser();
  let browser; let page; let svgPage;
  before(() => ({ browser, page, svgPage } = B));

  for (const theme of THEMES) {
    describe(theme, function () {
      const st = { views: [], layout: [], publicDir: '' };
      let server;

      before(async function () {
        if (!browser) this.skip();
        server = await H.themeServer(theme);
        st.publicDir = server.publicDir;
        const toggle = TOGGLES[theme];
        const views = [...H.VIEWS.map((v) => ({ ...v }))];
        // The theme's toggle against the OS, both ways.
        if (toggle) views.push({ name: 'desktop, OS dark, toggle light', width: 1280, height: 900, scheme: 'dark', toggle: 'light' }, { name: 'phone, OS light, toggle dark', width: 390, height: 844, scheme: 'light', toggle: 'dark' });
        const svgCache = new Map();
        for (const view of views) {
          await H.setView(page, view);
          await H.setView(svgPage, view);
          await page.goto(`${server.base}/figures/`);
          // On a busy machine a theme's scripts can still be swapping the page in (butterfly's pjax) at "load".
          await page.waitForSelector('figure.nat-trace-figure', { timeout: 30000 });
          if (view.toggle) await page.evaluate(`(${toggle.toString()})(${JSON.stringify(view.toggle)})`);
          await C.settle(page);
          // Themes fade their content in (NexT) and ease colour changes (Fluid): measure the end state.
          await page.evaluate(() => Promise.all(document.getAnimations()
            .filter((a) => a.effect && a.effect.getComputedTiming().iterations !== Infinity)
            .map((a) => a.finished.catch(() => null))));
          st.views.push({ view: view.name, figures: await page.evaluate(probe) });
          st.layout.push(...await C.checkPage(page, { label: `${theme} /figures/`, view, svgPage, svgCache }));
          if (process.env.NAT_TRACE_THEME_SHOTS) {
            const dir = path.join(H.SHOTS, 'themes', theme);
            fs.mkdirSync(dir, { recursive: true });
            await page.screenshot({ path: path.join(dir, `${view.name.replace(/[^a-z0-9]+/gi, '-')}.png`), fullPage: true });
          }
        }
      });

      after(async () => { if (server) await server.stop(); });

      it('shows every figure (inline and file mode) in every view', () => {
        for (const v of st.views) {
          // hairpin: 6 steps and the rule table inline, step 2 from a file.
          assert.strictEqual(v.figures.length, 8, `${v.view}: ${v.figures.length} figures`);
          for (const f of v.figures) {
            assert.ok(f.figureDark !== null, `${v.view} ${f.name}: the figure is drawn (${f.imagesShown} images shown)`);
            assert.deepStrictEqual(f.imageFilters, [], `${v.view} ${f.name}: the theme filters the figure's image`);
          }
        }
      });

      it('every caption is visible and readable against what is behind it (4.5:1)', () => {
        const bad = [];
        for (const v of st.views) {
          for (const f of v.figures) {
            if (!f.captionVisible) bad.push(`${v.view} ${f.name}: caption hidden`);
            else if (f.captionContrast < 4.5) bad.push(`${v.view} ${f.name}: caption contrast ${f.captionContrast.toFixed(2)} (${f.captionColors})`);
          }
        }
        assert.deepStrictEqual(bad, []);
      });

      it("every figure follows the page's scheme (OS setting, the theme's toggle, light-only themes stay light)", () => {
        const bad = [];
        for (const v of st.views) {
          for (const f of v.figures) if (f.figureDark !== f.pageDark) bad.push(`${v.view} ${f.name}: figure ${f.figureDark ? 'dark' : 'light'} (${f.how}) on a ${f.pageDark ? 'dark' : 'light'} page (${f.pageBg})`);
        }
        assert.deepStrictEqual(bad, []);
        // The views did reach both schemes where the theme has a dark one.
        const schemes = new Set(st.views.flatMap((v) => v.figures.map((f) => f.pageDark)));
        assert.strictEqual(schemes.size, theme === 'landscape' || theme === 'icarus' ? 1 : 2, `page schemes seen: ${[...schemes]}`);
      });

      it('a figure wider than its box shows the scroll hint, and only then', () => {
        const bad = [];
        for (const v of st.views) for (const f of v.figures) if (f.scrolls !== f.hintShown) bad.push(`${v.view} ${f.name}: ${f.scrolls ? 'scrolls without a hint' : 'hint without scrolling'}`);
        assert.deepStrictEqual(bad, []);
      });

      it('on a phone every step figure shows its narrow layout, whole (no sideways scrolling); on a desktop the wide one', () => {
        const bad = [];
        for (const v of st.views) {
          const phone = /phone/.test(v.view);
          for (const f of v.figures.filter((x) => /^step-/.test(x.name))) {
            if (f.layout !== (phone ? 'narrow' : 'wide')) bad.push(`${v.view} ${f.name}: ${f.layout} layout shown`);
            if (phone && f.scrolls) bad.push(`${v.view} ${f.name}: scrolls sideways in its box`);
          }
        }
        assert.deepStrictEqual(bad, []);
        // What may scroll (the rule table) says so in words the reader sees.
        for (const v of st.views) for (const f of v.figures) if (f.scrolls) assert.match(f.hintText, /scroll/, `${v.view} ${f.name}: the hint`);
      });

      it("the suite's layout checks hold (smallest text >= 9px in what shows); the page never scrolls sideways, on a phone either", () => {
        const lines = C.describe(st.layout);
        assert.deepStrictEqual(lines, []);
      });

      it('word counts, reading time and the search entry are the prose plus the captions; no CSS in search.xml', () => {
        const xml = fs.readFileSync(path.join(st.publicDir, 'search.xml'), 'utf8');
        assert.ok(!/stroke-width|<style|nat-trace-svg/.test(xml), 'search.xml carries figure CSS or markup');
        const entries = searchEntries(xml);
        const withBlocks = entries.get('Hairpin, drawn');
        const prose = entries.get('Hairpin, in words');
        assert.ok(withBlocks !== undefined && prose !== undefined, `search entries: ${[...entries.keys()]}`);
        // The captions as post.content has them (escaped as the counters see them).
        const captions = [...withBlocks.matchAll(/<figcaption[^>]*>([^]*?)<\/figcaption>/g)].map((m) => m[1]).join(' ');
        assert.strictEqual(captions.length > 0 && (withBlocks.match(/<figcaption/g) || []).length, 8, 'a caption per figure in the search entry');
        const a = counts(withBlocks); const b = counts(prose); const c = counts(captions);
        assert.ok(a.words - b.words <= c.words, `words: ${a.words} with blocks, ${b.words} without, captions ${c.words}`);
        assert.ok(a.chars - b.chars <= c.chars, `characters: ${a.chars} with blocks, ${b.chars} without, captions ${c.chars}`);
        assert.ok(a.words >= b.words, 'the prose is all there');
        // What the theme itself prints, where it prints a count.
        const shown = (p) => {
          const html = fs.readFileSync(path.join(st.publicDir, p, 'index.html'), 'utf8');
          const m = /<span class="word-count">([\d.k]+)<\/span>|(\d[\d.k]*) words/.exec(html);
          return m ? (m[1] || m[2]) : null;
        };
        const [sa, sb] = [shown('figures'), shown('prose')];
        if (sa !== null) {
          const num = (s) => (s.endsWith('k') ? parseFloat(s) * 1000 : Number(s));
          const per = theme === 'fluid' ? 'chars' : 'words';
          assert.ok(num(sa) - num(sb) <= c[per] + (sa.endsWith('k') ? 100 : 0), `${theme} shows ${sa} for the post with blocks, ${sb} without; captions ${c[per]} ${per}`);
        }
      });

      it('the feed shows every figure as an image at an absolute URL the site serves', () => {
        const feed = fs.readFileSync(path.join(st.publicDir, 'atom.xml'), 'utf8');
        const entry = /<entry>(?:(?!<\/entry>)[^])*?Hairpin, drawn[^]*?<\/entry>/.exec(feed);
        assert.ok(entry, 'the post is in the feed');
        const html = entry[0].replace(/&lt;/g, '<').replace(/&gt;/g, '>').replace(/&quot;/g, '"').replace(/&amp;/g, '&');
        const srcs = [...html.matchAll(/<img src=(["'])([^"']+)\1/g)].map((m) => m[2]);
        assert.strictEqual(srcs.length, 8, `images in the feed entry: ${srcs.length}`);
        assert.ok(!/<svg|<style/.test(html), 'inline SVG or CSS in the feed');
        for (const s of srcs) {
          assert.match(s, /^http:\/\/blog\.example\/figures\/nat-trace\/[0-9a-f]{10}-(step-\d|rules)\.svg$/);
          const file = path.join(st.publicDir, new URL(s).pathname);
          assert.ok(fs.existsSync(file), `${s} is generated`);
          assert.match(fs.readFileSync(file, 'utf8'), /^<svg [^>]*xmlns="http:\/\/www\.w3\.org\/2000\/svg"/);
        }
      });
    });
  }
});

// Navigation without a page load: butterfly's pjax (`pjax: enable: true`,
// its MoOx pjax library served from the site: the suite is offline, the one
// Redefine ships) and Redefine's swup (`single_page`, on by default). Fluid
// 1.9 has no pjax or swup navigation. From a post linking to the figures,
// the link is clicked; the page must not reload, and the figures it brings
// in must be drawn, in the page's scheme (the OS, then the theme's toggle),
// with their captions visible; the same after going back and forth.
const PJAX = {
  butterfly: {
    config: { pjax: { enable: true }, CDN: { option: { pjax: '/lib/pjax.min.js' } } },
    files: { 'lib/pjax.min.js': require.resolve('hexo-theme-redefine/source/js/libs/pjax.min.js') },
    ready: () => typeof window.pjax === 'object' && window.pjax !== null,
  },
  redefine: { config: {}, files: {}, ready: () => !!window.swup },
};

describe('browser: figures after the theme navigates by pjax or swup', function () {
  this.timeout(600000);
  const B = H.useBrowser();

  for (const theme of Object.keys(PJAX).filter((t) => THEMES.includes(t))) {
    describe(theme, function () {
      let server;
      const seen = [];

      before(async function () {
        if (!B.browser) this.skip();
        const spec = PJAX[theme];
        server = await H.themeServer(theme, { config: spec.config, files: spec.files, nav: true });
        const page = B.page;
        for (const view of [H.VIEWS[1], H.VIEWS[2]]) {
          await H.setView(page, view);
          await page.goto(`${server.base}/start/`);
          await page.waitForFunction(spec.ready, null, { timeout: 60000 });
          await page.evaluate(() => { window.natTraceNoReload = true; });
          const visit = async (how) => {
            await page.locator('a[href="/figures/"]', { hasText: 'with the figures' }).first().click();
            await page.waitForSelector('figure.nat-trace-figure', { timeout: 60000 });
            await page.waitForFunction(() => location.pathname === '/figures/', null, { timeout: 60000 });
            await C.settle(page);
            await page.evaluate(() => Promise.all(document.getAnimations().filter((a) => a.effect && a.effect.getComputedTiming().iterations !== Infinity).map((a) => a.finished.catch(() => null))));
            seen.push({ how: `${view.name}, ${how}`, reloaded: !(await page.evaluate(() => window.natTraceNoReload === true)), figures: await page.evaluate(probe) });
          };
          await visit('first visit');
          // The theme's toggle flipped on the page pjax brought in.
          await page.evaluate(`(${TOGGLES[theme].toString()})(${JSON.stringify(view.scheme === 'dark' ? 'light' : 'dark')})`);
          await C.settle(page);
          // Themes ease the colour change: measure its end.
          await page.evaluate(() => Promise.all(document.getAnimations().filter((a) => a.effect && a.effect.getComputedTiming().iterations !== Infinity).map((a) => a.finished.catch(() => null))));
          seen.push({ how: `${view.name}, toggled`, reloaded: false, figures: await page.evaluate(probe) });
          await page.evaluate(`(${TOGGLES[theme].toString()})(${JSON.stringify(view.scheme)})`);
          await page.goBack();
          await page.waitForFunction(() => location.pathname === '/start/', null, { timeout: 60000 });
          await page.locator('a[href="/figures/"]', { hasText: 'with the figures' }).first().waitFor({ timeout: 60000 });
          await visit('back, then the link again');
        }
      });

      after(async () => { if (server) await server.stop(); });

      it('navigates without reloading the page', () => {
        assert.ok(seen.length >= 6, `visits: ${seen.length}`);
        assert.deepStrictEqual(seen.filter((v) => v.reloaded).map((v) => v.how), []);
      });

      it('every figure is drawn, in the page\'s scheme, with its caption visible and readable', () => {
        const bad = [];
        for (const v of seen) {
          if (v.figures.length !== 8) bad.push(`${v.how}: ${v.figures.length} figures`);
          for (const f of v.figures) {
            if (f.figureDark === null) bad.push(`${v.how} ${f.name}: not drawn`);
            else if (f.figureDark !== f.pageDark) bad.push(`${v.how} ${f.name}: figure ${f.figureDark ? 'dark' : 'light'} on a ${f.pageDark ? 'dark' : 'light'} page`);
            if (!f.captionVisible || f.captionContrast < 4.5) bad.push(`${v.how} ${f.name}: caption ${f.captionVisible ? `contrast ${f.captionContrast.toFixed(2)}` : 'hidden'}`);
          }
        }
        assert.deepStrictEqual(bad, []);
        assert.strictEqual(new Set(seen.flatMap((v) => v.figures.map((f) => f.pageDark))).size, 2, 'both schemes seen');
      });

      it('on a phone the step figures show their narrow layout after the navigation too', () => {
        const phone = seen.filter((v) => /phone/.test(v.how));
        assert.ok(phone.length >= 3);
        for (const v of phone) for (const f of v.figures.filter((x) => /^step-/.test(x.name))) assert.strictEqual(f.layout, 'narrow', `${v.how} ${f.name}`);
      });
    });
  }
});

// Lightboxes: butterfly's fancybox (@fancyapps/ui, `lightbox: fancybox`) and
// Fluid's (fancybox 3 with jQuery, `post.image_zoom`), their libraries served
// from the site (the suite is offline; butterfly's from @fancyapps/ui, a
// devDependency; Fluid's jQuery and fancybox 3 from landscape, which ships
// them). A click on a figure either opens that figure's file in the lightbox
// or leaves the figure alone; either way the page stays (no navigation to a
// bare SVG), no script error, and after closing every figure is drawn.
const LANDSCAPE = path.dirname(require.resolve('hexo-theme-landscape/package.json'));
const LIGHTBOX = {
  butterfly: {
    config: { CDN: { option: { fancybox: '/lib/fancybox/fancybox.umd.js', fancybox_css: '/lib/fancybox/fancybox.css' } } },
    files: () => {
      const dir = path.join(path.dirname(require.resolve('@fancyapps/ui/package.json')), 'dist', 'fancybox');
      return { 'lib/fancybox/fancybox.umd.js': path.join(dir, 'fancybox.umd.js'), 'lib/fancybox/fancybox.css': path.join(dir, 'fancybox.css') };
    },
    ready: () => typeof window.Fancybox === 'function' || typeof window.Fancybox === 'object',
    open: '.fancybox__container, .f-panzoom, .fancybox__dialog',
  },
  fluid: {
    // Its progress bar's library comes from a CDN too: off, so a script error here is ours.
    config: { static_prefix: { jquery: '/lib/jquery/', fancybox: '/lib/fancybox/' }, post: { image_zoom: { enable: true } }, fun_features: { progressbar: { enable: false } } },
    files: () => ({
      'lib/jquery/jquery.min.js': path.join(LANDSCAPE, 'source', 'js', 'jquery-3.6.4.min.js'),
      'lib/fancybox/jquery.fancybox.min.js': path.join(LANDSCAPE, 'source', 'fancybox', 'jquery.fancybox.min.js'),
      'lib/fancybox/jquery.fancybox.min.css': path.join(LANDSCAPE, 'source', 'fancybox', 'jquery.fancybox.min.css'),
    }),
    ready: () => !!(window.jQuery && window.jQuery.fancybox),
    open: '.fancybox-container',
  },
};

describe('browser: figures and the theme\'s lightbox (fancybox)', function () {
  this.timeout(600000);
  const B = H.useBrowser();

  for (const theme of Object.keys(LIGHTBOX).filter((t) => THEMES.includes(t))) {
    describe(theme, function () {
      let server;
      const clicks = [];
      const errors = [];

      before(async function () {
        if (!B.browser) this.skip();
        const spec = LIGHTBOX[theme];
        server = await H.themeServer(theme, { config: spec.config, files: spec.files() });
        const page = B.page;
        page.on('pageerror', (e) => errors.push(String(e)));
        for (const view of [H.VIEWS[0], H.VIEWS[2]]) {
          await H.setView(page, view);
          await page.goto(`${server.base}/figures/`);
          await page.waitForSelector('figure.nat-trace-figure', { timeout: 60000 });
          await page.waitForFunction(spec.ready, null, { timeout: 60000 });
          await C.settle(page);
          // The file-mode figure (step 2's second showing) and an inline one, whichever of their layouts shows.
          const targets = await page.evaluate(() => {
            const figs = [...document.querySelectorAll('figure.nat-trace-figure')];
            const shownIn = (f) => [...f.querySelectorAll('svg.nat-trace-svg, img')].find((e) => e.getClientRects().length > 0);
            return figs.map((f, i) => ({ i, name: f.getAttribute('data-nat-trace'), file: !f.querySelector('svg.nat-trace-svg'), has: !!shownIn(f) }))
              .filter((t) => t.has && (t.file || t.name === 'step-1'));
          });
          for (const t of targets) {
            const before = page.url();
            const fig = page.locator('figure.nat-trace-figure').nth(t.i);
            const shown = fig.locator('svg.nat-trace-svg:visible, img:visible').first();
            const src = await shown.evaluate((e) => (e.tagName === 'IMG' ? new URL(e.getAttribute('src'), location.href).pathname : null));
            await shown.click();
            // Give the lightbox its chance to open (or the browser its chance to navigate away).
            await page.waitForFunction((sel) => !!document.querySelector(sel), spec.open, { timeout: 5000 }).catch(() => null);
            await page.waitForTimeout(500);
            const opened = await page.evaluate((sel) => {
              const box = document.querySelector(sel);
              if (!box) return null;
              return [...document.querySelectorAll(`${sel} img`)].map((i) => new URL(i.getAttribute('src') || '', location.href).pathname);
            }, spec.open);
            const stayed = page.url() === before;
            if (opened) await page.keyboard.press('Escape');
            await page.waitForFunction((sel) => !document.querySelector(sel), spec.open, { timeout: 15000 }).catch(() => null);
            if (!stayed) await page.goto(before);
            await C.settle(page);
            clicks.push({ how: `${view.name} ${t.name}${t.file ? ' (file)' : ''}`, src, stayed, opened, after: stayed ? await page.evaluate(probe) : [] });
          }
        }
      });

      after(async () => { if (server) await server.stop(); });

      it('a click on a figure stays in the page and either opens that figure or leaves it alone', () => {
        assert.ok(clicks.length >= 4, `clicks: ${clicks.length}`);
        const bad = [];
        for (const c of clicks) {
          if (!c.stayed) bad.push(`${c.how}: the click left the page`);
          if (c.opened && !(c.src && c.opened.includes(c.src))) bad.push(`${c.how}: the lightbox shows ${JSON.stringify(c.opened)}, not ${c.src || 'this figure'}`);
        }
        assert.deepStrictEqual(bad, []);
        console.log(`      ${clicks.map((c) => `${c.how}: ${c.opened ? 'opened in the lightbox' : 'left alone'}`).join('; ')}`);
      });

      it('no script error, and every figure is drawn with its caption after the lightbox', () => {
        assert.deepStrictEqual(errors, []);
        for (const c of clicks) {
          assert.strictEqual(c.after.length, 8, c.how);
          for (const f of c.after) assert.ok(f.figureDark !== null && f.captionVisible && f.figureDark === f.pageDark, `${c.how} ${f.name}: ${JSON.stringify(f)}`);
        }
      });
    });
  }
});
