/**
 * A filter verdict that ends the connection: accept this connection just
 * before the rule (or at the end of a chain whose policy drops), accept the
 * answers of established connections, or take the rule out.
 */
import type { FixGenerator, Candidate } from './index';
import type { Rule, TableName } from '../../rules/model';
import { answersConnection, findRule } from './util';

export const filterFixes: FixGenerator = {
  name: 'filter',
  causes: ['filter-drop', 'filter-reject', 'policy-drop', 'missing-established', 'reject-in-place-of-server'],
  generate(ctx, d) {
    const sim = ctx.sim;
    const drop = sim.trace.steps[d.step];
    if (!drop || drop.kind !== 'drop') return [];
    const hook = drop.hook;
    if (!hook) return [];
    const chainEv = [...sim.trace.steps.slice(0, d.step)].reverse().find((e) => e.kind === 'chain' && e.packetId === drop.packetId && e.hook === hook);
    const rule = findRule(sim, d.rule);
    const table = (d.rule?.table ?? 'filter') as TableName;
    const chain = rule?.chain ?? hook;
    const first: Rule | undefined = ctx.index.chainRules(table, hook)[0];
    const out: Candidate[] = [];
    const ct = [...sim.trace.steps.slice(0, d.step)].reverse().find((e) => e.kind === 'conntrack' && e.packetId === drop.packetId);
    const reply = ct?.dir === 'reply' || ct?.ctState === 'ESTABLISHED' || ct?.ctState === 'RELATED' || (!ct && answersConnection(sim, drop.packet));
    // An answer is let through as part of its connection, never by its ephemeral port.
    if (d.cause === 'missing-established' || reply) {
      out.push({ kind: 'accept-established', edits: [{ op: 'insert', before: first, spec: { table, chain: hook, ctstate: ['ESTABLISHED', 'RELATED'], target: { kind: 'ACCEPT' } } }] });
      return out;
    }
    const p = drop.packet;
    const inIface = chainEv?.inIface;
    const spec = {
      table, chain, proto: p.proto === 'icmp' ? undefined : p.proto, dst: p.dst,
      dport: p.proto === 'icmp' ? undefined : p.dport, inIface: inIface && inIface !== 'lo' ? inIface : undefined,
      target: { kind: 'ACCEPT' as const },
    };
    out.push({ kind: 'accept-connection', edits: [{ op: 'insert', spec, before: rule }] });
    if (rule) out.push({ kind: 'delete-rule', edits: [{ op: 'delete', rule }] });
    return out;
  },
};
