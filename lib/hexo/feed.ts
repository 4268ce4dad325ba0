/**
 * Which posts a feed publishes. A figure in post.content is an <img> of an
 * SVG file (expand.ts): a feed reader shows that file, a page shows the
 * drawing. Writing the file for every figure of every post costs a blog with
 * thousands of figures thousands of files no reader ever loads, so only the
 * posts the site's feed holds get them (config `feed_images`, config.ts).
 *
 * hexo-generator-feed, the feed plugin Hexo's docs name, publishes the newest
 * `feed.limit` posts by `feed.order_by`, drafts left out, and post.content
 * only with `feed.content` (otherwise a description, or the excerpt, which
 * can hold a figure, or the first characters of the text, escaped). Its selection is followed here; any other generator
 * whose name says feed, RSS or Atom is taken to publish every post.
 */
import type { FeedImages } from './config';
import type { HexoLike, HexoQuery, HexoDocument } from './types';

/** The sources of the posts whose feed images are written, or 'all'. */
export type FeedPosts = Set<string> | 'all';

const FEEDISH = /feed|rss|atom/i;

interface FeedConfig {
  type?: unknown;
  limit?: unknown;
  order_by?: unknown;
  content?: unknown;
}

function feedTypes(cfg: FeedConfig): string[] {
  const t = cfg.type;
  if (typeof t === 'string') return [t];
  if (Array.isArray(t)) return t.filter((x): x is string => typeof x === 'string');
  return ['atom'];
}

export function feedPosts(hexo: HexoLike, posts: HexoQuery, mode: FeedImages | undefined): FeedPosts {
  if (mode === 'all') return 'all';
  const none = new Set<string>();
  if (mode === 'none') return none;
  const generators = Object.keys(hexo.extend.generator.list?.() ?? {});
  const raw = hexo.config.feed;
  const cfg: FeedConfig = raw && typeof raw === 'object' ? raw as FeedConfig : {};
  if (!feedTypes(cfg).some((t) => generators.includes(t))) {
    // Not hexo-generator-feed (or not its types): a feed of unknown selection publishes any post.
    return generators.some((g) => g !== 'nat_trace' && FEEDISH.test(g)) ? 'all' : none;
  }
  const order = typeof cfg.order_by === 'string' || (cfg.order_by && typeof cfg.order_by === 'object') ? cfg.order_by : '-date';
  let docs: HexoDocument[];
  try {
    docs = (posts.sort ? posts.sort(order) : posts).toArray();
  } catch {
    return 'all';
  }
  docs = docs.filter((p) => p.draft !== true);
  const limit = Number(cfg.limit);
  if (Number.isInteger(limit) && limit > 0) docs = docs.slice(0, limit);
  // Without content, a feed shows a post's description, else its excerpt (which may hold figures), else plain text.
  if (cfg.content === false) docs = docs.filter((p) => !p.description && typeof p.excerpt === 'string' && p.excerpt.includes('<!--nat-trace'));
  const out = new Set<string>();
  for (const p of docs) if (typeof p.source === 'string') out.add(p.source);
  return out;
}

/*
 * Hexo's open_graph helper (NexT and landscape call it without an image)
 * lists every <img> of post.content as og:image: the feed images too. Where
 * those files are not written, the page would name missing files; social
 * networks show no SVG card anyway, so those meta tags are dropped.
 */
const IMAGE_META_RE = /<meta\b[^>]*?\bcontent=(["'])([^"'<>]*\/nat-trace\/[0-9a-f]{10}-[a-z0-9-]+\.svg)\1[^>]*>[ \t]*\n?/gi;

/** http(s), a host name (its last label starts with a letter: no IPv4 to parse, no punycode to check; a port), then path segments none of which starts with a dot. */
const PLAIN_URL_RE = /^https?:\/\/(?![^/]*xn--)(?:[A-Za-z0-9-]+\.)*[A-Za-z][A-Za-z0-9-]*(?::\d{1,4})?(\/(?:[A-Za-z0-9_~-][A-Za-z0-9._~-]*\/)*[A-Za-z0-9_~-][A-Za-z0-9._~-]*)$/i;

/** The page without meta tags naming a figure file that is not written (`unwritten`: route paths). */
export function withoutUnwrittenImages(html: string, unwritten: ReadonlySet<string>, root: string): string {
  if (unwritten.size === 0 || !html.includes('/nat-trace/')) return html;
  const prefix = root.endsWith('/') ? root : `${root}/`;
  // The helper writes its tags into <head>: only that much of the page is searched (a post page is mostly figures).
  const headEnd = html.indexOf('</head>');
  const head = headEnd < 0 ? html : html.slice(0, headEnd);
  const kept = head.replace(IMAGE_META_RE, (tag: string, _q: string, url: string) => {
    let path: string;
    // An absolute URL whose path has no escapes and no dot segments (as Hexo writes them) is its path as
    // it stands: what URL and decodeURI give, without them (a post page has a tag per figure).
    const plain = PLAIN_URL_RE.exec(url);
    if (plain) path = plain[1];
    else try { path = decodeURI(new URL(url, 'http://site.invalid/').pathname); } catch { return tag; }
    if (path.startsWith(prefix)) path = path.slice(prefix.length);
    return unwritten.has(path) ? '' : tag;
  });
  return headEnd < 0 ? kept : kept === head ? html : kept + html.slice(headEnd);
}
