/**
 * File mode: the SVGs of every post's last render, as routes. Only current
 * files are returned, so Hexo drops the routes (and, on the next
 * `hexo generate`, the public/ files) of blocks that no longer exist.
 */
import type { SiteState } from './state';
import type { HexoQuery } from './types';

export function figureGenerator(state: SiteState) {
  return function natTraceFiles(locals: { posts: HexoQuery; pages: HexoQuery }): Array<{ path: string; data: string }> {
    const live = new Set<string>();
    for (const p of [...locals.posts.toArray(), ...locals.pages.toArray()]) if (typeof p.source === 'string') live.add(p.source);
    const routes = new Map<string, string>();
    for (const [source, rec] of state.posts) {
      if (!live.has(source)) continue;
      for (const [path, svg] of rec.files) routes.set(path, svg);
    }
    return [...routes.keys()].sort().map((path) => ({ path, data: routes.get(path) as string }));
  };
}
