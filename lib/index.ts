/**
 * The pipeline as one call: scenario text -> Scenario -> Ruleset -> Trace.
 * The renderer, the CLI and the Hexo layer all start here.
 */
import { parseScenario, ParseOptions } from './scenario/parse';
import { parseRules } from './rules';
import { simulate } from './sim';
import { NatTraceError } from './errors';
import type { Scenario } from './scenario/types';
import type { Ruleset } from './rules/model';
import type { Trace } from './sim/trace';

export interface SimResult {
  scenario: Scenario;
  ruleset: Ruleset;
  trace: Trace;
}

export function runScenario(text: string, opts: ParseOptions = {}): SimResult {
  try {
    const scenario = parseScenario(text, opts);
    const ruleset = parseRules(scenario.rules, {
      interfaces: scenario.router.interfaces.map((i) => i.name),
      interfaceLists: scenario.router.interfaceLists,
    });
    let trace: Trace;
    try {
      trace = simulate(scenario, ruleset);
    } catch (e) {
      // The simulator names rule lines within the rules text, as the parsers do; the file line is further down.
      if (e instanceof NatTraceError) e.atOffset(scenario.rules.line - 1);
      throw e;
    }
    return { scenario, ruleset, trace };
  } catch (e) {
    if (e instanceof NatTraceError && opts.file && !e.file) e.file = opts.file;
    throw e;
  }
}

export { parseScenario, parseScenarioRaw, mergeRaw, buildScenario } from './scenario/parse';
export { parseRules } from './rules';
export { simulate } from './sim';
export { NatTraceError } from './errors';
export type { Scenario } from './scenario/types';
export type { Ruleset } from './rules/model';
export type { Trace, TraceEvent } from './sim/trace';
