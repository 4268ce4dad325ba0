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
import { renderExplain } from './explain';
import { THEMES } from './theme';
import { NatTraceError, suggest } from '../errors';
import { xmlSafe } from './xml';

export interface FigureOptions {
  lang: string;
  show: Array<'steps' | 'rules' | 'sequence' | 'summary' | 'explain'>;
  /** Rules (by their text) the rule table marks as new: the fix a `fix` block applied. */
  newRules?: string[];
  /** 1-based step numbers; all steps when absent. */
  steps?: number[];
  theme?: string;
  caption?: string;
}

export interface RenderedFigure {
  kind: 'step' | 'rules' | 'sequence' | 'summary' | 'explain';
  step?: number;
  /** The SVG root's id (content hash). */
  id: string;
  svg: string;
  /** The SVG's <title>: a short name for the figure. */
  title: string;
  /** The viewBox size, in SVG units (= CSS px at natural size). */
  width: number;
  height: number;
  alt: string;
  caption: string;
  /** The figure told in sentences, for screen readers and readers without images. */
  textSteps: string[];
}

/** Width and height of a figure from its root's viewBox (svgShell writes "0 0 W H"). */
function svgSize(svg: string): { width: number; height: number } {
  const m = /^<svg\b[^>]*?\sviewBox="0 0 (\d+) (\d+)"/.exec(svg);
  if (!m) throw new Error('nat-trace: rendered SVG without a viewBox');
  return { width: Number(m[1]), height: Number(m[2]) };
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
  const order: FigureOptions['show'] = ['rules', 'steps', 'sequence', 'summary', 'explain'];
  const show = order.filter((k) => opts.show.includes(k));
  for (const kind of show) {
    if (kind === 'steps') {
      for (const s of story.steps) {
        if (opts.steps && !opts.steps.includes(s.index)) continue;
        const r = renderStep(sim, story, s, L, opts.theme);
        out.push({
          kind: 'step', step: s.index, id: r.id, svg: r.svg, title: r.title, ...svgSize(r.svg),
          alt: t(L, 'figure.alt-step', { n: s.index, total: story.steps.length, title: s.title, caption: s.caption }),
          caption: opts.caption ?? s.caption, textSteps: [s.caption],
        });
      }
    } else if (kind === 'rules') {
      const r = renderRules(sim, L, opts.theme, opts.newRules?.length ? { added: opts.newRules } : undefined);
      out.push({ kind, id: r.id, svg: r.svg, title: r.title, ...svgSize(r.svg), alt: `${r.title}. ${r.lines.join('; ')}`, caption: opts.caption ?? r.title, textSteps: r.lines });
    } else if (kind === 'explain') {
      const r = renderExplain(sim, story, L, opts.theme);
      out.push({ kind, id: r.id, svg: r.svg, title: r.title, ...svgSize(r.svg), alt: `${r.title}. ${r.lines.join('; ')}`, caption: opts.caption ?? r.caption, textSteps: r.lines });
    } else if (kind === 'sequence') {
      const r = renderSequence(sim, story, L, opts.theme);
      out.push({ kind, id: r.id, svg: r.svg, title: r.title, ...svgSize(r.svg), alt: `${r.title}. ${r.lines.join('; ')}`, caption: opts.caption ?? r.title, textSteps: story.steps.map((s) => `${s.index}. ${s.caption}`) });
    } else {
      const r = renderSummary(sim, story, L, opts.theme);
      out.push({ kind, id: r.id, svg: r.svg, title: r.title, ...svgSize(r.svg), alt: `${r.title}. ${r.lines.join('; ')}`, caption: opts.caption ?? r.desc, textSteps: r.lines });
    }
  }
  // The figure's language on its root, so a standalone .svg (file mode, the CLI)
  // also picks the regional CJK font (the :lang() rules in theme.ts).
  for (const f of out) f.svg = f.svg.replace(/^<svg /, `<svg xml:lang="${L}" `);
  return out;
}

let env: nunjucks.Environment | undefined;
function templates(): nunjucks.Environment {
  if (!env) env = new nunjucks.Environment(new nunjucks.FileSystemLoader(TEMPLATES_DIR), { autoescape: true, trimBlocks: true, lstripBlocks: true });
  return env;
}

/**
 * The smallest text in a figure, in SVG units (the `.s` and `.mt` classes in
 * theme.ts), and the smallest size it may be drawn at in the page. A figure
 * scales down with its column until its smallest text would be drawn smaller
 * than that; below, it keeps that width and scrolls sideways in its own box
 * (a phone), so the page never does.
 */
const SMALLEST_TEXT_UNITS = 11;
const MIN_TEXT_PX = 9;

/** Narrowest a figure W units wide may be drawn, in CSS px. */
export function minFigureWidth(width: number): number {
  return Math.min(width, Math.ceil((width * MIN_TEXT_PX) / SMALLEST_TEXT_UNITS));
}

/** HTML for a block: one <figure> per figure, inline SVG or <img> in a scroll box, caption, the steps as text. */
export function figureHtml(figs: RenderedFigure[], opts: { mode: 'inline' | 'file'; src?: (f: RenderedFigure) => string; lang: string; caption?: string }): string {
  const L = resolveLang(opts.lang);
  const items = figs.map((f) => ({
    kind: f.kind, step: f.step, id: f.id, alt: f.alt, textSteps: f.textSteps, title: f.title,
    width: f.width, height: f.height, minWidth: minFigureWidth(f.width),
    // A block caption replaces the generated one only when the block is a single figure.
    caption: opts.caption !== undefined && figs.length === 1 ? opts.caption : f.caption,
    svg: opts.mode === 'inline' ? new nunjucks.runtime.SafeString(f.svg) : undefined,
    src: opts.mode === 'file' && opts.src ? opts.src(f) : undefined,
  }));
  const blockCaption = opts.caption !== undefined && figs.length > 1 ? opts.caption : undefined;
  return xmlSafe(templates().render('figure.njk', { figs: items, lang: L, blockCaption, stepsLabel: t(L, 'figure.steps-list') }).trim() + '\n');
}

/** The error box shown in place of a figure (message escaped). */
export function errorHtml(message: string, lang: string): string {
  const L = resolveLang(lang);
  return xmlSafe(templates().render('error.njk', { message, lang: L, heading: t(L, 'figure.error') }).trim() + '\n');
}

export { buildStory } from '../story';

/** How many steps the trace tells (whatever steps a figure selection keeps): for "step N does not exist". */
export function stepCount(sim: SimResult, lang: string): number {
  return buildStory(sim, resolveLang(lang)).steps.length;
}
export const TEMPLATES = join(TEMPLATES_DIR);
