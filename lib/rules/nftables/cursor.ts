/**
 * A cursor over nft tokens: `$NAME` expands to its `define` as it is read
 * (nft's symbol scopes), and every error names the token, its line and
 * column, what was expected and a near spelling.
 */
import { NatTraceError, suggest } from '../../errors';
import type { Tok } from './lex';

export class Cursor {
  private i = 0;
  private last: Tok | undefined;
  readonly defines = new Map<string, Tok[]>();

  constructor(private toks: Tok[]) {}

  peek(k = 0): Tok {
    this.expand(this.i + k);
    return this.toks[Math.min(this.i + k, this.toks.length - 1)];
  }

  next(): Tok {
    const t = this.peek();
    if (t.kind !== 'eof') this.i++;
    this.last = t;
    return t;
  }

  /** End offset of the last token read (to see whether the next one follows without a space). */
  lastEnd(): number {
    return this.last ? this.last.end : -1;
  }

  lastTok(): Tok | undefined {
    return this.last;
  }

  private expand(at: number): void {
    for (let guard = 0; guard < 1000; guard++) {
      const t = this.toks[at];
      if (!t || t.kind !== 'var') return;
      const body = this.defines.get(t.text);
      if (!body) {
        throw new NatTraceError(`unknown identifier '${t.text}'`, { line: t.line, column: t.col, token: `$${t.text}`, expected: 'a name given with define before', suggestion: suggest(t.text, [...this.defines.keys()]) });
      }
      // The value takes the place (and position) of its use, as nft reports it.
      this.toks.splice(at, 1, ...body.map((b) => ({ ...b, line: t.line, col: t.col, pos: t.pos, end: t.end })));
    }
  }

  isWord(w?: string, k = 0): boolean {
    const t = this.peek(k);
    return t.kind === 'word' && (w === undefined || t.text === w);
  }

  peekPunct(p: string, k = 0): boolean {
    const t = this.peek(k);
    return t.kind === 'punct' && t.text === p;
  }

  /** End of a statement: a newline, `;` or the end of the text. */
  atSeparator(): boolean {
    const t = this.peek();
    return t.kind === 'nl' || t.kind === 'eof' || (t.kind === 'punct' && t.text === ';');
  }

  skipNewlines(): void {
    while (this.peek().kind === 'nl') this.next();
  }

  skipSeparators(): void {
    while (this.peek().kind === 'nl' || this.peekPunct(';')) this.next();
  }

  fail(tok: Tok, expected: string, candidates?: string[], message?: string): never {
    const shown = tok.kind === 'eof' ? 'end of file' : tok.kind === 'nl' ? 'end of line' : tok.kind === 'string' ? `"${tok.text}"` : tok.kind === 'var' ? `$${tok.text}` : tok.kind === 'setref' ? `@${tok.text}` : tok.text;
    throw new NatTraceError(message ?? `unexpected ${shown}`, {
      line: tok.line, column: tok.col, token: shown, expected,
      suggestion: candidates && (tok.kind === 'word' || tok.kind === 'string') ? suggest(tok.text, candidates) : undefined,
    });
  }

  expectPunct(p: string, expected = `\`${p}\``): Tok {
    const t = this.next();
    if (t.kind !== 'punct' || t.text !== p) this.fail(t, expected);
    return t;
  }

  expectWord(expected: string, candidates?: string[]): Tok {
    const t = this.next();
    if (t.kind !== 'word') this.fail(t, expected, candidates);
    if (candidates && !candidates.includes(t.text)) this.fail(t, expected, candidates, `unknown word ${t.text}`);
    return t;
  }

  /** A name: a word or a quoted string (nft accepts both for tables, chains and sets). */
  expectName(what: string): Tok {
    const t = this.next();
    if (t.kind !== 'word' && t.kind !== 'string') this.fail(t, what);
    return t;
  }

  /** The separator that must end a statement (newline or `;`), or a closing brace left for the caller when allowed. */
  endStatement(what: string): void {
    const t = this.peek();
    if (t.kind === 'nl' || (t.kind === 'punct' && t.text === ';')) { this.next(); return; }
    if (t.kind === 'eof') return;
    this.fail(t, `a newline or ';' after ${what}`);
  }

  /** Read tokens up to the end of the line (outside braces), for `define`. */
  restOfValue(): Tok[] {
    const out: Tok[] = [];
    let depth = 0;
    for (;;) {
      const t = this.peek();
      if (t.kind === 'eof') break;
      if (depth === 0 && (t.kind === 'nl' || (t.kind === 'punct' && (t.text === ';' || t.text === '}')))) break;
      if (t.kind === 'punct' && t.text === '{') depth++;
      if (t.kind === 'punct' && t.text === '}') depth--;
      out.push(this.next());
    }
    return out;
  }
}
