/**
 * Drawing in worker threads. svg.js on jsdom draws a figure in a few
 * milliseconds of one core; a build with thousands of figures spends most
 * of its time there while the other cores wait. Blocks that need drawing are
 * handed to a few workers (draw.ts runs the same there), and the post is
 * finished when they answer (tag.ts, filter.ts), in block order, so the
 * output is the same byte for byte as drawing in the main thread.
 *
 * Workers start when the first job comes, one more while jobs wait, up to
 * the pool's size; an idle worker does not keep the process alive and stops
 * after IDLE_MS. A worker that fails (cannot start, dies) fails its jobs
 * with WorkerLost, and the caller draws them itself.
 */
import { Worker } from 'worker_threads';
import { availableParallelism } from 'os';
import { join } from 'path';
import type { RenderedFigure } from '../render';
import type { DrawJob, ErrorData } from './draw';
import { errorFromData } from './draw';

/** An idle worker stops after this long: `hexo server` keeps its workers (a live edit is drawn at once) unless left alone. */
const IDLE_MS = 10 * 60 * 1000;

/** The job did not run: its worker could not start or died. */
export class WorkerLost extends Error {}

interface Task { id: number; job: DrawJob; resolve: (f: RenderedFigure[]) => void; reject: (e: Error) => void }
interface Slot { worker: Worker; task?: Task; idle?: NodeJS.Timeout }

/**
 * How many workers by default: one per core but one (Hexo's own thread has
 * work of its own: finishing the blocks, the pages), at most 4; none on one or
 * two cores, where the 100-post bench blog built no faster with workers (12.8
 * against 13.1 s) and took 160 MB more (docs/performance.md).
 */
export function defaultWorkers(): number {
  const n = availableParallelism();
  return n <= 2 ? 0 : Math.min(n - 1, 4);
}

export class DrawPool {
  private readonly slots: Slot[] = [];
  private readonly queue: Task[] = [];
  private nextId = 1;
  /** Set when a worker could not be used: the rest of the process draws in the main thread. */
  broken = false;
  readonly stats = { jobs: 0, workers: 0 };

  constructor(readonly size: number, private readonly script = join(__dirname, 'drawworker.js')) {}

  draw(job: DrawJob): Promise<RenderedFigure[]> {
    if (this.broken) return Promise.reject(new WorkerLost('drawing workers unavailable'));
    return new Promise((resolve, reject) => {
      this.queue.push({ id: this.nextId++, job, resolve, reject });
      this.stats.jobs++;
      this.pump();
    });
  }

  private pump(): void {
    for (const slot of this.slots) {
      if (!this.queue.length) return;
      if (!slot.task) this.give(slot, this.queue.shift() as Task);
    }
    if (this.queue.length && this.slots.length < this.size) {
      const slot = this.spawn();
      if (slot) this.give(slot, this.queue.shift() as Task);
    }
  }

  private spawn(): Slot | undefined {
    let worker: Worker;
    try {
      worker = new Worker(this.script);
    } catch {
      this.fail();
      return undefined;
    }
    const slot: Slot = { worker };
    this.stats.workers++;
    worker.on('message', (msg: { id: number; figures?: RenderedFigure[]; error?: ErrorData }) => {
      const task = slot.task;
      if (!task || task.id !== msg.id) return;
      slot.task = undefined;
      if (msg.error) task.reject(errorFromData(msg.error));
      else task.resolve(msg.figures ?? []);
      this.rest(slot);
      this.pump();
    });
    const lost = (): void => {
      const i = this.slots.indexOf(slot);
      if (i >= 0) this.slots.splice(i, 1);
      if (slot.idle) clearTimeout(slot.idle);
      const task = slot.task;
      slot.task = undefined;
      if (task) task.reject(new WorkerLost('a drawing worker stopped'));
    };
    worker.on('error', () => { lost(); this.fail(); });
    worker.on('exit', lost);
    this.slots.push(slot);
    return slot;
  }

  private give(slot: Slot, task: Task): void {
    if (slot.idle) { clearTimeout(slot.idle); slot.idle = undefined; }
    slot.task = task;
    // Busy: the process waits for the answer (a pending promise alone would not keep it alive).
    slot.worker.ref();
    slot.worker.postMessage({ id: task.id, job: task.job });
  }

  private rest(slot: Slot): void {
    if (this.queue.length) return;
    slot.worker.unref();
    slot.idle = setTimeout(() => { void slot.worker.terminate(); }, IDLE_MS);
    slot.idle.unref();
  }

  /** Stop using workers: waiting jobs fail with WorkerLost (their callers draw them). */
  private fail(): void {
    this.broken = true;
    for (const t of this.queue.splice(0)) t.reject(new WorkerLost('drawing workers unavailable'));
  }

  /** Stop every worker (tests). */
  async close(): Promise<void> {
    this.fail();
    await Promise.all(this.slots.map((s) => s.worker.terminate()));
  }
}
