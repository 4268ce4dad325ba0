/* global hexo */
'use strict';
// Hexo loads this file with `hexo` in scope; the plugin itself lives in dist/hexo.
require('./dist/hexo').register(hexo);
