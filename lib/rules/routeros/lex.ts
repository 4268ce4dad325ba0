/**
 * RouterOS console text -> logical lines -> words. RouterOS `/export` wraps
 * long commands with a trailing backslash and indents the continuation; the
 * break can fall anywhere, even right after `name=` or inside a quoted string,
 * so continuations are joined without inserting a space and the indentation
 * of the continuation line is dropped (as the RouterOS console does).
 */
import { NatTraceError } from '../../errors';
import { dict } from '../../dict';
import { forbiddenCharIndex, codePointName } from '../../text';

export interface LogicalLine {
  /** The command with continuations joined. */
  text: string;
  /** 1-based line where the command began. */
  line: number;
  /**
   * One entry per physical line joined into `text`: the offset in `text` where
   * it starts, its line and the 1-based column of that first character (one
   * entry per line, not per character: a 1 MB line must stay cheap).
   */
  pos: Array<{ offset: number; line: number; col: number }>;
}

/** A line ending in an odd number of backslashes continues on the next line. */
function continues(raw: string): boolean {
  const m = /\\+$/.exec(raw);
  return !!m && m[0].length % 2 === 1;
}

export function logicalLines(text: string): LogicalLine[] {
  const physical = text.replace(/\r\n?/g, '\n').split('\n');
  const out: LogicalLine[] = [];
  let cur: LogicalLine | undefined;
  for (let i = 0; i < physical.length; i++) {
    let raw = physical[i];
    let startCol = 1;
    if (cur) {
      // Continuation: drop the export's indentation.
      const lead = /^[ \t]*/.exec(raw)![0].length;
      raw = raw.slice(lead);
      startCol = lead + 1;
    } else {
      const trimmed = raw.trim();
      if (trimmed === '' || trimmed.startsWith('#')) continue;
      cur = { text: '', line: i + 1, pos: [] };
    }
    const more = continues(raw.replace(/[ \t]+$/, ''));
    const body = more ? raw.replace(/[ \t]+$/, '').slice(0, -1) : raw;
    cur.pos.push({ offset: cur.text.length, line: i + 1, col: startCol });
    cur.text += body;
    if (!more) {
      out.push(cur);
      cur = undefined;
    }
  }
  if (cur) out.push(cur);
  return out;
}

/** One word of a command: a bare word (`add`, `/ip`) or `name=value`. */
export interface Word {
  /** Bare word, or the property name. */
  name: string;
  /** Present for `name=value`; quotes removed, escapes decoded. */
  value?: string;
  quoted?: boolean;
  /** Offsets in the logical line, for error positions. */
  start: number;
  valueStart?: number;
}

const ESCAPES: Record<string, string> = dict({
  '"': '"', '\\': '\\', n: '\n', r: '\r', t: '\t', $: '$', '?': '?', _: ' ', a: '\x07', b: '\b', f: '\f', v: '\v',
});

export function lineError(ll: LogicalLine, offset: number | undefined, message: string, extra: { token?: string; expected?: string; suggestion?: string } = {}): NatTraceError {
  let column: number | undefined;
  if (offset !== undefined && ll.text.length) {
    const at = Math.min(offset, ll.text.length - 1);
    let seg = ll.pos[0];
    for (const s of ll.pos) if (s.offset <= at) seg = s;
    // Errors name the line where the command began; the column only makes sense on that line.
    if (seg.line === ll.line) column = seg.col + (at - seg.offset);
  }
  return new NatTraceError(message, { line: ll.line, column, ...extra });
}

/** Split a logical line into words, decoding RouterOS quoting. */
export function words(ll: LogicalLine): Word[] {
  const s = ll.text;
  const out: Word[] = [];
  let i = 0;
  while (i < s.length) {
    if (s[i] === ' ' || s[i] === '\t') { i++; continue; }
    const start = i;
    if (s[i] === '[' || s[i] === '{' || s[i] === '(' || s[i] === '$') {
      throw lineError(ll, i, 'RouterOS scripting (expressions, [find ...], variables) is not supported; write plain values', { token: s.slice(i).split(/\s/)[0], expected: 'name=value' });
    }
    let name = '';
    while (i < s.length && s[i] !== '=' && s[i] !== ' ' && s[i] !== '\t' && s[i] !== '"') name += s[i++];
    if (s[i] === '"') {
      throw lineError(ll, i, 'a quoted value needs a property name before it', { token: s.slice(start).split(/\s/)[0], expected: 'name="value"' });
    }
    if (s[i] !== '=') { out.push({ name, start }); continue; }
    i++; // '='
    const valueStart = i;
    if (s[i] === '[' || s[i] === '$' || s[i] === '(') {
      throw lineError(ll, i, 'RouterOS scripting (expressions, [find ...], variables) is not supported; write plain values', { token: s.slice(start).split(/\s/)[0], expected: 'name=value' });
    }
    let value = '';
    let quoted = false;
    // A value is a run of plain characters and quoted strings up to whitespace.
    while (i < s.length && s[i] !== ' ' && s[i] !== '\t') {
      if (s[i] === '"') {
        quoted = true;
        const open = i++;
        let closed = false;
        while (i < s.length) {
          const ch = s[i];
          if (ch === '"') { closed = true; i++; break; }
          if (ch === '\\' && i + 1 < s.length) {
            const nx = s[i + 1];
            if (ESCAPES[nx] !== undefined) { value += ESCAPES[nx]; i += 2; continue; }
            if (/^[0-9A-Fa-f]{2}$/.test(s.slice(i + 1, i + 3))) {
              value += String.fromCharCode(parseInt(s.slice(i + 1, i + 3), 16)); i += 3; continue;
            }
            throw lineError(ll, i, 'unknown escape in a quoted value', { token: s.slice(i, i + 2), expected: '\\", \\\\, \\n, \\t or \\XX' });
          }
          value += ch; i++;
        }
        if (!closed) throw lineError(ll, open, 'quoted value is not closed', { token: s.slice(open), expected: 'a closing "' });
        // An escape such as \\01 decodes to a control character no SVG figure can carry.
        const bad = forbiddenCharIndex(value);
        if (bad >= 0) throw lineError(ll, valueStart, `${name}= contains the control character ${codePointName(value, bad)}, which an SVG figure cannot carry`, { token: codePointName(value, bad), expected: 'printable text' });
        continue;
      }
      value += s[i++];
    }
    out.push({ name, value, quoted, start, valueStart });
  }
  return out;
}
