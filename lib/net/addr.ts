/**
 * IPv4 helpers. Parsing and validation of user input go through ipaddr.js;
 * the per-packet hot path (rule matching runs 10,000s of times per trace)
 * uses the small integer helpers below on addresses that were validated when
 * the scenario and rules were parsed.
 */
import * as ipaddr from 'ipaddr.js';

/** Dotted IPv4 to an unsigned 32-bit integer. Throws on anything else. */
export function ip4ToInt(ip: string): number {
  // Hand-rolled on purpose: this runs for every packet against every rule.
  let n = 0;
  let part = 0;
  let digits = 0;
  let dots = 0;
  for (let i = 0; i < ip.length; i++) {
    const c = ip.charCodeAt(i);
    if (c === 46) {
      if (digits === 0 || part > 255) throw new Error(`not an IPv4 address: ${ip}`);
      n = n * 256 + part; part = 0; digits = 0; dots++;
    } else if (c >= 48 && c <= 57) {
      part = part * 10 + (c - 48); digits++;
    } else {
      throw new Error(`not an IPv4 address: ${ip}`);
    }
  }
  if (dots !== 3 || digits === 0 || part > 255) throw new Error(`not an IPv4 address: ${ip}`);
  return (n * 256 + part) >>> 0;
}

export function intToIp4(n: number): string {
  return `${n >>> 24}.${(n >>> 16) & 255}.${(n >>> 8) & 255}.${n & 255}`;
}

/** Strict dotted-quad check (no "10.1", no octal, no hex), as iptables' own parser wants. */
export function isIp4(s: string): boolean {
  return ipaddr.IPv4.isValidFourPartDecimal(s);
}

/** Mask integer for a prefix length 0..32. */
export function prefixToMask(prefix: number): number {
  return prefix === 0 ? 0 : (0xffffffff << (32 - prefix)) >>> 0;
}

/** Prefix length of a contiguous mask, or -1 when the mask has holes (255.0.255.0). */
export function maskToPrefix(mask: number): number {
  const inv = (~mask) >>> 0;
  if (((inv + 1) & inv) !== 0) return -1;
  let p = 32;
  for (let m = inv; m !== 0; m >>>= 1) p--;
  return p;
}

export interface ParsedCidr {
  /** Network address as an integer (host bits cleared). */
  net: number;
  mask: number;
  /** Normalised text: "a.b.c.d/n", or "a.b.c.d/m.m.m.m" for a mask with holes. */
  text: string;
}

/**
 * "a.b.c.d", "a.b.c.d/n" or "a.b.c.d/m.m.m.m" -> network, mask and the form
 * iptables-save prints (host bits cleared: -s 10.11.12.13/8 is 10.0.0.0/8).
 * Returns undefined for anything else.
 */
export function parseCidr(s: string): ParsedCidr | undefined {
  const slash = s.indexOf('/');
  const addr = slash < 0 ? s : s.slice(0, slash);
  if (!isIp4(addr)) return undefined;
  let mask: number;
  if (slash < 0) {
    mask = 0xffffffff;
  } else {
    const m = s.slice(slash + 1);
    if (/^\d{1,2}$/.test(m)) {
      const p = Number(m);
      if (p > 32) return undefined;
      mask = prefixToMask(p);
    } else if (isIp4(m)) {
      mask = ip4ToInt(m);
    } else {
      return undefined;
    }
  }
  const net = (ip4ToInt(addr) & mask) >>> 0;
  const p = maskToPrefix(mask);
  const text = `${intToIp4(net)}/${p >= 0 ? p : intToIp4(mask)}`;
  return { net, mask, text };
}

/** Normalised CIDR text, or undefined when `s` is not an IPv4 address/network. */
export function normalizeCidr(s: string): string | undefined {
  return parseCidr(s)?.text;
}

const cidrCache = new Map<string, ParsedCidr>();

/** Compiled form of an already validated CIDR string, cached (rules reuse a handful of networks). */
export function compileCidr(cidr: string): ParsedCidr {
  let c = cidrCache.get(cidr);
  if (!c) {
    const p = parseCidr(cidr);
    if (!p) throw new Error(`not an IPv4 network: ${cidr}`);
    c = p;
    if (cidrCache.size > 4096) cidrCache.clear();
    cidrCache.set(cidr, c);
  }
  return c;
}

/** Is `ip` inside `cidr` ("a.b.c.d/n", "a.b.c.d/m.m.m.m" or a bare address)? */
export function inCidr(ip: string, cidr: string): boolean {
  const c = compileCidr(cidr);
  return ((ip4ToInt(ip) & c.mask) >>> 0) === c.net;
}

/** "a.b.c.d-e.f.g.h" (or one address) -> [min, max] integers; undefined when malformed or reversed. */
export function parseIpRange(s: string): [number, number] | undefined {
  const dash = s.indexOf('-');
  const a = dash < 0 ? s : s.slice(0, dash);
  const b = dash < 0 ? s : s.slice(dash + 1);
  if (!isIp4(a) || !isIp4(b)) return undefined;
  const min = ip4ToInt(a);
  const max = ip4ToInt(b);
  return min <= max ? [min, max] : undefined;
}

/** The smallest list of CIDR blocks that covers exactly [min, max]. */
export function rangeToCidrs(min: number, max: number): string[] {
  const out: string[] = [];
  let cur = min;
  while (cur <= max) {
    // Largest aligned block starting at cur that does not pass max.
    let size = 32;
    while (size > 0) {
      const block = 2 ** (32 - size + 1);
      if (cur % block !== 0 || cur + block - 1 > max) break;
      size--;
    }
    out.push(`${intToIp4(cur)}/${size}`);
    cur += 2 ** (32 - size);
  }
  return out;
}
