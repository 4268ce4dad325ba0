/**
 * Deferred figures (render/index.ts figureParts): post.content holds, per
 * figure, a marker around a plain <img> and an empty marker for the steps as
 * text, so what themes count and index (word counts, reading time,
 * hexo-generator-searchdb) is the prose and captions, and feeds get an image.
 * Pages get the drawing back here, in after_render:html. Kept apart from the
 * renderer: expanding a page loads no drawing code.
 */
import type { FigurePart } from '../render';
import { ABOVE_LATIN1, oneByte } from '../render/xml';
import { ByteLru, stringBytes, ownString } from './lru';

const DEFERRED_RE = /<!--nat-trace:([0-9a-f]{16})-->[^]*?<!--\/nat-trace-->|<!--nat-trace-text:([0-9a-f]{16})-->/g;

/** A part as held: `latin1` when its body and text have no character above U+00FF and are one-byte strings. */
export interface HeldPart { part: FigurePart; latin1: boolean }

/** `s` as a one-byte string when it has no character above U+00FF (then true), else as it is. */
function latin1Piece(s: string): [string, boolean] {
  return ABOVE_LATIN1.test(s) ? [s, false] : [oneByte(s), true];
}

/**
 * The page with each marker replaced by its part; a marker whose part is
 * unknown keeps its fallback <img>. `latin1`: the page has no character
 * above U+00FF and is a one-byte string. The page's own text between the
 * figures (in a two-byte string when the captions in its markers had arrows
 * or quotes) is made one-byte piece by piece, so the whole page is built
 * one-byte, at half the size, instead of two-byte and converted afterwards
 * (onebyte.ts).
 */
export function expandPage(html: string, held: (key: string) => HeldPart | undefined): { html: string; latin1: boolean } {
  if (!html.includes('<!--nat-trace')) return { html, latin1: false };
  let out = '';
  let latin1 = true;
  let copied = 0;
  const add = (piece: string, known: boolean): void => {
    if (known) { out += piece; return; }
    const [p, l] = latin1Piece(piece);
    out += p;
    latin1 &&= l;
  };
  DEFERRED_RE.lastIndex = 0;
  for (let m = DEFERRED_RE.exec(html); m; m = DEFERRED_RE.exec(html)) {
    add(html.slice(copied, m.index), false);
    copied = m.index + m[0].length;
    const h = held(m[1] ?? m[2]);
    // As expandFigures: an unknown drawing keeps its fallback, unknown text is dropped.
    const piece = m[1] ? h?.part.body : h ? h.part.text ?? '' : '';
    if (piece === undefined) add(m[0], false);
    else add(piece, h !== undefined && h.latin1);
  }
  add(html.slice(copied), false);
  return { html: out, latin1 };
}

/** Figure parts by key, bounded: `hexo server` re-renders posts for as long as it runs. */
export class PartStore {
  private readonly parts: ByteLru<HeldPart>;
  constructor(maxBytes = 64 * 1024 * 1024) {
    // A part's body is cut out of its block's HTML: stored as its own copy, so the bound is what is held.
    this.parts = new ByteLru<HeldPart>(maxBytes, (h) => stringBytes(h.part.body, h.part.text) + 64,
      (h) => ({ latin1: h.latin1, part: { ...h.part, body: ownString(h.part.body), text: ownString(h.part.text) } }));
  }
  get(key: string): FigurePart | undefined { return this.parts.get(key)?.part; }
  /** The part and whether it is one-byte Latin-1 (expandPage). */
  held(key: string): HeldPart | undefined { return this.parts.get(key); }
  /** Is the part still held (without making it the most recently used)? */
  has(key: string): boolean { return this.parts.has(key); }
  /**
   * `owned`: the part's strings are known to be their own, not cut out of a
   * larger text (a block's parts: rendered on their own, or decoded one by one
   * from a disk-cache entry), so no copy is made. `latin1`: they are known to
   * be one-byte strings without a character above U+00FF (decoded as Latin-1
   * from the disk cache); otherwise that is checked, and Latin-1 strings are
   * made one-byte (a copy of their own).
   */
  set(key: string, part: FigurePart, owned = false, latin1 = false): void {
    if (latin1) { this.parts.set(key, { part, latin1 }, owned); return; }
    const [body, b] = latin1Piece(part.body);
    // A stub renderer's part may lack its text (lru.ts stringBytes).
    const [text, t] = typeof part.text === 'string' ? latin1Piece(part.text) : [part.text, true];
    if (b && t) { this.parts.set(key, { part: { ...part, body, text }, latin1: true }, true); return; }
    this.parts.set(key, { part, latin1: false }, owned);
  }
  get bytes(): number { return this.parts.bytes; }
}
