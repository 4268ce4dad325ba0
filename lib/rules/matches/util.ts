/** Small helpers the match modules share (interface wildcards, iptables-save text). */
import type { CidrSpec, IfaceSpec, PortSpec } from '../opts';

/** iptables' interface test: exact name, or a prefix when the name ends in "+". */
export function ifaceMatches(pattern: string, iface: string | undefined): boolean {
  // The kernel compares against an empty name where the hook has no interface.
  const name = iface ?? '';
  const last = pattern.length - 1;
  if (pattern.charCodeAt(last) !== 43 /* + */) return name === pattern;
  // "+" alone matches everything, even no interface; "eth+" needs an "eth" prefix.
  if (name.length < last) return false;
  for (let i = 0; i < last; i++) if (name.charCodeAt(i) !== pattern.charCodeAt(i)) return false;
  return true;
}

/** "! " or "" before an option, as iptables-save prints negation. */
export function neg(inv: { invert: boolean } | undefined): string {
  return inv && inv.invert ? '! ' : '';
}

/** A port range as iptables-save prints it: "80" or "1024:65535". */
export function portText(p: { min: number; max: number }): string {
  return p.min === p.max ? String(p.min) : `${p.min}:${p.max}`;
}

export function portInSpec(port: number, p: PortSpec): boolean {
  return (port >= p.min && port <= p.max) !== p.invert;
}

/**
 * Quote a string argument the way xtables_save_string does: bare when it is
 * only [A-Za-z0-9_-], otherwise in double quotes with " \ ' escaped.
 */
export function saveString(s: string): string {
  if (/^[A-Za-z0-9_-]+$/.test(s)) return s;
  return '"' + s.replace(/["\\']/g, (c) => '\\' + c) + '"';
}

export function cidrText(c: CidrSpec): string {
  return c.cidr;
}

export function ifaceText(i: IfaceSpec): string {
  return i.name;
}
