/**
 * Diagnosis: walk the trace to the first event that sealed the connection's
 * fate (a drop, an answer that bypassed the router, a missing route, a closed
 * port), then name its cause. Where the cause depends on what a rule would
 * have done (a port forward limited to the WAN, a rule shadowed by an earlier
 * one, a disabled rule, NAT on the wrong chain or interface), the simulator
 * answers by running the changed rules: no match logic is repeated here.
 * Causes are checked in order by small detectors registered in one table.
 */
import type { SimResult } from '../index';
import type { Rule } from '../rules/model';
import type { TraceEvent } from '../sim/trace';
import type { IpMatchOpts, IfaceListMatchOpts, AddrtypeMatchOpts, AddrListMatchOpts, ConntrackMatchOpts, StateMatchOpts } from '../rules/opts';
import { ruleRef } from '../sim/netfilter';
import { inCidr } from '../net/addr';
import type { Attempt } from './context';
import { ExplainContext } from './context';
import { answersConnection } from './fixes/util';
import type { CauseCode, Diagnosis, RuleChange } from './types';

export type FatalKind = 'router-drop' | 'bypass' | 'no-route' | 'arp' | 'closed' | 'other';

export interface Fatal {
  kind: FatalKind;
  event: TraceEvent;
  /** router-drop: the chain traversal that gave the verdict. */
  chain?: TraceEvent;
  /** closed/bypass: the node whose stack answered. */
  node?: string;
}

const CLIENT_RESULTS = new Set(['connected', 'refused', 'unreachable', 'timeout', 'received']);

/** Index of the client application's result (connect() returned, or the UDP answer). */
function clientCut(sim: SimResult): number {
  const client = sim.scenario.trace.from;
  const i = sim.trace.steps.findIndex((e) => e.kind === 'app' && e.node === client && CLIENT_RESULTS.has(e.result ?? ''));
  return i < 0 ? sim.trace.steps.length - 1 : i;
}

/** The first event of the trace after which the connection could no longer succeed. */
export function findFatal(sim: SimResult): Fatal | undefined {
  if (sim.trace.outcome === 'established') return undefined;
  const evs = sim.trace.steps;
  const client = sim.scenario.trace.from;
  const cut = clientCut(sim);
  for (let i = 0; i <= cut && i < evs.length; i++) {
    const e = evs[i];
    if (e.kind === 'drop' && e.node === 'router') {
      if (e.reason === 'filtered' || e.reason === 'rejected') {
        const chain = [...evs.slice(0, i)].reverse().find((c) => c.kind === 'chain' && c.packetId === e.packetId && c.hook === e.hook);
        return { kind: 'router-drop', event: e, chain };
      }
      if (e.reason === 'no-route') return { kind: 'no-route', event: e };
      return { kind: 'other', event: e };
    }
    if (e.kind === 'arp-fail') return { kind: 'arp', event: e };
    if ((e.kind === 'route' && e.reason === 'no-route') || (e.kind === 'drop' && e.reason === 'no-route')) return { kind: 'no-route', event: e };
    if (e.kind === 'deliver') {
      if (e.node === client && (e.reason === 'syn-ack-unexpected' || e.reason === 'udp-wrong-source')) {
        // The answer came straight from the server: the step is its crossing of the LAN.
        const wire = [...evs.slice(0, i)].reverse().find((w) => w.kind === 'wire' && w.packetId === e.packetId);
        // A hairpin: the router forwarded the client's packet with only its destination rewritten,
        // and the answer came back across the LAN without passing the router.
        const dnatted = evs.some((n) => n.kind === 'nat' && n.packetId === 0 && n.changed?.includes('dst'));
        // (A client reaching itself through the forward answers itself without any wire.)
        if (dnatted && (!wire || wire.node !== 'router')) return { kind: 'bypass', event: wire ?? e, node: wire?.node ?? e.node };
        return { kind: 'other', event: e };
      }
      if (e.reason === 'port-closed' || e.reason === 'no-socket') return { kind: 'closed', event: e, node: e.node };
    }
    if (e.kind === 'drop' && e.node !== 'router' && e.reason === 'not-for-me') return { kind: 'other', event: e };
  }
  const last = evs[Math.min(cut, evs.length - 1)];
  return last ? { kind: 'other', event: last } : undefined;
}

/** How far a trace got: established is best; else the later its fatal event, the further. */
export function progress(sim: SimResult): number {
  if (sim.trace.outcome === 'established') return Number.POSITIVE_INFINITY;
  const f = findFatal(sim);
  return f ? f.event.seq : -1;
}

// --- facts about rules --------------------------------------------------------

function ipOpts(r: Rule): IpMatchOpts | undefined {
  return r.matches.find((m) => m.module === 'ip')?.opts as IpMatchOpts | undefined;
}
export function hasInIface(r: Rule): boolean {
  return !!ipOpts(r)?.inIface || r.matches.some((m) => (m.module === 'ifacelist' && (m.opts as IfaceListMatchOpts).dir === 'in') || (m.module === 'addrtype' && (m.opts as AddrtypeMatchOpts).limitIfaceIn));
}
export function hasOutIface(r: Rule): boolean {
  return !!ipOpts(r)?.outIface || r.matches.some((m) => (m.module === 'ifacelist' && (m.opts as IfaceListMatchOpts).dir === 'out') || (m.module === 'addrtype' && (m.opts as AddrtypeMatchOpts).limitIfaceOut));
}
export function hasDst(r: Rule): boolean {
  return !!ipOpts(r)?.dst || r.matches.some((m) => (m.module === 'addrlist' && (m.opts as AddrListMatchOpts).dir === 'dst') || (m.module === 'addrtype' && !!(m.opts as AddrtypeMatchOpts).dst));
}
/** The interface a rule names (for captions): -i/-o or an interface list. */
export function ifaceOf(r: Rule, dir: 'in' | 'out'): string | undefined {
  const ip = ipOpts(r);
  const own = dir === 'in' ? ip?.inIface : ip?.outIface;
  if (own) return own.name;
  const list = r.matches.find((m) => m.module === 'ifacelist' && (m.opts as IfaceListMatchOpts).dir === dir);
  return list ? (list.opts as IfaceListMatchOpts).list : undefined;
}
export function dstOf(r: Rule): string | undefined {
  const d = ipOpts(r)?.dst;
  return d ? d.cidr.replace(/\/32$/, '') : undefined;
}
/** Does the rule accept ESTABLISHED (conntrack or state match)? */
export function acceptsEstablished(r: Rule): boolean {
  if (r.target.module !== 'ACCEPT') return false;
  return r.matches.some((m) => {
    if (m.module === 'conntrack') { const s = (m.opts as ConntrackMatchOpts).ctstate; return !!s && !s.invert && s.states.includes('ESTABLISHED'); }
    if (m.module === 'state') { const s = m.opts as StateMatchOpts; return !s.invert && s.states.includes('ESTABLISHED'); }
    return false;
  });
}
const DNAT_TARGETS = new Set(['DNAT']);
const SNAT_TARGETS = new Set(['SNAT', 'MASQUERADE']);

export function natRules(sim: SimResult, targets: Set<string>): Rule[] {
  const out: Rule[] = [];
  const seen = new Set<number>();
  for (const c of Object.values(sim.ruleset.tables.nat ?? {})) {
    for (const r of c.rules) if (targets.has(r.target.module) && !seen.has(r.source.line)) { seen.add(r.source.line); out.push(r); }
  }
  return out;
}

/** Did this trace's first packet get rewritten by the rule on `line` at `hook`? */
function boundBy(sim: SimResult, hook: string, line: number): boolean {
  return sim.trace.steps.some((e) => e.kind === 'nat' && e.natBy === 'rule' && e.hook === hook && e.packetId === 0 && e.rule?.line === line);
}

// --- detectors -------------------------------------------------------------------

export interface DetectorInput {
  ctx: ExplainContext;
  fatal: Fatal;
}

export interface Detector {
  cause: CauseCode | 'dnat-miss' | 'snat-miss' | 'router-drop' | 'simple';
  detect(input: DetectorInput): Diagnosis | undefined;
}

function base(cause: CauseCode, fatal: Fatal, vars: Record<string, string> = {}): Diagnosis {
  return { cause, step: fatal.event.seq, vars };
}

/** The client's first packet was taken by the router itself: was a port forward meant to take it? */
function firstPacketLocal(sim: SimResult): TraceEvent | undefined {
  const dnatted = sim.trace.steps.some((e) => e.kind === 'nat' && e.packetId === 0 && (e.hook === 'PREROUTING' || e.hook === 'OUTPUT') && e.changed?.includes('dst'));
  if (dnatted) return undefined;
  return sim.trace.steps.find((e) => e.kind === 'route' && e.node === 'router' && e.reason === 'local' && e.packetId === 0);
}

const dnatMiss: Detector = {
  cause: 'dnat-miss',
  detect({ ctx, fatal }) {
    const sim = ctx.sim;
    if (sim.scenario.trace.from === 'router') return undefined;
    const local = firstPacketLocal(sim);
    if (!local) return undefined;
    const tries: Array<{ cause: CauseCode; rule: Rule; change: RuleChange; hook: string }> = [];
    for (const r of natRules(sim, DNAT_TARGETS)) {
      if (r.chain === 'PREROUTING') {
        if (hasInIface(r)) tries.push({ cause: 'dnat-wan-interface-only', rule: r, change: { dropInIface: true }, hook: 'PREROUTING' });
        if (hasDst(r)) tries.push({ cause: 'dnat-wan-address-only', rule: r, change: { dropDst: true }, hook: 'PREROUTING' });
      } else if (r.chain !== 'OUTPUT' || sim.ruleset.dialect !== 'routeros' || r.source.chainDisplay !== 'dstnat') {
        tries.push({ cause: 'nat-wrong-chain', rule: r, change: { chain: 'PREROUTING', dropOutIface: true }, hook: 'PREROUTING' });
      }
    }
    for (const t of tries) {
      const a = ctx.attempt([{ op: 'change', rule: t.rule, change: t.change }]);
      if (!a || !boundBy(a.sim, t.hook, lineOfChanged(a, t.rule))) continue;
      const d = base(t.cause, { ...fatal, event: local }, {
        addr: sim.scenario.trace.to.ip, iface: ifaceOf(t.rule, 'in') ?? '', ruleDst: dstOf(t.rule) ?? '', chain: t.rule.source.chainDisplay,
        inIface: local.inIface ?? '',
      });
      d.rule = ruleRef(t.rule, chainOf(sim, t.rule), 'ACCEPT');
      return d;
    }
    return undefined;
  },
};

/** The line a changed rule has in the edited text (the writer keeps it unless it moved chains). */
function lineOfChanged(a: Attempt, r: Rule): number {
  const added = a.edited.added[a.edited.added.length - 1];
  const lines = a.edited.text.split('\n');
  const i = lines.findIndex((l) => l === added);
  return i >= 0 ? i + 1 : r.source.line;
}

function chainOf(sim: SimResult, r: Rule) {
  return sim.ruleset.tables[r.table][r.chain] ?? { table: r.table, name: r.chain, builtin: false, rules: [] };
}

/** A disabled rule (RouterOS disabled=yes) that, enabled, lets the connection get further. */
const disabledRule: Detector = {
  cause: 'disabled-rule',
  detect({ ctx, fatal }) {
    const disabled = (ctx.sim.ruleset as { disabled?: Rule[] }).disabled ?? [];
    const before = progress(ctx.sim);
    for (const r of disabled) {
      const a = ctx.attempt([{ op: 'enable', rule: r }]);
      if (!a || progress(a.sim) <= before) continue;
      const d = base('disabled-rule', fatal, { chain: r.source.chainDisplay });
      d.other = { table: r.table, chain: r.source.chainDisplay, number: r.source.number, rosNumber: r.source.rosNumber, text: r.source.text, line: r.source.line };
      const f = fatal.kind === 'router-drop' ? fatal.event.rule : undefined;
      if (f) d.rule = f;
      return d;
    }
    return undefined;
  },
};

const snatMiss: Detector = {
  cause: 'snat-miss',
  detect({ ctx, fatal }) {
    // A bypassed answer, or an answer the far side cannot route back (the source left untranslated).
    // The latter: the far host, not the router, cannot send its answer back.
    if (fatal.kind !== 'bypass' && ((fatal.kind !== 'no-route' && fatal.kind !== 'arp') || fatal.event.node === 'router')) return undefined;
    const here = progress(ctx.sim);
    for (const r of natRules(ctx.sim, SNAT_TARGETS)) {
      const change: RuleChange | undefined = r.chain !== 'POSTROUTING' ? { chain: 'POSTROUTING', dropInIface: true } : hasOutIface(r) ? { dropOutIface: true } : undefined;
      if (!change) continue;
      // A masquerade towards the internet is right for its own job: the hairpin needs another rule, not this one moved.
      // (Unless it names the server: then it was written for the hairpin, on the wrong interface.)
      if (fatal.kind === 'bypass' && !change.chain && towardsWan(ctx.sim, r) && !namesServer(ctx.sim, r)) continue;
      const a = ctx.attempt([{ op: 'change', rule: r, change }]);
      if (!a || !boundBy(a.sim, 'POSTROUTING', lineOfChanged(a, r))) continue;
      if (fatal.kind === 'bypass' ? progress(a.sim) <= here : a.sim.trace.outcome !== 'established') continue;
      const d = base(change.chain ? 'nat-wrong-chain' : 'nat-wrong-interface', fatal, {
        iface: ifaceOf(r, 'out') ?? '', chain: r.source.chainDisplay, server: fatal.node ?? '',
        outIface: routeOut(ctx.sim) ?? '',
      });
      d.rule = ruleRef(r, chainOf(ctx.sim, r), 'ACCEPT');
      return d;
    }
    return undefined;
  },
};

/** Does a source NAT rule's out-interface match name the WAN (the default route's interface, or the public address's)? */
function towardsWan(sim: SimResult, r: Rule): boolean {
  const sc = sim.scenario;
  const wan = new Set<string>();
  for (const i of sc.router.interfaces) if (i.addresses.some((a) => a.address === sc.trace.to.ip)) wan.add(i.name);
  for (const rt of sc.router.routes) {
    if (rt.dst !== '0.0.0.0/0') continue;
    if (rt.dev) wan.add(rt.dev);
    else if (rt.via) for (const i of sc.router.interfaces) if (i.addresses.some((a) => inCidr(rt.via as string, `${a.network}/${a.prefix}`))) wan.add(i.name);
  }
  const ip = ipOpts(r)?.outIface;
  if (ip) return ip.invert ? !wan.has(ip.name) : wan.has(ip.name.replace(/\+$/, '')) || [...wan].some((w) => ip.name.endsWith('+') && w.startsWith(ip.name.slice(0, -1)));
  const list = r.matches.find((m) => m.module === 'ifacelist' && (m.opts as IfaceListMatchOpts).dir === 'out')?.opts as IfaceListMatchOpts | undefined;
  if (list) {
    const members = sc.router.interfaceLists[list.list] ?? [];
    const hit = members.some((m) => wan.has(m));
    return list.invert ? !hit : hit;
  }
  return false;
}

/** Does a rule's destination match name the address the client's first packet was forwarded to? */
function namesServer(sim: SimResult, r: Rule): boolean {
  const dst = ipOpts(r)?.dst;
  const to = routeOut(sim) !== undefined ? sim.trace.steps.find((e) => e.kind === 'route' && e.node === 'router' && e.packetId === 0 && e.reason === 'forward')?.packet.dst : undefined;
  return !!dst && !dst.invert && !!to && dst.cidr !== '0.0.0.0/0' && inCidr(to, dst.cidr);
}

/** The interface the router sent the client's first packet out of. */
function routeOut(sim: SimResult): string | undefined {
  return sim.trace.steps.find((e) => e.kind === 'route' && e.node === 'router' && e.packetId === 0 && e.reason === 'forward')?.outIface;
}

const hairpin: Detector = {
  cause: 'hairpin-no-masquerade',
  detect({ ctx, fatal }) {
    if (fatal.kind !== 'bypass') return undefined;
    return base('hairpin-no-masquerade', fatal, { server: fatal.node ?? '', addr: ctx.scenario.trace.to.ip, outIface: routeOut(ctx.sim) ?? '' });
  },
};

/** Facts of a router drop: the rule or policy, the chain, the direction. */
function dropFacts(ctx: ExplainContext, fatal: Fatal): { rule?: Rule; reply: boolean; verdict: string } {
  const e = fatal.event;
  const ref = e.rule;
  const chains = ctx.sim.ruleset.tables[ref?.table ?? 'filter'] ?? {};
  let rule: Rule | undefined;
  if (ref && ref.number > 0) {
    for (const c of Object.values(chains)) {
      rule = c.rules.find((r) => r.source.line === ref.line && r.source.chainDisplay === ref.chain && r.source.number === ref.number) ?? rule;
      if (rule) break;
    }
  }
  const ct = [...ctx.sim.trace.steps.slice(0, e.seq)].reverse().find((c) => c.kind === 'conntrack' && c.packetId === e.packetId);
  const reply = ct?.dir === 'reply' || ct?.ctState === 'ESTABLISHED' || ct?.ctState === 'RELATED' || (!ct && answersConnection(ctx.sim, e.packet));
  return { rule, reply, verdict: fatal.chain?.verdict ?? 'DROP' };
}

/** A catch-all: no ports, addresses or address lists, only interfaces and states. */
function broad(r: Rule): boolean {
  const ip = ipOpts(r);
  if (ip?.src || ip?.dst) return false;
  return !r.matches.some((m) => ['tcp', 'udp', 'multiport', 'iprange', 'addrlist', 'icmp'].includes(m.module));
}

const missingEstablished: Detector = {
  cause: 'missing-established',
  detect({ ctx, fatal }) {
    if (fatal.kind !== 'router-drop') return undefined;
    const { reply, rule } = dropFacts(ctx, fatal);
    if (!reply) return undefined;
    // A rule aimed at these answers (their ports or addresses) is a choice, not a missing accept.
    if (rule && !broad(rule)) return undefined;
    const hook = fatal.event.hook;
    const chain = hook ? ctx.sim.ruleset.tables.filter?.[hook] : undefined;
    if (!chain || chain.rules.some(acceptsEstablished)) return undefined;
    const d = base('missing-established', fatal, { chain: fatal.event.rule?.chain ?? hook ?? '', node: fatal.event.packet.src });
    d.rule = fatal.event.rule;
    return d;
  },
};

/** A later ACCEPT rule of the same chain that, moved before the dropping rule, lets the packet on. */
const shadowed: Detector = {
  cause: 'shadowed-rule',
  detect({ ctx, fatal }) {
    if (fatal.kind !== 'router-drop') return undefined;
    const { rule } = dropFacts(ctx, fatal);
    if (!rule) return undefined;
    const chain = ctx.sim.ruleset.tables[rule.table][rule.chain];
    const before = progress(ctx.sim);
    const at = chain.rules.indexOf(rule);
    for (const q of chain.rules.slice(at + 1)) {
      if (q.target.module !== 'ACCEPT' && !(q.target.module === 'JUMP')) continue;
      const a = ctx.attempt([{ op: 'move', rule: q, before: rule }]);
      if (!a || progress(a.sim) <= before) continue;
      const d = base('shadowed-rule', fatal, { chain: rule.source.chainDisplay });
      d.rule = fatal.event.rule;
      d.other = ruleRef(q, chain, 'ACCEPT');
      return d;
    }
    return undefined;
  },
};

const routerDrop: Detector = {
  cause: 'router-drop',
  detect({ ctx, fatal }) {
    if (fatal.kind !== 'router-drop') return undefined;
    const ref = fatal.event.rule;
    const { verdict } = dropFacts(ctx, fatal);
    const vars = { chain: ref?.chain ?? fatal.event.hook ?? '', hook: fatal.event.hook ?? '', table: ref?.table ?? 'filter' };
    let cause: CauseCode;
    if (verdict.startsWith('REJECT')) {
      // The router's answer takes the server's name: the client sees "refused" where a reset or port unreachable comes back.
      const sent = ctx.sim.trace.steps.find((e) => e.seq > fatal.event.seq && e.kind === 'send' && e.node === 'router');
      const p = sent?.packet;
      const inPlace = !!p && ((p.proto === 'tcp' && !!p.flags?.rst) || (p.proto === 'icmp' && p.icmp?.code === 3));
      cause = inPlace && ctx.sim.trace.outcome === 'refused' ? 'reject-in-place-of-server' : 'filter-reject';
    } else {
      cause = !ref || ref.number === 0 ? 'policy-drop' : 'filter-drop';
    }
    const d = base(cause, fatal, vars);
    d.rule = ref;
    return d;
  },
};

const simple: Detector = {
  cause: 'simple',
  detect({ ctx, fatal }) {
    const e = fatal.event;
    switch (fatal.kind) {
      case 'no-route': return base('no-route', fatal, { node: e.node, dst: e.packet.dst });
      case 'arp': return base('arp-failure', fatal, { node: e.node, nextHop: e.nextHop ?? '', iface: e.iface ?? '' });
      case 'closed': return base('no-listener', fatal, { node: e.node, port: String(e.packet.dport), proto: e.packet.proto, dst: e.packet.dst });
      default: return base('other', fatal, { node: e.node, reason: e.reason ?? e.kind, client: ctx.scenario.trace.from });
    }
  },
};

/** In order: the most specific explanation first. */
export const DETECTORS: Detector[] = [dnatMiss, disabledRule, snatMiss, hairpin, missingEstablished, shadowed, routerDrop, simple];

export function diagnose(ctx: ExplainContext): Diagnosis | undefined {
  const fatal = findFatal(ctx.sim);
  if (!fatal) return undefined;
  for (const d of DETECTORS) {
    const found = d.detect({ ctx, fatal });
    if (found) return found;
  }
  return undefined;
}
