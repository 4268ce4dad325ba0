/**
 * Fix candidate generators, one small module per idea, registered by the
 * causes they answer. A generator only proposes edits; the search
 * (../search.ts) simulates every one and keeps those that work.
 */
import type { CauseCode, Diagnosis, RuleEdit } from '../types';
import type { ExplainContext } from '../context';
import { hairpinMasquerade } from './hairpin';
import { portForwardMatch } from './dnat';
import { filterFixes } from './filter';
import { repairAccept } from './repair';
import { ruleOrderFixes } from './order';

export interface Candidate {
  /** Stable id of the idea ("masquerade-lan"); names the fix's text in templates/i18n. */
  kind: string;
  edits: RuleEdit[];
}

export interface FixGenerator {
  name: string;
  causes: CauseCode[];
  generate(ctx: ExplainContext, d: Diagnosis): Candidate[];
}

export const GENERATORS: FixGenerator[] = [hairpinMasquerade, portForwardMatch, ruleOrderFixes, repairAccept, filterFixes];

const byCause = new Map<CauseCode, FixGenerator[]>();
for (const g of GENERATORS) for (const c of g.causes) byCause.set(c, [...(byCause.get(c) ?? []), g]);

export function generatorsFor(cause: CauseCode): FixGenerator[] {
  return byCause.get(cause) ?? [];
}
