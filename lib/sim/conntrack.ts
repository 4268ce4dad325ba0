/**
 * Connection tracking, after net/netfilter/nf_conntrack_core.c and
 * nf_conntrack_proto_{tcp,udp}.c: an entry has an original and a reply tuple,
 * NAT bindings rewrite the reply tuple, an entry joins the table only when
 * its first packet leaves the last hook (confirmation), and TCP entries walk
 * the kernel's state table.
 */
import type { Packet } from './packet';
import type { CtState, CtView } from '../rules/model';

export interface Tuple {
  src: string;
  dst: string;
  sport: number;
  dport: number;
}

export type Dir = 'ORIGINAL' | 'REPLY';

export type TcpCtState =
  | 'NONE' | 'SYN_SENT' | 'SYN_RECV' | 'ESTABLISHED' | 'FIN_WAIT' | 'CLOSE_WAIT'
  | 'LAST_ACK' | 'TIME_WAIT' | 'CLOSE' | 'SYN_SENT2';

export interface ConnEntry {
  id: number;
  proto: 'tcp' | 'udp';
  orig: Tuple;
  reply: Tuple;
  confirmed: boolean;
  seenReply: boolean;
  assured: boolean;
  /** IPS_SRC_NAT / IPS_DST_NAT: the binding changed the tuple. */
  srcNat: boolean;
  dstNat: boolean;
  /** NAT rules were consulted for this manip (nf_nat_initialized). */
  srcNatDone: boolean;
  dstNatDone: boolean;
  tcpState: TcpCtState;
  /** Simulated ms of the first packet; UDP's "stream" check needs it. */
  created: number;
  /** Removed from the table by nf_ct_kill. */
  killed?: boolean;
  /** Simulated ms at which the entry times out (ct->timeout). */
  expires: number;
  /** ct->proto.tcp.last_index / last_dir: the last packet's flag class and direction. */
  last?: { index: number; dir: Dir };
}

/** The kernel's default timeouts in ms (nf_conntrack_tcp_timeout_*, nf_conntrack_udp_timeout{,_stream}). */
const TCP_TIMEOUT_MS: Record<TcpCtState, number> = {
  NONE: 120000, SYN_SENT: 120000, SYN_RECV: 60000, ESTABLISHED: 432000000, FIN_WAIT: 120000, CLOSE_WAIT: 60000,
  LAST_ACK: 30000, TIME_WAIT: 120000, CLOSE: 10000, SYN_SENT2: 120000,
};
const UDP_TIMEOUT_MS = 30000;
const UDP_STREAM_TIMEOUT_MS = 120000;

export function tupleOf(p: Packet): Tuple {
  return { src: p.src, dst: p.dst, sport: p.sport, dport: p.dport };
}

export function invertTuple(t: Tuple): Tuple {
  return { src: t.dst, dst: t.src, sport: t.dport, dport: t.sport };
}

function key(proto: string, t: Tuple): string {
  return `${proto} ${t.src} ${t.sport} ${t.dst} ${t.dport}`;
}

export function tupleEqual(a: Tuple, b: Tuple): boolean {
  return a.src === b.src && a.dst === b.dst && a.sport === b.sport && a.dport === b.dport;
}

// --- TCP state table (nf_conntrack_proto_tcp.c tcp_conntracks[2][6][10]) ----

const S: TcpCtState[] = ['NONE', 'SYN_SENT', 'SYN_RECV', 'ESTABLISHED', 'FIN_WAIT', 'CLOSE_WAIT', 'LAST_ACK', 'TIME_WAIT', 'CLOSE', 'SYN_SENT2'];
type Cell = TcpCtState | 'IV' | 'IG';
const [sNO, sSS, sSR, sES, sFW, sCW, sLA, sTW, sCL, sS2] = S;
const sIV = 'IV' as const;
const sIG = 'IG' as const;
/* Rows: syn, synack, fin, ack, rst; columns in the order of S. */
const TCP_ORIG: Cell[][] = [
  [sSS, sSS, sIG, sIG, sIG, sIG, sIG, sSS, sSS, sS2],
  [sIV, sIV, sSR, sIV, sIV, sIV, sIV, sIV, sIV, sSR],
  [sIV, sIV, sFW, sFW, sLA, sLA, sLA, sTW, sCL, sIV],
  [sES, sIV, sES, sES, sCW, sCW, sTW, sTW, sCL, sIV],
  [sIV, sCL, sCL, sCL, sCL, sCL, sCL, sCL, sCL, sCL],
];
const TCP_REPLY: Cell[][] = [
  [sIV, sS2, sIV, sIV, sIV, sIV, sIV, sSS, sIV, sS2],
  [sIV, sSR, sIG, sIG, sIG, sIG, sIG, sIG, sIG, sSR],
  [sIV, sIV, sFW, sFW, sLA, sLA, sLA, sTW, sCL, sIV],
  [sIV, sIG, sSR, sES, sCW, sCW, sTW, sTW, sCL, sIG],
  [sIV, sCL, sCL, sCL, sCL, sCL, sCL, sCL, sCL, sCL],
];

function tcpIndex(p: Packet): number {
  const f = p.flags ?? {};
  if (f.rst) return 4;
  if (f.syn) return f.ack ? 1 : 0;
  if (f.fin) return 2;
  if (f.ack) return 3;
  return -1;
}

export interface CtResult {
  entry: ConnEntry;
  dir: Dir;
  /** What -m conntrack --ctstate sees. */
  state: CtState;
  isNew: boolean;
}

export class ConntrackTable {
  private readonly byTuple = new Map<string, { entry: ConnEntry; dir: Dir }>();
  private readonly entries: ConnEntry[] = [];
  private nextId = 1;

  /** nf_conntrack_in: find the entry of a packet or make a new (unconfirmed) one. */
  lookup(p: Packet, now: number): CtResult | undefined {
    if (p.proto !== 'tcp' && p.proto !== 'udp') return undefined;
    let hit = this.byTuple.get(key(p.proto, tupleOf(p)));
    // Timed out: gone from the table; this packet starts afresh.
    if (hit && hit.entry.expires <= now) { this.kill(hit.entry); hit = undefined; }
    // resolve_normal_ct: an original-direction packet is NEW until a reply has been seen
    // (a retransmitted SYN of an unanswered connection too); NAT keeps its binding.
    if (hit) return { entry: hit.entry, dir: hit.dir, state: hit.dir === 'ORIGINAL' && !hit.entry.seenReply ? 'NEW' : 'ESTABLISHED', isNew: false };
    // nf_conntrack_tcp: only a SYN may start a tracked TCP connection by default
    // (nf_conntrack_tcp_loose=1 also picks up mid-stream ACKs; a bare RST is INVALID).
    if (p.proto === 'tcp' && p.flags?.rst) return undefined;
    const orig = tupleOf(p);
    const entry: ConnEntry = {
      id: this.nextId++, proto: p.proto, orig, reply: invertTuple(orig), confirmed: false, seenReply: false, assured: false,
      srcNat: false, dstNat: false, srcNatDone: false, dstNatDone: false, tcpState: 'NONE', created: now, expires: now,
    };
    return { entry, dir: 'ORIGINAL', state: 'NEW', isNew: true };
  }

  /**
   * The per-protocol state update (tcp_packet / udp_packet). Returns false
   * when conntrack marks the packet INVALID.
   */
  update(r: CtResult, p: Packet, now: number): boolean {
    const e = r.entry;
    if (e.proto === 'tcp') {
      const idx = tcpIndex(p);
      if (idx < 0) return false;
      const col = S.indexOf(e.tcpState);
      let next = (r.dir === 'ORIGINAL' ? TCP_ORIG : TCP_REPLY)[idx][col];
      if (next === sIV) return false;
      if (next === sIG) {
        // nf_conntrack_tcp_packet: a SYN-ACK answering a SYN that was just ignored means
        // both ends are in sync: taken as SYN_SENT -> SYN_RECV (and the timer renewed).
        // Any other ignored packet is only noted.
        const l = e.last;
        if (idx === 1 && l && l.index === 0 && l.dir !== r.dir) next = 'SYN_RECV';
        else {
          e.last = { index: idx, dir: r.dir };
          if (r.dir === 'REPLY') e.seenReply = true;
          return true;
        }
      }
      e.last = { index: idx, dir: r.dir };
      const old = e.tcpState;
      e.tcpState = next;
      // nf_ct_refresh: an ignored packet leaves the timer alone, and so does a SYN
      // retransmitted in SYN_SENT (seen in the kernel: the entry of an unanswered
      // connect() is gone 120 s after its first SYN, not after its last).
      const resent = r.dir === 'ORIGINAL' && old === 'SYN_SENT' && e.tcpState === 'SYN_SENT';
      if (!resent) e.expires = now + TCP_TIMEOUT_MS[e.tcpState];
      if (!e.seenReply) {
        // "If only reply is a RST ... delete the conntrack immediately" (nf_conntrack_tcp_packet).
        // The packet itself goes on with its entry (and its NAT binding).
        if (p.flags?.rst) this.kill(e);
      } else if (!e.assured && (old === 'SYN_RECV' || old === 'ESTABLISHED') && e.tcpState === 'ESTABLISHED') {
        // ASSURED once the handshake's ACK moves SYN_RECV (or ESTABLISHED) to ESTABLISHED.
        e.assured = true;
      }
    } else if (r.dir === 'REPLY' || e.seenReply) {
      // udp_packet: a flow still active 2 s after it began is a stream: ASSURED.
      if (e.seenReply && now - e.created > 2000) e.assured = true;
    }
    if (e.proto === 'udp') e.expires = now + (e.assured ? UDP_STREAM_TIMEOUT_MS : UDP_TIMEOUT_MS);
    if (r.dir === 'REPLY') e.seenReply = true;
    return true;
  }

  /** __nf_conntrack_confirm: the first packet left its last hook accepted. */
  confirm(e: ConnEntry): void {
    if (e.confirmed || e.killed) return;
    // A clash with an existing entry would drop the packet; one trace has none.
    e.confirmed = true;
    this.entries.push(e);
    this.byTuple.set(key(e.proto, e.orig), { entry: e, dir: 'ORIGINAL' });
    this.byTuple.set(key(e.proto, e.reply), { entry: e, dir: 'REPLY' });
  }

  /** nf_ct_kill: out of the table; packets holding it keep their reference. */
  kill(e: ConnEntry): void {
    e.killed = true;
    if (!e.confirmed) return;
    const i = this.entries.indexOf(e);
    if (i >= 0) this.entries.splice(i, 1);
    for (const t of [e.orig, e.reply]) {
      const k = key(e.proto, t);
      if (this.byTuple.get(k)?.entry === e) this.byTuple.delete(k);
    }
  }

  /** Is `t` already somebody's reply tuple (nf_nat_used_tuple)? */
  replyTupleUsed(proto: string, t: Tuple, self: ConnEntry): boolean {
    const hit = this.byTuple.get(key(proto, t));
    return !!hit && hit.entry !== self;
  }

  find(proto: 'tcp' | 'udp', t: Tuple): { entry: ConnEntry; dir: Dir } | undefined {
    return this.byTuple.get(key(proto, t));
  }

  /** The entries `conntrack -L` shows at `now` (timed-out ones are gone). */
  list(now = -Infinity): ConnEntry[] {
    return this.entries.filter((e) => e.expires > now);
  }
}

/** The facts a -m conntrack / -m state match reads. */
export function ctView(r: CtResult | undefined, related = false, untracked = false): CtView {
  if (!r) {
    return { state: untracked ? 'UNTRACKED' : 'INVALID', dir: 'ORIGINAL', status: { expected: false, seenReply: false, assured: false, confirmed: false }, dnat: false, snat: false };
  }
  const e = r.entry;
  return {
    state: related ? 'RELATED' : r.state,
    dir: r.dir,
    status: { expected: false, seenReply: e.seenReply, assured: e.assured, confirmed: e.confirmed },
    dnat: e.dstNat,
    snat: e.srcNat,
    origSrc: e.orig.src, origDst: e.orig.dst, replSrc: e.reply.src, replDst: e.reply.dst,
    origSport: e.orig.sport, origDport: e.orig.dport, replSport: e.reply.sport, replDport: e.reply.dport,
  };
}

/** One `conntrack -L` line without the timeout column and without use=. */
export function formatEntry(e: ConnEntry): string {
  const t = (x: Tuple) => `src=${x.src} dst=${x.dst} sport=${x.sport} dport=${x.dport}`;
  const parts: string[] = e.proto === 'tcp' ? ['tcp', '6', e.tcpState] : ['udp', '17'];
  parts.push(t(e.orig));
  if (!e.seenReply) parts.push('[UNREPLIED]');
  parts.push(t(e.reply));
  if (e.assured) parts.push('[ASSURED]');
  parts.push('mark=0');
  return parts.join(' ');
}
