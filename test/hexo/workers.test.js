'use strict';
// Drawing in worker threads (lib/hexo/drawpool.ts): the same public/, byte
// for byte, and the same error report, whether the figures are drawn in
// Hexo's own thread (`workers: 0`) or in workers; blocks that depend on
// earlier ones (`from:`), failing blocks and the blocks after them keep
// their order; a pool whose workers cannot start draws in the main thread.
const assert = require('assert');
const fs = require('fs');
const path = require('path');
const { spawnSync } = require('child_process');
const { HAIRPIN, ROOT, post, makeSite, publicTree } = require('./helpers');
const { DrawPool, WorkerLost } = require('../../dist/hexo/drawpool');

const HEXO_BIN = path.join(ROOT, 'node_modules', 'hexo', 'bin', 'hexo');
const block = (args, body) => `{% nat_trace ${args} %}\n${body}{% endnat_trace %}\n`;
const UDP = 'trace: pc -> 203.0.113.22:5000/udp\n';
// A trace from a host the network does not have: refused when the scenario is run (in the worker), not when its YAML is read.
const BAD_RULES = HAIRPIN.replace('trace: pc ->', 'trace: ghost ->');

function posts() {
  return {
    'walk.md': post('Walk', [
      'Prose first.\n', block('office steps:1-3', HAIRPIN), 'Between.\n', block('from:office', UDP),
      block('show:rules,summary,sequence', HAIRPIN), block('broken', BAD_RULES), block('from:broken', UDP),
      block('steps:40', HAIRPIN), block('show:rules', 'router: [unclosed\n'), block('later', HAIRPIN), block('from:later show:summary', UDP), 'After.\n',
    ].join('\n'), { date: '2024-03-09 20:00:00' }),
    'second.md': post('Second', `Another post.\n\n${block('show:sequence,rules lang:zh-TW', HAIRPIN)}\n${block('', HAIRPIN.replace('10.30.9.70', '10.30.9.71'))}`, { date: '2024-03-10 20:00:00' }),
    'plain.md': post('Plain', 'No figures in this one, only words.\n', { date: '2024-03-11 20:00:00' }),
  };
}

function generate(dir, args = []) {
  fs.rmSync(path.join(dir, 'public'), { recursive: true, force: true });
  fs.rmSync(path.join(dir, 'db.json'), { force: true });
  const r = spawnSync(process.execPath, [HEXO_BIN, 'generate', ...args], { cwd: dir, encoding: 'utf8', env: { ...process.env, NO_COLOR: '1', FORCE_COLOR: '0' } });
  return { status: r.status, out: `${r.stdout}${r.stderr}` };
}

/** The ERROR lines of a failed generate, without the site's own path. */
function errorLines(out, dir) {
  return out.split('\n').filter((l) => /nat_trace|\.md:\d+/.test(l)).map((l) => l.split(dir).join('SITE').replace(/\s+$/, ''));
}

describe('hexo: drawing in worker threads', function () {
  this.timeout(600000);

  it('gives the same public/, byte for byte, as drawing in Hexo\'s own thread (errors shown in the pages)', () => {
    const trees = [];
    for (const workers of [0, 2]) {
      const name = `workers-${workers}`;
      const dir = makeSite(name, { theme: 'landscape', config: { nat_trace: { workers, cache: false, fail_on_error: false } }, posts: posts() });
      const r = generate(dir, ['--debug']);
      assert.strictEqual(r.status, 0, r.out.slice(-2000));
      const drawn = /nat_trace: (\d+) blocks? drawn in (\d+) worker/.exec(r.out);
      if (workers) assert.ok(drawn && Number(drawn[1]) >= 8 && Number(drawn[2]) >= 1, `the blocks were drawn in workers: ${drawn ? drawn[0] : 'no debug line'}`);
      else assert.strictEqual(drawn, null, 'no worker with workers: 0');
      trees.push(publicTree(dir, name));
    }
    const [main, pool] = trees;
    assert.deepStrictEqual([...pool.keys()], [...main.keys()], 'the same files');
    for (const [file, text] of main) assert.ok(pool.get(file) === text, `${file} differs`);
    const page = main.get(path.join('public', 'walk', 'index.html')) ?? '';
    // The page holds what the test is about: drawn figures, and the failures in their order.
    assert.ok((page.match(/<svg /g) || []).length >= 5, 'figures drawn');
    const errors = [...page.matchAll(/class="nat-trace-error"[^]*?<\/div>/g)].map((m) => m[0].replace(/<[^>]+>/g, ' '));
    assert.strictEqual(errors.length, 4, `four error boxes: ${errors.join(' | ')}`);
    assert.match(errors[0], /ghost/);
    assert.match(errors[1], /from:broken/);
    assert.match(errors[2], /step 40 does not exist/);
    assert.match(errors[3], /walk\.md:\d+/);
  });

  it('fails the build with the same message, its block errors in order', () => {
    const results = [];
    for (const workers of [0, 2]) {
      const dir = makeSite(`workers-fail-${workers}`, { config: { nat_trace: { workers, cache: false } }, posts: posts() });
      const r = generate(dir);
      assert.notStrictEqual(r.status, 0, 'the build fails');
      results.push(errorLines(r.out, dir));
    }
    assert.ok(results[0].length >= 3, results[0].join('\n'));
    assert.deepStrictEqual(results[1], results[0]);
  });

  it('refuses a wrong `workers` value with one message naming it', () => {
    const dir = makeSite('workers-bad', { config: { nat_trace: { workers: -1 } }, posts: { 'a.md': post('A', block('', HAIRPIN)) } });
    const r = generate(dir);
    assert.notStrictEqual(r.status, 0);
    assert.match(r.out, /nat_trace\.workers: "-1" is not a number of workers/);
    assert.doesNotMatch(r.out, /\n\s+at .*\(.*\.js:\d+:\d+\)/, 'no stack trace');
  });

  it('a pool whose workers cannot start says so, so the caller draws itself', async () => {
    const pool = new DrawPool(2, path.join(ROOT, 'test', 'hexo', 'no-such-worker.js'));
    const job = { merged: null, parseOpts: { file: 'x.md', lineOffset: 0 }, figOpts: { lang: 'en', show: ['steps'] }, show: ['steps'], lang: 'en' };
    await assert.rejects(pool.draw(job), (e) => e instanceof WorkerLost);
    await assert.rejects(pool.draw(job), (e) => e instanceof WorkerLost, 'and keeps saying so');
    assert.strictEqual(pool.broken, true);
    await pool.close();
  });
});
