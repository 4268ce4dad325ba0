'use strict';
// `hexo generate` on a copy of example/ (the README's first command builds the
// same site): every block of every post becomes its figures, with no error box.
// The expected figure count of each block is worked out here from the
// library itself (scenario + from: base + renderFigures), not from the page.
const assert = require('assert');
const fs = require('fs');
const path = require('path');
const { ROOT, TMP, hexoCli, count } = require('./helpers');
const { parseScenarioRaw, mergeRaw } = require('../../dist/scenario/parse');
const { runScenario } = require('../../dist/index');
const { renderFigures } = require('../../dist/render');
const { explain } = require('../../dist/explain');

const BLOCK_RE = /\{% nat_trace([^%]*)%\}\n([^]*?)\{% endnat_trace %\}/g;

function splitArgs(text) {
  return [...text.matchAll(/(\w+:"[^"]*"|\S+)/g)].map((m) => m[1].replace(/"/g, ''));
}

/** Figures each block of a post should make, in order. */
function expectedFigures(postText, dataDir) {
  const names = new Map();
  const out = [];
  for (const m of postText.matchAll(BLOCK_RE)) {
    const args = splitArgs(m[1]);
    const opt = Object.fromEntries(args.filter((a) => a.includes(':')).map((a) => [a.slice(0, a.indexOf(':')), a.slice(a.indexOf(':') + 1)]));
    const name = args.find((a) => !a.includes(':') && a !== 'fix');
    let raw = parseScenarioRaw(m[2]);
    if (opt.from) {
      const base = names.get(opt.from) || parseScenarioRaw(fs.readFileSync(path.join(dataDir, `${opt.from}.yml`), 'utf8'));
      raw = mergeRaw(base, raw);
    }
    if (args.includes('fix')) {
      // `fix`: the block's scenario with the best fix lib/explain proposes.
      const sim = runScenario('', { base: raw });
      const best = explain(sim).fixes[0];
      const dialect = sim.scenario.rules.dialect;
      raw = { ...raw, [dialect]: { ...raw[dialect], value: best.rules } };
    }
    if (name) names.set(name, raw);
    const show = opt.show ? opt.show.split(',') : ['steps'];
    const steps = opt.step ? [Number(opt.step)] : undefined;
    const figs = renderFigures(runScenario('', { base: raw }), { lang: 'en', show, steps });
    out.push({ args: m[1].trim(), n: figs.length, file: opt.output === 'file' });
  }
  return out;
}

function copyExample(dest) {
  fs.rmSync(dest, { recursive: true, force: true });
  fs.cpSync(path.join(ROOT, 'example'), dest, {
    recursive: true, verbatimSymlinks: true,
    filter: (src) => !/[\\/](public|db\.json|node_modules|themes)$/.test(src),
  });
  fs.mkdirSync(path.join(dest, 'themes'));
  fs.symlinkSync(path.join(ROOT, 'node_modules', 'hexo-theme-landscape'), path.join(dest, 'themes', 'landscape'), 'dir');
  // The copy loads the plugin from this checkout by absolute path.
  fs.writeFileSync(path.join(dest, 'scripts', 'load-plugin.js'), `require(${JSON.stringify(path.join(ROOT, 'dist', 'hexo'))}).register(hexo);\n`);
}

describe('hexo: the example site', function () {
  this.timeout(180000);
  const dir = path.join(TMP, "example");
  let result;
  before(async () => {
    copyExample(dir);
    result = await hexoCli(dir, ['generate']);
  });

  it('generates without errors', () => {
    assert.strictEqual(result.code, 0, result.stdout + result.stderr);
    assert.ok(fs.existsSync(path.join(dir, 'public', 'index.html')));
  });

  const postsDir = path.join(ROOT, 'example', 'source', '_posts');
  for (const file of fs.readdirSync(postsDir).filter((f) => f.endsWith('.md'))) {
    it(`${file}: every block has its figures`, () => {
      const text = fs.readFileSync(path.join(postsDir, file), 'utf8');
      const expected = expectedFigures(text, path.join(ROOT, 'example', 'source', '_data', 'nat_trace'));
      assert.ok(expected.length >= 5, 'the example posts are made of many blocks');
      const slug = file.replace(/\.md$/, '');
      const found = fs.readdirSync(path.join(dir, 'public', '2024', '03')).map((d) => path.join(dir, 'public', '2024', '03', d, slug, 'index.html')).find((p) => fs.existsSync(p));
      assert.ok(found, `page of ${file}`);
      const html = fs.readFileSync(found, 'utf8');
      assert.ok(!html.includes('nat-trace-error'), 'no error box');
      const inline = expected.filter((b) => !b.file).reduce((a, b) => a + b.n, 0);
      const files = expected.filter((b) => b.file).reduce((a, b) => a + b.n, 0);
      assert.strictEqual(count(html, /<svg\b/g), inline, 'inline SVGs');
      const all = [...html.matchAll(/<img\b[^>]*\bsrc="([^"]*nat-trace[^"]*)"/g)].map((m) => m[1].replace(/&#x2F;/g, '/'));
      // Step figures (inline or file) also point to their narrow layout's file.
      const srcs = all.filter((s) => !/-narrow\.svg$/.test(s));
      assert.strictEqual(srcs.length, files, 'SVG files');
      assert.ok(all.length > srcs.length, 'narrow layouts of the step figures');
      for (const src of srcs) {
        const svg = fs.readFileSync(path.join(dir, 'public', src), 'utf8');
        assert.match(svg, /^<svg\b[^]*<\/svg>\s*$/, src);
      }
    });
  }

  it('the NAT loopback post shows the four steps of the seed post and the fix', () => {
    const text = fs.readFileSync(path.join(postsDir, 'nat-loopback.md'), 'utf8');
    for (const s of [1, 2, 3, 4]) assert.match(text, new RegExp(`\\{% nat_trace from:hairpin step:${s} %\\}`));
    assert.match(text, /show:rules/);
    // The solution section is the explain figure and the fixed scenario, no rules written by hand.
    assert.match(text, /\{% nat_trace from:hairpin show:explain %\}/);
    assert.match(text, /\{% nat_trace fixed from:hairpin fix\b/);
    const page = fs.readdirSync(path.join(dir, 'public', '2024', '03')).map((d) => path.join(dir, 'public', '2024', '03', d, 'nat-loopback', 'index.html')).find((p) => fs.existsSync(p));
    const html = fs.readFileSync(page, 'utf8');
    assert.match(html, /data-nat-trace="explain"/);
    assert.match(html, /action=masquerade src-address=10\.30\.9\.0\/24 dst-address=10\.30\.9\.0\/24/);
  });
});
