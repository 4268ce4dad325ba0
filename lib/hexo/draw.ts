/**
 * Drawing one block: simulate its merged scenario and render its figures.
 * A plain function of plain data (a DrawJob in, figures out), so it runs the
 * same in the main thread and in a drawing worker (drawpool.ts).
 */
import type { RawMap } from '../scenario/parse';
import type { FigureOptions, RenderedFigure } from '../render';
import { NatTraceError } from '../errors';
import { stepRanges } from '../story/select';

export interface DrawJob {
  /** The block's scenario, merged with its `from:` base (parse.ts RawMap). */
  merged: RawMap | null;
  parseOpts: { file: string; lineOffset: number };
  sport?: number;
  figOpts: FigureOptions;
  /** The views the block shows (a step selection is checked only when steps are shown). */
  show: string[];
  lang: string;
}

/* eslint-disable @typescript-eslint/no-var-requires */
let pipelineLib: typeof import('../index') | undefined;
const pipeline = (): typeof import('../index') => (pipelineLib ??= require('../index') as typeof import('../index'));
let renderLib: typeof import('../render') | undefined;
const render = (): typeof import('../render') => (renderLib ??= require('../render') as typeof import('../render'));
/* eslint-enable @typescript-eslint/no-var-requires */

export function drawFigures(job: DrawJob): RenderedFigure[] {
  const { figOpts } = job;
  const sim = pipeline().runScenario('', { ...job.parseOpts, base: job.merged ?? undefined, sport: job.sport });
  const figures = render().renderFigures(sim, figOpts);
  if (figOpts.steps && job.show.includes('steps')) {
    const have = figures.filter((f) => f.kind === 'step').map((f) => f.step);
    const missing = figOpts.steps.filter((s) => !have.includes(s));
    if (missing.length) {
      // `figures` holds only the selected steps: count the trace's own.
      const total = render().stepCount(sim, job.lang);
      throw new NatTraceError(`step ${stepRanges(missing)} does not exist: this trace has ${total} step${total === 1 ? '' : 's'}`, {
        token: `steps:${figOpts.steps.join(',')}`, expected: total ? `steps from 1 to ${total}` : 'no step selection',
      });
    }
  }
  return figures;
}

/** A NatTraceError as plain data, to cross from a worker (structured clone keeps no class). */
export interface ErrorData { nat: boolean; message: string; fields: Record<string, unknown> }

export function errorData(e: unknown): ErrorData {
  if (e instanceof NatTraceError) {
    const { file, line, column, token, expected, suggestion } = e;
    return { nat: true, message: e.message, fields: { file, line, column, token, expected, suggestion } };
  }
  return { nat: false, message: e instanceof Error ? e.message : String(e), fields: {} };
}

export function errorFromData(d: ErrorData): Error {
  if (!d.nat) return new Error(d.message);
  const e = new NatTraceError(d.message);
  // The message was clipped once, where it was made: kept as it is.
  e.message = d.message;
  for (const [k, v] of Object.entries(d.fields)) if (v !== undefined) (e as unknown as Record<string, unknown>)[k] = v;
  return e;
}
