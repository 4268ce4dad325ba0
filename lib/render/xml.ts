/**
 * Characters XML 1.0 cannot carry (C0 controls but tab, newline and carriage
 * return; U+FFFE, U+FFFF; lone surrogates) make a standalone SVG unreadable.
 * The scenario parser refuses them with a message; this is the second line
 * of defence at the output: whatever reaches an SVG or its HTML is replaced
 * by U+FFFD, so every file written is well-formed.
 */
const NOT_XML = /[^\t\n\r\u0020-\uD7FF\uE000-\uFFFD\u{10000}-\u{10FFFF}]/gu;

/**
 * A cheap first look (no /u flag, which makes V8 scan code point by code
 * point): a control character, U+FFFE/U+FFFF or any surrogate. Only then the
 * exact check, which tells a lone surrogate from a pair.
 */
const MAYBE = /[\0-\x08\x0B\x0C\x0E-\x1F\uD800-\uDFFF\uFFFE\uFFFF]/;

export function xmlSafe(text: string): string {
  if (!MAYBE.test(text)) return text;
  NOT_XML.lastIndex = 0;
  return NOT_XML.test(text) ? text.replace(NOT_XML, '\uFFFD') : text;
}

// No /u flag: V8 would scan code point by code point (several times slower); a surrogate pair is matched as a pair.
export const ABOVE_LATIN1 = /[^\x00-\xff]/;
const ABOVE_LATIN1_G = /[^\x00-\xff]/g;
const CHAR_ABOVE_LATIN1_G = /[\uD800-\uDBFF][\uDC00-\uDFFF]|[^\x00-\xff]/g;

/**
 * HTML `text` with its characters above U+00FF written as references, in
 * V8's one-byte form (half the memory of a two-byte string, in every copy a
 * page's filters make): when they are at most `maxShare` of it (the arrows,
 * dots and quotes of a figure in a Latin-script language); else `text` as it
 * is (a CJK figure, where references would make it longer than it saves).
 * Only for HTML parsed as HTML, where references mean their characters: not
 * for text inside script, style or CDATA (the caller knows there is none).
 */
export function latin1Refs(text: string, maxShare = 1 / 64): string {
  if (!ABOVE_LATIN1.test(text)) return text;
  const found = text.match(ABOVE_LATIN1_G);
  if (!found || found.length > text.length * maxShare) return text;
  return oneByte(text.replace(CHAR_ABOVE_LATIN1_G, (c) => `&#x${(c.codePointAt(0) as number).toString(16)};`));
}

/**
 * `text`, which has no character above U+00FF, as a one-byte string: replace()
 * and concatenation keep a two-byte subject's form, a Latin-1 round trip does not.
 */
export function oneByte(text: string): string {
  return Buffer.from(text, 'latin1').toString('latin1');
}
