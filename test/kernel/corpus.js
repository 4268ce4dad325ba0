'use strict';
// The conformance corpus: test/scenarios/*.yml (one policy in both rule
// dialects, iptables and RouterOS, or in nftables) and the kernel's recorded answers in test/fixtures/kernel/*.json.
const fs = require('fs');
const path = require('path');

const ROOT = path.join(__dirname, '..', '..');
const SCENARIOS = path.join(ROOT, 'test', 'scenarios');
const FIXTURES = path.join(ROOT, 'test', 'fixtures', 'kernel');
const DIALECTS = ['iptables', 'routeros', 'nftables'];

function corpusFiles() {
  if (!fs.existsSync(SCENARIOS)) return [];
  return fs.readdirSync(SCENARIOS).filter((f) => f.endsWith('.yml')).sort();
}

/**
 * NAT_TRACE_ONLY: a comma list of substrings of scenario file names; an entry
 * starting with ^ is a prefix (NAT_TRACE_ONLY=^3,^5,^6 runs the nftables corpus).
 */
function onlyMatches(only, file) {
  if (!only) return true;
  return only.split(',').map((x) => x.trim()).filter(Boolean)
    .some((x) => (x.startsWith('^') ? file.startsWith(x.slice(1)) : file.includes(x)));
}

function fixturePath(file) {
  return path.join(FIXTURES, file.replace(/\.yml$/, '.json'));
}

function readFixture(file) {
  const p = fixturePath(file);
  return fs.existsSync(p) ? JSON.parse(fs.readFileSync(p, 'utf8')) : undefined;
}

function writeFixture(file, fixture) {
  fs.mkdirSync(FIXTURES, { recursive: true });
  fs.writeFileSync(fixturePath(file), JSON.stringify(fixture, null, 2) + '\n');
}

/** The fields the simulator must agree on. */
function comparable(r) {
  return { outcome: r.outcome, server_saw: r.server_saw, conntrack: [...r.conntrack].sort() };
}

/**
 * Two results in comparable form; where the simulator says NAT picked a random
 * port (`sim.randomPort`, see harness.simulateText), that port is masked on both.
 */
function comparePair(sim, a, b) {
  const { maskRandomPorts } = require('./harness');
  let x = comparable(a);
  let y = comparable(b);
  if (sim && sim.randomPort) {
    x = maskRandomPorts(x, sim.randomPort);
    y = maskRandomPorts(y, sim.randomPort);
  }
  return [x, y];
}

/**
 * Named known limits: a corpus scenario lists the ones it runs into under
 * `known_limits:`; each names what the simulator does not model and which
 * comparison it excuses ('packets': the packet lists and ICMP counters;
 * 'answers': outcome, server_saw, conntrack). A `racy` limit depends on timing,
 * so a run may agree by chance. Documented in docs/kernel-harness.md.
 */
const KNOWN_LIMITS = new Map([
  ['orphan-socket', { racy: true, excuses: ['packets', 'answers'], what: 'after the client program exits, its socket lives on as an orphan and resends its FIN with backoff (modelled, lib/sim/tcpsend.ts); whether conntrack is read before or after the resent FIN is answered (LAST_ACK or TIME_WAIT) is the harness\'s timing' }],
  ['app-timing', { racy: true, excuses: ['packets'], what: 'which of two nearly simultaneous events comes first depends on process scheduling (a FIN racing the peer\'s ACK)' }],
]);

function knownLimits(file) {
  const YAML = require('yaml');
  const doc = YAML.parse(fs.readFileSync(path.join(SCENARIOS, file), 'utf8'));
  const names = doc.known_limits || [];
  for (const n of names) {
    if (!KNOWN_LIMITS.has(n)) throw new Error(`${file}: unknown known_limits entry "${n}" (known: ${[...KNOWN_LIMITS.keys()].join(', ')})`);
  }
  return names;
}

/** The first of `names` that excuses `what` ('packets' or 'answers'), or undefined. */
function excuses(names, what) {
  return names.find((n) => KNOWN_LIMITS.get(n).excuses.includes(what));
}

module.exports = { onlyMatches, KNOWN_LIMITS, knownLimits, excuses, ROOT, SCENARIOS, FIXTURES, DIALECTS, corpusFiles, fixturePath, readFixture, writeFixture, comparable, comparePair };
