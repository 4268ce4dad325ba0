/**
 * Lookup tables keyed by user text. A `{}` literal inherits from
 * Object.prototype, so a name such as `constructor` or `toString` is "found"
 * and `__proto__` cannot be stored at all; these objects have no prototype, so
 * every name is an ordinary key. Used by every stage that keeps names from a
 * scenario (chains, interfaces, lists, hosts) or looks user words up in a table.
 */
export type Dict<T> = Record<string, T>;

/** An empty null-prototype table, or a null-prototype copy of `init` (a literal or entries). */
export function dict<T>(init?: Record<string, T> | Iterable<readonly [string, T]>): Dict<T> {
  const d = Object.create(null) as Dict<T>;
  if (!init) return d;
  const entries = Symbol.iterator in (init as object) ? (init as Iterable<readonly [string, T]>) : Object.entries(init as Record<string, T>);
  for (const [k, v] of entries) d[k] = v;
  return d;
}

/** Own-property lookup in any object (also one that has a prototype). */
export function own<T>(d: Record<string, T> | undefined, key: string): T | undefined {
  return d !== undefined && Object.prototype.hasOwnProperty.call(d, key) ? d[key] : undefined;
}

/** Does the table have this key as its own entry? */
export function has(d: object | undefined, key: string): boolean {
  return d !== undefined && Object.prototype.hasOwnProperty.call(d, key);
}
