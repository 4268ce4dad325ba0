/**
 * Right-hand sides of nft relations: one value, a range `a-b`, a prefix
 * `a/n`, a comma list of flags, an anonymous set `{ ... }` or a named set
 * `@NAME`, parsed for the data type of what they are compared with.
 */
import type { Cursor } from './cursor';
import type { Tok } from './lex';
import type { Atom, Elem } from './modules';
import type { DataType } from './types';
import { isIp4, ip4ToInt, prefixToMask } from '../../net/addr';
import { own } from '../../dict';
import * as ipaddr from 'ipaddr.js';

/** A value as written, before it is put into a set: an interval or a name. */
export interface ParsedAtom { atom: Atom; ranged: boolean; tok: Tok }

function typeWords(t: DataType): string {
  switch (t.name) {
    case 'ipv4_addr': return 'an IPv4 address';
    case 'ipv6_addr': return 'an IPv6 address';
    case 'inet_service': return 'a port number or service name';
    case 'ifname': case 'iface_index': return 'an interface name';
    default: return `a ${t.name} value${t.symbols ? ` (${Object.keys(t.symbols).slice(0, 12).join(', ')})` : ''}`;
  }
}

/** One scalar of type `t` (a number, a name of its symbol table, an address). */
export function parseScalar(c: Cursor, t: DataType): { n?: number; s?: string; tok: Tok } {
  const tok = c.next();
  if (t.string) {
    if (tok.kind !== 'string' && tok.kind !== 'word') c.fail(tok, typeWords(t));
    return { s: tok.text, tok };
  }
  if (tok.kind !== 'word' && tok.kind !== 'string') c.fail(tok, typeWords(t));
  const w = tok.text;
  if (t.name === 'ipv4_addr') {
    if (!isIp4(w)) c.fail(tok, 'an IPv4 address (a.b.c.d)', undefined, `not an IPv4 address: ${w}`);
    return { n: ip4ToInt(w), tok };
  }
  if (t.name === 'ipv6_addr') {
    // IPv6 addresses are taken apart by the scanner at ':'; the simulator never matches them.
    return { n: 0, tok };
  }
  const sym = t.symbols ? own(t.symbols, w) : undefined;
  if (sym !== undefined) return { n: sym, tok };
  if (t.numeric && /^(0x[0-9a-fA-F]+|[0-9]+)$/.test(w)) {
    const n = Number(w);
    if (t.max !== undefined && n > t.max) c.fail(tok, `${typeWords(t)} up to ${t.max}`, undefined, `value ${w} exceeds valid range 0-${t.max}`);
    return { n, tok };
  }
  c.fail(tok, typeWords(t), t.symbols ? Object.keys(t.symbols) : undefined, `${JSON.stringify(w)} is not ${typeWords(t)}`);
}

/** A value, range or prefix. */
export function parseAtom(c: Cursor, t: DataType): ParsedAtom {
  const first = c.peek();
  if (t.name === 'ipv6_addr') {
    // Swallow what the scanner split an IPv6 address into (words, numbers and ':').
    const tok = c.next();
    let text = tok.text;
    // The scanner splits `2001:db8::1/64` at ':' and '/': take what follows without a space.
    while (c.peek().pos === c.lastEnd() && (c.peek().kind === 'word' || c.peekPunct(':') || c.peekPunct('/'))) text += c.next().text;
    if (!ipaddr.isValid(text.split('/')[0])) c.fail(tok, 'an IPv6 address', undefined, `not an IPv6 address: ${text}`);
    return { atom: { lo: 0, hi: 0 }, ranged: text.includes('/'), tok };
  }
  const a = parseScalar(c, t);
  if (a.s !== undefined) {
    // `eth*` (quoted or not) is a prefix of interface names.
    let prefix = false;
    let s = a.s;
    if (a.tok.kind === 'string' && s.endsWith('*') && !s.endsWith('\\*')) { prefix = true; s = s.slice(0, -1); }
    else if (a.tok.kind === 'word' && c.peekPunct('*') && c.peek().pos === a.tok.end) { c.next(); prefix = true; }
    if (s.length > 15) c.fail(a.tok, 'an interface name of at most 15 characters', undefined, `interface name ${JSON.stringify(s)} is too long`);
    return { atom: { str: s, prefix }, ranged: prefix, tok: first };
  }
  const lo = a.n as number;
  if (t.name === 'ipv4_addr' && c.peekPunct('/')) {
    c.next();
    const pt = c.next();
    if (pt.kind !== 'word' || !/^[0-9]+$/.test(pt.text) || Number(pt.text) > 32) c.fail(pt, 'a prefix length 0-32');
    const mask = prefixToMask(Number(pt.text));
    const net = (lo & mask) >>> 0;
    return { atom: { lo: net, hi: (net | (~mask >>> 0)) >>> 0 }, ranged: true, tok: first };
  }
  if (t.ranges && c.peekPunct('-')) {
    c.next();
    const b = parseScalar(c, t);
    const hi = b.n as number;
    if (hi < lo) c.fail(b.tok, `an upper end not below ${lo}`, undefined, 'Range has zero or negative size');
    return { atom: { lo, hi }, ranged: true, tok: first };
  }
  return { atom: { lo, hi: lo }, ranged: false, tok: first };
}

/** A concatenation of atoms, one per type (`10.0.0.2 . 80`). */
export function parseElem(c: Cursor, types: DataType[]): { elem: Elem; ranged: boolean; tok: Tok } {
  const elem: Elem = [];
  let ranged = false;
  const tok = c.peek();
  types.forEach((t, i) => {
    if (i > 0) c.expectPunct('.', 'a `.` between the parts of a concatenation');
    const a = parseAtom(c, t);
    elem.push(a.atom);
    ranged = ranged || a.ranged;
  });
  return { elem, ranged, tok };
}
