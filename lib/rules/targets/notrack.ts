/**
 * 'NOTRACK': iptables -j NOTRACK and -j CT --notrack (xt_CT.c), RouterOS
 * /ip firewall raw action=notrack. The packet gets the "untracked" conntrack
 * mark: conntrack's own hook then leaves it alone (no entry, no NAT, ct state
 * UNTRACKED). Not terminating: the chain goes on (XT_CONTINUE). Raw table only.
 */
import type { TargetModule } from '../model';

export interface NotrackTargetOpts {
  /** How the author wrote it (iptables-save keeps each form): -j NOTRACK or -j CT --notrack. */
  form: 'NOTRACK' | 'CT';
}

export const notrackTarget: TargetModule<NotrackTargetOpts> = {
  name: 'NOTRACK',
  tables: ['raw'],
  hooks: ['PREROUTING', 'OUTPUT'],
  run(_o, ctx) {
    ctx.notrack();
    return { verdict: 'CONTINUE', note: 'NOTRACK' };
  },
  toIptables: (o) => (o.form === 'NOTRACK' ? '-j NOTRACK' : '-j CT --notrack'),
};
