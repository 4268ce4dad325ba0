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
