/**
 * Reading a scenario file, bounded. `readFileSync` of /dev/zero, of a
 * symlink to it, or of an endless pipe never returns (it reads until memory
 * runs out), and a 100 MB file is no scenario: every file nat-trace reads
 * (CLI arguments, standard input, a post's `from:` data file) goes through
 * here and is refused past MAX_INPUT_BYTES with one clear message.
 */
import { closeSync, fstatSync, openSync, readSync } from 'fs';
import { NatTraceError } from './errors';

/** Far above any real scenario (the corpus's largest is a few KB); a 1 MB block still renders in seconds. */
export const MAX_INPUT_BYTES = 4 * 1024 * 1024;

/** The text of `file` (0 = standard input); `label` names it in messages. */
export function readScenarioFile(file: string | 0, label: string = String(file), max = MAX_INPUT_BYTES): string {
  const fd = file === 0 ? 0 : openSync(file, 'r');
  try {
    if (fstatSync(fd).isDirectory()) throw new NatTraceError('is a directory, not a scenario file', { file: label, expected: 'a YAML scenario file' });
    const chunks: Buffer[] = [];
    let total = 0;
    for (;;) {
      const buf = Buffer.allocUnsafe(Math.min(1 << 16, max + 1 - total));
      let n: number;
      try {
        n = readSync(fd, buf, 0, buf.length, null);
      } catch (e) {
        // A non-blocking standard input with nothing yet: wait for it like readFileSync does.
        if ((e as NodeJS.ErrnoException).code === 'EAGAIN') { Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 20); continue; }
        if ((e as NodeJS.ErrnoException).code === 'EOF') break;
        throw e;
      }
      if (n === 0) break;
      chunks.push(buf.subarray(0, n));
      total += n;
      if (total > max) {
        throw new NatTraceError(`is larger than ${max / 1024 / 1024} MB, more than any scenario needs (nat-trace reads at most ${max / 1024 / 1024} MB)`, {
          file: label, expected: 'a scenario file of a few KB (is it the right file?)',
        });
      }
    }
    return Buffer.concat(chunks, total).toString('utf8');
  } finally {
    if (file !== 0) closeSync(fd);
  }
}
