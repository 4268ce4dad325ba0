'use strict';
// 3. A blog: `hexo generate` on a generated site of 100 posts x 4 blocks
// against the identical site without the blocks (the floor), on a clean
// public/ each time, runs alternated; wall time and peak memory of each.
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
      stub: makeSite(path.join(base, 'stub'), { posts, blocks: true, stubFigure }),
    };
    const blog = sites.blog;
    const floor = sites.floor;
    // One unmeasured build of each (file-system cache; not with --quick), then
    // alternated runs, the order reversed every round so drift hits every site alike.
    if (!ctx.quick) for (const dir of Object.values(sites)) generate(dir);
    const res = { blog: [], floor: [], stub: [] };
    for (let r = 0; r < runs; r++) {
      const order = r % 2 ? ['stub', 'floor', 'blog'] : ['blog', 'floor', 'stub'];
      for (const which of order) {
        const x = generate(sites[which]);
        res[which].push(x);
        ctx.log(`  blog: ${which} run ${r + 1}/${runs}: ${(x.ms / 1000).toFixed(2)} s, ${(x.maxRSS_kb / 1024).toFixed(0)} MB`);
      }
    }
    // What was built: every figure is in the pages, and nothing else changed for the reader.
    const bh = htmlFiles(blog);
    const fh = htmlFiles(floor);
    const figures = bh.reduce((a, f) => a + count(f.text, SVG_RE), 0) - fh.reduce((a, f) => a + count(f.text, SVG_RE), 0);
    const expected = expectedFigures(posts);
    if (figures !== expected) throw new Error(`blog: ${figures} figures in public/, expected ${expected}`);
    if (bh.length !== fh.length) throw new Error(`blog: ${bh.length} pages, floor ${fh.length}`);
    const scriptsAdded = bh.reduce((a, f) => a + count(f.text, SCRIPT_RE), 0) - fh.reduce((a, f) => a + count(f.text, SCRIPT_RE), 0);
    const bytes = (list) => list.reduce((a, f) => a + Buffer.byteLength(f.text), 0);
    ctx.shared.blog = { figures, scriptsAdded, bytesAddedPerFigure: (bytes(bh) - bytes(fh)) / figures };

    const mb = median(res.blog.map((x) => x.ms));
    const mf = median(res.floor.map((x) => x.ms));
    const rss = (w) => Math.max(...res[w].map((x) => x.maxRSS_kb)) / 1024;
    const how = `node node_modules/hexo/bin/hexo generate (cwd = the site, public/ and db.json removed first), ${runs} runs each, alternated${ctx.quick ? '' : ', after one unmeasured build each'}; ${posts} posts`;
    const rows = [
      { name: `blog: ${posts} posts x 4 blocks (${figures} figures), median`, value: round(mb / 1000, 2), unit: 's', how },
      { name: `floor: same ${posts} posts, no blocks, median`, value: round(mf / 1000, 2), unit: 's', how },
      { name: 'blog / floor', value: round(mb / mf, 2), unit: 'x', target: { op: '<=', limit: 1.5 }, how: 'ratio of the two medians' },
      { name: 'blog / floor, fastest runs', value: round(Math.min(...res.blog.map((x) => x.ms)) / Math.min(...res.floor.map((x) => x.ms)), 2), unit: 'x', how: 'ratio of the fastest run of each (the least disturbed by other load)' },
      { name: 'blog - floor, per figure', value: round((mb - mf) / figures, 2), unit: 'ms', how: 'difference of the medians / figures (mermaid-cli: ~1,300 ms per diagram)' },
      { name: 'blog: peak RSS of hexo generate', value: round(rss('blog'), 0), unit: 'MB', how: 'process.resourceUsage().maxRSS at exit of the hexo process (bench/lib/maxrss.js preloaded), max over runs' },
      { name: 'floor: peak RSS of hexo generate', value: round(rss('floor'), 0), unit: 'MB', how: 'same' },
    ];
    const cpu = (w) => median(res[w].map((x) => x.user_ms + x.system_ms));
    const ms = median(res.stub.map((x) => x.ms));
    rows.push(
      { name: 'blog / floor, CPU time (user+sys)', value: round(cpu('blog') / cpu('floor'), 2), unit: 'x', how: 'process.resourceUsage() of the hexo process, medians' },
      { name: 'diagnostic: blog with a stub renderer, median', value: round(ms / 1000, 2), unit: 's', how: 'the same blog, renderer replaced by one fixed real SVG per figure (bench/lib/stub-render.js): parse, simulate, story and Hexo run for real' },
      { name: 'diagnostic: stub / floor', value: round(ms / mf, 2), unit: 'x', how: 'the floor any renderer could reach with the rest unchanged' },
      { name: 'diagnostic: stub: peak RSS', value: round(rss('stub'), 0), unit: 'MB', how: 'as above' },
    );
    return { rows, detail: { posts, runs, figures, base: ctx.keep ? base : undefined, blog: res.blog, floor: res.floor, stub: res.stub } };
  } finally {
    if (!ctx.keep) fs.rmSync(base, { recursive: true, force: true });
  }
};
