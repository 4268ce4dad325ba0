/**
 * One jsdom window per process for svg.js to draw in: creating a window costs
 * ~100 ms, so it is made on first use and reused by every figure. jsdom itself
 * is loaded then too: a process that only writes figures' HTML (the Hexo
 * plugin's main thread when workers draw: hexo/drawpool.ts) never loads it.
 */

type SvgJs = typeof import('@svgdotjs/svg.js');
let lib: SvgJs | undefined;

export function svgjs(): SvgJs {
  if (!lib) {
    // eslint-disable-next-line @typescript-eslint/no-var-requires
    const { JSDOM } = require('jsdom') as typeof import('jsdom');
    const { window } = new JSDOM('<!DOCTYPE html><html><body></body></html>');
    // eslint-disable-next-line @typescript-eslint/no-var-requires
    const S = require('@svgdotjs/svg.js') as SvgJs;
    type Win = Parameters<SvgJs['registerWindow']>;
    S.registerWindow(window as unknown as Win[0], window.document as unknown as Win[1]);
    // Setting x on a <text> makes svg.js re-lay out its <tspan> lines and fire
    // a "rebuild" event: a jsdom CustomEvent per label, about a sixth of the
    // rendering time. Plain text (no tspans) has nothing to lay out and no
    // one listens, so skip it there; text with tspans keeps the full rebuild.
    type TextProto = { rebuild(this: { node: Element; _rebuild: boolean }, r?: boolean): unknown };
    const proto = S.Text.prototype as unknown as TextProto;
    const rebuild = proto.rebuild;
    proto.rebuild = function (r?: boolean) {
      if (this.node.children.length) return rebuild.call(this, r);
      if (typeof r === 'boolean') this._rebuild = r;
      return this;
    };
    lib = S;
  }
  return lib;
}

/** Serialized markup of an svg.js element, safe to embed as XML (no HTML-only entities). */
export function markup(el: { node: Element }): string {
  return el.node.outerHTML.replace(/&nbsp;/g, '&#160;');
}

/** Markup of the children only (the root <svg> is written by the figure shell). */
export function innerMarkup(el: { node: Element }): string {
  return el.node.innerHTML.replace(/&nbsp;/g, '&#160;');
}
