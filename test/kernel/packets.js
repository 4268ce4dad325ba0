'use strict';
// Packet-level conformance: the simulator's packets (trace.wire: every packet
// on every segment, retransmitted copies too) against the kernel's capture
// (harness.js, capture.py), link by link. See docs/kernel-harness.md.
const { packetText } = require('./harness');

/**
 * Times are compared as the gap since the link's previous packet: the
 * kernel's timers fire a little late (jiffies, the timer wheel's step on
 * long timers, a busy machine), and the lateness adds up over ten SYN
 * retransmissions, so absolute times drift while every gap stays close.
 */
function timeTolerance(gapMs) {
  return 150 + 2 * wheelGranularityMs(gapMs);
}

/**
 * The timer wheel's step for a timeout of `ms` (kernel/time/timer.c, HZ=250
 * as on the recording machine): level n holds timeouts up to 63 << 3n
 * jiffies, rounded up to 8^n jiffies, so a 1 s timer fires up to 32 ms late
 * and a 32 s one up to 2 s late.
 */
function wheelGranularityMs(ms) {
  const JIFFY_MS = 4;
  const j = ms / JIFFY_MS;
  let lvl = 0;
  while (lvl < 8 && j >= 63 << (3 * lvl)) lvl++;
  return (1 << (3 * lvl)) * JIFFY_MS;
}

/**
 * The simulator's wire packets in the fixtures' form: a record for the
 * sender's link and one for the receiver's, `t` in ms from the first packet.
 */
function simPackets(trace) {
  const out = [];
  const t0 = trace.wire.length ? trace.wire[0].time : 0;
  for (const w of trace.wire) {
    const p = w.packet;
    const rec = {
      proto: p.proto, src: p.src, dst: p.dst, sport: p.sport, dport: p.dport, ttl: w.ttl,
      flags: p.flags, length: p.length ?? 0,
    };
    if (p.proto === 'icmp' && p.icmp) {
      rec.type = p.icmp.type;
      rec.code = p.icmp.code;
      if (p.icmp.gateway) rec.gateway = p.icmp.gateway;
      if (p.icmp.inner) rec.inner = p.icmp.inner;
    }
    const text = packetText(rec);
    const t = Math.round((w.time - t0) / 10) * 10;
    out.push({ t, link: w.from === 'router' ? `router:${w.iface}` : w.from, dir: 'out', pkt: text });
    out.push({ t, link: w.to === 'router' ? `router:${w.iface}` : w.to, dir: 'in', pkt: text });
  }
  return out;
}

/** Ports NAT picked at random (not in `keep`) masked, as comparePair does for the answers. */
function maskPorts(list, keep) {
  if (!keep) return list;
  const known = new Set(keep.map(String));
  return list.map((r) => ({ ...r, pkt: r.pkt.replace(/(\d+\.\d+\.\d+\.\d+):(\d+)/g, (m, ip, port) => (known.has(port) ? m : `${ip}:*`)) }));
}

function byLink(list) {
  const m = new Map();
  for (const r of list) {
    if (!m.has(r.link)) m.set(r.link, []);
    m.get(r.link).push(r);
  }
  for (const [link, rs] of m) m.set(link, foldDelayedAcks(rs));
  return m;
}

/**
 * A FIN is acknowledged late (tcp_fin enters pingpong mode: a delayed ACK,
 * 40 ms): when the application closes first, its FIN,ACK carries that ACK;
 * on a busy machine the delayed ACK goes first, alone. Which one comes is
 * process scheduling, so a bare ACK directly followed on the link by the same
 * flow's FIN,ACK counts as that FIN,ACK on both sides.
 */
function foldDelayedAcks(rs) {
  const flow = (pkt) => pkt.split(' [')[0];
  return rs.filter((r, i) => {
    const next = rs[i + 1];
    return !(next && r.dir === next.dir && / \[ACK\] len=0 /.test(r.pkt) && / \[FIN,ACK\] len=0 /.test(next.pkt) && flow(r.pkt) === flow(next.pkt));
  });
}

/**
 * The first difference between two packet lists, link by link (links in
 * sorted order), or null when they agree: the same packets in the same
 * order on every link, at times within the tolerance.
 */
function firstPacketDifference(sim, kernel, { randomPorts } = {}) {
  const a = byLink(maskPorts(sim, randomPorts));
  const b = byLink(maskPorts(kernel, randomPorts));
  const links = [...new Set([...a.keys(), ...b.keys()])].sort();
  for (const link of links) {
    const x = a.get(link) || [];
    const y = b.get(link) || [];
    const n = Math.max(x.length, y.length);
    for (let i = 0; i < n; i++) {
      const s = x[i];
      const k = y[i];
      const line = (r) => (r ? `${r.dir} ${r.pkt} at ${r.t} ms` : 'nothing');
      if (!s || !k || s.dir !== k.dir || s.pkt !== k.pkt) {
        return `link ${link}, packet ${i + 1}: kernel ${line(k)}, simulator ${line(s)}`;
      }
      const gs = i ? s.t - x[i - 1].t : 0;
      const gk = i ? k.t - y[i - 1].t : 0;
      // No timer between two packets in the model: the kernel's gap is process scheduling
      // (an application's next call), held only to stay under a second.
      const late = gs === 0 ? gk >= 1000 : Math.abs(gs - gk) > timeTolerance(gk);
      if (late) {
        return `link ${link}, packet ${i + 1} (${k.dir} ${k.pkt}): kernel ${gk} ms after the link's previous packet, simulator ${gs} ms`;
      }
    }
  }
  return null;
}

/** The router's ICMP counters the simulator keeps, from a kernel `router_icmp` record. */
function icmpCounters(c) {
  return { IcmpOutRedirects: c.IcmpOutRedirects, IcmpOutDestUnreachs: c.IcmpOutDestUnreachs, IcmpOutRateLimitHost: c.IcmpOutRateLimitHost };
}

module.exports = { simPackets, firstPacketDifference, icmpCounters, timeTolerance };
