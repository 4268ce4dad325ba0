/**
 * Colours as CSS custom properties in one <style> per SVG, scoped to the
 * figure's id (an inline SVG's <style> applies to the whole page). A light
 * palette, a prefers-color-scheme: dark variant, and named themes. Nothing
 * is told by colour alone: rewritten fields are struck through and marks
 * carry words.
 */
import { dict, has } from '../dict';
import type { Dict } from '../dict';
import { createHash } from 'crypto';
import { escapeHTML } from 'hexo-util';
import { FONT_STACK } from './fonts';
import { AUTO, paletteCss } from './scheme';
import type { DarkMode } from './scheme';
import { xmlSafe } from './xml';

type Palette = Record<'bg' | 'fg' | 'mu' | 'ln' | 'nd' | 'rt' | 'pk' | 'rw' | 'dr' | 'ok' | 'hl' | 'bd', string>;

const LIGHT: Palette = { bg: '#ffffff', fg: '#1f2328', mu: '#59636e', ln: '#8c959f', nd: '#f6f8fa', rt: '#ddf4ff', pk: '#0969da', rw: '#a0208c', dr: '#cf222e', ok: '#1a7f37', hl: '#fff8c5', bd: '#d0d7de' };
const DARK: Palette = { bg: '#0d1117', fg: '#e6edf3', mu: '#9198a1', ln: '#6e7681', nd: '#161b22', rt: '#0c2d6b', pk: '#58a6ff', rw: '#f778ba', dr: '#ff7b72', ok: '#3fb950', hl: '#3b2f00', bd: '#3d444d' };
const MONO_LIGHT: Palette = { bg: '#ffffff', fg: '#111111', mu: '#555555', ln: '#888888', nd: '#f2f2f2', rt: '#e0e0e0', pk: '#111111', rw: '#000000', dr: '#000000', ok: '#333333', hl: '#e8e8e8', bd: '#bbbbbb' };
const MONO_DARK: Palette = { bg: '#111111', fg: '#f0f0f0', mu: '#aaaaaa', ln: '#888888', nd: '#1c1c1c', rt: '#2a2a2a', pk: '#f0f0f0', rw: '#ffffff', dr: '#ffffff', ok: '#cccccc', hl: '#333333', bd: '#555555' };
const WARM_LIGHT: Palette = { bg: '#fffdf7', fg: '#2b2118', mu: '#6b5d4f', ln: '#a8998a', nd: '#f7f0e4', rt: '#fbe3c4', pk: '#b35900', rw: '#7a3db8', dr: '#c4261d', ok: '#2f7d32', hl: '#fff0b3', bd: '#e0d3c0' };

/** By name: a null-prototype table, so a theme called `constructor` is unknown, not Object's constructor. */
export const THEMES: Dict<{ light: Palette; dark: Palette }> = dict({
  default: { light: LIGHT, dark: DARK },
  mono: { light: MONO_LIGHT, dark: MONO_DARK },
  warm: { light: WARM_LIGHT, dark: DARK },
  /** Always dark, whatever the reader's setting. */
  dark: { light: DARK, dark: DARK },
});

export function vars(p: Palette): string {
  return Object.entries(p).map(([k, v]) => `--${k}:${v}`).join(';');
}

/** Shared rules; `#I` is replaced by the figure id. Class names are short: they repeat in every element. */
export const RULES = [
  '#I{font-family:FONTS;font-size:13px}',
  // Han characters differ in shape between Traditional, Simplified and Japanese
  // fonts (widths do not): let the page's lang pick the regional CJK font.
  `#I:lang(ja){font-family:${FONT_STACK.replace("'Noto Sans TC','Noto Sans CJK TC','PingFang TC','Microsoft JhengHei'", "'Noto Sans JP','Noto Sans CJK JP','Hiragino Sans','Yu Gothic'")}}`,
  `#I:lang(zh-CN),#I:lang(zh-Hans),#I:lang(zh-SG){font-family:${FONT_STACK.replace("'Noto Sans TC','Noto Sans CJK TC','PingFang TC','Microsoft JhengHei'", "'Noto Sans SC','Noto Sans CJK SC','PingFang SC','Microsoft YaHei'")}}`,
  '#I text{fill:var(--fg)}',
  '#I .bg{fill:var(--bg)}',
  '#I .mu{fill:var(--mu)}',
  // Anchors by class: `text-anchor="middle"` on every centred label was a tenth of a step figure.
  '#I .m{text-anchor:middle}#I .e{text-anchor:end}',
  '#I .b{font-weight:700}',
  '#I .s{font-size:11px}',
  '#I .t{font-size:14px;font-weight:700}',
  '#I .ln{stroke:var(--ln);stroke-width:1.5;fill:none}',
  '#I .nd{fill:var(--nd);stroke:var(--ln);stroke-width:1.2}',
  '#I .rt{fill:var(--rt);stroke:var(--fg);stroke-width:1.5}',
  '#I .cl{fill:var(--nd);stroke:var(--ln);stroke-width:1.2;stroke-dasharray:4 3}',
  '#I .pk{stroke:var(--pk);stroke-width:3.5;fill:none;stroke-linejoin:round;stroke-linecap:round}',
  '#I .ah{fill:var(--pk)}',
  '#I .da{stroke-dasharray:7 5}',
  '#I .ac{stroke:var(--pk);stroke-width:2.5}',
  '#I .cd{fill:var(--bg);stroke:var(--bd);stroke-width:1}',
  '#I .hl{fill:var(--hl);stroke:var(--rw);stroke-width:1.5;stroke-dasharray:3 2}',
  '#I .rw{fill:var(--rw);font-weight:700}',
  '#I .st{stroke:var(--fg);stroke-width:1.2}',
  '#I .mk{stroke-width:1.5}',
  '#I .m-drop{fill:var(--dr)}#I .m-rst{fill:var(--dr)}#I .m-icmp{fill:var(--rw)}#I .m-ok{fill:var(--ok)}',
  '#I text.mt{fill:var(--bg);font-weight:700;font-size:11px}',
  '#I .rh{fill:var(--hl)}',
  '#I .gl{stroke:var(--bd);stroke-width:1}',
];

export function themeName(theme: string | undefined): string {
  return theme && has(THEMES, theme) ? theme : 'default';
}

/** The palette rules of a figure (`#I` = its id) under a dark mode (scheme.ts). */
function palette(theme: string | undefined, dark: DarkMode): string {
  const th = THEMES[themeName(theme)];
  return paletteCss('#I', vars(th.light), vars(th.dark), dark);
}

/** The text svgShell writes first in a figure's <style>: its palette (OS setting) and the shared rules, for `#id`. */
export function sharedStyleText(id: string, theme: string | undefined): string {
  return [palette(theme, AUTO), ...RULES].join('').replace(/#I/g, `#${id}`).replace('FONTS', FONT_STACK);
}

/** The palette (OS setting) and shared rules of a theme, cut at each `#I`: every figure joins them with its id. */
const autoPieces = new Map<string, string[]>();

export function styleBlock(id: string, theme: string | undefined, extra: string[] = [], dark: DarkMode = AUTO): string {
  if (dark === AUTO) {
    const name = themeName(theme);
    let pieces = autoPieces.get(name);
    if (!pieces) { pieces = [palette(name, AUTO), ...RULES].join('').replace('FONTS', FONT_STACK).split('#I'); autoPieces.set(name, pieces); }
    const sel = `#${id}`;
    return `<style>${pieces.join(sel)}${extra.length ? extra.join('').split('#I').join(sel) : ''}</style>`;
  }
  const css = [palette(theme, dark), ...RULES, ...extra]
    .join('')
    .replace(/#I/g, `#${id}`)
    .replace('FONTS', FONT_STACK);
  return `<style>${css}</style>`;
}

/**
 * The figure's outer <svg>: id from a hash of everything inside (so equal
 * figures get equal ids and different figures never collide), viewBox and
 * a width that scales down on a phone, role="img" with <title> and <desc>.
 */
export function svgShell(o: { content: string; width: number; height: number; title: string; desc: string; theme?: string; css?: string[]; kind: string }): { svg: string; id: string } {
  const w = Math.ceil(o.width);
  const h = Math.ceil(o.height);
  const hash = createHash('sha256').update(`${o.kind}\0${themeName(o.theme)}\0${w}x${h}\0${o.title}\0${o.desc}\0${(o.css ?? []).join('')}\0${o.content}`).digest('hex');
  const id = `nt-${hash.slice(0, 12)}`;
  // Only the texts, the figure's own rules and the content can hold a character XML cannot carry:
  // the root, the palette and shared rules (constants and the hex id) are not scanned for one.
  const css = o.css?.join('') ?? '';
  const style = styleBlock(id, o.theme, o.css);
  const svg = `<svg xmlns="http://www.w3.org/2000/svg" id="${id}" class="nat-trace-svg" viewBox="0 0 ${w} ${h}" width="${w}" height="${h}" style="width:100%;max-width:${w}px;height:auto" role="img" aria-labelledby="${id}-t ${id}-d">`
    + xmlSafe(`<title id="${id}-t">${escapeHTML(o.title)}</title><desc id="${id}-d">${escapeHTML(o.desc)}</desc>`)
    + (xmlSafe(css) === css ? style : xmlSafe(style))
    + `<rect class="bg" width="${w}" height="${h}" rx="6"/>`
    + xmlSafe(o.content) + '</svg>';
  return { svg, id };
}

/**
 * The same figure under another dark mode: the renderers draw with the OS
 * setting (auto); the Hexo plugin knows the page's theme and swaps the
 * palette rules, which svgShell wrote first in the figure's <style>.
 */
export function restyle(svg: string, id: string, theme: string | undefined, dark: DarkMode): string {
  if (dark.kind === 'auto') return svg;
  const from = palette(theme, AUTO).replace(/#I/g, `#${id}`);
  const to = palette(theme, dark).replace(/#I/g, `#${id}`);
  const at = svg.indexOf(from);
  if (at < 0) throw new Error('nat-trace: figure without its palette rules');
  return svg.slice(0, at) + to + svg.slice(at + from.length);
}
