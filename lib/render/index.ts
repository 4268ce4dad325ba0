/**
 * Figures from a simulated trace: step figures, the rule table, the sequence
 * ladder and the summary as standalone SVG strings, and the HTML around them
 * (nunjucks templates in templates/). Used by the Hexo tag and `nat-trace render`.
 */
import { join } from 'path';
import nunjucks from 'nunjucks';
import type { SimResult } from '../index';
import { buildStory } from '../story';
import { resolveLang, t, TEMPLATES_DIR } from '../story/i18n';
import { renderStep } from './step';
import { renderRules, renderSequence, renderSummary } from './views';
import { THEMES } from './theme';
import { NatTraceError, suggest } from '../errors';

export interface FigureOptions {
  lang: string;
  show: Array<'steps' | 'rules' | 'sequence' | 'summary'>;
  /** 1-based step numbers; all steps when absent. */
  steps?: number[];
  theme?: string;
  caption?: string;
}

export interface RenderedFigure {
  kind: 'step' | 'rules' | 'sequence' | 'summary';
  step?: number;
  /** The SVG root's id (content hash). */
  id: string;
  svg: string;
  alt: string;
  caption: string;
  /** The figure told in sentences, for screen readers and readers without images. */
  textSteps: string[];
}

export function renderFigures(sim: SimResult, opts: FigureOptions): RenderedFigure[] {
  if (opts.theme !== undefined && !THEMES[opts.theme]) {
    // A misspelt theme would silently give the default colours: say so instead.
    const names = Object.keys(THEMES);
    throw new NatTraceError(`unknown figure theme "${opts.theme}"`, { token: opts.theme, expected: `one of ${names.join(', ')}`, suggestion: suggest(opts.theme, names) });
  }
  const L = resolveLang(opts.lang);
  const story = buildStory(sim, L);
  const out: RenderedFigure[] = [];
  const order: FigureOptions['show'] = ['rules', 'steps', 'sequence', 'summary'];
  const show = order.filter((k) => opts.show.includes(k));
  for (const kind of show) {
    if (kind === 'steps') {
      for (const s of story.steps) {
        if (opts.steps && !opts.steps.includes(s.index)) continue;
        const r = renderStep(sim, story, s, L, opts.theme);
        out.push({
          kind: 'step', step: s.index, id: r.id, svg: r.svg,
          alt: t(L, 'figure.alt-step', { n: s.index, total: story.steps.length, title: s.title, caption: s.caption }),
          caption: opts.caption ?? s.caption, textSteps: [s.caption],
        });
      }
    } else if (kind === 'rules') {
      const r = renderRules(sim, L, opts.theme);
      out.push({ kind, id: r.id, svg: r.svg, alt: `${r.title}. ${r.lines.join('; ')}`, caption: opts.caption ?? r.title, textSteps: r.lines });
    } else if (kind === 'sequence') {
      const r = renderSequence(sim, story, L, opts.theme);
      out.push({ kind, id: r.id, svg: r.svg, alt: `${r.title}. ${r.lines.join('; ')}`, caption: opts.caption ?? r.title, textSteps: story.steps.map((s) => `${s.index}. ${s.caption}`) });
    } else {
      const r = renderSummary(sim, story, L, opts.theme);
      out.push({ kind, id: r.id, svg: r.svg, alt: `${r.title}. ${r.lines.join('; ')}`, caption: opts.caption ?? r.desc, textSteps: r.lines });
    }
  }
  return out;
}

let env: nunjucks.Environment | undefined;
function templates(): nunjucks.Environment {
  if (!env) env = new nunjucks.Environment(new nunjucks.FileSystemLoader(TEMPLATES_DIR), { autoescape: true, trimBlocks: true, lstripBlocks: true });
  return env;
}

/** HTML for a block: one <figure> per figure, inline SVG or <img>, caption, the steps as text. */
export function figureHtml(figs: RenderedFigure[], opts: { mode: 'inline' | 'file'; src?: (f: RenderedFigure) => string; lang: string; caption?: string }): string {
  const L = resolveLang(opts.lang);
  const items = figs.map((f) => ({
    kind: f.kind, step: f.step, id: f.id, alt: f.alt, textSteps: f.textSteps,
    // A block caption replaces the generated one only when the block is a single figure.
    caption: opts.caption !== undefined && figs.length === 1 ? opts.caption : f.caption,
    svg: opts.mode === 'inline' ? new nunjucks.runtime.SafeString(f.svg) : undefined,
    src: opts.mode === 'file' && opts.src ? opts.src(f) : undefined,
  }));
  const blockCaption = opts.caption !== undefined && figs.length > 1 ? opts.caption : undefined;
  return templates().render('figure.njk', { figs: items, lang: L, blockCaption, stepsLabel: t(L, 'figure.steps-list') }).trim() + '\n';
}

/** The error box shown in place of a figure (message escaped). */
export function errorHtml(message: string, lang: string): string {
  const L = resolveLang(lang);
  return templates().render('error.njk', { message, lang: L, heading: t(L, 'figure.error') }).trim() + '\n';
}

export { buildStory } from '../story';
export const TEMPLATES = join(TEMPLATES_DIR);
