/**
 * File mode: the SVGs of every post's last render, as routes. Only current
 * files are returned, so Hexo drops the routes (and, on the next
 * `hexo generate`, the public/ files) of blocks that no longer exist.
 *
 * A figure's feed image is written only for a post the feed publishes
 * (feed.ts), or when a page will show it: a post one of whose drawings is no
 * longer held (the part store is bounded) keeps the <img> in its page.
 * The pages drop meta tags naming files not written (feed.ts).
 */
import type { SiteState } from './state';
import type { HexoQuery } from './types';
import type { FeedPosts } from './feed';
import type { FileData } from './diskcache';

type Locals = { posts: HexoQuery; pages: HexoQuery };

export function figureGenerator(state: SiteState, feedPosts: (locals: Locals) => FeedPosts = () => 'all') {
  return function natTraceFiles(locals: Locals): Array<{ path: string; data: FileData }> {
    const live = new Set<string>();
    for (const p of [...locals.posts.toArray(), ...locals.pages.toArray()]) if (typeof p.source === 'string') live.add(p.source);
    const feed = feedPosts(locals);
    const routes = new Map<string, FileData>();
    const unwritten = new Set<string>();
    for (const [source, rec] of state.posts) {
      if (!live.has(source)) continue;
      const withFeed = feed === 'all' || feed.has(source) || rec.partKeys.some((k) => !state.parts.has(k));
      for (const [path, svg] of rec.files) {
        if (withFeed || !rec.feedFiles.has(path)) routes.set(path, svg);
        else unwritten.add(path);
      }
    }
    // Two posts can share a file (a page and a feed image of the same drawing): written is written.
    for (const path of routes.keys()) unwritten.delete(path);
    state.unwrittenFiles = unwritten;
    return [...routes.keys()].sort().map((path) => ({ path, data: routes.get(path) as FileData }));
  };
}
