/**
 * The `nat_trace` block tag. Errors never escape as a Nunjucks error (whose
 * message Hexo replaces with a context dump): they are collected on the run
 * and raised as one message by after_post_render, or shown in the page when
 * errors are not fatal (hexo server).
 */
import { relative } from 'path';
import { escapeHTML } from 'hexo-util';
import { NatTraceError } from '../errors';
import { parseBlockArgs } from './args';
import type { BlockArgs } from './args';
import { prepareBlock, renderModule, DependentBlockError } from './block';
import type { BlockContext, BlockResult, PreparedBlock } from './block';
import { drawFigures } from './draw';
import { DrawPool, WorkerLost } from './drawpool';
import { checkedSiteOptions, siteLanguage } from './config';
import { fullSourceOf, blockFailure } from './filter';
import type { RunState, SiteState } from './state';
import type { HexoLike, HexoPostData } from './types';

const MARKER_RE = /^__at:(\d+):(\d+)(?::(\d+))?$/;
const OPENING_RE = /(?:\{%|<%)-?\s*nat_trace(?=[\s%-])/g;

/**
 * A block finished after those before it in its post: a marker now, its HTML
 * when its turn comes (after_post_render puts it in place: filter.ts).
 */
function waitTurn(run: RunState, turn: () => string | Promise<string>): string {
  const marker = `<!--nat-trace-wait:${run.id}:${run.waiting.size + 1}-->`;
  run.waiting.set(marker, '');
  run.chain = (run.chain ?? Promise.resolve()).then(turn).then((html) => { run.waiting.set(marker, html); });
  return marker;
}

/** A prepared block drawn in this thread. */
function renderPrepared(p: Extract<PreparedBlock, { job: unknown }>): BlockResult {
  let figures;
  try {
    figures = drawFigures(p.job);
  } catch (e) {
    throw p.fail(e);
  }
  return p.finish(figures);
}

/** "file:line: message (nat_trace block at line N)" */
export function formatBlockError(e: unknown, fileRel: string, blockLine: number): string {
  if (e instanceof NatTraceError) {
    if (!e.file) e.file = fileRel;
    if (e.line === undefined && e.file === fileRel) e.line = blockLine;
    const text = e.format();
    return e.file === fileRel && e.line === blockLine ? `${text} (nat_trace block)` : `${text} (nat_trace block at ${fileRel}:${blockLine})`;
  }
  const msg = e instanceof Error ? e.message : String(e);
  return `${fileRel}:${blockLine}: nat_trace: internal error: ${msg} (nat_trace block)`;
}

/** Line of the n-th (1-based) block opening in the raw file, when a tag carries no marker. */
function fallbackLine(run: RunState, n: number): number {
  if (!run.raw) return run.firstLine;
  let i = 0;
  for (const m of run.raw.matchAll(OPENING_RE)) {
    if (++i === n) return run.raw.slice(0, m.index).split('\n').length;
  }
  return run.firstLine;
}

export function natTraceTag(hexo: HexoLike, state: SiteState, failOnError: () => boolean) {
  return function natTrace(this: HexoPostData, args: string[], body: string): string {
    const marker = args.map((a) => MARKER_RE.exec(a)).find(Boolean);
    const source = typeof this.source === 'string' ? this.source : undefined;
    let run = state.findRun(marker ? Number(marker[1]) : undefined, source);
    const adhoc = !run;
    if (!run) {
      const full = fullSourceOf(hexo, this);
      run = state.startRun({
        source: source ?? '', fileRel: full ? relative(hexo.base_dir, full) : '(post)',
        postPath: typeof this.path === 'string' ? this.path : '', raw: typeof this.raw === 'string' ? this.raw : undefined, firstLine: 1,
      });
    }
    run.blockCount++;
    const line = marker ? Number(marker[2]) : fallbackLine(run, run.blockCount);
    // The block as written (scan.ts took it out of the post); Hexo's own
    // arguments and body only for a tag the source filter did not see.
    const written = marker && marker[3] && run.id === Number(marker[1]) ? run.sources[Number(marker[3]) - 1] : undefined;
    if (written) { args = written.args; body = written.body; }
    let lang = run.postLang ?? siteLanguage(hexo) ?? 'en';
    const parsedName = (): string | undefined => {
      try { return parseBlockArgs(args.filter((a) => !MARKER_RE.test(a))).name; } catch { return undefined; }
    };
    const errorBox = (message: string): string => {
      try {
        return renderModule().errorHtml(message, lang);
      } catch {
        // The error box must show even when the renderer itself cannot load.
        return `<div class="nat-trace-error" role="alert"><pre>${escapeHTML(message)}</pre></div>`;
      }
    };
    // A wrong `nat_trace:` config is one message about _config.yml, reported
    // once per process (index.ts reports it before generating), not per block.
    const config = checkedSiteOptions(hexo, state);
    if (config.error !== undefined) {
      const first = !config.reported;
      config.reported = true;
      if (failOnError()) {
        if (first) { if (adhoc) throw blockFailure([config.error]); run.errors.push(config.error); }
        return '';
      }
      if (first) { run.errors.push(config.error); hexo.log.error(config.error); }
      return errorBox(config.error);
    }
    const onError = (e: unknown): string => {
      const name = parsedName();
      if (e instanceof DependentBlockError) {
        // The cause was reported at its own block: show it here too, report nothing new.
        if (name) run.nameErrors.set(name, e.causeMessage ?? formatBlockError(e, run.fileRel, line));
        if (failOnError()) return '';
        return errorBox(e.causeMessage ? `${e.message}:\n${e.causeMessage}` : formatBlockError(e, run.fileRel, line));
      }
      const message = formatBlockError(e, run.fileRel, line);
      if (name) run.nameErrors.set(name, message);
      if (failOnError()) {
        if (adhoc) throw blockFailure([message]);
        run.errors.push(message);
        return '';
      }
      run.errors.push(message);
      hexo.log.error(message);
      return errorBox(message);
    };
    // A block's parts are strings of their own (render figureParts, diskcache.ts): stored without a copy.
    const accept = (res: BlockResult): string => {
      for (const [k, part] of res.parts) { state.parts.set(k, part, true, res.latin1 === true); run.partKeys.push(k); }
      return res.html;
    };
    let ctx: BlockContext;
    let parsed: BlockArgs;
    const site = config.options;
    try {
      parsed = parseBlockArgs(args.filter((a) => !MARKER_RE.test(a)));
      lang = parsed.lang ?? run.postLang ?? site.lang ?? siteLanguage(hexo) ?? 'en';
      if (written?.unclosed) {
        throw new NatTraceError('this block is not closed: no {% endnat_trace %} follows it, so it runs to the end of the post', {
          token: '{% nat_trace', expected: '{% endnat_trace %} (or <% endnat_trace %>) after the scenario',
        });
      }
      ctx = {
        run, args: parsed, body, line, site, siteLang: siteLanguage(hexo), written,
        sourceDir: hexo.source_dir, baseDir: hexo.base_dir, root: typeof hexo.config.root === 'string' ? hexo.config.root : '/',
        url: typeof hexo.config.url === 'string' ? hexo.config.url : undefined,
        cache: site.cache === false ? undefined : state.diskCache(hexo.base_dir),
      };
    } catch (e) {
      return run.chain ? waitTurn(run, () => onError(e)) : onError(e);
    }
    const drawn = (p: Extract<PreparedBlock, { job: unknown }>, via: DrawPool): Promise<BlockResult> => via.draw(p.job).then(
      (figures) => p.finish(figures),
      (e: unknown) => {
        // No worker to draw it: drawn here instead.
        if (e instanceof WorkerLost) return renderPrepared(p);
        throw p.fail(e);
      },
    );
    /**
     * The block made ready, and its drawing started in a worker, now; what it
     * gives (its HTML, or its error's box and report) is taken when the
     * returned function is called, at the block's turn. Workers only for a post
     * this process finishes (filter.ts); a tag outside one draws here.
     */
    const start = (): (() => string | Promise<string>) => {
      let p: PreparedBlock;
      try { p = prepareBlock(ctx); } catch (e) { return () => onError(e); }
      if ('done' in p) { const done = p.done; return () => accept(done); }
      const prepared = p;
      const via = adhoc ? undefined : state.drawPool(site.workers);
      if (!via) return () => { try { return accept(renderPrepared(prepared)); } catch (e) { return onError(e); } };
      const result = drawn(prepared, via);
      return () => result.then(accept, onError);
    };
    if (!run.chain) {
      // Nothing waits before this block: finished now, or when its worker answers while the post goes on.
      const out = start()();
      return typeof out === 'string' ? out : waitTurn(run, () => out);
    }
    // An earlier block waits for its drawing. A `from:` needs that block's outcome first, and once one
    // block waits whole, so does every later one (names are then taken in order).
    if (run.serial || parsed.from !== undefined) {
      run.serial = true;
      return waitTurn(run, () => start()());
    }
    return waitTurn(run, start());
  };
}
