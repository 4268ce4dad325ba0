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
