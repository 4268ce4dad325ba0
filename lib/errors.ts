/**
 * One error type for everything a user can get wrong. It carries where (file,
 * line, column, token) and what was expected, so the CLI and the Hexo layer can
 * print one clear sentence instead of a stack trace.
 */
export interface ErrorLocation {
  /** Path of the file (or the post) the text came from, when known. */
  file?: string;
  /** 1-based line in that file. */
  line?: number;
  /** 1-based column in that line. */
  column?: number;
}

export class NatTraceError extends Error {
  file?: string;
  line?: number;
  column?: number;
  /** The offending word of the input, verbatim. */
  token?: string;
  /** What would have been accepted there. */
  expected?: string;
  /** A near valid spelling ("did you mean ...?"). */
  suggestion?: string;

  constructor(
    message: string,
    opts: { line?: number; column?: number; token?: string; expected?: string; suggestion?: string; file?: string } = {},
  ) {
    super(message);
    this.name = 'NatTraceError';
    this.line = opts.line;
    this.column = opts.column;
    this.token = opts.token;
    this.expected = opts.expected;
    this.suggestion = opts.suggestion;
    this.file = opts.file;
  }

  /** Shift the line by an offset (a rule block starts at some YAML line). */
  atOffset(lineOffset: number): this {
    if (this.line !== undefined) this.line += lineOffset;
    return this;
  }

  /** "file:line:col: message (got `token`, expected ...; did you mean ...?)" */
  format(): string {
    let where = '';
    if (this.file) where += this.file;
    if (this.line !== undefined) where += (where ? ':' : 'line ') + this.line;
    if (this.column !== undefined && this.line !== undefined) where += ':' + this.column;
    let text = this.message;
    const extra: string[] = [];
    if (this.token !== undefined && !this.message.includes(this.token)) extra.push(`at \`${this.token}\``);
    if (this.expected) extra.push(`expected ${this.expected}`);
    if (this.suggestion) extra.push(`did you mean \`${this.suggestion}\`?`);
    if (extra.length) text += ' (' + extra.join('; ') + ')';
    return where ? `${where}: ${text}` : text;
  }
}

/** Nearest candidate by edit distance, if it is close enough to be a typo. */
export function suggest(word: string, candidates: readonly string[]): string | undefined {
  // Lazy require keeps this module free of load-time cost for the hot path.
  // eslint-disable-next-line @typescript-eslint/no-var-requires
  const { distance } = require('fastest-levenshtein') as { distance: (a: string, b: string) => number };
  let best: string | undefined;
  let bestD = Infinity;
  for (const c of candidates) {
    const d = distance(word.toLowerCase(), c.toLowerCase());
    if (d < bestD) { bestD = d; best = c; }
  }
  return best !== undefined && bestD <= Math.max(2, Math.floor(word.length / 3)) ? best : undefined;
}
