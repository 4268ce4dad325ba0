/**
 * What the plugin knows about popular Hexo themes: how each one sets its dark
 * scheme (read from the themes' own CSS and scripts), so figures follow the
 * page without any setting. A site whose theme is not listed keeps the OS
 * setting, or names its selector in `nat_trace.dark`.
 */
import type { DarkMode } from '../render/scheme';
import type { HexoLike } from './types';

type ThemeConfig = Record<string, unknown>;

function get(cfg: ThemeConfig, path: string): unknown {
  let v: unknown = cfg;
  for (const k of path.split('.')) {
    if (!v || typeof v !== 'object') return undefined;
    v = (v as Record<string, unknown>)[k];
  }
  return v;
}

/** Theme name (as in `theme:`) -> its dark mode under its current config. */
const KNOWN = new Map<string, (cfg: ThemeConfig) => DarkMode>([
  // Light only.
  ['landscape', () => ({ kind: 'never' })],
  // `darkmode: true` is a prefers-color-scheme media query in source/css/_colors.styl.
  ['next', (c) => (get(c, 'darkmode') === true ? { kind: 'auto' } : { kind: 'never' })],
  // layout.pug puts data-theme on <html>; its toggle (and autoChangeMode) switch it.
  ['butterfly', (c) => (get(c, 'darkmode.enable') === true || get(c, 'display_mode') === 'dark'
    ? { kind: 'selector', selector: 'html[data-theme=dark]' } : { kind: 'never' })],
  // color-schema.styl: dark under [data-user-color-scheme=dark], or with the OS
  // dark while the attribute is absent (the reader has not chosen).
  ['fluid', (c) => (get(c, 'dark_mode.enable') === false ? { kind: 'never' }
    : { kind: 'selector', selector: 'html[data-user-color-scheme=dark]', media: 'html:not([data-user-color-scheme])' })],
  // lightDarkSwitch.js: html.dark / html.light, from the OS until the reader toggles.
  ['redefine', () => ({ kind: 'selector', selector: 'html.dark' })],
  // Icarus 6 has no dark mode.
  ['icarus', () => ({ kind: 'never' })],
]);

export const KNOWN_THEMES = [...KNOWN.keys()];

/** The site's theme name without the npm prefix (`hexo-theme-fluid` -> fluid). */
export function siteThemeName(hexo: HexoLike): string | undefined {
  const t = hexo.config.theme;
  if (typeof t !== 'string' || !t) return undefined;
  return t.replace(/^hexo-theme-/, '').toLowerCase();
}

/** The theme's config as its templates see it: its _config.yml under the site's theme_config / _config.THEME.yml. */
function themeConfig(hexo: HexoLike): ThemeConfig {
  const own = (hexo as unknown as { theme?: { config?: ThemeConfig } }).theme?.config ?? {};
  const site = hexo.config.theme_config;
  if (!site || typeof site !== 'object') return own;
  const merge = (a: ThemeConfig, b: ThemeConfig): ThemeConfig => {
    const out: ThemeConfig = { ...a };
    for (const [k, v] of Object.entries(b)) {
      const prev = out[k];
      out[k] = v && typeof v === 'object' && !Array.isArray(v) && prev && typeof prev === 'object' && !Array.isArray(prev) ? merge(prev as ThemeConfig, v as ThemeConfig) : v;
    }
    return out;
  };
  return merge(own, site as ThemeConfig);
}

/** The dark mode of a known theme, or undefined (then the OS setting). */
export function themeDarkMode(hexo: HexoLike): DarkMode | undefined {
  const name = siteThemeName(hexo);
  const rule = name ? KNOWN.get(name) : undefined;
  return rule ? rule(themeConfig(hexo)) : undefined;
}
