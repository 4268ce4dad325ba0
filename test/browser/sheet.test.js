'use strict';
// A block's narrow layouts are one SVG file (lib/render/sheet.ts); on a phone
// each step's <img> shows its own slice of it. What a reader sees must be that
// step's drawing exactly: each shown <img> is screenshot in Chromium and
// compared pixel by pixel with the same step's drawing taken out of the sheet
// and shown alone at the same size; no sliver of the step above or below.

const assert = require('assert');
const H = require('./harness');
const C = require('./check');

/** Share of pixels that differ by more than `tol` in a channel between two PNGs of the same size (decoded in the page). */
function pixelDiff({ a, b, tol }) {
  const load = async (b64) => createImageBitmap(await (await fetch(`data:image/png;base64,${b64}`)).blob());
  return Promise.all([load(a), load(b)]).then(([x, y]) => {
    if (x.width !== y.width || x.height !== y.height) return { size: `${x.width}x${x.height} against ${y.width}x${y.height}`, share: 1 };
    const px = (img) => { const c = new OffscreenCanvas(img.width, img.height); const g = c.getContext('2d'); g.drawImage(img, 0, 0); return g.getImageData(0, 0, img.width, img.height).data; };
    const p = px(x);
    const q = px(y);
    let diff = 0;
    for (let i = 0; i < p.length; i += 4) if (Math.abs(p[i] - q[i]) > tol || Math.abs(p[i + 1] - q[i + 1]) > tol || Math.abs(p[i + 2] - q[i + 2]) > tol) diff++;
    return { size: `${x.width}x${x.height}`, share: diff / (p.length / 4) };
  });
}

describe('browser: a block\'s narrow layouts in one file, each step its own slice', function () {
  this.timeout(600000);
  const B = H.useBrowser();
  let server;

  before(async function () {
    if (!B.browser) this.skip();
    server = await H.themeServer('landscape');
  });
  after(async () => { if (server) await server.stop(); });

  for (const view of [H.VIEWS[2], H.VIEWS[3]]) {
    it(`${view.name}: every step shows its own drawing, as the step alone would look`, async () => {
      const page = B.page;
      await H.setView(page, view);
      await page.goto(`${server.base}/figures/`);
      await page.waitForSelector('figure.nat-trace-figure');
      await C.settle(page);
      const shown = await page.evaluate(async () => {
        const imgs = [...document.querySelectorAll('.nat-trace-narrow img')].filter((i) => i.getClientRects().length > 0);
        for (const i of imgs) { i.loading = 'eager'; await i.decode(); }
        return imgs.map((i) => ({ src: i.getAttribute('src'), href: i.closest('a').getAttribute('href'), width: i.getBoundingClientRect().width, height: i.getBoundingClientRect().height }));
      });
      assert.ok(shown.length >= 3, `narrow step images shown: ${shown.length}`);
      // The page's two blocks: the hairpin's steps (one file for all) and a second showing of step 2 in file mode.
      const uses = new Map();
      for (const s of shown) uses.set(s.src, (uses.get(s.src) || 0) + 1);
      assert.ok([...uses.values()].some((n) => n >= 3), `one file for a block's steps: ${JSON.stringify([...uses])}`);
      const worst = [];
      for (const [i, s] of shown.entries()) {
        const img = page.locator('.nat-trace-narrow img:visible').nth(i);
        await img.scrollIntoViewIfNeeded();
        await page.evaluate(() => document.querySelectorAll('#nat-trace-ref').forEach((e) => e.remove()));
        // Both shots of the same region of the page: the reference sits on top of the <img>, at its very (fractional) place.
        const r = await img.evaluate((e) => { const b = e.getBoundingClientRect(); return { left: b.left, top: b.top, width: b.width, height: b.height }; });
        const clip = { x: Math.floor(r.left), y: Math.floor(r.top), width: Math.ceil(r.left + r.width) - Math.floor(r.left), height: Math.ceil(r.top + r.height) - Math.floor(r.top) };
        const got = (await page.screenshot({ clip })).toString('base64');
        // The slice's drawing alone, from the sheet's own text: its nested <svg> as a document of its own.
        const view = s.href.replace(/^.*#/, '');
        await page.evaluate(async ({ src, view, r }) => {
          const text = await (await fetch(src)).text();
          const doc = new DOMParser().parseFromString(text, 'image/svg+xml');
          const v = doc.getElementById(view);
          const [, y] = v.getAttribute('viewBox').split(' ').map(Number);
          const inner = [...doc.documentElement.children].find((e) => e.tagName === 'svg' && Number(e.getAttribute('y')) === y);
          inner.setAttribute('xmlns', 'http://www.w3.org/2000/svg');
          inner.removeAttribute('x');
          inner.removeAttribute('y');
          const url = URL.createObjectURL(new Blob([new XMLSerializer().serializeToString(inner)], { type: 'image/svg+xml' }));
          const ref = document.createElement('img');
          ref.id = 'nat-trace-ref';
          ref.src = url;
          ref.style.cssText = `position:fixed;left:${r.left}px;top:${r.top}px;z-index:99999;width:${r.width}px;height:${r.height}px;display:block;margin:0;padding:0;border:0;max-width:none`;
          document.body.append(ref);
          await ref.decode();
        }, { src: s.src, view, r });
        const want = (await page.screenshot({ clip })).toString('base64');
        await page.evaluate(() => document.getElementById('nat-trace-ref').remove());
        const d = await page.evaluate(pixelDiff, { a: got, b: want, tol: 24 });
        worst.push({ step: i + 1, ...d });
      }
      console.log(`      ${worst.map((w) => `step ${w.step}: ${w.size}, ${(w.share * 100).toFixed(2)}% differ`).join('; ')}`);
      // Anti-aliasing at a fractional offset may move an edge by a pixel; a neighbour's sliver or a wrong slice is far more.
      for (const w of worst) assert.ok(w.share < 0.01, `step ${w.step}: ${(w.share * 100).toFixed(2)}% of the pixels differ from the step drawn alone (${w.size})`);
    });
  }
});
