/**
 * The few parts of Hexo's API the plugin uses, typed here rather than imported
 * from `hexo` so the same build works with Hexo 7 and 8 (both expose these).
 */
export interface HexoPostData {
  source?: string;
  full_source?: string;
  raw?: string;
  content?: string | null;
  _content?: string;
  path?: string;
  lang?: string;
  language?: string;
  engine?: string;
  [key: string]: unknown;
}

export interface HexoDocument extends HexoPostData {
  _id: string;
  save(): Promise<unknown>;
}

export interface HexoQuery {
  toArray(): HexoDocument[];
  /** Warehouse's sort ("-date", "title", or a mapping); absent on plain test doubles. */
  sort?(order: unknown): HexoQuery;
  /** Warehouse's stored documents by id (its raw data: reading them clones nothing); absent on plain test doubles. */
  data?: unknown;
  /** Warehouse: the document of an id, as toArray gives it. */
  findById?(id: string): HexoDocument | undefined;
}

export interface HexoLike {
  base_dir: string;
  /** The site config file Hexo read (`_config.yml`, or what `--config` named). */
  config_path?: string;
  source_dir: string;
  config: Record<string, unknown> & { root?: string; language?: unknown };
  env: { cmd?: string; [key: string]: unknown };
  version?: string;
  log: { warn(...args: unknown[]): void; debug(...args: unknown[]): void; error(...args: unknown[]): void };
  extend: {
    tag: { register(name: string, fn: (this: HexoPostData, args: string[], body: string) => string, opts: { ends: boolean }): void };
    filter: { register(type: string, fn: (...args: never[]) => unknown, priority?: number): void };
    generator: { register(name: string, fn: (locals: { posts: HexoQuery; pages: HexoQuery }) => unknown): void; list?(): Record<string, unknown> };
    renderer: { get(ext: string): unknown };
    console: { alias: Record<string, string> };
  };
  model(name: string): HexoQuery;
}
