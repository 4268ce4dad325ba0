/**
 * One block: resolve `from:`, run the simulator, render the figures, and turn
 * them into the HTML that replaces the tag. Results are cached in memory by a
 * hash of everything that goes into them (block text, base scenario, options,
 * plugin version), so an edit always misses the cache and live preview never
 * shows a stale figure.
 */
import { readScenarioFile } from '../files';
import { createHash } from 'crypto';
import { existsSync } from 'fs';
import { join, relative } from 'path';
import type { SimResult } from '../index';
import type { RawMap } from '../scenario/parse';
import { NatTraceError } from '../errors';
import type { RenderedFigure, FigureOptions, FigureFile, FigurePart } from '../render';
import { AUTO, darkModeKey, fileVariants } from '../render/scheme';
import { pageSvg } from '../render/pagecss';
import type { DarkMode } from '../render/scheme';
import { codeFingerprint, parseRawJson } from './diskcache';
import type { DiskCache, CacheEntry } from './diskcache';
import type { BlockArgs, ShowKind } from './args';
import type { SiteOptions } from './config';
import type { RunState } from './state';
import type { BlockSource } from './scan';
import { ByteLru, stringBytes, ownString } from './lru';
import { drawFigures } from './draw';
import type { DrawJob } from './draw';

// eslint-disable-next-line @typescript-eslint/no-var-requires
export const PLUGIN_VERSION: string = (require('../../package.json') as { version: string }).version;

/*
 * The pipeline and the renderer (YAML, simulator, jsdom, svg.js, fonts) are
 * loaded when a block first needs them: a site without blocks, or one whose
 * blocks all come from the disk cache, loads none of it.
 */
/* eslint-disable @typescript-eslint/no-var-requires */
let renderLib: typeof import('../render') | undefined;
export function renderModule(): typeof import('../render') {
  return (renderLib ??= require('../render') as typeof import('../render'));
}
let pipelineLib: typeof import('../index') | undefined;
function pipeline(): typeof import('../index') {
  return (pipelineLib ??= require('../index') as typeof import('../index'));
}
let parseLib: typeof import('../scenario/parse') | undefined;
function scenarioParse(): typeof import('../scenario/parse') {
  return (parseLib ??= require('../scenario/parse') as typeof import('../scenario/parse'));
}
let explainLib: typeof import('../explain') | undefined;
function explainModule(): typeof import('../explain') {
  return (explainLib ??= require('../explain') as typeof import('../explain'));
}
/* eslint-enable @typescript-eslint/no-var-requires */

export const DATA_EXTS = ['.yml', '.yaml', '.json'];

export interface BlockContext {
  run: RunState;
  args: BlockArgs;
  body: string;
  /** File line of the opening tag. */
  line: number;
  /** Where the body stands in the post (source filter); without it the body is taken to start on the line after the tag. */
  written?: Pick<BlockSource, 'lineOffset' | 'indent' | 'firstColumn' | 'body'>;
  site: SiteOptions;
  /** Site language fallback. */
  siteLang?: string;
  sourceDir: string;
  baseDir: string;
  /** Site `root` ("/" or "/blog/"). */
  root: string;
  /** Site `url` (with its subfolder, as Hexo has it), for absolute URLs in feeds. */
  url?: string;
  /** The disk cache of finished blocks (diskcache.ts); absent with `nat_trace: { cache: false }`. */
  cache?: DiskCache;
}

interface Rendered {
  figures: RenderedFigure[];
}

/** Figures of recently drawn blocks, bounded by their size (lru.ts). */
export const FIGURE_CACHE_BYTES = 64 * 1024 * 1024;
const cache = new ByteLru<Rendered>(FIGURE_CACHE_BYTES, (r) => {
  let n = 0;
  for (const f of r.figures) n += stringBytes(f.svg, f.narrow?.svg ?? '', f.title, f.alt, f.caption, ...(f.textSteps ?? [])) + 64;
  return n;
}, (r) => ({
  // Titles and captions can be slices of the post's text: kept as copies of their own, so the post is not held.
  figures: r.figures.map((f) => ({ ...f, svg: ownString(f.svg), title: ownString(f.title), alt: ownString(f.alt), caption: ownString(f.caption), textSteps: f.textSteps?.map((t) => ownString(t)) })),
}));

function cacheGet(key: string): Rendered | undefined {
  return cache.get(key);
}
function cachePut(key: string, v: Rendered): void {
  cache.set(key, v);
}
/** The in-memory figure cache's size now (tests). */
export function figureCacheStats(): { entries: number; bytes: number; maxBytes: number } {
  return { entries: cache.size, bytes: cache.bytes, maxBytes: cache.maxBytes };
}

export function hashText(text: string): string {
  return createHash('sha256').update(text).digest('hex');
}

/** `from:NAME`: an earlier block of this post, else source/_data/nat_trace/NAME.yml. */
/**
 * A block whose `from:` names an earlier block that failed. Its cause was
 * already reported once, so it is not a second failure: the tag shows the
 * cause again in the page (hexo server) but does not report it again.
 */
export class DependentBlockError extends NatTraceError {
  constructor(readonly baseName: string, readonly causeMessage: string | undefined) {
    super(`from:${baseName}: the block named "${baseName}" has an error, so it cannot be reused`, { token: `from:${baseName}`, expected: 'a working block' });
  }
}

/** A `from:` base: what identifies it (for the cache key) and, when needed, the base itself. */
interface FoundBase { id: string; load: () => RawMap }

function findBase(ctx: BlockContext, name: string): FoundBase {
  const { run } = ctx;
  if (run.names.has(name)) {
    const base = run.names.get(name);
    if (!base) throw new DependentBlockError(name, run.nameErrors.get(name));
    return { id: `block:${hashText(JSON.stringify(base))}`, load: () => base };
  }
  for (const ext of DATA_EXTS) {
    const file = join(ctx.sourceDir, '_data', 'nat_trace', name + ext);
    if (!existsSync(file)) continue;
    const rel = relative(ctx.baseDir, file);
    const text = readScenarioFile(file, rel);
    const hash = hashText(text);
    run.dataDeps.set(file, hash);
    return { id: `data:${rel}:${hash}`, load: () => scenarioParse().parseScenarioRaw(text, { file: rel }) };
  }
  const earlier = [...run.names.keys()];
  throw new NatTraceError(`from:${name}: no earlier block in this post is named "${name}", and there is no source/_data/nat_trace/${name}.yml`, {
    token: `from:${name}`,
    expected: earlier.length ? `one of ${earlier.join(', ')} or a data file` : 'a block named earlier in the post ({% nat_trace NAME %}) or a data file',
  });
}

export interface BlockResult {
  /** What goes into post.content: the figures deferred (render figureParts). */
  html: string;
  /** The drawings, by marker key, for the page (expand.ts). */
  parts: Map<string, FigurePart>;
  /** Every part's strings are one-byte, without a character above U+00FF (read from the disk cache as Latin-1). */
  latin1?: boolean;
}

/** SVG file name: content-addressed, so a changed figure gets a new URL (no stale browser cache). */
function figureFileName(f: RenderedFigure, svg: string): string {
  const kind = f.kind === 'step' ? `step-${f.step ?? 0}` : f.kind;
  return `${hashText(svg).slice(0, 10)}-${kind}.svg`;
}

/** A narrow sheet's file name: content-addressed, naming its first and last step ("steps-1-6"). */
function sheetFileName(group: RenderedFigure[], svg: string): string {
  const first = group[0].step ?? 0;
  const last = group[group.length - 1].step ?? 0;
  return `${hashText(svg).slice(0, 10)}-${first === last ? `step-${first}` : `steps-${first}-${last}`}-narrow.svg`;
}

/** A narrow layout's slice of its block's sheet (FigureFile without the palette variant). */
type NarrowFile = NonNullable<FigureFile['narrow']>;

/** Where file-mode SVGs of a post go: under the post's URL ("2024/x/" or "x.html" -> "x/"). */
export function postFigureDir(postPath: string): string {
  let p = postPath.replace(/^\/+/, '');
  if (p.endsWith('/') || p === '') return `${p}nat-trace/`;
  p = p.replace(/index\.html?$/, '').replace(/\.html?$/, '/');
  if (!p.endsWith('/')) p += '/';
  return `${p}nat-trace/`;
}

/** The raw scenario with its rules replaced by those of the best fix lib/explain proposes. */
function fixedScenario(merged: RawMap, parseOpts: { file: string; lineOffset: number }, sport: number | undefined): { merged: RawMap; added: string[] } {
  const sim = pipeline().runScenario('', { ...parseOpts, base: merged, sport });
  const { explain, diagnosisText } = explainModule();
  const e = explain(sim);
  if (!e.diagnosis) {
    throw new NatTraceError(`fix: the connection is already ${e.outcome}; there is nothing to fix`, { token: 'fix', expected: 'a block whose connection fails, or no fix option' });
  }
  const best = e.fixes[0];
  if (!best) {
    throw new NatTraceError(`fix: no rule change makes this connection work (${e.diagnosis.cause}: ${diagnosisText('en', sim, e.diagnosis)})`, { token: 'fix', expected: 'a failure a rule change can fix' });
  }
  const dialect = sim.scenario.rules.dialect;
  const old = merged[dialect];
  const line = old?.line ?? parseOpts.lineOffset;
  const out: RawMap = { ...merged, [dialect]: { value: best.rules, line, contentLine: old?.contentLine ?? line } };
  return { merged: out, added: best.added };
}

/** Hexo strips the body's common indentation, and a body may start on the tag's line: a column in the post, not in the stripped body. */
export function placeError(ctx: BlockContext, e: unknown): unknown {
  const w = ctx.written;
  const inBody = (line: number) => w !== undefined && line > w.lineOffset && line <= w.lineOffset + w.body.split('\n').length;
  if (e instanceof NatTraceError && w && e.column !== undefined && e.line !== undefined && (e.file === undefined || e.file === ctx.run.fileRel) && inBody(e.line)) {
    e.column += w.indent + (e.line === w.lineOffset + 1 ? w.firstColumn : 0);
  }
  return e;
}

/**
 * A block made ready up to its drawing: `done` when nothing needs drawing
 * (the disk cache, the in-memory cache), else the drawing to do (draw.ts,
 * here or in a worker: drawpool.ts) and what makes the block of its figures.
 */
export type PreparedBlock = { done: BlockResult } | { job: DrawJob; finish: (figures: RenderedFigure[]) => BlockResult; fail: (e: unknown) => unknown };

export function prepareBlock(ctx: BlockContext): PreparedBlock {
  try {
    return prepareBlockAt(ctx);
  } catch (e) {
    throw placeError(ctx, e);
  }
}

function prepareBlockAt(ctx: BlockContext): PreparedBlock {
  const { args, run } = ctx;
  const lang = args.lang ?? run.postLang ?? ctx.site.lang ?? ctx.siteLang ?? 'en';
  const show: ShowKind[] = args.show ?? ['steps'];
  const parseOpts = { file: run.fileRel, lineOffset: ctx.written ? ctx.written.lineOffset : ctx.line };

  if (args.name && run.names.has(args.name)) {
    throw new NatTraceError(`block name "${args.name}" is already used earlier in this post`, {
      token: args.name, expected: `a new name, or from:${args.name} to start from that block`,
    });
  }
  // A finished block from the disk cache: no parsing, no simulation, no drawing.
  let diskKey: string | undefined;
  if (ctx.cache) {
    let base: FoundBase | undefined;
    try {
      base = args.from ? findBase(ctx, args.from) : undefined;
      diskKey = blockKey(ctx, base?.id);
    } catch {
      // A base that is missing or failed: the block fails below, as without the cache.
    }
    const hit = diskKey === undefined ? undefined : ctx.cache.get(diskKey);
    if (hit) return { done: fromEntry(ctx, hit) };
  }
  let merged: RawMap | null = null;
  try {
    const { parseScenarioRaw, mergeRaw } = scenarioParse();
    const own = parseScenarioRaw(ctx.body, parseOpts);
    merged = args.from ? mergeRaw(findBase(ctx, args.from).load(), own) : own;
  } finally {
    if (args.name) run.names.set(args.name, merged);
  }

  const figOpts: FigureOptions = { lang, show, theme: args.theme ?? ctx.site.theme };
  if (args.fix && merged) {
    // `fix`: the same scenario with the best proposed fix; its rule table marks the new rules.
    const fixed = fixedScenario(merged, parseOpts, ctx.site.sport);
    merged = fixed.merged;
    figOpts.newRules = fixed.added;
    if (args.name) run.names.set(args.name, merged);
  }
  if (args.steps) figOpts.steps = args.steps;
  const key = hashText(JSON.stringify({
    v: PLUGIN_VERSION, merged, figOpts, sport: ctx.site.sport ?? null, file: run.fileRel,
  }));
  const rendered = cacheGet(key);
  if (rendered) return { done: finishBlock(ctx, rendered.figures, diskKey) };
  const job: DrawJob = { merged, parseOpts, sport: ctx.site.sport, figOpts, show, lang };
  return {
    job,
    finish: (figures) => {
      try {
        // With the disk cache, a block drawn again (hexo server re-rendering a
        // post) is found there: holding every drawn block in memory as well only
        // raises the build's peak memory.
        if (!ctx.cache) cachePut(key, { figures });
        return finishBlock(ctx, figures, diskKey);
      } catch (e) {
        throw placeError(ctx, e);
      }
    },
    fail: (e) => {
      // A named block that cannot be drawn: later `from:` blocks say so.
      if (args.name) run.names.set(args.name, null);
      return placeError(ctx, e);
    },
  };
}

/** The block's HTML, parts and files from its figures; the disk-cache entry written. */
function finishBlock(ctx: BlockContext, figures: RenderedFigure[], diskKey: string | undefined): BlockResult {
  const { args, run } = ctx;
  const lang = args.lang ?? run.postLang ?? ctx.site.lang ?? ctx.siteLang ?? 'en';
  const output = args.output ?? ctx.site.output;
  const theme = args.theme ?? ctx.site.theme;
  const rendered: Rendered = { figures };
  // The figures are drawn for the OS setting; the site's dark mode (its
  // config or its theme's toggle) swaps their palette rules.
  const R = renderModule();
  const dark = ctx.site.dark ?? AUTO;
  const dir = postFigureDir(run.postPath);
  const files = new Map<string, string>();
  // Which files a page shows and which only a feed does (feed.ts decides whether those are written).
  const pageFiles = new Set<string>();
  const feedUse = new Set<string>();
  const fileOf = (f: RenderedFigure, mode: DarkMode, use: Set<string> = pageFiles): string => {
    const svg = R.restyle(f.svg, f.id, theme, mode);
    const path = dir + figureFileName(f, svg);
    files.set(path, svg);
    use.add(path);
    return path;
  };
  // Feeds read post.content: every figure is a file there too, at an absolute
  // URL, in the palette of the reader's OS unless the site is light only.
  const feedMode: DarkMode = dark.kind === 'never' || dark.kind === 'always' ? dark : AUTO;
  const siteUrl = typeof ctx.url === 'string' && ctx.url ? ctx.url.replace(/\/+$/, '') : '';
  const defer = (f: RenderedFigure): string => {
    const path = fileOf(f, feedMode, feedUse);
    return siteUrl ? `${siteUrl}/${path}` : ctx.root + path;
  };
  // A step's narrow layout (render/index.ts) is a file too, in file and in inline mode: shown as an <img> where
  // it shows, it costs the page a few hundred bytes instead of a second drawing. A block's narrow layouts of
  // one width are one file (render/sheet.ts), each <img> showing its slice: a few hundred files for a blog's
  // thousands of steps.
  const sheets = new Map<string, Map<RenderedFigure, NarrowFile>>();
  const narrowFileOf = (f: RenderedFigure, mode: DarkMode): NarrowFile | undefined => {
    if (!f.narrow) return undefined;
    const modeKey = darkModeKey(mode);
    let slices = sheets.get(modeKey);
    if (!slices) {
      slices = new Map();
      sheets.set(modeKey, slices);
      const byWidth = new Map<number, RenderedFigure[]>();
      for (const g of figures) {
        if (!g.narrow) continue;
        const group = byWidth.get(g.narrow.width);
        if (group) group.push(g); else byWidth.set(g.narrow.width, [g]);
      }
      for (const group of byWidth.values()) {
        const sheet = R.narrowSheet(group.map((g) => ({ svg: R.restyle(g.narrow!.svg, g.narrow!.id, theme, mode), width: g.narrow!.width, height: g.narrow!.height })));
        const path = dir + sheetFileName(group, sheet.svg);
        files.set(path, sheet.svg);
        pageFiles.add(path);
        group.forEach((g, i) => slices!.set(g, { src: ctx.root + path, href: `${ctx.root}${path}#${sheet.slices[i].view}`, position: sheet.slices[i].position }));
      }
    }
    return slices.get(f);
  };
  let result: BlockResult;
  if (output === 'file') {
    const variants = (f: RenderedFigure): FigureFile[] => fileVariants(dark).map((v) => ({ variant: v.variant, src: ctx.root + fileOf(f, v.mode), narrow: narrowFileOf(f, v.mode) }));
    // The rules showing the light or the dark file are the page's (pagecss.ts), once.
    result = R.figureParts(rendered.figures, { mode: 'file', files: variants, lang, caption: args.caption, defer });
  } else {
    // The page's figures without the rules all figures share (the page has
    // them once, in the site's palette: pagecss.ts); the feed's files from the figures as drawn.
    const drawn = new Map<RenderedFigure, RenderedFigure>();
    const keepDesc = args.caption !== undefined;
    const figures = rendered.figures.map((f) => { const g = { ...f, svg: pageSvg(f.svg, f.id, theme, keepDesc) }; drawn.set(g, f); return g; });
    // Light and dark narrow files under a theme's toggle: the page's switch rules show one (pagecss.ts).
    const narrowFiles = (g: RenderedFigure): FigureFile[] => fileVariants(dark).flatMap((v) => {
      const file = narrowFileOf(drawn.get(g) ?? g, v.mode);
      return file ? [{ ...file, variant: v.variant }] : [];
    });
    result = R.figureParts(figures, { mode: 'inline', lang, caption: args.caption, narrowFiles, defer: (g) => defer(drawn.get(g) ?? g) });
  }
  const feedOnly = [...feedUse].filter((p) => !pageFiles.has(p));
  for (const [path, svg] of files) run.files.set(path, svg);
  for (const path of feedOnly) run.feedFiles.add(path);
  if (ctx.cache && diskKey !== undefined) {
    ctx.cache.put(diskKey, {
      html: result.html,
      parts: [...result.parts].map(([k, p]) => [k, p.body, p.text]),
      files: [...files],
      feedFiles: feedOnly,
      merged: args.name ? run.names.get(args.name) ?? undefined : undefined,
    });
  }
  return result;
}

/**
 * Everything a block's output depends on: its text and arguments, where it
 * stands (lines in messages, the post's URL in file paths), its `from:` base,
 * the site options (language, figure theme, dark mode by the site's theme,
 * output mode), the site's root and URL, and the plugin's code.
 */
function blockKey(ctx: BlockContext, baseId: string | undefined): string {
  const { run } = ctx;
  const w = ctx.written;
  return hashText(JSON.stringify({
    code: codeFingerprint(PLUGIN_VERSION), args: ctx.args, body: ctx.body, line: ctx.line,
    written: w ? [w.lineOffset, w.indent, w.firstColumn] : null, base: baseId ?? null,
    file: run.fileRel, postPath: run.postPath, postLang: run.postLang ?? null,
    site: { ...ctx.site, workers: undefined }, siteLang: ctx.siteLang ?? null, root: ctx.root, url: ctx.url ?? null,
  }));
}

/** A cached block into this post: its names for later `from:` blocks, its files. */
function fromEntry(ctx: BlockContext, e: CacheEntry): BlockResult {
  const { args, run } = ctx;
  if (args.name) run.names.set(args.name, e.merged === undefined ? null : parseRawJson(e.merged) as RawMap);
  for (const [path, svg] of e.files) run.files.set(path, svg);
  for (const path of e.feedFiles) run.feedFiles.add(path);
  return { html: e.html, parts: new Map(e.parts.map(([k, body, text]) => [k, { body, text }])), latin1: e.latin1Parts === true };
}
