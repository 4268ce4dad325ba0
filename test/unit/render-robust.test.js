'use strict';
// Issue 10, the renderer: text wrapping stays near linear in the text (one
// long word no longer costs quadratic measuring), and every SVG is
// well-formed XML whatever characters reach it.
const assert = require('assert');
const fs = require('fs');
const os = require('os');
const path = require('path');
const { spawnSync } = require('child_process');
const { JSDOM } = require('jsdom');
const fonts = require('../../dist/render/fonts');
const { runScenario } = require('../../dist/index');
const { renderFigures, figureHtml } = require('../../dist/render');

const ROOT = path.resolve(__dirname, '..', '..');
const HAIRPIN = fs.readFileSync(path.join(ROOT, 'docs', 'figures', 'hairpin.yml'), 'utf8');
const ALL = ['steps', 'rules', 'sequence', 'summary'];

/** Parse as XML with jsdom's strict XML parser; throws on anything not well-formed. */
function parseXml(text, what) {
  try {
    return new JSDOM(text, { contentType: 'image/svg+xml' }).window.document;
  } catch (e) {
    throw new assert.AssertionError({ message: `${what} is not well-formed XML: ${e.message}` });
  }
}

/** Code points measured while running fn. */
function work(fn) {
  const before = fonts.measuredCodePoints();
  fn();
  return fonts.measuredCodePoints() - before;
}

describe('render: text wrapping grows linearly', function () {
  it('cutting one long word measures each code point a bounded number of times', () => {
    const a = work(() => fonts.wrapText('x'.repeat(10000), 13, 200));
    const b = work(() => fonts.wrapText('x'.repeat(40000), 13, 200));
    assert.ok(a >= 10000, 'every code point is measured');
    // Linear: 4x the text is about 4x the work (quadratic would be 16x).
    assert.ok(b / a < 5, `work grows ${b / a}x for 4x the text`);
    assert.ok(a < 10000 * 4, `about one measurement per code point (${a / 10000} each)`);
  });

  it('a label kept to two lines wraps only what it keeps', () => {
    const short = work(() => fonts.fitText('x'.repeat(1000), 13, 200, true, 2));
    const long = work(() => fonts.fitText('x'.repeat(100000), 13, 200, true, 2));
    assert.ok(long < short * 3, `fitText of 100x the text costs ${long / short}x`);
  });

  it('lines fit, keep every character, and a word wider than the line is cut wherever it stands', () => {
    let seed = 7;
    const rnd = () => { seed = (seed * 1103515245 + 12345) & 0x7fffffff; return seed / 0x7fffffff; };
    const alphabet = 'abcdefghij klmnop WXYZ0123 -./: 網路位址轉換';
    for (let i = 0; i < 2000; i++) {
      let s = '';
      for (let j = 0, n = 1 + Math.floor(rnd() * 150); j < n; j++) s += alphabet[Math.floor(rnd() * alphabet.length)];
      if (rnd() < 0.3) s = s.replace(/ /g, '');
      const size = [11, 13, 14][i % 3];
      const max = 30 + Math.floor(rnd() * 200);
      const bold = rnd() < 0.5;
      const lines = fonts.wrapText(s, size, max, bold);
      for (const l of lines) assert.ok(Array.from(l).length <= 1 || fonts.textWidth(l, size, bold) <= max, `"${l}" fits ${max}px (${JSON.stringify(s)})`);
      assert.strictEqual(lines.join('').replace(/\s/g, ''), s.replace(/\s/g, ''), 'no character lost');
      const fit = fonts.fitText(s, size, max, bold, 2);
      assert.ok(fit.lines.length <= 2);
      if (fit.cut) assert.ok(fit.lines[1].endsWith('…'));
    }
  });

  it('a 50,000-character word in a label and a rule comment renders, cut with an ellipsis', () => {
    const word = 'w'.repeat(50000);
    const yaml = HAIRPIN.replace('comment="web server"', `comment="web ${word}"`).replace(/(\n  pc:\s*\{)/, `$1 label: "${word}",`);
    const figs = renderFigures(runScenario(yaml), { lang: 'en', show: ALL });
    assert.strictEqual(figs.length, 9);
    for (const f of figs) parseXml(f.svg, f.kind);
    const step = parseXml(figs.find((f) => f.kind === 'step').svg, 'step');
    const drawn = [...step.querySelectorAll('text')].map((t) => t.textContent);
    assert.ok(drawn.some((t) => /^w+…$/.test(t)), 'the label is cut with an ellipsis');
    assert.ok(drawn.every((t) => t.length < 1000), 'no drawn line carries the whole word');
  });
});

describe('render: every SVG is well-formed XML', function () {
  this.timeout(120000);
  const BAD = 'a\u0000b\u0001c\u0008d\u000be\u000cf\u001bg\ufffeh\uffffi\ud800j\udc00k';

  it('characters XML cannot carry are replaced in every figure and its HTML, whatever reaches the renderer', () => {
    // Past the parser (which refuses them): put them straight into a simulated scenario.
    const sim = runScenario(HAIRPIN);
    sim.scenario.title = `title ${BAD}`;
    sim.scenario.hosts[0].label = `host ${BAD}`;
    sim.scenario.router.label = `router ${BAD}`;
    sim.scenario.router.interfaces[0].label = `wan ${BAD}`;
    const figs = renderFigures(sim, { lang: 'en', show: ALL });
    let sawReplacement = false;
    for (const f of figs) {
      const doc = parseXml(f.svg, f.kind);
      if (doc.documentElement.textContent.includes('\ufffd')) sawReplacement = true;
    }
    assert.ok(sawReplacement, 'the text is drawn, with U+FFFD where a character was');
    const html = figureHtml(figs, { mode: 'inline', lang: 'en', caption: `cap ${BAD}` });
    parseXml(`<div xmlns="http://www.w3.org/1999/xhtml">${html.replace(/&nbsp;/g, '&#160;')}</div>`, 'figure HTML');
  });

  it('every SVG nat-trace render writes parses as XML', () => {
    const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'nat-trace-xml-'));
    try {
      const files = [path.join(ROOT, 'docs', 'figures', 'hairpin.yml'), ...['cjk-labels.yml', 'long-comments.yml'].map((f) => path.join(ROOT, 'test', 'stress', f))];
      for (const [i, file] of files.entries()) {
        const out = path.join(tmp, String(i));
        const r = spawnSync(process.execPath, [path.join(ROOT, 'bin', 'nat-trace.js'), 'render', file, '--show', 'all', '--lang', ['en', 'zh-TW', 'ja'][i % 3], '-o', out], { encoding: 'utf8' });
        assert.strictEqual(r.status, 0, r.stderr);
        const svgs = fs.readdirSync(out).filter((f) => f.endsWith('.svg'));
        assert.ok(svgs.length >= 4);
        for (const s of svgs) parseXml(fs.readFileSync(path.join(out, s), 'utf8'), `${path.basename(file)} ${s}`);
      }
    } finally { fs.rmSync(tmp, { recursive: true, force: true }); }
  });
});
