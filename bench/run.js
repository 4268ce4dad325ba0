#!/usr/bin/env node
'use strict';
/*
 * npm run bench [-- --quick] [-- --only sim,render,blog,preview,reader,memory] [-- --out FILE] [-- --keep]
 *
 * What a build with many diagrams costs, measured side by side with the
 * floor (issue 7). Prints one table (with PASS/MISS per target) and writes
 * it as JSON (default bench/out/results.json). Progress goes to stderr.
 *   1 sim      simulator throughput, rule-count ladder, 1,000-file CLI run
 *   2 render   per-figure median/p95 after warm-up, start-up cost (fresh process)
 *   3 blog     hexo generate: 100 posts x 4 blocks vs the same site without blocks
 *   4 preview  hexo server: save an edited block -> page with the new figure
 *   5 reader   bytes per figure (raw, gzip), <script> tags shipped (zero)
 *   6 memory   hexo server: heap and RSS growth per edit cycle, plugin vs floor
 *              (NAT_TRACE_BENCH_CYCLES=N edits, default 400; NAT_TRACE_BENCH_SNAPSHOTS=a,b heap snapshots)
 * Needs a build (npm run build): it measures dist/.
 */
const fs = require('fs');
const os = require('os');
const path = require('path');
const { execFileSync } = require('child_process');

const ROOT = path.resolve(__dirname, '..');
const SECTIONS = [
  ['sim', '1. Simulator', () => require('./sim')],
  ['render', '2. Rendering', () => require('./render')],
  ['blog', '3. Blog build', () => require('./blog')],
  ['preview', '4. Live preview', () => require('./preview')],
  ['reader', '5. Reader cost', () => require('./reader')],
  ['memory', '6. Memory under hexo server', () => require('./memory')],
];
// Run order: the reader section reads what the blog section built.
const RUN_ORDER = ['sim', 'render', 'blog', 'preview', 'reader', 'memory'];

function parseArgs(argv) {
  const o = { quick: false, keep: false, only: null, out: path.join(ROOT, 'bench', 'out', 'results.json') };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    if (a === '--quick') o.quick = true;
    else if (a === '--keep') o.keep = true;
    else if (a === '--only') o.only = argv[++i].split(',');
    else if (a.startsWith('--only=')) o.only = a.slice(7).split(',');
    else if (a === '--out') o.out = path.resolve(argv[++i]);
    else if (a.startsWith('--out=')) o.out = path.resolve(a.slice(6));
    else if (a === '--help' || a === '-h') { process.stdout.write(fs.readFileSync(__filename, 'utf8').split('*/')[0].replace(/^[^]*?\/\*\n/, '').replace(/^ \* ?/gm, '')); process.exit(0); }
    else { process.stderr.write(`bench: unknown argument ${a}\n`); process.exit(2); }
  }
  if (o.only) for (const s of o.only) if (!SECTIONS.some(([k]) => k === s)) { process.stderr.write(`bench: unknown section ${s}\n`); process.exit(2); }
  return o;
}

function machine() {
  const cpus = os.cpus();
  let commit = '';
  try {
    commit = execFileSync('git', ['rev-parse', '--short', 'HEAD'], { cwd: ROOT, encoding: 'utf8' }).trim();
    // dist/ is built from the working tree: say when lib/ or templates/ differ from the commit.
    if (execFileSync('git', ['status', '--porcelain', '--', 'lib', 'templates'], { cwd: ROOT, encoding: 'utf8' }).trim()) commit += '+dirty';
  } catch { /* not a checkout */ }
  return {
    cpu: cpus[0] ? cpus[0].model.trim() : 'unknown',
    cores: cpus.length,
    memory_gb: Number((os.totalmem() / 2 ** 30).toFixed(1)),
    node: process.version,
    kernel: `${os.type()} ${os.release()}`,
    arch: os.arch(),
    hexo: require(path.join(ROOT, 'node_modules', 'hexo', 'package.json')).version,
    commit,
    load_average: os.loadavg().map((x) => Number(x.toFixed(2))),
  };
}

function judge(row) {
  if (!row.target) return undefined;
  const { op, limit } = row.target;
  return op === '<=' ? row.value <= limit : row.value >= limit;
}

function fmtValue(v) {
  if (typeof v !== 'number') return String(v);
  if (Number.isInteger(v) && Math.abs(v) >= 1000) return v.toLocaleString('en-US');
  return String(v);
}

function table(results, m, opts) {
  const lines = [];
  lines.push(`hexo-nat-trace benchmark${opts.quick ? ' (--quick: fewer iterations, 10-post blog; not for the record)' : ''}`);
  lines.push(`machine: ${m.cpu}, ${m.cores} cores, ${m.memory_gb} GB; node ${m.node}; ${m.kernel} (${m.arch}); hexo ${m.hexo}; commit ${m.commit || '?'}; load ${m.load_average.join(' ')}`);
  const head = ['measure', 'value', 'unit', 'target', 'result'];
  const body = [];
  for (const [key, title] of SECTIONS) {
    const r = results[key];
    if (!r) continue;
    body.push({ section: title });
    if (r.error) { body.push([`ERROR: ${r.error}`, '', '', '', 'ERROR']); continue; }
    for (const row of r.rows) {
      const t = row.target ? `${row.target.op} ${fmtValue(row.target.limit)}` : '';
      body.push([row.name, fmtValue(row.value), row.unit, t, row.pass === undefined ? '' : row.pass ? 'PASS' : 'MISS']);
    }
  }
  const w = head.map((h, i) => Math.max(h.length, ...body.filter(Array.isArray).map((b) => String(b[i]).length)));
  const line = (cells) => cells.map((c, i) => (i === 1 ? String(c).padStart(w[i]) : String(c).padEnd(w[i]))).join('  ').trimEnd();
  const rule = w.map((n) => '-'.repeat(n)).join('  ');
  lines.push(rule, line(head), rule);
  for (const b of body) lines.push(Array.isArray(b) ? line(b) : `[${b.section}]`);
  lines.push(rule);
  return lines.join('\n');
}

async function main() {
  const opts = parseArgs(process.argv.slice(2));
  const dist = path.join(ROOT, 'dist', 'index.js');
  if (!fs.existsSync(dist)) { process.stderr.write('bench: dist/ is missing; run `npm run build` first\n'); process.exit(2); }
  const m = machine();
  const ctx = { quick: opts.quick, keep: opts.keep, shared: {}, log: (s) => process.stderr.write(`${s}\n`) };
  const results = {};
  const started = Date.now();
  for (const key of RUN_ORDER) {
    if (opts.only && !opts.only.includes(key)) continue;
    const [, title, load] = SECTIONS.find(([k]) => k === key);
    ctx.log(`bench: ${title} ...`);
    const t0 = Date.now();
    try {
      const r = await load()(ctx);
      for (const row of r.rows) row.pass = judge(row);
      results[key] = { rows: r.rows, detail: r.detail, seconds: (Date.now() - t0) / 1000 };
    } catch (e) {
      results[key] = { error: e && e.message ? e.message : String(e), rows: [] };
      ctx.log(e && e.stack ? e.stack : String(e));
    }
  }
  const text = table(results, m, opts);
  const targets = Object.values(results).flatMap((r) => r.rows.filter((x) => x.target));
  const missed = targets.filter((x) => !x.pass);
  const errors = Object.entries(results).filter(([, r]) => r.error).map(([k]) => k);
  const summary = `targets: ${targets.length - missed.length} PASS, ${missed.length} MISS${missed.length ? ` (${missed.map((x) => x.name).join('; ')})` : ''}${errors.length ? `; sections failed: ${errors.join(', ')}` : ''}`;
  process.stdout.write(`${text}\n${summary}\n`);
  const json = {
    date: new Date().toISOString(), quick: opts.quick, command: `node bench/run.js ${process.argv.slice(2).join(' ')}`.trim(),
    machine: m, seconds: (Date.now() - started) / 1000, sections: results,
    targets: targets.map((x) => ({ name: x.name, value: x.value, unit: x.unit, target: `${x.target.op} ${x.target.limit}`, pass: x.pass })),
  };
  fs.mkdirSync(path.dirname(opts.out), { recursive: true });
  fs.writeFileSync(opts.out, JSON.stringify(json, null, 2) + '\n');
  process.stdout.write(`written: ${path.relative(process.cwd(), opts.out) || opts.out}\n`);
  process.exitCode = errors.length ? 1 : 0;
}

main();
