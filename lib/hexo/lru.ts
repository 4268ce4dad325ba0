/**
 * A least-recently-used map bounded by the size of what it holds, not by its
 * number of entries: `hexo server` keeps a process for days, and one block's
 * figures weigh from a few KB to megabytes (long labels, many rules), so an
 * entry count bounds nothing. Sizes are estimates in bytes (UTF-16 strings).
 */
export class ByteLru<V> {
  private readonly entries = new Map<string, { value: V; bytes: number }>();
  private total = 0;

  constructor(readonly maxBytes: number, private readonly sizeOf: (value: V) => number) {}

  get(key: string): V | undefined {
    const e = this.entries.get(key);
    if (!e) return undefined;
    this.entries.delete(key);
    this.entries.set(key, e);
    return e.value;
  }

  set(key: string, value: V): void {
    const old = this.entries.get(key);
    if (old) { this.total -= old.bytes; this.entries.delete(key); }
    const bytes = this.sizeOf(value);
    // One value over the whole bound is not kept (it would evict everything else).
    if (bytes > this.maxBytes) return;
    this.entries.set(key, { value, bytes });
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
