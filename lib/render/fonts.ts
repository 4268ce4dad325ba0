/**
 * Text measurement with real font metrics: Noto Sans (Latin, Greek,
 * Cyrillic...) and Noto Sans TC (CJK) from @fontsource, read with fontkit.
 * Noto Sans TC ships as ~100 woff2 subsets; a subset is opened only when a
 * code point it covers is first measured, and kept for the process. Widths
 * are per code point (no kerning), cached, so measuring is a few map lookups.
 */
import { readFileSync } from 'fs';
import { dirname, join } from 'path';

/** fontkit, loaded with the first measured font (FONT_STACK alone, for page CSS, needs none of it). */
let fontkitLib: { openSync(path: string): FontkitFont } | undefined;
function fontkit(): { openSync(path: string): FontkitFont } {
  // eslint-disable-next-line @typescript-eslint/no-var-requires
  if (!fontkitLib) fontkitLib = require('fontkit') as { openSync(path: string): FontkitFont };
  return fontkitLib;
}
interface FontkitFont {
  unitsPerEm: number;
  hasGlyphForCodePoint(cp: number): boolean;
  glyphForCodePoint(cp: number): { advanceWidth: number };
}

/** The stack written into every SVG: the measured fonts first, then look-alikes. */
export const FONT_STACK = "'Noto Sans','Noto Sans TC','Noto Sans CJK TC','PingFang TC','Microsoft JhengHei',system-ui,-apple-system,'Segoe UI',Roboto,Arial,sans-serif";

interface Face { file: string; ranges: Array<[number, number]>; font?: FontkitFont | null }

function pkgDir(name: string): string {
  return dirname(require.resolve(`${name}/package.json`));
}

/** @font-face blocks of a fontsource weight CSS: file and unicode-range. */
function facesOf(pkg: string, weight: number): Face[] {
  const dir = pkgDir(pkg);
  const css = readFileSync(join(dir, `${weight}.css`), 'utf8');
  const faces: Face[] = [];
  for (const m of css.matchAll(/url\(\.\/files\/([^)]+?\.woff2)\)[^;]*;\s*unicode-range:\s*([^;]+);/g)) {
    const ranges: Array<[number, number]> = m[2].split(',').map((r) => {
      const [a, b] = r.trim().replace(/^U\+/i, '').split('-');
      const lo = parseInt(a, 16);
      return [lo, b ? parseInt(b, 16) : lo];
    });
    faces.push({ file: join(dir, 'files', m[1]), ranges });
  }
  return faces;
}

interface WeightFaces { faces: Face[]; widths: Map<number, number> }
const byWeight = new Map<number, WeightFaces>();

function weightFaces(weight: number): WeightFaces {
  let w = byWeight.get(weight);
  if (!w) {
    // Latin subsets first: they hold the glyphs most labels use.
    const latin = facesOf('@fontsource/noto-sans', weight).sort((a, b) => Number(!a.file.includes('-latin-')) - Number(!b.file.includes('-latin-')));
    w = { faces: [...latin, ...facesOf('@fontsource/noto-sans-tc', weight)], widths: new Map() };
    byWeight.set(weight, w);
  }
  return w;
}

function isWide(cp: number): boolean {
  return (cp >= 0x1100 && cp <= 0x115f) || (cp >= 0x2e80 && cp <= 0xa4cf) || (cp >= 0xac00 && cp <= 0xd7a3) || (cp >= 0xf900 && cp <= 0xfaff) || (cp >= 0xfe30 && cp <= 0xfe4f) || (cp >= 0xff00 && cp <= 0xff60) || (cp >= 0x20000 && cp <= 0x3fffd);
}

/** Advance width of one code point in em. */
function advance(wf: WeightFaces, cp: number): number {
  const cached = wf.widths.get(cp);
  if (cached !== undefined) return cached;
  let em: number | undefined;
  for (const f of wf.faces) {
    if (!f.ranges.some(([a, b]) => cp >= a && cp <= b)) continue;
    if (f.font === undefined) {
      try { f.font = fontkit().openSync(f.file); } catch { f.font = null; }
    }
    if (f.font && f.font.hasGlyphForCodePoint(cp)) {
      em = f.font.glyphForCodePoint(cp).advanceWidth / f.font.unitsPerEm;
      break;
    }
  }
  // No font covers it: a full em for wide scripts, else a generous Latin width.
  if (em === undefined) em = isWide(cp) ? 1 : 0.62;
  wf.widths.set(cp, em);
  return em;
}

/** Code points measured so far in this process (how much work wrapping does; read by tests). */
let measured = 0;
export function measuredCodePoints(): number {
  return measured;
}

/**
 * Results of measuring and wrapping short texts (labels, addresses, rule
 * lines): the steps of a block measure the same strings in both layouts and
 * again per step. Keyed by size, weight and text; long texts are not kept
 * (rare, and they would hold memory); a full table is dropped, not trimmed:
 * the results are pure, so dropping changes only the time.
 */
const CACHE_TEXT = 256;
const CACHE_ENTRIES = 20000;
const widthCache = new Map<string, number>();
const wrapCache = new Map<string, string[]>();
const fitCache = new Map<string, { lines: string[]; cut: boolean }>();
function remember<V>(m: Map<string, V>, k: string, v: V): V {
  if (m.size >= CACHE_ENTRIES) m.clear();
  m.set(k, v);
  return v;
}

/** Width in px of `text` at `size` px; bold uses the 700 faces. */
export function textWidth(text: string, size: number, bold = false): number {
  if (text.length > CACHE_TEXT) return measure(text, size, bold);
  const k = `${bold ? 'b' : 'r'}${size}\0${text}`;
  const w = widthCache.get(k);
  return w !== undefined ? w : remember(widthCache, k, measure(text, size, bold));
}

function measure(text: string, size: number, bold: boolean): number {
  const wf = weightFaces(bold ? 700 : 400);
  let em = 0;
  for (const ch of text) { em += advance(wf, ch.codePointAt(0) as number); measured++; }
  return pxOf(em, size);
}

/** Browsers may fall back to a slightly wider system font: keep a margin. */
function pxOf(em: number, size: number): number {
  return Math.ceil(em * size * 1.04);
}

/**
 * The longest head of `text` (at least one code point) no wider than `max`,
 * measured cumulatively: one pass over the head, whatever its length.
 */
function fittingHead(text: string, size: number, max: number, bold: boolean): string {
  const wf = weightFaces(bold ? 700 : 400);
  let em = 0;
  let end = 0;
  for (const ch of text) {
    em += advance(wf, ch.codePointAt(0) as number);
    measured++;
    if (end > 0 && pxOf(em, size) > max) break;
    end += ch.length;
  }
  return text.slice(0, end);
}

/**
 * Break `text` into lines no wider than `max` px (at spaces, or anywhere for
 * CJK runs and for a word wider than the line). Near linear in the text: each
 * line is measured as it grows and a long word is cut by cumulative widths.
 * `limit` stops after that many lines (callers that keep only a few).
 */
export function wrapText(text: string, size: number, max: number, bold = false, limit = Infinity): string[] {
  if (text.length > CACHE_TEXT) return wrapUncached(text, size, max, bold, limit);
  const k = `${bold ? 'b' : 'r'}${size}\0${max}\0${limit}\0${text}`;
  const hit = wrapCache.get(k) ?? remember(wrapCache, k, wrapUncached(text, size, max, bold, limit));
  // A copy: callers may change the array they get.
  return hit.slice();
}

function wrapUncached(text: string, size: number, max: number, bold: boolean, limit: number): string[] {
  const lines: string[] = [];
  const tokens = text.match(/[\u2e80-\u9fff\uf900-\ufaff\uff00-\uffef]|[^\s\u2e80-\u9fff\uf900-\ufaff\uff00-\uffef]+\s*|\s+/g) ?? [];
  let cur = '';
  for (const tok of tokens) {
    if (lines.length >= limit) break;
    const next = cur + tok;
    if (cur && textWidth(next.trimEnd(), size, bold) > max) {
      lines.push(cur.trimEnd());
      cur = tok.trimStart();
    } else if (!cur) {
      cur = tok;
    } else {
      cur = next;
      continue;
    }
    // A single token wider than the line: cut it where it stops fitting.
    // Each cut measures only the line it makes, never the rest of the word.
    while (cur.length > 1 && lines.length < limit) {
      const trimmed = cur.trimEnd();
      const head = fittingHead(trimmed, size, max, bold);
      if (head.length >= trimmed.length) break;
      lines.push(head);
      cur = cur.slice(head.length);
    }
  }
  if (cur.trim() && lines.length < limit) lines.push(cur.trimEnd());
  return lines.length ? lines : [''];
}

/**
 * `text` in at most `maxLines` lines no wider than `max` px; when it needs
 * more, the last line is cut and ends with an ellipsis (`cut` is then true,
 * and the caller shows the whole text as a tooltip).
 */
export function fitText(text: string, size: number, max: number, bold = false, maxLines = 2): { lines: string[]; cut: boolean } {
  if (text.length > CACHE_TEXT) return fitUncached(text, size, max, bold, maxLines);
  const k = `${bold ? 'b' : 'r'}${size}\0${max}\0${maxLines}\0${text}`;
  const hit = fitCache.get(k) ?? remember(fitCache, k, fitUncached(text, size, max, bold, maxLines));
  return { lines: hit.lines.slice(), cut: hit.cut };
}

function fitUncached(text: string, size: number, max: number, bold: boolean, maxLines: number): { lines: string[]; cut: boolean } {
  // One line more than fits tells whether the text is cut; the rest is never wrapped.
  const lines = wrapText(text, size, max, bold, maxLines + 1);
  if (lines.length === 1) return { lines, cut: false };
  if (lines.length <= maxLines) {
    // Balanced: the narrowest width that needs no more lines, so no line is a stray word.
    let lo = max / (2 * lines.length);
    let hi = max;
    for (let i = 0; i < 8; i++) {
      const mid = (lo + hi) / 2;
      if (wrapText(text, size, mid, bold).length <= lines.length) hi = mid; else lo = mid;
    }
    return { lines: wrapText(text, size, hi, bold), cut: false };
  }
  const kept = lines.slice(0, maxLines);
  let last = Array.from(`${kept[maxLines - 1]} ${lines[maxLines]}`);
  while (last.length > 1 && textWidth(`${last.join('').trimEnd()}…`, size, bold) > max) last = last.slice(0, -1);
  kept[maxLines - 1] = `${last.join('').trimEnd()}…`;
  return { lines: kept, cut: true };
}

/** Width in px of the widest of `lines`. */
export function linesWidth(lines: string[], size: number, bold = false): number {
  return Math.max(0, ...lines.map((l) => textWidth(l, size, bold)));
}
