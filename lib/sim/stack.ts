/**
 * The transport layer of an end node (a host, or the router's own sockets),
 * as Linux behaves: tcp_v4_rcv / tcp_rcv_state_process, tcp_v4_send_reset,
 * __udp4_lib_rcv, tcp_v4_err / __udp4_lib_err. One client socket (the traced
 * connection) and the listeners of the scenario.
 */
import type { Packet } from './packet';
import type { Listener, TraceSpec } from '../scenario/types';
import type { Engine, Flight } from './engine';
import type { Outcome, TraceEvent } from './trace';
import { ip4ToInt } from '../net/addr';
import { TcpSender } from './tcpsend';

/** icmp_err_convert[]: errno and whether a connected UDP socket reports it. */
const ICMP_UNREACH: Array<{ errno: string; fatal: boolean }> = [
  { errno: 'ENETUNREACH', fatal: false },
  { errno: 'EHOSTUNREACH', fatal: false },
  { errno: 'ENOPROTOOPT', fatal: true },
  { errno: 'ECONNREFUSED', fatal: true },
  { errno: 'EMSGSIZE', fatal: false },
  { errno: 'EOPNOTSUPP', fatal: false },
  { errno: 'ENETUNREACH', fatal: true },
  { errno: 'EHOSTDOWN', fatal: true },
  { errno: 'ENONET', fatal: true },
  { errno: 'ENETUNREACH', fatal: true },
  { errno: 'EHOSTUNREACH', fatal: true },
  { errno: 'ENETUNREACH', fatal: false },
  { errno: 'EHOSTUNREACH', fatal: false },
  { errno: 'EHOSTUNREACH', fatal: true },
  { errno: 'EHOSTUNREACH', fatal: false },
  { errno: 'EHOSTUNREACH', fatal: true },
];

export function errnoOutcome(errno: string): Outcome {
  return errno === 'ECONNREFUSED' || errno === 'ECONNRESET' ? 'refused' : errno === 'ETIMEDOUT' ? 'timeout' : 'unreachable';
}

/**
 * Linux's default net.ipv4.tcp_syn_retries = 6 sets a time budget, not a count
 * (tcp_model_timeout: (2 << 6) - 1 = 127 x the 1 s initial RTO). With
 * tcp_syn_linear_timeouts = 4 (Linux 6.x) the RTO stays 1 s for the first
 * five timeouts, then doubles: SYNs at 0, 1, 2, 3, 4, 5, 7, 11, 19, 35, 67 s;
 * the timer at 131 s is past the budget and connect() fails (measured in the
 * kernel harness).
 */
export const SYN_RETRIES = 6;
export const SYN_RTO_MS = 1000;
const SYN_LINEAR_TIMEOUTS = 4;
/** net.ipv4.tcp_synack_retries and TCP_RTO_MAX. */
const SYNACK_RETRIES = 5;
const TCP_RTO_MAX_MS = 120000;
const SYN_BUDGET_MS = ((2 << SYN_RETRIES) - 1) * SYN_RTO_MS;

/** The wait before the n-th SYN retransmission (1-based). */
export function synRetransmitDelay(n: number): number {
  return n <= SYN_LINEAR_TIMEOUTS + 1 ? SYN_RTO_MS : SYN_RTO_MS * 2 ** (n - SYN_LINEAR_TIMEOUTS - 1);
}
/** How long the UDP client waits for an answer. */
export const UDP_WAIT_MS = 4000;
/** How long the TCP client waits for the server's line before it closes anyway. */
export const READ_WAIT_MS = 5000;
/**
 * The figure's "closed" comes this long after a close() whose FIN is never
 * answered (its last step; the orphaned socket goes on resending the FIN).
 */
const UNANSWERED_CLOSE_MS = 600;

/*
 * TCP states of the client socket. DONE: the application is done and the
 * socket gone with it (a failed connect, UDP); after a close() the socket
 * lives on as an orphan (FIN_WAIT1/2, LAST_ACK, CLOSING, TIME_WAIT).
 */
type ClientState = 'CLOSED' | 'SYN_SENT' | 'ESTABLISHED' | 'LAST_ACK' | 'FIN_WAIT1' | 'FIN_WAIT2' | 'CLOSING' | 'TIME_WAIT' | 'DONE';
type ServerState = 'SYN_RECV' | 'ESTABLISHED' | 'FIN_WAIT1' | 'FIN_WAIT2' | 'CLOSING' | 'TIME_WAIT';

/**
 * Both ends' sequence numbers are relative to their ISN (tcpdump's): the SYN
 * takes 0, the server's line 1..22, its FIN 23; the client's FIN 1.
 */
interface TcpReceive {
  /** The next sequence number expected from the peer. */
  rcvNxt: number;
  /** A FIN that came past a hole (the data before it missing), held in the out-of-order queue. */
  heldFin?: number;
  sender: TcpSender;
}

interface ServerConn extends Partial<TcpReceive> {
  state: ServerState;
}

export interface StackHost {
  name: string;
  engine: Engine;
  isLocal(ip: string): boolean;
  /** Source address the node's routing picks towards `dst` (undefined: no route). */
  sourceFor(dst: string): string | undefined;
  /** Is `ip` a broadcast address for this node (255.255.255.255 or one of its subnets')? */
  isBroadcast(ip: string): boolean;
  /** Hand a packet the stack made to the node's output path; false: dropped on the way out. */
  output(f: Flight): boolean | void;
  /**
   * An ICMP redirect from `from` naming `gateway`, about `about`, that a socket
   * took (the node's routing decides; returns the receiver's reason). Absent:
   * the node ignores redirects (the router forwards, so accept_redirects is off).
   */
  redirect?(from: string, gateway: string | undefined, about: Packet): string;
  /** The client application's result (the first one counts). */
  report(outcome: Outcome, errno?: string): void;
  serverSaw(peer: string): void;
}

/**
 * A drawn packet a socket may send again (a segment its TcpSender holds, a
 * request's SYN-ACK), and the trace's event about its copies once one goes.
 */
interface FirstCopy {
  id: number;
  reason: 'data-retransmit' | 'fin-retransmit' | 'syn-ack-retransmit';
  event?: TraceEvent;
}

/** A pending connection request (SYN_RECV): timeouts so far, its timer's generation, its drawn SYN-ACK. */
interface Request {
  timeouts: number;
  gen: number;
  first?: FirstCopy;
}

export const SERVER_LINE = 'hello from the server\n';
export const CLIENT_DATAGRAM = 'ping\n';

export class TransportStack {
  private client?: { proto: 'tcp' | 'udp'; lip: string; lport: number; rip: string; rport: number; state: ClientState };
  private readonly conns = new Map<string, ServerConn>();
  /** The client socket's sequence state once connected. */
  private tcp?: TcpReceive;
  /** The client application has printed its result (the socket may live on). */
  private appDone = false;
  /** Pending connection requests (SYN_RECV): timeouts so far, the timer's generation, the drawn SYN-ACK. */
  private readonly requests = new Map<string, Request>();
  /** Per sender: the drawn first copy of each segment, by sequence number. */
  private readonly firstCopies = new Map<TcpSender, Map<number, FirstCopy>>();
  /** The drawn SYN-ACK that answered a drawn SYN (by the SYN's id): a copy of the SYN gets a copy of it. */
  private readonly synAckFor = new Map<number, FirstCopy>();
  private retransmitEvent?: { count?: number; interval?: number; detail?: string };
  /** When connect() sent its first SYN. */
  private connectAt = 0;
  /** The SYN last handed to the node's output (tcp_transmit_skb's clone of it). */
  private synSent?: Flight;
  /** connect()'s own SYN, the drawn one its retransmissions are copies of. */
  private firstSyn?: Flight;
  /** The flight the last send() made. */
  private lastFlight?: Flight;
  private lastDupAck = -Infinity;
  /** sk_err_soft: an ICMP error kept while connect() went on. */
  private softError?: string;

  constructor(private readonly node: StackHost, private readonly listeners: Listener[]) {}

  /** `copyOf`: the drawn packet this one is a copy of, when its cause is a silent copy. */
  private send(pkt: Packet, cause: Flight | undefined, reason: string, copyOf?: number): boolean {
    const e = this.node.engine;
    const f = e.newFlight(pkt, cause?.silent ?? false, copyOf);
    // IP_MULTICAST_TTL defaults to 1: a multicast datagram never crosses a router.
    if ((ip4ToInt(pkt.dst) >>> 28) === 14) f.ttl = 1;
    e.emit(f, { kind: 'send', node: this.node.name, reason });
    this.lastFlight = f;
    return this.node.output(f) !== false;
  }

  /** A broadcast of this node's subnets or a multicast group. */
  private toGroup(ip: string): boolean {
    return this.node.isBroadcast(ip) || (ip4ToInt(ip) >>> 28) === 14;
  }

  private listens(proto: string, port: number): boolean {
    return this.listeners.some((l) => l.proto === proto && l.port === port);
  }

  /** The client application: connect() (TCP) or connect()+send() (UDP). */
  connect(t: TraceSpec): void {
    const e = this.node.engine;
    // ip_route_output: a destination of 0.0.0.0 means this host (127.0.0.1).
    if (t.to.ip === '0.0.0.0') t = { ...t, to: { ...t.to, ip: '127.0.0.1' } };
    const packet = { proto: t.proto, src: '0.0.0.0', dst: t.to.ip, sport: t.sport, dport: t.to.port };
    const multicast = (ip4ToInt(t.to.ip) >>> 28) === 14;
    if (this.node.isBroadcast(t.to.ip) || (multicast && t.proto === 'tcp')) {
      // tcp_v4_connect refuses a broadcast or multicast route (ENETUNREACH); a UDP socket
      // without SO_BROADCAST may not send to a broadcast address (EACCES). Nothing is sent.
      const errno = t.proto === 'tcp' ? 'ENETUNREACH' : 'EACCES';
      this.node.report('unreachable', errno);
      e.emit(undefined, { kind: 'app', node: this.node.name, result: 'unreachable', reason: 'broadcast-destination', detail: errno, packet });
      return;
    }
    const src = this.node.sourceFor(t.to.ip);
    if (!src) {
      // ip_route_output fails: connect() returns ENETUNREACH at once, nothing is sent.
      e.emit(undefined, { kind: 'route', node: this.node.name, reason: 'no-route', packet });
      this.node.report('unreachable', 'ENETUNREACH');
      e.emit(undefined, { kind: 'app', node: this.node.name, result: 'unreachable', reason: 'no-route', detail: 'ENETUNREACH', packet });
      return;
    }
    this.client = { proto: t.proto, lip: src, lport: t.sport, rip: t.to.ip, rport: t.to.port, state: t.proto === 'tcp' ? 'SYN_SENT' : 'ESTABLISHED' };
    const base = { proto: t.proto, src, dst: t.to.ip, sport: t.sport, dport: t.to.port } as const;
    if (t.proto === 'tcp') {
      this.connectAt = e.now;
      this.send({ ...base, flags: { syn: true }, seq: 0 }, undefined, 'connect');
      this.synSent = this.lastFlight;
      this.firstSyn = this.lastFlight;
      // tcp_connect arms its timer after the SYN's transmit returns, and that transmit ran
      // the whole path (router, server) in its softirq: their timers are armed first.
      e.afterNetwork(() => this.scheduleRetransmit(1));
    } else {
      if (!this.send({ ...base, payload: CLIENT_DATAGRAM, length: CLIENT_DATAGRAM.length }, undefined, 'datagram')) {
        // The router's own firewall dropped it on the way out (NF_DROP): send() fails with EPERM.
        // (TCP's connect() ignores this for the SYN and retransmits.)
        this.finish('unreachable', 'EPERM', 'output-dropped');
        return;
      }
      e.schedule(UDP_WAIT_MS, () => {
        if (this.client && this.client.state === 'ESTABLISHED') this.finish('timeout', 'ETIMEDOUT', 'no-answer');
      });
    }
  }

  /**
   * The server's line (or its end) never came: the client gives up reading
   * after READ_WAIT_MS and closes. close() returns at once and the program
   * prints its result; the orphaned socket resends its FIN until answered
   * (TcpSender). The figure ends with the close UNANSWERED_CLOSE_MS later
   * unless the FIN's ACK comes first.
   */
  private closeAfterWait(): void {
    const c = this.client;
    if (!c || c.proto !== 'tcp' || c.state !== 'ESTABLISHED' || !this.tcp) return;
    c.state = 'FIN_WAIT1';
    this.node.report('established');
    this.sendFin(undefined, 'close-no-data');
    this.node.engine.schedule(UNANSWERED_CLOSE_MS, () => this.finish('established', undefined, 'closed', undefined, false));
  }

  /** The client's FIN (close()), carrying the ACK of what it has. */
  private sendFin(cause: Flight | undefined, reason: string): void {
    this.sendSegment(this.tcp!.sender, 1, (seq) => this.clientSegment({ fin: true, ack: true }, { seq }), cause, reason);
  }

  /** A sender whose resent copies are told as copies of the segments' drawn first copies. */
  private newSender(orphan: () => boolean): TcpSender {
    const firsts = new Map<number, FirstCopy>();
    const sender = new TcpSender(this.node.engine, (pkt, seq) => this.resend(pkt, firsts.get(seq)), orphan, (seq) => this.noteAcked(firsts.get(seq)));
    this.firstCopies.set(sender, firsts);
    return sender;
  }

  /** A new segment: queued on its sender, its first copy sent (and drawn, unless its cause is a silent copy). */
  private sendSegment(sender: TcpSender, len: number, build: (seq: number) => Packet, cause: Flight | undefined, reason: string): void {
    const { pkt, seq } = sender.queueAt(len, build);
    if (!this.send(pkt, cause, reason)) sender.notSent(seq);
    const f = this.lastFlight!;
    if (f.silent) return;
    this.firstCopies.get(sender)?.set(seq, { id: f.id, reason: pkt.flags?.fin && !pkt.length ? 'fin-retransmit' : 'data-retransmit' });
  }

  /**
   * The trace's account of a drawn packet's copies: one 'retransmit' event
   * about it, at its first copy, counting them all (`answer`: this copy
   * answers a copy of what the drawn packet answered, no timer sent it).
   */
  private noteResend(first: FirstCopy, pkt: Packet, answer = false): void {
    const e = this.node.engine;
    if (!first.event) first.event = e.emitAbout(first.id, { kind: 'retransmit', node: this.node.name, reason: first.reason, count: 0, resentAt: [], answers: true, packet: pkt });
    const ev = first.event;
    ev.count = (ev.count ?? 0) + 1;
    ev.resentAt!.push(e.now);
    ev.answers = ev.answers && answer;
    ev.detail = `at ${ev.resentAt!.map((t) => t / 1000).join(', ')} s`;
  }

  private noteAcked(first: FirstCopy | undefined): void {
    if (first?.event && first.event.ackedAt === undefined) first.event.ackedAt = this.node.engine.now;
  }

  /** A TCP segment from the client socket, at its next sequence number. */
  private clientSegment(flags: Packet['flags'], extra: Partial<Packet> = {}): Packet {
    const c = this.client!;
    return { proto: 'tcp', src: c.lip, dst: c.rip, sport: c.lport, dport: c.rport, flags, seq: this.tcp?.sender.nxt ?? 1, ack: this.tcp?.rcvNxt, ...extra };
  }

  /** A copy resent by a socket's timer: on the wire, not drawn, told as a copy of its drawn first copy. */
  private resend(pkt: Packet, first: FirstCopy | undefined): boolean {
    const sent = this.node.output(this.node.engine.newFlight(pkt, true, first?.id)) !== false;
    if (first) this.noteResend(first, pkt);
    return sent;
  }

  private scheduleRetransmit(n: number): void {
    const e = this.node.engine;
    const delay = synRetransmitDelay(n);
    e.schedule(delay, () => this.retransmitDue(n, delay));
  }

  private retransmitDue(n: number, delay: number): void {
    const e = this.node.engine;
    {
      const c = this.client;
      if (!c || c.state !== 'SYN_SENT') return;
      // retransmits_timed_out: the budget is spent once the timer fires at or after it.
      if (e.now - this.connectAt >= SYN_BUDGET_MS) {
        // tcp_write_err: the soft error, if one came, else ETIMEDOUT.
        const errno = this.softError ?? 'ETIMEDOUT';
        this.finish(errnoOutcome(errno), errno, 'syn-retries-exhausted');
        return;
      }
      // A resolution that fails at this very instant still holds the SYN when the timer runs:
      // the kernel's timer wheel runs the retransmit timer, armed after the neighbour's, first
      // (measured: a router's own SYN to a missing neighbour makes ARP bursts at 0, 4.1, 11.2,
      // 19.4, 35.5, 68.3 s, and six host unreachables, not a burst at 3 s when the first fails).
      const stillQueued = this.synSent && (e.inArpQueue(this.node.name, this.synSent) || e.arpFailedAt(this.node.name, this.synSent) === e.now);
      if (stillQueued) {
        // skb_still_in_host_queue: the SYN sent last still waits for its next hop's ARP
        // in this node's own queue, so it is not sent again (-EBUSY); the timer backs off as if it had been.
        e.afterNetwork(() => this.scheduleRetransmit(n + 1));
        return;
      }
      const pkt: Packet = { proto: 'tcp', src: c.lip, dst: c.rip, sport: c.lport, dport: c.rport, flags: { syn: true }, seq: 0 };
      if (!this.retransmitEvent) {
        this.retransmitEvent = e.emit(undefined, { kind: 'retransmit', node: this.node.name, count: 1, interval: delay, reason: 'syn-retransmit', packet: pkt });
      } else if (this.retransmitEvent.count !== undefined) {
        this.retransmitEvent.count++;
      }
      if (this.retransmitEvent) {
        const intervals = Array.from({ length: this.retransmitEvent.count ?? 1 }, (_, i) => synRetransmitDelay(i + 1) / 1000);
        this.retransmitEvent.detail = `after ${intervals.join(', ')} s`;
      }
      const f = e.newFlight(pkt, true, this.firstSyn?.id);
      this.synSent = f;
      this.node.output(f);
      e.afterNetwork(() => this.scheduleRetransmit(n + 1));
    }
  }

  /**
   * The request socket's timer (reqsk_timer_handler): the SYN-ACK goes again
   * after 1, 2, 4... s (num_timeout), until tcp_synack_retries = 5 timeouts
   * have passed; the next timeout drops the request.
   */
  private armSynAck(key: string, req: Request, delay: number, synAck: Packet): void {
    const e = this.node.engine;
    const gen = ++req.gen;
    e.schedule(delay, () => {
      if (req.gen !== gen || this.conns.get(key)?.state !== 'SYN_RECV' || this.requests.get(key) !== req) return;
      if (req.timeouts >= SYNACK_RETRIES) { this.conns.delete(key); this.requests.delete(key); return; }
      const copy = { ...synAck, flags: { ...synAck.flags } };
      this.node.output(e.newFlight(copy, true, req.first?.id));
      if (req.first) this.noteResend(req.first, copy);
      req.timeouts++;
      this.armSynAck(key, req, Math.min(SYN_RTO_MS * 2 ** req.timeouts, TCP_RTO_MAX_MS), synAck);
    });
  }

  /**
   * The client application's end: its result (reported unless it already was,
   * at close()) and the figure's last step. A failed connect and a UDP socket
   * end with the program; an established TCP socket lives on as an orphan.
   */
  private finish(outcome: Outcome, errno: string | undefined, reason: string, cause?: Flight, report = true): void {
    const c = this.client;
    if (!c || this.appDone || c.state === 'DONE' || c.state === 'CLOSED') return;
    this.appDone = true;
    if (c.proto !== 'tcp' || outcome !== 'established') { c.state = 'DONE'; this.tcp?.sender.stop(); }
    if (report) this.node.report(outcome, errno);
    const e = this.node.engine;
    e.emit(undefined, {
      kind: 'app', node: this.node.name, result: outcome === 'established' ? 'closed' : outcome, reason, detail: errno,
      packet: { proto: c.proto, src: c.lip, dst: c.rip, sport: c.lport, dport: c.rport },
    });
    void cause;
  }

  private clientMatches(p: Packet): boolean {
    const c = this.client;
    return !!c && c.state !== 'DONE' && c.state !== 'CLOSED' && c.proto === p.proto && p.dst === c.lip && p.dport === c.lport && p.src === c.rip && p.sport === c.rport;
  }

  /** A packet addressed to this node arrives at its transport layer. */
  receive(f: Flight): void {
    const p = f.pkt;
    if (p.proto === 'icmp') return this.receiveIcmp(f);
    if (p.proto === 'tcp') return this.receiveTcp(f);
    return this.receiveUdp(f);
  }

  private deliver(f: Flight, result: string, reason: string): void {
    this.node.engine.emit(f, { kind: 'deliver', node: this.node.name, result, reason });
  }

  private receiveTcp(f: Flight): void {
    const p = f.pkt;
    const fl = p.flags ?? {};
    const e = this.node.engine;
    const reply = (flags: Packet['flags'], extra: Partial<Packet> = {}): Packet => ({ proto: 'tcp', src: p.dst, dst: p.src, sport: p.dport, dport: p.sport, flags, ...extra });

    // tcp_v4_conn_request drops a SYN to a broadcast or multicast address, and
    // tcp_v4_send_reset never answers one.
    if (this.toGroup(p.dst) && !this.clientMatches(p)) { this.deliver(f, 'ignored', 'broadcast'); return; }
    // The traced client socket.
    if (this.clientMatches(p)) { this.clientTcp(f); return; }

    // Server sockets.
    const key = `${p.dst}:${p.dport}>${p.src}:${p.sport}`;
    const conn = this.conns.get(key);
    if (conn) { this.serverTcp(f, key, conn); return; }
    if (fl.rst) { this.deliver(f, 'ignored', 'stray-rst-ignored'); return; }
    if (fl.syn && !fl.ack && this.listens('tcp', p.dport)) {
      this.conns.set(key, { state: 'SYN_RECV' });
      const req: Request = { timeouts: 0, gen: 0 };
      this.requests.set(key, req);
      const synAck = reply({ syn: true, ack: true }, { seq: 0, ack: (p.seq ?? 0) + 1 });
      this.armSynAck(key, req, SYN_RTO_MS, synAck);
      this.deliver(f, 'listening', 'listening');
      this.sendSynAck(synAck, f, req);
      return;
    }
    // tcp_v4_send_reset: no socket. A segment with ACK gets a bare RST, one without gets RST,ACK.
    const unexpected = fl.syn && fl.ack && this.client?.lport === p.dport;
    this.deliver(f, 'reset', unexpected ? 'syn-ack-unexpected' : fl.syn ? 'port-closed' : 'no-socket');
    this.send(reply(fl.ack ? { rst: true } : { rst: true, ack: true }), f, unexpected ? 'rst-unexpected' : 'rst-closed-port');
  }

  /** A segment for the traced client socket (tcp_rcv_state_process on its side). */
  private clientTcp(f: Flight): void {
    const p = f.pkt;
    const fl = p.flags ?? {};
    const e = this.node.engine;
    const c = this.client!;
    if (c.state === 'SYN_SENT') {
      if (fl.rst) {
        this.deliver(f, 'refused', 'rst-in-syn-sent');
        this.finish('refused', 'ECONNREFUSED', 'rst', f);
        return;
      }
      if (fl.syn && fl.ack) {
        this.deliver(f, 'connected', 'syn-ack');
        c.state = 'ESTABLISHED';
        this.tcp = { rcvNxt: (p.seq ?? 0) + 1, sender: this.newSender(() => this.appDone || c.state !== 'ESTABLISHED') };
        e.emit(undefined, { kind: 'app', node: this.node.name, result: 'connected', reason: 'connect-returned', packet: { proto: 'tcp', src: c.lip, dst: c.rip, sport: c.lport, dport: c.rport } });
        this.node.report('established');
        this.send(this.clientSegment({ ack: true }), f, 'handshake-ack');
        e.schedule(READ_WAIT_MS, () => this.closeAfterWait());
        return;
      }
      this.deliver(f, 'ignored', 'unexpected-in-syn-sent');
      return;
    }
    const tcp = this.tcp!;
    // tcp_validate_incoming: a SYN-ACK again (the server's timer resent it: our ACK was
    // lost) is answered with an ACK (tcp_send_dupack), once per 500 ms at most.
    if (fl.syn && fl.ack) {
      this.deliver(f, 'ignored', 'duplicate');
      if (e.now - this.lastDupAck >= 500) { this.lastDupAck = e.now; this.send(this.clientSegment({ ack: true }), f, 'handshake-ack'); }
      return;
    }
    if (fl.rst) {
      this.deliver(f, 'reset', 'rst');
      tcp.sender.stop();
      if (c.state === 'ESTABLISHED') { c.state = 'DONE'; return; }
      this.finish('established', undefined, 'closed', f, false);
      c.state = 'CLOSED';
      return;
    }
    tcp.sender.onAck(p.ack, p.sack);
    const seq = p.seq ?? tcp.rcvNxt;
    const len = p.length ?? 0;
    const dupAck = (reason: string, sack?: Array<[number, number]>) => this.send(this.clientSegment({ ack: true }, sack ? { sack } : {}), f, reason);

    if (c.state === 'ESTABLISHED') {
      if (len) {
        if (seq < tcp.rcvNxt) { this.deliver(f, 'ignored', 'duplicate'); dupAck('dup-ack'); return; }
        this.deliver(f, 'received', 'data');
        e.emit(undefined, { kind: 'app', node: this.node.name, result: 'received', reason: 'read-line', packet: p });
        tcp.rcvNxt = seq + len;
        if (tcp.heldFin === tcp.rcvNxt) {
          // The hole is filled: the held FIN follows the data, and both are acknowledged at once.
          tcp.heldFin = undefined;
          tcp.rcvNxt++;
          dupAck('ack-data');
          this.closeOnEof(f);
          return;
        }
        // Quick-ack mode at the start of a connection: data is acknowledged at once.
        if (!fl.fin) this.send(this.clientSegment({ ack: true }), f, 'ack-data');
      }
      if (fl.fin) {
        const finSeq = seq + len;
        if (finSeq > tcp.rcvNxt) {
          // tcp_data_queue_ofo: a FIN past missing data waits in the out-of-order queue;
          // the duplicate ACK asks for the hole and SACKs the FIN.
          tcp.heldFin = finSeq;
          this.deliver(f, 'held', 'fin-out-of-order');
          dupAck('dup-ack', [[finSeq, finSeq + 1]]);
          return;
        }
        if (finSeq < tcp.rcvNxt) { this.deliver(f, 'ignored', 'duplicate'); dupAck('dup-ack'); return; }
        if (!len) this.deliver(f, 'closing', 'fin');
        tcp.rcvNxt++;
        this.closeOnEof(f);
      }
      return;
    }
    // After our close(): the socket is an orphan (FIN_WAIT1/2, CLOSING, LAST_ACK, TIME_WAIT).
    if (c.state === 'LAST_ACK' && tcp.sender.idle) {
      this.deliver(f, 'closed', 'last-ack');
      this.finish('established', undefined, 'closed', f, false);
      c.state = 'CLOSED';
      return;
    }
    if ((c.state === 'FIN_WAIT1' || c.state === 'CLOSING') && tcp.sender.idle) {
      // Our FIN is acknowledged.
      c.state = c.state === 'CLOSING' ? 'TIME_WAIT' : 'FIN_WAIT2';
      this.finish('established', undefined, 'closed', f, false);
    }
    if (len && seq + len > tcp.rcvNxt && (c.state === 'FIN_WAIT1' || c.state === 'FIN_WAIT2')) {
      // tcp_rcv_state_process: new data for a socket whose application has closed it
      // (LINUX_MIB_TCPABORTONDATA): the socket is reset and answers with a RST.
      this.deliver(f, 'reset', 'data-after-close');
      tcp.sender.stop();
      c.state = 'CLOSED';
      this.send(this.clientSegment({ rst: true }, { seq: p.ack, ack: undefined }), f, 'rst-data-after-close');
      return;
    }
    if (fl.fin && seq + len === tcp.rcvNxt && (c.state === 'FIN_WAIT1' || c.state === 'FIN_WAIT2')) {
      tcp.rcvNxt++;
      c.state = c.state === 'FIN_WAIT1' ? 'CLOSING' : 'TIME_WAIT';
      this.deliver(f, 'closing', 'fin');
      this.send(this.clientSegment({ ack: true }), f, 'ack-fin');
      return;
    }
    if (len || fl.fin) {
      // Old data or a FIN resent (our ACK of it was lost): acknowledged again.
      this.deliver(f, 'ignored', 'duplicate');
      dupAck('dup-ack');
    }
  }

  /**
   * A SYN-ACK answering the SYN `f`. The first answer to a drawn SYN is drawn; one
   * answering a silent copy of that SYN (the client's retransmission) is a copy of it.
   */
  private sendSynAck(synAck: Packet, f: Flight, req: Request | undefined): void {
    const copy = { ...synAck, flags: { ...synAck.flags } };
    const drawnSyn = f.silent ? f.copyOf : f.id;
    if (!f.silent) {
      this.send(copy, f, 'syn-ack');
      const first: FirstCopy = { id: this.lastFlight!.id, reason: 'syn-ack-retransmit' };
      if (req) req.first = first;
      if (drawnSyn !== undefined && !this.synAckFor.has(drawnSyn)) this.synAckFor.set(drawnSyn, first);
      return;
    }
    // Known before it is sent: the router puts its frames on the wire as it sends them.
    const first = (drawnSyn !== undefined ? this.synAckFor.get(drawnSyn) : undefined) ?? req?.first;
    this.send(copy, f, 'syn-ack', first?.id);
    if (!first) return;
    if (req && !req.first) req.first = first;
    this.noteResend(first, copy, true);
  }

  /** The client reads EOF: it closes, and its FIN carries the ACK of the server's. */
  private closeOnEof(f: Flight): void {
    this.client!.state = 'LAST_ACK';
    this.node.report('established');
    this.sendFin(f, 'close');
  }

  /** A segment for one of the server's connections. */
  private serverTcp(f: Flight, key: string, conn: ServerConn): void {
    const p = f.pkt;
    const fl = p.flags ?? {};
    const e = this.node.engine;
    const reply = (flags: Packet['flags'], extra: Partial<Packet> = {}): Packet => ({ proto: 'tcp', src: p.dst, dst: p.src, sport: p.dport, dport: p.sport, flags, ...extra });
    if (fl.rst) {
      this.conns.delete(key);
      conn.sender?.stop();
      this.deliver(f, 'reset', conn.state === 'SYN_RECV' ? 'rst-drops-request' : 'rst');
      return;
    }
    if (conn.state === 'SYN_RECV') {
      if (fl.syn && !fl.ack) {
        // tcp_check_req: a retransmitted SYN gets the SYN-ACK again (inet_rtx_syn_ack) and
        // pushes the request's timer out (mod_timer_pending, reqsk_timeout).
        this.deliver(f, 'syn-ack-again', 'syn-retransmit');
        const synAck = reply({ syn: true, ack: true }, { seq: 0, ack: (p.seq ?? 0) + 1 });
        const req = this.requests.get(key);
        this.sendSynAck(synAck, f, req);
        if (req) this.armSynAck(key, req, Math.min(SYN_RTO_MS * 2 ** req.timeouts, TCP_RTO_MAX_MS), synAck);
        return;
      }
      if (fl.ack) {
        // The server sends its line and closes: from then on an orphan in FIN_WAIT1.
        conn.state = 'FIN_WAIT1';
        conn.rcvNxt = p.seq ?? 1;
        const sender = this.newSender(() => true);
        conn.sender = sender;
        this.deliver(f, 'accepted', 'handshake-complete');
        this.node.serverSaw(`${p.src}:${p.sport}`);
        e.emit(f, { kind: 'app', node: this.node.name, result: 'accepted', reason: 'accept', detail: `${p.src}:${p.sport}` });
        this.sendSegment(sender, SERVER_LINE.length, (seq) => reply({ psh: true, ack: true }, { payload: SERVER_LINE, length: SERVER_LINE.length, seq, ack: conn.rcvNxt }), f, 'data');
        // close() is the server's next system call: the line's ACK has come back by then
        // (and a reset that came meanwhile leaves nothing to close).
        e.afterNetwork(() => {
          if (this.conns.get(key) !== conn) return;
          this.sendSegment(sender, 1, (seq) => reply({ fin: true, ack: true }, { seq, ack: conn.rcvNxt }), f, 'close');
        });
        return;
      }
    }
    const sender = conn.sender;
    if (!sender || conn.rcvNxt === undefined) { this.deliver(f, 'ignored', 'duplicate'); return; }
    const resent = sender.onAck(p.ack, p.sack);
    const finAcked = sender.idle && sender.nxt > 1 + SERVER_LINE.length;
    if (finAcked && conn.state === 'FIN_WAIT1') conn.state = 'FIN_WAIT2';
    if (finAcked && conn.state === 'CLOSING') conn.state = 'TIME_WAIT';
    const seq = p.seq ?? conn.rcvNxt;
    if (fl.fin && seq === conn.rcvNxt && (conn.state === 'FIN_WAIT1' || conn.state === 'FIN_WAIT2')) {
      conn.rcvNxt++;
      conn.state = conn.state === 'FIN_WAIT2' ? 'TIME_WAIT' : 'CLOSING';
      this.deliver(f, 'closing', 'fin');
      this.send(reply({ ack: true }, { seq: sender.nxt, ack: conn.rcvNxt }), f, 'ack-fin');
      return;
    }
    if (fl.fin || p.length) {
      // A segment already taken (a FIN resent: our ACK of it was lost) is acknowledged again.
      this.deliver(f, 'ignored', 'duplicate');
      this.send(reply({ ack: true }, { seq: sender.nxt, ack: conn.rcvNxt }), f, 'dup-ack');
      return;
    }
    if (resent) { this.deliver(f, 'resending', 'dup-ack-resend'); return; }
    this.deliver(f, conn.state === 'TIME_WAIT' ? 'ignored' : 'acked', conn.state === 'TIME_WAIT' ? 'duplicate' : 'ack');
  }

  private receiveUdp(f: Flight): void {
    const p = f.pkt;
    const e = this.node.engine;
    if (this.clientMatches(p)) {
      this.deliver(f, 'received', 'answer');
      e.emit(undefined, { kind: 'app', node: this.node.name, result: 'received', reason: 'recv', packet: p });
      this.finish('established', undefined, 'answered', f);
      return;
    }
    if (this.listens('udp', p.dport)) {
      this.deliver(f, 'received', 'listening');
      this.node.serverSaw(`${p.src}:${p.sport}`);
      e.emit(f, { kind: 'app', node: this.node.name, result: 'received', reason: 'recvfrom', detail: `${p.src}:${p.sport}` });
      // An unbound (0.0.0.0) server socket: the kernel picks the source by route.
      const src = this.node.sourceFor(p.src) ?? p.dst;
      this.send({ proto: 'udp', src, dst: p.src, sport: p.dport, dport: p.sport, payload: SERVER_LINE, length: SERVER_LINE.length }, f, 'answer');
      return;
    }
    // __udp4_lib_mcast_deliver: a broadcast or multicast nobody listens to is dropped quietly.
    if (this.toGroup(p.dst)) { this.deliver(f, 'ignored', 'broadcast'); return; }
    // No socket (a connected socket only takes its peer's datagrams): ICMP port unreachable.
    const wrongSource = !!this.client && this.client.proto === 'udp' && this.client.lport === p.dport && this.client.state !== 'DONE';
    this.deliver(f, 'unreachable', wrongSource ? 'udp-wrong-source' : 'port-closed');
    this.send({ proto: 'icmp', src: p.dst, dst: p.src, sport: 0, dport: 0, icmp: { type: 3, code: 3, inner: { ...p, payload: undefined } } }, f, 'icmp-port-unreachable');
  }

  private receiveIcmp(f: Flight): void {
    const p = f.pkt;
    const inner = p.icmp?.inner;
    if (inner && p.icmp?.type === 5) { this.receiveRedirect(f, inner); return; }
    if (!inner || p.icmp?.type !== 3) { this.deliver(f, 'ignored', 'icmp-other'); return; }
    const c = this.client;
    const ours = c && c.state !== 'DONE' && inner.proto === c.proto && inner.src === c.lip && inner.sport === c.lport && inner.dst === c.rip && inner.dport === c.rport;
    if (!ours) {
      if (inner.proto === 'tcp') {
        const key = `${inner.src}:${inner.sport}>${inner.dst}:${inner.dport}`;
        const conn = this.conns.get(key);
        if (conn) { this.serverIcmp(f, key, conn, inner); return; }
      }
      this.deliver(f, 'ignored', 'icmp-no-socket');
      return;
    }
    const err = ICMP_UNREACH[p.icmp.code] ?? { errno: 'EHOSTUNREACH', fatal: false };
    if (c!.proto === 'tcp') {
      if (c!.state === 'SYN_SENT' && this.node.engine.now === this.connectAt) {
        // Still inside connect(): the first SYN's answer comes back in the softirq the
        // send itself runs, while connect() holds the socket (sock_owned_by_user), so
        // tcp_v4_err keeps it as a soft error only; the retransmissions go on.
        this.softError = err.errno;
        this.deliver(f, 'ignored', 'icmp-soft-error');
        return;
      }
      if (c!.state === 'SYN_SENT') {
        this.deliver(f, 'error', 'icmp-error-ends-connect');
        this.finish(errnoOutcome(err.errno), err.errno, 'icmp', f);
      } else {
        this.deliver(f, 'ignored', this.revertsBackoff(p, this.tcp?.sender, inner) ? 'icmp-rto-revert' : 'icmp-soft-error');
      }
      return;
    }
    // A connected UDP socket without IP_RECVERR hears only "hard" errors.
    if (err.fatal) {
      this.deliver(f, 'error', 'icmp-error-udp');
      this.finish(errnoOutcome(err.errno), err.errno, 'icmp', f);
    } else {
      this.deliver(f, 'ignored', 'icmp-soft-error');
    }
  }

  /** A net or host unreachable (tcp_v4_err) that undoes one backoff step of `sender` (tcp_ld_RTO_revert). */
  private revertsBackoff(p: Packet, sender: TcpSender | undefined, inner: Packet): boolean {
    const code = p.icmp?.code;
    return p.icmp?.type === 3 && (code === 0 || code === 1) && !!sender && sender.revertBackoff(inner.seq);
  }

  /**
   * An ICMP error about a segment of one of the server's connections
   * (tcp_v4_err). A request (SYN_RECV) is dropped by a net or host
   * unreachable, a parameter problem or a time exceeded about its SYN-ACK
   * (tcp_req_err): the client's next SYN makes a new one. A connection takes
   * it as a soft error, which may undo a backoff step.
   */
  private serverIcmp(f: Flight, key: string, conn: ServerConn, inner: Packet): void {
    const p = f.pkt;
    const type = p.icmp?.type;
    const code = p.icmp?.code;
    if (conn.state === 'TIME_WAIT') { this.deliver(f, 'ignored', 'icmp-no-socket'); return; }
    if (conn.state === 'SYN_RECV') {
      const abort = type === 12 || type === 11 || (type === 3 && (code === 0 || code === 1));
      if (abort && (inner.seq ?? 0) === 0) {
        this.conns.delete(key);
        this.requests.delete(key);
        this.deliver(f, 'error', 'icmp-drops-request');
        return;
      }
      this.deliver(f, 'ignored', 'icmp-soft-error');
      return;
    }
    this.deliver(f, 'ignored', this.revertsBackoff(p, conn.sender, inner) ? 'icmp-rto-revert' : 'icmp-soft-error');
  }

  /**
   * icmp_redirect -> the quoted packet's socket (tcp_v4_err / __udp4_lib_err),
   * which hands it to the routing code (do_redirect, ipv4_sk_redirect). TCP
   * ignores it while the application holds the socket (inside connect(), the
   * first SYN's answers come back in the send's own softirq) and for a pending
   * request (a SYN_RECV request socket takes no redirects) or TIME_WAIT.
   */
  private receiveRedirect(f: Flight, inner: Packet): void {
    const c = this.client;
    const p = f.pkt;
    const ours = !!c && c.state !== 'DONE' && c.state !== 'CLOSED' && inner.proto === c.proto && inner.src === c.lip && inner.sport === c.lport && inner.dst === c.rip && inner.dport === c.rport;
    let socket = ours;
    if (!socket && inner.proto === 'tcp') {
      const st = this.conns.get(`${inner.src}:${inner.sport}>${inner.dst}:${inner.dport}`)?.state;
      if (st === 'SYN_RECV' || st === 'TIME_WAIT') { this.deliver(f, 'ignored', 'redirect-request'); return; }
      socket = st !== undefined;
    }
    if (!socket && inner.proto === 'udp') socket = this.node.isLocal(inner.src) && this.listens('udp', inner.sport);
    if (!socket) { this.deliver(f, 'ignored', 'icmp-no-socket'); return; }
    if (ours && c!.proto === 'tcp' && c!.state === 'SYN_SENT' && this.node.engine.now === this.connectAt) {
      this.deliver(f, 'ignored', 'redirect-socket-busy');
      return;
    }
    if (!this.node.redirect) { this.deliver(f, 'ignored', 'icmp-other'); return; }
    const why = this.node.redirect(p.src, p.icmp?.gateway, inner);
    this.deliver(f, why === 'redirect-applied' ? 'redirected' : 'ignored', why);
  }

  /** A packet this node sent could not be delivered (ARP failed): ICMP to self. */
  localLinkFailure(f: Flight): void {
    const p = f.pkt;
    if (p.proto === 'icmp') return;
    const icmp: Packet = { proto: 'icmp', src: p.src, dst: p.src, sport: 0, dport: 0, icmp: { type: 3, code: 1, inner: { ...p, payload: undefined } } };
    const g = this.node.engine.newFlight(icmp, f.silent);
    this.node.engine.emit(g, { kind: 'send', node: this.node.name, reason: 'host-unreachable' });
    this.receive(g);
  }
}
