/**
 * What nft rules read from a packet (payload, meta, ct and fib expressions),
 * one small entry each, kept in one table keyed by how it is written
 * ("ip saddr", "tcp dport", "ct state"). An entry says its data type, the
 * protocol it implies (nft adds `meta l4proto tcp` before `tcp dport`), the
 * hooks the kernel allows it at, and how to read it. Reading gives undefined
 * where nft_do_chain would break the rule (no such header, no conntrack entry).
 */
import type { AddrType, Hook, MatchContext } from '../model';
import type { TypeName } from './types';
import { CT_STATE_BITS, FIB_TYPES } from './types';
import { ip4ToInt } from '../../net/addr';
import { dict, own } from '../../dict';
import type { Dict } from '../../dict';

export type Value = number | string;

export interface Selector {
  /** As written: "ip saddr". */
  id: string;
  type: TypeName;
  /** The transport protocol a payload expression depends on. */
  l4?: 'tcp' | 'udp' | 'icmp';
  /** Sets `hasL4` for the rule (a port mapping in nat needs one before it). */
  givesL4?: boolean;
  /** Hooks the kernel allows it at (nft_*_validate); absent: every hook. */
  hooks?: Hook[];
  get(ctx: MatchContext): Value | undefined;
}

const PROTO_NUM: Record<string, number> = { tcp: 6, udp: 17, icmp: 1 };

function ports(ctx: MatchContext, which: 'sport' | 'dport', proto?: 'tcp' | 'udp'): number | undefined {
  const p = ctx.packet;
  if (proto ? p.proto !== proto : p.proto !== 'tcp' && p.proto !== 'udp') return undefined;
  return p[which];
}

const CT_BIT: Record<string, number> = {
  INVALID: CT_STATE_BITS.invalid, ESTABLISHED: CT_STATE_BITS.established, RELATED: CT_STATE_BITS.related,
  NEW: CT_STATE_BITS.new, UNTRACKED: CT_STATE_BITS.untracked,
};

/** The conntrack entry's status word (enum ip_conntrack_status) as far as the simulator knows it. */
function ctStatus(ctx: MatchContext): number | undefined {
  const ct = ctx.ct;
  if (ct.state === 'INVALID' || ct.state === 'UNTRACKED') return undefined;
  let s = 0;
  if (ct.status.expected) s |= 1;
  if (ct.status.seenReply) s |= 2;
  if (ct.status.assured) s |= 4;
  if (ct.status.confirmed) s |= 8;
  if (ct.snat) s |= 16 | 128;
  if (ct.dnat) s |= 32 | 256;
  return s;
}

const ADDR_TYPE: Record<AddrType, number> = {
  UNSPEC: FIB_TYPES.unspec, UNICAST: FIB_TYPES.unicast, LOCAL: FIB_TYPES.local, BROADCAST: FIB_TYPES.broadcast,
  MULTICAST: FIB_TYPES.multicast, BLACKHOLE: FIB_TYPES.blackhole, UNREACHABLE: FIB_TYPES.unreachable, PROHIBIT: FIB_TYPES.prohibit,
};

const INPUT_SIDE: Hook[] = ['PREROUTING', 'INPUT', 'FORWARD'];
const OUTPUT_SIDE: Hook[] = ['OUTPUT', 'POSTROUTING', 'FORWARD'];

function fib(addr: 'src' | 'dst', limit?: 'iif' | 'oif'): (ctx: MatchContext) => number {
  return (ctx) => {
    const ip = addr === 'src' ? ctx.packet.src : ctx.packet.dst;
    const dev = limit === 'iif' ? ctx.inIface ?? '' : limit === 'oif' ? ctx.outIface ?? '' : undefined;
    return ADDR_TYPE[ctx.addrType(ip, dev)];
  };
}

/**
 * nft_fib4_eval with an oif result: the route's out interface, which with
 * `. iif` must be the one the packet came in on (strict reverse path);
 * 1 when there is one (`exists`), 0 when not (`missing`). Packets from lo pass.
 */
function fibOif(addr: 'src' | 'dst', iif: boolean): (ctx: MatchContext) => number {
  return (ctx) => {
    if (ctx.inIface === 'lo') return 1;
    const ip = addr === 'src' ? ctx.packet.src : ctx.packet.dst;
    const dev = ctx.routeDev?.(ip);
    if (dev === undefined) return 0;
    if (iif && dev !== 'lo' && dev !== ctx.inIface) return 0;
    return 1;
  };
}

/** skb->pkt_type as the receiving device set it: broadcast and multicast by the destination, else host. */
function pktType(ctx: MatchContext): number {
  const dst = ctx.packet.dst;
  if ((ip4ToInt(dst) >>> 28) === 14) return 2;
  if (dst === '255.255.255.255' || ctx.addrType(dst) === 'BROADCAST') return 1;
  return 0;
}

const S = (s: Selector): Selector => s;

const ALL: Selector[] = [
  // payload: ip
  S({ id: 'ip saddr', type: 'ipv4_addr', get: (c) => ip4ToInt(c.packet.src) }),
  S({ id: 'ip daddr', type: 'ipv4_addr', get: (c) => ip4ToInt(c.packet.dst) }),
  S({ id: 'ip protocol', type: 'inet_proto', givesL4: true, get: (c) => PROTO_NUM[c.packet.proto] }),
  // IPv6 headers are never there in this IPv4 simulator (their `meta nfproto ipv6` dependency fails).
  S({ id: 'ip6 saddr', type: 'ipv6_addr', get: () => undefined }),
  S({ id: 'ip6 daddr', type: 'ipv6_addr', get: () => undefined }),
  S({ id: 'ip6 nexthdr', type: 'inet_proto', get: () => undefined }),
  // payload: transport
  S({ id: 'tcp sport', type: 'inet_service', l4: 'tcp', givesL4: true, get: (c) => ports(c, 'sport', 'tcp') }),
  S({ id: 'tcp dport', type: 'inet_service', l4: 'tcp', givesL4: true, get: (c) => ports(c, 'dport', 'tcp') }),
  S({ id: 'udp sport', type: 'inet_service', l4: 'udp', givesL4: true, get: (c) => ports(c, 'sport', 'udp') }),
  S({ id: 'udp dport', type: 'inet_service', l4: 'udp', givesL4: true, get: (c) => ports(c, 'dport', 'udp') }),
  S({ id: 'th sport', type: 'inet_service', givesL4: true, get: (c) => ports(c, 'sport') }),
  S({ id: 'th dport', type: 'inet_service', givesL4: true, get: (c) => ports(c, 'dport') }),
  S({
    id: 'tcp flags', type: 'tcp_flag', l4: 'tcp', get: (c) => {
      const f = c.packet.flags ?? {};
      if (c.packet.proto !== 'tcp') return undefined;
      return (f.fin ? 1 : 0) | (f.syn ? 2 : 0) | (f.rst ? 4 : 0) | (f.psh ? 8 : 0) | (f.ack ? 16 : 0);
    },
  }),
  S({ id: 'icmp type', type: 'icmp_type', l4: 'icmp', get: (c) => (c.packet.proto === 'icmp' ? c.packet.icmp?.type : undefined) }),
  S({ id: 'icmp code', type: 'icmp_code', l4: 'icmp', get: (c) => (c.packet.proto === 'icmp' ? c.packet.icmp?.code : undefined) }),
  S({ id: 'icmpv6 type', type: 'icmpv6_type', get: () => undefined }),
  S({ id: 'icmpv6 code', type: 'integer', get: () => undefined }),
  // meta
  S({ id: 'meta l4proto', type: 'inet_proto', givesL4: true, get: (c) => PROTO_NUM[c.packet.proto] }),
  S({ id: 'meta protocol', type: 'integer', get: () => 0x0800 }),
  S({ id: 'meta nfproto', type: 'nf_proto', get: () => 2 }),
  S({ id: 'meta iifname', type: 'ifname', get: (c) => c.inIface ?? '' }),
  S({ id: 'meta oifname', type: 'ifname', get: (c) => c.outIface ?? '' }),
  S({ id: 'meta iif', type: 'iface_index', get: (c) => c.inIface ?? '' }),
  S({ id: 'meta oif', type: 'iface_index', get: (c) => c.outIface ?? '' }),
  S({ id: 'meta mark', type: 'mark', get: () => 0 }),
  S({ id: 'meta pkttype', type: 'pkt_type', get: pktType }),
  // The socket's owner: the router's own programs run as root here (as in the kernel harness);
  // a packet without a local socket has none, and the rule breaks.
  S({ id: 'meta skuid', type: 'uid', get: (c) => (c.hook === 'OUTPUT' || (c.hook === 'POSTROUTING' && !c.inIface) ? 0 : undefined) }),
  S({ id: 'meta skgid', type: 'gid', get: (c) => (c.hook === 'OUTPUT' || (c.hook === 'POSTROUTING' && !c.inIface) ? 0 : undefined) }),
  // ct
  S({ id: 'ct state', type: 'ct_state', get: (c) => CT_BIT[c.ct.state] }),
  S({ id: 'ct status', type: 'ct_status', get: ctStatus }),
  S({ id: 'ct direction', type: 'ct_dir', get: (c) => (c.ct.state === 'INVALID' || c.ct.state === 'UNTRACKED' ? undefined : c.ct.dir === 'ORIGINAL' ? 0 : 1) }),
  S({ id: 'ct mark', type: 'mark', get: (c) => (c.ct.state === 'INVALID' || c.ct.state === 'UNTRACKED' ? undefined : 0) }),
  S({ id: 'ct original saddr', type: 'ipv4_addr', get: (c) => (c.ct.origSrc ? ip4ToInt(c.ct.origSrc) : undefined) }),
  S({ id: 'ct original daddr', type: 'ipv4_addr', get: (c) => (c.ct.origDst ? ip4ToInt(c.ct.origDst) : undefined) }),
  S({ id: 'ct reply saddr', type: 'ipv4_addr', get: (c) => (c.ct.replSrc ? ip4ToInt(c.ct.replSrc) : undefined) }),
  S({ id: 'ct reply daddr', type: 'ipv4_addr', get: (c) => (c.ct.replDst ? ip4ToInt(c.ct.replDst) : undefined) }),
  // fib: the address type the routing tables give (nft_fib4_eval_type)
  S({ id: 'fib daddr type', type: 'fib_addrtype', get: fib('dst') }),
  S({ id: 'fib saddr type', type: 'fib_addrtype', get: fib('src') }),
  S({ id: 'fib daddr . iif type', type: 'fib_addrtype', hooks: INPUT_SIDE, get: fib('dst', 'iif') }),
  S({ id: 'fib saddr . iif type', type: 'fib_addrtype', hooks: INPUT_SIDE, get: fib('src', 'iif') }),
  S({ id: 'fib daddr . oif type', type: 'fib_addrtype', hooks: OUTPUT_SIDE, get: fib('dst', 'oif') }),
  S({ id: 'fib saddr . oif type', type: 'fib_addrtype', hooks: OUTPUT_SIDE, get: fib('src', 'oif') }),
  // fib ... oif: does a route exist (reverse path filters: `fib saddr . iif oif missing drop`)?
  S({ id: 'fib saddr . iif oif', type: 'boolean', hooks: INPUT_SIDE, get: fibOif('src', true) }),
  S({ id: 'fib daddr . iif oif', type: 'boolean', hooks: INPUT_SIDE, get: fibOif('dst', true) }),
  S({ id: 'fib saddr oif', type: 'boolean', hooks: INPUT_SIDE, get: fibOif('src', false) }),
  S({ id: 'fib daddr oif', type: 'boolean', get: fibOif('dst', false) }),
];

export const SELECTORS: Dict<Selector> = dict(ALL.map((s) => [s.id, s] as const));
// Short forms nft prints and accepts: `iifname` is `meta iifname`.
for (const k of ['l4proto', 'nfproto', 'iifname', 'oifname', 'iif', 'oif', 'mark', 'pkttype', 'skuid', 'skgid']) SELECTORS[k] = SELECTORS[`meta ${k}`];

export function selector(id: string): Selector | undefined {
  return own(SELECTORS, id);
}

/** First words a selector can start with (for "did you mean"). */
export const SELECTOR_HEADS = [...new Set(Object.keys(SELECTORS).map((k) => k.split(' ')[0]))];

/** Second words after a head ("ip" -> saddr, daddr, protocol). */
export function selectorTails(head: string): string[] {
  return Object.keys(SELECTORS).filter((k) => k.startsWith(head + ' ')).map((k) => k.slice(head.length + 1));
}
