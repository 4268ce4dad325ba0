'use strict';
// 6. Memory under `hexo server`: is there a leak? A real `hexo server` on
// 127.0.0.1 (node --expose-gc, bench/lib/memprobe.js preloaded, an IPC
// channel to ask it for process.memoryUsage() after two full GCs) serves a
// small generated site; post 1 is rewritten N times (a new rule comment in a
// block each time: every edit is a new figure, a cache miss) and fetched
// until the page shows the edit. The same on the site without blocks (a
// sentence edited) is the floor. The plugin's caches are bounded by bytes
// (lib/hexo/lru.ts), so they grow until full; what is measured is the growth
// of the heap and RSS per edit beyond what the caches account for, over the
// second half of the run (after warm-up). A leak shows as growth per cycle
// well above the floor's.
const fs = require('fs');
const os = require('os');
const path = require('path');
const { spawn } = require('child_process');
const { makeSite, postText, HEXO_BIN } = require('./lib/site');
const { round } = require('./lib/stats');

const ROOT = path.resolve(__dirname, '..');
const { sleep, freePort, get, poller } = require('./lib/http');

const until = poller('memory', 120000, 20);

/** Least-squares slope of y over x. */
function slope(points) {
  const n = points.length;
  if (n < 2) return NaN;
  const mx = points.reduce((s, p) => s + p[0], 0) / n;
  const my = points.reduce((s, p) => s + p[1], 0) / n;
  let num = 0; let den = 0;
  for (const [x, y] of points) { num += (x - mx) * (y - my); den += (x - mx) ** 2; }
  return num / den;
}

/** The site's plugin load script, also handing the SiteState and Hexo to the probe. */
function exposeState(dir) {
  fs.writeFileSync(path.join(dir, 'scripts', 'load-plugin.js'),
    `/* global hexo */\n'use strict';\nglobal.__natTraceHexo = hexo;\nglobal.__natTraceState = require(${JSON.stringify(path.join(ROOT, 'dist', 'hexo'))}).register(hexo);\n`);
}

/**
 * Serve `dir` and edit post 1 `cycles` times; sample memory every `every`
 * cycles. Returns the samples ({cycle, rss, heapUsed, cacheBytes, ...}).
 */
async function session(ctx, dir, { cycles, every, blocks }) {
  // NAT_TRACE_BENCH_SNAPSHOTS=300,1000: heap snapshots at those cycles, into NAT_TRACE_BENCH_SNAPSHOT_DIR (default the OS temp folder).
  const snapshotAt = (process.env.NAT_TRACE_BENCH_SNAPSHOTS || '').split(',').filter(Boolean).map(Number);
  const snapshotDir = process.env.NAT_TRACE_BENCH_SNAPSHOT_DIR || os.tmpdir();
  const file = path.join(dir, 'source', '_posts', 'walk-001.md');
  const port = await freePort();
  const child = spawn(process.execPath, ['--expose-gc', '-r', path.join(__dirname, 'lib', 'memprobe.js'), HEXO_BIN, 'server', '-i', '127.0.0.1', '-p', String(port)], {
    cwd: dir, stdio: ['ignore', 'pipe', 'pipe', 'ipc'], env: { ...process.env, NO_COLOR: '1', FORCE_COLOR: '0' },
  });
  let log = '';
  const keep = (d) => { log = (log + d).slice(-4000); };
  child.stdout.on('data', keep);
  child.stderr.on('data', keep);
  const exited = new Promise((r) => child.on('exit', r));
  const replies = [];
  child.on('message', (m) => replies.push(m));
  const probe = async () => {
    const n = replies.length;
    child.send({ probe: true, root: ROOT });
    await until(() => replies.length > n, 'a memory probe reply', 30000, 5);
    return replies[n];
  };
  const samples = [];
  try {
    const url = `http://127.0.0.1:${port}/2024/01/01/walk-001/`;
    await until(async () => (await get(`http://127.0.0.1:${port}/`)).status === 200, `the server (log: ${log.slice(-500)})`, 180000, 100);
    if ((await get(url)).status !== 200) throw new Error('memory: post 1 is not served');
    const record = async (cycle) => {
      const m = await probe();
      const cacheBytes = (m.figureCache ? m.figureCache.bytes : 0) + (m.partBytes || 0);
      samples.push({ cycle, ...m, cacheBytes });
    };
    await record(0);
    for (let c = 1; c <= cycles; c++) {
      const marker = `edit-${c}-x`;
      const text = blocks ? postText(0, { markers: { hairpin: marker } }) : postText(0, { blocks: false }).replace('variant 1.', `variant 1 (${marker}).`);
      fs.writeFileSync(file, text);
      // A figure holds the marker in its rule table (or the page its sentence).
      await until(async () => { const p = await get(url); return p.status === 200 && p.html.includes(marker); }, `edit ${c} (log: ${log.slice(-500)})`);
      // Hexo's watcher waits for the write to settle (awaitWriteFinish) before the next one can be seen.
      await sleep(250);
      if (snapshotAt.includes(c)) {
        const n = replies.length;
        child.send({ snapshot: path.join(snapshotDir, `${blocks ? 'blocks' : 'floor'}-${c}.heapsnapshot`) });
        await until(() => replies.length > n, 'a heap snapshot', 600000, 50);
        replies.pop();
        ctx.log(`  memory: heap snapshot at cycle ${c} in ${snapshotDir}`);
      }
      if (c % every === 0 || c === cycles) {
        await record(c);
        const s = samples[samples.length - 1];
        ctx.log(`  memory (${blocks ? 'blocks' : 'floor'}): cycle ${c}/${cycles}: rss ${(s.rss / 2 ** 20).toFixed(1)} MB, heap ${(s.heapUsed / 2 ** 20).toFixed(1)} MB, caches ${(s.cacheBytes / 2 ** 20).toFixed(1)} MB${s.figureCache ? ` (${s.figureCache.entries} figures)` : ''}, listeners ${s.hexoListeners ?? '?'}, runs ${s.runs ?? '?'}`);
      }
    }
    return samples;
  } finally {
    child.kill('SIGTERM');
    await Promise.race([exited, sleep(5000)]);
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
  }
}

/** Growth per cycle over the second half of the run (the first half warms up: JIT, Hexo's own caches, the plugin's caches). */
function growth(samples) {
  const last = samples[samples.length - 1].cycle;
  const tail = samples.filter((s) => s.cycle >= last / 2);
  return {
    rss: slope(tail.map((s) => [s.cycle, s.rss])),
    heap: slope(tail.map((s) => [s.cycle, s.heapUsed])),
    heapBeyondCaches: slope(tail.map((s) => [s.cycle, s.heapUsed - s.cacheBytes])),
    cache: slope(tail.map((s) => [s.cycle, s.cacheBytes])),
  };
}

module.exports = async function memorySection(ctx) {
  const cycles = Number(process.env.NAT_TRACE_BENCH_CYCLES) || (ctx.quick ? 20 : 400);
  const every = Math.max(1, Math.floor(cycles / 40));
  const posts = 5;
  const base = fs.mkdtempSync(path.join(os.tmpdir(), 'nat-trace-bench-memory-'));
  try {
    const blogDir = makeSite(path.join(base, 'blog'), { posts, blocks: true });
    exposeState(blogDir);
    const floorDir = makeSite(path.join(base, 'floor'), { posts, blocks: false });
    exposeState(floorDir);
    const plugin = await session(ctx, blogDir, { cycles, every, blocks: true });
    const floor = await session(ctx, floorDir, { cycles, every, blocks: false });
    const gp = growth(plugin);
    const gf = growth(floor);
    const kb = (x) => round(x / 1024, 1);
    // A leak of one figure's worth per edit (the hairpin block: tens of KB) is what this must catch;
    // the heap beyond the caches may grow by at most 8 KB per edit more than the floor's.
    const LIMIT_KB = 8;
    const how = `node --expose-gc -r bench/lib/memprobe.js node_modules/hexo/bin/hexo server -i 127.0.0.1 on a ${posts}-post site; ${cycles} edits of post 1 (a new rule comment: a new figure each time), GET until the page shows it; memoryUsage() after gc() every ${every} edits; least-squares slope over the second half`;
    const last = plugin[plugin.length - 1];
    return {
      rows: [
        { name: `hexo server: heap growth beyond the caches per edit, plugin minus floor (${cycles} edits)`, value: kb(gp.heapBeyondCaches - gf.heapBeyondCaches), unit: 'KB', target: { op: '<=', limit: LIMIT_KB }, how },
        { name: 'hexo server: heap growth per edit (plugin)', value: kb(gp.heap), unit: 'KB', how: 'the same, heapUsed alone (includes the caches filling up to their byte bound)' },
        { name: 'hexo server: RSS growth per edit (plugin)', value: kb(gp.rss), unit: 'KB', how: 'the same, resident set size' },
        { name: 'floor: heap growth per edit (site without blocks)', value: kb(gf.heap), unit: 'KB', how: 'the same on the site without blocks, a sentence of post 1 changed' },
        { name: 'floor: RSS growth per edit', value: kb(gf.rss), unit: 'KB', how: 'the same, resident set size' },
        { name: 'plugin caches after the run (figures + parts)', value: round(last.cacheBytes / 2 ** 20, 1), unit: 'MB', target: { op: '<=', limit: 128 }, how: 'figureCacheStats() + SiteState.parts.bytes: bounded at 64 MB each' },
      ],
      detail: { cycles, every, plugin, floor, growth: { plugin: gp, floor: gf } },
    };
  } finally {
    if (!ctx.keep) fs.rmSync(base, { recursive: true, force: true });
  }
};
module.exports.session = session;
module.exports.exposeState = exposeState;
module.exports.growth = growth;
