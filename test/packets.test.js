'use strict';
// The simulator against the Linux kernel packet by packet (test/fixtures/kernel,
// recorded by `npm run test:kernel`): for every corpus scenario and dialect,
// every packet on every link (host wires and router interfaces) in the same
// order, with the same addresses, ports, flags, TTL and ICMP quote, at the
// kernel's times (retransmissions), and the router's ICMP counters (redirects,
// rate-limited errors); then the figure (lib/story) held to those packets:
// every packet it draws is on the wire, and the retransmissions it counts are
// the ones sent. A scenario may name a known limit (known_limits:) that
// excuses the packet comparison; the test title says so.
const assert = require('assert');
const fs = require('fs');
const path = require('path');
const { simulateText, scenarioText, packetText } = require('./kernel/harness');
const { SCENARIOS, DIALECTS, KNOWN_LIMITS, corpusFiles, readFixture, knownLimits, excuses } = require('./kernel/corpus');
const { simPackets, captureEnds, firstPacketDifference, icmpCounterDifference } = require('./kernel/packets');
const { buildStory, RESENDS_LISTED_MS } = require('../dist/story');

function wireText(w) {
  const p = w.packet;
  const rec = { ...p, ttl: w.ttl, length: p.length ?? 0 };
  if (p.icmp) Object.assign(rec, { type: p.icmp.type, code: p.icmp.code, gateway: p.icmp.gateway, inner: p.icmp.inner });
  return packetText(rec);
}

/** What the figure draws that the packets do not show, or undefined. */
function figureProblem(sim) {
  const { trace, scenario } = sim;
  const story = buildStory(sim, 'en');
  for (const s of story.steps) {
    if (s.kind !== 'hop' || !s.link || !s.link.to) continue;
    const text = wireText({ packet: s.packet, ttl: 0 }).replace(/ ttl=\d+/, '');
    const on = trace.wire.find((w) => w.packetId === s.packetId && w.from === s.link.from && w.to === s.link.to && w.iface === s.link.iface
      && wireText(w).replace(/ ttl=\d+/, '') === text);
    if (!on) return `step ${s.index} draws ${text} from ${s.link.from} to ${s.link.to}, which is on no wire`;
  }
  const client = scenario.trace.from;
  const sent = trace.wire.filter((w) => w.from === client);
  if (sent.length) {
    const syns = sent.filter((w) => w.packet.flags && w.packet.flags.syn && !w.packet.flags.ack);
    // Copies are drawn only once, except one that takes a new path (a host acting on a redirect):
    // every SYN but connect()'s own is a retransmission.
    const drawnIds = syns.map((w) => w.packetId).filter((id) => id >= 0);
    const original = drawnIds.length ? Math.min(...drawnIds) : undefined;
    const copies = syns.filter((w) => w.packetId !== original).length;
    const drawn = story.steps[story.steps.length - 1].outcome.retransmits;
    if (copies !== drawn) return `the figure counts ${drawn} SYN retransmissions, ${copies} are on the wire`;
  }
  return resendProblem(trace, story);
}

/**
 * The copies a socket resends of a drawn packet (its data, FIN or SYN-ACK) are
 * told on the packet's last step: as many as its sender put on its first link
 * in the first RESENDS_LISTED_MS, at those times; and no drawn packet has
 * copies on the wire that no caption tells.
 */
function resendProblem(trace, story) {
  const drawn = new Set(story.steps.filter((s) => s.kind !== 'outcome').map((s) => s.packetId));
  for (const id of drawn) {
    const first = trace.wire.find((w) => w.packetId === id);
    if (!first) continue;
    const isSyn = first.packet.flags && first.packet.flags.syn && !first.packet.flags.ack;
    const copies = trace.wire.filter((w) => w.copyOf === id && w.from === first.from && w.iface === first.iface).map((w) => w.time - first.time);
    const told = story.steps.filter((s) => s.packetId === id && s.resends);
    if (isSyn) continue; // the outcome counts the SYN's copies (figureProblem)
    if (!copies.length) {
      if (told.length) return `step ${told[0].index} tells copies of packet ${id} that are on no wire`;
      continue;
    }
    if (told.length !== 1) return `packet ${id} (${wireText(first)}) is sent again ${copies.length} times and ${told.length ? `${told.length} steps tell it` : 'no step tells it'}`;
    const r = told[0].resends;
    const listed = copies.filter((t) => t <= RESENDS_LISTED_MS);
    if (JSON.stringify(r.after) !== JSON.stringify(listed)) return `step ${told[0].index} tells copies at ${r.after} ms, the wire has them at ${listed} ms`;
    if (r.more !== copies.length > listed.length) return `step ${told[0].index} says more copies come: ${r.more}, the wire: ${copies.length - listed.length} more`;
    const last = story.steps.filter((s) => s.packetId === id).pop();
    if (last !== told[0]) return `packet ${id}'s copies are told on step ${told[0].index}, not on its last step ${last.index}`;
    if (!/\d s\b|\d 秒/.test(told[0].caption)) return `step ${told[0].index}'s caption does not tell the copies' times: ${told[0].caption}`;
  }
  return undefined;
}

describe('simulator vs recorded kernel packets', function () {
  const files = corpusFiles();
  it('every recorded scenario has its packets recorded', function () {
    const without = files.filter((f) => {
      const fx = readFixture(f);
      return fx && DIALECTS.some((d) => fx[d] && !fx[d].packets);
    });
    assert.deepStrictEqual(without, [], 'run `sudo NAT_TRACE_RECORD=1 npm run test:kernel` to record these');
  });
  for (const f of files) {
    const fixture = readFixture(f);
    if (!fixture) continue;
    const text = fs.readFileSync(path.join(SCENARIOS, f), 'utf8');
    const limits = knownLimits(f);
    const limited = excuses(limits, 'packets');
    for (const d of DIALECTS) {
      const sc = scenarioText(text, d);
      if (sc === undefined || !fixture[d] || !fixture[d].packets) continue;
      it(`${f} [${d}]${limited ? ` (known limit: ${limited})` : ''}`, function () {
        const sim = simulateText(sc);
        const packets = simPackets(sim.trace);
        const ends = captureEnds(sim.trace, packets);
        let diff = firstPacketDifference(packets, fixture[d].packets, { randomPorts: sim.randomPort, end: ends.latest, earliest: ends.earliest });
        if (!diff) diff = icmpCounterDifference(sim.trace, fixture[d].router_icmp, ends.latest, fixture[d].packets);
        const figure = figureProblem({ scenario: sim.scenario, ruleset: sim.ruleset, trace: sim.trace });
        assert.strictEqual(figure, undefined, `${f} [${d}] figure: ${figure}`);
        if (limited) {
          // A known limit must still be needed: a scenario that agrees loses its excuse
          // (unless the limit is a race a recording may win by chance).
          if (!KNOWN_LIMITS.get(limited).racy) assert.ok(diff, `${f} [${d}]: packets agree now; remove known_limits: ${limited}`);
          return;
        }
        assert.strictEqual(diff, null, `${f} [${d}]: ${diff}`);
      });
    }
  }
});
