'use strict';
// The figure generator writes a post's feed images only where something shows
// them: a feed that publishes the post, or its page when one of the post's
// drawings was evicted from the bounded part store (the page then keeps the
// <img>). Pages drop og:image tags naming files not written.
const assert = require('assert');
const { SiteState } = require('../../dist/hexo/state');
const { figureGenerator } = require('../../dist/hexo/generator');
const { withoutUnwrittenImages } = require('../../dist/hexo/feed');

const query = (docs) => ({ toArray: () => docs });
const locals = { posts: query([{ source: '_posts/a.md' }, { source: '_posts/b.md' }]), pages: query([]) };

function siteWithTwoPosts() {
  const state = new SiteState();
  for (const name of ['a', 'b']) {
    state.posts.set(`_posts/${name}.md`, {
      files: new Map([[`${name}/nat-trace/0000000001-step-1.svg`, '<svg>feed</svg>'], [`${name}/nat-trace/0000000002-step-1-narrow.svg`, '<svg>narrow</svg>']]),
      feedFiles: new Set([`${name}/nat-trace/0000000001-step-1.svg`]),
      partKeys: [`${name}000000000000000`],
      dataDeps: new Map(),
      configKey: 'k',
    });
    state.parts.set(`${name}000000000000000`, { body: '<svg></svg>', text: '' });
  }
  return state;
}
const paths = (routes) => routes.map((r) => r.path);

describe('hexo: which feed images are written', () => {
  it('only those of the posts the feed publishes; every page file', () => {
    const state = siteWithTwoPosts();
    const routes = figureGenerator(state, () => new Set(['_posts/b.md']))(locals);
    assert.deepStrictEqual(paths(routes), ['a/nat-trace/0000000002-step-1-narrow.svg', 'b/nat-trace/0000000001-step-1.svg', 'b/nat-trace/0000000002-step-1-narrow.svg']);
    assert.deepStrictEqual([...state.unwrittenFiles], ['a/nat-trace/0000000001-step-1.svg']);
    assert.strictEqual(figureGenerator(state, () => 'all')(locals).length, 4);
    assert.deepStrictEqual([...state.unwrittenFiles], []);
  });

  it('those of a post whose drawing the part store no longer holds (its page shows the <img>)', () => {
    const state = siteWithTwoPosts();
    state.posts.get('_posts/a.md').partKeys.push('ffffffffffffffff');
    const routes = figureGenerator(state, () => new Set())(locals);
    assert.ok(paths(routes).includes('a/nat-trace/0000000001-step-1.svg'));
    assert.ok(!paths(routes).includes('b/nat-trace/0000000001-step-1.svg'));
  });

  it('drops meta tags naming a file not written, under the site root, and keeps the others', () => {
    const unwritten = new Set(['a/nat-trace/0000000001-step-1.svg']);
    const html = '<head>\n<meta property="og:image" content="https://x.example/blog/a/nat-trace/0000000001-step-1.svg">\n'
      + '<meta property="og:image" content="https://x.example/blog/b/nat-trace/0000000001-step-1.svg">\n'
      + "<meta name='twitter:image' content='/blog/a/nat-trace/0000000001-step-1.svg'>\n</head>";
    const out = withoutUnwrittenImages(html, unwritten, '/blog/');
    assert.strictEqual(out, '<head>\n<meta property="og:image" content="https://x.example/blog/b/nat-trace/0000000001-step-1.svg">\n</head>');
    assert.strictEqual(withoutUnwrittenImages(html, new Set(), '/blog/'), html);
  });

  it('reads a URL\'s path as URL and decodeURI do, also where it takes the plain-URL shortcut', () => {
    const file = '0000000001-step-1.svg';
    const hosts = ['x.example', 'localhost:4000', 'X.Example', '10.0.0.1', '999.1.1.1', '0x7f.1', 'a.0x7f', 'xn--zz.example', 'a..b', 'h:99999', 'user@h', '[::1]'];
    const dirs = ['/blog/a/nat-trace/', '/blog/./a/nat-trace/', '/blog/x/../a/nat-trace/', '/blog/%61/nat-trace/', '/blog/.a/nat-trace/', '/blog/a~_-/nat-trace/', '//blog/a/nat-trace/'];
    for (const scheme of ['https://', 'http://', 'HTTP://', '//', '']) {
      for (const host of hosts) {
        for (const dir of dirs) {
          const url = `${scheme}${scheme ? host : ''}${dir}${file}`;
          let path;
          try { path = decodeURI(new URL(url, 'http://site.invalid/').pathname); } catch { path = undefined; }
          if (path !== undefined && path.startsWith('/blog/')) path = path.slice('/blog/'.length);
          const html = `<head>\n<meta property="og:image" content="${url}">\n</head>`;
          const expected = path !== undefined && path === `a/nat-trace/${file}` ? '<head>\n</head>' : html;
          assert.strictEqual(withoutUnwrittenImages(html, new Set([`a/nat-trace/${file}`]), '/blog/'), expected, url);
        }
      }
    }
  });
});
