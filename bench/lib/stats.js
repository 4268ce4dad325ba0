'use strict';
// Small timing helpers: samples in milliseconds, medians and percentiles.
const { performance } = require('perf_hooks');

function quantile(samples, q) {
  if (!samples.length) return NaN;
  const s = [...samples].sort((a, b) => a - b);
  const pos = (s.length - 1) * q;
  const lo = Math.floor(pos);
  const hi = Math.ceil(pos);
  return s[lo] + (s[hi] - s[lo]) * (pos - lo);
}
const median = (s) => quantile(s, 0.5);
const p95 = (s) => quantile(s, 0.95);

/** Run fn `warmup` times, then time each of `runs` calls; returns ms samples. */
function sample(fn, { warmup, runs }) {
  for (let i = 0; i < warmup; i++) fn();
  const out = new Array(runs);
  for (let i = 0; i < runs; i++) {
    const t0 = performance.now();
    fn();
    out[i] = performance.now() - t0;
  }
  return out;
}

/**
 * Calls per second: warm up, then `rounds` rounds of about `ms` each; the
 * median round is reported (rounds absorb a GC pause or a busy neighbour).
 */
function rate(fn, { warmup, ms, rounds = 5 }) {
  for (let i = 0; i < warmup; i++) fn();
  const rates = [];
  for (let r = 0; r < rounds; r++) {
    let n = 0;
    const t0 = performance.now();
    let t = t0;
    while (t - t0 < ms) { fn(); n++; if ((n & 15) === 0) t = performance.now(); }
    t = performance.now();
    rates.push(n / ((t - t0) / 1000));
  }
  return { perSec: median(rates), rounds: rates };
}

const round = (x, d = 3) => (Number.isFinite(x) ? Number(x.toFixed(d)) : x);

module.exports = { quantile, median, p95, sample, rate, round, now: () => performance.now() };
