/** Reader-facing sentences of an explanation, from templates/i18n (explain.*), in every language. */
import type { SimResult } from '../index';
import { t, tMaybe, Lang } from '../story/i18n';
import { nodeName, ruleName } from '../story/caption';
import type { RuleRef } from '../sim/trace';
import type { Diagnosis, Fix } from './types';

function ruleText(L: Lang, sim: SimResult, r: RuleRef | undefined): string {
  if (!r) return '';
  const name = ruleName(L, sim, r);
  return r.number === 0 && !r.rosNumber ? name : `${name} ${t(L, 'rule.quote', { text: r.text })}`;
}

const NODE_VARS = ['client', 'server', 'node'];

export function diagnosisText(L: Lang, sim: SimResult, d: Diagnosis): string {
  const vars: Record<string, string> = { client: sim.scenario.trace.from, addr: sim.scenario.trace.to.ip };
  for (const [k, v] of Object.entries(d.vars)) if (v !== '') vars[k] = v;
  for (const k of NODE_VARS) if (vars[k]) vars[k] = nodeName(L, sim, vars[k]);
  vars.rule = ruleText(L, sim, d.rule);
  vars.other = ruleText(L, sim, d.other);
  return t(L, `explain.cause.${d.cause}`, vars);
}

/** "masquerade traffic from the LAN to the LAN; then ..." for a fix's chain of ideas. */
export function fixText(L: Lang, fix: Fix): string {
  return fix.kind.split('+').map((k) => tMaybe(L, `explain.fix.${k}`) ?? k).join(t(L, 'explain.fix.then'));
}

export function fixOutcomeText(L: Lang, fix: Fix): string {
  return t(L, 'explain.outcome', { outcome: t(L, `outcome.${fix.outcome}`), saw: fix.server_saw ?? t(L, 'explain.nothing') });
}
