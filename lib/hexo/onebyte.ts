/**
 * A page with figures in V8's one-byte form. The figures' arrows, dots and
 * quotes (→ · “ ”) are the only characters above U+00FF in most pages of a
 * Latin-script blog, and one of them makes V8 hold the whole page, and every
 * copy the later after_render:html filters make, at two bytes a character.
 * Written as character references they mean the same to every HTML parser,
 * and the page is half the memory (the bench blog's warm build: peak RSS
 * ~290 -> ~255 MB). Pages whose other text is not Latin-1 (a CJK blog), and
 * pages where such a character stands where references are not decoded
 * (script, style, raw-text elements, CDATA), are left as they are.
 */

const NOT_LATIN1 = /[^\x00-\xff]/;
const NOT_LATIN1_G = /[^\x00-\xff]/gu;
/** Regions where a reference would be read as its own characters. */
const RAW_RE = /<(script|style|noscript|xmp|noembed|noframes|iframe|plaintext)\b[^>]*>[^]*?(?:<\/\1\s*>|$)|<!\[CDATA\[[^]*?(?:\]\]>|$)/gi;
/** Past this share of characters above U+00FF, references would make the page longer than it saves. */
const MAX_SHARE = 1 / 64;

export function oneBytePage(html: string): string {
  if (!NOT_LATIN1.test(html)) return html;
  let count = 0;
  NOT_LATIN1_G.lastIndex = 0;
  while (NOT_LATIN1_G.exec(html) && ++count <= html.length * MAX_SHARE);
  if (count > html.length * MAX_SHARE) return html;
  RAW_RE.lastIndex = 0;
  for (const m of html.matchAll(RAW_RE)) if (NOT_LATIN1.test(m[0])) return html;
  const out = html.replace(NOT_LATIN1_G, (c) => `&#x${(c.codePointAt(0) as number).toString(16)};`);
  // replace() keeps its subject's two-byte form; a Latin-1 round trip gives the one-byte string.
  return Buffer.from(out, 'latin1').toString('latin1');
}
