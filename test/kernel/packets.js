'use strict';
// Packet-level conformance: the simulator's packets (trace.wire: every packet
// on every segment, retransmitted copies too) against the kernel's capture
// (harness.js, capture.py), link by link. See docs/kernel-harness.md.
const { packetText, QUIET_MS, CAPTURE_BOUND_MS, RESULT_SETTLE_MS } = require('./harness');

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

/** Where the fixtures' clock starts for a simulated trace: its first packet. */
function wireStart(trace) {
  return trace.wire.length ? trace.wire[0].time : 0;
}

/** A simulated time on the fixtures' clock: ms since the first packet, rounded to 10 ms. */
function fixtureTime(trace, time) {
  return Math.round((time - wireStart(trace)) / 10) * 10;
}

/**
 * The simulator's wire packets in the fixtures' form: a record for the
 * sender's link and one for the receiver's, `t` in ms from the first packet.
 */
function simPackets(trace) {
  const out = [];
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
    const t = fixtureTime(trace, w.time);
    out.push({ t, link: w.from === 'router' ? `router:${w.iface}` : w.from, dir: 'out', pkt: text });
    out.push({ t, link: w.to === 'router' ? `router:${w.iface}` : w.to, dir: 'in', pkt: text });
  }
  return out;
}

/**
 * Where the harness's capture of this run would end, in simPackets' times:
 * runInKernel waits RESULT_SETTLE_MS after the client's result, then for
 * QUIET_MS without a frame, CAPTURE_BOUND_MS after the result at most. Timers
 * that go on after the result (a server resending its FIN, an orphaned FIN)
 * make packets past that end which the kernel's record cannot have.
 * `latest` is that end with the simulator's times; `earliest` the end if a
 * packet that comes late in the kernel (within the tolerance the comparison
 * allows its gap) falls past the quiet: a resent FIN due 1.4 s into the quiet
 * may come 1.8 s into it, after the capture has stopped.
 */
function captureEnds(trace, packets) {
  const result = (trace.resultAt ?? 0) - wireStart(trace);
  const from = result + RESULT_SETTLE_MS;
  // The quiet counts ARP frames too (the unanswered requests of a failing resolution).
  const arp = (trace.arpRequests ?? []).map((a) => ({ t: fixtureTime(trace, a.time), pkt: 'arp' }));
  const frames = packets.concat(arp).sort((a, b) => a.t - b.t);
  const bound = result + CAPTURE_BOUND_MS;
  let end = from;
  let earliest;
  for (let i = 0; i < frames.length; i++) {
    const { t } = frames[i];
    if (t <= from) { end = Math.max(end, t + QUIET_MS); continue; }
    if (t >= end) break;
    if (earliest === undefined && t + lateness(frames, i) >= end) earliest = end;
    end = t + QUIET_MS;
  }
  const latest = Math.min(end, bound);
  return { earliest: Math.min(earliest ?? latest, latest), latest };
}

/**
 * How late the kernel may put frame i: the tolerance of its gap to the frame
 * before it, or, for a TCP segment resent by its socket's timer (whose
 * lateness adds up over the backoff), of its gap to its own previous copy.
 */
function lateness(frames, i) {
  // A packet is listed once per end of its link: the frames before it are those of an earlier time.
  const { t, pkt } = frames[i];
  let prevCopy;
  let prevAny;
  for (let j = i - 1; j >= 0 && prevCopy === undefined; j--) {
    if (frames[j].t >= t) continue;
    prevAny ??= frames[j].t;
    if (frames[j].pkt === pkt) prevCopy = frames[j].t;
  }
  const gapAny = t - (prevAny ?? 0);
  return Math.max(timeTolerance(gapAny), prevCopy === undefined || !pkt.startsWith('tcp ') ? 0 : timeTolerance(t - prevCopy));
}

/**
 * How far the two captures' ends may lie apart: the kernel's timers run late
 * by the wheel's granularity, and its capture stops a scheduling delay after
 * the quiet (the pool runs labs side by side).
 */
const CAPTURE_END_SLACK_MS = 400;

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
 * flow's FIN,ACK counts as that FIN,ACK on both sides. Not when that FIN,ACK
 * is a resent copy of one already on the link: the ACK before it then is a
 * packet of its own (an answer to the other side's resend), which one side's
 * capture may hold and the other's end before.
 */
function foldDelayedAcks(rs) {
  const flow = (pkt) => pkt.split(' [')[0];
  return rs.filter((r, i) => {
    const next = rs[i + 1];
    if (!(next && r.dir === next.dir && / \[ACK\] len=0 /.test(r.pkt) && / \[FIN,ACK\] len=0 /.test(next.pkt) && flow(r.pkt) === flow(next.pkt))) return true;
    const resent = rs.slice(0, i).some((p) => p.dir === next.dir && p.pkt === next.pkt);
    return resent;
  });
}

/**
 * A resent copy is timed by its own timer from the previous copy: when other
 * packets come between them on the link (the other end's close), the gap to
 * the previous identical packet is the one to hold to the kernel's.
 */
function sameCopyGapAgrees(x, y, i) {
  const prev = (list) => {
    for (let j = i - 1; j >= 0; j--) if (list[j].dir === list[i].dir && list[j].pkt === list[i].pkt) return j;
    return -1;
  };
  const js = prev(x);
  const jk = prev(y);
  if (js < 0 || jk < 0 || js !== jk) return false;
  const gs = x[i].t - x[js].t;
  const gk = y[i].t - y[jk].t;
  return gs > 0 && Math.abs(gs - gk) <= timeTolerance(gk);
}

/**
 * The first difference between two packet lists, link by link (links in
 * sorted order), or null when they agree: the same packets in the same
 * order on every link, at times within the tolerance.
 */
function firstPacketDifference(sim, kernel, { randomPorts, end, earliest } = {}) {
  // Past the capture's end (give or take the slack) the simulator's packets are not compared;
  // near it (from the earliest end the kernel's timing allows), a packet one side has and the
  // other does not is no difference.
  const cut = end === undefined ? Infinity : end + CAPTURE_END_SLACK_MS;
  const edge = end === undefined ? Infinity : (earliest ?? end) - CAPTURE_END_SLACK_MS;
  const a = byLink(maskPorts(sim.filter((r) => r.t <= cut), randomPorts));
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
      // One list ends near the capture's end: what the other has from here on is all late enough.
      if ((!s || !k) && (s ? x : y).slice(i).every((r) => r.t > edge)) break;
      if (!s || !k || s.dir !== k.dir || s.pkt !== k.pkt) {
        return `link ${link}, packet ${i + 1}: kernel ${line(k)}, simulator ${line(s)}`;
      }
      const gs = i ? s.t - x[i - 1].t : 0;
      const gk = i ? k.t - y[i - 1].t : 0;
      // No timer between two packets in the model: the kernel's gap is process scheduling
      // (an application's next call), held only to stay under a second.
      const late = gs === 0 ? gk >= 1000 : Math.abs(gs - gk) > timeTolerance(gk);
      // A packet whose own timer runs from the start (an application's read timeout) is held
      // to its time from the start when its link's previous packet came from another timer.
      const onTime = gs > 0 && Math.abs(s.t - k.t) <= timeTolerance(k.t);
      if (late && !onTime && !sameCopyGapAgrees(x, y, i)) {
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

/**
 * The router's ICMP counters against the kernel's, read once its capture has
 * ended: only what the simulator counted by then counts (near the end,
 * either count is the kernel's). Returns the difference or null.
 */
function icmpCounterDifference(trace, kernelRecord, end, kernelPackets) {
  const kernel = icmpCounters(kernelRecord);
  const t0 = wireStart(trace);
  const counted = trace.icmpCounted ?? [];
  // The kernel's counters are read when its capture stops: QUIET_MS after its last frame, or
  // later when a frame came just past the quiet on a busy machine (a series of resends the
  // model spaces 1.6 s apart, the kernel 1.63 s, goes on being captured). Its record's last
  // frame tells which; the simulator's count is taken anywhere between the two ends.
  const last = kernelPackets && kernelPackets.length ? kernelPackets[kernelPackets.length - 1].t : undefined;
  const from = end === undefined ? undefined : Math.min(end, last ?? end);
  const to = end === undefined ? undefined : Math.max(end, last === undefined ? end : last + QUIET_MS);
  for (const name of Object.keys(kernel)) {
    const upTo = (t) => counted.filter((c) => c.counter === name && c.time - t0 <= t).length;
    const lo = end === undefined ? trace.icmp[name] : upTo(from - CAPTURE_END_SLACK_MS);
    const hi = end === undefined ? trace.icmp[name] : upTo(to + CAPTURE_END_SLACK_MS);
    if (kernel[name] < lo || kernel[name] > hi) {
      return `router ICMP counters: kernel ${JSON.stringify(kernel)}, simulator ${name} ${lo === hi ? lo : `${lo}-${hi}`} by the capture's end (${JSON.stringify(trace.icmp)} in all)`;
    }
  }
  return null;
}

module.exports = { captureEnds, icmpCounterDifference, simPackets, firstPacketDifference, icmpCounters, timeTolerance };
