'use strict';
// The TCP sender's retransmission timers (lib/sim/tcpsend.ts) alone, on the
// simulator's engine: when copies go out for what the kernel harness measured
// (932: a lone FIN; 931: data whose FIN was SACKed), and that an ACK or a
// reset ends them. Whole scenarios are held to the kernel's recordings in
// test/packets.test.js.
const assert = require('assert');
const { Engine } = require('../../dist/sim/engine');
const { TcpSender } = require('../../dist/sim/tcpsend');

function setup({ orphan = true } = {}) {
  const engine = new Engine();
  const copies = [];
  const acked = [];
  const sender = new TcpSender(engine, (pkt, seq) => copies.push({ at: engine.now, seq: pkt.seq, of: seq, fin: !!pkt.flags.fin }), () => orphan, (seq) => acked.push({ at: engine.now, seq }));
  const seg = (len, fin) => (seq) => ({ proto: 'tcp', src: '10.0.0.1', dst: '10.0.0.2', sport: 80, dport: 40000, flags: fin ? { fin: true, ack: true } : { psh: true, ack: true }, seq, ack: 1, length: fin ? 0 : len });
  return { engine, copies, sender, seg, acked };
}

describe('sim: TCP retransmission timers (tcpsend)', function () {
  it('a lone unanswered FIN: a loss probe after 200 ms, then the RTO from 200 ms, doubling', function () {
    const { engine, copies, sender, seg } = setup();
    engine.schedule(0, () => sender.queue(1, seg(0, true)));
    engine.run(10000);
    assert.deepStrictEqual(copies.map((c) => c.at), [200, 400, 800, 1600, 3200, 6400]);
    assert.ok(copies.every((c) => c.fin && c.seq === 1));
  });

  it('data and FIN out, the FIN SACKed: the data goes again at once, then on the RTO only', function () {
    const { engine, copies, sender, seg } = setup();
    engine.schedule(0, () => {
      sender.queue(22, seg(22, false));
      sender.queue(1, seg(0, true));
    });
    // The peer's duplicate ACK: nothing new acknowledged, the FIN (23..24) held.
    engine.schedule(0, () => sender.onAck(1, [[23, 24]]));
    engine.run(7000);
    assert.deepStrictEqual(copies.map((c) => c.at), [0, 200, 600, 1400, 3000, 6200]);
    assert.ok(copies.every((c) => !c.fin && c.seq === 1), 'the SACKed FIN is never resent');
  });

  it('two segments out and nothing back: the probe resends the last one early, the RTO the first', function () {
    const { engine, copies, sender, seg } = setup();
    engine.schedule(0, () => {
      sender.queue(22, seg(22, false));
      sender.queue(1, seg(0, true));
    });
    engine.run(700);
    assert.deepStrictEqual(copies.map((c) => [c.at, c.seq]), [[8, 23], [200, 1], [600, 1]]);
  });

  it('an ACK of everything stops the timer; after a timeout each ACK lets the next lost segment go', function () {
    const { engine, copies, sender, seg } = setup();
    engine.schedule(0, () => {
      sender.queue(22, seg(22, false));
      sender.queue(1, seg(0, true));
    });
    // Both lost; the RTO at 200 ms resends the data, its ACK comes at 250 ms.
    engine.schedule(250, () => sender.onAck(23, undefined));
    engine.schedule(260, () => sender.onAck(24, undefined));
    engine.run(60000);
    assert.deepStrictEqual(copies.map((c) => [c.at, c.seq]), [[8, 23], [200, 1], [250, 23]]);
    assert.ok(sender.idle);
  });

  it('stop() (a reset) ends the timers', function () {
    const { engine, copies, sender, seg } = setup();
    engine.schedule(0, () => sender.queue(1, seg(0, true)));
    engine.schedule(300, () => sender.stop());
    engine.run(60000);
    assert.deepStrictEqual(copies.map((c) => c.at), [200]);
  });

  it('an orphan gives up after tcp_orphan_retries (8) worth of time; a socket its application holds goes on', function () {
    const orphan = setup({ orphan: true });
    orphan.engine.schedule(0, () => orphan.sender.queue(1, orphan.seg(0, true)));
    orphan.engine.run(600000);
    const held = setup({ orphan: false });
    held.engine.schedule(0, () => held.sender.queue(1, held.seg(0, true)));
    held.engine.run(600000);
    const last = orphan.copies[orphan.copies.length - 1].at;
    assert.ok(last < 110000, `the orphan's last copy at ${last} ms`);
    assert.ok(held.copies.length > orphan.copies.length, 'the held socket resends longer');
  });

  it('names the segment each copy is of, and each segment once when the peer has it all', function () {
    const { engine, copies, sender, seg, acked } = setup();
    engine.schedule(0, () => {
      sender.queue(22, seg(22));
      sender.queue(1, seg(0, true));
    });
    // The FIN is SACKed: the data goes again at once; its ACK (23) then covers only the data,
    // the FIN's ACK (24) comes later, and an old ACK again changes nothing.
    engine.schedule(1, () => sender.onAck(1, [[23, 24]]));
    engine.schedule(5, () => sender.onAck(23, undefined));
    engine.schedule(9, () => sender.onAck(24, undefined));
    engine.schedule(12, () => sender.onAck(24, undefined));
    engine.run(60000);
    assert.deepStrictEqual(copies.map((c) => [c.at, c.of, c.seq]), [[1, 1, 1]]);
    assert.deepStrictEqual(acked, [{ at: 5, seq: 1 }, { at: 9, seq: 23 }]);
  });

  it('a host unreachable about the first unacknowledged segment undoes one backoff step (RFC 6069), never below the first RTO', function () {
    const { engine, copies, sender, seg } = setup();
    engine.schedule(0, () => sender.queue(1, seg(0, true)));
    // Copies at 200 (probe), 400, 800 (backoff 2 after it): an error at 900 quotes the FIN.
    let reverted;
    engine.schedule(900, () => { reverted = sender.revertBackoff(1); });
    engine.schedule(950, () => assert.strictEqual(sender.revertBackoff(2), false, 'an error about another sequence number changes nothing'));
    engine.run(2000);
    assert.strictEqual(reverted, true);
    // Backoff 2 -> 1: 400 ms after the copy at 800, not 800 ms.
    assert.deepStrictEqual(copies.map((c) => c.at).slice(0, 4), [200, 400, 800, 1200]);
    const fresh = setup();
    fresh.engine.schedule(0, () => fresh.sender.queue(1, fresh.seg(0, true)));
    let early;
    fresh.engine.schedule(100, () => { early = fresh.sender.revertBackoff(1); });
    fresh.engine.run(300);
    assert.strictEqual(early, false, 'no backoff yet: nothing to undo');
  });

  it("a segment its node's output refused stays unsent: the FIN joins it, and its copies say whether they left", function () {
    const engine = new Engine();
    const copies = [];
    const sender = new TcpSender(engine, (pkt) => { copies.push(pkt); return false; }, () => true);
    const seg = (len, fin) => (seq) => ({ proto: 'tcp', src: '10.0.0.1', dst: '10.0.0.2', sport: 80, dport: 40000, flags: fin ? { fin: true, ack: true } : { psh: true, ack: true }, seq, ack: 1, length: fin ? 0 : len, payload: fin ? undefined : 'x'.repeat(len) });
    let data;
    let fin;
    engine.schedule(0, () => {
      data = sender.queueAt(22, seg(22));
      sender.notSent(data.seq);
      fin = sender.queueAt(1, seg(0, true));
    });
    engine.run(1000);
    assert.strictEqual(fin.seq, data.seq, 'one segment: the FIN joined the unsent data');
    assert.deepStrictEqual(fin.pkt.flags, { psh: true, ack: true, fin: true });
    assert.strictEqual(fin.pkt.length, 22);
    assert.strictEqual(sender.nxt, 24);
    assert.ok(copies.length > 0 && copies.every((p) => p.flags.fin && p.length === 22), 'its copies are the joined segment');
  });
});

