/**
 * A page with figures in V8's one-byte form. The figures' arrows, dots and
 * quotes (→ · “ ”) are often the only characters above U+00FF in a page of a
 * Latin-script blog, and one of them makes V8 hold the whole page, and every
 * copy the later after_render:html filters make, at two bytes a character.
 * The drawings and their captions come with them written as references
 * already (render/index.ts figureParts: post.content keeps the captions as
 * written, for excerpts and descriptions); here the rest (the prose's curly
 * quotes and dashes, whatever the theme wrote) once the page is whole. Pages
 * mostly above U+00FF (a CJK blog), and pages where such a character stands
 * where references are not decoded (script, style, raw-text elements,
 * CDATA), are left as they are.
 */
import { ABOVE_LATIN1, latin1Refs, oneByte } from '../render/xml';

/** Regions where a reference would be read as its own characters. */
const RAW_RE = /<(script|style|noscript|xmp|noembed|noframes|iframe|plaintext)\b[^>]*>[^]*?(?:<\/\1\s*>|$)|<!\[CDATA\[[^]*?(?:\]\]>|$)/gi;

export function oneBytePage(html: string): string {
  // The page before its drawings went in had the captions as written: the expanded page may be Latin-1 in a
  // two-byte string (replace() keeps its subject's form), which the round trip turns into a one-byte one.
  if (!ABOVE_LATIN1.test(html)) return oneByte(html);
  RAW_RE.lastIndex = 0;
  for (const m of html.matchAll(RAW_RE)) if (ABOVE_LATIN1.test(m[0])) return html;
  return latin1Refs(html);
}
