'use strict';
// Step grouping and captions for the main NAT stories, from real simulator traces.
const assert = require('assert');
const { runScenario } = require('../../dist/index');
const { buildStory } = require('../../dist/story');
const { S } = require('./story-scenarios');

const story = (text, lang = 'en') => buildStory(runScenario(text), lang);
const kinds = (st) => st.steps.map((s) => s.kind).join(' ');

describe('story: steps from a trace', () => {
  it('hairpin without the fix reads as the seed post: to the router, DNAT, to the server, direct answer refused, outcome', () => {
    const st = story(S.hairpin);
    assert.strictEqual(kinds(st), 'hop rewrite hop hop hop outcome');
    const [s1, s2, s3, s4, s5, s6] = st.steps;
    assert.deepStrictEqual([s1.link.from, s1.link.to, s1.link.via], ['pc', 'router', 'router']);
    assert.strictEqual(s1.packet.dst, '203.0.113.22');
    assert.deepStrictEqual(s2.rewrites.map((r) => [r.field, r.old, r.new, r.by]), [['dst', '203.0.113.22', '10.30.9.77', 'rule']]);
    assert.strictEqual(s2.rule.chain, 'dstnat');
    assert.deepStrictEqual([s3.link.from, s3.link.to], ['router', 'web']);
    assert.strictEqual(s3.receiver.reason, 'listening');
    // The answer goes straight to the client on the LAN: the router is not on its path.
    assert.deepStrictEqual(s4.link.path, ['web', 'segment:bridge', 'pc']);
    assert.strictEqual(s4.link.via, 'direct');
    assert.strictEqual(s4.receiver.reason, 'syn-ack-unexpected');
    assert.strictEqual(s4.mark, 'rst');
    assert.ok(s5.packet.flags.rst, 'the client answers with RST');
    assert.strictEqual(s6.outcome.outcome, 'timeout');
    assert.ok(s6.outcome.retransmits >= 1);
    assert.match(s4.caption, /10\.30\.9\.77:5000/);
    assert.match(s4.caption, /203\.0\.113\.22:5000/);
    assert.match(s4.caption, /RST/);
    assert.match(s2.caption, /dst-nat/, 'the acting rule in its own syntax');
    assert.match(s6.caption, /ETIMEDOUT/);
  });

  it('hairpin with the fix: SNAT on the way out, the reply comes back through the router and is un-NATed', () => {
    const st = story(S.hairpinFixed);
    const hops = st.steps.filter((s) => s.kind === 'hop');
    assert.ok(hops.every((s) => s.link.via === 'router'), 'no direct LAN packet');
    const out = hops.find((s) => s.link.from === 'router' && s.link.to === 'web');
    assert.deepStrictEqual(out.rewrites.map((r) => [r.field, r.old, r.new, r.by]), [['src', '10.30.9.70', '10.30.9.1', 'rule']]);
    assert.match(out.caption, /masquerade/);
    const back = hops.find((s) => s.link.from === 'web');
    assert.strictEqual(back.link.to, 'router');
    const unnat = st.steps.filter((s) => s.rewrites.some((r) => r.by === 'conntrack' && r.dir === 'reply'));
    assert.ok(unnat.some((s) => s.rewrites.some((r) => r.field === 'dst' && r.old === '10.30.9.1' && r.new === '10.30.9.70')));
    assert.ok(unnat.some((s) => s.rewrites.some((r) => r.field === 'src' && r.old === '10.30.9.77' && r.new === '203.0.113.22')));
    const last = st.steps[st.steps.length - 1];
    assert.strictEqual(last.outcome.outcome, 'established');
    assert.match(last.caption, /10\.30\.9\.1:40000/, 'the server saw the router');
  });

  it('port forward from the internet: DNAT in, un-DNAT on the reply', () => {
    const st = story(S.portForward);
    assert.strictEqual(st.steps[0].link.iface, 'ether1');
    assert.strictEqual(st.steps[1].kind, 'rewrite');
    const reply = st.steps.find((s) => s.kind === 'hop' && s.link.from === 'router' && s.link.to === 'visitor');
    assert.deepStrictEqual(reply.rewrites.map((r) => [r.field, r.new]), [['src', '203.0.113.22']]);
    assert.strictEqual(st.outcome, 'established');
  });

  it('UDP: datagram, answer, no handshake', () => {
    const st = story(S.udp);
    assert.ok(st.steps.every((s) => s.packet.proto === 'udp'));
    assert.match(st.steps[0].caption, /datagram/);
    assert.strictEqual(st.steps[st.steps.length - 1].outcome.outcome, 'established');
  });

  it('filter drop: a drop step at the router naming the chain policy, then a timeout', () => {
    const st = story(S.filterDrop);
    const drop = st.steps.find((s) => s.kind === 'drop');
    assert.strictEqual(drop.node, 'router');
    assert.strictEqual(drop.mark, 'drop');
    assert.strictEqual(drop.rule.number, 0);
    assert.match(drop.caption, /FORWARD/);
    assert.match(drop.caption, /DROP/);
    assert.strictEqual(st.outcome, 'timeout');
  });

  it('filter reject with tcp-reset and with ICMP', () => {
    const st = story(S.filterReject);
    const drop = st.steps.find((s) => s.kind === 'drop');
    assert.match(drop.caption, /REJECT --reject-with tcp-reset/);
    assert.match(drop.caption, /tcp-reset\./, 'names what the router answers with');
    const rst = st.steps.find((s) => s.kind === 'hop' && s.link.from === 'router');
    assert.ok(rst.packet.flags.rst);
    assert.strictEqual(rst.mark, 'rst');
    assert.strictEqual(st.outcome, 'refused');
    const st2 = story(S.filterRejectIcmp);
    const icmp = st2.steps.find((s) => s.kind === 'hop' && s.packet.proto === 'icmp');
    assert.strictEqual(icmp.mark, 'icmp');
    assert.match(icmp.caption, /port unreachable/);
  });

  it('REDIRECT to the router: the rewrite step delivers to the router itself', () => {
    const st = story(S.redirect);
    const rw = st.steps[1];
    assert.strictEqual(rw.kind, 'rewrite');
    assert.ok(rw.local);
    assert.deepStrictEqual(rw.rewrites.map((r) => [r.field, r.new]), [['dst', '10.30.9.1'], ['dport', 8080]]);
    assert.match(rw.caption, /8080/);
    assert.match(rw.caption, /REDIRECT/);
  });

  it('wrong DNAT target: nobody answers ARP, the router reports host unreachable', () => {
    const st = story(S.wrongTarget);
    const drop = st.steps.find((s) => s.kind === 'drop');
    assert.strictEqual(drop.drop.reason, 'arp-fail');
    assert.strictEqual(drop.link.to, undefined);
    assert.match(drop.caption, /10\.30\.9\.78/);
    assert.strictEqual(st.outcome, 'unreachable');
  });

  it('captions in zh-TW, with language fallback', () => {
    const zh = story(S.hairpin, 'zh-TW');
    assert.match(zh.steps[3].caption, /[\u4e00-\u9fff]/);
    assert.match(zh.steps[3].caption, /10\.30\.9\.77:5000/);
    assert.strictEqual(story(S.hairpin, 'zh-tw').steps[3].caption, zh.steps[3].caption);
    assert.strictEqual(story(S.hairpin, 'zh-Hant').lang, 'zh-TW');
    assert.strictEqual(story(S.hairpin, 'xx').lang, 'en');
    assert.notStrictEqual(story(S.hairpin, 'en').steps[3].caption, zh.steps[3].caption);
  });

  describe('copies a socket sends again', () => {
    const fs = require('fs');
    const path = require('path');
    const { scenarioText } = require('../kernel/harness');
    const corpus = (name, dialect = 'iptables') => {
      const dir = path.join(__dirname, '..', 'scenarios');
      const file = fs.readdirSync(dir).find((f) => f.startsWith(`${name}-`));
      return scenarioText(fs.readFileSync(path.join(dir, file), 'utf8'), dialect);
    };
    const resent = (st) => st.steps.filter((s) => s.resends);

    it('a FIN dropped in FORWARD: its drop step tells the server resending it, when, and that it goes on', () => {
      const st = story(corpus('932'));
      const [s] = resent(st);
      assert.ok(s, 'a step tells the copies');
      assert.strictEqual(s.kind, 'drop');
      assert.ok(s.packet.flags.fin, 'the FIN is the packet sent again');
      assert.strictEqual(s.resends.reason, 'fin-retransmit');
      assert.strictEqual(s.resends.after[0], 200, 'the loss probe 200 ms after the first copy');
      for (let i = 2; i < s.resends.after.length; i++) assert.strictEqual(s.resends.after[i], 2 * s.resends.after[i - 1], 'each wait twice the last');
      assert.ok(s.resends.more);
      assert.match(s.caption, /sends it again after 0\.2, 0\.4, 0\.8/);
      assert.match(s.caption, /until it gives up/);
      const zh = story(corpus('932'), 'zh-TW');
      assert.match(resent(zh)[0].caption, /0\.2、0\.4、0\.8、1\.6、3\.2、6\.4 秒後重送/);
      // The outcome's count is the client's SYN retransmissions only: none here.
      assert.strictEqual(st.steps[st.steps.length - 1].outcome.retransmits, 0);
    });

    it("a SYN-ACK whose ACK is dropped: the server's request timer resends it after 1, 3 s", () => {
      const st = story(corpus('900'));
      const [s] = resent(st);
      assert.strictEqual(s.resends.reason, 'syn-ack-retransmit');
      assert.ok(s.packet.flags.syn && s.packet.flags.ack);
      assert.strictEqual(s.resends.answers, false);
      assert.deepStrictEqual(s.resends.after.slice(0, 2), [1000, 3000]);
      assert.match(s.caption, /No acknowledgment comes: \S+ sends it again after 1, 3 s/);
    });

    it('the hairpin: each resent SYN is answered by the SYN-ACK again, told as answers, not as a timer', () => {
      const st = story(S.hairpin);
      const [s] = resent(st);
      assert.strictEqual(s.index, 4);
      assert.strictEqual(s.resends.answers, true);
      assert.deepStrictEqual(s.resends.after, [1000, 2000, 3000, 4000, 5000, 7000]);
      assert.match(s.caption, /answers each copy of the SYN the same way/);
      assert.doesNotMatch(s.caption, /twice the last/);
      assert.strictEqual(resent(st).length, 1, "the client's RST copies are not resends");
    });
  });
});

