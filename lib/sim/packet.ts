/**
 * A packet as netfilter sees it: the IPv4 header fields NAT can touch plus the
 * transport header. Addresses are dotted strings for readability in traces;
 * hot paths convert with `ip4ToInt` from lib/net/addr.
 */
export type L4Proto = 'tcp' | 'udp' | 'icmp';

export interface TcpFlags {
  syn?: boolean;
  ack?: boolean;
  fin?: boolean;
  rst?: boolean;
  psh?: boolean;
}

export interface IcmpInfo {
  /** ICMP type: 3 destination unreachable, 0/8 echo, 11 time exceeded. */
  type: number;
  code: number;
  /** For errors: the offending packet's header as quoted in the ICMP payload. */
  inner?: Packet;
  /** Redirect (type 5): the better next hop the router names. */
  gateway?: string;
}

export interface Packet {
  proto: L4Proto;
  src: string;
  dst: string;
  /** Transport ports; for ICMP echo the id is kept in sport and dport is 0. */
  sport: number;
  dport: number;
  flags?: TcpFlags;
  icmp?: IcmpInfo;
  /** Payload summary for captions ("HTTP line", "1 datagram"), never parsed. */
  payload?: string;
  /** Bytes of application payload (0 for bare control segments). */
  length?: number;
  /**
   * TCP sequence and acknowledgment numbers, relative to each end's ISN as
   * tcpdump prints them (the stacks' business: NAT leaves them alone).
   */
  seq?: number;
  ack?: number;
  /** SACK blocks [start, end) of a duplicate ACK. */
  sack?: Array<[number, number]>;
}

/** Every trace event keeps its own copy: field by field, as it runs once per event. */
export function clonePacket(p: Packet): Packet {
  const c: Packet = { proto: p.proto, src: p.src, dst: p.dst, sport: p.sport, dport: p.dport };
  if (p.flags) c.flags = { ...p.flags };
  if (p.icmp) {
    c.icmp = p.icmp.inner ? { type: p.icmp.type, code: p.icmp.code, inner: clonePacket(p.icmp.inner) } : { type: p.icmp.type, code: p.icmp.code };
    if (p.icmp.gateway !== undefined) c.icmp.gateway = p.icmp.gateway;
  }
  if (p.payload !== undefined) c.payload = p.payload;
  if (p.length !== undefined) c.length = p.length;
  if (p.seq !== undefined) c.seq = p.seq;
  if (p.ack !== undefined) c.ack = p.ack;
  if (p.sack) c.sack = p.sack.map(([a, b]) => [a, b]);
  return c;
}

/** "SYN", "SYN,ACK", "RST,ACK", "ACK,PSH,FIN"... in tcpdump-like order. */
export function tcpFlagString(f: TcpFlags | undefined): string {
  if (!f) return '';
  const out: string[] = [];
  if (f.syn) out.push('SYN');
  if (f.rst) out.push('RST');
  if (f.fin) out.push('FIN');
  if (f.psh) out.push('PSH');
  if (f.ack) out.push('ACK');
  return out.join(',');
}

/** "10.0.0.1:40000 -> 10.0.0.2:5000" */
export function endpointString(ip: string, port: number, proto: L4Proto): string {
  return proto === 'icmp' ? ip : `${ip}:${port}`;
}
