/**
 * Figures from a simulated trace: step figures, the rule table, the sequence
 * ladder and the summary as standalone SVG strings, and the HTML around them
 * (nunjucks templates in templates/). Used by the Hexo tag and `nat-trace render`.
 */
import { layoutClass } from './pagecss';
import { createHash } from 'crypto';
import { join } from 'path';
import nunjucks from 'nunjucks';
import type { SimResult } from '../index';
import { buildStory } from '../story';
import { resolveLang, t, TEMPLATES_DIR } from '../story/i18n';
import { renderStep, stepWidth } from './step';
import { renderRules, renderSequence, renderSummary } from './views';
import { renderExplain } from './explain';
import { THEMES, restyle } from './theme';
import type { DarkMode } from './scheme';
import { NatTraceError, suggest } from '../errors';
import { xmlSafe, latin1Refs } from './xml';
import { has } from '../dict';

export interface FigureOptions {
  lang: string;
  show: Array<'steps' | 'rules' | 'sequence' | 'summary' | 'explain'>;
  /** Rules (by their text) the rule table marks as new: the fix a `fix` block applied. */
  newRules?: string[];
  /** 1-based step numbers; all steps when absent. */
  steps?: number[];
  theme?: string;
  caption?: string;
  /** When the figures use their dark palette (scheme.ts); the OS setting when absent. */
  dark?: DarkMode;
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
  /**
   * Step figures: the same step in the narrow (portrait) layout, shown
   * instead where the page column is narrower than the wide figure's
   * minimum width (a phone). Absent when it would be no narrower.
   */
  narrow?: NarrowFigure;
}

/** A figure's narrow layout: its own SVG (own id), same title, caption and text. */
export interface NarrowFigure { id: string; svg: string; width: number; height: number }

/** Width and height of a figure from its root's viewBox (svgShell writes "0 0 W H"). */
function svgSize(svg: string): { width: number; height: number } {
  const m = /^<svg\b[^>]*?\sviewBox="0 0 (\d+) (\d+)"/.exec(svg);
  if (!m) throw new Error('nat-trace: rendered SVG without a viewBox');
  return { width: Number(m[1]), height: Number(m[2]) };
}

export function renderFigures(sim: SimResult, opts: FigureOptions): RenderedFigure[] {
  if (opts.theme !== undefined && !has(THEMES, opts.theme)) {
    // A misspelt theme would silently give the default colours: say so instead.
    const names = Object.keys(THEMES);
    throw new NatTraceError(`unknown figure theme "${opts.theme}"`, { token: opts.theme, expected: `one of ${names.join(', ')}`, suggestion: suggest(opts.theme, names) });
  }
  const L = resolveLang(opts.lang);
  // The rule table needs no story: build it only for the views that tell one.
  let built: ReturnType<typeof buildStory> | undefined;
  const storyOf = (): ReturnType<typeof buildStory> => (built ??= buildStory(sim, L));
  const out: RenderedFigure[] = [];
  const order: FigureOptions['show'] = ['rules', 'steps', 'sequence', 'summary', 'explain'];
  const show = order.filter((k) => opts.show.includes(k));
  for (const kind of show) {
    if (kind === 'steps') {
      const story = storyOf();
      for (const s of story.steps) {
        if (opts.steps && !opts.steps.includes(s.index)) continue;
        const r = renderStep(sim, story, s, L, opts.theme);
        const size = svgSize(r.svg);
        // The narrow layout is drawn only when it would be kept: narrower than the wide one (its width is known before drawing).
        const n = minFigureWidth(stepWidth(sim, story, s, L, 'narrow')) < minFigureWidth(size.width) ? renderStep(sim, story, s, L, opts.theme, 'narrow') : undefined;
        out.push({
          kind: 'step', step: s.index, id: r.id, svg: r.svg, title: r.title, ...size,
          alt: t(L, 'figure.alt-step', { n: s.index, total: story.steps.length, title: s.title, caption: s.caption }),
          caption: opts.caption ?? s.caption, textSteps: [s.caption],
          narrow: n ? { id: n.id, svg: n.svg, ...svgSize(n.svg) } : undefined,
        });
      }
    } else if (kind === 'rules') {
      const r = renderRules(sim, L, opts.theme, opts.newRules?.length ? { added: opts.newRules } : undefined);
      out.push({ kind, id: r.id, svg: r.svg, title: r.title, ...svgSize(r.svg), alt: `${r.title}. ${r.lines.join('; ')}`, caption: opts.caption ?? r.title, textSteps: r.lines });
    } else if (kind === 'explain') {
      const r = renderExplain(sim, storyOf(), L, opts.theme);
      out.push({ kind, id: r.id, svg: r.svg, title: r.title, ...svgSize(r.svg), alt: `${r.title}. ${r.lines.join('; ')}`, caption: opts.caption ?? r.caption, textSteps: r.lines });
    } else if (kind === 'sequence') {
      const story = storyOf();
      const r = renderSequence(sim, story, L, opts.theme);
      out.push({ kind, id: r.id, svg: r.svg, title: r.title, ...svgSize(r.svg), alt: `${r.title}. ${r.lines.join('; ')}`, caption: opts.caption ?? r.title, textSteps: story.steps.map((s) => `${s.index}. ${s.caption}`) });
    } else {
      const r = renderSummary(sim, storyOf(), L, opts.theme);
      out.push({ kind, id: r.id, svg: r.svg, title: r.title, ...svgSize(r.svg), alt: `${r.title}. ${r.lines.join('; ')}`, caption: opts.caption ?? r.desc, textSteps: r.lines });
    }
  }
  // The figure's language on its root, so a standalone .svg (file mode, the CLI)
  // also picks the regional CJK font (the :lang() rules in theme.ts).
  const withLang = (svg: string): string => svg.replace(/^<svg /, `<svg xml:lang="${L}" `);
  for (const f of out) {
    f.svg = withLang(f.svg);
    if (f.narrow) f.narrow.svg = withLang(f.narrow.svg);
  }
  return opts.dark ? out.map((f) => restyleFigure(f, opts.theme, opts.dark as DarkMode)) : out;
}

/** A figure (and its narrow layout) under another dark mode (theme.ts restyle). */
export function restyleFigure(f: RenderedFigure, theme: string | undefined, dark: DarkMode): RenderedFigure {
  const narrow = f.narrow ? { ...f.narrow, svg: restyle(f.narrow.svg, f.narrow.id, theme, dark) } : undefined;
  return { ...f, svg: restyle(f.svg, f.id, theme, dark), narrow };
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

/** A figure file of one palette variant (scheme.ts fileVariants). */
export interface FigureFile {
  variant: 'light' | 'dark' | 'auto';
  src: string;
  /** The lightbox link, when not `src`: the slice's view of a narrow sheet (sheet.ts). */
  href?: string;
  /** The slice of a narrow sheet the <img> shows (sheet.ts SheetSlice.position). */
  position?: string;
  /** The figure's narrow layout in the same palette. */
  narrow?: Omit<FigureFile, 'variant' | 'narrow'>;
}

export interface FigureHtmlOptions {
  mode: 'inline' | 'file';
  /** File mode: the figure's file URL (one file), or its files by palette (`files` wins). */
  src?: (f: RenderedFigure) => string;
  files?: (f: RenderedFigure) => FigureFile[];
  lang: string;
  caption?: string;
  /**
   * Inline mode: the narrow layout's files. The narrow layout is then shown
   * as an <img> of its file (a few hundred bytes in the page, fetched only
   * where it shows) instead of a second inline drawing.
   */
  narrowFiles?: (f: RenderedFigure) => FigureFile[];
  /** Page CSS that shows a figure's light or dark file (file mode, or inline narrow files, under a theme's toggle). */
  switchCss?: string;
  /**
   * Deferred figures: the block's HTML holds, per figure, a marker around an
   * <img> of the URL this gives (what feeds and word counters see), and the
   * drawing goes into `parts` under a hash of it, for the Hexo plugin's
   * expandFigures to put into the page.
   */
  defer?: (f: RenderedFigure) => string;
}

/** The drawing (scroll box, hint) and the steps as text of each deferred figure. */
export interface FigurePart { body: string; text: string }

/** HTML for a block, with the drawings deferred when `opts.defer` is given. */
export function figureParts(figs: RenderedFigure[], opts: FigureHtmlOptions): { html: string; parts: Map<string, FigurePart> } {
  const L = resolveLang(opts.lang);
  const env = templates();
  const hint = t(L, 'figure.scroll-hint');
  const stepsLabel = t(L, 'figure.steps-list');
  const parts = new Map<string, FigurePart>();
  const items = figs.map((f, i) => {
    // A block caption replaces the generated one only when the block is a single figure.
    const caption = opts.caption !== undefined && figs.length === 1 ? opts.caption : f.caption;
    const files: FigureFile[] | undefined = opts.mode !== 'file' ? undefined : opts.files ? opts.files(f) : opts.src ? [{ variant: 'auto', src: opts.src(f) }] : [];
    const n = f.narrow;
    const narrowFiles = !n ? undefined : files ? files.flatMap((v) => (v.narrow ? [{ ...v.narrow, variant: v.variant }] : [])) : opts.narrowFiles?.(f);
    const narrow = n && (narrowFiles?.length || (opts.mode === 'inline' && !opts.narrowFiles)) ? {
      // Named by the title, which the drawing also shows at its top (so no lightbox caption): the caption is the <figcaption> below.
      width: n.width, height: n.height, minWidth: minFigureWidth(n.width), files: narrowFiles, alt: f.title,
      svg: narrowFiles?.length ? undefined : new nunjucks.runtime.SafeString(n.svg),
    } : undefined;
    const view = {
      kind: f.kind, step: f.step, id: f.id, alt: f.alt, lightbox: caption, textSteps: f.textSteps, title: f.title, caption,
      width: f.width, height: f.height, minWidth: minFigureWidth(f.width), files, group: `nat-trace-${f.id}`,
      svg: opts.mode === 'inline' ? new nunjucks.runtime.SafeString(f.svg) : undefined,
      // The layouts switch at the wide one's minimum width: the page's rule for that width (pagecss.ts layoutCss).
      narrow, layoutsClass: layoutClass(minFigureWidth(f.width)),
    };
    // Deferred, the caption goes with the drawing (figure.njk): in the page it is the part's copy.
    const body = env.render('figure-body.njk', { f: view, hint, switchCss: i === 0 ? opts.switchCss : undefined, withCaption: !!opts.defer }).trim();
    const text = env.render('figure-text.njk', { f: view, stepsLabel }).trim();
    const fallback = opts.defer?.(f);
    const key = fallback === undefined ? undefined : createHash('sha256').update(`${body}\0${text}`).digest('hex').slice(0, 16);
    if (key) parts.set(key, { body, text });
    return { ...view, key, fallback, body: new nunjucks.runtime.SafeString(body), text: new nunjucks.runtime.SafeString(text) };
  });
  const blockCaption = opts.caption !== undefined && figs.length > 1 ? opts.caption : undefined;
  const html = xmlSafe(env.render('figure.njk', { figs: items, lang: L, blockCaption }).trim() + '\n');
  // The drawings go only into pages (never into post.content, whose text excerpts and descriptions read):
  // there, their arrows and quotes as references keep a Latin-script page one byte a character (hexo/onebyte.ts).
  for (const part of parts.values()) { part.body = latin1Refs(xmlSafe(part.body)); part.text = latin1Refs(xmlSafe(part.text)); }
  return { html, parts };
}

/** HTML for a block: one <figure> per figure, inline SVG or <img> in a scroll box, caption, the steps as text. */
export function figureHtml(figs: RenderedFigure[], opts: FigureHtmlOptions): string {
  return figureParts(figs, { ...opts, defer: undefined }).html;
}

/** The error box shown in place of a figure (message escaped). */
export function errorHtml(message: string, lang: string): string {
  const L = resolveLang(lang);
  return xmlSafe(templates().render('error.njk', { message, lang: L, heading: t(L, 'figure.error') }).trim() + '\n');
}

export { buildStory } from '../story';
export { restyle } from './theme';
export { narrowSheet } from './sheet';

/** How many steps the trace tells (whatever steps a figure selection keeps): for "step N does not exist". */
export function stepCount(sim: SimResult, lang: string): number {
  return buildStory(sim, resolveLang(lang)).steps.length;
}
export const TEMPLATES = join(TEMPLATES_DIR);
