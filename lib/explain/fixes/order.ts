/** Rule order and state: a shadowed rule moves up, a disabled one is enabled. */
import type { FixGenerator, Candidate } from './index';
import { findDisabled, findRule } from './util';

export const ruleOrderFixes: FixGenerator = {
  name: 'rule-order',
  causes: ['shadowed-rule', 'disabled-rule'],
  generate(ctx, d) {
    const out: Candidate[] = [];
    if (d.cause === 'disabled-rule') {
      const r = findDisabled(ctx.sim, d.other);
      if (r) out.push({ kind: 'enable-rule', edits: [{ op: 'enable', rule: r }] });
      return out;
    }
    const q = findRule(ctx.sim, d.other);
    const r = findRule(ctx.sim, d.rule);
    if (q && r) out.push({ kind: 'move-rule', edits: [{ op: 'move', rule: q, before: r }] });
    return out;
  },
};
