/**
 * The fix search: the diagnosis's generators propose edits, the simulator
 * runs each one. A candidate that makes the connection succeed is a fix if
 * every other connection of the scenario that worked still works; one that
 * gets the connection further (a later fatal step) is searched on from,
 * so a port forward limited to the WAN gets its match widened and then the
 * masquerade it also needs. Fixes are ranked smallest change first.
 */
import type { SimResult } from '../index';
import { simulate } from '../sim';
import type { Scenario, TraceSpec } from '../scenario/types';
import { ExplainContext } from './context';
import { diagnose, progress } from './diagnose';
import { generatorsFor } from './fixes';
import type { Fix, EditedRules } from './types';

/** Edits chained by the search (at most this many fixes stacked). */
const MAX_DEPTH = 3;
/** Other connections checked per fix. */
const MAX_GUARDS = 60;

interface Found {
  kinds: string[];
  edited: EditedRules;
  sim: SimResult;
}

/** Two edit steps as one change: lines added then removed cancel out. */
function combine(a: EditedRules, b: EditedRules): EditedRules {
  const added = a.added.filter((l) => !b.removed.includes(l)).concat(b.added);
  const removed = a.removed.concat(b.removed.filter((l) => !a.added.includes(l)));
  return { text: b.text, added, removed, commands: [...a.commands, ...b.commands] };
}

function searchFrom(ctx: ExplainContext, depth: number, out: Found[], seen: Set<string>): void {
  const d = diagnose(ctx);
  if (!d) return;
  const here = progress(ctx.sim);
  for (const g of generatorsFor(d.cause)) {
    for (const c of g.generate(ctx, d)) {
      const a = ctx.attempt(c.edits);
      if (!a || seen.has(a.edited.text)) continue;
      seen.add(a.edited.text);
      if (a.sim.trace.outcome === 'established') { out.push({ kinds: [c.kind], edited: a.edited, sim: a.sim }); continue; }
      if (depth + 1 >= MAX_DEPTH || progress(a.sim) <= here) continue;
      const more: Found[] = [];
      searchFrom(new ExplainContext(a.sim), depth + 1, more, seen);
      for (const m of more) out.push({ kinds: [c.kind, ...m.kinds], edited: combine(a.edited, m.edited), sim: m.sim });
    }
  }
}

/** Every other connection the scenario names: each host to each listener, and to the traced address. */
export function guardTraces(sc: Scenario): TraceSpec[] {
  const out: TraceSpec[] = [];
  const key = (t: TraceSpec): string => `${t.from} ${t.to.ip}:${t.to.port}/${t.proto}`;
  const have = new Set<string>([key(sc.trace)]);
  const push = (t: TraceSpec): void => { if (!have.has(key(t)) && out.length < MAX_GUARDS) { have.add(key(t)); out.push(t); } };
  const froms = sc.hosts.map((h) => h.name);
  for (const from of froms) {
    if (from !== sc.trace.from) push({ ...sc.trace, from });
    for (const h of sc.hosts) {
      if (h.name === from) continue;
      for (const l of h.listen) push({ from, to: { ip: h.addresses[0].address, port: l.port }, proto: l.proto, sport: sc.trace.sport });
    }
    for (const l of sc.router.listen) {
      for (const i of sc.router.interfaces) if (i.addresses[0]) push({ from, to: { ip: i.addresses[0].address, port: l.port }, proto: l.proto, sport: sc.trace.sport });
    }
  }
  return out;
}

interface GuardResult { outcome: string; server_saw: string | null }

function runGuards(sim: SimResult, traces: TraceSpec[]): GuardResult[] {
  return traces.map((t) => {
    try {
      const tr = simulate({ ...sim.scenario, trace: t }, sim.ruleset);
      return { outcome: tr.outcome, server_saw: tr.server_saw };
    } catch {
      return { outcome: 'error', server_saw: null };
    }
  });
}

export function findFixes(ctx: ExplainContext): Fix[] {
  if (!ctx.writer || ctx.sim.trace.outcome === 'established') return [];
  const found: Found[] = [];
  searchFrom(ctx, 0, found, new Set([ctx.sim.scenario.rules.text]));
  if (!found.length) return [];
  const guards = guardTraces(ctx.scenario);
  const before = runGuards(ctx.sim, guards);
  const fixes: Array<Fix & { cost: number }> = [];
  found.forEach((f, order) => {
    const after = runGuards(f.sim, guards);
    let broken = false; let changed = 0; let opened = 0;
    after.forEach((g, i) => {
      const b = before[i];
      if (b.outcome === 'established' && g.outcome !== 'established') broken = true;
      if (b.outcome === 'established' && g.outcome === 'established' && b.server_saw !== g.server_saw) changed++;
      if (b.outcome !== 'established' && g.outcome === 'established') opened++;
    });
    if (broken) return;
    // Rules touched: a rewritten rule is one change (one line out, one in), like an added one.
    const size = Math.max(f.edited.added.length, f.edited.removed.length);
    fixes.push({
      kind: f.kinds.join('+'), rules: f.edited.text, added: f.edited.added, removed: f.edited.removed, commands: f.edited.commands,
      outcome: f.sim.trace.outcome, server_saw: f.sim.trace.server_saw, checked: guards.length, changedSources: changed, opened,
      // Smallest change first; then fewer side effects; then the generators' own order.
      cost: size * 1000 + changed * 100 + opened * 10 + (f.kinds.includes('delete-rule') ? 50 : 0) + f.edited.commands.filter((c) => /place-before=|-I /.test(c)).length + order / 1000,
    });
  });
  fixes.sort((a, b) => a.cost - b.cost);
  const seen = new Set<string>();
  // One fix per idea: the same rule placed elsewhere is not another answer.
  return fixes.filter((f) => (seen.has(f.rules) || seen.has(f.kind) ? false : (seen.add(f.rules), seen.add(f.kind), true))).map(({ cost, ...f }) => { void cost; return f; });
}
