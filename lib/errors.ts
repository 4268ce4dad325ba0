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

/** Longest piece of the input an error quotes; a 1 MB scalar must not become a 1 MB message. */
export const MAX_QUOTED = 80;
/** Longest "expected" text (lists of names the user defined can be long too). */
const MAX_EXPECTED = 300;
/** Longest message before the location and the extras. */
const MAX_MESSAGE = 400;

/** `s` cut to `max` characters with an ellipsis, never splitting a surrogate pair. */
export function clip(s: string, max = MAX_QUOTED): string {
  if (s.length <= max) return s;
  let end = max - 1;
  const c = s.charCodeAt(end - 1);
  if (c >= 0xd800 && c <= 0xdbff) end--;
  return s.slice(0, end) + '…';
}

/**
 * Quote-delimited pieces (`x`, "x") and unbroken runs longer than MAX_QUOTED are
 * clipped, whatever message they are in, so every error is short whatever the input.
 */
function clipQuoted(msg: string): string {
  return msg
    .replace(/`([^`]{81,})`/g, (_m, x: string) => '`' + clip(x) + '`')
    .replace(/"([^"]{81,})"/g, (_m, x: string) => '"' + clip(x) + '"')
    .replace(/\S{121,}/g, (x) => clip(x));
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
    let text = message;
    let token = opts.token;
    if (token !== undefined && token.length > MAX_QUOTED) {
      const short = clip(token);
      text = text.split(token).join(short);
      token = short;
    }
    super(clip(clipQuoted(text), MAX_MESSAGE));
    this.name = 'NatTraceError';
    this.line = opts.line;
    this.column = opts.column;
    this.token = token;
    this.expected = opts.expected === undefined ? undefined : clip(clipQuoted(opts.expected), MAX_EXPECTED);
    this.suggestion = opts.suggestion === undefined ? undefined : clip(opts.suggestion);
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
  // Nothing much longer than the longest name can be a typo of it (and distance() is O(n*m)).
  if (word.length > 200) return undefined;
  const limit = Math.max(2, Math.floor(word.length / 3));
  let best: string | undefined;
  let bestD = Infinity;
  for (const c of candidates) {
    if (Math.abs(c.length - word.length) > limit) continue;
    const d = distance(word.toLowerCase(), c.toLowerCase());
    if (d < bestD) { bestD = d; best = c; }
  }
  return best !== undefined && bestD <= limit ? best : undefined;
}
