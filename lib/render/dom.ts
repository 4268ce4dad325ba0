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
      // firstElementChild, not children.length: jsdom builds a live HTMLCollection for `children`.
      if (this.node.firstElementChild) return rebuild.call(this, r);
      if (typeof r === 'boolean') this._rebuild = r;
      return this;
    };
    fastAttributes(S);
    lib = S;
  }
  return lib;
}

/**
 * svg.js's attr() runs every value through its attribute hooks and an
 * SVGNumber (or Color, SVGArray) to write the string it already is, and
 * addClass() reads, splits and joins the class list of an element that has
 * none: a third of the cost of each of the thousands of elements a block
 * draws. Plain numbers and strings of attributes that no hook or conversion
 * touches are written as svg.js would write them; everything else (colours,
 * fill and stroke, which its image hook reads, arrays, getters, namespaces)
 * goes through svg.js as before.
 */
const SLOW_ATTRS = new Set(['fill', 'stroke', 'color', 'bgcolor', 'stop-color', 'flood-color', 'lighting-color', 'leading']);

/** A number as svg.js's SVGNumber writes it (NaN as 0, infinities clamped). */
function svgNumber(v: number): string {
  if (Number.isNaN(v)) return '0';
  if (!Number.isFinite(v)) return v < 0 ? '-3.4e+38' : '3.4e+38';
  return String(v);
}

function fastAttributes(S: SvgJs): void {
  type El = { node: Element; rebuild?: () => unknown; attr(a: unknown, v?: unknown, ns?: unknown): El };
  type DomProto = { attr(this: El, a: unknown, v?: unknown, ns?: unknown): El; addClass(this: El, name: string): El };
  const proto = S.Dom.prototype as unknown as DomProto;
  const attr = proto.attr;
  const addClass = proto.addClass;
  proto.attr = function (a: unknown, v?: unknown, ns?: unknown): El {
    if (typeof a === 'string' && ns === undefined && (typeof v === 'number' || typeof v === 'string') && !SLOW_ATTRS.has(a)) {
      this.node.setAttribute(a, typeof v === 'number' ? svgNumber(v) : v);
      if (this.rebuild && (a === 'font-size' || a === 'x')) this.rebuild();
      return this;
    }
    if (a !== null && typeof a === 'object' && (a as object).constructor === Object && v === undefined) {
      const o = a as Record<string, unknown>;
      for (const k in o) this.attr(k, o[k]);
      return this;
    }
    return attr.call(this, a, v, ns);
  };
  proto.addClass = function (name: string): El {
    if (typeof name === 'string' && !this.node.hasAttribute('class')) {
      this.node.setAttribute('class', name);
      return this;
    }
    return addClass.call(this, name);
  };
}

/**
 * A detached <g> to draw a figure's content in: only its children are
 * serialized (innerMarkup; the figure's <svg> is written by svgShell), so it
 * need not be an <svg>, whose namespace attributes svg.js writes each time.
 */
export function canvas(): import('@svgdotjs/svg.js').G {
  return new (svgjs().G)();
}

/** Serialized markup of an svg.js element, safe to embed as XML (no HTML-only entities). */
export function markup(el: { node: Element }): string {
  return el.node.outerHTML.replace(/&nbsp;/g, '&#160;');
}

/** Markup of the children only (the root <svg> is written by the figure shell). */
export function innerMarkup(el: { node: Element }): string {
  return el.node.innerHTML.replace(/&nbsp;/g, '&#160;');
}
