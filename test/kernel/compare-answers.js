#!/usr/bin/env node
'use strict';
/**
 * The simulator against recorded kernel answers in any directory pair:
 *   node test/kernel/compare-answers.js SCENARIO_DIR ANSWER_DIR [DIALECT] [-v]
 * For every SCENARIO_DIR/NAME.yml with ANSWER_DIR/NAME.json holding DIALECT's
 * answers (default nftables), compares outcome, server_saw and conntrack as
 * test/fixtures.test.js does, and prints the agreement. Build first (npm run build).
 */
const fs = require('fs');
const path = require('path');
const YAML = require('yaml');
const { parseScenario } = require('../../dist/scenario/parse');
const { parseRules } = require('../../dist/rules');
const { simulate } = require('../../dist/sim');
const { maskRandomPorts } = require('./harness');

const args = process.argv.slice(2).filter((a) => a !== '-v');
const verbose = process.argv.includes('-v');
const [sdir, adir, dialect = 'nftables'] = args;
if (!sdir || !adir) { console.error('usage: compare-answers.js SCENARIO_DIR ANSWER_DIR [DIALECT] [-v]'); process.exit(2); }
const DROP = ['about', 'covers', 'only', 'why', 'known', 'known_limits', 'iptables', 'routeros', 'nftables'];

function ports(sc) {
  const s = new Set([sc.trace.sport, sc.trace.to.port]);
  for (const l of sc.router.listen) s.add(l.port);
  for (const h of sc.hosts) for (const l of h.listen) s.add(l.port);
  return [...s];
}

let agree = 0; let total = 0;
const bad = [];
for (const f of fs.readdirSync(sdir).filter((x) => x.endsWith('.yml')).sort()) {
  const ans = path.join(adir, f.replace(/\.yml$/, '.json'));
  if (!fs.existsSync(ans)) continue;
  const fx = JSON.parse(fs.readFileSync(ans, 'utf8'))[dialect];
  if (!fx) continue;
  const doc = YAML.parse(fs.readFileSync(path.join(sdir, f), 'utf8'));
  if (doc[dialect] === undefined) continue;
  const out = {};
  for (const [k, v] of Object.entries(doc)) if (!DROP.includes(k)) out[k] = v;
  out[dialect] = doc[dialect];
  total++;
  const kernel = { outcome: fx.outcome, server_saw: fx.server_saw, conntrack: [...(fx.conntrack || [])].sort() };
  let got;
  try {
    const sc = parseScenario(YAML.stringify(out), { file: f });
    const rs = parseRules(sc.rules, { interfaces: sc.router.interfaces.map((i) => i.name), interfaceLists: sc.router.interfaceLists });
    const tr = simulate(sc, rs);
    got = { outcome: tr.outcome, server_saw: tr.server_saw, conntrack: [...tr.conntrack].sort() };
    if (tr.warnings.some((w) => /random port/.test(w))) {
      const keep = ports(sc);
      got = maskRandomPorts(got, keep);
      Object.assign(kernel, maskRandomPorts(kernel, keep));
    }
  } catch (e) {
    got = { error: e.message };
  }
  if (fx.load_error || fx.error) {
    // The kernel refused the rules: the parser must refuse them too.
    if (got.error) { agree++; continue; }
    bad.push({ f, kernel: { refused: fx.load_error || fx.error }, got });
    continue;
  }
  if (JSON.stringify(got) === JSON.stringify(kernel)) agree++;
  else bad.push({ f, kernel, got });
}
for (const b of bad) {
  console.log(`DIFF ${b.f}`);
  if (verbose) console.log(`  kernel: ${JSON.stringify(b.kernel)}\n  sim:    ${JSON.stringify(b.got)}`);
}
console.log(`${agree}/${total} agree (${total ? ((100 * agree) / total).toFixed(1) : 0}%)`);
