/** 'iprange': --src-range/--dst-range a.b.c.d-e.f.g.h. */
import type { MatchModule } from '../model';
import type { IprangeMatchOpts } from '../opts';
import { ip4ToInt } from '../../net/addr';
import { neg } from './util';

const rangeCache = new WeakMap<object, [number, number]>();

function inRange(ip: string, r: { min: string; max: string }): boolean {
  let c = rangeCache.get(r);
  if (!c) { c = [ip4ToInt(r.min), ip4ToInt(r.max)]; rangeCache.set(r, c); }
  const n = ip4ToInt(ip);
  return n >= c[0] && n <= c[1];
}

export const iprangeMatch: MatchModule<IprangeMatchOpts> = {
  name: 'iprange',
  match(o, ctx) {
    if (o.src && inRange(ctx.packet.src, o.src) === o.src.invert) return false;
    if (o.dst && inRange(ctx.packet.dst, o.dst) === o.dst.invert) return false;
    return true;
  },
  toIptables(o) {
    const parts = ['-m iprange'];
    if (o.src) parts.push(`${neg(o.src)}--src-range ${o.src.min}-${o.src.max}`);
    if (o.dst) parts.push(`${neg(o.dst)}--dst-range ${o.dst.min}-${o.dst.max}`);
    return parts.join(' ');
  },
};
