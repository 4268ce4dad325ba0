/**
 * explain(): the stage between sim and story. It takes what the simulator
 * made of a scenario (scenario, ruleset, trace), says why the connection
 * failed and which rule changes fix it, each change simulated.
 *   explain(sim) -> { outcome, diagnosis?, fixes }
 *   applyFix(sim, fix) -> the fixed scenario simulated
 */
import type { SimResult } from '../index';
import { ExplainContext, simulateWith } from './context';
import { diagnose } from './diagnose';
import { findFixes } from './search';
import type { Explanation, Fix } from './types';

export function explain(sim: SimResult): Explanation {
  if (sim.trace.outcome === 'established') return { outcome: sim.trace.outcome, fixes: [] };
  const ctx = new ExplainContext(sim);
  const diagnosis = diagnose(ctx);
  const fixes = diagnosis ? findFixes(ctx) : [];
  return { outcome: sim.trace.outcome, diagnosis, fixes };
}

/** The scenario with a fix's rules, simulated (the "after" story). */
export function applyFix(sim: SimResult, fix: Fix): SimResult {
  const fixed = simulateWith(sim.scenario, fix.rules);
  if (!fixed) throw new Error('internal: a proposed fix does not parse');
  return fixed;
}

export { diagnosisText, fixText, fixOutcomeText } from './text';
export { registerWriter, writerFor } from './writers';
export { GENERATORS } from './fixes';
export { DETECTORS, findFatal } from './diagnose';
export type { Explanation, Diagnosis, Fix, CauseCode, DialectWriter, RuleEdit, RuleSpec, RuleChange, EditedRules, RulesIndex } from './types';
export { CAUSES } from './types';
