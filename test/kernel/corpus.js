'use strict';
// The conformance corpus: test/scenarios/*.yml (one policy in both rule
// dialects) and the kernel's recorded answers in test/fixtures/kernel/*.json.
const fs = require('fs');
const path = require('path');

const ROOT = path.join(__dirname, '..', '..');
const SCENARIOS = path.join(ROOT, 'test', 'scenarios');
const FIXTURES = path.join(ROOT, 'test', 'fixtures', 'kernel');
const DIALECTS = ['iptables', 'routeros'];

function corpusFiles() {
  if (!fs.existsSync(SCENARIOS)) return [];
  return fs.readdirSync(SCENARIOS).filter((f) => f.endsWith('.yml')).sort();
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

module.exports = { ROOT, SCENARIOS, FIXTURES, DIALECTS, corpusFiles, fixturePath, readFixture, writeFixture, comparable, comparePair };
