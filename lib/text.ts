/**
 * Characters a scenario may not carry into a figure. Every label, title,
 * comment and name ends up in SVG, which is XML 1.0: its Char production has
 * no C0 controls other than tab, LF and CR, no U+FFFE/U+FFFF and no lone
 * surrogates. Refusing them at the scenario keeps every SVG well-formed.
 */

/** Index of the first character XML 1.0 cannot carry, or -1. */
export function forbiddenCharIndex(s: string): number {
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c < 0x20) { if (c !== 0x09 && c !== 0x0a && c !== 0x0d) return i; continue; }
    if (c < 0xd800) continue;
    if (c <= 0xdbff) {
      const d = i + 1 < s.length ? s.charCodeAt(i + 1) : 0;
      if (d >= 0xdc00 && d <= 0xdfff) { i++; continue; }
      return i;
    }
    if (c <= 0xdfff) return i;
    if (c === 0xfffe || c === 0xffff) return i;
  }
  return -1;
}

/** "U+0001" for the character at `i`. */
export function codePointName(s: string, i: number): string {
  return 'U+' + s.charCodeAt(i).toString(16).toUpperCase().padStart(4, '0');
}
