'use strict';
// `nat-trace render` as a user runs it (a child process): it never overwrites
// a folder it did not write, and its usage errors say what would be right.
const assert = require('assert');
const fs = require('fs');
const os = require('os');
const path = require('path');
const { spawnSync } = require('child_process');

const ROOT = path.resolve(__dirname, '..', '..');
const BIN = path.join(ROOT, 'bin', 'nat-trace.js');
const HAIRPIN = path.join(ROOT, 'docs', 'figures', 'hairpin.yml');

function natTrace(args, opts = {}) {
  const r = spawnSync(process.execPath, [BIN, ...args], { encoding: 'utf8', ...opts });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

describe('nat-trace render: output folder and usage errors', function () {
  this.timeout(60000);
  let tmp;
  beforeEach(() => { tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'nat-trace-cli-')); });
  afterEach(() => { fs.rmSync(tmp, { recursive: true, force: true }); });

  it('refuses a non-empty folder it did not write, and writes nothing there', () => {
    const out = path.join(tmp, 'site');
    fs.mkdirSync(out);
    fs.writeFileSync(path.join(out, 'index.html'), 'my own page\n');
    fs.writeFileSync(path.join(out, 'step-01.svg'), '<svg>mine</svg>\n');
    const r = natTrace(['render', HAIRPIN, '-o', out]);
    assert.strictEqual(r.code, 1, r.stderr);
    assert.match(r.stderr, /not empty and nat-trace render did not write it/);
    assert.match(r.stderr, /--force/);
    assert.strictEqual(fs.readFileSync(path.join(out, 'index.html'), 'utf8'), 'my own page\n');
    assert.strictEqual(fs.readFileSync(path.join(out, 'step-01.svg'), 'utf8'), '<svg>mine</svg>\n');
    assert.deepStrictEqual(fs.readdirSync(out).sort(), ['index.html', 'step-01.svg']);
    // Any other file makes the folder someone's too.
    const other = path.join(tmp, 'notes');
    fs.mkdirSync(other);
    fs.writeFileSync(path.join(other, 'todo.txt'), 'x');
    assert.strictEqual(natTrace(['render', HAIRPIN, '-o', other]).code, 1);
    assert.deepStrictEqual(fs.readdirSync(other), ['todo.txt']);
  });

  it('--force writes into it; a folder it wrote is rewritten, dropping figures it no longer makes', () => {
    const out = path.join(tmp, 'site');
    fs.mkdirSync(out);
    fs.writeFileSync(path.join(out, 'index.html'), 'my own page\n');
    const forced = natTrace(['render', HAIRPIN, '-o', out, '--force']);
    assert.strictEqual(forced.code, 0, forced.stderr);
    assert.match(fs.readFileSync(path.join(out, 'index.html'), 'utf8'), /<figure/);
    const all = fs.readdirSync(out).filter((f) => /^step-\d+\.svg$/.test(f));
    assert.ok(all.length > 2);
    const again = natTrace(['render', HAIRPIN, '--step', '2', '-o', out]);
    assert.strictEqual(again.code, 0, again.stderr);
    assert.deepStrictEqual(fs.readdirSync(out).filter((f) => !f.startsWith('.')).sort(), ['index.html', 'step-02.svg']);
    // A new folder and an empty one are fine.
    const fresh = path.join(tmp, 'a', 'b');
    assert.strictEqual(natTrace(['render', HAIRPIN, '-o', fresh]).code, 0);
    fs.mkdirSync(path.join(tmp, 'empty'));
    assert.strictEqual(natTrace(['render', HAIRPIN, '-o', path.join(tmp, 'empty')]).code, 0);
  });

  it('--show rule suggests rules; a missing step says how many steps there are', () => {
    const show = natTrace(['render', HAIRPIN, '--show', 'rule', '-o', path.join(tmp, 'x')]);
    assert.strictEqual(show.code, 2);
    assert.match(show.stderr, /unknown view "rule".*did you mean `rules`\?/);
    const opt = natTrace(['render', HAIRPIN, '--shwo', 'rules', '-o', path.join(tmp, 'x')]);
    assert.match(opt.stderr, /unknown option --shwo.*did you mean `--show`\?/);
    const step = natTrace(['render', HAIRPIN, '--step', '40', '-o', path.join(tmp, 'x')]);
    assert.strictEqual(step.code, 1);
    const total = fs.readdirSync(path.join(ROOT, 'docs', 'figures', 'hairpin')).filter((f) => /^step-\d+\.svg$/.test(f)).length;
    assert.match(step.stderr, new RegExp(`step 40 does not exist: this trace has ${total} steps \\(expected steps from 1 to ${total}\\)`));
    assert.ok(!fs.existsSync(path.join(tmp, 'x')), 'nothing written on an error');
  });
});

describe('docs and example', () => {
  it('example/_config.yml suggests only real figure themes', () => {
    const { THEMES } = require('../../dist/render/theme');
    const text = fs.readFileSync(path.join(ROOT, 'example', '_config.yml'), 'utf8');
    const m = /^\s*#?\s*theme:\s*(\S+)/m.exec(text.slice(text.indexOf('nat_trace:')));
    assert.ok(m, 'the example shows the theme key');
    assert.ok(THEMES[m[1]], `"${m[1]}" is a figure theme`);
  });

  it('the README says how to get nat-trace on the PATH outside the checkout', () => {
    const text = fs.readFileSync(path.join(ROOT, 'README.md'), 'utf8');
    assert.match(text, /npm link/);
    assert.match(text, /npm install -g/);
    assert.match(text, /npx --package=/);
  });
});
