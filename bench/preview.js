'use strict';
// 4. Live preview: `hexo server` on 127.0.0.1 (a free port) over a smaller
// generated site; a block's rules are edited in a post and the page is
// polled until the figure drawn from the new rules is served. The same on
// the floor (the site without blocks, a sentence edited) shows how much of
// that is Hexo's own file watching.
const fs = require('fs');
const os = require('os');
const path = require('path');
const { spawn } = require('child_process');
const { makeSite, postText, HEXO_BIN } = require('./lib/site');
const { median, round, now } = require('./lib/stats');

const { sleep, freePort, get, poller } = require('./lib/http');
const svgs = (html) => html.match(/<svg\b[^]*?<\/svg>/g) || [];

const until = poller('live preview', 60000, 10);

/**
 * Serve `dir`, then `edits` times: write post 1 with a new marker and time
 * until the page shows it (in an <svg> when `inFigure`).
 */
async function session(ctx, dir, { edits, blocks }) {
  const file = path.join(dir, 'source', '_posts', 'walk-001.md');
  const port = await freePort();
  const child = spawn(process.execPath, [HEXO_BIN, 'server', '-i', '127.0.0.1', '-p', String(port)], {
    cwd: dir, stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, NO_COLOR: '1', FORCE_COLOR: '0' },
  });
  let log = '';
  child.stdout.on('data', (d) => { log += d; });
  child.stderr.on('data', (d) => { log += d; });
  const exited = new Promise((r) => child.on('exit', r));
  try {
    const t0 = now();
    const url = `http://127.0.0.1:${port}/2024/01/01/walk-001/`;
    await until(async () => (await get(`http://127.0.0.1:${port}/`)).status === 200, `the server (log: ${log.slice(-500)})`, 120000, 50);
    const listening = now() - t0;
    const t1 = now();
    const first = await get(url);
    const firstPage = now() - t1;
    if (first.status !== 200 || (blocks && svgs(first.html).length === 0)) throw new Error(`live preview: first page ${first.status} with ${svgs(first.html).length} figures`);
    const lat = [];
    for (let e = 1; e <= edits; e++) {
      const marker = `edit-${e}-${Date.now().toString(36)}`;
      // With blocks: the marker is a rule comment, drawn in the hairpin's step figure.
      // Without: the same post with one sentence changed.
      const text = blocks ? postText(0, { markers: { hairpin: marker } }) : postText(0, { blocks: false }).replace('variant 1.', `variant 1 (${marker}).`);
      await sleep(300);
      const te = now();
      fs.writeFileSync(file, text);
      await until(async () => {
        const p = await get(url);
        return p.status === 200 && (blocks ? svgs(p.html).some((s) => s.includes(marker)) : p.html.includes(marker));
      }, `edit ${e}`);
      lat.push(now() - te);
      ctx.log(`  preview (${blocks ? 'blocks' : 'floor'}): edit ${e}/${edits}: ${lat[lat.length - 1].toFixed(0)} ms`);
    }
    return { lat, listening, firstPage };
  } finally {
    child.kill('SIGTERM');
    await Promise.race([exited, sleep(5000)]);
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
  }
}

module.exports = async function previewSection(ctx) {
  const posts = ctx.quick ? 5 : 20;
  const edits = ctx.quick ? 2 : 7;
  const base = fs.mkdtempSync(path.join(os.tmpdir(), 'nat-trace-bench-preview-'));
  try {
    // The blog's first session starts with no disk cache (cold); the second
    // finds what the first left (a restarted `hexo server`).
    // Server starts are single wall-time samples: the warm and floor starts
    // are repeated (alternated) and their medians compared.
    const starts = ctx.quick ? 1 : 3;
    const blogDir = makeSite(path.join(base, 'blog'), { posts, blocks: true });
    const floorDir = makeSite(path.join(base, 'floor'), { posts, blocks: false });
    const withBlocks = await session(ctx, blogDir, { edits, blocks: true });
    const floor = await session(ctx, floorDir, { edits, blocks: false });
    const warmStarts = [];
    const floorStarts = [floor.listening];
    for (let i = 0; i < starts; i++) {
      warmStarts.push((await session(ctx, blogDir, { edits: 0, blocks: true })).listening);
      if (i < starts - 1) floorStarts.push((await session(ctx, floorDir, { edits: 0, blocks: false })).listening);
    }
    const warm = { listening: median(warmStarts) };
    floor.listening = median(floorStarts);
    ctx.log(`  preview: first response cold ${withBlocks.listening.toFixed(0)} ms, warm ${warmStarts.map((x) => x.toFixed(0)).join('/')} ms, floor ${floorStarts.map((x) => x.toFixed(0)).join('/')} ms`);
    const how = `node node_modules/hexo/bin/hexo server -i 127.0.0.1 -p <free port> on a ${posts}-post site (4 blocks a post); rewrite post 1 with a new rule comment in a block, GET the page every 10 ms until an <svg> holds it`;
    return {
      rows: [
        { name: `live preview: save to new figure, median of ${edits} edits`, value: round(median(withBlocks.lat), 0), unit: 'ms', how },
        { name: 'live preview: slowest edit', value: round(Math.max(...withBlocks.lat), 0), unit: 'ms', how },
        {
          name: 'floor: save to new text, same site without blocks', value: round(median(floor.lat), 0), unit: 'ms',
          how: 'the same on the site without blocks, a sentence of post 1 changed (Hexo alone: chokidar awaitWriteFinish 200 ms + 100 ms generate debounce)',
        },
        { name: 'hexo server: spawn to first response, with blocks, no disk cache', value: round(withBlocks.listening, 0), unit: 'ms', how: 'GET / until 200; Hexo renders every post before it listens (here: draws every block)' },
        { name: 'hexo server: spawn to first response, with blocks, warm cache', value: round(warm.listening, 0), unit: 'ms', how: `the same server started again on the same site, its blocks from node_modules/.cache/hexo-nat-trace; median of ${starts} starts` },
        { name: 'hexo server: spawn to first response (floor)', value: round(floor.listening, 0), unit: 'ms', how: `the same without blocks; median of ${starts} starts` },
        { name: 'hexo server first response, warm cache / floor', value: round(warm.listening / floor.listening, 2), unit: 'x', target: { op: '<=', limit: 1.3 }, how: 'the two rows above (wall time)' },
        { name: 'hexo server first response, no cache / floor', value: round(withBlocks.listening / floor.listening, 2), unit: 'x', how: 'the first start of a site, everything drawn' },
      ],
      detail: { posts, edits: withBlocks.lat.map((x) => round(x, 1)), floorEdits: floor.lat.map((x) => round(x, 1)), listening_ms: round(withBlocks.listening, 1), warm_listening_ms: warmStarts.map((x) => round(x, 1)), floor_listening_ms: floorStarts.map((x) => round(x, 1)), first_page_ms: round(withBlocks.firstPage, 1) },
    };
  } finally {
    if (!ctx.keep) fs.rmSync(base, { recursive: true, force: true });
  }
};
