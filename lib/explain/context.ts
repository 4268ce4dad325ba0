/**
 * The explain stage's working state: the scenario as simulated, its rules
 * writer, and a memoised "what if the rules were changed like this" that
 * reuses the whole pipeline (rules text -> parser -> simulator), so every
 * counterfactual and every fix is checked on text a reader could paste.
 */
import type { SimResult } from '../index';
import { parseRules } from '../rules';
import { simulate } from '../sim';
import type { Chain, Hook, Rule, Ruleset, TableName } from '../rules/model';
import { HOOKS } from '../rules/model';
import type { Scenario } from '../scenario/types';
import type { DialectWriter, EditedRules, RuleEdit, RulesIndex } from './types';
import { writerFor } from './writers';

export interface Attempt {
  edits: RuleEdit[];
  edited: EditedRules;
  sim: SimResult;
}

/**
 * nftables: a chain by its table key and name, or by iptables' words ("nat" or "filter", or an nft
 * table, and a hook): the first base chain there of that type (of that table), in the kernel's order.
 */
function nftChain(rs: Ruleset, table: string, chain: string): Chain | undefined {
  const own = rs.tables[table]?.[chain];
  if (own) return own;
  if (!(HOOKS as string[]).includes(chain)) return undefined;
  const at = rs.hooks?.[chain as Hook] ?? [];
  if (table === 'nat' || table === 'filter') return at.find((c) => c.base?.type === table);
  return at.find((c) => c.table === table);
}

export function rulesIndex(rs: Ruleset): RulesIndex {
  if (rs.dialect === 'nftables') {
    return {
      chainRules: (table: TableName, chain: string): Rule[] => nftChain(rs, table, chain)?.rules ?? [],
      sectionRules: (): Rule[] => [],
      chain: (table: string, chain: string) => nftChain(rs, table, chain),
    };
  }
  return {
    chainRules: (table: TableName, chain: string): Rule[] => rs.tables[table]?.[chain]?.rules ?? [],
    sectionRules(table: TableName): Rule[] {
      // RouterOS: one print order per section; dstnat rules sit in two hooks, count them once.
      const seen = new Map<number, Rule>();
      for (const c of Object.values(rs.tables[table] ?? {})) for (const r of c.rules) if (!seen.has(r.source.line)) seen.set(r.source.line, r);
      for (const r of (rs as { disabled?: Rule[] }).disabled ?? []) if (r.table === table && !seen.has(r.source.line)) seen.set(r.source.line, r);
      return [...seen.values()].sort((a, b) => (a.source.rosNumber ?? a.source.number) - (b.source.rosNumber ?? b.source.number) || a.source.line - b.source.line);
    },
  };
}

/** Simulate a scenario with other rules text; undefined when that text does not parse. */
export function simulateWith(scenario: Scenario, text: string): SimResult | undefined {
  const sc: Scenario = { ...scenario, rules: { ...scenario.rules, text } };
  try {
    const ruleset = parseRules(sc.rules, { interfaces: sc.router.interfaces.map((i) => i.name), interfaceLists: sc.router.interfaceLists });
    return { scenario: sc, ruleset, trace: simulate(sc, ruleset) };
  } catch {
    return undefined;
  }
}

export class ExplainContext {
  readonly writer: DialectWriter | undefined;
  readonly index: RulesIndex;
  private readonly memo = new Map<string, SimResult | null>();

  constructor(readonly sim: SimResult) {
    this.writer = writerFor(sim.ruleset.dialect);
    this.index = rulesIndex(sim.ruleset);
  }

  get scenario(): Scenario { return this.sim.scenario; }

  /** The rules changed by `edits`, simulated; undefined without a writer or when the text is refused. */
  attempt(edits: RuleEdit[]): Attempt | undefined {
    if (!this.writer || !edits.length) return undefined;
    let edited: EditedRules;
    try {
      edited = this.writer.apply(this.scenario.rules.text, this.index, edits);
    } catch {
      return undefined;
    }
    let sim = this.memo.get(edited.text);
    if (sim === undefined) {
      sim = simulateWith(this.scenario, edited.text) ?? null;
      this.memo.set(edited.text, sim);
    }
    return sim ? { edits, edited, sim } : undefined;
  }

  /** Simulate any rules text of this scenario (memoised). */
  simulateText(text: string): SimResult | undefined {
    let sim = this.memo.get(text);
    if (sim === undefined) {
      sim = simulateWith(this.scenario, text) ?? null;
      this.memo.set(text, sim);
    }
    return sim ?? undefined;
  }
}
