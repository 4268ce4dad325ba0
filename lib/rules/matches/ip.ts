/** 'ip': the fields of struct ipt_ip every rule has (-s -d -p -i -o). */
import type { MatchModule } from '../model';
import type { IpMatchOpts } from '../opts';
import { compileCidr, ip4ToInt } from '../../net/addr';
import { ifaceMatches, neg } from './util';

export const ipMatch: MatchModule<IpMatchOpts> = {
  name: 'ip',
  match(o, ctx) {
    const p = ctx.packet;
    if (o.src) {
      const c = compileCidr(o.src.cidr);
      if ((((ip4ToInt(p.src) & c.mask) >>> 0) === c.net) === o.src.invert) return false;
    }
    if (o.dst) {
      const c = compileCidr(o.dst.cidr);
      if ((((ip4ToInt(p.dst) & c.mask) >>> 0) === c.net) === o.dst.invert) return false;
    }
    if (o.proto && o.proto.proto !== 'all') {
      if ((p.proto === o.proto.proto) === o.proto.invert) return false;
    }
    if (o.inIface && ifaceMatches(o.inIface.name, ctx.inIface) === o.inIface.invert) return false;
    if (o.outIface && ifaceMatches(o.outIface.name, ctx.outIface) === o.outIface.invert) return false;
    return true;
  },
  interfaces(o) {
    const out: string[] = [];
    if (o.inIface && !o.inIface.name.endsWith('+')) out.push(o.inIface.name);
    if (o.outIface && !o.outIface.name.endsWith('+')) out.push(o.outIface.name);
    return out;
  },
  toIptables(o) {
    // iptables-save order: -s -d -i -o -p.
    const parts: string[] = [];
    if (o.src) parts.push(`${neg(o.src)}-s ${o.src.cidr}`);
    if (o.dst) parts.push(`${neg(o.dst)}-d ${o.dst.cidr}`);
    if (o.inIface && !(o.inIface.name === '+' && !o.inIface.invert)) parts.push(`${neg(o.inIface)}-i ${o.inIface.name}`);
    if (o.outIface && !(o.outIface.name === '+' && !o.outIface.invert)) parts.push(`${neg(o.outIface)}-o ${o.outIface.name}`);
    if (o.proto && !(o.proto.proto === 'all' && !o.proto.invert)) parts.push(`${neg(o.proto)}-p ${o.proto.proto}`);
    return parts.join(' ');
  },
};
