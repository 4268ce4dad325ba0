/** 'tcp' and 'udp': --sport/--dport, and for tcp --tcp-flags/--syn. */
import type { MatchModule } from '../model';
import type { PortMatchOpts } from '../opts';
import type { Packet } from '../../sim/packet';
import { neg, portInSpec, portText } from './util';
import { dict } from '../../dict';

export const TCP_FLAG_BITS: Record<string, number> = dict({ FIN: 1, SYN: 2, RST: 4, PSH: 8, ACK: 16, URG: 32, ALL: 63, NONE: 0 });

function flagBits(names: string[]): number {
  let b = 0;
  for (const n of names) b |= TCP_FLAG_BITS[n] ?? 0;
  return b;
}

// Flag masks are compiled once per rule, not per packet.
const flagCache = new WeakMap<object, [number, number]>();

function packetFlagBits(p: Packet): number {
  const f = p.flags;
  if (!f) return 0;
  return (f.fin ? 1 : 0) | (f.syn ? 2 : 0) | (f.rst ? 4 : 0) | (f.psh ? 8 : 0) | (f.ack ? 16 : 0);
}

function makePortMatch(proto: 'tcp' | 'udp'): MatchModule<PortMatchOpts> {
  return {
    name: proto,
    match(o, ctx) {
      const p = ctx.packet;
      if (p.proto !== proto) return false;
      if (o.sport && !portInSpec(p.sport, o.sport)) return false;
      if (o.dport && !portInSpec(p.dport, o.dport)) return false;
      if (o.tcpFlags) {
        let c = flagCache.get(o.tcpFlags);
        if (!c) { c = [flagBits(o.tcpFlags.mask), flagBits(o.tcpFlags.comp)]; flagCache.set(o.tcpFlags, c); }
        if (((packetFlagBits(p) & c[0]) === c[1]) === o.tcpFlags.invert) return false;
      }
      return true;
    },
    toIptables(o) {
      const parts = [`-m ${proto}`];
      if (o.sport) parts.push(`${neg(o.sport)}--sport ${portText(o.sport)}`);
      if (o.dport) parts.push(`${neg(o.dport)}--dport ${portText(o.dport)}`);
      if (o.tcpFlags) parts.push(`${neg(o.tcpFlags)}--tcp-flags ${o.tcpFlags.mask.join(',')} ${o.tcpFlags.comp.length ? o.tcpFlags.comp.join(',') : 'NONE'}`);
      return parts.join(' ');
    },
  };
}

export const tcpMatch = makePortMatch('tcp');
export const udpMatch = makePortMatch('udp');
