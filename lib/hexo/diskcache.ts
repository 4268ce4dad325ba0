/**
 * A content-addressed cache of finished blocks on disk, so a rebuild of
 * unchanged posts (`hexo clean && hexo generate` in every deploy, a new
 * `hexo server`) does no simulation and no drawing. Kept in
 * node_modules/.cache/hexo-nat-trace, where Hexo users expect caches and
 * `hexo clean` does not reach. One file per block, named by the hash of
 * everything its output depends on (block.ts blockKey), so an entry is never
 * stale, only unused: the directory is bounded by size, least recently
 * written first. Two builds may share it: an entry is written to a temporary
 * file and renamed into place, so a reader sees a whole entry or none. An
 * entry that cannot be read or has the wrong shape is ignored (and rewritten).
 */
import { createHash, randomBytes } from 'crypto';
import { mkdirSync, readdirSync, readFileSync, renameSync, statSync, unlinkSync, writeFileSync } from 'fs';
import { join } from 'path';

/** What block.ts needs to put a block into a post without drawing it. */
export interface CacheEntry {
  /** post.content's part of the block (render figureParts html). */
  html: string;
  /** Deferred drawings: [marker key, body, text]. */
  parts: Array<[string, string, string]>;
  /**
   * File-mode and feed SVGs: [URL path, SVG]. Read back as bytes: Hexo writes
   * them as they are, so they are never decoded into strings and encoded again.
   */
  files: Array<[string, FileData]>;
  /** The paths of `files` only feeds show (feed.ts). */
  feedFiles: string[];
  /** A named block's merged scenario, for later `from:` blocks (JSON of a RawMap). */
  merged?: unknown;
}

/** A figure file's content: SVG text, or its UTF-8 bytes (read from the cache). */
export type FileData = string | Buffer;

/** Bumped when the entry layout changes. */
const FORMAT = 3;
export const DEFAULT_CACHE_BYTES = 256 * 1024 * 1024;
/** Bytes written between two size checks (and a check at the end of each generate). */
const CHECK_EVERY_BYTES = 32 * 1024 * 1024;
/** A temporary file this old is left over from a killed build. */
const STALE_TMP_MS = 60 * 60 * 1000;

/** The cache folder of a site: node_modules/.cache/hexo-nat-trace under its base_dir. */
export function siteCacheDir(baseDir: string): string {
  return join(baseDir, 'node_modules', '.cache', 'hexo-nat-trace');
}

/*
 * An entry file: a first line "NTC<FORMAT> <header JSON>", then the entry's
 * strings one after another as UTF-8, unescaped (SVG is mostly quotes: as
 * JSON strings they would be escaped on write and unescaped on every read).
 * The header gives the key and each string's length in bytes; a file whose
 * strings do not add up exactly (cut short, appended to) is refused. Each
 * string is decoded on its own, so none is a slice of the whole file (a
 * slice would keep the file's text alive as long as any part of it is held:
 * lru.ts), and the figure files are not decoded at all.
 */
const MAGIC = `NTC${FORMAT} `;

function encodeEntry(key: string, e: CacheEntry): string | Buffer {
  const items = [e.html, ...e.parts.flat(), ...e.files.flat()];
  const header = { key, parts: e.parts.length, files: e.files.length, feed: e.feedFiles, merged: e.merged, lens: items.map((x) => (typeof x === 'string' ? Buffer.byteLength(x, 'utf8') : x.length)) };
  const head = `${MAGIC}${JSON.stringify(header)}\n`;
  // A freshly drawn block is all strings: joined and encoded once, as it is written.
  if (items.every((x): x is string => typeof x === 'string')) return head + items.join('');
  return Buffer.concat([Buffer.from(head, 'utf8'), ...items.map((x) => (typeof x === 'string' ? Buffer.from(x, 'utf8') : x))]);
}

function decodeEntry(buf: Buffer, key: string): CacheEntry | undefined {
  if (buf.length < MAGIC.length || buf.toString('latin1', 0, MAGIC.length) !== MAGIC) return undefined;
  const nl = buf.indexOf(10);
  if (nl < 0) return undefined;
  let h: { key?: unknown; parts?: unknown; files?: unknown; feed?: unknown; merged?: unknown; lens?: unknown };
  try { h = JSON.parse(buf.toString('utf8', MAGIC.length, nl)) as typeof h; } catch { return undefined; }
  if (!h || h.key !== key || typeof h.parts !== 'number' || typeof h.files !== 'number' || !Array.isArray(h.lens)) return undefined;
  if (!Array.isArray(h.feed) || !h.feed.every((p) => typeof p === 'string')) return undefined;
  const lens = h.lens as unknown[];
  if (lens.length !== 1 + 3 * h.parts + 2 * h.files || !lens.every((n) => Number.isInteger(n) && (n as number) >= 0)) return undefined;
  const f0 = 1 + 3 * h.parts;
  const starts: number[] = [];
  let at = nl + 1;
  for (const n of lens as number[]) { starts.push(at); at += n; }
  if (at !== buf.length) return undefined;
  const text = (i: number): string => buf.toString('utf8', starts[i], starts[i] + (lens[i] as number));
  // A file's bytes copied out, so they do not hold the whole entry's buffer.
  const bytes = (i: number): Buffer => Buffer.from(buf.subarray(starts[i], starts[i] + (lens[i] as number)));
  const parts: Array<[string, string, string]> = [];
  for (let i = 0; i < h.parts; i++) parts.push([text(1 + 3 * i), text(2 + 3 * i), text(3 + 3 * i)]);
  const files: Array<[string, FileData]> = [];
  for (let i = 0; i < h.files; i++) files.push([text(f0 + 2 * i), bytes(f0 + 2 * i + 1)]);
  const paths = new Set(files.map(([p]) => p));
  const feedFiles = h.feed as string[];
  if (!feedFiles.every((p) => paths.has(p))) return undefined;
  return { html: text(0), parts, files, feedFiles, merged: h.merged ?? undefined };
}

export class DiskCache {
  /** Keys read or written by this process: never evicted by it. */
  private readonly used = new Set<string>();
  private writtenSinceCheck = 0;
  private ready = false;
  /** Counters for tests and the debug log. */
  readonly stats = { hits: 0, misses: 0, writes: 0, evicted: 0 };

  constructor(readonly dir: string, readonly maxBytes = DEFAULT_CACHE_BYTES) {}

  private file(key: string): string {
    return join(this.dir, `${key}.ntc`);
  }

  get(key: string): CacheEntry | undefined {
    let buf: Buffer;
    try {
      buf = readFileSync(this.file(key));
    } catch {
      this.stats.misses++;
      return undefined;
    }
    const entry = decodeEntry(buf, key);
    if (!entry) { this.stats.misses++; return undefined; }
    this.used.add(key);
    this.stats.hits++;
    return entry;
  }

  /** Store an entry; a cache that cannot be written (read-only, full disk) is no error: the build goes on. */
  put(key: string, entry: CacheEntry): void {
    const file = this.file(key);
    const tmp = `${file}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`;
    try {
      if (!this.ready) { mkdirSync(this.dir, { recursive: true }); this.ready = true; }
      const data = encodeEntry(key, entry);
      writeFileSync(tmp, data);
      renameSync(tmp, file);
      this.used.add(key);
      this.stats.writes++;
      this.writtenSinceCheck += data.length;
    } catch {
      try { unlinkSync(tmp); } catch { /* never written */ }
      return;
    }
    if (this.writtenSinceCheck > CHECK_EVERY_BYTES) this.prune();
  }

  /** After a build: bound the folder if this process wrote to it. */
  pruneIfWritten(): void {
    if (this.writtenSinceCheck > 0) this.prune();
  }

  /**
   * Delete the least recently written entries not used by this process until
   * the folder holds at most maxBytes; and temporary files of killed builds.
   */
  prune(): void {
    this.writtenSinceCheck = 0;
    let names: string[];
    try { names = readdirSync(this.dir); } catch { return; }
    const now = Date.now();
    const entries: Array<{ file: string; key: string; size: number; mtime: number }> = [];
    let total = 0;
    for (const name of names) {
      const file = join(this.dir, name);
      let st;
      try { st = statSync(file); } catch { continue; }
      if (name.endsWith('.tmp')) {
        if (now - st.mtimeMs > STALE_TMP_MS) { try { unlinkSync(file); } catch { /* another build took it */ } }
        continue;
      }
      if (!name.endsWith('.ntc')) continue;
      total += st.size;
      entries.push({ file, key: name.slice(0, -4), size: st.size, mtime: st.mtimeMs });
    }
    if (total <= this.maxBytes) return;
    entries.sort((a, b) => a.mtime - b.mtime || (a.key < b.key ? -1 : 1));
    for (const e of entries) {
      if (total <= this.maxBytes) break;
      if (this.used.has(e.key)) continue;
      try { unlinkSync(e.file); this.stats.evicted++; } catch { /* gone already */ }
      total -= e.size;
    }
  }
}

/** JSON of a RawMap back into null-prototype tables (lib/dict.ts: user text never meets Object.prototype). */
export function parseRawJson(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(parseRawJson);
  if (value && typeof value === 'object') {
    const out = Object.create(null) as Record<string, unknown>;
    for (const [k, v] of Object.entries(value as Record<string, unknown>)) out[k] = parseRawJson(v);
    return out;
  }
  return value;
}

let fingerprint: string | undefined;

/**
 * A hash of the plugin's code and templates as installed: a cache entry is
 * for exactly this build of the plugin, also between two releases with the
 * same version number (a checkout, `npm link`).
 */
export function codeFingerprint(version: string): string {
  if (fingerprint !== undefined) return fingerprint;
  const h = createHash('sha256').update(version);
  const root = join(__dirname, '..', '..');
  const walk = (dir: string, rel: string): void => {
    let list: string[];
    try { list = readdirSync(dir).sort(); } catch { return; }
    for (const name of list) {
      const p = join(dir, name);
      let st;
      try { st = statSync(p); } catch { continue; }
      if (st.isDirectory()) walk(p, `${rel}${name}/`);
      else if (/\.(js|njk|json|yml)$/.test(name)) h.update(`\0${rel}${name}\0`).update(readFileSync(p));
    }
  };
  walk(join(root, 'dist'), 'dist/');
  walk(join(root, 'templates'), 'templates/');
  fingerprint = h.digest('hex');
  return fingerprint;
}
