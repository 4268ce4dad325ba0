'use strict';
// Preloaded with `node --expose-gc -r` into a `hexo server` child that has an
// IPC channel (bench/memory.js): on {probe: true} it collects garbage twice and
// answers with process.memoryUsage() and, when the plugin's SiteState was put
// on global.__natTraceState by the site's load script, the plugin's own
// bookkeeping (cache bytes, open runs, posts, listener counts).
const path = require('path');

if (typeof process.send === 'function') {
  process.on('message', (msg) => {
    if (msg && msg.snapshot) {
      // A heap snapshot for a closer look (NAT_TRACE_BENCH_SNAPSHOTS): compare two with Chrome's devtools or bench/lib/heapdiff.js.
      if (typeof global.gc === 'function') global.gc();
      process.send({ snapshot: require('v8').writeHeapSnapshot(msg.snapshot) });
      return;
    }
    if (!msg || !msg.probe) return;
    if (typeof global.gc === 'function') { global.gc(); global.gc(); }
    const mem = process.memoryUsage();
    const out = { rss: mem.rss, heapUsed: mem.heapUsed, external: mem.external, arrayBuffers: mem.arrayBuffers };
    try {
      const block = require(path.join(msg.root, 'dist', 'hexo', 'block'));
      if (typeof block.figureCacheStats === 'function') out.figureCache = block.figureCacheStats();
    } catch { /* an older build */ }
    const state = global.__natTraceState;
    if (state) {
      out.partBytes = state.parts.bytes;
      out.runs = state.runs.size;
      out.latestRuns = state.latestRun.size;
      out.posts = state.posts.size;
      out.postFiles = [...state.posts.values()].reduce((n, r) => n + r.files.size, 0);
    }
    const hexo = global.__natTraceHexo;
    if (hexo) {
      out.hexoListeners = hexo.eventNames().reduce((n, e) => n + hexo.listenerCount(e), 0);
      out.routes = hexo.route.list().length;
    }
    process.send(out);
  });
}
