/**
 * A port forward that the client's packet does not match: limited to the
 * WAN interface, to one address, or written in a chain the packet never
 * crosses. Match the router's public address (or any local address)
 * instead, or move the rule to the chain the packet does cross.
 */
import type { FixGenerator, Candidate } from './index';
import { findRule } from './util';
import { hasDst, hasInIface, hasOutIface } from '../diagnose';
import type { RuleChange } from '../types';

export const portForwardMatch: FixGenerator = {
  name: 'port-forward-match',
  causes: ['dnat-wan-interface-only', 'dnat-wan-address-only', 'nat-wrong-chain'],
  generate(ctx, d) {
    const r = findRule(ctx.sim, d.rule);
    if (!r) return [];
    const addr = ctx.scenario.trace.to.ip;
    const out: Candidate[] = [];
    const change = (kind: string, c: RuleChange): void => {
      out.push({ kind, edits: [{ op: 'change', rule: r, change: c }] });
    };
    if (d.cause === 'dnat-wan-interface-only') {
      if (hasDst(r)) change('dnat-any-interface', { dropInIface: true });
      else {
        change('dnat-public-address', { dropInIface: true, addDst: addr });
        change('dnat-local-address', { dropInIface: true, addDstTypeLocal: true });
      }
    } else if (d.cause === 'dnat-wan-address-only') {
      change('dnat-public-address', { addDst: addr });
      change('dnat-local-address', { dropDst: true, addDstTypeLocal: true });
    } else if (r.target.module === 'DNAT') {
      change('nat-chain', { chain: 'PREROUTING', dropOutIface: hasOutIface(r) });
    } else {
      change('nat-chain', { chain: 'POSTROUTING', dropInIface: hasInIface(r) });
    }
    return out;
  },
};
