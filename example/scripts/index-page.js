/* global hexo */
'use strict';
// A one-page home (the theme's index layout listing every post's excerpt), so
// the example needs no hexo-generator-index install. A real blog has that
// generator already.
hexo.extend.generator.register('example_index', (locals) => ({
  path: 'index.html',
  layout: ['index'],
  data: { __index: true, posts: locals.posts.sort('-date'), total: 1, current: 1, base: '', prev: 0, next: 0 },
}));
