'use strict';
// 3. A blog: `hexo generate` on a generated site of 100 posts x 4 blocks
// against the identical site without the blocks (the floor), on a clean
// public/ each time, runs alternated; wall time, CPU time and peak memory of
// each. The blog is built cold (no disk cache) and warm (the cache of the
// previous build), as a deploy that runs `hexo clean && hexo generate` does.
const fs = require('fs');
const os = require('os');
const path = require('path');
const { ROOT, KINDS, scenario } = require('./lib/scenarios');
const { makeSite, generate, htmlFiles } = require('./lib/site');
const { median, round } = require('./lib/stats');

const SVG_RE = /<svg\b/g;
const SCRIPT_RE = /<script\b/gi;
const count = (s, re) => (s.match(re) || []).length;

function expectedFigures(posts) {
  const { runScenario } = require(path.join(ROOT, 'dist'));
  const { buildStory } = require(path.join(ROOT, 'dist', 'story'));
  let n = 0;
  for (let i = 0; i < posts; i++) for (const k of KINDS) n += buildStory(runScenario(scenario(k, i)), 'en').steps.length;
  return n;
}

module.exports = async function blogSection(ctx) {
  const posts = ctx.quick ? 10 : 100;
  const runs = ctx.quick ? 1 : 5;
  const base = fs.mkdtempSync(path.join(os.tmpdir(), 'nat-trace-bench-blog-'));
  try {
    // The stub site: the same blog with the renderer replaced by one fixed SVG
    // per figure (bench/lib/stub-render.js), to split the cost between the
    // renderer (jsdom, svg.js) and everything else the blocks bring.
    const { runScenario } = require(path.join(ROOT, 'dist'));
    const { renderFigures } = require(path.join(ROOT, 'dist', 'render'));
    const stubFigure = renderFigures(runScenario(scenario('hairpin', 0)), { lang: 'en', show: ['steps'], steps: [2] })[0].svg;
    const sites = {
      blog: makeSite(path.join(base, 'blog'), { posts, blocks: true }),
      floor: makeSite(path.join(base, 'floor'), { posts, blocks: false }),
      bare: makeSite(path.join(base, 'bare'), { posts, blocks: false, plugin: false }),
      // The stub stands in for the renderer in Hexo's own thread (a drawing worker would load the real one).
      stub: makeSite(path.join(base, 'stub'), { posts, blocks: true, stubFigure, cache: false, workers: 0 }),
      // The same blog drawn in Hexo's own thread: what the drawing workers buy.
      single: makeSite(path.join(base, 'single'), { posts, blocks: true, workers: 0 }),
    };
    const blog = sites.blog;
    const floor = sites.floor;
    // What each measured build is: cold = the blog with its disk cache
    // removed first; warm = the blog again with the cache the previous build
    // left (the usual `hexo clean && hexo generate` of an unchanged blog).
    const builds = {
      cold: () => generate(blog), warm: () => generate(blog, { warm: true }),
      floor: () => generate(floor), bare: () => generate(sites.bare), stub: () => generate(sites.stub),
      single: () => generate(sites.single),
    };
    // One unmeasured build of each (file-system cache; not with --quick), then
    // alternated runs, the order reversed every round so drift hits every site
    // alike (a warm run finds the cache of the latest cold one).
    if (!ctx.quick) for (const dir of Object.values(sites)) generate(dir);
    const res = { cold: [], warm: [], floor: [], bare: [], stub: [], single: [] };
    const check = { cold: null, warm: null };
    for (let r = 0; r < runs; r++) {
      const order = r % 2 ? ['single', 'stub', 'bare', 'floor', 'warm', 'cold'] : ['cold', 'warm', 'floor', 'bare', 'stub', 'single'];
      for (const which of order) {
        const x = builds[which]();
        res[which].push(x);
        ctx.log(`  blog: ${which} run ${r + 1}/${runs}: ${(x.ms / 1000).toFixed(2)} s (CPU ${((x.user_ms + x.system_ms) / 1000).toFixed(2)} s), ${(x.maxRSS_kb / 1024).toFixed(0)} MB`);
        // Every figure is in the pages, cold and warm alike.
        if (which === 'cold' || which === 'warm') check[which] = htmlFiles(blog).reduce((a, f) => a + count(f.text, SVG_RE), 0);
      }
    }
    // What was built: every figure is in the pages, and nothing else changed for the reader.
    const bh = htmlFiles(blog);
    const fh = htmlFiles(floor);
    const floorSvgs = fh.reduce((a, f) => a + count(f.text, SVG_RE), 0);
    const figures = bh.reduce((a, f) => a + count(f.text, SVG_RE), 0) - floorSvgs;
    const expected = expectedFigures(posts);
    for (const [k, n] of Object.entries(check)) if (n - floorSvgs !== expected) throw new Error(`blog (${k}): ${n - floorSvgs} figures in public/, expected ${expected}`);
    if (bh.length !== fh.length) throw new Error(`blog: ${bh.length} pages, floor ${fh.length}`);
    const scriptsAdded = bh.reduce((a, f) => a + count(f.text, SCRIPT_RE), 0) - fh.reduce((a, f) => a + count(f.text, SCRIPT_RE), 0);
    const bytes = (list) => list.reduce((a, f) => a + Buffer.byteLength(f.text), 0);
    // The figure CSS: once in each page with figures, in no other page.
    const cssWrong = bh.filter((f) => count(f.text, /<style id="nat-trace-css">/g) !== (f.text.includes('<figure class="nat-trace-figure') ? 1 : 0)).length;
    const figurePages = bh.filter((f) => f.text.includes('<figure class="nat-trace-figure')).length;
    ctx.shared.blog = { figures, scriptsAdded, bytesAddedPerFigure: (bytes(bh) - bytes(fh)) / figures, figurePages };

    const med = (w) => median(res[w].map((x) => x.ms));
    const cpu = (w) => median(res[w].map((x) => x.user_ms + x.system_ms));
    const fastest = (w) => Math.min(...res[w].map((x) => x.ms));
    const rss = (w) => Math.max(...res[w].map((x) => x.maxRSS_kb)) / 1024;
    const mf = med('floor');
    const how = `node node_modules/hexo/bin/hexo generate (cwd = the site, public/ and db.json removed first), ${runs} runs each, alternated${ctx.quick ? '' : ', after one unmeasured build each'}; ${posts} posts`;
    const rows = [
      { name: `blog, cold: ${posts} posts x 4 blocks (${figures} figures), median`, value: round(med('cold') / 1000, 2), unit: 's', how: `${how}; the plugin's disk cache (node_modules/.cache/hexo-nat-trace) removed before each run` },
      { name: 'blog, warm: the same with the disk cache of the previous build, median', value: round(med('warm') / 1000, 2), unit: 's', how: `${how}; node_modules/.cache/hexo-nat-trace kept (hexo clean && hexo generate of an unchanged blog)` },
      { name: `floor: same ${posts} posts, no blocks, median`, value: round(mf / 1000, 2), unit: 's', how },
      { name: 'cold / floor', value: round(med('cold') / mf, 2), unit: 'x', target: { op: '<=', limit: 2.0 }, how: 'ratio of the two medians (wall time)' },
      { name: 'cold / floor, CPU time (user+sys)', value: round(cpu('cold') / cpu('floor'), 2), unit: 'x', how: 'process.resourceUsage() of the hexo process, medians (less disturbed by other load than wall time)' },
      { name: 'cold / floor, fastest runs', value: round(fastest('cold') / fastest('floor'), 2), unit: 'x', how: 'ratio of the fastest run of each (the least disturbed by other load)' },
      { name: 'warm / floor', value: round(med('warm') / mf, 2), unit: 'x', target: { op: '<=', limit: 1.2 }, how: 'ratio of the two medians (wall time)' },
      { name: 'warm / floor, CPU time (user+sys)', value: round(cpu('warm') / cpu('floor'), 2), unit: 'x', how: 'process.resourceUsage(), medians' },
      { name: 'warm / floor, fastest runs', value: round(fastest('warm') / fastest('floor'), 2), unit: 'x', how: 'ratio of the fastest run of each' },
      { name: 'cold - floor, per figure', value: round((med('cold') - mf) / figures, 2), unit: 'ms', how: 'difference of the medians / figures (mermaid-cli: ~1,300 ms per diagram)' },
      { name: 'blog, cold: peak RSS of hexo generate', value: round(rss('cold'), 0), unit: 'MB', how: 'process.resourceUsage().maxRSS at exit of the hexo process (bench/lib/maxrss.js preloaded), max over runs' },
      { name: 'blog, warm: peak RSS', value: round(rss('warm'), 0), unit: 'MB', how: 'same' },
      { name: 'floor: peak RSS of hexo generate', value: round(rss('floor'), 0), unit: 'MB', how: 'same' },
      { name: 'peak RSS, cold / floor', value: round(rss('cold') / rss('floor'), 2), unit: 'x', target: { op: '<=', limit: 2.0 }, how: 'the two maxima above' },
      { name: 'peak RSS, warm / floor', value: round(rss('warm') / rss('floor'), 2), unit: 'x', how: 'same' },
      { name: 'floor with the plugin / without it, no blocks, median', value: round(mf / med('bare'), 2), unit: 'x', how: `the floor against the same site without scripts/load-plugin.js (${round(med('bare') / 1000, 2)} s; CPU ${round(cpu('floor') / cpu('bare'), 2)}x): what loading the plugin costs a site without blocks` },
      { name: 'diagnostic: cold, drawn in Hexo\'s own thread (workers: 0) / floor', value: round(med('single') / mf, 2), unit: 'x', how: `the cold blog with nat_trace.workers: 0 (${round(med('single') / 1000, 2)} s, CPU ${round(cpu('single') / cpu('floor'), 2)}x, peak RSS ${round(rss('single'), 0)} MB): what the drawing workers buy` },
      { name: 'diagnostic: blog with a stub renderer, no cache, median', value: round(med('stub') / 1000, 2), unit: 's', how: 'the same blog, renderer replaced by one fixed real SVG per figure (bench/lib/stub-render.js), nat_trace.cache: false and workers: 0: parse, simulate, story and Hexo run for real, in one thread' },
      { name: 'diagnostic: stub / floor', value: round(med('stub') / mf, 2), unit: 'x', how: `the floor any renderer could reach with the rest unchanged (CPU ${round(cpu('stub') / cpu('floor'), 2)}x)` },
      { name: 'diagnostic: stub: peak RSS', value: round(rss('stub'), 0), unit: 'MB', how: 'as above' },
      { name: 'pages whose figure CSS is missing, repeated or needless', value: cssWrong, unit: 'pages', target: { op: '<=', limit: 0 }, how: `public/**/*.html: <style id="nat-trace-css"> once in each of the ${figurePages} pages with figures and in no other page` },
    ];
    return { rows, detail: { posts, runs, figures, base: ctx.keep ? base : undefined, ...res } };
  } finally {
    if (!ctx.keep) fs.rmSync(base, { recursive: true, force: true });
  }
};
