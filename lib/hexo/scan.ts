/**
 * Source rewriting for Markdown posts, run before Hexo's own
 * before_post_render filters (fenced code, etc.):
 *  - `<% nat_trace ... %>` / `<% endnat_trace %>` (the design brief's spelling)
 *    become the `{% %}` tag;
 *  - every `{% nat_trace ... %}` opening tag gets a hidden `__at:RUN:LINE`
 *    argument, because Hexo hands a tag its arguments and body but not where
 *    it stands in the file, and two identical blocks cannot be told apart
 *    by searching for their text.
 * Neither happens inside code: fenced (``` and ~~~) and indented code blocks,
 * inline code spans, HTML comments, and `{% raw %}` / `{% codeblock %}` regions,
 * so a post can show the syntax literally.
 */

export interface Range { start: number; end: number }

const OPEN_TAG_RE = /\{%-?\s*nat_trace(?=[\s%-])((?:[^%"']|"[^"]*"|'[^']*'|%(?!\}))*?)-?%\}/g;
const ANGLE_OPEN_RE = /<%-?\s*nat_trace(?=[\s%-])((?:[^%"']|"[^"]*"|'[^']*'|%(?!>))*?)-?%>/g;
const ANGLE_END_RE = /<%-?\s*endnat_trace\s*-?%>/g;
const END_TAG_RE = /\{%-?\s*endnat_trace\s*-?%\}/g;
const PROTECTED_TAG_RE = /\{%-?\s*(raw|codeblock|code|blockquote_code)\b[^]*?%\}/g;

/** Offsets of the start of each line. */
function lineStarts(text: string): number[] {
  const starts = [0];
  for (let i = 0; i < text.length; i++) if (text.charCodeAt(i) === 10) starts.push(i + 1);
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

/**
 * Block-level code: fenced blocks (any indentation, as Hexo's own
 * backtick_code_block filter accepts) and indented blocks (4 spaces or a tab
 * after a blank line; a paragraph's continuation lines are not code).
 */
function blockCodeRanges(text: string): Range[] {
  const ranges: Range[] = [];
  const lines = text.split('\n');
  let pos = 0;
  let fence: { char: string; len: number; start: number } | null = null;
  let prevBlank = true;
  let indentedStart = -1;
  for (const raw of lines) {
    const line = raw.replace(/\r$/, '');
    const lineEnd = pos + raw.length + 1;
    if (fence) {
      const m = /^\s*(`{3,}|~{3,})\s*$/.exec(line);
      if (m && m[1][0] === fence.char && m[1].length >= fence.len) {
        ranges.push({ start: fence.start, end: Math.min(lineEnd, text.length) });
        fence = null;
      }
    } else {
      const open = /^\s*(`{3,}|~{3,})/.exec(line);
      const isBlank = line.trim() === '';
      const isIndented = /^( {4}|\t)/.test(line);
      if (indentedStart >= 0 && !isBlank && !isIndented) {
        ranges.push({ start: indentedStart, end: pos });
        indentedStart = -1;
      }
      if (open && !(open[1][0] === '`' && line.slice(open.index + open[0].length).includes('`'))) {
        if (indentedStart >= 0) { ranges.push({ start: indentedStart, end: pos }); indentedStart = -1; }
        fence = { char: open[1][0], len: open[1].length, start: pos };
      } else if (indentedStart < 0 && isIndented && !isBlank && prevBlank) {
        indentedStart = pos;
      }
      prevBlank = isBlank;
    }
    pos = lineEnd;
  }
  // An unclosed fence runs to the end of the document (CommonMark).
  if (fence) ranges.push({ start: fence.start, end: text.length });
  if (indentedStart >= 0) ranges.push({ start: indentedStart, end: text.length });
  return ranges;
}

function inside(ranges: Range[], offset: number): boolean {
  return ranges.some((r) => offset >= r.start && offset < r.end);
}

/** Inline code spans, comments, raw/codeblock tag regions outside block code. */
function inlineProtectedRanges(text: string, blocks: Range[]): Range[] {
  const ranges: Range[] = [];
  const add = (start: number, end: number) => { if (!inside(blocks, start)) ranges.push({ start, end }); };
  for (const m of text.matchAll(/<!--[^]*?-->/g)) add(m.index ?? 0, (m.index ?? 0) + m[0].length);
  for (const m of text.matchAll(PROTECTED_TAG_RE)) {
    const start = m.index ?? 0;
    if (inside(blocks, start) || inside(ranges, start)) continue;
    const endRe = new RegExp(`\\{%-?\\s*end${m[1]}\\s*-?%\\}`, 'g');
    endRe.lastIndex = start + m[0].length;
    const end = endRe.exec(text);
    ranges.push({ start, end: end ? end.index + end[0].length : text.length });
  }
  // Backtick spans: a run of N backticks up to the next run of exactly N, not
  // across a blank line (Hexo's own escaping stops there too).
  const tick = /`+/g;
  let m: RegExpExecArray | null;
  while ((m = tick.exec(text))) {
    const start = m.index;
    if (inside(blocks, start) || inside(ranges, start) || (start > 0 && text[start - 1] === '\\')) continue;
    const n = m[0].length;
    const close = new RegExp(`(?<!\`)\`{${n}}(?!\`)`, 'g');
    close.lastIndex = start + n;
    const c = close.exec(text);
    if (!c || /\n[ \t]*\r?\n/.test(text.slice(start, c.index))) continue;
    ranges.push({ start, end: c.index + n });
    tick.lastIndex = c.index + n;
  }
  return ranges;
}

export interface RewriteResult {
  text: string;
  /** Number of nat_trace opening tags seen outside code. */
  blocks: number;
}

/**
 * Rewrite `text` (a post body whose first line is line `firstLine` of its
 * file). `angle` turns the `<% %>` spelling into the tag (Markdown posts only).
 */
export function rewriteSource(text: string, opts: { run: number; firstLine: number; angle: boolean }): RewriteResult {
  const blocks = blockCodeRanges(text);
  const protectedRanges = [...blocks, ...inlineProtectedRanges(text, blocks)];
  const starts = lineStarts(text);
  interface Edit { start: number; end: number; replacement: string }
  const edits: Edit[] = [];
  // Block bodies are opaque: nothing inside a nat_trace block is rewritten.
  const openings: Array<{ start: number; end: number; args: string; angle: boolean }> = [];
  for (const m of text.matchAll(OPEN_TAG_RE)) openings.push({ start: m.index ?? 0, end: (m.index ?? 0) + m[0].length, args: m[1], angle: false });
  if (opts.angle) for (const m of text.matchAll(ANGLE_OPEN_RE)) openings.push({ start: m.index ?? 0, end: (m.index ?? 0) + m[0].length, args: m[1], angle: true });
  openings.sort((a, b) => a.start - b.start);
  const ends: Array<{ start: number; end: number; angle: boolean }> = [];
  for (const m of text.matchAll(END_TAG_RE)) ends.push({ start: m.index ?? 0, end: (m.index ?? 0) + m[0].length, angle: false });
  if (opts.angle) for (const m of text.matchAll(ANGLE_END_RE)) ends.push({ start: m.index ?? 0, end: (m.index ?? 0) + m[0].length, angle: true });
  ends.sort((a, b) => a.start - b.start);

  let count = 0;
  let cursor = 0;
  for (const o of openings) {
    if (o.start < cursor || inside(protectedRanges, o.start)) continue;
    const line = lineAt(starts, o.start) + opts.firstLine - 1;
    const args = o.args.trim();
    edits.push({ start: o.start, end: o.end, replacement: `{% nat_trace ${args ? args + ' ' : ''}__at:${opts.run}:${line} %}` });
    count++;
    const end = ends.find((e) => e.start >= o.end);
    if (!end) { cursor = text.length; break; }
    if (end.angle) edits.push({ start: end.start, end: end.end, replacement: '{% endnat_trace %}' });
    cursor = end.end;
  }
  edits.sort((a, b) => b.start - a.start);
  let out = text;
  for (const e of edits) out = out.slice(0, e.start) + e.replacement + out.slice(e.end);
  return { text: out, blocks: count };
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
