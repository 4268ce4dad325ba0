'use strict';
// Live preview: `hexo server` on a loopback port; editing a block's rules
// changes the served figures, a broken block shows an error box while the
// server keeps serving, and fixing it brings the figures back.
const assert = require('assert');
const path = require('path');
const { HAIRPIN, post, makeSite, openHexo, write, freePort, count } = require('./helpers');

const block = (args, body = '') => `{% nat_trace ${args} %}\n${body}{% endnat_trace %}\n`;
const FIX = HAIRPIN.replace(/(to-ports=5000\n)/, '$1  add chain=srcnat action=masquerade src-address=10.30.9.0/24 dst-address=10.30.9.0/24\n');
const svgs = (html) => html.match(/<svg\b[^]*?<\/svg>/g) || [];

async function waitFor(fn, what, ms = 30000) {
  const end = Date.now() + ms;
  let last;
  while (Date.now() < end) {
    last = await fn();
    if (last.ok) return last.value;
    await new Promise((r) => setTimeout(r, 200));
  }
  throw new Error(`timed out waiting for ${what}`);
}

describe('hexo: server live preview', function () {
  this.timeout(90000);
  let hexo; let server; let url; let file; let dataFile;

  before(async () => {
    const dir = makeSite('server', {
      theme: 'landscape',
      posts: { 's.md': post('S', `Text.\n\n${block('hairpin', HAIRPIN)}`), 'shared.md': post('Shared', block('from:office step:1')) },
      data: { 'office.yml': HAIRPIN },
    });
    file = path.join(dir, 'source', '_posts', 's.md');
    dataFile = path.join(dir, 'source', '_data', 'nat_trace', 'office.yml');
    hexo = await openHexo(dir);
    const port = await freePort();
    server = await hexo.call('server', { i: '127.0.0.1', p: port });
    url = `http://127.0.0.1:${port}/s/`;
  });

  after(async () => {
    if (server) await new Promise((r) => server.close(r));
    if (hexo) { hexo.unwatch(); await hexo.exit(); }
  });

  const page = async () => { const res = await fetch(url); return { status: res.status, html: await res.text() }; };

  it('serves the figures, then the new ones after the rules are edited', async () => {
    const first = await page();
    assert.strictEqual(first.status, 200);
    const before = svgs(first.html);
    assert.ok(before.length > 0);
    write(file, post('S', `Text.\n\n${block('hairpin', FIX)}`));
    const after = await waitFor(async () => {
      const p = await page();
      const now = svgs(p.html);
      return { ok: p.status === 200 && now.length > 0 && now.join() !== before.join(), value: now };
    }, 'the edited figures');
    assert.notDeepStrictEqual(after, before);
  });

  it('re-renders a post when the _data scenario it reuses is edited', async () => {
    const sharedUrl = url.replace('/s/', '/shared/');
    const get = async () => { const res = await fetch(sharedUrl); return { status: res.status, html: await res.text() }; };
    const first = await get();
    assert.strictEqual(first.status, 200);
    const before = svgs(first.html);
    assert.strictEqual(before.length, 1);
    write(dataFile, HAIRPIN.replace('10.30.9.70', '10.30.9.71'));
    await waitFor(async () => {
      const p = await get();
      const now = svgs(p.html);
      return { ok: now.length === 1 && now[0] !== before[0], value: null };
    }, 'the figure drawn from the edited data file');
  });

  it('shows a broken block as an error box and keeps serving; the fix brings figures back', async () => {
    write(file, post('S', `Text.\n\n${block('hairpin', FIX.replace('hosts:', 'hots:'))}`));
    const html = await waitFor(async () => {
      const p = await page();
      return { ok: p.status === 200 && p.html.includes('nat-trace-error'), value: p.html };
    }, 'the error box');
    assert.match(html, /hots/);
    assert.strictEqual(count(html, /<svg\b/g), 0);
    write(file, post('S', `Text.\n\n${block('hairpin', FIX)}`));
    await waitFor(async () => {
      const p = await page();
      return { ok: p.status === 200 && !p.html.includes('nat-trace-error') && svgs(p.html).length > 0, value: null };
    }, 'the figures to return');
  });
});
