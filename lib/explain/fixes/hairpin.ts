/**
 * The answer bypasses the router (NAT loopback): make the router the
 * client's peer for the server by rewriting the source of LAN-to-LAN
 * forwarded traffic. Three ways, each telling the server something else:
 * masquerade for the LAN (the seed post's rule), a masquerade limited to
 * the forwarded service, or SNAT to the router's LAN address.
 */
import type { FixGenerator, Candidate } from './index';
import type { RuleSpec } from '../types';
import { clientSubnet, forwardedFirst, routerAddress, findRule } from './util';

export const hairpinMasquerade: FixGenerator = {
  name: 'hairpin-masquerade',
  causes: ['hairpin-no-masquerade', 'nat-wrong-interface'],
  generate(ctx, d) {
    const sim = ctx.sim;
    const net = clientSubnet(sim);
    const fwd = forwardedFirst(sim);
    if (!net || !fwd) return [];
    const proto = sim.scenario.trace.proto;
    const out: Candidate[] = [];
    if (d.cause === 'nat-wrong-interface') {
      // The existing rule, pointed at the interface the packets really leave by, or at any.
      const r = findRule(sim, d.rule);
      if (r && fwd.outIface) out.push({ kind: 'snat-out-interface', edits: [{ op: 'change', rule: r, change: { setOutIface: fwd.outIface } }] });
      if (r) out.push({ kind: 'snat-any-interface', edits: [{ op: 'change', rule: r, change: { dropOutIface: true } }] });
    }
    // The LAN-to-LAN masquerades answer a hairpin only: a forwarded connection whose answer bypasses the router.
    const dnatted = sim.trace.steps.some((e) => e.kind === 'nat' && e.packetId === 0 && e.changed?.includes('dst'));
    if (!dnatted) return out;
    const post = ctx.index.chainRules('nat', 'POSTROUTING');
    const top = post[0];
    const add = (kind: string, spec: RuleSpec): void => {
      out.push({ kind, edits: [{ op: 'insert', spec }] });
      // An earlier srcnat rule may take the packet first: the same rule on top.
      if (top) out.push({ kind, edits: [{ op: 'insert', spec, before: top }] });
    };
    add('masquerade-lan', { table: 'nat', chain: 'POSTROUTING', src: net, dst: net, target: { kind: 'MASQUERADE' } });
    add('masquerade-hairpin', { table: 'nat', chain: 'POSTROUTING', src: net, dst: fwd.dst, proto, dport: fwd.dport, outIface: fwd.outIface, target: { kind: 'MASQUERADE' } });
    const lan = routerAddress(sim, fwd.outIface);
    if (lan) add('snat-router-lan', { table: 'nat', chain: 'POSTROUTING', src: net, dst: fwd.dst, proto, dport: fwd.dport, outIface: fwd.outIface, target: { kind: 'SNAT', to: lan } });
    return out;
  },
};
