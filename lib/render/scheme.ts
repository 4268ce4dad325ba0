/**
 * When a figure is drawn in its dark palette. A page's scheme is set in one
 * of a few ways, depending on the blog's theme: the reader's OS setting
 * (the prefers-color-scheme media query), an attribute or class the theme's
 * toggle puts on <html> (butterfly `data-theme`, Fluid
 * `data-user-color-scheme`, Redefine `html.dark`), or not at all (a
 * light-only theme such as landscape). The figure follows the same signal the
 * page does, so it is never dark on a light page or light on a dark one.
 */
import { NatTraceError } from '../errors';

export type DarkMode =
  /** The OS setting (prefers-color-scheme): themes whose own dark mode is that media query (NexT). */
  | { kind: 'auto' }
  /** Always light: light-only themes. */
  | { kind: 'never' }
  /** Always dark (the figure palette of a dark-only page). */
  | { kind: 'always' }
  /**
   * Dark when an ancestor matches `selector` (the theme's toggle); with
   * `media`, also when the OS is dark and an ancestor matches `media`
   * (Fluid: its attribute is absent until the reader picks a scheme).
   */
  | { kind: 'selector'; selector: string; media?: string };

export const AUTO: DarkMode = { kind: 'auto' };

/**
 * `nat_trace.dark` from _config.yml: auto, never, always, or a CSS selector
 * matching <html> (or <body>) when the page is dark, e.g. `html.dark`.
 * The selector ends up in a <style>: text that could close the rule or the
 * element is refused.
 */
export function parseDarkMode(value: string, where: string): DarkMode {
  const v = value.trim();
  const low = v.toLowerCase();
  if (low === 'auto' || low === 'never' || low === 'always') return { kind: low };
  if (!v || /[{}<>;@\\]|\/\*/.test(v)) {
    throw new NatTraceError(`${where}: "${value}" is not a dark-mode setting`, {
      token: value, expected: 'auto, never, always, or a CSS selector that matches <html> when the page is dark (such as html.dark or [data-theme=dark])',
    });
  }
  return { kind: 'selector', selector: v };
}

/** A stable text for cache keys and file names. */
export function darkModeKey(m: DarkMode): string {
  return m.kind === 'selector' ? `selector:${m.selector}|${m.media ?? ''}` : m.kind;
}

/**
 * The palette rules for `scope` (a figure's id or class selector): the light
 * custom properties, and the dark ones where the page is dark.
 */
export function paletteCss(scope: string, light: string, dark: string, mode: DarkMode): string {
  switch (mode.kind) {
    case 'never': return `${scope}{${light}}`;
    case 'always': return `${scope}{${dark}}`;
    case 'auto': return `${scope}{${light}}@media (prefers-color-scheme:dark){${scope}{${dark}}}`;
    default: {
      // :is() keeps a selector list ("a, b") one descendant prefix without splitting it.
      const own = `:is(${mode.selector}) ${scope}{${dark}}`;
      const media = mode.media ? `@media (prefers-color-scheme:dark){:is(${mode.media}) ${scope}{${dark}}}` : '';
      return `${scope}{${light}}${media}${own}`;
    }
  }
}

/**
 * Standalone SVG files (file mode) cannot see the page's <html>: under a
 * selector mode a figure gets a light and a dark file, and the page shows
 * one of them by the same selector.
 */
export function fileVariants(mode: DarkMode): Array<{ variant: 'light' | 'dark' | 'auto'; mode: DarkMode }> {
  if (mode.kind === 'selector') return [{ variant: 'light', mode: { kind: 'never' } }, { variant: 'dark', mode: { kind: 'always' } }];
  return [{ variant: mode.kind === 'never' ? 'light' : mode.kind === 'always' ? 'dark' : 'auto', mode }];
}

/** Page CSS that shows the light or the dark file of a figure (file mode, selector modes only). */
export function fileSwitchCss(mode: DarkMode): string {
  if (mode.kind !== 'selector') return '';
  const dark = [`:is(${mode.selector}) .nat-trace`];
  const rules = ['.nat-trace .nat-trace-v-dark{display:none}'];
  rules.push(`${dark[0]} .nat-trace-v-light{display:none}${dark[0]} .nat-trace-v-dark{display:inline}`);
  if (mode.media) rules.push(`@media (prefers-color-scheme:dark){:is(${mode.media}) .nat-trace .nat-trace-v-light{display:none}:is(${mode.media}) .nat-trace .nat-trace-v-dark{display:inline}}`);
  return rules.join('');
}
