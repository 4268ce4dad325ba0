'use strict';
// The disk cache of finished blocks (lib/hexo/diskcache.ts) and the page CSS
// (lib/render/pagecss.ts), on real `hexo generate` runs in child processes:
// a rebuild from the cache gives the same public/ byte for byte and loads
// neither the simulator nor the renderer; `cache: false`, two builds at once,
// corrupt entries; the figure CSS once per page that has figures.
const assert = require('assert');
const fs = require('fs');
const os = require('os');
const path = require('path');
const { spawn } = require('child_process');
const { HAIRPIN, ROOT, post, makeSite, publicTree } = require('./helpers');
const { DiskCache, siteCacheDir } = require('../../dist/hexo/diskcache');

const HEXO_BIN = path.join(ROOT, 'node_modules', 'hexo', 'bin', 'hexo');
const block = (args, body) => `{% nat_trace ${args} %}\n${body}{% endnat_trace %}\n`;
const UDP = 'trace: pc -> 203.0.113.22:5000/udp\n';

/**
 * Writes, at exit, which of the plugin's heavy modules this process loaded:
 * one file per thread (a preload runs in the drawing workers too), merged by generate().
 */
const PROBE = `'use strict';
const probe = () => {
  const loaded = Object.keys(require.cache);
  const has = (re) => loaded.some((f) => re.test(f));
  require('fs').writeFileSync(process.env.NAT_TRACE_PROBE + '.' + require('worker_threads').threadId, JSON.stringify({
    jsdom: has(/node_modules[\\\\/]jsdom[\\\\/]/), svgjs: has(/@svgdotjs/), fontkit: has(/node_modules[\\\\/]fontkit[\\\\/]/),
    yaml: has(/node_modules[\\\\/]yaml[\\\\/]/), sim: has(/dist[\\\\/]sim[\\\\/]/), render: has(/dist[\\\\/]render[\\\\/]index\\.js$/),
  }));
};
// The main thread at its exit; a drawing worker is stopped with the process, without an exit event: it writes as it goes.
if (require('worker_threads').isMainThread) process.on('exit', probe);
else { probe(); setInterval(probe, 50).unref(); }
`;

function posts() {
  return {
    // Distinct dates: posts of one date are listed in file-system order, which differs between two sites.
    'walk.md': post('Walk', `Prose first.\n\n${block('office steps:1-3', HAIRPIN)}\nBetween.\n\n${block('from:office', UDP)}\n${block('from:shared show:rules,summary', '')}\nAfter.\n`, { date: '2024-03-09 20:00:00' }),
    'second.md': post('Second', `Another post.\n\n${block('show:sequence,rules', HAIRPIN)}\n`, { date: '2024-03-10 20:00:00' }),
    'plain.md': post('Plain', 'No figures in this one, only words.\n', { date: '2024-03-11 20:00:00' }),
  };
}

function site(name, config = {}) {
  return makeSite(name, { theme: 'landscape', config, posts: posts(), data: { 'shared.yml': HAIRPIN } });
}

/** `hexo generate` in a child process; resolves the modules it loaded. */
function generate(dir, { clean = true } = {}) {
  if (clean) {
    fs.rmSync(path.join(dir, 'public'), { recursive: true, force: true });
    fs.rmSync(path.join(dir, 'db.json'), { force: true });
  }
  const probeFile = path.join(dir, '.probe.json');
  const probe = path.join(dir, '.probe.js');
  fs.writeFileSync(probe, PROBE);
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['-r', probe, HEXO_BIN, 'generate'], {
      cwd: dir, env: { ...process.env, NAT_TRACE_PROBE: probeFile, NO_COLOR: '1', FORCE_COLOR: '0' },
    });
    let out = '';
    child.stdout.on('data', (d) => { out += d; });
    child.stderr.on('data', (d) => { out += d; });
    child.on('close', (code) => {
      if (code !== 0) { reject(new Error(`hexo generate in ${dir} exited ${code}:\n${out.slice(-3000)}`)); return; }
      // What any thread loaded.
      const merged = {};
      for (const name of fs.readdirSync(dir).filter((n) => n.startsWith('.probe.json.'))) {
        const one = JSON.parse(fs.readFileSync(path.join(dir, name), 'utf8'));
        for (const [k, v] of Object.entries(one)) merged[k] = Boolean(merged[k] || v);
        fs.rmSync(path.join(dir, name));
      }
      resolve(merged);
    });
  });
}

function assertSameTree(a, b, what) {
  assert.deepStrictEqual([...b.keys()], [...a.keys()], `${what}: the same files`);
  for (const [file, text] of a) assert.ok(b.get(file) === text, `${what}: ${file} differs`);
}

function cacheFiles(dir) {
  const c = siteCacheDir(dir);
  return fs.existsSync(c) ? fs.readdirSync(c).map((n) => path.join(c, n)) : [];
}

describe('hexo: the disk cache of finished blocks', function () {
  this.timeout(600000);

  for (const output of ['inline', 'file']) {
    it(`gives the same public/, byte for byte, drawn or from the cache, without loading the pipeline (${output} mode)`, async () => {
      const dir = site(`cache-${output}`, { nat_trace: { output, dark: 'html.dark' } });
      const drawn = await generate(dir);
      assert.ok(drawn.jsdom && drawn.sim, 'the first build draws');
      const entries = cacheFiles(dir).filter((f) => f.endsWith('.ntc'));
      assert.strictEqual(entries.length, 4, 'one entry per block');
      const first = publicTree(dir);
      assert.ok([...first.keys()].some((f) => f.endsWith('.svg')), 'figure files (feeds, file mode)');
      const cached = await generate(dir);
      assert.deepStrictEqual(cached, { jsdom: false, svgjs: false, fontkit: false, yaml: false, sim: false, render: false }, 'a rebuild from the cache parses, simulates and draws nothing');
      assertSameTree(first, publicTree(dir), 'from the cache');
    });
  }

  it('with `cache: false` writes no cache and draws every time, with the same pages', async () => {
    const withCache = site('cache-on');
    await generate(withCache);
    const dir = site('cache-off', { nat_trace: { cache: false } });
    const a = await generate(dir);
    const b = await generate(dir);
    assert.ok(a.jsdom && b.jsdom, 'both builds draw');
    assert.deepStrictEqual(cacheFiles(dir), []);
    assertSameTree(publicTree(withCache, 'cache-on'), publicTree(dir, 'cache-off'), 'cache off');
  });

  it('two builds sharing one cache at once both succeed and leave whole entries', async () => {
    const shared = fs.mkdtempSync(path.join(os.tmpdir(), 'nat-trace-shared-cache-'));
    try {
      const names = ['cache-race-a', 'cache-race-b'];
      const dirs = names.map((n) => site(n));
      for (const d of dirs) {
        fs.mkdirSync(path.join(d, 'node_modules', '.cache'), { recursive: true });
        fs.symlinkSync(shared, siteCacheDir(d), 'dir');
      }
      await Promise.all(dirs.map((d) => generate(d)));
      const trees = dirs.map((d, i) => publicTree(d, names[i]));
      assertSameTree(trees[0], trees[1], 'concurrent builds');
      const files = fs.readdirSync(shared);
      assert.deepStrictEqual(files.filter((n) => !n.endsWith('.ntc')), [], 'no temporary files left');
      assert.strictEqual(files.length, 4);
      const again = await generate(dirs[0]);
      assert.strictEqual(again.jsdom, false, 'the entries either build wrote are whole');
      assertSameTree(trees[0], publicTree(dirs[0], names[0]), 'after the race');
    } finally {
      fs.rmSync(shared, { recursive: true, force: true });
    }
  });

  it('ignores corrupt entries (cut short, garbage, another key) and rewrites them', async () => {
    const dir = site('cache-corrupt');
    await generate(dir);
    const first = publicTree(dir);
    const entries = cacheFiles(dir);
    const texts = entries.map((f) => fs.readFileSync(f, 'utf8'));
    fs.writeFileSync(entries[0], texts[0].slice(0, Math.floor(texts[0].length / 2)));
    fs.writeFileSync(entries[1], 'not a cache entry');
    fs.writeFileSync(entries[2], texts[3]);
    fs.writeFileSync(entries[3], `${texts[3]}appended`);
    const rebuilt = await generate(dir);
    assert.ok(rebuilt.jsdom, 'the corrupt blocks were drawn again');
    assertSameTree(first, publicTree(dir), 'after corrupt entries');
    entries.forEach((f, i) => assert.strictEqual(fs.readFileSync(f, 'utf8'), texts[i], `entry ${i} rewritten whole`));
  });

  it('keeps the folder within its size, the least recently written first, never what this build used', () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'nat-trace-cache-bound-'));
    try {
      const writer = new DiskCache(dir);
      const entry = (i) => ({ html: `<p>${i}</p>`.padEnd(1000, ' '), parts: [[`k${i}`, 'body', 'text']], files: [], feedFiles: [] });
      const keys = Array.from({ length: 10 }, (_, i) => `${String(i).padStart(2, '0')}${'a'.repeat(62)}`);
      keys.forEach((k, i) => {
        writer.put(k, entry(i));
        const t = new Date(Date.UTC(2024, 0, 1) + i * 1000);
        fs.utimesSync(path.join(dir, `${k}.ntc`), t, t);
      });
      const size = fs.statSync(path.join(dir, `${keys[0]}.ntc`)).size;
      const reader = new DiskCache(dir, size * 4);
      assert.ok(reader.get(keys[0]), 'the oldest entry, used by this build');
      reader.prune();
      const left = fs.readdirSync(dir).sort();
      assert.deepStrictEqual(left, [keys[0], keys[7], keys[8], keys[9]].map((k) => `${k}.ntc`));
      assert.deepStrictEqual(reader.get(keys[9]).parts, [['k9', 'body', 'text']]);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('hexo: the figure CSS once per page', function () {
  this.timeout(300000);
  const STYLE = /<style id="nat-trace-css">([^<]*)<\/style>/g;

  for (const [theme, config, dark] of [
    ['inline, dark by the OS', { nat_trace: { dark: 'auto' } }, /@media \(prefers-color-scheme:dark\)\{svg\.nat-trace-svg\.nt-default\{--bg:#0d1117/],
    ['inline, dark by a toggle', { nat_trace: { dark: '[data-theme=dark]' } }, /:is\(\[data-theme=dark\]\) svg\.nat-trace-svg\.nt-default\{--bg:#0d1117/],
    ['file, dark by a toggle', { nat_trace: { dark: 'html.dark', output: 'file' } }, /:is\(html\.dark\) \.nat-trace \.nat-trace-v-light\{display:none\}/],
  ]) {
    it(`is in every page with figures, once, and in no other page (${theme})`, async () => {
      const dir = site(`css-${theme.replace(/\W+/g, '-')}`, config);
      await generate(dir);
      let withFigures = 0;
      let without = 0;
      for (const [file, html] of publicTree(dir)) {
        if (!file.endsWith('.html')) continue;
        const styles = [...html.matchAll(STYLE)];
        const figures = (html.match(/<figure class="nat-trace-figure/g) || []).length;
        if (figures === 0) { assert.strictEqual(styles.length, 0, `${file}: figure CSS in a page without figures`); without++; continue; }
        withFigures++;
        assert.strictEqual(styles.length, 1, `${file}: ${styles.length} figure stylesheets`);
        assert.match(styles[0][1], dark, `${file}: the dark rule the site needs`);
        // With the content, before the first figure: pjax and swup swap the content and keep the first page's head.
        assert.ok(styles[0].index > html.indexOf('</head>') && styles[0].index < html.indexOf('<figure class="nat-trace-figure'), `${file}: before the first figure`);
        for (const svg of html.match(/<svg\b[^]*?<\/svg>/g) || []) {
          assert.ok(!/font-family|--bg:/.test(svg), `${file}: a figure repeats the page's figure CSS`);
        }
      }
      assert.ok(withFigures >= 2 && without >= 1, `pages with figures ${withFigures}, without ${without}`);
      const plain = publicTree(dir).get(path.join('public', 'plain', 'index.html'));
      assert.ok(plain && !plain.includes('nat-trace-css'), 'the post without blocks has no figure CSS');
    });
  }
});
