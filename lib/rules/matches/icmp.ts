/** 'icmp': --icmp-type type[/code]; type 255 is iptables' "any". */
import type { MatchModule } from '../model';
import type { IcmpMatchOpts } from '../opts';
import { neg } from './util';

export const icmpMatch: MatchModule<IcmpMatchOpts> = {
  name: 'icmp',
  match(o, ctx) {
    const p = ctx.packet;
    if (p.proto !== 'icmp') return false;
    let hit: boolean;
    if (o.type === 255) hit = true;
    else {
      const t = p.icmp ? p.icmp.type : 8;
      const c = p.icmp ? p.icmp.code : 0;
      hit = t === o.type && (o.code === undefined || c === o.code);
    }
    return hit !== o.invert;
  },
  toIptables(o) {
    const t = o.type === 255 && o.code === undefined ? 'any' : o.code === undefined ? String(o.type) : `${o.type}/${o.code}`;
    return `-m icmp ${neg(o)}--icmp-type ${t}`;
  },
};
