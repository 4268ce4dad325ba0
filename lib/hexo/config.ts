/**
 * `nat_trace:` in the site's _config.yml. Every key is optional; a block's own
 * arguments override these.
 */
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
}

export const CONFIG_KEYS = ['output', 'theme', 'lang', 'sport', 'fail_on_error', 'dark'];

function bad(message: string, token: string, expected: string, suggestion?: string): never {
  throw new NatTraceError(`nat_trace config: ${message}`, { file: '_config.yml', token, expected, suggestion });
}

export function readSiteOptions(hexo: HexoLike): SiteOptions {
  const raw = hexo.config.nat_trace;
  const out: SiteOptions = { output: 'inline' };
  const detected = themeDarkMode(hexo);
  if (detected) out.dark = detected;
  if (raw == null) return out;
  if (typeof raw !== 'object' || Array.isArray(raw)) bad('must be a mapping', String(raw), `keys ${CONFIG_KEYS.join(', ')}`);
  for (const [key, value] of Object.entries(raw as Record<string, unknown>)) {
    if (value == null) continue;
    switch (key) {
      case 'output': out.output = parseOutput(String(value), 'nat_trace config: output'); break;
      case 'theme': out.theme = String(value); break;
      case 'lang': out.lang = String(value); break;
      case 'sport': {
        const n = Number(value);
        if (!Number.isInteger(n) || n < 1 || n > 65535) bad('sport is not a port', String(value), 'a port from 1 to 65535');
        out.sport = n; break;
      }
      case 'fail_on_error':
        if (typeof value !== 'boolean') bad('fail_on_error must be true or false', String(value), 'true or false');
        out.fail_on_error = value; break;
      case 'dark':
        try {
          out.dark = parseDarkMode(typeof value === 'boolean' ? (value ? 'auto' : 'never') : String(value), 'nat_trace config: dark');
        } catch (e) {
          if (e instanceof Error) (e as { file?: string }).file = '_config.yml';
          throw e;
        }
        break;
      default:
        bad(`unknown key "${key}"`, key, CONFIG_KEYS.join(', '), suggest(key, CONFIG_KEYS));
    }
  }
  return out;
}

/** The site's `language`, which Hexo allows to be a list (first wins) or "default". */
export function siteLanguage(hexo: HexoLike): string | undefined {
  let lang = hexo.config.language;
  if (Array.isArray(lang)) lang = lang[0];
  if (typeof lang !== 'string' || !lang || lang === 'default') return undefined;
  return lang;
}
