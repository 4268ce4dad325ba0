/**
 * What the plugin remembers for one Hexo instance.
 *
 * Hexo renders posts concurrently, so everything a block needs from earlier
 * blocks (the `from:` names) lives in a per-render "run", found through the
 * hidden `__at:RUN:LINE:N` argument the source filter adds to each tag. A run
 * ends in after_post_render, where its errors are raised and its SVG files
 * (file mode) replace that post's previous set.
 */
import type { RawMap } from '../scenario/parse';
import type { FileData } from './diskcache';
import { DrawPool, defaultWorkers } from './drawpool';
import { PartStore } from './expand';
import { DiskCache, siteCacheDir } from './diskcache';
import type { CheckedConfig } from './config';
import type { BlockSource } from './scan';

export interface RunState {
  id: number;
  /** Post source relative to source_dir ("_posts/x.md"). */
  source: string;
  /** Post source relative to the site folder ("source/_posts/x.md"), for messages. */
  fileRel: string;
  /** The post's URL path ("2024/03/09/x/"), for file mode. */
  postPath: string;
  /** Post-level language (front matter `lang`). */
  postLang?: string;
  /** Raw post file text, for the fallback line search. */
  raw?: string;
  /** Line of the post body's first line in the file. */
  firstLine: number;
  /** name -> the block's merged scenario; null when that block failed. */
  names: Map<string, RawMap | null>;
  /** name -> the message of that block's failure, shown again (not reported again) by blocks reusing it. */
  nameErrors: Map<string, string>;
  /** Formatted messages of failed blocks, in order. */
  errors: string[];
  /** URL path -> SVG for file mode (and feeds): text when drawn, bytes when read from the disk cache. */
  files: Map<string, FileData>;
  /** The paths of `files` only a feed (or a page whose drawing is no longer held) shows (feed.ts). */
  feedFiles: Set<string>;
  /** The marker keys of the post's deferred figures (expand.ts). */
  partKeys: string[];
  /** _data files this post's blocks read: absolute path -> content hash. */
  dataDeps: Map<string, string>;
  /** Figure ids the post's blocks used so far, so a repeated figure gets fresh ones (ids.ts). */
  ids: Set<string>;
  /** The blocks the source filter took out of the post, in order (the marker's N is index + 1). */
  sources: BlockSource[];
  /** Blocks rendered so far (for the line fallback when a tag has no marker). */
  blockCount: number;
  /**
   * Blocks waiting for their drawing (drawpool.ts), finished in order: the
   * chain settles after the last one; after_post_render waits for it and puts
   * each block's HTML in place of its marker (`waiting`).
   */
  chain?: Promise<void>;
  waiting: Map<string, string>;
  /** Set when a block had to wait for an earlier one (a `from:` while drawings are pending): every later block waits its turn whole. */
  serial?: boolean;
}

export interface PostRecord {
  files: Map<string, FileData>;
  feedFiles: Set<string>;
  partKeys: string[];
  dataDeps: Map<string, string>;
  /** Config fingerprint the post was rendered with. */
  configKey: string;
}

export class SiteState {
  private nextRun = 1;
  readonly runs = new Map<number, RunState>();
  /** Post data object (same object in before and after filters) -> run id. */
  readonly runOfData = new WeakMap<object, number>();
  /** Latest run per source, for tags without a marker. */
  readonly latestRun = new Map<string, number>();
  /** What the last finished render of each post produced. */
  readonly posts = new Map<string, PostRecord>();
  /** The `nat_trace:` config, checked once per value (config.ts). */
  config?: CheckedConfig;
  /** Set when hexo-server's middleware filter runs: we are serving. */
  serving = false;
  /** Feed images this build does not write (route paths; generator.ts, feed.ts). */
  unwrittenFiles: ReadonlySet<string> = new Set();
  /** The drawings of deferred figures, by marker key (expand.ts). */
  readonly parts = new PartStore();
  private disk?: DiskCache;
  /** The base_dir the disk cache was opened for. */
  private diskBase?: string;

  /** The site's disk cache of finished blocks, opened on first use. */
  diskCache(baseDir: string): DiskCache {
    // Asked once per block: the folder joined only when the site's base changes.
    if (this.disk && this.diskBase === baseDir) return this.disk;
    const dir = siteCacheDir(baseDir);
    if (!this.disk || this.disk.dir !== dir) this.disk = new DiskCache(dir);
    this.diskBase = baseDir;
    return this.disk;
  }
  private pool?: DrawPool;
  /** The drawing workers (drawpool.ts), made on first use; none when `workers` is 0 or the machine has one core. */
  drawPool(workers: number | undefined): DrawPool | undefined {
    const size = workers ?? defaultWorkers();
    if (size <= 0) return undefined;
    if (!this.pool || this.pool.size !== size) this.pool = new DrawPool(size);
    return this.pool.broken ? undefined : this.pool;
  }

  /** What the drawing workers did so far (the debug log, tests). */
  get drawStats(): { jobs: number; workers: number } | undefined { return this.pool && { ...this.pool.stats }; }

  /** The disk cache if a block opened it. */
  get openDiskCache(): DiskCache | undefined { return this.disk; }

  startRun(init: Omit<RunState, 'id' | 'names' | 'nameErrors' | 'errors' | 'files' | 'feedFiles' | 'partKeys' | 'dataDeps' | 'blockCount' | 'sources' | 'ids' | 'waiting'>): RunState {
    const run: RunState = {
      ...init, id: this.nextRun++, names: new Map(), nameErrors: new Map(), errors: [], files: new Map(), feedFiles: new Set(), partKeys: [], dataDeps: new Map(), blockCount: 0, sources: [], ids: new Set(), waiting: new Map(),
    };
    this.runs.set(run.id, run);
    this.latestRun.set(run.source, run.id);
    return run;
  }

  findRun(id: number | undefined, source: string | undefined): RunState | undefined {
    if (id !== undefined) {
      const r = this.runs.get(id);
      if (r) return r;
    }
    if (source !== undefined) {
      const latest = this.latestRun.get(source);
      if (latest !== undefined) return this.runs.get(latest);
    }
    return undefined;
  }

  endRun(run: RunState, configKey: string): void {
    this.runs.delete(run.id);
    if (this.latestRun.get(run.source) === run.id) this.latestRun.delete(run.source);
    this.posts.set(run.source, { files: run.files, feedFiles: run.feedFiles, partKeys: run.partKeys, dataDeps: run.dataDeps, configKey });
  }
}
