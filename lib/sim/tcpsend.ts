/**
 * The sending half of one TCP socket once it is connected: its unacknowledged
 * segments and the retransmission timer, as Linux 6.x runs them with its
 * defaults (tcp_output.c / tcp_timer.c / tcp_recovery.c):
 *  - a tail loss probe (tcp_schedule_loss_probe) while the connection is in
 *    the Open state: 2*srtt plus TCP_RTO_MIN with one segment out, plus
 *    TCP_TIMEOUT_MIN with more, never later than the RTO; it resends the last
 *    segment (there is never new data to send instead);
 *  - the RTO, TCP_RTO_MIN (200 ms: srtt is microseconds on a LAN) after the
 *    first unacknowledged segment went out, doubling with each timeout up to
 *    TCP_RTO_MAX; a timeout resends that segment only (cwnd is one);
 *  - RACK: a SACK for a later segment marks the earlier ones lost at once
 *    (the reordering window is a quarter of a microsecond RTT), so they go
 *    again at once (fast recovery, no probe then);
 *  - an orphaned socket (the application closed it) gives up silently after
 *    tcp_orphan_retries (0, which means 8) timeouts' worth of time.
 * Sequence numbers are relative to the socket's ISN, as tcpdump prints them:
 * the SYN is 0, the first byte of data 1.
 * Measured in the kernel harness (scenarios 931, 932): a lone FIN is resent
 * at 210, 410, 840, 1670, 3340, 6830 ms; data whose FIN was SACKed at once,
 * then at 210, 640, 1470, 3130, 6530 ms.
 */
import type { Engine } from './engine';
import type { Packet } from './packet';

export const TCP_RTO_MIN_MS = 200;
const TCP_RTO_MAX_MS = 120000;
/** TCP_TIMEOUT_MIN: 2 jiffies (HZ=250 on the recording machine). */
const TCP_TIMEOUT_MIN_MS = 8;
/** tcp_orphan_retries = 0 stands for 8 (tcp_orphan_retries()). */
const ORPHAN_RETRIES = 8;
/** tcp_model_timeout: the time the retries may take, from the first timeout's base. */
const ORPHAN_BUDGET_MS = ((2 << ORPHAN_RETRIES) - 1) * TCP_RTO_MIN_MS;

interface Segment {
  seq: number;
  /** Sequence space it takes: payload bytes, plus one for a FIN. */
  len: number;
  /** Builds the segment as it goes now (its ACK field is the receiver's current one). */
  build: () => Packet;
  sentAt: number;
  sacked: boolean;
  /** Marked lost (RACK or a timeout) and not yet resent. */
  lost: boolean;
  /** Its transmission never left the node (its own output dropped it): still in the write queue. */
  unsent?: boolean;
}

export class TcpSender {
  /** Oldest unacknowledged sequence number, and the next one to send. */
  una = 1;
  nxt = 1;
  private readonly segs: Segment[] = [];
  private state: 'open' | 'recovery' | 'loss' = 'open';
  /** A loss probe is out (tlp_high_seq): no second one until it is answered. */
  private probing = false;
  private backoff = 0;
  private gen = 0;
  private firstTimeoutAt?: number;
  private stopped = false;

  /**
   * `retransmit` puts a copy of the segment at `seq` on the node's output (the
   * trace does not draw copies; false: the output refused it); `orphan` says
   * whether the application has closed the socket; `acked` hears of each
   * segment once the peer has it all.
   */
  constructor(
    private readonly engine: Engine,
    private readonly retransmit: (pkt: Packet, seq: number) => boolean | void,
    private readonly orphan: () => boolean,
    private readonly acked?: (seq: number) => void,
  ) {}

  /** Everything sent has been acknowledged. */
  get idle(): boolean { return this.segs.length === 0; }

  /** A new segment at `nxt`: the caller sends the first copy itself (a drawn packet) right after. */
  queue(len: number, build: (seq: number) => Packet): Packet {
    return this.queueAt(len, build).pkt;
  }

  /**
   * As queue(), with the sequence number of the segment to send. When the
   * last segment is still unsent (notSent), the new one joins it, as
   * tcp_send_fin sets FIN on the write queue's unsent tail: what goes is
   * that segment, with the new one's flags and bytes added.
   */
  queueAt(len: number, build: (seq: number) => Packet): { pkt: Packet; seq: number } {
    const tail = this.segs[this.segs.length - 1];
    if (tail?.unsent) {
      const before = tail.build;
      const end = tail.seq + tail.len;
      tail.len += len;
      this.nxt += len;
      tail.build = () => joined(before(), build(end));
      tail.sentAt = this.engine.now;
      // Sent again now, joined: the caller says (notSent) if the output refuses it again.
      tail.unsent = false;
      this.arm();
      return { pkt: tail.build(), seq: tail.seq };
    }
    const seq = this.nxt;
    this.nxt += len;
    const seg: Segment = { seq, len, build: () => build(seq), sentAt: this.engine.now, sacked: false, lost: false };
    this.segs.push(seg);
    this.arm();
    return { pkt: seg.build(), seq };
  }

  /**
   * The segment at `seq` never left the node: its own output refused it
   * (ip_local_out's EPERM on a netfilter drop), so tcp_write_xmit keeps it in
   * the write queue, unsent; the probe timer tries it again on the same
   * backoff (its copies are silent, and meet the same output).
   */
  notSent(seq: number): void {
    const seg = this.segs.find((x) => x.seq === seq);
    if (seg) seg.unsent = true;
  }

  /**
   * An ACK from the peer: `ack` its cumulative acknowledgment, `sack` the
   * blocks it holds beyond. Returns how many segments it sent again at once.
   */
  onAck(ack: number | undefined, sack: Array<[number, number]> | undefined): number {
    if (this.stopped) return 0;
    let resent = 0;
    if (ack !== undefined && ack > this.una) {
      this.una = Math.min(ack, this.nxt);
      while (this.segs.length && this.segs[0].seq + this.segs[0].len <= this.una) this.acked?.(this.segs.shift()!.seq);
      // New data acknowledged: the RTT sample resets the RTO and its backoff.
      this.backoff = 0;
      this.firstTimeoutAt = undefined;
      this.probing = false;
      if (!this.segs.some((s) => s.lost)) this.state = 'open';
      // After a timeout cwnd grows with each ACK: the next lost segment goes now.
      resent += this.resendLost(1);
    }
    if (sack?.length) {
      let newest = -1;
      for (const s of this.segs) {
        if (!s.sacked && sack.some(([a, b]) => s.seq >= a && s.seq + s.len <= b)) { s.sacked = true; newest = Math.max(newest, s.seq); }
      }
      if (newest >= 0) {
        // RACK: what went before a delivered segment and is still missing is lost.
        for (const s of this.segs) if (!s.sacked && s.seq < newest) s.lost = true;
        if (this.segs.some((s) => s.lost)) {
          if (this.state === 'open') this.state = 'recovery';
          resent += this.resendLost(Infinity);
        }
      }
    }
    this.arm();
    return resent;
  }

  /**
   * tcp_ld_RTO_revert (RFC 6069): a net or host unreachable quoting the first
   * unacknowledged segment, once timeouts have backed the timer off, undoes
   * one doubling: the timer is rearmed for what is left of the shorter RTO
   * since that segment last went, or fires now if nothing is left. Returns
   * whether it did.
   */
  revertBackoff(seq: number | undefined): boolean {
    if (this.stopped || seq !== this.una || this.backoff === 0 || !this.segs.length) return false;
    this.backoff--;
    if (this.segs[0].sentAt + this.rto() > this.engine.now) this.arm();
    else this.timeout();
    return true;
  }

  /** The socket is gone (reset, or closed for good): no more timers. */
  stop(): void {
    this.stopped = true;
    this.gen++;
  }

  private resendLost(max: number): number {
    let n = 0;
    for (const s of this.segs) {
      if (n >= max) break;
      if (!s.lost || s.sacked) continue;
      this.send(s);
      n++;
    }
    return n;
  }

  private send(s: Segment): void {
    s.lost = false;
    s.sentAt = this.engine.now;
    // false: the node's own output refused this copy too, and the segment is still unsent.
    s.unsent = this.retransmit(s.build(), s.seq) === false;
  }

  private rto(): number {
    return Math.min(TCP_RTO_MIN_MS * 2 ** this.backoff, TCP_RTO_MAX_MS);
  }

  /** (Re)arm the one timer: a loss probe in the Open state, else the RTO. */
  private arm(): void {
    const gen = ++this.gen;
    const head = this.segs.find((s) => !s.sacked);
    if (this.stopped || !head) return;
    const rtoIn = Math.max(head.sentAt + this.rto() - this.engine.now, 0);
    const out = this.segs.filter((s) => !s.sacked).length;
    const probe = this.state === 'open' && !this.probing && this.backoff === 0;
    const delay = probe ? Math.min(out === 1 ? TCP_RTO_MIN_MS : TCP_TIMEOUT_MIN_MS, rtoIn) : rtoIn;
    this.engine.schedule(delay, () => {
      if (gen !== this.gen || this.stopped) return;
      if (probe) this.probe(); else this.timeout();
    });
  }

  /** tcp_send_loss_probe: the last segment again, then the RTO from now. */
  private probe(): void {
    const last = [...this.segs].reverse().find((s) => !s.sacked);
    if (!last) return;
    this.probing = true;
    this.send(last);
    // The RTO stays counted from the first missing segment's last transmission (tcp_rearm_rto).
    this.arm();
  }

  /** tcp_retransmit_timer: everything out is lost; the first goes again; the RTO doubles. */
  private timeout(): void {
    const head = this.segs.find((s) => !s.sacked);
    if (!head) return;
    this.firstTimeoutAt ??= this.engine.now - this.rto();
    if (this.orphan() && this.engine.now - this.firstTimeoutAt >= ORPHAN_BUDGET_MS) { this.stop(); return; }
    for (const s of this.segs) if (!s.sacked) s.lost = true;
    this.state = 'loss';
    this.probing = false;
    this.send(head);
    this.backoff++;
    this.arm();
  }
}

/** Two segments as one: the first's header, both flags and both payloads. */
function joined(a: Packet, b: Packet): Packet {
  const length = (a.length ?? 0) + (b.length ?? 0);
  const payload = (a.payload ?? '') + (b.payload ?? '');
  return { ...a, flags: { ...a.flags, ...b.flags }, length, payload: payload || undefined };
}
