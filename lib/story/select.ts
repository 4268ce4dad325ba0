/**
 * Which steps a figure shows: `2`, `1-3`, `1,3,5-6` (the Hexo tag's
 * `step:`/`steps:` and the CLI's `--step`). One parser for both, with a
 * limit: a range is expanded into numbers, and `1-99999999999` (or one
 * number past 2^53, where `n++` no longer moves) must be an error, not a
 * hang. No trace has anywhere near MAX_STEP steps.
 */
import { NatTraceError } from '../errors';

export const MAX_STEP = 999;

/** "2", "1-3", "1,3,5-6" -> sorted unique step numbers (1-based); `key` names the option in messages. */
export function parseStepList(value: string, key: string): number[] {
  const out = new Set<number>();
  for (const part of value.split(',').map((p) => p.trim()).filter(Boolean)) {
    const m = /^(\d+)(?:\s*-\s*(\d+))?$/.exec(part);
    if (!m) throw new NatTraceError(`${key}: not a step number or range`, { token: part, expected: 'a number like 2, a range like 1-3, or a list like 1,3' });
    const a = Number(m[1]);
    const b = m[2] !== undefined ? Number(m[2]) : a;
    if (a < 1 || b < a) throw new NatTraceError(`${key}: steps count from 1 and ranges go upwards`, { token: part, expected: 'a range like 1-3' });
    if (b > MAX_STEP) throw new NatTraceError(`${key}: step ${m[2] ?? m[1]} is beyond any trace (steps go up to ${MAX_STEP} at most)`, { token: part, expected: `step numbers from 1 to ${MAX_STEP}` });
    for (let i = a; i <= b; i++) out.add(i);
  }
  if (!out.size) throw new NatTraceError(`${key}: no step given`, { token: value, expected: 'a number like 2 or a range like 1-3' });
  return [...out].sort((x, y) => x - y);
}

/** Sorted step numbers as short text: [3, 4, 5, 9] -> "3-5, 9". */
export function stepRanges(steps: number[]): string {
  const parts: string[] = [];
  for (let i = 0; i < steps.length; i++) {
    let j = i;
    while (j + 1 < steps.length && steps[j + 1] === steps[j] + 1) j++;
    parts.push(j > i ? `${steps[i]}-${steps[j]}` : String(steps[i]));
    i = j;
  }
  return parts.join(', ');
}
