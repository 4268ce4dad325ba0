/**
 * What the simulator returns: the outcome as the client application sees it,
 * what the server saw, the router's conntrack entries after the exchange, and
 * every event of the packet walk in order. The story layer (lib/story) groups
 * events into figure steps, so events carry everything a caption needs.
 */
import type { Packet } from './packet';
import type { ChainType, Hook } from '../rules/model';

export type Outcome = 'established' | 'refused' | 'unreachable' | 'timeout';

/** The rule that decided, as shown to readers. */
export interface RuleRef {
  /** Key of the rule's table (iptables "nat"; nft "ip nat"). */
  table: string;
  /** Chain as the author names it (RouterOS "dstnat", iptables "PREROUTING"). */
  chain: string;
  /** 1-based position in the chain; 0 for a chain policy. */
  number: number;
  /** RouterOS print number where the dialect is RouterOS. */
  rosNumber?: number;
  /** The rule's source text, or "policy ACCEPT". */
  text: string;
  /** Line in the rules text (1-based) when the rule has one. */
  line?: number;
  comment?: string;
}

export type EventKind =
  /** An application or stack on `node` emits `packet` (a new packet of the exchange). */
  | 'send'
  /** `packet` crosses the segment of `iface` from `node` to `to`. */
  | 'wire'
  /** Router: conntrack lookup for the packet (ct = NEW/ESTABLISHED/..., dir). */
  | 'conntrack'
  /** Router: one chain traversal at a hook with its verdict and deciding rule. */
  | 'chain'
  /** Router: a NAT rewrite (by a rule on the first packet, or by conntrack on later ones). */
  | 'nat'
  /** A routing decision on `node` (local delivery or forward out `outIface` via `nextHop`). */
  | 'route'
  /** ARP for the next hop got no answer (after ~3 s). */
  | 'arp-fail'
  /** The packet is gone: a DROP verdict, a host stack discarding it, no route. */
  | 'drop'
  /** The receiving stack handles the packet (`result` says how). */
  | 'deliver'
  /** An application-level fact: connect() returned, accept(), recvfrom(), timeout. */
  | 'app'
  /** The same packet is sent again `count` more times, `interval` apart. */
  | 'retransmit';

export interface TraceEvent {
  /** Order in the trace, 0-based. */
  seq: number;
  /** Simulated time in milliseconds since the first packet. */
  time: number;
  kind: EventKind;
  /** Where it happens: a host name or "router". */
  node: string;
  /** Which packet of the exchange (0-based, in the order packets were first sent). */
  packetId: number;
  /** The packet as it is at this event (after any rewrite of this event). */
  packet: Packet;
  /** For 'nat': the packet before the rewrite. */
  before?: Packet;
  /** Fields changed by a 'nat' event. */
  changed?: Array<'src' | 'sport' | 'dst' | 'dport'>;
  /** 'nat': 'rule' (first packet, a NAT rule bound it) or 'conntrack' (later packets). */
  natBy?: 'rule' | 'conntrack';
  /** Direction of the packet relative to its conntrack entry. */
  dir?: 'original' | 'reply';
  /** 'wire': the receiving node; 'wire'/'route': the router interface whose segment is crossed. */
  to?: string;
  iface?: string;
  inIface?: string;
  outIface?: string;
  nextHop?: string;
  /** 'chain' */
  hook?: Hook;
  /** 'chain': the table key, the base chain's type and priority. */
  table?: string;
  chainType?: ChainType;
  priority?: number;
  chain?: string;
  verdict?: string;
  rule?: RuleRef;
  /** 'conntrack': state as -m conntrack sees it, and the entry after this packet. */
  ctState?: string;
  conntrack?: string;
  /**
   * A machine-readable reason, the key captions are looked up by, e.g.
   * 'syn-ack-unexpected' (client stack RSTs an answer it did not ask for),
   * 'port-closed', 'listening', 'no-route', 'local', 'forward', 'filtered',
   * 'stray-rst-ignored', 'udp-wrong-source-ignored', 'icmp-error-ends-connect'.
   */
  reason?: string;
  /**
   * 'retransmit': reason 'syn-retransmit' (the client's SYN: `count` copies,
   * `interval` before the first) or, about a drawn packet a socket sends again,
   * 'data-retransmit' | 'fin-retransmit' | 'syn-ack-retransmit': `count`
   * copies, sent at `resentAt` (simulated ms; only copies of a drawn packet).
   */
  count?: number;
  interval?: number;
  resentAt?: number[];
  /** 'retransmit': every copy so far answered a copy of the packet this one answered (a SYN-ACK to each resent SYN). */
  answers?: boolean;
  /** 'retransmit': when the peer acknowledged the segment (simulated ms). */
  ackedAt?: number;
  /** 'app': 'connected' | 'refused' | 'unreachable' | 'timeout' | 'accepted' | 'received' | 'closed' */
  result?: string;
  /** Free detail for the CLI's readable trace. */
  detail?: string;
}

/** One packet crossing one segment, as a capture on both ends would see it. */
export interface WirePacket {
  /** Simulated ms. */
  time: number;
  from: string;
  to: string;
  /** The router interface whose segment is crossed. */
  iface: string;
  /** The trace's packet id; -1 for a retransmitted copy the trace does not draw. */
  packetId: number;
  /** A copy a socket sent again: the id of the drawn packet it is a copy of. */
  copyOf?: number;
  ttl: number;
  packet: Packet;
}

/** An ARP request (who-has `target`) that `node` broadcasts on `iface` while a resolution is pending. */
export interface ArpRequest {
  time: number;
  node: string;
  iface: string;
  target: string;
}

/** The router's ICMP counters, as `nstat` names them. */
export interface IcmpCounters {
  IcmpOutRedirects: number;
  IcmpOutDestUnreachs: number;
  IcmpOutRateLimitHost: number;
}

export interface Trace {
  outcome: Outcome;
  /** "ip:port" the server application got from accept()/recvfrom(), or null. */
  server_saw: string | null;
  /** `conntrack -L` lines for this connection, without timeout and use=. */
  conntrack: string[];
  steps: TraceEvent[];
  warnings: string[];
  /** Every packet on every wire (packet-level conformance compares these with a capture). */
  wire: WirePacket[];
  /** The unanswered ARP requests (a capture sees them; nothing answers). */
  arpRequests: ArpRequest[];
  /** What the router's ICMP counters say afterwards. */
  icmp: IcmpCounters;
  /** When each of those counts was made (simulated ms). */
  icmpCounted: Array<{ time: number; counter: keyof IcmpCounters }>;
  /** Simulated ms of the client application's last report (the harness's moment of the result). */
  resultAt: number;
}
