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
import { closeSync, fstatSync, mkdirSync, openSync, readdirSync, readFileSync, readSync, renameSync, statSync, unlinkSync, writeFileSync } from 'fs';
import { ABOVE_LATIN1 } from '../render/xml';
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
  /** Set when read back with every part's strings stored as Latin-1: they are one-byte strings (expand.ts). */
  latin1Parts?: boolean;
}

/** A figure file's content: SVG text, or its UTF-8 bytes (read from the cache). */
export type FileData = string | Buffer;

/** Bumped when the entry layout changes. */
const FORMAT = 4;
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
 * strings one after another, unescaped (SVG is mostly quotes: as JSON
 * strings they would be escaped on write and unescaped on every read), then
 * the figure files' bytes. The header gives the key, each string's length
 * in bytes and its encoding ("enc": `l` Latin-1, `u` UTF-8); a file whose
 * parts do not add up exactly (cut short, appended to) is refused. A string
 * with no character above U+00FF (a page's drawings: their arrows are
 * references already, only · and × are left) is stored as Latin-1, so it
 * reads back as a plain copy into a one-byte string instead of a UTF-8
 * decode. Each string is decoded on its own, so none is a slice of the
 * whole file (a slice would keep the file's text alive as long as any part
 * of it is held: lru.ts); the figure files are UTF-8, never decoded, read
 * into one buffer of their own (views of it, not a copy each).
 */
const MAGIC = `NTC${FORMAT} `;

function encodeEntry(key: string, e: CacheEntry): Buffer {
  const texts = [e.html, ...e.parts.flat(), ...e.files.map(([p]) => p)];
  const latin1 = texts.map((t) => !ABOVE_LATIN1.test(t));
  const textBufs = texts.map((t, i) => Buffer.from(t, latin1[i] ? 'latin1' : 'utf8'));
  const fileBufs = e.files.map(([, d]) => (typeof d === 'string' ? Buffer.from(d, 'utf8') : d));
  const header = {
    key, parts: e.parts.length, files: e.files.length, feed: e.feedFiles, merged: e.merged,
    enc: latin1.map((l) => (l ? 'l' : 'u')).join(''), lens: [...textBufs, ...fileBufs].map((b) => b.length),
  };
  return Buffer.concat([Buffer.from(`${MAGIC}${JSON.stringify(header)}\n`, 'utf8'), ...textBufs, ...fileBufs]);
}

/** Scratch space for an entry's header and strings: decoded out of it, never kept. */
let scratch = Buffer.allocUnsafeSlow(256 * 1024);
/** A larger entry's text gets a buffer of its own, not kept: the scratch stays this size. */
const SCRATCH_MAX = 4 * 1024 * 1024;
/** Bytes read first: a header is ~1-2 KB. */
const FIRST_READ = 16 * 1024;

/** `n` bytes of `fd` from `pos` into `buf` at `at`; false when the file ends first. */
function readFully(fd: number, buf: Buffer, at: number, n: number, pos: number): boolean {
  while (n > 0) {
    const got = readSync(fd, buf, at, n, pos);
    if (got <= 0) return false;
    at += got; pos += got; n -= got;
  }
  return true;
}

type Header = { key?: unknown; parts?: unknown; files?: unknown; feed?: unknown; merged?: unknown; enc?: unknown; lens?: unknown };

function readEntry(fd: number, key: string): CacheEntry | undefined {
  const size = fstatSync(fd).size;
  if (size < MAGIC.length) return undefined;
  let buf = scratch;
  // The header first: the strings then go into the scratch and the files straight into their own buffer (no copy).
  let have = Math.min(size, FIRST_READ);
  if (!readFully(fd, buf, 0, have, 0)) return undefined;
  if (buf.toString('latin1', 0, MAGIC.length) !== MAGIC) return undefined;
  let nl = buf.subarray(0, have).indexOf(10);
  if (nl < 0) {
    // A header longer than the first read (hundreds of feed paths): the whole file, once.
    if (have === size) return undefined;
    buf = Buffer.allocUnsafe(size);
    if (!readFully(fd, buf, 0, size, 0)) return undefined;
    have = size;
    nl = buf.indexOf(10);
    if (nl < 0) return undefined;
  }
  let h: Header;
  try { h = JSON.parse(buf.toString('utf8', MAGIC.length, nl)) as Header; } catch { return undefined; }
  if (!h || h.key !== key || typeof h.parts !== 'number' || typeof h.files !== 'number' || !Array.isArray(h.lens)) return undefined;
  if (!Array.isArray(h.feed) || !h.feed.every((p) => typeof p === 'string')) return undefined;
  const lens = h.lens as unknown[];
  const nText = 1 + 3 * h.parts + h.files;
  if (lens.length !== nText + h.files || !lens.every((n) => Number.isInteger(n) && (n as number) >= 0)) return undefined;
  if (typeof h.enc !== 'string' || h.enc.length !== nText || !/^[lu]*$/.test(h.enc)) return undefined;
  const enc = h.enc;
  const starts: number[] = [];
  let at = nl + 1;
  for (const n of lens as number[]) { starts.push(at); at += n; }
  if (at !== size) return undefined;
  const textEnd = h.files ? starts[nText] : size;
  if (textEnd > have) {
    // The strings run past what was read: the rest of them.
    const more = textEnd <= SCRATCH_MAX ? (scratch = Buffer.allocUnsafeSlow(textEnd)) : Buffer.allocUnsafe(textEnd);
    buf.copy(more, 0, 0, have);
    buf = more;
    if (!readFully(fd, buf, have, textEnd - have, have)) return undefined;
    have = textEnd;
  }
  // The files' bytes: what was read past the strings, and the rest from the file.
  const filesLen = size - textEnd;
  const filesBuf = Buffer.allocUnsafeSlow(filesLen);
  const over = have - textEnd;
  if (over > 0) buf.copy(filesBuf, 0, textEnd, have);
  if (filesLen > over && !readFully(fd, filesBuf, over, filesLen - over, have)) return undefined;
  const text = (i: number): string => buf.toString(enc[i] === 'l' ? 'latin1' : 'utf8', starts[i], starts[i] + (lens[i] as number));
  const parts: Array<[string, string, string]> = [];
  for (let i = 0; i < h.parts; i++) parts.push([text(1 + 3 * i), text(2 + 3 * i), text(3 + 3 * i)]);
  const files: Array<[string, FileData]> = [];
  const p0 = 1 + 3 * h.parts;
  for (let i = 0; i < h.files; i++) {
    const s = starts[nText + i] - textEnd;
    files.push([text(p0 + i), filesBuf.subarray(s, s + (lens[nText + i] as number))]);
  }
  const paths = new Set(files.map(([p]) => p));
  const feedFiles = h.feed as string[];
  if (!feedFiles.every((p) => paths.has(p))) return undefined;
  const latin1Parts = !enc.slice(1, p0).includes('u');
  return { html: text(0), parts, files, feedFiles, merged: h.merged ?? undefined, latin1Parts };
}

export class DiskCache {
  /** Keys read or written by this process: never evicted by it. */
  private readonly used = new Set<string>();
  private writtenSinceCheck = 0;
  private ready = false;
  /** Counters for tests and the debug log. */
  readonly stats = { hits: 0, misses: 0, writes: 0, evicted: 0 };

  /** The folder with its separator: an entry's path is a concatenation (a key is hex), not a join per read. */
  private readonly prefix: string;

  constructor(readonly dir: string, readonly maxBytes = DEFAULT_CACHE_BYTES) {
    this.prefix = join(dir, 'x').slice(0, -1);
  }

  private file(key: string): string {
    return `${this.prefix}${key}.ntc`;
  }

  get(key: string): CacheEntry | undefined {
    let entry: CacheEntry | undefined;
    let fd: number | undefined;
    try {
      fd = openSync(this.file(key), 'r');
      entry = readEntry(fd, key);
    } catch {
      entry = undefined;
    } finally {
      if (fd !== undefined) { try { closeSync(fd); } catch { /* closed is closed */ } }
    }
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
