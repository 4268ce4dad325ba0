/**
 * nft's data types (src/datatype.c, proto.c, ct.c, fib.c): what a value of a
 * selector's type looks like when written, and the number or name it is. A
 * value of an integer type is a number (addresses as u32); interface names are
 * strings. Bitmask types (ct state, ct status) match by `&` when written
 * without an operator, as nft compiles them.
 */
import { dict, own } from '../../dict';
import type { Dict } from '../../dict';

export type TypeName =
  | 'ipv4_addr' | 'ipv6_addr' | 'inet_service' | 'inet_proto' | 'ifname' | 'iface_index'
  | 'ct_state' | 'ct_status' | 'ct_dir' | 'fib_addrtype' | 'icmp_type' | 'icmp_code'
  | 'nf_proto' | 'mark' | 'tcp_flag' | 'integer' | 'verdict' | 'pkt_type' | 'icmpv6_type' | 'boolean' | 'uid' | 'gid';

export interface DataType {
  name: TypeName;
  /** Values written as names (symbol tables); numbers are accepted where `numeric` is set. */
  symbols?: Dict<number>;
  numeric?: boolean;
  /** Largest value (integer types). */
  max?: number;
  /** A bitmask type: `ct state established,related` is `ct state & (est|rel) != 0`. */
  bitmask?: boolean;
  /** A string type (interface names). */
  string?: boolean;
  /** Can values be written as ranges `a-b`? (integer types and addresses) */
  ranges?: boolean;
}

/** /etc/services names nft resolves (the ones people write). */
export const SERVICES: Dict<number> = dict({
  ftp: 21, ssh: 22, telnet: 23, smtp: 25, domain: 53, bootps: 67, bootpc: 68, tftp: 69, http: 80, www: 80,
  pop3: 110, ntp: 123, imap: 143, imap2: 143, snmp: 161, ldap: 389, https: 443, smtps: 465, submissions: 465, syslog: 514,
  submission: 587, ldaps: 636, imaps: 993, pop3s: 995, openvpn: 1194, mysql: 3306, postgresql: 5432,
  'http-alt': 8080, webcache: 8080, 'ms-wbt-server': 3389, 'rfb': 5900, 'sip': 5060, 'isakmp': 500,
});

export const PROTOCOLS: Dict<number> = dict({ icmp: 1, igmp: 2, tcp: 6, udp: 17, gre: 47, esp: 50, ah: 51, sctp: 132, udplite: 136, ipv6: 41, 'ipv6-icmp': 58, icmpv6: 58 });

/** ct state bits (nf_conntrack_common.h: IP_CT_* as nft numbers them). */
export const CT_STATE_BITS: Dict<number> = dict({ invalid: 1, established: 2, related: 4, new: 8, untracked: 64 });

/** ct status bits (enum ip_conntrack_status). */
export const CT_STATUS_BITS: Dict<number> = dict({
  expected: 1, 'seen-reply': 2, assured: 4, confirmed: 8, snat: 16, dnat: 32, dying: 512,
});

export const CT_DIRS: Dict<number> = dict({ original: 0, reply: 1 });

/** fib `type` results (RTN_*). */
export const FIB_TYPES: Dict<number> = dict({
  unspec: 0, unicast: 1, local: 2, broadcast: 3, anycast: 4, multicast: 5, blackhole: 6, unreachable: 7,
  prohibit: 8, throw: 9, nat: 10, xresolve: 11,
});

export const ICMP_TYPES: Dict<number> = dict({
  'echo-reply': 0, 'destination-unreachable': 3, 'source-quench': 4, redirect: 5, 'echo-request': 8,
  'router-advertisement': 9, 'router-solicitation': 10, 'time-exceeded': 11, 'parameter-problem': 12,
  'timestamp-request': 13, 'timestamp-reply': 14, 'info-request': 15, 'info-reply': 16,
  'address-mask-request': 17, 'address-mask-reply': 18,
});

/** `icmp code` names and the codes `reject with icmp type NAME` sends. */
export const ICMP_CODES: Dict<number> = dict({
  'net-unreachable': 0, 'host-unreachable': 1, 'prot-unreachable': 2, 'port-unreachable': 3,
  'frag-needed': 4, 'net-prohibited': 9, 'host-prohibited': 10, 'admin-prohibited': 13,
});

/** skb->pkt_type (meta pkttype). */
export const PKT_TYPES: Dict<number> = dict({ host: 0, broadcast: 1, multicast: 2, other: 3 });

export const ICMPV6_TYPES: Dict<number> = dict({
  'destination-unreachable': 1, 'packet-too-big': 2, 'time-exceeded': 3, 'parameter-problem': 4, 'echo-request': 128,
  'echo-reply': 129, 'mld-listener-query': 130, 'mld-listener-report': 131, 'mld-listener-done': 132, 'mld-listener-reduction': 132,
  'nd-router-solicit': 133, 'nd-router-advert': 134, 'nd-neighbor-solicit': 135, 'nd-neighbor-advert': 136, 'nd-redirect': 137,
  'router-renumbering': 138, 'ind-neighbor-solicit': 141, 'ind-neighbor-advert': 142, 'mld2-listener-report': 143,
});

/** `fib ... oif exists|missing`. */
export const BOOLEANS: Dict<number> = dict({ exists: 1, missing: 0 });

export const NF_PROTOS: Dict<number> = dict({ ipv4: 2, ipv6: 10 });

export const TCP_FLAGS: Dict<number> = dict({ fin: 1, syn: 2, rst: 4, psh: 8, ack: 16, urg: 32, ecn: 64, cwr: 128 });

const T = (d: DataType): DataType => d;

export const TYPES: Dict<DataType> = dict({
  ipv4_addr: T({ name: 'ipv4_addr', ranges: true }),
  ipv6_addr: T({ name: 'ipv6_addr', ranges: true }),
  inet_service: T({ name: 'inet_service', symbols: SERVICES, numeric: true, max: 65535, ranges: true }),
  inet_proto: T({ name: 'inet_proto', symbols: PROTOCOLS, numeric: true, max: 255, ranges: true }),
  ifname: T({ name: 'ifname', string: true }),
  iface_index: T({ name: 'iface_index', string: true }),
  ct_state: T({ name: 'ct_state', symbols: CT_STATE_BITS, numeric: true, bitmask: true }),
  ct_status: T({ name: 'ct_status', symbols: CT_STATUS_BITS, numeric: true, bitmask: true }),
  ct_dir: T({ name: 'ct_dir', symbols: CT_DIRS, numeric: true, max: 1 }),
  fib_addrtype: T({ name: 'fib_addrtype', symbols: FIB_TYPES, numeric: true, max: 255 }),
  icmp_type: T({ name: 'icmp_type', symbols: ICMP_TYPES, numeric: true, max: 255, ranges: true }),
  icmp_code: T({ name: 'icmp_code', symbols: ICMP_CODES, numeric: true, max: 255, ranges: true }),
  nf_proto: T({ name: 'nf_proto', symbols: NF_PROTOS, numeric: true, max: 255 }),
  mark: T({ name: 'mark', numeric: true, max: 0xffffffff, ranges: true }),
  tcp_flag: T({ name: 'tcp_flag', symbols: TCP_FLAGS, numeric: true, max: 255, bitmask: true }),
  integer: T({ name: 'integer', numeric: true, max: 0xffffffff, ranges: true }),
  verdict: T({ name: 'verdict' }),
  pkt_type: T({ name: 'pkt_type', symbols: PKT_TYPES, numeric: true, max: 255 }),
  icmpv6_type: T({ name: 'icmpv6_type', symbols: ICMPV6_TYPES, numeric: true, max: 255, ranges: true }),
  boolean: T({ name: 'boolean', symbols: BOOLEANS, numeric: true, max: 1 }),
  uid: T({ name: 'uid', symbols: dict({ root: 0 }), numeric: true, max: 0xffffffff, ranges: true }),
  gid: T({ name: 'gid', symbols: dict({ root: 0 }), numeric: true, max: 0xffffffff, ranges: true }),
});

export function dataType(name: string): DataType | undefined {
  return own(TYPES, name);
}

/** The names a set declaration's `type` may give (nft's own spellings). */
export const SET_TYPE_NAMES = ['ipv4_addr', 'ipv6_addr', 'inet_service', 'inet_proto', 'ifname', 'mark', 'ct_state', 'icmp_type'];
