/**
 * The nft scanner (after nftables' src/scanner.l): words, numbers and
 * addresses, quoted strings, `$variables`, `@sets`, punctuation, and line
 * ends, which end a rule as `;` does. `#` starts a comment to the end of the
 * line; a backslash before the line end joins two lines.
 */
import { NatTraceError } from '../../errors';

export type TokKind = 'word' | 'string' | 'var' | 'setref' | 'punct' | 'nl' | 'eof';

export interface Tok {
  kind: TokKind;
  /** The text: a word, a string's contents (no quotes), a punctuation mark, a name after $ or @. */
  text: string;
  line: number;
  col: number;
  /** Offsets of the token in the text (end exclusive), to quote rules as written. */
  pos: number;
  end: number;
}

/** Punctuation nft knows, longest first. */
const PUNCT = ['!=', '==', '<=', '>=', '{', '}', ';', ',', ':', '.', '(', ')', '-', '=', '/', '<', '>', '!', '*', '+', '&', '|', '^', '[', ']'];

function isWordStart(c: string): boolean {
  return /[A-Za-z_]/.test(c);
}

/**
 * One word: identifiers (letters, digits, `-`, `_`, `/`, `.` after the first
 * letter, as nft's {identifier}), numbers, and dotted IPv4 addresses (a
 * range's `-` and a prefix's `/` stay separate tokens).
 */
function wordAt(s: string, i: number): number {
  const c = s[i];
  if (isWordStart(c)) {
    let j = i + 1;
    while (j < s.length && /[A-Za-z0-9_\-./]/.test(s[j])) j++;
    // `eth*` is not a word in nft (its wildcard needs quotes); the `*` stays a token of its own.
    return j;
  }
  if (/[0-9]/.test(c)) {
    let j = i + 1;
    if (c === '0' && (s[j] === 'x' || s[j] === 'X')) {
      j++;
      while (j < s.length && /[0-9A-Fa-f]/.test(s[j])) j++;
      return j;
    }
    while (j < s.length && /[0-9.]/.test(s[j])) j++;
    // A trailing dot belongs to a concatenation (`80 . 443`), not to the number.
    while (j > i + 1 && s[j - 1] === '.') j--;
    // Interface-like names starting with a digit are not nft words; letters after digits are (1h, 3des).
    while (j < s.length && /[A-Za-z_]/.test(s[j])) j++;
    return j;
  }
  return i;
}

export function lex(text: string): Tok[] {
  const out: Tok[] = [];
  let line = 1;
  let lineStart = 0;
  let i = 0;
  const at = (k: number) => ({ line, col: k - lineStart + 1, pos: k, end: k });
  while (i < text.length) {
    const c = text[i];
    if (c === '\n') {
      out.push({ kind: 'nl', text: '\n', ...at(i), end: i + 1 });
      i++; line++; lineStart = i;
      continue;
    }
    if (c === ' ' || c === '\t' || c === '\r') { i++; continue; }
    if (c === '\\' && (text[i + 1] === '\n' || (text[i + 1] === '\r' && text[i + 2] === '\n'))) {
      i += text[i + 1] === '\r' ? 3 : 2; line++; lineStart = i;
      continue;
    }
    if (c === '#') {
      while (i < text.length && text[i] !== '\n') i++;
      continue;
    }
    if (c === '"') {
      const start = i;
      let j = i + 1;
      while (j < text.length && text[j] !== '"' && text[j] !== '\n') j++;
      if (text[j] !== '"') throw new NatTraceError('unterminated string', { ...at(start), token: text.slice(start, Math.min(j, start + 40)), expected: 'a closing "' });
      out.push({ kind: 'string', text: text.slice(i + 1, j), ...at(start), end: j + 1 });
      i = j + 1;
      continue;
    }
    if (c === '$' || c === '@') {
      let j = i + 1;
      while (j < text.length && /[A-Za-z0-9_]/.test(text[j])) j++;
      if (j === i + 1 || !isWordStart(text[i + 1])) {
        throw new NatTraceError(c === '$' ? 'a variable name must follow $' : 'a set name must follow @', { ...at(i), token: c, expected: 'a name' });
      }
      out.push({ kind: c === '$' ? 'var' : 'setref', text: text.slice(i + 1, j), ...at(i), end: j });
      i = j;
      continue;
    }
    const j = wordAt(text, i);
    if (j > i) {
      out.push({ kind: 'word', text: text.slice(i, j), ...at(i), end: j });
      i = j;
      continue;
    }
    const p = PUNCT.find((x) => text.startsWith(x, i));
    if (p) {
      out.push({ kind: 'punct', text: p, ...at(i), end: i + p.length });
      i += p.length;
      continue;
    }
    throw new NatTraceError(`unexpected character ${JSON.stringify(c)}`, { ...at(i), token: c, expected: 'a word, a number, an address, a string or { } ; , : . - / !=' });
  }
  out.push({ kind: 'eof', text: '', line, col: i - lineStart + 1, pos: i, end: i });
  return out;
}
