/**
 * Physical-line editing shared by the dialect writers: a rule is found by
 * the line its source starts on and spans its backslash continuations; edits
 * are collected against the original lines and applied once, so several
 * edits of one fix never shift each other's positions.
 */

/** A line ending in an odd number of backslashes continues on the next (both dialects' rule). */
export function continues(raw: string): boolean {
  const m = /\\+$/.exec(raw.replace(/[ \t]+$/, ''));
  return !!m && m[0].length % 2 === 1;
}

export class LineEdits {
  readonly lines: string[];
  private readonly inserts = new Map<number, string[]>();
  private readonly replaced = new Map<number, string | null>();
  private readonly appended: string[] = [];
  readonly added: string[] = [];
  readonly removed: string[] = [];

  constructor(text: string) {
    this.lines = text.replace(/\r\n?/g, '\n').split('\n');
    // A trailing newline leaves one empty last element: appends go before it.
    if (this.lines.length > 1 && this.lines[this.lines.length - 1] === '') this.lines.pop();
  }

  /** [first, last] 0-based physical lines of the logical line starting at 1-based `line`. */
  span(line: number): [number, number] {
    const a = line - 1;
    let b = a;
    while (b < this.lines.length - 1 && continues(this.lines[b])) b++;
    return [a, b];
  }

  /** The text of a logical line as written (physical lines joined, for `removed`). */
  original(line: number): string {
    const [a, b] = this.span(line);
    return this.lines.slice(a, b + 1).join('\n');
  }

  insertBefore(index: number, text: string): void {
    const list = this.inserts.get(index) ?? [];
    list.push(text);
    this.inserts.set(index, list);
    this.added.push(text);
  }

  /** Replace (text) or delete (null) the logical line starting at 1-based `line`. */
  replace(line: number, text: string | null): void {
    const [a, b] = this.span(line);
    if (this.replaced.has(a)) return;
    this.removed.push(this.original(line));
    this.replaced.set(a, text);
    for (let i = a + 1; i <= b; i++) this.replaced.set(i, null);
    if (text !== null) this.added.push(text);
  }

  append(text: string): void {
    this.appended.push(text);
    this.added.push(text);
  }

  /** Index just after the logical line starting at 1-based `line`. */
  after(line: number): number {
    return this.span(line)[1] + 1;
  }

  result(): string {
    const out: string[] = [];
    for (let i = 0; i <= this.lines.length; i++) {
      for (const t of this.inserts.get(i) ?? []) out.push(t);
      if (i === this.lines.length) break;
      if (this.replaced.has(i)) {
        const r = this.replaced.get(i);
        if (r !== null && r !== undefined) out.push(r);
        continue;
      }
      out.push(this.lines[i]);
    }
    while (out.length && out[out.length - 1].trim() === '') out.pop();
    out.push(...this.appended);
    return out.join('\n') + '\n';
  }
}

/** Split a rule line into words, keeping quoted values whole. */
export function tokens(text: string): string[] {
  return text.match(/[^\s=]+="(?:[^"\\]|\\.)*"|"(?:[^"\\]|\\.)*"|'[^']*'|\S+/g) ?? [];
}

/** A quoted value when it needs quotes (spaces, quotes, shell or RouterOS specials). */
export function quote(v: string): string {
  return /^[A-Za-z0-9_.:/,+@-]+$/.test(v) ? v : `"${v.replace(/["\\]/g, (c) => `\\${c}`)}"`;
}
