/** 'addrtype': the routing table's type of the source/destination address. */
import type { MatchModule } from '../model';
import type { AddrtypeMatchOpts } from '../opts';
import { neg } from './util';

export const addrtypeMatch: MatchModule<AddrtypeMatchOpts> = {
  name: 'addrtype',
  match(o, ctx) {
    const limit = o.limitIfaceIn ? ctx.inIface : o.limitIfaceOut ? ctx.outIface : undefined;
    if (o.src && o.src.types.includes(ctx.addrType(ctx.packet.src, limit)) === o.src.invert) return false;
    if (o.dst && o.dst.types.includes(ctx.addrType(ctx.packet.dst, limit)) === o.dst.invert) return false;
    return true;
  },
  toIptables(o) {
    const parts = ['-m addrtype'];
    if (o.src) parts.push(`${neg(o.src)}--src-type ${o.src.types.join(',')}`);
    if (o.dst) parts.push(`${neg(o.dst)}--dst-type ${o.dst.types.join(',')}`);
    if (o.limitIfaceIn) parts.push('--limit-iface-in');
    if (o.limitIfaceOut) parts.push('--limit-iface-out');
    return parts.join(' ');
  },
};
