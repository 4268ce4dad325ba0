/**
 * Source rewriting for posts, run before Hexo's own before_post_render
 * filters (fenced code, etc.):
 *  - `<% nat_trace ... %>` / `<% endnat_trace %>` (the design brief's spelling,
 *    Markdown posts only) and `{% nat_trace ... %}` / `{% endnat_trace %}` are
 *    found in one left-to-right pass in which a block's body is opaque;
 *  - each block's arguments and body are taken out of the post and kept (see
 *    BlockSource), and the block becomes `{% nat_trace __at:RUN:LINE:N %}`
 *    followed by the body's newlines and `{% endnat_trace %}`. Hexo hands a
 *    tag its arguments and body but not where it stands in the file, and
 *    nothing of a body then reaches Nunjucks, Markdown or Hexo's escaping: a
 *    `<!--`, `{% endraw %}`, `{{ }}` or `-->` in one block cannot pair with
 *    something in another block or in the post around it.
 * Openings inside code are left alone: fenced (``` and ~~~) and indented code
 * blocks, inline code spans, HTML comments, and `{% raw %}` / `{% codeblock %}`
 * regions, so a post can show the syntax literally.
 */
import { stripIndent } from 'hexo-util';

export interface Range { start: number; end: number }

/** One block as written in the post, taken out of the text Hexo renders. */
export interface BlockSource {
  /** File line of the opening tag. */
  line: number;
  /** The tag's arguments as Hexo's tag lexer splits them (quotes joined and dropped). */
  args: string[];
  /** The body as Hexo would hand it to the tag: common indentation and one leading and trailing newline removed. */
  body: string;
  /** File line before the body's first line: body line N is file line lineOffset + N. */
  lineOffset: number;
  /** Columns removed from every body line (the common indentation). */
  indent: number;
  /** Columns before the body's first line when it starts on the tag's own line. */
  firstColumn: number;
  /** Set when no end tag closes the block (then the body runs to the end of the post). */
  unclosed?: boolean;
}

const OPEN_TAG_RE = /\{%-?\s*nat_trace(?=[\s%-])((?:[^%"']|"[^"]*"|'[^']*'|%(?!\}))*?)-?%\}/y;
const ANGLE_OPEN_RE = /<%-?\s*nat_trace(?=[\s%-])((?:[^%"']|"[^"]*"|'[^']*'|%(?!>))*?)-?%>/y;
const ANGLE_END_RE = /<%-?\s*endnat_trace\s*-?%>/g;
const END_TAG_RE = /\{%-?\s*endnat_trace\s*-?%\}/g;
/** What the scan looks at outside a line start: a newline, a backtick, `<` (comments, `<%`) and `{` (tags). */
const NEXT_STOP_RE = /[\n`<{]/g;
const PROTECTED_TAG_RE = /\{%-?\s*(raw|codeblock|code|blockquote_code)\b/y;

/** Offsets of the start of each line. */
function lineStarts(text: string): number[] {
  const starts = [0];
  for (let i = text.indexOf('\n'); i >= 0; i = text.indexOf('\n', i + 1)) starts.push(i + 1);
  return starts;
}

/** 1-based line of an offset, by binary search over line starts. */
export function lineAt(starts: number[], offset: number): number {
  let lo = 0; let hi = starts.length - 1;
  while (lo < hi) {
    const mid = (lo + hi + 1) >> 1;
    if (starts[mid] <= offset) lo = mid; else hi = mid - 1;
  }
  return lo + 1;
}

/** First element of a sorted array that is >= x (or undefined). */
function firstAtLeast(sorted: number[], x: number): number | undefined {
  let lo = 0; let hi = sorted.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (sorted[mid] < x) lo = mid + 1; else hi = mid;
  }
  return sorted[lo];
}

/**
 * Inline code spans: a run of N backticks up to the next run of exactly N, not
 * across a blank line (Hexo's own escaping stops there too). Indexed once, so
 * finding a span's end is a binary search, not a scan.
 */
class BacktickIndex {
  private readonly runs = new Map<number, number[]>();
  /** Blank lines, found at the first span asked for (most posts have none, or no backticks). */
  private blanks?: number[];
  constructor(private readonly text: string) {
    for (const m of text.matchAll(/`+/g)) {
      const list = this.runs.get(m[0].length) ?? [];
      list.push(m.index ?? 0);
      this.runs.set(m[0].length, list);
    }
  }

  private blankLines(): number[] {
    if (this.blanks) return this.blanks;
    const blanks: number[] = [];
    const blank = /\n[ \t]*\r?\n/g;
    let b: RegExpExecArray | null;
    while ((b = blank.exec(this.text))) { blanks.push(b.index); blank.lastIndex = b.index + 1; }
    return (this.blanks = blanks);
  }

  /** End offset of the span opened by the run of `n` backticks at `start`, or -1. */
  spanEnd(start: number, n: number): number {
    const close = firstAtLeast(this.runs.get(n) ?? [], start + n);
    if (close === undefined) return -1;
    const blank = firstAtLeast(this.blankLines(), start);
    return blank !== undefined && blank < close ? -1 : close + n;
  }
}

/** Hexo's tag arguments: whitespace-separated, a quoted part ("a b" or 'a b') joined, quotes dropped, as Nunjucks lexes them. */
export function splitTagArgs(text: string): string[] {
  const out: string[] = [];
  let cur = '';
  let has = false;
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (c === '"' || c === "'") {
      has = true;
      for (i++; i < text.length && text[i] !== c; i++) {
        if (text[i] === '\\' && i + 1 < text.length) {
          i++;
          cur += text[i] === 'n' ? '\n' : text[i] === 't' ? '\t' : text[i] === 'r' ? '\r' : text[i];
        } else cur += text[i];
      }
    } else if (/\s/.test(c)) {
      if (has) out.push(cur.trim());
      cur = ''; has = false;
    } else {
      cur += c; has = true;
    }
  }
  if (has) out.push(cur.trim());
  return out.filter((a) => a !== '');
}

/** The body as Hexo's trimBody gives it, and where its text stands in the file. */
function bodySource(text: string, starts: number[], bodyStart: number, bodyEnd: number, firstLine: number): Pick<BlockSource, 'body' | 'lineOffset' | 'indent' | 'firstColumn'> {
  // In Hexo's order: strip the common indentation, then one newline at each end.
  const raw = text.slice(bodyStart, bodyEnd);
  const indents = raw.match(/^[ \t]*(?=\S)/gm);
  const indent = indents ? indents.reduce((r, a) => Math.min(r, a.length), Infinity) : 0;
  let body = indent > 0 ? stripIndent(raw) : raw;
  const lead = /^\r?\n/.exec(body);
  const start = bodyStart + (lead ? lead[0].length : 0);
  body = body.slice(lead ? lead[0].length : 0).replace(/\r?\n$/, '');
  const line = lineAt(starts, start);
  const firstColumn = start - starts[line - 1];
  return { body, lineOffset: line - 1 + firstLine - 1, indent, firstColumn };
}

export interface RewriteResult {
  text: string;
  /** Number of nat_trace blocks seen outside code. */
  blocks: number;
  /** The blocks taken out, in order: block N is sources[N - 1]. */
  sources: BlockSource[];
}

/** Matches of a global end-tag regex, in order. */
function allMatches(re: RegExp, text: string): Array<{ start: number; end: number }> {
  return [...text.matchAll(re)].map((m) => ({ start: m.index ?? 0, end: (m.index ?? 0) + m[0].length }));
}

/**
 * Rewrite `text` (a post body whose first line is line `firstLine` of its
 * file). `angle` turns the `<% %>` spelling into the tag (Markdown posts only).
 */
export function rewriteSource(text: string, opts: { run: number; firstLine: number; angle: boolean }): RewriteResult {
  const starts = lineStarts(text);
  const ticks = new BacktickIndex(text);
  const ends = allMatches(END_TAG_RE, text);
  if (opts.angle) ends.push(...allMatches(ANGLE_END_RE, text));
  ends.sort((a, b) => a.start - b.start);
  const sources: BlockSource[] = [];
  let out = '';
  let copied = 0;
  const n = text.length;
  let pos = 0;
  let prevBlank = true;
  let fence: { char: string; len: number } | null = null;

  const endAfter = (from: number) => {
    const e = ends[firstIndexAtLeast(ends, from)];
    return e;
  };

  while (pos < n) {
    // Line-level code: fences and indented blocks, decided at each line start.
    if (pos === 0 || text.charCodeAt(pos - 1) === 10) {
      const eol = text.indexOf('\n', pos);
      const lineEnd = eol < 0 ? n : eol + 1;
      const line = text.slice(pos, eol < 0 ? n : eol).replace(/\r$/, '');
      if (fence) {
        const m = /^\s*(`{3,}|~{3,})\s*$/.exec(line);
        if (m && m[1][0] === fence.char && m[1].length >= fence.len) fence = null;
        pos = lineEnd; prevBlank = false;
        continue;
      }
      const open = /^\s*(`{3,}|~{3,})/.exec(line);
      if (open && !(open[1][0] === '`' && line.slice(open.index + open[0].length).includes('`'))) {
        fence = { char: open[1][0], len: open[1].length };
        pos = lineEnd; prevBlank = false;
        continue;
      }
      const isBlank = line.trim() === '';
      if (!isBlank && prevBlank && /^( {4}|\t)/.test(line)) {
        // Indented code runs while lines are indented or blank.
        let p = lineEnd;
        while (p < n) {
          const e2 = text.indexOf('\n', p);
          const l2 = text.slice(p, e2 < 0 ? n : e2).replace(/\r$/, '');
          if (l2.trim() !== '' && !/^( {4}|\t)/.test(l2)) break;
          p = e2 < 0 ? n : e2 + 1;
        }
        pos = p; prevBlank = true;
        continue;
      }
      prevBlank = isBlank;
    }
    const c = text.charCodeAt(pos);
    if (c === 10) { pos++; continue; }
    if (c === 96 /* ` */) {
      let k = 1;
      while (text.charCodeAt(pos + k) === 96) k++;
      const escaped = pos > 0 && text[pos - 1] === '\\';
      const end = escaped ? -1 : ticks.spanEnd(pos, k);
      pos = end > 0 ? end : pos + k;
      if (end > 0) prevBlank = false;
      continue;
    }
    if (c === 60 /* < */ && text.startsWith('<!--', pos)) {
      const close = text.indexOf('-->', pos + 4);
      pos = close < 0 ? n : close + 3;
      prevBlank = false;
      continue;
    }
    if (c === 123 /* { */ && text.charCodeAt(pos + 1) === 37 /* % */) {
      PROTECTED_TAG_RE.lastIndex = pos;
      const prot = PROTECTED_TAG_RE.exec(text);
      if (prot) {
        const endRe = new RegExp(`\\{%-?\\s*end${prot[1]}\\s*-?%\\}`, 'g');
        endRe.lastIndex = pos + prot[0].length;
        const end = endRe.exec(text);
        pos = end ? end.index + end[0].length : n;
        prevBlank = false;
        continue;
      }
    }
    const opener = c === 123 ? OPEN_TAG_RE : c === 60 && opts.angle ? ANGLE_OPEN_RE : undefined;
    if (opener) {
      opener.lastIndex = pos;
      const m = opener.exec(text);
      if (m) {
        const openEnd = pos + m[0].length;
        const end = endAfter(openEnd);
        const bodyEnd = end ? end.start : n;
        const line = lineAt(starts, pos) + opts.firstLine - 1;
        sources.push({
          line, args: splitTagArgs(m[1]),
          ...bodySource(text, starts, openEnd, bodyEnd, opts.firstLine),
          ...(end ? {} : { unclosed: true }),
        });
        // The body's newlines stay, so the post keeps its line structure; its text goes.
        let lines = 0;
        for (let i = text.indexOf('\n', openEnd); i >= 0 && i < bodyEnd; i = text.indexOf('\n', i + 1)) lines++;
        const newlines = '\n'.repeat(lines);
        out += text.slice(copied, pos) + `{% nat_trace __at:${opts.run}:${line}:${sources.length} %}${newlines}{% endnat_trace %}`;
        pos = end ? end.end : n;
        copied = pos;
        prevBlank = false;
        continue;
      }
    }
    // Nothing else stops the scan: on to the next character that can (a regex search, not a loop per character).
    NEXT_STOP_RE.lastIndex = pos + 1;
    pos = NEXT_STOP_RE.test(text) ? NEXT_STOP_RE.lastIndex - 1 : n;
  }
  out += text.slice(copied);
  return { text: out, blocks: sources.length, sources };
}

function firstIndexAtLeast(list: Array<{ start: number }>, x: number): number {
  let lo = 0; let hi = list.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (list[mid].start < x) lo = mid + 1; else hi = mid;
  }
  return lo;
}

/**
 * The line (1-based, in the file) where `body` starts, given the whole file
 * text: the line after the header of front matter. Hexo stores the post body
 * without its front matter, so find where it starts in the raw file.
 */
export function bodyFirstLine(raw: string | undefined, body: string): number {
  if (!raw) return 1;
  const idx = body ? raw.indexOf(body) : -1;
  if (idx >= 0) return lineAt(lineStarts(raw), idx);
  // Front matter as hexo-front-matter splits it: `---` (or `;;;`) fences.
  const fm = /^(?:---\s*\r?\n)?[^]*?\r?\n(?:---|;;;)\s*\r?\n/.exec(raw);
  return fm ? lineAt(lineStarts(raw), fm[0].length) : 1;
}
