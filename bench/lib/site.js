'use strict';
// A generated Hexo blog on disk, modelled on example/: theme landscape
// (symlinked from node_modules), the plugin loaded from this checkout's dist/
// by a scripts/ file, the example's one-page index. Posts carry four
// nat_trace blocks each (hairpin, port forward, UDP, filter drop), every
// block a different input; `blocks: false` writes the same posts without
// them (the floor).
const fs = require('fs');
const path = require('path');
const { spawnSync } = require('child_process');
const { ROOT, KINDS, scenario } = require('./scenarios');

const HEXO_BIN = path.join('node_modules', 'hexo', 'bin', 'hexo');

const TITLES = {
  hairpin: 'Reaching the public address from inside',
  portForward: 'A port forward from the Internet',
  udp: 'A UDP query through DNAT',
  filterDrop: 'A forward chain that drops by default',
};

const PROSE = [
  'The gateway below has one public address on `ether1` and a LAN behind `bridge`. Every figure in this section is drawn from the rules in the block, so changing a rule changes the figure.',
  'Read the packet card under each step: the source and destination as the packet carries them at that moment, and the rule that acted on it. A rewritten field shows the old value struck through.',
  'Conntrack remembers the mapping made by the first packet, so the answer is rewritten back without any rule being consulted again. That is why only the first packet of a connection walks the nat table.',
  'If the answer takes a different path than the question, the client sees an address it never asked for and resets the connection, or drops it silently and retries until it gives up.',
];

function write(file, text) {
  fs.mkdirSync(path.dirname(file), { recursive: true });
  fs.writeFileSync(file, text);
}

/** Block text for post `i`, kind `kind`; `marker` goes into a rule comment. */
function block(kind, i, marker) {
  return `{% nat_trace %}\n${scenario(kind, i, marker)}{% endnat_trace %}\n`;
}

/** Markdown of post i; `blocks` false leaves every block out; `markers` maps kind -> comment text. */
function postText(i, { blocks = true, markers = {} } = {}) {
  const date = new Date(Date.UTC(2024, 0, 1, 8, 0, 0) + i * 3600e3).toISOString().replace('T', ' ').slice(0, 19);
  const parts = [
    `---\ntitle: "Packet walk ${i + 1}: four ways through one gateway"\ndate: ${date}\ntags:\n  - NAT\n  - bench\n---\n`,
    `This post follows four connections through the same small network, variant ${i + 1}. ${PROSE[0]}\n\n<!-- more -->\n`,
  ];
  KINDS.forEach((kind, k) => {
    parts.push(`## ${TITLES[kind]}\n\n${PROSE[(k + 1) % PROSE.length]}\n\n${blocks ? block(kind, i, markers[kind] || `${kind} ${i}`) : ''}\n${PROSE[(k + 2) % PROSE.length]}\n\n- first packet: NEW in conntrack\n- later packets: ESTABLISHED\n`);
  });
  return parts.join('\n');
}

/**
 * The site's own node_modules, each package a link to this checkout's: the
 * plugin's disk cache (node_modules/.cache/hexo-nat-trace) is then the
 * site's, as in a real blog, and not shared between the bench's sites.
 */
function linkModules(dir) {
  const nm = path.join(dir, 'node_modules');
  fs.mkdirSync(nm, { recursive: true });
  for (const name of fs.readdirSync(path.join(ROOT, 'node_modules'))) {
    if (name === '.cache') continue;
    fs.symlinkSync(path.join(ROOT, 'node_modules', name), path.join(nm, name));
  }
}

/** The plugin's disk cache of a site. */
function cacheDir(dir) {
  return path.join(dir, 'node_modules', '.cache', 'hexo-nat-trace');
}

/**
 * Create (or replace) a site with `posts` posts at `dir`. `stubFigure` (an
 * SVG string) makes the diagnostic variant whose renderer is a stub;
 * `plugin: false` a site that does not load the plugin at all; `cache:
 * false` sets nat_trace.cache: false; `workers` sets nat_trace.workers.
 */
function makeSite(dir, { posts, blocks = true, stubFigure, plugin = true, cache = true, workers }) {
  fs.rmSync(dir, { recursive: true, force: true });
  fs.mkdirSync(dir, { recursive: true });
  const ex = path.join(ROOT, 'example');
  // Same config as the example (its comments document it); the landscape theme.
  const config = fs.readFileSync(path.join(ex, '_config.yml'), 'utf8');
  if (!/^nat_trace:\n/m.test(config)) throw new Error('bench: example/_config.yml has no nat_trace: mapping');
  const extra = `${cache ? '' : '  cache: false\n'}${workers === undefined ? '' : `  workers: ${workers}\n`}`;
  fs.writeFileSync(path.join(dir, '_config.yml'), config.replace(/^nat_trace:\n/m, `nat_trace:\n${extra}`));
  fs.copyFileSync(path.join(ex, 'package.json'), path.join(dir, 'package.json'));
  fs.mkdirSync(path.join(dir, 'scripts'), { recursive: true });
  fs.copyFileSync(path.join(ex, 'scripts', 'index-page.js'), path.join(dir, 'scripts', 'index-page.js'));
  if (plugin) write(path.join(dir, 'scripts', 'load-plugin.js'), `/* global hexo */\n'use strict';\nrequire(${JSON.stringify(path.join(ROOT, 'dist', 'hexo'))}).register(hexo);\n`);
  if (stubFigure) {
    // Diagnostic variant: the renderer replaced by bench/lib/stub-render.js (the plugin loads it lazily, at the first block).
    fs.writeFileSync(path.join(dir, 'stub-figure.svg'), stubFigure);
    write(path.join(dir, 'scripts', '0-stub-render.js'), `/* global hexo */\n'use strict';\nrequire(${JSON.stringify(path.join(__dirname, 'stub-render.js'))})(${JSON.stringify(ROOT)}, hexo.base_dir);\n`);
  }
  fs.mkdirSync(path.join(dir, 'themes'), { recursive: true });
  fs.symlinkSync(path.join(ROOT, 'node_modules', 'hexo-theme-landscape'), path.join(dir, 'themes', 'landscape'), 'dir');
  linkModules(dir);
  for (let i = 0; i < posts; i++) write(path.join(dir, 'source', '_posts', `walk-${String(i + 1).padStart(3, '0')}.md`), postText(i, { blocks }));
  return dir;
}

/** Remove what a previous build left (public/ and db.json; the plugin's disk cache unless `keepCache`): a clean build. */
function clean(dir, { keepCache = false } = {}) {
  fs.rmSync(path.join(dir, 'public'), { recursive: true, force: true });
  fs.rmSync(path.join(dir, 'db.json'), { force: true });
  if (!keepCache) fs.rmSync(cacheDir(dir), { recursive: true, force: true });
}

/**
 * `hexo generate` in `dir` as a child process, timed from spawn to exit;
 * peak RSS from bench/lib/maxrss.js preloaded into the child. `warm`: the
 * plugin's disk cache from the previous build is kept (`hexo clean && hexo
 * generate` of an unchanged blog); otherwise it is removed first (cold).
 */
function generate(dir, { warm = false } = {}) {
  clean(dir, { keepCache: warm });
  const rssFile = path.join(dir, '.maxrss.json');
  fs.rmSync(rssFile, { force: true });
  const t0 = process.hrtime.bigint();
  const r = spawnSync(process.execPath, ['-r', path.join(__dirname, 'maxrss.js'), HEXO_BIN, 'generate'], {
    cwd: dir, encoding: 'utf8', maxBuffer: 1 << 30, env: { ...process.env, BENCH_MAXRSS_FILE: rssFile, NO_COLOR: '1', FORCE_COLOR: '0' },
  });
  const ms = Number(process.hrtime.bigint() - t0) / 1e6;
  if (r.status !== 0) throw new Error(`hexo generate in ${dir} exited ${r.status}: ${(r.stderr || r.stdout).slice(-2000)}`);
  const usage = JSON.parse(fs.readFileSync(rssFile, 'utf8'));
  return { ms, ...usage };
}

/** Every .html file under public/, with its text. */
function htmlFiles(dir) {
  const out = [];
  const walk = (d) => {
    for (const e of fs.readdirSync(d, { withFileTypes: true })) {
      const p = path.join(d, e.name);
      if (e.isDirectory()) walk(p);
      else if (e.name.endsWith('.html')) out.push({ file: path.relative(dir, p), text: fs.readFileSync(p, 'utf8') });
    }
  };
  walk(path.join(dir, 'public'));
  return out;
}

module.exports = { HEXO_BIN, makeSite, postText, clean, cacheDir, generate, htmlFiles };
