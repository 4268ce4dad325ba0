/** 'JUMP' and 'GOTO': into a user chain (-j CHAIN / -g CHAIN). */
import type { TargetModule } from '../model';
import type { JumpTargetOpts } from '../opts';

export const jumpTarget: TargetModule<JumpTargetOpts> = {
  name: 'JUMP',
  run: (o) => ({ verdict: 'JUMP', chain: o.chain }),
  toIptables: (o) => `-j ${o.chain}`,
};

export const gotoTarget: TargetModule<JumpTargetOpts> = {
  name: 'GOTO',
  run: (o) => ({ verdict: 'GOTO', chain: o.chain }),
  toIptables: (o) => `-g ${o.chain}`,
};
