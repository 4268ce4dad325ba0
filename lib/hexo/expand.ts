/**
 * Deferred figures (render/index.ts figureParts): post.content holds, per
 * figure, a marker around a plain <img> and an empty marker for the steps as
 * text, so what themes count and index (word counts, reading time,
 * hexo-generator-searchdb) is the prose and captions, and feeds get an image.
 * Pages get the drawing back here, in after_render:html. Kept apart from the
 * renderer: expanding a page loads no drawing code.
 */
import type { FigurePart } from '../render';
import { ByteLru, stringBytes, ownString } from './lru';

const DEFERRED_RE = /<!--nat-trace:([0-9a-f]{16})-->[^]*?<!--\/nat-trace-->|<!--nat-trace-text:([0-9a-f]{16})-->/g;

/** The page with each marker replaced by its part; a marker whose part is unknown keeps its fallback <img>. */
export function expandFigures(html: string, part: (key: string) => FigurePart | undefined): string {
  if (!html.includes('<!--nat-trace')) return html;
  return html.replace(DEFERRED_RE, (all: string, key?: string, textKey?: string) => {
    if (key) return part(key)?.body ?? all;
    return textKey ? part(textKey)?.text ?? '' : all;
  });
}

/** Figure parts by key, bounded: `hexo server` re-renders posts for as long as it runs. */
export class PartStore {
  private readonly parts: ByteLru<FigurePart>;
  constructor(maxBytes = 64 * 1024 * 1024) {
    // A part's body is cut out of its block's HTML: stored as its own copy, so the bound is what is held.
    this.parts = new ByteLru<FigurePart>(maxBytes, (p) => stringBytes(p.body, p.text) + 64, (p) => ({ ...p, body: ownString(p.body), text: ownString(p.text) }));
  }
  get(key: string): FigurePart | undefined { return this.parts.get(key); }
  /** Is the part still held (without making it the most recently used)? */
  has(key: string): boolean { return this.parts.has(key); }
  /**
   * `owned`: the part's strings are known to be their own, not cut out of a
   * larger text (a block's parts: rendered on their own, or decoded one by one
   * from a disk-cache entry), so no copy is made.
   */
  set(key: string, part: FigurePart, owned = false): void { this.parts.set(key, part, owned); }
  get bytes(): number { return this.parts.bytes; }
}
