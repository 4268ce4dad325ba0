/* global hexo */
'use strict';
// Hexo runs every file in a site's scripts/ folder with `hexo` in scope. This
// loads hexo-nat-trace from this checkout (built into ../../dist by
// `npm run build`) instead of from node_modules, so the example needs no
// install of its own. A blog that installs the package from npm needs no script.
require('../../dist/hexo').register(hexo);
