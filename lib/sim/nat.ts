/**
 * The NAT core, after net/netfilter/nf_nat_core.c and nf_nat_proto.c: picking
 * the new tuple on a connection's first packet (nf_nat_setup_info,
 * get_unique_tuple, find_best_ips_proto), rewriting every later packet from
 * the conntrack entry (nf_nat_packet), and translating ICMP errors back
 * (nf_nat_icmp_reply_translation).
 */
import type { Packet } from './packet';
import type { NatRange } from '../rules/model';
import { ConnEntry, ConntrackTable, Dir, Tuple, invertTuple, tupleEqual } from './conntrack';
import { ip4ToInt, intToIp4 } from '../net/addr';

export type Manip = 'src' | 'dst';

/** PREROUTING and OUTPUT rewrite destinations, POSTROUTING and INPUT sources. */
export function hookManip(hook: string): Manip {
  return hook === 'PREROUTING' || hook === 'OUTPUT' ? 'dst' : 'src';
}

// --- jhash2 (include/linux/jhash.h): the kernel hashes the source address to
// pick an address from a range, so the choice is the same across reboots.
function rol32(x: number, k: number): number { return ((x << k) | (x >>> (32 - k))) >>> 0; }
function jhash2(words: number[], initval: number): number {
  let a: number, b: number, c: number;
  a = b = c = (0xdeadbeef + (words.length << 2) + initval) >>> 0;
  let i = 0; let len = words.length;
  const mix = () => {
    a = (a - c) >>> 0; a = (a ^ rol32(c, 4)) >>> 0; c = (c + b) >>> 0;
    b = (b - a) >>> 0; b = (b ^ rol32(a, 6)) >>> 0; a = (a + c) >>> 0;
    c = (c - b) >>> 0; c = (c ^ rol32(b, 8)) >>> 0; b = (b + a) >>> 0;
    a = (a - c) >>> 0; a = (a ^ rol32(c, 16)) >>> 0; c = (c + b) >>> 0;
    b = (b - a) >>> 0; b = (b ^ rol32(a, 19)) >>> 0; a = (a + c) >>> 0;
    c = (c - b) >>> 0; c = (c ^ rol32(b, 4)) >>> 0; b = (b + a) >>> 0;
  };
  const final = () => {
    c = (c ^ b) >>> 0; c = (c - rol32(b, 14)) >>> 0;
    a = (a ^ c) >>> 0; a = (a - rol32(c, 11)) >>> 0;
    b = (b ^ a) >>> 0; b = (b - rol32(a, 25)) >>> 0;
    c = (c ^ b) >>> 0; c = (c - rol32(b, 16)) >>> 0;
    a = (a ^ c) >>> 0; a = (a - rol32(c, 4)) >>> 0;
    b = (b ^ a) >>> 0; b = (b - rol32(a, 14)) >>> 0;
    c = (c ^ b) >>> 0; c = (c - rol32(b, 24)) >>> 0;
  };
  while (len > 3) {
    a = (a + words[i]) >>> 0; b = (b + words[i + 1]) >>> 0; c = (c + words[i + 2]) >>> 0;
    mix(); len -= 3; i += 3;
  }
  if (len === 3) c = (c + words[i + 2]) >>> 0;
  if (len >= 2) b = (b + words[i + 1]) >>> 0;
  if (len >= 1) { a = (a + words[i]) >>> 0; final(); }
  return c;
}

/** An IPv4 address as the u32 the kernel reads from memory (network order on little-endian). */
function wireWord(ip: string): number {
  const n = ip4ToInt(ip);
  return (((n & 0xff) << 24) | (((n >>> 8) & 0xff) << 16) | (((n >>> 16) & 0xff) << 8) | (n >>> 24)) >>> 0;
}

/** find_best_ips_proto for IPv4: which address of [minIp, maxIp] a connection gets. */
export function pickAddress(t: Tuple, r: NatRange): string {
  const min = ip4ToInt(r.minIp as string);
  const max = ip4ToInt((r.maxIp ?? r.minIp) as string);
  if (min === max) return r.minIp as string;
  // union nf_inet_addr is four words; an IPv4 address fills the first.
  const j = jhash2([wireWord(t.src), 0, 0, 0], r.persistent ? 0 : wireWord(t.dst));
  const dist = (max - min + 1) >>> 0;
  const off = Number((BigInt(j) * BigInt(dist)) >> 32n); // reciprocal_scale
  return intToIp4((min + off) >>> 0);
}

export interface NatChoice {
  tuple: Tuple;
  /** The kernel would pick this port at random (no port of the range is the original). */
  randomPort: boolean;
}

/**
 * get_unique_tuple: the original tuple with the manip applied. The address
 * comes from the range (NETMAP keeps host bits); the port stays when it is in
 * range and unused (source-port preservation), else the first free port of the
 * range for DNAT, a random one for SNAT (we show the first and say so).
 */
export function chooseTuple(ct: ConntrackTable, e: ConnEntry, manip: Manip, r: NatRange): NatChoice {
  // Work on the tuple as the reply would see it inverted: the current "original after manips".
  const cur = invertTuple(e.reply);
  const t: Tuple = { ...cur };
  if (r.netmapPrefix !== undefined && r.minIp) {
    const mask = r.netmapPrefix === 0 ? 0 : (0xffffffff << (32 - r.netmapPrefix)) >>> 0;
    const old = ip4ToInt(manip === 'src' ? t.src : t.dst);
    const mapped = intToIp4((((ip4ToInt(r.minIp) & mask) >>> 0) | (old & ~mask)) >>> 0);
    if (manip === 'src') t.src = mapped; else t.dst = mapped;
  } else if (r.minIp) {
    const a = pickAddress(cur, r);
    if (manip === 'src') t.src = a; else t.dst = a;
  }
  let randomPort = false;
  const portKey = manip === 'src' ? 'sport' : 'dport';
  if (r.minPort !== undefined) {
    const minP = r.minPort; const maxP = r.maxPort ?? r.minPort;
    const inRange = t[portKey] >= minP && t[portKey] <= maxP;
    const used = () => ct.replyTupleUsed(e.proto, invertTuple(t), e);
    if (r.random || !inRange || (minP !== maxP && used())) {
      // nf_nat_l4proto_unique_tuple: DNAT starts at offset 0, SNAT at a random offset.
      // A range of one port leaves nothing to chance.
      randomPort = (manip === 'src' || !!r.random) && maxP > minP;
      for (let p = minP; p <= maxP; p++) {
        t[portKey] = p;
        if (!used()) break;
      }
    }
  } else if (r.random && manip === 'src') {
    // --random / --random-fully without --to-ports: the source port is drawn from its
    // class (1-511, 600-1023, 1024-65535), not kept (nf_nat_l4proto_unique_tuple).
    randomPort = true;
    const orig = t.sport;
    const [lo, hi] = orig < 512 ? [1, 511] : orig < 1024 ? [600, 1023] : [1024, 65535];
    for (let p = lo; p <= hi; p++) { t.sport = p; if (!ct.replyTupleUsed(e.proto, invertTuple(t), e)) break; }
  } else if (ct.replyTupleUsed(e.proto, invertTuple(t), e)) {
    // Null port range with a clash: the kernel moves the port (1024+ for sources).
    randomPort = true;
    for (let p = 1024; p <= 65535; p++) { t[portKey] = p; if (!ct.replyTupleUsed(e.proto, invertTuple(t), e)) break; }
  }
  return { tuple: t, randomPort };
}

/** nf_nat_setup_info: bind the manip; sets the reply tuple and IPS_*_NAT. */
export function setupBinding(e: ConnEntry, manip: Manip, newTuple: Tuple | undefined): void {
  if (newTuple) {
    const cur = invertTuple(e.reply);
    if (!tupleEqual(cur, newTuple)) {
      e.reply = invertTuple(newTuple);
      if (manip === 'src') e.srcNat = true; else e.dstNat = true;
    }
  }
  if (manip === 'src') e.srcNatDone = true; else e.dstNatDone = true;
}

/** nf_nat_packet: rewrite a packet of a tracked connection at a hook. Returns changed fields. */
export function natPacket(e: ConnEntry, dir: Dir, manip: Manip, p: Packet): Array<'src' | 'sport' | 'dst' | 'dport'> {
  let applies = manip === 'src' ? e.srcNat : e.dstNat;
  if (dir === 'REPLY') applies = manip === 'src' ? e.dstNat : e.srcNat;
  if (!applies) return [];
  const target = invertTuple(dir === 'ORIGINAL' ? e.reply : e.orig);
  const changed: Array<'src' | 'sport' | 'dst' | 'dport'> = [];
  if (manip === 'src') {
    if (p.src !== target.src) { p.src = target.src; changed.push('src'); }
    if (p.sport !== target.sport) { p.sport = target.sport; changed.push('sport'); }
  } else {
    if (p.dst !== target.dst) { p.dst = target.dst; changed.push('dst'); }
    if (p.dport !== target.dport) { p.dport = target.dport; changed.push('dport'); }
  }
  return changed;
}

/**
 * nf_nat_icmp_reply_translation: an ICMP error about a packet of `e` travels
 * in direction `dir` (the inner packet went the other way). At each hook the
 * inner header gets the opposite manip back and the outer header is made to
 * look like a reply to what the sender sent.
 */
export function natIcmpError(e: ConnEntry, dir: Dir, manip: Manip, p: Packet): Array<'src' | 'sport' | 'dst' | 'dport'> {
  const inner = p.icmp?.inner;
  if (!inner) return [];
  let applies = manip === 'src' ? e.srcNat : e.dstNat;
  if (dir === 'REPLY') applies = manip === 'src' ? e.dstNat : e.srcNat;
  if (!applies) return [];
  const t = dir === 'REPLY' ? e.orig : e.reply; // tuplehash[!dir]
  if (manip === 'src') { inner.dst = t.dst; inner.dport = t.dport; } else { inner.src = t.src; inner.sport = t.sport; }
  const changed: Array<'src' | 'sport' | 'dst' | 'dport'> = [];
  // Outer: invert(t); only the address (ICMP has no ports).
  if (manip === 'src') { if (p.src !== t.dst) { p.src = t.dst; changed.push('src'); } } else if (p.dst !== t.src) { p.dst = t.src; changed.push('dst'); }
  return changed;
}
