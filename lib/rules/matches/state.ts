/** 'state': the old -m state --state match (conntrack's --ctstate without SNAT/DNAT). */
import type { MatchModule } from '../model';
import type { StateMatchOpts } from '../opts';
import { neg } from './util';

export const STATE_NAMES = ['INVALID', 'NEW', 'RELATED', 'ESTABLISHED', 'UNTRACKED'];

export const stateMatch: MatchModule<StateMatchOpts> = {
  name: 'state',
  match(o, ctx) {
    return o.states.includes(ctx.ct.state) !== o.invert;
  },
  toIptables(o) {
    return `-m state ${neg(o)}--state ${o.states.join(',')}`;
  },
};
