/**
 * Hexo entry: `require('hexo-nat-trace/dist/hexo').register(hexo)` (the
 * package's index.js does this). Laid out like Hexo's own lib/plugins: one
 * file per extension point.
 */
import { readScenarioFile } from '../files';
import { SiteState } from './state';
import { checkedSiteOptions, siteLanguage } from './config';
import { beforePostRender, blocksInPlace, afterPostRender, blockFailure } from './filter';
import { natTraceTag } from './tag';
import { figureGenerator } from './generator';
import { feedPosts, withoutUnwrittenImages } from './feed';
import { expandPage } from './expand';
import { oneBytePage } from './onebyte';
import { uniqueFigureIds } from './ids';
import { hashText, PLUGIN_VERSION } from './block';
import type { HexoLike, HexoDocument } from './types';
import { darkModeKey, AUTO } from '../render/scheme';
import { withPageCss } from '../render/pagecss';


export { SiteState } from './state';
export { rewriteSource } from './scan';
export { parseBlockArgs } from './args';

/** Are we under `hexo server` (by command alias, or because its middleware filter ran)? */
export function isServing(hexo: HexoLike, state: SiteState): boolean {
  if (state.serving) return true;
  const cmd = hexo.env?.cmd;
  return typeof cmd === 'string' && cmd !== '' && hexo.extend.console.alias?.[cmd] === 'server';
}

/** Has a `from:` data file changed (or become unreadable, or too large: the block then says so)? */
function dataChanged(file: string, hash: string): boolean {
  try { return hashText(readScenarioFile(file)) !== hash; } catch { return true; }
}

export function register(hexo: HexoLike): SiteState {
  const state = new SiteState();
  const failOnError = (): boolean => {
    const opt = checkedSiteOptions(hexo, state).options.fail_on_error;
    return opt ?? !isServing(hexo, state);
  };
  const configKey = (): string => JSON.stringify({ v: PLUGIN_VERSION, o: hexo.config.nat_trace ?? null, l: siteLanguage(hexo) ?? null, root: hexo.config.root ?? '/', t: hexo.config.theme ?? null, d: ((d) => (d ? darkModeKey(d) : null))(checkedSiteOptions(hexo, state).options.dark) });

  hexo.extend.filter.register('server_middleware', () => { state.serving = true; }, 1);
  const tag = natTraceTag(hexo, state, failOnError);
  hexo.extend.filter.register('before_post_render', beforePostRender(hexo, state), 1);
  // After the other before_post_render filters (priority 10) have seen the post as before: each block
  // becomes its HTML, kept from Markdown as Hexo keeps code blocks (filter.ts blocksInPlace).
  hexo.extend.filter.register('before_post_render', blocksInPlace(state, tag), 1000);
  hexo.extend.filter.register('after_post_render', afterPostRender(state, configKey, failOnError), 1);
  hexo.extend.tag.register('nat_trace', tag, { ends: true });
  // Under `hexo server` a route costs nothing until requested: every feed image is there.
  hexo.extend.generator.register('nat_trace', figureGenerator(state, (locals) => (
    isServing(hexo, state) ? 'all' : feedPosts(hexo, locals.posts, checkedSiteOptions(hexo, state).options.feed_images))));
  // The drawings go into finished pages only (see expand.ts); before other
  // after_render:html filters (minifiers drop comments, the page CSS looks for figures).
  // The figure CSS is the page's, once, after expansion (pagecss.ts), in the dark mode the site's theme needs.
  hexo.extend.filter.register('after_render:html', function natTraceExpand(html: string): string {
    if (typeof html !== 'string') return html;
    const expanded = expandPage(html, (k) => state.parts.held(k));
    const page = withoutUnwrittenImages(expanded.html, state.unwrittenFiles, typeof hexo.config.root === 'string' ? hexo.config.root : '/');
    const styled = withPageCss(page, checkedSiteOptions(hexo, state).options.dark ?? AUTO);
    // Built one-byte, nothing above U+00FF outside the figure CSS (a <style>, which it leaves alone): oneBytePage would give the same text.
    if (expanded.latin1) return styled;
    // Only pages with figures: what the figures bring is what makes them two-byte (onebyte.ts).
    return styled.includes('<div class="nat-trace"') ? oneBytePage(styled) : styled;
  }, 1);
  // The disk cache stays within its size bound (diskcache.ts).
  hexo.extend.filter.register('after_generate', function natTraceCacheBound(): void {
    state.openDiskCache?.pruneIfWritten();
    const drawn = state.drawStats;
    if (drawn) hexo.log.debug(`nat_trace: ${drawn.jobs} block${drawn.jobs === 1 ? '' : 's'} drawn in ${drawn.workers} worker thread${drawn.workers === 1 ? '' : 's'}`);
  });
  // A page listing several posts (the index, archives) can show one figure twice.
  hexo.extend.filter.register('after_render:html', (html: string) => (typeof html === 'string' ? uniqueFigureIds(html, new Set()) : html));

  // Hexo keeps rendered posts in db.json and only re-renders a post whose
  // file changed. A post with blocks is rendered again when this process has
  // not rendered it yet (its file-mode SVGs live in memory), when the config
  // changed, or when a source/_data/nat_trace file it reads changed.
  hexo.extend.filter.register('before_generate', function natTraceInvalidate(): Promise<unknown> {
    // A wrong `nat_trace:` config: one message, before any post is rendered.
    const config = checkedSiteOptions(hexo, state);
    if (config.error !== undefined && !config.reported) {
      config.reported = true;
      if (failOnError()) throw blockFailure([config.error]);
      hexo.log.error(config.error);
    }
    const key = configKey();
    const stale: HexoDocument[] = [];
    const isStale = (doc: HexoDocument): boolean => {
      if (doc.content == null || typeof doc._content !== 'string' || !doc._content.includes('nat_trace')) return false;
      const rec = state.posts.get(String(doc.source));
      return !rec || rec.configKey !== key || [...rec.dataDeps].some(([file, hash]) => dataChanged(file, hash));
    };
    for (const name of ['Post', 'Page']) {
      const model = hexo.model(name);
      const raw = model.data;
      if (raw && typeof raw === 'object' && typeof model.findById === 'function') {
        // Warehouse: its stored documents looked at as they are; toArray() would deep-copy every
        // post (its text and HTML) only to find, on most builds, none to invalidate.
        for (const [id, doc] of Object.entries(raw as Record<string, HexoDocument>)) {
          if (!doc || !isStale(doc)) continue;
          const found = model.findById(id);
          if (found) stale.push(found);
        }
      } else {
        for (const doc of model.toArray()) if (isStale(doc)) stale.push(doc);
      }
    }
    return Promise.all(stale.map((doc) => { doc.content = undefined; return doc.save(); }));
  }, 5);
  return state;
}
