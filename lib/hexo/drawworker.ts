/**
 * A drawing worker (drawpool.ts): takes DrawJobs, answers with the figures or
 * the error, one job at a time. It loads the simulator and the renderer
 * (jsdom, svg.js, fonts) itself, on its first job.
 */
import { parentPort } from 'worker_threads';
import { drawFigures, errorData } from './draw';
import type { DrawJob } from './draw';
import { parseRawJson } from './diskcache';
import type { RawMap } from '../scenario/parse';

parentPort?.on('message', (msg: { id: number; job: DrawJob }) => {
  try {
    // A structured clone has Object's prototype again: back to null-prototype tables (lib/dict.ts).
    const job: DrawJob = { ...msg.job, merged: parseRawJson(msg.job.merged) as RawMap | null };
    parentPort?.postMessage({ id: msg.id, figures: drawFigures(job) });
  } catch (e) {
    parentPort?.postMessage({ id: msg.id, error: errorData(e) });
  }
});
