'use strict';
// 5. Reader cost: bytes of HTML+SVG per figure as a page holds it (inline
// mode, the shared CSS once per page), raw and gzipped, the page CSS, and
// the JavaScript a reader downloads (none).
const path = require('path');
const zlib = require('zlib');
const { ROOT, KINDS, scenario, hairpinSeed } = require('./lib/scenarios');
const { median, round } = require('./lib/stats');

const SCRIPT_RE = /<script\b/gi;

module.exports = async function readerSection(ctx) {
  const { runScenario } = require(path.join(ROOT, 'dist'));
  const { renderFigures, figureHtml } = require(path.join(ROOT, 'dist', 'render'));
  const { pageSvg, pageCss, layoutCss, layoutClass } = require(path.join(ROOT, 'dist', 'render', 'pagecss'));
  const sims = [['hairpin (seed)', runScenario(hairpinSeed())], ...KINDS.map((k, i) => [k, runScenario(scenario(k, i))])];
  const byKind = { step: [], rules: [], sequence: [], summary: [] };
  let scripts = 0;
  const standalone = [];
  const narrowBytes = [];
  for (const [name, sim] of sims) {
    for (const lang of ['en', 'zh-TW']) {
      for (const f of renderFigures(sim, { lang, show: ['steps', 'rules', 'sequence', 'summary'] })) {
        // The figure as a Hexo page holds it after expansion: the shared CSS is the page's, once (pagecss.ts);
        // a step's narrow (phone) layout is an <img> of its own file (lib/hexo/block.ts), at a URL as long as a post's.
        const narrowFiles = (g) => (g.narrow ? [{ variant: 'auto', src: `/2024/01/01/walk-001/nat-trace/${g.narrow.id.slice(-10)}-step-${g.step}-narrow.svg` }] : []);
        const html = figureHtml([{ ...f, svg: pageSvg(f.svg, f.id, undefined) }], { mode: 'inline', lang, narrowFiles });
        if (f.narrow) narrowBytes.push(zlib.gzipSync(f.narrow.svg).length);
        scripts += (html.match(SCRIPT_RE) || []).length;
        if (f.kind === 'step') standalone.push(Buffer.byteLength(figureHtml([f], { mode: 'inline', lang })));
        byKind[f.kind].push({ scenario: name, lang, step: f.step, raw: Buffer.byteLength(html), gzip: zlib.gzipSync(html).length });
      }
    }
  }
  const rows = [];
  const label = { step: 'step figure', rules: 'rule table', sequence: 'sequence view', summary: 'summary' };
  const plural = { step: 'step figures', rules: 'rule tables', sequence: 'sequence views', summary: 'summaries' };
  for (const [kind, list] of Object.entries(byKind)) {
    const raw = list.map((x) => x.raw);
    const gz = list.map((x) => x.gzip);
    const how = `Buffer.byteLength(figureHtml([{...fig, svg: pageSvg(fig.svg, fig.id)}], {mode:'inline', narrowFiles})) (the <figure> as a page holds it after expansion) and zlib.gzipSync(...).length over ${list.length} ${plural[kind]} (5 scenarios x en, zh-TW)`;
    rows.push({ name: `${label[kind]}: HTML+SVG bytes, median`, value: round(median(raw) / 1024, 2), unit: 'KB', how });
    rows.push({
      name: `${label[kind]}: HTML+SVG bytes, largest`, value: round(Math.max(...raw) / 1024, 2), unit: 'KB',
      target: kind === 'step' ? { op: '<=', limit: 5 } : undefined, how,
    });
    rows.push({ name: `${label[kind]}: gzipped, median`, value: round(median(gz) / 1024, 2), unit: 'KB', how });
  }
  rows.push({
    name: 'the page\'s figure CSS, once per page with figures', value: round(Buffer.byteLength(pageCss(['default'], { kind: 'auto' }, false) + layoutCss(layoutClass(571))) / 1024, 2), unit: 'KB',
    how: "pageCss(['default'], auto) + layoutCss of one switch width: the <style id=\"nat-trace-css\"> a page with one block of figures of one theme gets (lib/render/pagecss.ts; each further block width adds ~190 bytes)",
  });
  rows.push({
    name: 'step figure, standalone (file, CLI: its own CSS), largest', value: round(Math.max(...standalone) / 1024, 2), unit: 'KB',
    how: "Buffer.byteLength(figureHtml([fig], {mode:'inline'})) of the figure as drawn, with its own <style>",
  });
  if (narrowBytes.length) {
    rows.push({
      name: 'step figure: narrow (phone) layout file, gzipped, median', value: round(median(narrowBytes) / 1024, 2), unit: 'KB',
      how: `zlib.gzipSync(fig.narrow.svg).length over ${narrowBytes.length} step figures: what a phone fetches instead of the wide drawing's place (the <img> is lazy)`,
    });
  }
  rows.push({
    name: '<script> tags in figure HTML', value: scripts, unit: 'tags', target: { op: '<=', limit: 0 },
    how: `count of /<script\\b/i in every figure's HTML above (${Object.values(byKind).reduce((a, l) => a + l.length, 0)} figures)`,
  });
  const blog = ctx.shared.blog;
  if (blog) {
    rows.push({
      name: 'blog: <script> tags added to pages vs the floor', value: blog.scriptsAdded, unit: 'tags', target: { op: '<=', limit: 0 },
      how: 'count of /<script\\b/i in public/**/*.html of the blog minus the floor (same theme, same posts without blocks)',
    });
    rows.push({
      name: 'blog: HTML bytes added per figure', value: round(blog.bytesAddedPerFigure / 1024, 2), unit: 'KB',
      how: `(bytes of public/**/*.html of the blog - the floor) / ${blog.figures} figures (the index page lists excerpts, which hold no blocks)`,
    });
  }
  return { rows, detail: byKind };
};
