/** Lookups the generators share: rules by reference, the client's subnet, the router's address on a LAN. */
import type { SimResult } from '../../index';
import type { Rule, TableName } from '../../rules/model';
import type { RuleRef } from '../../sim/trace';

export function findRule(sim: SimResult, ref: RuleRef | undefined): Rule | undefined {
  if (!ref || ref.number === 0) return undefined;
  const table = sim.ruleset.tables[ref.table as TableName] ?? {};
  for (const c of Object.values(table)) {
    const r = c.rules.find((x) => x.source.line === ref.line && x.source.chainDisplay === ref.chain && x.source.number === ref.number);
    if (r) return r;
  }
  for (const c of Object.values(table)) {
    const r = c.rules.find((x) => x.source.line === ref.line);
    if (r) return r;
  }
  return undefined;
}

export function findDisabled(sim: SimResult, ref: RuleRef | undefined): Rule | undefined {
  if (!ref) return undefined;
  return ((sim.ruleset as { disabled?: Rule[] }).disabled ?? []).find((r) => r.source.line === ref.line);
}

/** The client host's subnet as CIDR ("10.30.9.0/24"). */
export function clientSubnet(sim: SimResult): string | undefined {
  const h = sim.scenario.hosts.find((x) => x.name === sim.scenario.trace.from);
  const a = h?.addresses[0];
  return a ? `${a.network}/${a.prefix}` : undefined;
}

export function clientAddress(sim: SimResult): string | undefined {
  return sim.scenario.hosts.find((x) => x.name === sim.scenario.trace.from)?.addresses[0]?.address;
}

/** The router's primary address on an interface. */
export function routerAddress(sim: SimResult, iface: string | undefined): string | undefined {
  return sim.scenario.router.interfaces.find((i) => i.name === iface)?.addresses[0]?.address;
}

/** Where the router sent the client's first packet after DNAT: server address, port, out interface. */
export function forwardedFirst(sim: SimResult): { dst: string; dport: number; outIface?: string } | undefined {
  const r = sim.trace.steps.find((e) => e.kind === 'route' && e.node === 'router' && e.packetId === 0 && e.reason === 'forward');
  return r ? { dst: r.packet.dst, dport: r.packet.dport, outIface: r.outIface } : undefined;
}

/**
 * Is `p` an answer of the traced connection (its tuple reversed, as the client's
 * first packet looked at some point of its way)? Conntrack says so when the
 * router tracks; without tracking (no rule needs it) the tuple still does.
 */
export function answersConnection(sim: SimResult, p: { proto: string; src: string; dst: string; sport: number; dport: number }): boolean {
  for (const e of sim.trace.steps) {
    if (e.packetId !== 0 || !e.packet) continue;
    const q = e.packet;
    if (q.proto === p.proto && q.src === p.dst && q.dst === p.src && q.sport === p.dport && q.dport === p.sport) return true;
  }
  return false;
}
