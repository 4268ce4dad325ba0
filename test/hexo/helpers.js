'use strict';
// A real Hexo site on disk under test/.tmp (git-ignored), loading the built
// plugin the way the example site does: a scripts/ file that registers it.
const fs = require('fs');
const path = require('path');
const net = require('net');
const YAML = require('yaml');
const Hexo = require('hexo');

const ROOT = path.resolve(__dirname, '..', '..');
const TMP = path.join(ROOT, 'test', '.tmp');
const PLUGIN = path.join(ROOT, 'dist', 'hexo');
let counter = 0;

const HAIRPIN = `router:
  name: MikroTik
  interfaces:
    ether1: { address: 203.0.113.22/24 }
    bridge: { address: 10.30.9.1/24 }
  interface_lists: { WAN: [ether1], LAN: [bridge] }
  routes: ["0.0.0.0/0 via 203.0.113.1"]
hosts:
  pc:  { interface: bridge, address: 10.30.9.70, gateway: 10.30.9.1 }
  web: { interface: bridge, address: 10.30.9.77, gateway: 10.30.9.1, listen: [tcp/5000] }
routeros: |
  /ip firewall nat
  add chain=dstnat action=dst-nat dst-address=203.0.113.22 protocol=tcp dst-port=5000 to-addresses=10.30.9.77 to-ports=5000
trace: pc -> 203.0.113.22:5000
`;

function write(file, text) {
  fs.mkdirSync(path.dirname(file), { recursive: true });
  fs.writeFileSync(file, text);
}

function post(title, body, front = {}) {
  return `---\n${YAML.stringify({ title, date: '2024-03-09 20:00:00', ...front }).trim()}\n---\n${body}`;
}

/** A fresh site folder; `posts` and `data` map file names to text. */
function makeSite(name, { config = {}, posts = {}, data = {}, theme } = {}) {
  const dir = path.join(TMP, `${name}-${++counter}`);
  fs.rmSync(dir, { recursive: true, force: true });
  write(path.join(dir, '_config.yml'), YAML.stringify({
    title: name, url: 'http://localhost', permalink: ':title/', new_post_name: ':title.md',
    language: 'en', timezone: 'UTC', theme: theme || false, ...config,
  }));
  write(path.join(dir, 'package.json'), JSON.stringify({
    name: `site-${name}`, private: true, hexo: { version: require('hexo/package.json').version },
    dependencies: { 'hexo-renderer-marked': '*', 'hexo-renderer-ejs': '*', 'hexo-renderer-stylus': '*', 'hexo-server': '*' },
  }, null, 2));
  write(path.join(dir, 'scripts', 'load-plugin.js'), `require(${JSON.stringify(PLUGIN)}).register(hexo);\n`);
  if (theme) {
    fs.mkdirSync(path.join(dir, 'themes'), { recursive: true });
    fs.symlinkSync(path.join(ROOT, 'node_modules', `hexo-theme-${theme}`), path.join(dir, 'themes', theme), 'dir');
  }
  for (const [file, text] of Object.entries(posts)) write(path.join(dir, 'source', '_posts', file), text);
  for (const [file, text] of Object.entries(data)) write(path.join(dir, 'source', '_data', 'nat_trace', file), text);
  return dir;
}

async function openHexo(dir, opts = {}) {
  const hexo = new Hexo(dir, { silent: true, ...opts });
  await hexo.init();
  return hexo;
}

/**
 * The post, with `content` as a page shows it: the plugin's after_render:html
 * filter puts the drawings into the page (post.content itself holds
 * placeholders, so word counts and search indexes see the prose); `stored` is
 * post.content as Hexo keeps it.
 */
/** `html` with its numeric references to characters above U+00FF as those characters (the ones below are markup's own escapes). */
function charsAboveLatin1(html) {
  return html.replace(/&#x([0-9a-f]+);/gi, (m, h) => (parseInt(h, 16) > 0xff ? String.fromCodePoint(parseInt(h, 16)) : m));
}

function postOf(hexo, file) {
  const p = hexo.model('Post').findOne({ source: `_posts/${file}` });
  if (!p) throw new Error(`no post ${file}`);
  const view = Object.create(p);
  view.stored = p.content;
  view.page = typeof p.content === 'string' ? hexo.execFilterSync('_after_html_render', p.content, { context: hexo }) : p.content;
  // The page's characters as a parser reads them: the figures' characters above U+00FF are references there (onebyte.ts).
  view.content = typeof view.page === 'string' ? charsAboveLatin1(view.page) : view.page;
  return view;
}

async function routeText(hexo, routePath) {
  const stream = hexo.route.get(routePath);
  if (!stream) return undefined;
  let out = '';
  for await (const chunk of stream) out += chunk.toString();
  return out;
}

/** 1-based line of the first line containing `needle` (counted from the file text itself). */
function lineOf(text, needle, from = 0) {
  const idx = text.indexOf(needle, from);
  if (idx < 0) throw new Error(`"${needle}" not in text`);
  return text.slice(0, idx).split('\n').length;
}

function count(text, re) {
  return (text.match(re) || []).length;
}

/** `hexo CMD` as a user runs it (hexo-cli), in `dir`; resolves { code, stdout, stderr }. */
function hexoCli(dir, args) {
  const { spawn } = require('child_process');
  const bin = path.join(ROOT, 'node_modules', 'hexo', 'bin', 'hexo');
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [bin, ...args], { cwd: dir, env: { ...process.env, NO_COLOR: '1', FORCE_COLOR: '0' } });
    let stdout = ''; let stderr = '';
    child.stdout.on('data', (d) => { stdout += d; });
    child.stderr.on('data', (d) => { stderr += d; });
    child.on('close', (code) => resolve({ code, stdout, stderr }));
  });
}

/** Every file under public/, by path; the theme's random share ids, the post files' times and the site's title (`name`) left out. */
function publicTree(dir, name) {
  const out = new Map();
  const walk = (d) => {
    for (const e of fs.readdirSync(d, { withFileTypes: true }).sort((a, b) => (a.name < b.name ? -1 : 1))) {
      const p = path.join(d, e.name);
      if (e.isDirectory()) walk(p);
      else {
        const text = fs.readFileSync(p, 'utf8').replace(/data-id="[^"]*"/g, 'data-id=""')
          .replace(/(article:modified_time" content=")[^"]*/g, '$1');
        out.set(path.relative(dir, p), name ? text.split(name).join('SITE') : text);
      }
    }
  };
  walk(path.join(dir, 'public'));
  return out;
}

function freePort() {
  return new Promise((resolve, reject) => {
    const srv = net.createServer();
    srv.once('error', reject);
    srv.listen(0, '127.0.0.1', () => { const { port } = srv.address(); srv.close(() => resolve(port)); });
  });
}

module.exports = { ROOT, TMP, PLUGIN, HAIRPIN, write, post, makeSite, openHexo, postOf, charsAboveLatin1, routeText, lineOf, count, freePort, hexoCli, publicTree };
