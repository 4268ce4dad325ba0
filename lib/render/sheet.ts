/**
 * A block's narrow (phone) layouts in one SVG file, stacked top to bottom.
 *
 * One file per block instead of one per step: a blog with thousands of step
 * figures writes a few hundred files, not thousands (writing them was most of
 * what a warm build costs beyond the floor), and a phone fetches one file per
 * block. Each step's <img> shows its own slice with object-fit/object-position
 * (no clipping box, nothing that scrolls), and its lightbox link names the
 * slice's <view>, so a lightbox or the file opened alone shows that step.
 */

/** One narrow drawing to stack (RenderedFigure.narrow, in the palette of the file). */
export interface SheetInput { svg: string; width: number; height: number }

/** Where a drawing sits in its sheet. */
export interface SheetSlice {
  /** The slice's <view> id: the file URL + `#` + view shows just this step. */
  view: string;
  /** CSS object-position that shows the slice in an <img> of the slice's aspect ratio, object-fit: cover. */
  position: string;
}

export interface NarrowSheet { svg: string; width: number; height: number; slices: SheetSlice[] }

/** Space between two slices, in units: rounding in a scaled <img> never shows a sliver of the next step. */
const GAP = 16;

const ROOT_ATTR_RE = /\s([A-Za-z_:][-\w:.]*)="([^"]*)"/g;
/** The root's attributes that place it in a document of its own; nested, the sheet places it. */
const DROP = new Set(['xmlns', 'style', 'width', 'height', 'x', 'y']);

/** A drawing's root as a nested <svg> at (0, y), its own size (no CSS sizing, which would fill the sheet). */
function nested(svg: string, y: number, width: number, height: number): string {
  if (!svg.startsWith('<svg')) throw new Error('nat-trace: a narrow layout that is not an <svg>');
  const end = svg.indexOf('>');
  const attrs: string[] = [];
  for (const m of svg.slice(4, end).matchAll(ROOT_ATTR_RE)) if (!DROP.has(m[1])) attrs.push(` ${m[1]}="${m[2]}"`);
  return `<svg${attrs.join('')} x="0" y="${y}" width="${width}" height="${height}">${svg.slice(end + 1)}`;
}

const pct = (n: number): string => `${Math.round(n * 10000) / 10000}%`;

/**
 * The drawings in one file, each under a <view> of its box. The sheet is as
 * wide as the widest; slices of the same width keep an exact crop (the block's
 * steps share one width, hexo/block.ts groups by width).
 */
export function narrowSheet(parts: SheetInput[]): NarrowSheet {
  if (!parts.length) throw new Error('nat-trace: an empty narrow sheet');
  const width = Math.max(...parts.map((p) => p.width));
  const height = parts.reduce((s, p) => s + p.height, 0) + GAP * (parts.length - 1);
  const views: string[] = [];
  const bodies: string[] = [];
  const slices: SheetSlice[] = [];
  let y = 0;
  parts.forEach((p, i) => {
    const view = `v${i + 1}`;
    views.push(`<view id="${view}" viewBox="0 ${y} ${p.width} ${p.height}"/>`);
    bodies.push(nested(p.svg, y, p.width, p.height));
    // object-position p% lines up the point p% down the image with the point p% down the box: (H - h) * p = y.
    slices.push({ view, position: `0 ${pct(height === p.height ? 0 : (y / (height - p.height)) * 100)}` });
    y += p.height + GAP;
  });
  const svg = `<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 ${width} ${height}" width="${width}" height="${height}">${views.join('')}${bodies.join('')}</svg>`;
  return { svg, width, height, slices };
}
