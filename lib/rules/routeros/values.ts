/**
 * Value syntax of RouterOS firewall properties: addresses, ranges, ports,
 * protocols. Each parser returns a plain result or a string saying what was
 * expected, so the caller can raise the error at the right position.
 */
import * as ipaddr from 'ipaddr.js';
import { dict } from '../../dict';

export type AddrValue =
  | { kind: 'cidr'; cidr: string }
  | { kind: 'range'; min: string; max: string };

export function isIPv4(s: string): boolean {
  return ipaddr.IPv4.isValidFourPartDecimal(s);
}

export function ipToInt(ip: string): number {
  const b = ipaddr.IPv4.parse(ip).toByteArray();
  return ((b[0] << 24) | (b[1] << 16) | (b[2] << 8) | b[3]) >>> 0;
}

/** "a.b.c.d/n" with the host bits cleared, as RouterOS and iptables store it. */
function normalizeCidr(addr: string, prefix: number): string {
  return ipaddr.IPv4.networkAddressFromCIDR(`${addr}/${prefix}`).toString() + '/' + prefix;
}

/** RouterOS address value: address, CIDR, or range a-b (IPv4 only). */
export function parseAddr(v: string): AddrValue | string {
  const dash = v.indexOf('-');
  if (dash >= 0) {
    const min = v.slice(0, dash);
    const max = v.slice(dash + 1);
    if (!isIPv4(min) || !isIPv4(max)) return 'an IPv4 range a.b.c.d-e.f.g.h';
    if (ipToInt(min) > ipToInt(max)) return 'a range whose first address is not above its last';
    return { kind: 'range', min, max };
  }
  const slash = v.indexOf('/');
  if (slash >= 0) {
    const a = v.slice(0, slash);
    const p = v.slice(slash + 1);
    if (!isIPv4(a) || !/^\d{1,2}$/.test(p) || Number(p) > 32) return 'an IPv4 network a.b.c.d/0-32';
    return { kind: 'cidr', cidr: normalizeCidr(a, Number(p)) };
  }
  if (!isIPv4(v)) return 'an IPv4 address, a.b.c.d/n or a range a.b.c.d-e.f.g.h';
  return { kind: 'cidr', cidr: v + '/32' };
}

/** A range that is exactly one CIDR block, as NETMAP needs; undefined otherwise. */
export function rangeToCidr(min: string, max: string): string | undefined {
  const lo = ipToInt(min);
  const hi = ipToInt(max);
  const size = hi - lo + 1;
  if (size & (size - 1)) return undefined;
  if (lo % size !== 0) return undefined;
  const prefix = 32 - Math.log2(size);
  return `${min}/${prefix}`;
}

function parsePortNumber(s: string): number | undefined {
  if (!/^\d{1,5}$/.test(s)) return undefined;
  const n = Number(s);
  return n <= 65535 ? n : undefined;
}

/** "80", "1000-2000" -> [min, max]. */
export function parsePortRange(v: string): [number, number] | string {
  const parts = v.split('-');
  if (parts.length > 2) return 'a port 0-65535 or a range p-q';
  const min = parsePortNumber(parts[0]);
  const max = parts.length === 2 ? parsePortNumber(parts[1]) : min;
  if (min === undefined || max === undefined) return 'a port 0-65535 or a range p-q';
  if (min > max) return 'a port range whose first port is not above its last';
  return [min, max];
}

/** "80,443,8000-8100" -> ranges. */
export function parsePortList(v: string): Array<[number, number]> | string {
  const out: Array<[number, number]> = [];
  for (const part of v.split(',')) {
    const r = parsePortRange(part);
    if (typeof r === 'string') return 'ports like 80, 80-90 or 80,443,8000-8100';
    out.push(r);
  }
  return out;
}

/** RouterOS protocol names with their IP protocol numbers (the ones RouterOS offers). */
export const PROTOCOLS: Record<string, number> = dict({
  icmp: 1, igmp: 2, ggp: 3, 'ip-encap': 4, ipencap: 4, st: 5, tcp: 6, egp: 8, pup: 12, udp: 17, hmp: 20,
  'xns-idp': 22, rdp: 27, 'iso-tp4': 29, dccp: 33, xtp: 36, ddp: 37, 'idpr-cmtp': 38, ipv6: 41,
  'ipv6-route': 43, 'ipv6-frag': 44, rsvp: 46, gre: 47, 'ipsec-esp': 50, 'ipsec-ah': 51, icmpv6: 58,
  'ipv6-nonxt': 59, 'ipv6-opts': 60, rspf: 73, vmtp: 81, ospf: 89, ipip: 94, etherip: 97, encap: 98,
  pim: 103, vrrp: 112, l2tp: 115, sctp: 132, 'udp-lite': 136,
});

/**
 * Protocol value -> the 'ip' module's proto string: "tcp", "udp", "icmp" by
 * name (also when given as 6, 17, 1), any other protocol as its number.
 */
export function parseProtocol(v: string): string | { error: string } {
  let num: number | undefined;
  if (/^\d{1,3}$/.test(v)) {
    num = Number(v);
    if (num > 255) return { error: 'a protocol name or number 0-255' };
  } else if (Object.prototype.hasOwnProperty.call(PROTOCOLS, v)) {
    num = PROTOCOLS[v];
  } else {
    return { error: 'a protocol name (tcp, udp, icmp, ...) or number' };
  }
  // iptables reads protocol 0 as "any protocol".
  if (num === 0) return 'all';
  if (num === 6) return 'tcp';
  if (num === 17) return 'udp';
  if (num === 1) return 'icmp';
  return String(num);
}
