/**
 * before_post_render / after_post_render: open and close a render run for each
 * post (see state.ts), rewrite the `<% nat_trace %>` spelling and mark each
 * tag with its line (scan.ts); at the end, raise the post's block errors as
 * one message when errors are fatal.
 */
import { existsSync, readFileSync } from 'fs';
import { extname, join, relative } from 'path';
import { rewriteSource, bodyFirstLine } from './scan';
import type { HexoLike, HexoPostData } from './types';
import type { RunState, SiteState } from './state';

const MARKDOWN_EXTS = ['md', 'markdown', 'mkd', 'mkdn', 'mdwn', 'mdtxt', 'mdtext'];

/** Posts whose renderer is the Markdown one (the `<% %>` spelling would mean EJS elsewhere). */
export function isMarkdownPost(hexo: HexoLike, source: string, engine?: string): boolean {
  const ext = (engine || extname(source).slice(1)).toLowerCase();
  if (!ext) return false;
  if (MARKDOWN_EXTS.includes(ext)) return true;
  const md = hexo.extend.renderer.get('md');
  return md != null && hexo.extend.renderer.get(ext) === md;
}

/** Hexo renders no tags in this post (its renderer or its front matter says so, as in Hexo's post.js). */
function nunjucksDisabled(hexo: HexoLike, source: string, data: HexoPostData): boolean {
  if (typeof data.disableNunjucks === 'boolean') return data.disableNunjucks;
  const ext = (data.engine || extname(source).slice(1)).toLowerCase();
  const renderer = ext ? hexo.extend.renderer.get(ext) as { disableNunjucks?: boolean } | undefined : undefined;
  return !!renderer && renderer.disableNunjucks === true;
}

export function fullSourceOf(hexo: HexoLike, data: HexoPostData): string | undefined {
  if (typeof data.full_source === 'string' && data.full_source) return data.full_source;
  if (typeof data.source === 'string' && data.source) return join(hexo.source_dir, data.source);
  return undefined;
}

export function beforePostRender(hexo: HexoLike, state: SiteState) {
  return function natTraceBeforePostRender(data: HexoPostData): HexoPostData {
    const source = typeof data.source === 'string' ? data.source : '';
    const content = typeof data.content === 'string' ? data.content : '';
    const full = fullSourceOf(hexo, data);
    let raw = typeof data.raw === 'string' ? data.raw : undefined;
    if (raw === undefined && full && /nat_trace/.test(content) && existsSync(full)) raw = readFileSync(full, 'utf8');
    const firstLine = bodyFirstLine(raw, content);
    const lang = typeof data.lang === 'string' ? data.lang : typeof data.language === 'string' ? data.language : undefined;
    // A run is opened even for posts without blocks, so a post whose last
    // block was removed drops its old figure files.
    const run = state.startRun({
      source,
      fileRel: full ? relative(hexo.base_dir, full).split('\\').join('/') : source || '(post)',
      postPath: typeof data.path === 'string' ? data.path : source.replace(/\.[^.]*$/, '/'),
      postLang: lang,
      raw,
      firstLine,
    });
    state.runOfData.set(data, run.id);
    // With Nunjucks off (front matter `disableNunjucks: true`) there are no tags:
    // the post's text is the author's, as written.
    if (content.includes('nat_trace') && !nunjucksDisabled(hexo, source, data)) {
      const rewritten = rewriteSource(content, { run: run.id, firstLine, angle: isMarkdownPost(hexo, source, data.engine) });
      data.content = rewritten.text;
      run.sources = rewritten.sources;
    }
    return data;
  };
}

/** A block as the source filter left it (scan.ts): its run, line and number. */
const PLACED_RE = /\{% nat_trace __at:(\d+):(\d+):(\d+) %\}\n*\{% endnat_trace %\}/g;

/**
 * The last before_post_render filter: each block of the post becomes the HTML
 * its tag gives (tag.ts, called as Nunjucks would call it, in order), wrapped
 * as Hexo wraps a rendered code block (<hexoPostRenderCodeBlock>: Markdown
 * sees a placeholder where it would have seen the tag's, and Hexo puts the
 * HTML back after rendering). A post whose only tags are blocks then skips
 * Nunjucks altogether (Hexo runs it only for a post with a tag left), which
 * was most of what a cached block cost. Posts with Nunjucks off keep their
 * text (the source filter left no block there).
 */
export function blocksInPlace(state: SiteState, tag: (this: HexoPostData, args: string[], body: string) => string) {
  return function natTraceBlocksInPlace(data: HexoPostData): HexoPostData {
    const id = state.runOfData.get(data);
    const run = id === undefined ? undefined : state.runs.get(id);
    if (!run || !run.sources.length || typeof data.content !== 'string') return data;
    data.content = data.content.replace(PLACED_RE, (all: string, runId: string, line: string, n: string) => {
      if (Number(runId) !== run.id) return all;
      const html = tag.call(data, [`__at:${runId}:${line}:${n}`], '');
      // Nothing (a failed block when errors are fatal) leaves nothing, as the tag would.
      return html ? `<hexoPostRenderCodeBlock>${html}</hexoPostRenderCodeBlock>` : '';
    });
    return data;
  };
}

/** One Error whose stack is the message, so `hexo generate` prints just that. */
export function blockFailure(messages: string[]): Error {
  const text = messages.length === 1 ? messages[0] : `${messages.length} nat_trace blocks failed:\n` + messages.join('\n');
  const err = new Error(text);
  err.name = 'NatTraceError';
  err.stack = `NatTraceError: ${text}`;
  return err;
}

const WAIT_RE = /<!--nat-trace-wait:\d+:\d+-->/g;

export function afterPostRender(state: SiteState, configKey: () => string, failOnError: () => boolean) {
  const end = (data: HexoPostData, run: RunState): HexoPostData => {
    state.endRun(run, configKey());
    if (run.errors.length && failOnError()) throw blockFailure(run.errors);
    return data;
  };
  return function natTraceAfterPostRender(data: HexoPostData): HexoPostData | Promise<HexoPostData> {
    const id = state.runOfData.get(data);
    if (id === undefined) return data;
    state.runOfData.delete(data);
    const run = state.runs.get(id);
    if (!run) return data;
    if (!run.chain) return end(data, run);
    // Blocks drawn in workers (tag.ts): their HTML in place of their markers, once the last is finished.
    return run.chain.then(() => {
      if (typeof data.content === 'string') data.content = data.content.replace(WAIT_RE, (m) => run.waiting.get(m) ?? m);
      return end(data, run);
    });
  };
}
