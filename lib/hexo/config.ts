/**
 * `nat_trace:` in the site's _config.yml. Every key is optional; a block's own
 * arguments override these. The config is checked once per value (not once
 * per block): a mistake in it is one message naming the config file, the key
 * and, when the file can be read, its line.
 */
import { existsSync, readFileSync } from 'fs';
import { relative } from 'path';
import { NatTraceError, suggest } from '../errors';
import { parseOutput, OutputMode } from './args';
import type { HexoLike } from './types';
import { parseDarkMode } from '../render/scheme';
import type { DarkMode } from '../render/scheme';
import { themeDarkMode } from './themes';

export interface SiteOptions {
  /** inline (default) or file. */
  output: OutputMode;
  /** Figure theme name, passed to the renderer; undefined = its default. */
  theme?: string;
  /** Figure language; undefined = the post's `lang`, then the site's `language`, then en. */
  lang?: string;
  /** Client source port for traces that do not give one. */
  sport?: number;
  /** undefined = fail under `hexo generate`, show the error in the page under `hexo server`. */
  fail_on_error?: boolean;
  /**
   * When figures are dark: `nat_trace.dark` (auto, never, always or a CSS
   * selector), else what the site's theme does (themes.ts), else undefined:
   * the OS setting.
   */
  dark?: DarkMode;
  /** false: no disk cache of finished blocks (diskcache.ts); on by default. */
  cache?: boolean;
  /** Which posts get the figure images feeds show (feed.ts); undefined = auto. */
  feed_images?: FeedImages;
  /** Drawing workers (drawpool.ts): 0 draws in Hexo's own thread; undefined = auto (drawpool.ts defaultWorkers). */
  workers?: number;
}

/**
 * auto: the posts the site's feed publishes (hexo-generator-feed's own
 * selection), all posts when another feed generator is installed, none
 * without a feed; all; none.
 */
export type FeedImages = 'auto' | 'all' | 'none';
export const FEED_IMAGES: readonly FeedImages[] = ['auto', 'all', 'none'];

export const CONFIG_KEYS = ['output', 'theme', 'lang', 'sport', 'fail_on_error', 'dark', 'cache', 'feed_images', 'workers'];

function bad(key: string | undefined, message: string, token: string, expected: string, suggestion?: string): never {
  const err = new NatTraceError(`${key ? `nat_trace.${key}` : 'nat_trace'}: ${message}`, { file: '_config.yml', token, expected, suggestion });
  (err as NatTraceError & { configKey?: string }).configKey = key;
  throw err;
}

/** Theme names, from the renderer's table (loaded only when a config names a theme). */
function themeNames(): string[] {
  // eslint-disable-next-line @typescript-eslint/no-var-requires
  return Object.keys((require('../render/theme') as typeof import('../render/theme')).THEMES);
}

export function readSiteOptions(hexo: HexoLike): SiteOptions {
  const raw = hexo.config.nat_trace;
  const out: SiteOptions = { output: 'inline' };
  const detected = themeDarkMode(hexo);
  if (detected) out.dark = detected;
  if (raw == null) return out;
  if (typeof raw !== 'object' || Array.isArray(raw)) bad(undefined, 'must be a mapping', String(raw), `keys ${CONFIG_KEYS.join(', ')}`);
  for (const [key, value] of Object.entries(raw as Record<string, unknown>)) {
    if (value == null) continue;
    switch (key) {
      case 'output':
        try { out.output = parseOutput(String(value), 'output'); } catch (e) {
          const n = e as NatTraceError;
          bad(key, `unknown output mode "${String(value)}"`, String(value), 'inline or file', n.suggestion);
        }
        break;
      case 'theme': {
        const names = themeNames();
        if (!names.includes(String(value))) bad(key, `unknown figure theme "${String(value)}"`, String(value), `one of ${names.join(', ')}`, suggest(String(value), names));
        out.theme = String(value); break;
      }
      case 'lang': out.lang = String(value); break;
      case 'sport': {
        const n = Number(value);
        if (!Number.isInteger(n) || n < 1 || n > 65535) bad(key, 'not a port', String(value), 'a port from 1 to 65535');
        out.sport = n; break;
      }
      case 'fail_on_error':
        if (typeof value !== 'boolean') bad(key, 'must be true or false', String(value), 'true or false');
        out.fail_on_error = value; break;
      case 'cache':
        if (typeof value !== 'boolean') bad(key, 'must be true or false', String(value), 'true or false');
        out.cache = value; break;
      case 'workers': {
        if (value === 'auto') break;
        const n = typeof value === 'number' ? value : Number.NaN;
        if (!Number.isInteger(n) || n < 0 || n > 64) bad(key, `"${String(value)}" is not a number of workers`, String(value), 'auto, 0 (draw in Hexo\'s own thread) or a whole number up to 64');
        out.workers = n; break;
      }
      case 'feed_images': {
        const v = String(value);
        const known = FEED_IMAGES.find((m) => m === v);
        if (!known) bad(key, `unknown setting "${v}"`, v, FEED_IMAGES.join(', '), suggest(v, [...FEED_IMAGES]));
        out.feed_images = known; break;
      }
      case 'dark':
        try {
          out.dark = parseDarkMode(typeof value === 'boolean' ? (value ? 'auto' : 'never') : String(value), 'dark');
        } catch (e) {
          if (!(e instanceof NatTraceError)) throw e;
          bad(key, `"${String(value)}" is not a dark-mode setting`, String(value), 'auto, never, always, or a CSS selector that matches <html> when the page is dark (such as html.dark or [data-theme=dark])');
        }
        break;
      default:
        bad(key, `unknown key "${key}"`, key, CONFIG_KEYS.join(', '), suggest(key, CONFIG_KEYS));
    }
  }
  return out;
}

/** The checked config for the current `nat_trace:` value; `reported` is set once its error was shown. */
export interface CheckedConfig {
  key: string;
  options: SiteOptions;
  /** The formatted message when the config is wrong. */
  error?: string;
  reported: boolean;
}

/** Line of `nat_trace.KEY` (or `nat_trace`) in the site's config file, when it can be read. */
function configLocation(hexo: HexoLike, key: string | undefined): { file: string; line?: number } {
  const path = typeof hexo.config_path === 'string' ? hexo.config_path : undefined;
  if (!path || !existsSync(path)) return { file: '_config.yml' };
  const file = relative(hexo.base_dir, path).split('\\').join('/') || path;
  try {
    // eslint-disable-next-line @typescript-eslint/no-var-requires
    const YAML = require('yaml') as typeof import('yaml');
    const lc = new YAML.LineCounter();
    const doc = YAML.parseDocument(readFileSync(path, 'utf8'), { lineCounter: lc });
    const node = doc.getIn(key ? ['nat_trace', key] : ['nat_trace'], true) as { range?: [number, number, number] } | undefined;
    let offset = node?.range?.[0];
    if (key) {
      // The key's own line (an empty value has no range of its own).
      const map = doc.getIn(['nat_trace'], true) as { items?: Array<{ key: { value?: unknown; range?: [number, number, number] } }> } | undefined;
      const pair = map?.items?.find((p) => p.key && p.key.value === key);
      if (pair?.key.range) offset = pair.key.range[0];
    }
    return offset === undefined ? { file } : { file, line: lc.linePos(offset).line };
  } catch {
    return { file };
  }
}

/** readSiteOptions, computed once per config value; a wrong config gives defaults plus one message. */
export function checkedSiteOptions(hexo: HexoLike, memo: { config?: CheckedConfig }): CheckedConfig {
  // The theme too: the dark mode follows it (themes.ts).
  const key = JSON.stringify([hexo.config.nat_trace ?? null, hexo.config.theme ?? null, hexo.config.theme_config ?? null]) ?? 'null';
  if (memo.config && memo.config.key === key) return memo.config;
  let checked: CheckedConfig;
  try {
    checked = { key, options: readSiteOptions(hexo), reported: false };
  } catch (e) {
    if (!(e instanceof NatTraceError)) throw e;
    const where = configLocation(hexo, (e as NatTraceError & { configKey?: string }).configKey);
    e.file = where.file;
    e.line = where.line;
    const raw = hexo.config.nat_trace as Record<string, unknown> | null;
    const fail = raw && typeof raw === 'object' && typeof raw.fail_on_error === 'boolean' ? raw.fail_on_error : undefined;
    checked = { key, options: { output: 'inline', fail_on_error: fail }, error: e.format(), reported: false };
  }
  memo.config = checked;
  return checked;
}

/** The site's `language`, which Hexo allows to be a list (first wins) or "default". */
export function siteLanguage(hexo: HexoLike): string | undefined {
  let lang = hexo.config.language;
  if (Array.isArray(lang)) lang = lang[0];
  if (typeof lang !== 'string' || !lang || lang === 'default') return undefined;
  return lang;
}
