/** 'ifacelist': RouterOS in-interface-list / out-interface-list. */
import type { MatchModule } from '../model';
import type { IfaceListMatchOpts } from '../opts';
import { ifaceMatches } from './util';
import { own } from '../../dict';

/** Members of a list; RouterOS's built-in "all" and "none" when the scenario does not define them. */
export function listMembers(list: string, lists: Record<string, string[]>): string[] | 'all' {
  const m = own(lists, list);
  if (m) return m;
  // RouterOS's built-in lists: every interface of a scenario is a static one
  // (no PPP or VPN interfaces come and go), so `static` is `all` and `dynamic` is empty.
  if (list === 'all' || list === 'static') return 'all';
  return [];
}

export const ifacelistMatch: MatchModule<IfaceListMatchOpts> = {
  name: 'ifacelist',
  match(o, ctx) {
    const iface = o.dir === 'in' ? ctx.inIface : ctx.outIface;
    const members = listMembers(o.list, ctx.interfaceLists);
    let hit = false;
    if (members === 'all') hit = iface !== undefined && iface !== '';
    else for (let i = 0; i < members.length; i++) if (ifaceMatches(members[i], iface)) { hit = true; break; }
    return hit !== o.invert;
  },
  toIptables(o) {
    // Only a fallback; toIptablesSave expands lists into plain -i/-o rules.
    return `-m comment --comment ${JSON.stringify(`${o.invert ? '!' : ''}${o.dir}-interface-list=${o.list}`)}`;
  },
};
