#!/usr/bin/env node
'use strict';
// node bench/to-markdown.js [bench/out/results.json]: the results as the
// Markdown tables of docs/performance.md (machine line, one table per
// section with how each number was produced).
const fs = require('fs');
const path = require('path');

const file = process.argv[2] || path.join(__dirname, 'out', 'results.json');
const r = JSON.parse(fs.readFileSync(file, 'utf8'));
const m = r.machine;
const esc = (s) => String(s).replace(/\|/g, '\\|').replace(/</g, '&lt;');
const num = (v) => (typeof v === 'number' && Number.isInteger(v) && Math.abs(v) >= 1000 ? v.toLocaleString('en-US') : String(v));
const titles = { sim: '1. Simulator', render: '2. Rendering', blog: '3. Blog build', preview: '4. Live preview', reader: '5. Reader cost' };
const out = [];
out.push(`Run: \`${r.command}\` on ${r.date.slice(0, 10)}${r.quick ? ' (--quick)' : ''}, ${Math.round(r.seconds)} s.`);
out.push(`Machine: ${m.cpu}, ${m.cores} cores, ${m.memory_gb} GB RAM; Node ${m.node}; ${m.kernel} (${m.arch}); Hexo ${m.hexo}; commit ${m.commit}; load average at start ${m.load_average.join(' ')}.`);
for (const [key, title] of Object.entries(titles)) {
  const s = r.sections[key];
  if (!s) continue;
  out.push('', `### ${title}`, '');
  if (s.error) { out.push(`Failed: ${esc(s.error)}`); continue; }
  out.push('| measure | value | target | result | how |', '| --- | ---: | --- | --- | --- |');
  for (const row of s.rows) {
    const t = row.target ? `${row.target.op.replace('<=', '≤').replace('>=', '≥')} ${num(row.target.limit)}` : '';
    out.push(`| ${esc(row.name)} | ${num(row.value)} ${esc(row.unit)} | ${t} | ${row.pass === undefined ? '' : row.pass ? 'PASS' : '**MISS**'} | ${esc(row.how || '')} |`);
  }
}
process.stdout.write(out.join('\n') + '\n');
