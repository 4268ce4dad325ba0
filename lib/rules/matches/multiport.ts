/** 'multiport': up to 15 ports (a range counts twice) in --sports/--dports/--ports. */
import type { MatchModule } from '../model';
import type { MultiportMatchOpts } from '../opts';
import { neg } from './util';

function inList(port: number, ports: Array<[number, number]>): boolean {
  for (let i = 0; i < ports.length; i++) if (port >= ports[i][0] && port <= ports[i][1]) return true;
  return false;
}

export const multiportMatch: MatchModule<MultiportMatchOpts> = {
  name: 'multiport',
  match(o, ctx) {
    const p = ctx.packet;
    if (p.proto === 'icmp') return false;
    const hit = o.dir === 'src' ? inList(p.sport, o.ports)
      : o.dir === 'dst' ? inList(p.dport, o.ports)
      : inList(p.sport, o.ports) || inList(p.dport, o.ports);
    return hit !== o.invert;
  },
  toIptables(o) {
    const opt = o.dir === 'src' ? '--sports' : o.dir === 'dst' ? '--dports' : '--ports';
    const list = o.ports.map(([a, b]) => (a === b ? String(a) : `${a}:${b}`)).join(',');
    return `-m multiport ${neg(o)}${opt} ${list}`;
  },
};
