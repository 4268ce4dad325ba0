'use strict';
// Warm build against the floor, interleaved A/B between checkouts (docs/performance.md):
//   node bench/warm.js ROUNDS REPO [REPO...]
// For each REPO (a built checkout: its dist/ and bench/lib/site.js) a 100-post floor site and the same posts
// with 4 blocks each, under $TMPDIR/nat-trace-warm; one cold build of each fills its disk cache; then ROUNDS
// rounds, each building, for every REPO in turn (the order reversed every other round), the floor and then the
// blocks site with its cache kept (bench/lib/site.js generate {warm: true}). Prints each pair's wall and CPU
// (user + system) time and ratio, then the medians. Do not rebuild a REPO's dist/ while it runs: the cache
// keys hash the plugin's code, and the next build would be cold.
const os = require('os');
const path = require('path');
const rounds = Number(process.argv[2] || 3);
const repos = process.argv.slice(3).map((r) => path.resolve(r));
if (!repos.length) { console.error('usage: node bench/warm.js ROUNDS REPO [REPO...]'); process.exit(2); }
const sites = repos.map((repo, k) => {
  const site = require(path.join(repo, 'bench', 'lib', 'site.js'));
  const base = path.join(os.tmpdir(), 'nat-trace-warm', `${k}-${path.basename(repo)}`);
  const floor = site.makeSite(path.join(base, 'floor'), { posts: 100, blocks: false });
  const blog = site.makeSite(path.join(base, 'blog'), { posts: 100, blocks: true });
  site.generate(blog); site.generate(floor);
  return { repo, site, floor, blog, res: [] };
});
const cpu = (r) => r.user_ms + r.system_ms;
for (let i = 0; i < rounds; i++) {
  for (const s of (i % 2 ? [...sites].reverse() : sites)) {
    const f = s.site.generate(s.floor);
    const w = s.site.generate(s.blog, { warm: true });
    s.res.push({ f, w });
    console.log(`${path.basename(s.repo)} round ${i}: floor ${f.ms.toFixed(0)} ms (cpu ${cpu(f).toFixed(0)}), warm ${w.ms.toFixed(0)} ms (cpu ${cpu(w).toFixed(0)}, rss ${(w.maxRSS_kb/1024).toFixed(0)} MB) ratio ${(w.ms / f.ms).toFixed(3)} cpu ratio ${(cpu(w) / cpu(f)).toFixed(3)}`);
  }
}
const med = (a) => { const b = [...a].sort((x, y) => x - y); const m = b.length >> 1; return b.length % 2 ? b[m] : (b[m - 1] + b[m]) / 2; };
for (const s of sites) {
  console.log(`${path.basename(s.repo)}: median wall ratio ${med(s.res.map(r => r.w.ms / r.f.ms)).toFixed(3)}, median cpu ratio ${med(s.res.map(r => cpu(r.w) / cpu(r.f))).toFixed(3)}, warm median ${med(s.res.map(r => r.w.ms)).toFixed(0)} ms, warm cpu median ${med(s.res.map(r => cpu(r.w))).toFixed(0)} ms, floor median ${med(s.res.map(r => r.f.ms)).toFixed(0)} ms`);
}
