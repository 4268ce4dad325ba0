'use strict';
// Issue 10, second attacker pass: inputs the issue did not list. Each case
// here crashed (an internal error), hung, or let text through unchecked
// before its fix; now each is one NatTraceError (or a clean figure).
const assert = require('assert');
const fs = require('fs');
const os = require('os');
const path = require('path');
const { spawnSync } = require('child_process');
const { JSDOM } = require('jsdom');
const { runScenario } = require('../../dist/index');
const { parseScenarioRaw } = require('../../dist/scenario/parse');
const { NatTraceError } = require('../../dist/errors');
const { parseBlockArgs } = require('../../dist/hexo/args');
const { parseStepList, stepRanges, MAX_STEP } = require('../../dist/story/select');
const { readScenarioFile, MAX_INPUT_BYTES } = require('../../dist/files');
const R = require('../../dist/render');

const ROOT = path.resolve(__dirname, '..', '..');
const CLI = path.join(ROOT, 'bin', 'nat-trace.js');
const HAIRPIN = fs.readFileSync(path.join(ROOT, 'docs', 'figures', 'hairpin.yml'), 'utf8');

function errorOf(fn) {
  let r;
  try { r = fn(); } catch (e) {
    assert.ok(e instanceof NatTraceError, `expected a NatTraceError, got ${e && e.stack}`);
    return e;
  }
  assert.fail(`expected an error, got ${JSON.stringify(r).slice(0, 200)}`);
}
const cli = (args, opts = {}) => spawnSync(process.execPath, [CLI, ...args], { encoding: 'utf8', timeout: 120000, ...opts });

describe('attack: step selections are bounded', () => {
  // `step:99999999999999999999` never ended (1e20 + 1 === 1e20), `steps:1-100000000` ended in
  // "internal error: Set maximum size exceeded" after seconds of work.
  for (const v of ['99999999999999999999', '1-100000000', '1-1000', '5-1e3', String(MAX_STEP + 1)]) {
    it(`steps:${v} is refused, not expanded`, () => {
      const e = errorOf(() => parseBlockArgs([`steps:${v}`]));
      assert.match(e.message, /steps: (step .* is beyond any trace|not a step number)/);
    });
  }
  it(`steps up to ${MAX_STEP} are fine; missing steps are told as ranges`, () => {
    assert.strictEqual(parseStepList(`1-${MAX_STEP}`, 'steps').length, MAX_STEP);
    assert.strictEqual(stepRanges([3, 4, 5, 9, 11, 12]), '3-5, 9, 11-12');
  });
  it('the CLI shares the parser: --step 99999999999999999999 is a usage error', () => {
    const r = cli(['render', path.join(ROOT, 'docs', 'figures', 'hairpin.yml'), '--step', '99999999999999999999', '-o', path.join(os.tmpdir(), 'nat-trace-never-written')]);
    assert.strictEqual(r.status, 2, r.stderr);
    assert.match(r.stderr, /--step: step 99999999999999999999 is beyond any trace/);
  });
});

describe('attack: theme names that are Object.prototype properties', () => {
  // `theme:constructor` in a block, `--theme __proto__` in the CLI: "internal error: Cannot convert undefined or null to object".
  const sim = runScenario(HAIRPIN);
  for (const name of ['constructor', '__proto__', 'toString', 'hasOwnProperty']) {
    it(`theme ${name} is an unknown theme`, () => {
      const e = errorOf(() => R.renderFigures(sim, { lang: 'en', show: ['steps'], theme: name }));
      assert.match(e.message, /unknown figure theme/);
      assert.match(e.expected, /default, mono, warm, dark/);
    });
  }
});

describe('attack: files that never end, folders, devices', function () {
  this.timeout(180000);
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'nat-trace-attack-'));
  after(() => fs.rmSync(tmp, { recursive: true, force: true }));

  it('/dev/zero, a symlink to it, and a file over the limit are refused after the limit, not read to the end', () => {
    fs.symlinkSync('/dev/zero', path.join(tmp, 'zero.yml'));
    fs.writeFileSync(path.join(tmp, 'big.yml'), 'title: ' + 'x'.repeat(MAX_INPUT_BYTES) + '\n');
    for (const f of ['/dev/zero', path.join(tmp, 'zero.yml'), path.join(tmp, 'big.yml')]) {
      const e = errorOf(() => readScenarioFile(f, 'f.yml'));
      assert.match(e.format(), /^f\.yml: is larger than 4 MB/);
    }
    assert.match(errorOf(() => readScenarioFile(tmp, 'dir')).format(), /^dir: is a directory/);
    assert.strictEqual(readScenarioFile(path.join(ROOT, 'docs', 'figures', 'hairpin.yml')), HAIRPIN);
  });

  it('nat-trace run, explain, fix and render of /dev/zero end with one message', () => {
    for (const args of [['run', '/dev/zero'], ['explain', '/dev/zero'], ['fix', '/dev/zero'], ['render', '/dev/zero', '-o', path.join(tmp, 'out')]]) {
      const r = cli(args);
      assert.strictEqual(r.status, 1, `${args.join(' ')}: ${r.stderr}`);
      assert.match(r.stderr, /^error: \/dev\/zero: is larger than 4 MB/m, args.join(' '));
      assert.doesNotMatch(r.stderr, /internal error|\n\s+at /);
    }
    const piped = cli(['run', '-'], { input: 'title: ' + 'y'.repeat(MAX_INPUT_BYTES + 10) });
    assert.match(piped.stderr, /^error: <stdin>: is larger than 4 MB/m);
  });

  it('render -o under /proc (where recursive mkdir never returns) is one message', () => {
    const r = cli(['render', path.join(ROOT, 'docs', 'figures', 'hairpin.yml'), '-o', '/proc/nat-trace-x/y']);
    assert.strictEqual(r.status, 1, r.stderr);
    assert.match(r.stderr, /-o: cannot create the folder \(\w+ at \/proc\/nat-trace-x\)/);
  });
});

describe('attack: control characters anywhere text enters, at their line and column', () => {
  const cases = [
    ['title: ab\u0001c\n', 1, 10, 'U+0001'], // as is
    ['x: 1\ntitle: "ab\\u0001c"\n', 2, 11, 'U+0001'], // an escape: at the escape
    ['x:\n  y: |\n    line1\n    li\u001bne2\n', 4, 7, 'U+001B'], // in a block scalar (rules text)
    ['a\u0007b: 1\n', 1, 2, 'U+0007'], // in a key
    ['t: "\\x1b[31mred"\n', 1, 5, 'U+001B'],
  ];
  for (const [text, line, column, name] of cases) {
    it(`${JSON.stringify(text)}: ${name} at ${line}:${column}`, () => {
      const e = errorOf(() => parseScenarioRaw(text, { file: 'f.yml', lineOffset: 10 }));
      assert.match(e.message, new RegExp(`control character ${name.replace('+', '\\+')}`));
      assert.strictEqual(e.line, line + 10);
      assert.strictEqual(e.column, column);
      assert.match(e.format(), new RegExp(`^f\\.yml:${line + 10}:${column}: `));
    });
  }
  it('a base given as plain data (the API, Hexo _data) is checked too, named by its path', () => {
    const base = require('yaml').parse(HAIRPIN);
    base.hosts.pc.label = 'a\u0001b';
    assert.match(errorOf(() => runScenario('', { base })).message, /^base\.hosts\.pc\.label contains the control character U\+0001/);
    delete base.hosts.pc.label;
    base.hosts['p\u001bc'] = base.hosts.pc;
    assert.match(errorOf(() => runScenario('', { base })).message, /^a key of base\.hosts contains the control character U\+001B/);
  });
  it('a block option (caption:) is checked too', () => {
    const e = errorOf(() => parseBlockArgs(['caption:a\u0008b']));
    assert.match(e.message, /^caption: contains the control character U\+0008/);
    assert.ok(!e.format().includes('\u0008'), 'the message does not carry the character itself');
  });
});

describe('attack: text that breaks out of HTML, SVG, CSS or comments stays text', function () {
  this.timeout(300000);
  const PAYLOADS = ['<img src=x onerror=alert(1)>', '</style><script>alert(1)</script>', ']]><x/>', '--><x/>', '</title></svg><x/>', 'a\u202eb\u200b\u2028c', '{{ 7*191 }}'];
  const FIELDS = {
    title: (p) => HAIRPIN.replace(/^title: .*$/m, `title: ${JSON.stringify(p)}`),
    'router name': (p) => HAIRPIN.replace('name: MikroTik', `name: ${JSON.stringify(p)}`),
    'interface label': (p) => HAIRPIN.replace('label: WAN }', `label: ${JSON.stringify(p)} }`),
    'host label': (p) => HAIRPIN.replace('pc: { interface: bridge,', `pc: { label: ${JSON.stringify(p)}, interface: bridge,`),
    'rule comment': (p) => HAIRPIN.replace('to-ports=5000 comment="web server"', `to-ports=5000 comment=${JSON.stringify(p)}`),
  };
  const { window } = new JSDOM('');
  const parser = new window.DOMParser();
  for (const [field, make] of Object.entries(FIELDS)) {
    it(`${field}: every view is well-formed SVG and the HTML carries no markup from it`, () => {
      for (const p of PAYLOADS) {
        const figs = R.renderFigures(runScenario(make(p), { file: 'a.yml' }), { lang: 'en', show: ['steps', 'rules', 'sequence', 'summary', 'explain'] });
        let out = '';
        for (const f of figs) {
          const doc = parser.parseFromString(f.svg, 'image/svg+xml');
          assert.strictEqual(doc.getElementsByTagName('parsererror').length, 0, `${field} ${JSON.stringify(p)}: ${f.kind} is not well-formed`);
          out += f.svg;
        }
        const parts = R.figureParts(figs, { mode: 'inline', lang: 'en', defer: () => '/f.svg' });
        out += parts.html;
        for (const part of parts.parts.values()) out += part.body + part.text;
        for (const s of ['<img src=x', '<script>', '<x/>', '1337']) assert.ok(!out.includes(s), `${field} ${JSON.stringify(p)}: ${s} in the output`);
      }
    });
  }
});
