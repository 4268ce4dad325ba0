'use strict';
// `npm run test:kernel` (root): a proposed fix is a claim about the kernel.
// For every failing scenario of the corpus (test/scenarios, each dialect) and
// of the explain check set (test/explain, scenarios written apart from the
// corpus), the best proposed fix is applied to the scenario text and the
// fixed scenario is run in network namespaces: the kernel must give the
// outcome the proposal promised. The counts (failing, diagnosed, fixed,
// confirmed) are printed. NAT_TRACE_ONLY=<substrings, comma list, ^ for a prefix> runs a subset,
// NAT_TRACE_EXPLAIN=corpus|check one part.
const assert = require('assert');
const fs = require('fs');
const path = require('path');
const YAML = require('yaml');
const { runInKernel, scenarioText, missingTools } = require('./harness');
const { onlyMatches, SCENARIOS, DIALECTS, corpusFiles } = require('./corpus');

const DIST = path.join(__dirname, '..', '..', 'dist');
const { runScenario } = require(DIST);
const { explain } = require(path.join(DIST, 'explain'));
const { withRules } = require(path.join(DIST, 'cli', 'explain'));

const ONLY = process.env.NAT_TRACE_ONLY;
// NAT_TRACE_EXPLAIN=corpus or =check runs one of the two parts.
const PART = process.env.NAT_TRACE_EXPLAIN;
const CONCURRENCY = Number(process.env.NAT_TRACE_JOBS || 3);
const LAB_TIMEOUT = Number(process.env.NAT_TRACE_LAB_TIMEOUT || 240000);
const CHECK_DIR = path.join(__dirname, '..', 'explain');

/** A check-set file: a plain scenario plus `about`, `cause` (the expected diagnosis) and `fix: none` where none exists. */
function checkCase(file) {
  const text = fs.readFileSync(path.join(CHECK_DIR, file), 'utf8');
  const doc = YAML.parse(text);
  const plain = {};
  for (const [k, v] of Object.entries(doc)) if (!['about', 'cause', 'fix'].includes(k)) plain[k] = v;
  return { text: YAML.stringify(plain), cause: doc.cause, fix: doc.fix };
}

function pool(jobs, width, run) {
  const out = jobs.map(() => { let resolve; const promise = new Promise((r) => { resolve = r; }); return { promise, resolve }; });
  let next = 0;
  const worker = async () => {
    while (next < jobs.length) {
      const i = next++;
      try { out[i].resolve({ kernel: await run(jobs[i]) }); } catch (e) { out[i].resolve({ error: e }); }
    }
  };
  for (let w = 0; w < Math.min(width, jobs.length); w++) worker();
  return out.map((o) => o.promise);
}

/** Explain one scenario text; a job for the kernel when it fails and has a fix. */
function plan(name, text, dialect) {
  const sim = runScenario(text);
  const e = explain(sim);
  const job = { name, outcome: sim.trace.outcome, cause: e.diagnosis && e.diagnosis.cause, fixes: e.fixes.length };
  if (e.fixes.length) {
    const best = e.fixes[0];
    job.fixed = withRules(text, dialect || sim.scenario.rules.dialect, best.rules);
    job.promise = { outcome: best.outcome, server_saw: best.server_saw };
    job.kind = best.kind;
  }
  return job;
}

function suite(title, jobs, after) {
  describe(title, function () {
    let missing = [];
    const results = new Map();
    before(function () {
      missing = missingTools();
      if (missing.length) { console.log(`    skipped: needs ${missing.join(', ')}`); this.skip(); }
      const withFix = jobs.filter((j) => j.fixed);
      console.log(`    ${withFix.length} fixed scenarios to run in the kernel, ${CONCURRENCY} at a time`);
      const ps = pool(withFix, CONCURRENCY, (j) => runInKernel(j.fixed));
      withFix.forEach((j, i) => results.set(j.name, ps[i]));
    });
    for (const j of jobs.filter((x) => x.fixed)) {
      it(`${j.name}: ${j.cause} -> ${j.kind}: the kernel gives ${j.promise.outcome}`, async function () {
        this.timeout(LAB_TIMEOUT);
        const r = await results.get(j.name);
        if (r.error) throw r.error;
        j.kernel = r.kernel;
        j.confirmed = r.kernel.outcome === j.promise.outcome;
        assert.strictEqual(r.kernel.outcome, j.promise.outcome, JSON.stringify(r.kernel));
        assert.strictEqual(r.kernel.server_saw, j.promise.server_saw);
      });
    }
    if (after) it('holds together', function () { if (missing.length) this.skip(); after(jobs); });
  });
}

const corpusJobs = [];
for (const f of corpusFiles().filter((x) => onlyMatches(ONLY, x))) {
  const text = fs.readFileSync(path.join(SCENARIOS, f), 'utf8');
  for (const d of DIALECTS) {
    const sc = scenarioText(text, d);
    if (sc === undefined) continue;
    const j = plan(`${f} [${d}]`, sc, d);
    if (j.outcome !== 'established') corpusJobs.push(j);
  }
}

const checkFiles = fs.existsSync(CHECK_DIR) ? fs.readdirSync(CHECK_DIR).filter((f) => f.endsWith('.yml') && onlyMatches(ONLY, f)).sort() : [];
const checkJobs = checkFiles.map((f) => { const c = checkCase(f); return { ...plan(f, c.text), expect: c.cause, expectFix: c.fix !== 'none' }; });

function report(label, jobs) {
  const diagnosed = jobs.filter((j) => j.cause).length;
  const fixed = jobs.filter((j) => j.fixed).length;
  const confirmed = jobs.filter((j) => j.confirmed).length;
  console.log(`\n    ${label}: ${jobs.length} failing, ${diagnosed} diagnosed, ${fixed} with a fix, ${confirmed}/${fixed} fixes confirmed by the kernel`);
  for (const j of jobs.filter((x) => x.fixed && !x.confirmed)) console.log(`      not confirmed: ${j.name} (${j.kind}) kernel ${JSON.stringify(j.kernel || null)} promised ${JSON.stringify(j.promise)}`);
  return { diagnosed, fixed, confirmed };
}

if (PART !== 'check') suite('explain: corpus fixes in the kernel', corpusJobs, (jobs) => {
  const r = report('corpus', jobs);
  assert.strictEqual(r.diagnosed, jobs.length);
  assert.strictEqual(r.confirmed, r.fixed);
});

if (PART !== 'corpus') suite('explain: the check set (test/explain) in the kernel', checkJobs.filter((j) => j.outcome !== 'established'), () => {
  const failing = checkJobs.filter((j) => j.outcome !== 'established');
  const r = report('check set', failing);
  const rightCause = failing.filter((j) => j.cause === j.expect).length;
  console.log(`    check set: right cause ${rightCause}/${failing.length}; with a fix expected: ${failing.filter((j) => j.expectFix).length}, best fix works in the kernel: ${failing.filter((j) => j.expectFix && j.confirmed).length}`);
  for (const j of failing.filter((x) => x.cause !== x.expect)) console.log(`      cause: ${j.name} said ${j.cause}, expected ${j.expect}`);
  const expected = failing.filter((j) => j.expectFix);
  // The whole check set must hold enough fixable cases; a NAT_TRACE_ONLY subset holds what it holds.
  if (!ONLY) assert.ok(expected.length >= 15, `${expected.length} check scenarios with a fix`);
  assert.ok(failing.filter((j) => j.expectFix && j.confirmed).length >= Math.ceil(0.95 * expected.length));
  assert.ok(rightCause >= Math.ceil(0.95 * failing.length));
  // A scenario that succeeds gets no fix.
  for (const j of checkJobs.filter((x) => x.outcome === 'established')) assert.strictEqual(j.fixes, 0, j.name);
});
