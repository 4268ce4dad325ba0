'use strict';
// 2. Rendering: per figure kind, median and p95 of renderFigures() after
// warm-up; the one-time start-up cost (jsdom window, fonts) in fresh processes.
const path = require('path');
const { spawnSync } = require('child_process');
const { ROOT, KINDS, scenario, hairpinSeed } = require('./lib/scenarios');
const { median, p95, sample, round } = require('./lib/stats');

function perFigure(ctx) {
  const { runScenario } = require(path.join(ROOT, 'dist'));
  const { renderFigures } = require(path.join(ROOT, 'dist', 'render'));
  const sim = runScenario(hairpinSeed());
  const opt = ctx.quick ? { warmup: 100, runs: 300 } : { warmup: 1000, runs: 5000 };
  // Step 2 of the hairpin is the DNAT rewrite: the busiest step figure (packet card with a rewrite and a rule).
  const cases = [
    ['step figure (hairpin step 2)', { show: ['steps'], steps: [2] }],
    ['rule table', { show: ['rules'] }],
    ['sequence view', { show: ['sequence'] }],
    ['summary', { show: ['summary'] }],
  ];
  const rows = [];
  const detail = {};
  for (const [label, o] of cases) {
    const s = sample(() => renderFigures(sim, { lang: 'en', ...o }), opt);
    detail[label] = { median_ms: round(median(s), 4), p95_ms: round(p95(s), 4), runs: opt.runs, warmup: opt.warmup };
    rows.push({
      name: `${label}: median`, value: round(median(s), 3), unit: 'ms', target: { op: '<=', limit: 0.5 },
      how: `renderFigures(sim, {lang:'en', show:${JSON.stringify(o.show)}${o.steps ? `, steps:[${o.steps}]` : ''}}) on docs/figures/hairpin.yml, ${opt.runs} runs after ${opt.warmup} warm-up (includes buildStory)`,
    });
    rows.push({ name: `${label}: p95`, value: round(p95(s), 3), unit: 'ms', how: 'same samples' });
  }
  // A whole block as the plugin renders it: every step of each scenario kind, per figure.
  const sims = KINDS.map((k, i) => runScenario(scenario(k, i)));
  let figs = 0;
  for (const sm of sims) figs += renderFigures(sm, { lang: 'en', show: ['steps'] }).length;
  const blocks = sample(() => { for (const sm of sims) renderFigures(sm, { lang: 'en', show: ['steps'] }); }, { warmup: Math.ceil(opt.warmup / 10), runs: Math.ceil(opt.runs / 10) });
  rows.push({
    name: 'steps of a block, per step figure (4 kinds)', value: round(median(blocks) / figs, 3), unit: 'ms',
    how: `renderFigures(sim, {show:['steps']}) for hairpin, port forward, UDP, filter drop (${figs} step figures), median / figures`,
  });
  return { rows, detail };
}

function startup(ctx) {
  const runs = ctx.quick ? 1 : 5;
  const res = [];
  for (let i = 0; i < runs; i++) {
    const r = spawnSync(process.execPath, [path.join(__dirname, 'lib', 'render-startup.js')], { encoding: 'utf8' });
    if (r.status !== 0) throw new Error(`render-startup.js failed: ${r.stderr}`);
    res.push(JSON.parse(r.stdout.trim().split('\n').pop()));
  }
  const m = (k) => median(res.map((x) => x[k]));
  const rows = [
    ['require dist/render (jsdom, svg.js, nunjucks)', 'require_render_ms'],
    ['jsdom window (first svgjs())', 'jsdom_window_ms'],
    ['fonts: open Noto Sans regular + bold (fontkit)', 'fonts_latin_ms'],
    ['first block, 9 figures (cold JIT, topology)', 'first_block_ms'],
    ['same block again', 'second_block_ms'],
    ['first zh-TW block (CJK font subsets)', 'first_zh_block_ms'],
    ['process start to first figure (sum)', 'process_to_first_figure_ms'],
  ].map(([label, key]) => ({
    name: `start-up: ${label}`, value: round(m(key), 1), unit: 'ms',
    how: `node bench/lib/render-startup.js (fresh process), median of ${runs}`,
  }));
  return { rows, detail: res };
}

module.exports = async function renderSection(ctx) {
  const pf = perFigure(ctx);
  const st = startup(ctx);
  return { rows: [...pf.rows, ...st.rows], detail: { perFigure: pf.detail, startup: st.detail } };
};
