'use strict';
// `npm run test:kernel` (root): every corpus scenario, in each dialect it is
// written in, built in network namespaces and run against the real kernel.
// A result that differs from the recorded fixture fails; a scenario with no
// fixture yet is recorded. NAT_TRACE_RECORD=1 re-records every fixture.
// The simulator's agreement with the kernel is printed at the end (the
// default suite, test/fixtures.test.js, holds the simulator to the fixtures).
const assert = require('assert');
const fs = require('fs');
const os = require('os');
const path = require('path');
const { runInKernel, simulateText, scenarioText, missingTools } = require('./harness');
const { onlyMatches, SCENARIOS, DIALECTS, corpusFiles, readFixture, writeFixture, comparable, comparePair, knownLimits, excuses, KNOWN_LIMITS } = require('./corpus');
const { simPackets, captureEnds, firstPacketDifference, icmpCounterDifference } = require('./packets');

const RECORD = process.env.NAT_TRACE_RECORD === '1';
const ONLY = process.env.NAT_TRACE_ONLY; // substrings of scenario file names (comma list, ^ for a prefix), for a quick rerun
const CONCURRENCY = Number(process.env.NAT_TRACE_JOBS || 4);
/** Labs alive at once, most of them waiting on a timer (each holds a few namespaces and python processes). */
const LIVE = Number(process.env.NAT_TRACE_LIVE || 48);

// Each scenario is its own test with its own timeout: a pool of CONCURRENCY
// workers starts the labs in corpus order as soon as the suite starts, and a
// test waits only for its own scenario's labs, so no hook holds the whole run
// and progress shows test by test. NAT_TRACE_LAB_TIMEOUT (ms) sets the limit
// of one scenario; a busy machine slows a lab by seconds, not minutes.
const LAB_TIMEOUT = Number(process.env.NAT_TRACE_LAB_TIMEOUT || 240000);

/**
 * Starts every job on a pool: at most `width` labs being built or busy at once,
 * at most `live` labs in all. A job calls its `waiting` callback once it only
 * waits on the kernel's timers (a TCP timeout takes 131 s with the kernel's
 * defaults); its slot then goes to the next job. Job i's promise settles when it ends.
 */
function startPool(jobs, width, live, runJob) {
  const settled = jobs.map(() => {
    let resolve;
    const promise = new Promise((r) => { resolve = r; });
    return { promise, resolve };
  });
  let next = 0;
  let busy = 0;
  let running = 0;
  const pump = () => {
    while (busy < width && running < live && next < jobs.length) {
      const i = next++;
      busy++;
      running++;
      let freed = false;
      const free = () => { if (!freed) { freed = true; busy--; pump(); } };
      runJob(jobs[i], free)
        .then((kernel) => settled[i].resolve({ kernel }), (error) => settled[i].resolve({ error }))
        .finally(() => { running--; free(); pump(); });
    }
  };
  pump();
  return settled.map((s) => s.promise);
}

describe('kernel conformance (network namespaces)', function () {
  const files = corpusFiles().filter((f) => onlyMatches(ONLY, f));
  const pending = new Map(); // "file dialect" -> Promise<{ kernel } | { error }>
  const texts = new Map(); // "file dialect" -> scenario text
  const agreement = { same: 0, total: 0, differ: [] };
  const packetAgreement = { same: 0, total: 0, limited: 0, differ: [] };
  let missing = [];
  let started = 0;

  before(function () {
    const jobs = [];
    for (const f of files) {
      const text = fs.readFileSync(path.join(SCENARIOS, f), 'utf8');
      for (const d of DIALECTS) {
        const sc = scenarioText(text, d);
        if (sc !== undefined) { jobs.push({ f, d, sc }); texts.set(`${f} ${d}`, sc); }
      }
    }
    // nft is needed only when an nftables scenario is run.
    missing = missingTools([...new Set(jobs.map((j) => j.d))]);
    if (missing.length) {
      console.log(`    kernel suite skipped: needs ${missing.join(', ')}`);
      this.skip();
    }
    started = Date.now();
    console.log(`    ${jobs.length} labs (${files.length} scenarios), ${CONCURRENCY} at a time`);
    // Each lab lives in its own namespaces, so several run side by side.
    const promises = startPool(jobs, CONCURRENCY, LIVE, (j, waiting) => runInKernel(j.sc, { waiting }));
    jobs.forEach((j, i) => pending.set(`${j.f} ${j.d}`, promises[i]));
  });

  after(function () {
    if (!agreement.total) return;
    const pct = ((100 * agreement.same) / agreement.total).toFixed(1);
    console.log(`\n    simulator agrees with the kernel on ${agreement.same}/${agreement.total} runs (${pct}%)`);
    for (const d of agreement.differ) console.log(`      differs: ${d}`);
    if (packetAgreement.total) {
      const ppct = ((100 * packetAgreement.same) / packetAgreement.total).toFixed(1);
      console.log(`    simulator's packets (and router ICMP counters) agree with the kernel's on ${packetAgreement.same}/${packetAgreement.total} runs (${ppct}%), ${packetAgreement.limited} of the others under a named known limit`);
      for (const d of packetAgreement.differ) console.log(`      packets differ: ${d}`);
    }
  });

  files.forEach((f, index) => {
    it(`[${index + 1}/${files.length}] ${f}: the kernel gives the recorded answer in every dialect`, async function () {
      this.timeout(LAB_TIMEOUT);
      const results = new Map();
      for (const d of DIALECTS) {
        const p = pending.get(`${f} ${d}`);
        if (p) results.set(`${f} ${d}`, { ...(await p), sc: texts.get(`${f} ${d}`) });
      }
      if (index === files.length - 1 || (index + 1) % 25 === 0) {
        console.log(`      ${index + 1}/${files.length} scenarios after ${((Date.now() - started) / 1000).toFixed(0)} s`);
      }
      const fixture = readFixture(f) || {};
      const fresh = { scenario: `test/scenarios/${f}`, recorded: { kernel: os.release(), date: new Date().toISOString().slice(0, 10) } };
      const problems = [];
      const sims = {};
      const record = {};
      let changed = false;
      for (const d of DIALECTS) {
        const r = results.get(`${f} ${d}`);
        if (!r) continue;
        if (r.error) throw r.error;
        const kernel = r.kernel;
        fresh[d] = kernel;
        const simRaw = simulateText(r.sc);
        sims[d] = simRaw;
        const [sim, k] = comparePair(simRaw, simRaw, kernel);
        agreement.total++;
        if (JSON.stringify(sim) === JSON.stringify(k)) agreement.same++;
        else agreement.differ.push(`${f} [${d}] kernel ${JSON.stringify(k)} sim ${JSON.stringify(sim)}`);
        packetAgreement.total++;
        const simList = simPackets(simRaw.trace);
        const ends = captureEnds(simRaw.trace, simList);
        let pdiff = firstPacketDifference(simList, kernel.packets, { randomPorts: simRaw.randomPort, end: ends.latest, earliest: ends.earliest });
        if (!pdiff) pdiff = icmpCounterDifference(simRaw.trace, kernel.router_icmp, ends.latest, kernel.packets);
        if (!pdiff) packetAgreement.same++;
        else {
          const limited = excuses(knownLimits(f), 'packets');
          if (limited) packetAgreement.limited++;
          packetAgreement.differ.push(`${f} [${d}]${limited ? ` (known limit ${limited})` : ''}: ${pdiff}`);
        }
        // Fixtures from before packet capture get their packets on the next run.
        if (!fixture[d] || !fixture[d].packets || RECORD) {
          changed = changed || JSON.stringify(fixture[d]) !== JSON.stringify(kernel);
          record[d] = kernel;
          continue;
        }
        record[d] = fixture[d];
        let [now, then] = comparePair(simRaw, kernel, fixture[d]);
        // A racy limit that excuses the answers (the orphan socket's entry state is
        // LAST_ACK or TIME_WAIT by when it is read) leaves only the outcome to hold.
        const racyAnswers = excuses(knownLimits(f), 'answers');
        if (racyAnswers && KNOWN_LIMITS.get(racyAnswers).racy) {
          now = { outcome: now.outcome };
          then = { outcome: then.outcome };
        }
        if (JSON.stringify(now) !== JSON.stringify(then)) {
          problems.push(`[${d}] kernel now ${JSON.stringify(now)}, fixture ${JSON.stringify(then)}`);
        }
      }
      if (changed) writeFixture(f, { scenario: fresh.scenario, recorded: fresh.recorded, ...record });
      // Both dialects state one policy, so the kernel must answer them alike.
      if (fresh.iptables && fresh.routeros && !excuses(knownLimits(f), 'answers')) {
        let [ros, ipt] = comparePair(sims.iptables, fresh.routeros, fresh.iptables);
        // RouterOS tracks with any rule, Linux only when a rule needs it: then only the
        // conntrack table may differ between the two versions of one policy.
        if (sims.routeros.tracking !== sims.iptables.tracking) {
          ros = { ...ros, conntrack: [] };
          ipt = { ...ipt, conntrack: [] };
        }
        if (JSON.stringify(ros) !== JSON.stringify(ipt)) {
          problems.push(`RouterOS translation and iptables rules differ in the kernel: routeros ${JSON.stringify(ros)}, iptables ${JSON.stringify(ipt)}`);
        }
      }
      assert.deepStrictEqual(problems, []);
    });
  });
});
