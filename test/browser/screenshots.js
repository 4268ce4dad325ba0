#!/usr/bin/env node
'use strict';
// `npm run screenshots` (after a build): every figure of the example site,
// light and dark, as PNG files, taken in Debian's Chromium from a real
// `hexo server` on loopback. Options:
//   --stress       the stress scenarios (test/stress) instead of the example
//   --theme NAME   a site built with that theme (landscape, next, butterfly, fluid, redefine, icarus)
//   --phone        at phone width (390px) instead of desktop (1280px)
//   --out DIR      where to write (default: $NAT_TRACE_SHOTS or <tmp>/hexo-nat-trace-screenshots)
// Prints the folder, and the layout problems the browser suite would report.
const fs = require('fs');
const path = require('path');
const H = require('./harness');
const C = require('./check');

async function main(argv) {
  const stress = argv.includes('--stress');
  const phone = argv.includes('--phone');
  const oi = argv.indexOf('--out');
  const out = path.resolve(oi >= 0 && argv[oi + 1] ? argv[oi + 1] : H.SHOTS);
  if (!H.haveChromium()) {
    console.error(H.skipMessage());
    return 1;
  }
  const ti = argv.indexOf('--theme');
  const theme = ti >= 0 ? argv[ti + 1] : undefined;
  if (theme !== undefined && !H.THEME_SITES[theme]) {
    console.error(`--theme: one of ${Object.keys(H.THEME_SITES).join(', ')}`);
    return 2;
  }
  const site = theme ? H.themeSite(theme) : stress ? H.stressSite() : { dir: H.exampleSite() };
  if (theme) H.generate(site.dir);
  const server = theme ? await H.serveStatic(require('path').join(site.dir, 'public')) : await H.startServer(site.dir);
  const group = theme ? `theme-${theme}` : stress ? 'stress' : 'example';
  const browser = await H.launch();
  let shots = 0;
  const problems = [];
  try {
    const pages = site.pages || (await H.crawl(server.base)).filter((p) => p.figures).map((p) => p.path);
    const page = await H.newPage(browser);
    const svgPage = await H.newPage(browser);
    for (const p of pages) {
      await page.goto(server.base + p);
      const slug = p.replace(/^\/|\/$/g, '').replace(/[^A-Za-z0-9_-]+/g, '_') || 'index';
      const dir = path.join(out, group, slug);
      fs.mkdirSync(dir, { recursive: true });
      for (const scheme of ['light', 'dark']) {
        const view = H.VIEWS.find((v) => v.scheme === scheme && (phone ? v.width < 1000 : v.width >= 1000));
        await H.setView(page, view);
        await H.setView(svgPage, view);
        problems.push(...C.describe(await C.checkPage(page, { label: p, view, svgPage })));
        const figs = page.locator('figure.nat-trace-figure');
        const n = await figs.count();
        for (let i = 0; i < n; i++) {
          const name = await figs.nth(i).getAttribute('data-nat-trace');
          await figs.nth(i).screenshot({ path: path.join(dir, `${String(i + 1).padStart(2, '0')}-${name}-${scheme}${phone ? '-phone' : ''}.png`) });
          shots++;
        }
      }
    }
  } finally {
    await browser.close();
    await server.stop();
    H.rmSite(site.dir);
  }
  console.log(`${shots} screenshots in ${path.join(out, group)}`);
  if (problems.length) console.log(`${problems.length} layout problem(s):\n${problems.join('\n')}`);
  return 0;
}

main(process.argv.slice(2)).then((code) => { process.exitCode = code; }, (e) => { console.error(e); process.exitCode = 1; });
