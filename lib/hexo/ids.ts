/**
 * Ids unique within a page. A figure's ids come from a hash of its content
 * (`nt-<12 hex>`, with `-t` and `-d` for its title and description), so the
 * same figure shown twice in a post, or in two posts listed on one index
 * page, would carry the same ids twice: invalid HTML, and an aria-labelledby
 * naming two elements. The first occurrence keeps its id; each later one gets
 * the next free `-2`, `-3`... suffix, throughout its <svg> (ids, references,
 * its scoped CSS). Deterministic: the same page gives the same ids.
 */

const ROOT_RE = /<svg\b[^>]*?\sid="(nt-[0-9a-f]{12}(?:-\d+)?)"[^>]*>/g;

function escapeRe(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

/** Every id a figure root can have, and more (any element's): a superset of what ROOT_RE finds. */
const ANY_ID_RE = /\sid="(nt-[0-9a-f]{12}(?:-\d+)?)"/g;

/**
 * Could a root id repeat (on the page, or one in `seen`)? When no id of that
 * form does, nothing is renamed: one quick search instead of a walk through
 * every figure (a page almost always has each figure once).
 */
function mayRepeat(html: string, seen: ReadonlySet<string>): boolean {
  const found = new Set<string>();
  ANY_ID_RE.lastIndex = 0;
  for (let m = ANY_ID_RE.exec(html); m; m = ANY_ID_RE.exec(html)) {
    if (found.has(m[1]) || seen.has(m[1])) return true;
    found.add(m[1]);
  }
  return false;
}

/**
 * Rename repeated figure ids in `html`. `seen` holds the root ids already
 * used on the page (by earlier blocks of the post); it is updated while a
 * page is walked, and a page in which no id repeats is not walked.
 */
export function uniqueFigureIds(html: string, seen: Set<string>): string {
  if (!html.includes('nat-trace-svg') || !mayRepeat(html, seen)) return html;
  let out = '';
  let copied = 0;
  ROOT_RE.lastIndex = 0;
  let m: RegExpExecArray | null;
  while ((m = ROOT_RE.exec(html))) {
    if (!/\bclass="nat-trace-svg[ "]/.test(m[0])) continue;
    const id = m[1];
    const close = html.indexOf('</svg>', m.index);
    const end = close < 0 ? html.length : close + 6;
    if (!seen.has(id)) { seen.add(id); ROOT_RE.lastIndex = end; continue; }
    const base = id.replace(/-\d+$/, '');
    let k = 2;
    while (seen.has(`${base}-${k}`)) k++;
    const fresh = `${base}-${k}`;
    seen.add(fresh);
    out += html.slice(copied, m.index) + html.slice(m.index, end).replace(new RegExp(`${escapeRe(id)}(?![0-9a-f])`, 'g'), fresh);
    copied = end;
    ROOT_RE.lastIndex = end;
  }
  return copied ? out + html.slice(copied) : html;
}
