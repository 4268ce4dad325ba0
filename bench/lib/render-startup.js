'use strict';
// Run in a fresh process by bench/render.js: the one-time costs of the
// renderer, in the order a first figure pays them. Prints one JSON line.
const path = require('path');
const { performance } = require('perf_hooks');
const t00 = performance.now();
const ROOT = path.resolve(__dirname, '..', '..');
const fs = require('fs');
const { scenario } = require('./scenarios');

const text = fs.readFileSync(path.join(ROOT, 'docs', 'figures', 'hairpin.yml'), 'utf8');
let t = performance.now();
const { runScenario } = require(path.join(ROOT, 'dist'));
const sim = runScenario(text);
const out = { simulate_ms: performance.now() - t };

t = performance.now();
const render = require(path.join(ROOT, 'dist', 'render'));
out.require_render_ms = performance.now() - t;

t = performance.now();
require(path.join(ROOT, 'dist', 'render', 'dom')).svgjs();
out.jsdom_window_ms = performance.now() - t;

t = performance.now();
const fonts = require(path.join(ROOT, 'dist', 'render', 'fonts'));
fonts.textWidth('Step 1 of 6 · pc sends SYN', 13);
fonts.textWidth('Step 1 of 6 · pc sends SYN', 14, true);
out.fonts_latin_ms = performance.now() - t;

const all = { lang: 'en', show: ['steps', 'rules', 'sequence', 'summary'] };
t = performance.now();
const figs = render.renderFigures(sim, all);
render.figureHtml(figs, { mode: 'inline', lang: 'en' });
out.first_block_ms = performance.now() - t;
out.figures = figs.length;

t = performance.now();
render.figureHtml(render.renderFigures(sim, all), { mode: 'inline', lang: 'en' });
out.second_block_ms = performance.now() - t;

// The first zh-TW block opens the CJK font subsets it needs.
const zh = runScenario(scenario('portForward', 3));
t = performance.now();
render.renderFigures(zh, { ...all, lang: 'zh-TW' });
out.first_zh_block_ms = performance.now() - t;
t = performance.now();
render.renderFigures(zh, { ...all, lang: 'zh-TW' });
out.second_zh_block_ms = performance.now() - t;

out.process_to_first_figure_ms = out.simulate_ms + out.require_render_ms + out.jsdom_window_ms + out.fonts_latin_ms + out.first_block_ms;
out.script_ms = performance.now() - t00;
process.stdout.write(JSON.stringify(out) + '\n');
