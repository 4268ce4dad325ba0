/**
 * 'addrlist': RouterOS src-address-list / dst-address-list. Entries are
 * addresses, CIDRs or a-b ranges; the iptables serializer expands them into
 * plain rules (iptables would need ipset, which a plain restore cannot load).
 */
import type { MatchModule } from '../model';
import type { AddrListMatchOpts } from '../opts';
import { compileCidr, ip4ToInt, parseIpRange } from '../../net/addr';
import { own } from '../../dict';

/** [min, max] integer ranges of one list, compiled once per entries array. */
const listCache = new WeakMap<string[], Array<[number, number]>>();

export function compileAddressList(entries: string[]): Array<[number, number]> {
  let c = listCache.get(entries);
  if (!c) {
    c = [];
    for (const e of entries) {
      if (e.includes('-')) {
        const r = parseIpRange(e);
        if (r) c.push(r);
      } else {
        const p = compileCidr(e);
        c.push([p.net, (p.net | (~p.mask >>> 0)) >>> 0]);
      }
    }
    listCache.set(entries, c);
  }
  return c;
}

export const addrlistMatch: MatchModule<AddrListMatchOpts> = {
  name: 'addrlist',
  match(o, ctx) {
    const entries = own(ctx.addressLists, o.list);
    let hit = false;
    if (entries) {
      const n = ip4ToInt(o.dir === 'src' ? ctx.packet.src : ctx.packet.dst);
      const ranges = compileAddressList(entries);
      for (let i = 0; i < ranges.length; i++) if (n >= ranges[i][0] && n <= ranges[i][1]) { hit = true; break; }
    }
    return hit !== o.invert;
  },
  toIptables(o) {
    // Only reachable for a single-rule view; toIptablesSave expands lists properly.
    return `-m set ${o.invert ? '! ' : ''}--match-set ${o.list} ${o.dir}`;
  },
};
