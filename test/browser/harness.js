'use strict';
// The browser side of the suite: Debian's Chromium driven by playwright-core
// (playwright's own browser download is not used), and real `hexo server`
// processes on loopback serving a copy of the example site or a site built
// from the stress scenarios in test/stress.
const fs = require('fs');
const os = require('os');
const path = require('path');
const net = require('net');
const { spawn } = require('child_process');

const ROOT = path.resolve(__dirname, '..', '..');
const CHROMIUM = process.env.NAT_TRACE_CHROMIUM || '/usr/bin/chromium';
const CHROMIUM_ARGS = ['--no-sandbox', '--headless', '--disable-gpu', '--disable-background-networking',
  '--disable-component-update', '--disable-sync', '--no-first-run', '--disable-quic'];
const SHOTS = process.env.NAT_TRACE_SHOTS || path.join(os.tmpdir(), 'hexo-nat-trace-screenshots');
const STRESS_DIR = path.join(ROOT, 'test', 'stress');

/** The views a reader gets: desktop and phone widths, light and dark. */
const VIEWS = [
  { name: 'desktop light', width: 1280, height: 900, scheme: 'light' },
  { name: 'desktop dark', width: 1280, height: 900, scheme: 'dark' },
  { name: 'phone light', width: 390, height: 844, scheme: 'light' },
  { name: 'phone dark', width: 390, height: 844, scheme: 'dark' },
];

function haveChromium() {
  return fs.existsSync(CHROMIUM);
}

function skipMessage() {
  return `browser suite skipped: ${CHROMIUM} not found (apt-get install chromium to run it)`;
}

async function launch() {
  const { chromium } = require('playwright-core');
  return chromium.launch({ executablePath: CHROMIUM, args: CHROMIUM_ARGS });
}

/** A page that may only talk to loopback: the theme's CDN links are refused. */
async function newPage(browser) {
  const context = await browser.newContext({ viewport: { width: VIEWS[0].width, height: VIEWS[0].height } });
  await context.route('**/*', (route) => {
    const u = new URL(route.request().url());
    if (u.hostname === '127.0.0.1' || u.hostname === 'localhost') return route.continue();
    return route.abort('blockedbyclient');
  });
  return context.newPage();
}

async function setView(page, view) {
  await page.setViewportSize({ width: view.width, height: view.height });
  await page.emulateMedia({ colorScheme: view.scheme });
}

function freePort() {
  return new Promise((resolve, reject) => {
    const srv = net.createServer();
    srv.once('error', reject);
    srv.listen(0, '127.0.0.1', () => { const { port } = srv.address(); srv.close(() => resolve(port)); });
  });
}

function write(file, text) {
  fs.mkdirSync(path.dirname(file), { recursive: true });
  fs.writeFileSync(file, text);
}

/** A fresh folder under the OS temp dir, with the links a Hexo site here needs. */
function siteDir(name) {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), `hexo-nat-trace-${name}-`));
  // hexo-cli resolves `hexo` and the renderers from the site's node_modules.
  fs.symlinkSync(path.join(ROOT, 'node_modules'), path.join(dir, 'node_modules'), 'dir');
  fs.mkdirSync(path.join(dir, 'themes'));
  fs.symlinkSync(path.join(ROOT, 'node_modules', 'hexo-theme-landscape'), path.join(dir, 'themes', 'landscape'), 'dir');
  return dir;
}

function loadPlugin(dir) {
  write(path.join(dir, 'scripts', 'load-plugin.js'), `require(${JSON.stringify(path.join(ROOT, 'dist', 'hexo'))}).register(hexo);\n`);
}

/** A copy of example/ (sources, config, scripts) loading the plugin from this checkout. */
function exampleSite() {
  const dir = siteDir('example');
  const src = path.join(ROOT, 'example');
  for (const entry of ['_config.yml', 'package.json', 'source', 'scripts']) {
    fs.cpSync(path.join(src, entry), path.join(dir, entry), { recursive: true });
  }
  loadPlugin(dir);
  return dir;
}

/** Every scenario in test/stress as a post per language, each showing all views. */
function stressScenarios() {
  return fs.readdirSync(STRESS_DIR).filter((f) => f.endsWith('.yml')).sort()
    .map((f) => ({ name: f.replace(/\.yml$/, ''), text: fs.readFileSync(path.join(STRESS_DIR, f), 'utf8') }));
}

function stressSite(scenarios = stressScenarios(), langs = ['en', 'zh-TW']) {
  const dir = siteDir('stress');
  write(path.join(dir, '_config.yml'), [
    'title: nat-trace stress', 'url: http://localhost', 'permalink: :title/', 'new_post_name: :title.md',
    'language: en', 'timezone: UTC', 'theme: landscape', '',
  ].join('\n'));
  write(path.join(dir, 'package.json'), JSON.stringify({
    name: 'nat-trace-stress', private: true, hexo: { version: require('hexo/package.json').version },
    dependencies: { 'hexo-renderer-marked': '*', 'hexo-renderer-ejs': '*', 'hexo-renderer-stylus': '*', 'hexo-server': '*' },
  }, null, 2));
  loadPlugin(dir);
  const pages = [];
  for (const sc of scenarios) {
    for (const lang of langs) {
      const slug = `${sc.name}-${lang.toLowerCase()}`;
      write(path.join(dir, 'source', '_posts', `${slug}.md`),
        `---\ntitle: "${sc.name} (${lang})"\ndate: 2024-05-01 10:00:00\nlang: ${lang}\n---\n\n{% nat_trace show:all %}\n${sc.text.trimEnd()}\n{% endnat_trace %}\n`);
      pages.push(`/${slug}/`);
    }
  }
  return { dir, pages };
}

/**
 * `hexo server -i 127.0.0.1 -p PORT` in `dir`, as a user runs it; resolves
 * once the home page answers. `stop()` ends that process (by its pid).
 */
async function startServer(dir) {
  const port = await freePort();
  const bin = path.join(ROOT, 'node_modules', 'hexo', 'bin', 'hexo');
  const child = spawn(process.execPath, [bin, 'server', '-i', '127.0.0.1', '-p', String(port)], {
    cwd: dir, env: { ...process.env, NO_COLOR: '1', FORCE_COLOR: '0' }, stdio: ['ignore', 'pipe', 'pipe'],
  });
  let log = '';
  child.stdout.on('data', (d) => { log += d; });
  child.stderr.on('data', (d) => { log += d; });
  let exited = null;
  // Never outlive the test run, even when it is interrupted.
  const reap = () => { if (exited === null) child.kill(); };
  process.once('exit', reap);
  child.on('exit', (code) => { exited = code; process.removeListener('exit', reap); });
  const base = `http://127.0.0.1:${port}`;
  const end = Date.now() + 60000;
  for (;;) {
    if (exited !== null) throw new Error(`hexo server exited (${exited}):\n${log}`);
    if (/Hexo is running at/.test(log)) {
      try {
        const res = await fetch(`${base}/`);
        await res.arrayBuffer();
        if (res.status < 500) break;
      } catch { /* not listening yet */ }
    }
    if (Date.now() > end) { child.kill(); throw new Error(`hexo server did not start:\n${log}`); }
    await new Promise((r) => setTimeout(r, 100));
  }
  const stop = () => new Promise((resolve) => {
    if (exited !== null) return resolve();
    child.once('exit', () => resolve());
    child.kill('SIGTERM');
  });
  return { base, port, stop, log: () => log, pid: child.pid };
}

/**
 * HTML pages of the site reachable from `start` (same origin, at most
 * `limit`), with the number of nat-trace figures each holds.
 */
async function crawl(base, start = '/', limit = 80) {
  const seen = new Set([start]);
  const queue = [start];
  const pages = [];
  while (queue.length && pages.length < limit) {
    const p = queue.shift();
    let res;
    try { res = await fetch(base + p); } catch { continue; }
    const type = res.headers.get('content-type') || '';
    const body = await res.text();
    if (res.status !== 200 || !type.includes('html')) continue;
    const figures = (body.match(/<figure class="nat-trace-figure\b/g) || []).length;
    pages.push({ path: p, figures, errors: (body.match(/class="nat-trace-error"/g) || []).length });
    for (const m of body.matchAll(/href="([^"#?]+)[^"]*"/g)) {
      let u;
      try { u = new URL(m[1].replace(/&#x2F;/g, '/'), base + p); } catch { continue; }
      if (u.origin !== base || !/(\/|\.html)$/.test(u.pathname) || seen.has(u.pathname)) continue;
      seen.add(u.pathname);
      queue.push(u.pathname);
    }
  }
  return pages;
}

function rmSite(dir) {
  if (dir && dir.startsWith(os.tmpdir())) fs.rmSync(dir, { recursive: true, force: true });
}

module.exports = {
  ROOT, CHROMIUM, SHOTS, STRESS_DIR, VIEWS, haveChromium, skipMessage, launch, newPage, setView,
  exampleSite, stressSite, stressScenarios, startServer, crawl, rmSite,
};

// --- sites built with the popular themes (devDependencies) ------------------

/** Theme name -> the Hexo plugins its site needs, and its config for the suite. */
const THEME_SITES = {
  landscape: { plugins: ['hexo-renderer-ejs', 'hexo-renderer-stylus'], config: {} },
  next: { plugins: ['hexo-renderer-stylus'], config: { darkmode: true, local_search: { enable: true } } },
  butterfly: {
    plugins: ['hexo-renderer-pug', 'hexo-renderer-stylus', 'hexo-wordcount'],
    config: { darkmode: { enable: true, button: true, autoChangeMode: 1 }, wordcount: { enable: true, post_wordcount: true, min2read: true }, lightbox: 'fancybox', search: { use: 'local_search' }, local_search: { enable: true } },
  },
  fluid: { plugins: ['hexo-renderer-ejs', 'hexo-renderer-stylus'], config: { dark_mode: { enable: true, default: 'auto' }, search: { enable: true } } },
  redefine: { plugins: ['hexo-renderer-ejs', 'hexo-renderer-stylus', 'hexo-wordcount'], config: { articles: { word_count: { enable: true, count: true, min2read: true } } } },
  // Icarus checks its _config.icarus.yml against its schema, which wants the theme's version in it.
  icarus: { plugins: ['hexo-renderer-inferno', 'hexo-renderer-stylus'], config: { version: require('hexo-theme-icarus/package.json').version } },
};

/** The post the theme suite reads: prose, a step block inline, a rule table, and the same prose without blocks. */
const THEME_PROSE = [
  'A small office router forwards port 5000 to a web server on its LAN. From outside it works; from the LAN, the same public address times out.',
  'Below, every packet of that connection is drawn as the router sees it, from the rules themselves.',
  'The last paragraph says what to change: add a srcnat rule for traffic from the LAN to the server, so the answer goes back through the router.',
];

/**
 * A site with `theme`: the figures post and the prose post. `config` is
 * merged over the suite's theme config; `nav` adds a post linking to both
 * (for navigating by the theme's pjax); `files` copies files into source/.
 */
function themeSite(theme, { config = {}, nav = false, files = {} } = {}) {
  const base = THEME_SITES[theme];
  const spec = { ...base, config: { ...base.config, ...config } };
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), `hexo-nat-trace-theme-${theme}-`));
  fs.symlinkSync(path.join(ROOT, 'node_modules'), path.join(dir, 'node_modules'), 'dir');
  const hairpin = fs.readFileSync(path.join(ROOT, 'docs', 'figures', 'hairpin.yml'), 'utf8').trimEnd();
  write(path.join(dir, '_config.yml'), [
    `title: ${theme} site`, 'url: http://blog.example', 'root: /', 'permalink: :title/', 'new_post_name: :title.md',
    'language: en', 'timezone: UTC', `theme: ${theme}`,
    'feed: { type: atom, path: atom.xml, limit: 20, content: true }',
    'search: { path: search.xml, field: post, content: true, format: html }',
    // Fluid sorts its index by this (hexo-generator-index's setting, which Fluid replaces).
    'index_generator: { path: "", per_page: 10, order_by: -date }',
    '',
  ].join('\n'));
  write(path.join(dir, `_config.${theme}.yml`), `${JSON.stringify(spec.config)}\n`);
  write(path.join(dir, 'package.json'), JSON.stringify({
    name: `nat-trace-${theme}`, private: true, hexo: { version: require('hexo/package.json').version },
    dependencies: Object.fromEntries([...spec.plugins, 'hexo-renderer-marked', 'hexo-generator-searchdb', 'hexo-generator-feed', 'hexo-server'].map((p) => [p, '*'])),
  }, null, 2));
  loadPlugin(dir);
  const [a, b, c] = THEME_PROSE;
  const post = (slug, title, body) => write(path.join(dir, 'source', '_posts', `${slug}.md`), `---\ntitle: "${title}"\ndate: 2024-05-01 10:00:00\n---\n\n${body}\n`);
  post('figures', 'Hairpin, drawn', `${a}\n\n{% nat_trace hairpin show:steps,rules %}\n${hairpin}\n{% endnat_trace %}\n\n${b}\n\n{% nat_trace from:hairpin output:file step:2 %}{% endnat_trace %}\n\n${c}`);
  post('prose', 'Hairpin, in words', `${a}\n\n${b}\n\n${c}`);
  if (nav) post('start', 'Where to read', 'Read it [with the figures](/figures/) or [in words](/prose/).');
  for (const [to, from] of Object.entries(files)) { fs.mkdirSync(path.dirname(path.join(dir, 'source', to)), { recursive: true }); fs.copyFileSync(from, path.join(dir, 'source', to)); }
  return { dir, pages: ['/figures/', '/prose/'] };
}

/** `hexo generate` in `dir`, as a user runs it. */
function generate(dir) {
  const bin = path.join(ROOT, 'node_modules', 'hexo', 'bin', 'hexo');
  const { spawnSync } = require('child_process');
  const r = spawnSync(process.execPath, ['-r', path.join(__dirname, 'offline.js'), bin, 'generate'], { cwd: dir, encoding: 'utf8', env: { ...process.env, NO_COLOR: '1', FORCE_COLOR: '0' } });
  if (r.status !== 0) throw new Error(`hexo generate failed (${r.status}):\n${r.stdout}\n${r.stderr}`);
  return `${r.stdout}${r.stderr}`;
}

/** A static server for `dir` on loopback (what a host serves from public/). */
async function serveStatic(dir) {
  const http = require('http');
  const types = { '.html': 'text/html; charset=utf-8', '.css': 'text/css', '.js': 'text/javascript', '.svg': 'image/svg+xml', '.xml': 'application/xml', '.json': 'application/json', '.png': 'image/png', '.woff2': 'font/woff2' };
  const srv = http.createServer((req, res) => {
    let p = decodeURIComponent(new URL(req.url, 'http://x').pathname);
    if (p.endsWith('/')) p += 'index.html';
    const file = path.join(dir, path.normalize(p));
    if (!file.startsWith(dir) || !fs.existsSync(file) || !fs.statSync(file).isFile()) { res.writeHead(404); res.end('not found'); return; }
    res.writeHead(200, { 'content-type': types[path.extname(file)] || 'application/octet-stream' });
    fs.createReadStream(file).pipe(res);
  });
  await new Promise((r) => srv.listen(0, '127.0.0.1', r));
  return { base: `http://127.0.0.1:${srv.address().port}`, stop: () => new Promise((r) => srv.close(r)) };
}

/**
 * The browser suites' common setup, for the describe() it is called in: a
 * before hook that launches Chromium with a page and a second page for SVG
 * files (or skips the suite, with a message, without Chromium), and an after
 * hook that closes it. Returns the object the hooks fill in.
 */
function useBrowser() {
  const b = { browser: null, page: null, svgPage: null };
  before(async function () {
    if (!haveChromium()) {
      console.log(`      ${skipMessage()}`);
      this.skip();
    }
    b.browser = await launch();
    b.page = await newPage(b.browser);
    b.svgPage = await newPage(b.browser);
  });
  after(async () => { if (b.browser) await b.browser.close(); });
  return b;
}

/** A theme's site built with `hexo generate` and served from public/ on loopback; `stop()` ends the server and removes the site. */
async function themeServer(theme, opts) {
  const site = themeSite(theme, opts);
  generate(site.dir);
  const publicDir = path.join(site.dir, 'public');
  const server = await serveStatic(publicDir);
  return { site, publicDir, base: server.base, stop: async () => { await server.stop(); rmSite(site.dir); } };
}

module.exports.useBrowser = useBrowser;
module.exports.themeServer = themeServer;
module.exports.THEME_SITES = THEME_SITES;
module.exports.themeSite = themeSite;
module.exports.generate = generate;
module.exports.serveStatic = serveStatic;
