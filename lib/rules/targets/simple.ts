/** Targets without options or with only a verdict: ACCEPT, DROP, RETURN, PASSTHROUGH. */
import type { TargetModule } from '../model';
import type { NoOpts, PassthroughTargetOpts } from '../opts';

export const acceptTarget: TargetModule<NoOpts> = {
  name: 'ACCEPT',
  run: () => ({ verdict: 'ACCEPT' }),
  toIptables: () => '-j ACCEPT',
};

export const dropTarget: TargetModule<NoOpts> = {
  name: 'DROP',
  // iptables refuses DROP in the nat table ("not intended for filtering"); raw takes it.
  tables: ['filter', 'raw'],
  run: () => ({ verdict: 'DROP' }),
  toIptables: () => '-j DROP',
};

export const returnTarget: TargetModule<NoOpts> = {
  name: 'RETURN',
  run: () => ({ verdict: 'RETURN' }),
  toIptables: () => '-j RETURN',
};

/** RouterOS passthrough: count and go on. An iptables rule with no -j does the same. */
export const passthroughTarget: TargetModule<PassthroughTargetOpts> = {
  name: 'PASSTHROUGH',
  run: () => ({ verdict: 'CONTINUE', note: 'passthrough' }),
  toIptables: () => '',
};
