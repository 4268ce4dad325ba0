/**
 * show:explain — one figure and its caption: why the connection fails (the
 * cause, at the step where it was sealed) and the proposed fix as the rule
 * table with the fix applied, the new rules marked. Without a fix, the step
 * itself is drawn; a connection that works gets its summary.
 */
import type { SimResult } from '../index';
import type { Story } from '../story';
import { t, Lang } from '../story/i18n';
import { explain, applyFix, diagnosisText, fixText, fixOutcomeText } from '../explain';
import { renderRules, renderSummary } from './views';
import { renderStep } from './step';

export interface ExplainFigure {
  svg: string;
  id: string;
  title: string;
  caption: string;
  lines: string[];
  /** Story step (1-based) where the connection's fate was sealed. */
  step?: number;
}

export function renderExplain(sim: SimResult, story: Story, L: Lang, theme: string | undefined): ExplainFigure {
  const e = explain(sim);
  if (!e.diagnosis) {
    const r = renderSummary(sim, story, L, theme);
    const caption = t(L, 'explain.ok');
    return { svg: r.svg, id: r.id, title: r.title, caption, lines: [caption, ...r.lines] };
  }
  const d = e.diagnosis;
  // The figure step that holds the sealing event (or the last one before it).
  const seq = d.step;
  const step = story.steps.find((s) => s.events.includes(seq))
    ?? [...story.steps].reverse().find((s) => s.kind !== 'outcome' && s.events.some((x) => x <= seq))
    ?? story.steps[story.steps.length - 1];
  const cause = t(L, 'explain.at-step', { n: step.index, text: diagnosisText(L, sim, d) });
  const fix = e.fixes[0];
  if (!fix) {
    const r = renderStep(sim, story, step, L, theme);
    const noFix = t(L, 'explain.no-fix');
    return { svg: r.svg, id: r.id, title: t(L, 'explain.title'), caption: `${cause}${t(L, 'sep')}${noFix}`, lines: [cause, noFix], step: step.index };
  }
  const fixed = applyFix(sim, fix);
  const r = renderRules(fixed, L, theme, { added: fix.added, title: t(L, 'explain.fixed-rules') });
  const head = t(L, 'explain.fix-head', { text: fixText(L, fix) });
  const outcome = fixOutcomeText(L, fix);
  const lines = [cause, head, ...fix.removed.map((l) => `− ${l}`), ...fix.added.map((l) => `+ ${l}`), outcome];
  if (fix.checked) lines.push(t(L, 'explain.others', { n: fix.checked }));
  return { svg: r.svg, id: r.id, title: r.title, caption: [cause, head, outcome].join(t(L, 'sep')), lines, step: step.index };
}
