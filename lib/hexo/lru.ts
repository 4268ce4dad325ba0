/**
 * A least-recently-used map bounded by the size of what it holds, not by its
 * number of entries: `hexo server` keeps a process for days, and one block's
 * figures weigh from a few KB to megabytes (long labels, many rules), so an
 * entry count bounds nothing. Sizes are estimates in bytes (UTF-16 strings).
 *
 * What is counted must be all that is held. V8 makes a substring (a regex
 * match, a slice) a view into its parent string, so a 16-character key cut
 * out of a rendered page keeps the whole page alive: keys and the strings of
 * values are stored as copies of their own (ownString), and a read re-files
 * an entry under the key it was stored with, not the caller's string.
 */
export class ByteLru<V> {
  private readonly entries = new Map<string, { key: string; value: V; bytes: number }>();
  private total = 0;

  /** `own` returns the value with its strings copied (ownString); identity when values hold no borrowed strings. */
  constructor(readonly maxBytes: number, private readonly sizeOf: (value: V) => number, private readonly own: (value: V) => V = (v) => v) {}

  get(key: string): V | undefined {
    const e = this.entries.get(key);
    if (!e) return undefined;
    this.entries.delete(e.key);
    this.entries.set(e.key, e);
    return e.value;
  }

  has(key: string): boolean { return this.entries.has(key); }

  /** `owned`: the value holds no borrowed strings (skip the copy). */
  set(key: string, value: V, owned = false): void {
    const old = this.entries.get(key);
    if (old) { this.total -= old.bytes; this.entries.delete(old.key); }
    const bytes = this.sizeOf(value);
    // One value over the whole bound is not kept (it would evict everything else).
    if (bytes > this.maxBytes) return;
    const own = ownString(key);
    this.entries.set(own, { key: own, value: owned ? value : this.own(value), bytes });
    this.total += bytes;
    for (const [k, e] of this.entries) {
      if (this.total <= this.maxBytes) break;
      this.entries.delete(k);
      this.total -= e.bytes;
    }
  }

  /** Bytes held now (estimate), for tests and the debug log. */
  get bytes(): number { return this.total; }
  get size(): number { return this.entries.size; }
}

/** Bytes of the strings in a value, as V8 holds them at most (two per UTF-16 unit). */
export function stringBytes(...parts: (string | undefined)[]): number {
  let n = 0;
  // A figure may lack a field (a stub renderer, an older cache entry): it weighs nothing.
  for (const p of parts) n += typeof p === 'string' ? 2 * p.length : 0;
  return n;
}

/**
 * A copy of `s` that shares no memory with a longer string (see ByteLru).
 * JSON keeps every UTF-16 unit, lone surrogates included, and builds a new flat string.
 */
export function ownString(s: string): string;
export function ownString(s: string | undefined): string | undefined;
export function ownString(s: string | undefined): string | undefined {
  return typeof s === 'string' ? JSON.parse(JSON.stringify(s)) as string : s;
}
