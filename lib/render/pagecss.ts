/**
 * Inline figures in a Hexo page share one stylesheet. A standalone figure
 * (a file, the CLI) carries its palette and the shared rules in its own
 * <style>, ~2.7 KB scoped to its id; in a page that is the same text once
 * per figure. pageSvg() takes it out of a figure (keeping only the rules
 * that figure alone has) and pageCss() writes it once, scoped to the class
 * every figure root has, with a palette per figure theme used on the page
 * under the page's dark mode (scheme.ts). Loads no drawing code: the Hexo
 * plugin calls it for pages whose figures all came from its cache.
 */
import { FONT_STACK } from './fonts';
import { RULES, THEMES, themeName, vars, sharedStyleText } from './theme';
import { paletteCss, darkModeKey, fileSwitchCss } from './scheme';
import type { DarkMode } from './scheme';

/** What the page rules are scoped to: every figure root (type + class outweighs a theme's bare `svg text`). */
const ROOT = 'svg.nat-trace-svg';

/** The class naming a figure's palette: `nt-default`, `nt-mono`... */
export function themeClass(theme: string | undefined): string {
  return `nt-${themeName(theme)}`;
}

function escapeRe(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

/**
 * A figure as a page holds it (svgShell's output in): without the shared
 * rules, with its theme class, and without what the page already says: the
 * namespace and language (the HTML parser and the block's lang give them),
 * the sizing every figure has (width 100%, height auto), and the <desc>
 * when it is the figure's visible caption (`keepDesc` when a block caption
 * replaced it).
 */
export function pageSvg(svg: string, id: string, theme: string | undefined, keepDesc = false): string {
  const shared = sharedStyleText(id, theme);
  const open = svg.indexOf('<style>');
  if (open < 0 || !svg.startsWith(shared, open + 7)) throw new Error('nat-trace: figure without its shared style rules');
  const close = svg.indexOf('</style>', open);
  const own = svg.slice(open + 7 + shared.length, close);
  let out = svg.slice(0, open) + (own ? `<style>${own}</style>` : '') + svg.slice(close + 8);
  out = out.replace(/^<svg (?:xml:lang="[^"]*" )?xmlns="http:\/\/www\.w3\.org\/2000\/svg" /, '<svg ');
  out = out.replace('class="nat-trace-svg"', `class="nat-trace-svg ${themeClass(theme)}"`)
    .replace(/ style="width:100%;(max-width:\d+px);height:auto"/, ' style="$1"');
  if (!keepDesc) {
    // Without a <desc>, the <title> (its first child) names the figure by itself.
    out = out.replace(` aria-labelledby="${id}-t ${id}-d"`, '').replace(`<title id="${id}-t">`, '<title>')
      .replace(new RegExp(`<desc id="${escapeRe(id)}-d">[^<]*</desc>`), '');
  }
  return out;
}

/**
 * What every figure's frame shares, once per page instead of inline in each:
 * the scroll box, the hint under it (its width threshold is the figure's
 * `--ntw`), the layouts' size container, the narrow <img>, the figure's
 * margins and the caption. !important because these stood inline before and
 * must still win over what themes do to figure, figcaption and img (Fluid
 * hides a bare figcaption, NexT centres it in bold grey, butterfly dims
 * images in dark mode and sets margins on every img in a post).
 */
const I = '!important';
export const FRAME_CSS = [
  `.nat-trace .nat-trace-figure{margin-left:0${I};margin-right:0${I}}`,
  `.nat-trace .nat-trace-scroll{overflow-x:auto${I};overflow-y:hidden${I};contain:inline-size${I}}`,
  `.nat-trace .nat-trace-layouts{container-type:inline-size${I}}`,
  `.nat-trace .nat-trace-hint{position:relative${I};overflow:hidden${I};height:0${I};margin:0${I};padding:clamp(0px,calc((var(--ntw) - 100%) * 1000),1.6em) 0 0${I};font-size:.8em${I};line-height:1.6${I}}`,
  `.nat-trace .nat-trace-hint>span{position:absolute${I};top:0${I};left:0${I};white-space:nowrap${I}}`,
  `.nat-trace .nat-trace-img{width:100%${I};height:auto${I};filter:none${I}}`,
  // Captions take the text colour and size of the page's paragraphs, left-aligned.
  `.nat-trace .nat-trace-figcaption{display:block${I};margin:.5em 0 0${I};padding:0${I};text-align:start${I};font-weight:400${I};font-style:normal${I};font-size:.95em${I};line-height:1.5${I};color:inherit${I};opacity:1${I};background:none${I}}`,
].join('');

/** The class of a step's two layouts that switch at `wideMin` px. */
export function layoutClass(wideMin: number): string {
  return `ntq-${wideMin}`;
}

const LAYOUT_CLASS_RE = /\bntq-(\d+)\b/g;

/**
 * Which layout of a step shows, for each switch width in `html`: the narrow
 * one while the figure's container is narrower than the wide one's minimum
 * width (a container query, so a phone and a narrow sidebar column both get
 * it, without JavaScript). A block's steps share one width, so the page has
 * a rule per block or fewer, not one per figure.
 */
export function layoutCss(html: string): string {
  const widths = new Set<number>();
  LAYOUT_CLASS_RE.lastIndex = 0;
  for (const m of html.matchAll(LAYOUT_CLASS_RE)) widths.add(Number(m[1]));
  return [...widths].sort((a, b) => a - b).map((w) => {
    const s = `.ntq-${w}`;
    return `${s} .nat-trace-narrow{display:none}@container (max-width:${w - 0.02}px){${s} .nat-trace-wide{display:none}${s} .nat-trace-narrow{display:block}}`;
  }).join('');
}

const THEME_CLASS_RE = /class="nat-trace-svg nt-([a-z0-9-]+)"/g;
const memo = new Map<string, string>();

/**
 * The page's figure CSS: the shared rules, the palette of each figure theme
 * in `themes`, and (file mode under a theme's toggle) the rules showing a
 * figure's light or dark file.
 */
export function pageCss(themes: Iterable<string>, dark: DarkMode, files: boolean): string {
  const names = [...new Set([...themes].map((t) => themeName(t)))].sort();
  const key = `${names.join(',')}|${darkModeKey(dark)}|${files}`;
  let css = memo.get(key);
  if (css === undefined) {
    const parts: string[] = [FRAME_CSS];
    if (names.length) parts.push(`${ROOT}{width:100%;height:auto}`, RULES.join('').replace(/#I/g, ROOT).replace('FONTS', FONT_STACK));
    for (const n of names) parts.push(paletteCss(`${ROOT}.nt-${n}`, vars(THEMES[n].light), vars(THEMES[n].dark), dark));
    if (files) parts.push(fileSwitchCss(dark));
    css = parts.join('');
    memo.set(key, css);
  }
  return css;
}

const STYLE_ID = 'nat-trace-css';

/**
 * `html` with the figure CSS it needs, once: before its first figure. Pages without figures, and pages
 * that have it already, are returned as they are.
 */
export function withPageCss(html: string, dark: DarkMode): string {
  if (!html.includes('nat-trace') || html.includes(`<style id="${STYLE_ID}">`)) return html;
  const themes = new Set<string>();
  THEME_CLASS_RE.lastIndex = 0;
  for (const m of html.matchAll(THEME_CLASS_RE)) themes.add(m[1]);
  const files = dark.kind === 'selector' && html.includes('nat-trace-v-dark');
  if (!themes.size && !files && !html.includes('<div class="nat-trace"')) return html;
  const css = pageCss(themes, dark, files) + layoutCss(html);
  const tag = `<style id="${STYLE_ID}">${css}</style>`;
  // Before the first figure, not in <head>: themes that navigate by pjax or
  // swup (butterfly, Redefine) swap only the content and keep the first
  // page's head, so the CSS must come with the figures.
  const first = html.indexOf('<div class="nat-trace"');
  const at = first >= 0 ? first : html.indexOf('</head>');
  return at < 0 ? tag + html : html.slice(0, at) + tag + html.slice(at);
}
