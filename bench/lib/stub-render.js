'use strict';
// Diagnostic for the blog section: stands in for dist/render in a Hexo
// child (registered in require.cache by the site's scripts/0-stub-render.js
// before the plugin loads it). Everything before rendering runs for real
// (block parsing, simulate, buildStory, the cache); each figure is one
// fixed, real SVG of ordinary size read from $site/stub-figure.svg, so the
// pages weigh what they weigh with the real renderer. The build time of this
// site minus the floor is what the blocks cost without jsdom and svg.js: a
// lower bound for any renderer. The site has nat_trace.cache: false (every
// block is worked out every time, as in a cold build).
const fs = require('fs');
const path = require('path');

module.exports = function install(root, siteDir) {
  const target = require.resolve(path.join(root, 'dist', 'render'));
  const { buildStory } = require(path.join(root, 'dist', 'story'));
  const svg = fs.readFileSync(path.join(siteDir, 'stub-figure.svg'), 'utf8');
  // The plugin takes the shared style rules out of an inline figure by its id (pagecss.ts).
  const id = /\sid="(nt-[0-9a-f]+)"/.exec(svg)[1];
  const esc = (s) => String(s).replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
  const stub = {
    renderFigures(sim, opts) {
      const story = buildStory(sim, opts.lang);
      const out = [];
      for (const kind of ['rules', 'steps', 'sequence', 'summary'].filter((k) => opts.show.includes(k))) {
        if (kind !== 'steps') { out.push({ kind, id, svg, alt: kind, caption: kind, textSteps: [kind] }); continue; }
        for (const s of story.steps) {
          if (opts.steps && !opts.steps.includes(s.index)) continue;
          out.push({ kind: 'step', step: s.index, id, svg, alt: s.caption, caption: s.caption, textSteps: [s.caption] });
        }
      }
      return out;
    },
    figureHtml(figs, opts) {
      return `<div class="nat-trace" lang="${esc(opts.lang)}">\n${figs.map((f) => `<figure class="nat-trace-figure nat-trace-${f.kind}" data-nat-trace="${f.kind}${f.step ? `-${f.step}` : ''}">\n${f.svg}\n<figcaption>${esc(f.caption)}</figcaption>\n</figure>\n`).join('')}</div>\n`;
    },
    // The plugin defers drawings to the page; the stub writes them in place (no parts to expand).
    figureParts(figs, opts) {
      return { html: stub.figureHtml(figs, opts), parts: new Map() };
    },
    restyle(s) {
      return s;
    },
    restyleFigure(f) {
      return f;
    },
    errorHtml(message) {
      return `<div class="nat-trace-error" role="alert"><pre>${esc(message)}</pre></div>\n`;
    },
  };
  require.cache[target] = { id: target, filename: target, loaded: true, exports: stub, children: [], paths: [] };
};
