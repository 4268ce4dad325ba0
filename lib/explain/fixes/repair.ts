/**
 * An accepting rule written for this connection that misses it by one
 * field: a subnet typo, an interface, the address or port before DNAT. Correcting that rule is a smaller change than adding a narrower one
 * beside it (and keeps the rule's intent: the whole subnet, not one host).
 * Only changes are proposed here; the simulator decides which one works.
 */
import type { FixGenerator, Candidate } from './index';
import type { Rule, TableName } from '../../rules/model';
import type { IpMatchOpts, PortMatchOpts } from '../../rules/opts';
import type { RuleChange } from '../types';
import { inCidr } from '../../net/addr';
import { clientAddress, clientSubnet, findRule } from './util';

function ipOpts(r: Rule): IpMatchOpts | undefined {
  return r.matches.find((m) => m.module === 'ip')?.opts as IpMatchOpts | undefined;
}
function portOpts(r: Rule): PortMatchOpts | undefined {
  return r.matches.find((m) => m.module === 'tcp' || m.module === 'udp')?.opts as PortMatchOpts | undefined;
}

export const repairAccept: FixGenerator = {
  name: 'repair-accept',
  causes: ['filter-drop', 'filter-reject', 'policy-drop', 'reject-in-place-of-server'],
  generate(ctx, d) {
    const sim = ctx.sim;
    const drop = sim.trace.steps[d.step];
    if (!drop || drop.kind !== 'drop' || !drop.hook) return [];
    const hook = drop.hook;
    const chainEv = [...sim.trace.steps.slice(0, d.step)].reverse().find((e) => e.kind === 'chain' && e.packetId === drop.packetId && e.hook === hook);
    const table = (d.rule?.table ?? 'filter') as TableName;
    const stopper = findRule(sim, d.rule);
    const rules = ctx.index.chainRules(table, stopper?.chain ?? hook);
    // Rules before the one that stops the packet (all of them under a policy).
    const upTo = stopper ? rules.indexOf(stopper) : rules.length;
    const p = drop.packet;
    const src = p.src === clientAddress(sim) ? clientSubnet(sim) ?? p.src : p.src;
    const sent = sim.scenario.trace.to;
    const dnatted = sim.trace.steps.some((e) => e.kind === 'nat' && e.packetId === 0 && e.changed?.includes('dst'));
    const out: Candidate[] = [];
    for (const r of rules.slice(0, upTo < 0 ? rules.length : upTo)) {
      if (r.target.module !== 'ACCEPT') continue;
      const ip = ipOpts(r);
      const ports = portOpts(r);
      // Only a rule written for this connection: it names its destination or its port,
      // as the packet has them here or as the client sent them (before DNAT). Others
      // have jobs of their own (a `-i lan -o wan` accept is the LAN's way out, not this
      // connection's written backwards), so they are left alone.
      const dstAimed = !!ip?.dst && !ip.dst.invert && inCidr(p.dst, ip.dst.cidr);
      const portAimed = !!ports?.dport && !ports.dport.invert && p.proto !== 'icmp' && p.dport >= ports.dport.min && p.dport <= ports.dport.max;
      const preDnat = dnatted && ((!!ip?.dst && !ip.dst.invert && inCidr(sent.ip, ip.dst.cidr)) || (!!ports?.dport && !ports.dport.invert && sent.port >= ports.dport.min && sent.port <= ports.dport.max));
      const one: RuleChange[] = [];
      if (dstAimed || portAimed) {
        if (ip?.inIface && chainEv?.inIface && ip.inIface.name !== chainEv.inIface) one.push({ setInIface: chainEv.inIface });
        if (ip?.outIface && chainEv?.outIface && ip.outIface.name !== chainEv.outIface) one.push({ setOutIface: chainEv.outIface });
        if (ip?.src) one.push({ setSrc: src });
      }
      if (dstAimed && ports?.dport && !ports.dport.invert && p.proto !== 'icmp' && !portAimed) one.push({ setDport: p.dport });
      // Written for the address and port the client used: the filter sees them after DNAT.
      if (preDnat && !dstAimed && !portAimed) {
        const change: RuleChange = {};
        if (ip?.dst) change.addDst = p.dst;
        if (ports?.dport && p.proto !== 'icmp') change.setDport = p.dport;
        if (Object.keys(change).length) one.push(change);
      }
      if (!one.length) continue;
      const all: RuleChange = Object.assign({}, ...one);
      const changes = one.length > 1 ? [...one, all] : one;
      for (const change of changes) out.push({ kind: 'repair-accept', edits: [{ op: 'change', rule: r, change }] });
    }
    return out;
  },
};
