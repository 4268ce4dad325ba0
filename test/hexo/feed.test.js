'use strict';
// Feed images: a figure in post.content is an <img> of an SVG file, which a
// feed reader shows and a page replaces with the drawing. `hexo generate`
// writes those files only for the posts the site's feed publishes (the real
// hexo-generator-feed, as a site installs it), every one under `hexo server`,
// and what `nat_trace.feed_images` says.
const assert = require('assert');
const fs = require('fs');
const path = require('path');
const { HAIRPIN, post, makeSite, hexoCli, openHexo, freePort } = require('./helpers');

const block = `{% nat_trace %}\n${HAIRPIN}{% endnat_trace %}\n`;
const POSTS = {
  'alpha.md': post('Alpha', `Oldest.\n\n${block}`, { date: '2024-01-01 10:00:00' }),
  'bravo.md': post('Bravo', `Middle.\n\n${block}`, { date: '2024-02-01 10:00:00' }),
  'charlie.md': post('Charlie', `Newest.\n\n${block}`, { date: '2024-03-01 10:00:00' }),
};
const SLUGS = ['alpha', 'bravo', 'charlie'];

/** A site with hexo-generator-feed among its plugins (when `feed` is given), as `npm install hexo-generator-feed` leaves it. */
function site(name, { feed, natTrace, posts = POSTS } = {}) {
  const config = { theme: 'landscape' };
  if (feed) config.feed = feed;
  if (natTrace) config.nat_trace = natTrace;
  const dir = makeSite(name, { config, posts, theme: 'landscape' });
  if (feed) {
    const pkg = JSON.parse(fs.readFileSync(path.join(dir, 'package.json'), 'utf8'));
    pkg.dependencies['hexo-generator-feed'] = '*';
    fs.writeFileSync(path.join(dir, 'package.json'), JSON.stringify(pkg, null, 2));
  }
  return dir;
}

async function generate(dir) {
  const r = await hexoCli(dir, ['generate']);
  assert.strictEqual(r.code, 0, r.stdout + r.stderr);
  return r;
}

/** The SVG files written under a post. */
function written(dir, slug) {
  const d = path.join(dir, 'public', slug, 'nat-trace');
  return new Set(fs.existsSync(d) ? fs.readdirSync(d).filter((n) => n.endsWith('.svg')).map((n) => `${slug}/nat-trace/${n}`) : []);
}

/** Figure files a text refers to (absolute or root-relative URLs), as public/ paths. */
function referenced(text, slug) {
  const out = new Set();
  for (const m of text.matchAll(/(?:http:\/\/localhost)?\/([^"'\s<>]+?\/nat-trace\/[0-9a-f]{10}-[a-z0-9-]+\.svg)/g)) {
    if (m[1].startsWith(`${slug}/`)) out.add(m[1]);
  }
  return out;
}

/** Figure files a page shows (img/source attributes; not the meta tags that only name them). */
function shown(html, slug) {
  return referenced((html.match(/\b(?:src|srcset)=(["'])[^"']*\1/g) || []).join(' '), slug);
}

const pageOf = (dir, slug) => fs.readFileSync(path.join(dir, 'public', slug, 'index.html'), 'utf8');
/** landscape's head calls Hexo's open_graph helper, which names the images of post.content. */
const ogImages = (html) => (html.match(/<meta [^>]*og:image[^>]*>/g) || []).filter((m) => m.includes('/nat-trace/'));
const read = (dir, file) => fs.readFileSync(path.join(dir, 'public', file), 'utf8');

/** Every file a feed shows for the post exists; the post has files beyond what its page shows (the feed's). */
function assertFeedImages(dir, slug, feedText) {
  const want = referenced(feedText, slug);
  assert.ok(want.size > 0, `the feed shows ${slug}'s figures`);
  const have = written(dir, slug);
  for (const f of want) assert.ok(have.has(f), `${f} (in the feed) is written`);
  const page = shown(pageOf(dir, slug), slug);
  assert.ok([...want].some((f) => !page.has(f)), `${slug}: the feed's images are files of their own`);
  assertNamesWritten(dir, slug);
}

/** Whatever the page names (images, og:image meta) is written. */
function assertNamesWritten(dir, slug) {
  const have = written(dir, slug);
  for (const f of referenced(pageOf(dir, slug), slug)) assert.ok(have.has(f), `${f} (named in ${slug}'s page) is written`);
}

/** The post has exactly the files its page shows: none for a feed. */
function assertPageImagesOnly(dir, slug) {
  const page = shown(pageOf(dir, slug), slug);
  const have = written(dir, slug);
  assert.ok(page.size > 0, `${slug}'s page shows image files (the narrow layouts)`);
  assert.deepStrictEqual([...have].filter((f) => !page.has(f)), [], `${slug} has no feed images`);
  assertNamesWritten(dir, slug);
}

describe('hexo: feed images only for the posts a feed publishes', function () {
  this.timeout(600000);

  it('writes them for every post the feed holds (limit 0: all)', async () => {
    const dir = site('feed-all', { feed: { type: 'atom', limit: 0 } });
    await generate(dir);
    const atom = read(dir, 'atom.xml');
    for (const slug of SLUGS) assertFeedImages(dir, slug, atom);
  });

  it('follows the feed\'s limit and order: the 2 newest posts', async () => {
    const dir = site('feed-limit', { feed: { type: 'atom', limit: 2 } });
    await generate(dir);
    const atom = read(dir, 'atom.xml');
    assertFeedImages(dir, 'charlie', atom);
    assertFeedImages(dir, 'bravo', atom);
    assert.deepStrictEqual([...referenced(atom, 'alpha')], [], 'the feed leaves Alpha out');
    assertPageImagesOnly(dir, 'alpha');
    // From the disk cache (`hexo clean && hexo generate`): the same files.
    const before = SLUGS.map((slug) => [...written(dir, slug)].sort());
    assert.strictEqual((await hexoCli(dir, ['clean'])).code, 0);
    await generate(dir);
    assert.deepStrictEqual(SLUGS.map((slug) => [...written(dir, slug)].sort()), before);
  });

  it('follows order_by and leaves drafts out, for atom and rss2 together', async () => {
    const posts = { ...POSTS, 'alpha.md': post('Alpha', `Draft.\n\n${block}`, { date: '2024-01-01 10:00:00', draft: true }) };
    const dir = site('feed-order', { feed: { type: ['atom', 'rss2'], limit: 2, order_by: 'title' }, posts });
    await generate(dir);
    const feeds = read(dir, 'atom.xml') + read(dir, 'rss2.xml');
    // By title: Alpha (a draft to the feed), Bravo, Charlie.
    assertFeedImages(dir, 'bravo', feeds);
    assertFeedImages(dir, 'charlie', feeds);
    assertPageImagesOnly(dir, 'alpha');
  });

  it('with `content: false`, only a post whose excerpt holds a figure', async () => {
    const posts = {
      'alpha.md': post('Alpha', `Figure first.\n\n${block}\n<!-- more -->\n\nMore.`, { date: '2024-01-01 10:00:00' }),
      'bravo.md': post('Bravo', `Text first.\n\n<!-- more -->\n\n${block}`, { date: '2024-02-01 10:00:00' }),
    };
    const dir = site('feed-nocontent', { feed: { type: 'rss2', content: false }, posts });
    await generate(dir);
    const rss = read(dir, 'rss2.xml').replace(/&quot;/g, '"').replace(/&lt;/g, '<').replace(/&gt;/g, '>').replace(/&amp;/g, '&');
    assertFeedImages(dir, 'alpha', rss);
    assert.deepStrictEqual([...referenced(rss, 'bravo')], []);
    assertPageImagesOnly(dir, 'bravo');
  });

  it('without a feed none, and all with `feed_images: all`', async () => {
    const none = site('feed-none');
    await generate(none);
    for (const slug of SLUGS) {
      assertPageImagesOnly(none, slug);
      assert.deepStrictEqual(ogImages(pageOf(none, slug)), [], 'no og:image names a file that is not written');
    }
    const all = site('feed-forced', { natTrace: { feed_images: 'all' } });
    await generate(all);
    for (const slug of SLUGS) {
      const extra = [...written(all, slug)].filter((f) => !shown(pageOf(all, slug), slug).has(f));
      assert.ok(extra.length > 0, `${slug} has its feed images`);
      assert.ok(ogImages(pageOf(all, slug)).length > 0, 'og:image names the written files');
      assertNamesWritten(all, slug);
    }
    const off = site('feed-off', { feed: { type: 'atom', limit: 0 }, natTrace: { feed_images: 'none' } });
    await generate(off);
    for (const slug of SLUGS) assertPageImagesOnly(off, slug);
  });

  it('serves every feed image under `hexo server`', async () => {
    const dir = site('feed-server');
    const hexo = await openHexo(dir);
    const port = await freePort();
    const server = await hexo.call('server', { i: '127.0.0.1', p: port });
    try {
      for (const slug of SLUGS) {
        const stored = hexo.model('Post').findOne({ source: `_posts/${slug}.md` }).content;
        const files = referenced(stored, slug);
        assert.ok(files.size > 0, `${slug}'s post.content has feed images`);
        for (const f of files) {
          const res = await fetch(`http://127.0.0.1:${port}/${f}`);
          assert.strictEqual(res.status, 200, f);
          assert.match(await res.text(), /^<svg\b/);
        }
      }
    } finally {
      await new Promise((r) => server.close(r));
      hexo.unwatch();
      await hexo.exit();
    }
  });

  it('names a wrong setting, without a stack trace', async () => {
    const dir = site('feed-bad', { natTrace: { feed_images: 'some' } });
    const r = await hexoCli(dir, ['generate']);
    const out = r.stdout + r.stderr;
    assert.notStrictEqual(r.code, 0);
    assert.match(out, /nat_trace\.feed_images: unknown setting "some"/);
    assert.match(out, /auto, all, none/);
    assert.doesNotMatch(out, /\n\s+at .+\(.+:\d+:\d+\)/);
  });
});
