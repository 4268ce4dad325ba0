'use strict';
// Layout checks on nat-trace figures as Chromium lays them out. `inPage` runs
// inside the page (playwright serialises it, so it must be self-contained);
// `checkPage` drives it for a page and the SVG files its <img> figures load.
//
// How a text's box is found (lib/render marks them): a rect or path with a
// data-box attribute is the box of the <text> elements that are its siblings
// in the same <g>; a text with data-w was laid out to fit that many units
// from its x (a table cell, a wrapped value). Every text must also lie inside
// the viewBox.

/* eslint-disable no-restricted-globals */
function inPage(opt) {
  const TOL = opt.tol ?? 0.5;
  const ctx = new OffscreenCanvas(8, 8).getContext('2d');
  const results = [];
  // Only the drawings shown: a step figure's other layout (wide on a phone, narrow on a desktop) is display:none.
  const roots = opt.standalone ? [document.documentElement] : [...document.querySelectorAll('svg.nat-trace-svg')].filter((r) => r.getClientRects().length > 0);

  const pt = (m, x, y) => ({ x: m.a * x + m.c * y + m.e, y: m.b * x + m.d * y + m.f });
  const rectIn = (m, r) => {
    const ps = [pt(m, r.x, r.y), pt(m, r.x + r.width, r.y), pt(m, r.x, r.y + r.height), pt(m, r.x + r.width, r.y + r.height)];
    return { x0: Math.min(...ps.map((p) => p.x)), y0: Math.min(...ps.map((p) => p.y)), x1: Math.max(...ps.map((p) => p.x)), y1: Math.max(...ps.map((p) => p.y)) };
  };
  const round = (n) => Math.round(n * 10) / 10;
  const fmt = (r) => `[${round(r.x0)},${round(r.y0)} – ${round(r.x1)},${round(r.y1)}]`;
  const inter = (a, b, t = 0) => a.x0 < b.x1 - t && b.x0 < a.x1 - t && a.y0 < b.y1 - t && b.y0 < a.y1 - t;
  const outside = (a, b) => {
    const d = { left: b.x0 - a.x0, right: a.x1 - b.x1, top: b.y0 - a.y0, bottom: a.y1 - b.y1 };
    return Object.entries(d).filter(([, v]) => v > TOL).map(([k, v]) => `${round(v)} ${k}`);
  };
  const parseColor = (s) => {
    const m = /rgba?\(([^)]+)\)/.exec(s || '');
    if (!m) return null;
    const p = m[1].split(/[,\s/]+/).filter(Boolean).map(Number);
    return { r: p[0], g: p[1], b: p[2], a: p.length > 3 ? p[3] : 1 };
  };
  const over = (top, alpha, under) => ({ r: top.r * alpha + under.r * (1 - alpha), g: top.g * alpha + under.g * (1 - alpha), b: top.b * alpha + under.b * (1 - alpha), a: 1 });
  const lum = (c) => {
    const f = (v) => { v /= 255; return v <= 0.04045 ? v / 12.92 : ((v + 0.055) / 1.055) ** 2.4; };
    return 0.2126 * f(c.r) + 0.7152 * f(c.g) + 0.0722 * f(c.b);
  };
  const contrast = (a, b) => { const x = lum(a); const y = lum(b); return (Math.max(x, y) + 0.05) / (Math.min(x, y) + 0.05); };
  const hex = (c) => `#${[c.r, c.g, c.b].map((v) => Math.round(v).toString(16).padStart(2, '0')).join('')}`;

  /**
   * The figure's box fits the article column. The box is the scroll container
   * the figure sits in (its nearest ancestor inside the <figure> that clips
   * overflow), else the figure itself. A figure wider than its box must be
   * reachable: the box scrolls sideways (not overflow hidden), keyboard users
   * can focus it, it has a name, it does not clip the figure vertically, and
   * the caption comes under it.
   */
  function fit(el, res) {
    const figure = el.closest('figure');
    let box = null;
    for (let n = el.parentElement; n && n !== figure; n = n.parentElement) {
      if (getComputedStyle(n).overflowX !== 'visible') { box = n; break; }
    }
    const col = el.closest('.article-entry') || el.closest('article') || document.body;
    const cr = col.getBoundingClientRect();
    const ccs = getComputedStyle(col);
    const left = cr.left + parseFloat(ccs.paddingLeft);
    const right = cr.right - parseFloat(ccs.paddingRight);
    const er = el.getBoundingClientRect();
    const br = (box || el).getBoundingClientRect();
    res.column = round(right - left);
    res.width = round(er.width);
    res.box = round(br.width);
    res.scrolls = !!box && box.scrollWidth > box.clientWidth + 1;
    const problem = (check, detail) => res.problems.push({ check, text: '', detail });
    if (br.left < left - TOL || br.right > right + TOL) problem('width', `${box ? 'the figure\'s box' : 'figure'} spans ${round(br.left)}–${round(br.right)}px, the article column ${round(left)}–${round(right)}px`);
    const wider = er.left < br.left - TOL || er.right > br.right + TOL;
    if (!box || !wider) return;
    const bcs = getComputedStyle(box);
    const what = `the figure (${round(er.width)}px) is wider than its box (${round(br.width)}px)`;
    if (!/auto|scroll/.test(bcs.overflowX)) problem('scroll', `${what}, which does not scroll (overflow-x: ${bcs.overflowX})`);
    if (!(box.tabIndex >= 0)) problem('scroll', `${what}, which keyboard users cannot focus to scroll it (no tabindex)`);
    if (!box.getAttribute('aria-label') && !box.getAttribute('aria-labelledby')) problem('scroll', `${what}, which has no name (aria-label or aria-labelledby)`);
    if (box.scrollHeight > box.clientHeight + 1) problem('scroll', `the figure's box clips it vertically: ${box.scrollHeight}px of content in ${box.clientHeight}px`);
    const cap = figure && figure.querySelector('figcaption');
    if (cap && cap.getBoundingClientRect().top < br.bottom - TOL) problem('scroll', `the caption starts at ${round(cap.getBoundingClientRect().top)}px, above the bottom of the figure's box (${round(br.bottom)}px)`);
  }

  for (const [index, root] of roots.entries()) {
    const fig = root.closest ? root.closest('figure') : null;
    const res = {
      index, id: root.id, figure: (fig && fig.getAttribute('data-nat-trace')) || opt.name || root.id,
      texts: 0, minFontPx: Infinity, minFontUser: Infinity, problems: [], width: 0, column: 0, natural: 0,
    };
    results.push(res);
    const problem = (check, text, detail) => res.problems.push({ check, text, detail });
    const vb = root.viewBox.baseVal;
    const view = { x0: vb.x, y0: vb.y, x1: vb.x + vb.width, y1: vb.y + vb.height };
    const rootInv = root.getScreenCTM().inverse();
    const toRoot = (el) => rootInv.multiply(el.getScreenCTM());
    const rr = root.getBoundingClientRect();
    const scale = rr.width / vb.width;
    res.width = round(rr.width);
    res.natural = vb.width;
    const opacity = (el) => {
      let o = 1;
      for (let n = el; n && n !== root.parentNode; n = n.parentElement) o *= parseFloat(getComputedStyle(n).opacity);
      return o;
    };

    // Painted shapes, in paint order.
    const shapes = [];
    for (const el of root.querySelectorAll('rect, path, polygon')) {
      const cs = getComputedStyle(el);
      const fill = parseColor(cs.fill);
      if (!fill || fill.a === 0 || cs.display === 'none' || cs.visibility === 'hidden') continue;
      shapes.push({
        el, r: rectIn(toRoot(el), el.getBBox()), fill, alpha: fill.a * parseFloat(cs.fillOpacity) * opacity(el),
        stroke: parseFloat(cs.strokeWidth) || 0, hasStroke: cs.stroke !== 'none',
        cls: el.getAttribute('class') || '', box: el.hasAttribute('data-box'),
      });
    }
    const bgShape = shapes.find((s) => /(^|\s)bg(\s|$)/.test(s.cls));
    const pageBg = bgShape ? bgShape.fill : { r: 255, g: 255, b: 255, a: 1 };

    // Packet arrows: the path lines and their heads, as segments and polygons.
    const arrows = [];
    for (const el of root.querySelectorAll('.pk, .ah')) {
      const m = toRoot(el);
      let pts;
      if (el.tagName === 'line') pts = [pt(m, el.x1.baseVal.value, el.y1.baseVal.value), pt(m, el.x2.baseVal.value, el.y2.baseVal.value)];
      else pts = [...el.points].map((p) => pt(m, p.x, p.y));
      const cs = getComputedStyle(el);
      arrows.push({ el, pts, closed: el.tagName === 'polygon', half: cs.stroke !== 'none' ? (parseFloat(cs.strokeWidth) || 0) / 2 : 0 });
    }
    // Other drawn lines (links, lifelines, rules): not the packet, not a strike-through.
    const strokes = [];
    for (const el of root.querySelectorAll('line, polyline')) {
      if (el.matches('.pk, .st')) continue;
      const cs = getComputedStyle(el);
      if (cs.stroke === 'none' || cs.display === 'none' || parseFloat(cs.strokeOpacity) === 0) continue;
      const m = toRoot(el);
      const pts = el.tagName === 'line' ? [pt(m, el.x1.baseVal.value, el.y1.baseVal.value), pt(m, el.x2.baseVal.value, el.y2.baseVal.value)] : [...el.points].map((p) => pt(m, p.x, p.y));
      strokes.push({ el, pts, half: (parseFloat(cs.strokeWidth) || 0) / 2 });
    }
    const segHits = (a, b, r) => {
      // Liang–Barsky clip of segment ab against r.
      let t0 = 0; let t1 = 1;
      const dx = b.x - a.x; const dy = b.y - a.y;
      for (const [p, q] of [[-dx, a.x - r.x0], [dx, r.x1 - a.x], [-dy, a.y - r.y0], [dy, r.y1 - a.y]]) {
        if (p === 0) { if (q < 0) return false; continue; }
        const t = q / p;
        if (p < 0) { if (t > t1) return false; if (t > t0) t0 = t; } else { if (t < t0) return false; if (t < t1) t1 = t; }
      }
      return true;
    };
    const inPoly = (p, pts) => {
      let inside = false;
      for (let i = 0, j = pts.length - 1; i < pts.length; j = i++) {
        if ((pts[i].y > p.y) !== (pts[j].y > p.y) && p.x < ((pts[j].x - pts[i].x) * (p.y - pts[i].y)) / (pts[j].y - pts[i].y) + pts[i].x) inside = !inside;
      }
      return inside;
    };

    // Texts with their ink boxes in viewBox units.
    const texts = [];
    for (const el of root.querySelectorAll('text')) {
      const raw = el.textContent;
      if (!raw.trim()) continue;
      const cs = getComputedStyle(el);
      if (cs.display === 'none' || cs.visibility === 'hidden') continue;
      const bb = el.getBBox();
      const m = toRoot(el);
      ctx.font = `${cs.fontStyle} ${cs.fontWeight} ${cs.fontSize} ${cs.fontFamily}`;
      ctx.textAlign = 'left';
      ctx.textBaseline = 'alphabetic';
      // SVG may drop leading and trailing spaces: measure what it laid out.
      const trimmed = raw.trim();
      const full = ctx.measureText(raw).width;
      const trim = ctx.measureText(trimmed).width;
      const lead = Math.abs(full - bb.width) < Math.abs(trim - bb.width) ? ctx.measureText(raw.slice(0, raw.length - raw.trimStart().length)).width : 0;
      const tm = ctx.measureText(trimmed);
      const base = el.getNumberOfChars() ? el.getStartPositionOfChar(0).y : bb.y + bb.height * 0.8;
      const x0 = bb.x + lead - tm.actualBoundingBoxLeft;
      const ink = rectIn(m, { x: x0, y: base - tm.actualBoundingBoxAscent, width: tm.actualBoundingBoxRight + tm.actualBoundingBoxLeft, height: tm.actualBoundingBoxAscent + tm.actualBoundingBoxDescent });
      const fontPx = parseFloat(cs.fontSize) * Math.hypot(m.a, m.b);
      const bold = parseInt(cs.fontWeight, 10) >= 700;
      res.minFontPx = Math.min(res.minFontPx, fontPx * scale);
      res.minFontUser = Math.min(res.minFontUser, fontPx);
      texts.push({ el, text: trimmed, ink, fontPx, bold, cs });
    }
    res.texts = texts.length;

    for (const t of texts) {
      const { el, ink, text } = t;
      // Inside the viewBox.
      const out = outside(ink, view);
      if (out.length) problem('viewbox', text, `ink ${fmt(ink)} leaves the viewBox ${fmt(view)} by ${out.join(', ')}`);
      // Inside its own box: the data-box shape among its siblings.
      const g = el.parentElement;
      const own = g && g !== root ? shapes.find((s) => s.box && s.el.parentElement === g) : null;
      if (own) {
        const inner = { x0: own.r.x0 + (own.hasStroke ? own.stroke / 2 : 0), y0: own.r.y0 + (own.hasStroke ? own.stroke / 2 : 0), x1: own.r.x1 - (own.hasStroke ? own.stroke / 2 : 0), y1: own.r.y1 - (own.hasStroke ? own.stroke / 2 : 0) };
        const o = outside(ink, inner);
        if (o.length) problem('box', text, `ink ${fmt(ink)} overflows its box (${own.el.tagName}.${own.cls}) ${fmt(inner)} by ${o.join(', ')}`);
        else if (own.el.tagName === 'path') {
          // A shaped box (the cloud): the text's ink stays inside the fill, off the outline.
          const inv = toRoot(own.el).inverse();
          let bad = null;
          for (let i = 0; i <= 20 && !bad; i++) {
            for (let j = 0; j <= 4 && !bad; j++) {
              const p = pt(inv, ink.x0 + ((ink.x1 - ink.x0) * i) / 20, ink.y0 + ((ink.y1 - ink.y0) * j) / 4);
              const dp = new DOMPoint(p.x, p.y);
              if (!own.el.isPointInFill(dp) || own.el.isPointInStroke(dp)) bad = p;
            }
          }
          if (bad) problem('box', text, `ink ${fmt(ink)} crosses the outline of its box (path.${own.cls}) near ${round(bad.x)},${round(bad.y)}`);
        }
      }
      // A table cell or wrapped line: the width it was laid out for.
      if (el.hasAttribute('data-w')) {
        const w = Number(el.getAttribute('data-w'));
        const m = toRoot(el);
        const x = el.x.baseVal.length ? el.x.baseVal[0].value : 0;
        const anchor = t.cs.textAnchor;
        const sx = anchor === 'middle' ? x - w / 2 : anchor === 'end' ? x - w : x;
        const cell = rectIn(m, { x: sx, y: -1e6, width: w, height: 2e6 });
        const o = outside(ink, { x0: cell.x0, x1: cell.x1, y0: -Infinity, y1: Infinity });
        if (o.length) problem('box', text, `ink ${fmt(ink)} is wider than its cell ${round(cell.x0)}–${round(cell.x1)} (${w} wide) by ${o.join(', ')}`);
      }
      // Covered by a shape painted over it, or lying on a shape that is not its box.
      const after = own ? own.el : (bgShape ? bgShape.el : null);
      for (const s of shapes) {
        if (s === own || s === bgShape || /(^|\s)(bg|ah)(\s|$)/.test(s.cls)) continue;
        if (after && !(after.compareDocumentPosition(s.el) & Node.DOCUMENT_POSITION_FOLLOWING)) continue;
        if (own && s.el.contains(el)) continue;
        if (inter(ink, s.r, TOL)) problem('shape', text, `ink ${fmt(ink)} lies on ${s.el.tagName}.${s.cls || '(no class)'} ${fmt(s.r)} that is not its box`);
      }
      // Under a packet arrow.
      for (const a of arrows) {
        const r = { x0: ink.x0 - a.half, y0: ink.y0 - a.half, x1: ink.x1 + a.half, y1: ink.y1 + a.half };
        let hit = false;
        for (let i = 1; i < a.pts.length && !hit; i++) hit = segHits(a.pts[i - 1], a.pts[i], r);
        if (!hit && a.closed) hit = segHits(a.pts[a.pts.length - 1], a.pts[0], r) || inPoly({ x: (r.x0 + r.x1) / 2, y: (r.y0 + r.y1) / 2 }, a.pts);
        if (hit) problem('arrow', text, `the packet arrow (${a.el.tagName}.${a.el.getAttribute('class')}) passes under ink ${fmt(ink)}`);
      }
      // Under another line that shows: points of the line inside the text not covered by a shape painted after it.
      for (const l of strokes) {
        const r = { x0: ink.x0 - l.half, y0: ink.y0 - l.half, x1: ink.x1 + l.half, y1: ink.y1 + l.half };
        let shown = null;
        for (let i = 1; i < l.pts.length && !shown; i++) {
          const a = l.pts[i - 1]; const b = l.pts[i];
          if (!segHits(a, b, r)) continue;
          for (let k = 0; k <= 20 && !shown; k++) {
            const p = { x: a.x + ((b.x - a.x) * k) / 20, y: a.y + ((b.y - a.y) * k) / 20 };
            if (p.x < r.x0 || p.x > r.x1 || p.y < r.y0 || p.y > r.y1) continue;
            const covered = shapes.some((sh) => (l.el.compareDocumentPosition(sh.el) & Node.DOCUMENT_POSITION_FOLLOWING) && p.x >= sh.r.x0 && p.x <= sh.r.x1 && p.y >= sh.r.y0 && p.y <= sh.r.y1);
            if (!covered) shown = p;
          }
        }
        if (shown) problem('line', text, `a line (${l.el.tagName}.${l.el.getAttribute('class') || '(no class)'}) runs under ink ${fmt(ink)} at ${round(shown.x)},${round(shown.y)}`);
      }
      // Contrast against what is painted under the middle of the text.
      const c = { x: (ink.x0 + ink.x1) / 2, y: (ink.y0 + ink.y1) / 2 };
      let under = { ...pageBg, a: 1 };
      for (const s of shapes) {
        if (!(s.el.compareDocumentPosition(el) & Node.DOCUMENT_POSITION_FOLLOWING) && !s.el.contains(el)) continue;
        if (c.x < s.r.x0 || c.x > s.r.x1 || c.y < s.r.y0 || c.y > s.r.y1) continue;
        if (s.el.tagName === 'polygon' && !inPoly(c, [...s.el.points].map((p) => pt(toRoot(s.el), p.x, p.y)))) continue;
        under = over(s.fill, s.alpha, under);
      }
      const fill = parseColor(t.cs.fill);
      if (fill) {
        const op = fill.a * parseFloat(t.cs.fillOpacity) * opacity(el);
        const seen = over(fill, op, under);
        const ratio = contrast(seen, under);
        const px = t.fontPx * scale;
        const large = px >= 24 || (t.bold && px >= 18.66);
        // Text drawn quieter (a step's inactive nodes) is held to the large-text bar.
        const need = large || op < 1 ? 3 : 4.5;
        if (ratio < need - 0.005) problem('contrast', text, `contrast ${ratio.toFixed(2)} < ${need} (text ${hex(seen)}${op < 1 ? ` at opacity ${round(op)}` : ''} on ${hex(under)})`);
      }
    }
    // No two texts overlap.
    for (let i = 0; i < texts.length; i++) {
      for (let j = i + 1; j < texts.length; j++) {
        if (inter(texts[i].ink, texts[j].ink, TOL)) problem('overlap', texts[i].text, `ink ${fmt(texts[i].ink)} overlaps "${texts[j].text}" ${fmt(texts[j].ink)}`);
      }
    }
    if (!opt.standalone) fit(root, res);
  }
  const images = [];
  if (!opt.standalone) {
    // The images shown: a figure under a theme's dark toggle has a light and a dark file, one of them hidden.
    for (const [index, img] of [...document.querySelectorAll('figure.nat-trace-figure img')].filter((i) => i.getClientRects().length > 0).entries()) {
      const r = {
        index, src: img.currentSrc || img.src, figure: img.closest('figure').getAttribute('data-nat-trace'),
        loaded: img.complete && img.naturalWidth > 0, natural: img.naturalWidth, problems: [],
      };
      fit(img, r);
      images.push(r);
    }
  }
  const doc = document.scrollingElement || document.documentElement;
  return { figures: results, images, scrollX: opt.standalone ? 0 : doc.scrollWidth - window.innerWidth };
}

/** Smallest text a figure may be drawn at, in every view. */
const MIN_TEXT_PX = 9;

/**
 * A figure scaled down until its text is unreadable: its smallest text, at
 * the size the browser drew the figure, must stay at MIN_TEXT_PX or more
 * (a phone included: there a wide figure scrolls in its box instead).
 */
function sizeProblem(f) {
  if (!f.natural || !Number.isFinite(f.minFontPx) || !Number.isFinite(f.minFontUser)) return null;
  if (f.minFontPx >= MIN_TEXT_PX - 0.05) return null;
  return { check: 'size', text: '', detail: `${f.natural} units wide, drawn ${f.width}px wide (its box ${f.box}px, the column ${f.column}px): its ${Math.round(f.minFontUser * 10) / 10}-unit text is drawn at ${f.minFontPx.toFixed(1)}px (< ${MIN_TEXT_PX})` };
}

/**
 * NAT_TRACE_FONT=NAME checks the figures with their text forced to that font,
 * e.g. 'DejaVu Sans', what many Linux desktops without Noto Sans fall back to.
 */
const FORCED_FONT = process.env.NAT_TRACE_FONT || '';

/** Wait for fonts and images, so measurements are of the final layout. */
async function settle(page) {
  if (FORCED_FONT) {
    await page.evaluate((font) => {
      if (document.getElementById('nat-trace-forced-font')) return;
      const st = document.createElementNS(document.documentElement.namespaceURI, 'style');
      st.id = 'nat-trace-forced-font';
      st.textContent = `svg.nat-trace-svg, svg.nat-trace-svg text { font-family: ${JSON.stringify(font)} !important }`;
      document.documentElement.appendChild(st);
    }, FORCED_FONT);
  }
  await page.evaluate(async () => {
    await document.fonts.ready;
    // Lazy images far below the viewport (their size is known before they
    // load, so they take their place) would only load when scrolled to.
    for (const i of document.images) if (!i.complete && i.loading === 'lazy') i.loading = 'eager';
    await Promise.all([...document.images].map((i) => (i.complete ? null : i.decode().catch(() => null))));
  });
}

/**
 * Check the page loaded in `page` in its current view; SVG files shown by
 * <img> are opened in `svgPage` (same view) and checked as documents.
 * Returns { figures: [{ page, view, figure, id, problems }], problems: [...] }.
 */
async function checkPage(page, { label, view, svgPage, svgCache }) {
  await settle(page);
  const r = await page.evaluate(inPage, { standalone: false });
  const figures = r.figures.map((f) => ({ ...f, page: label, view: view.name, kind: 'inline' }));
  for (const f of figures) { const p = sizeProblem(f); if (p) f.problems.push(p); }
  if (r.scrollX > 0) figures.push({ page: label, view: view.name, figure: '(page)', id: '', problems: [{ check: 'width', text: '', detail: `the page scrolls sideways by ${r.scrollX}px` }] });
  for (const img of r.images) {
    const entry = { page: label, view: view.name, figure: img.figure, id: img.src.replace(/^.*\//, ''), kind: 'file', width: img.width, box: img.box, column: img.column, scrolls: img.scrolls, problems: [...img.problems] };
    if (!img.loaded) entry.problems.push({ check: 'load', text: '', detail: `image ${img.src} did not load` });
    else if (svgPage) {
      const key = `${img.src}|${view.name}`;
      let doc = svgCache && svgCache.get(key);
      if (!doc) {
        await svgPage.goto(img.src);
        await settle(svgPage);
        doc = (await svgPage.evaluate(inPage, { standalone: true, name: img.figure })).figures[0];
        if (svgCache) svgCache.set(key, doc);
      }
      entry.texts = doc.texts;
      // In SVG units (the image's natural size), scaled to the size the page drew the image at.
      entry.minFontUser = doc.minFontUser;
      entry.minFontPx = doc.minFontUser * (img.width / img.natural);
      entry.natural = img.natural;
      entry.problems.push(...doc.problems.filter((p) => p.check !== 'width'));
      const p = sizeProblem(entry);
      if (p) entry.problems.push(p);
    }
    figures.push(entry);
  }
  return figures;
}

/** One line per problem: page, view, figure (and step), check, text, detail. */
function describe(figures, checks) {
  const lines = [];
  for (const f of figures) {
    for (const p of f.problems) {
      if (checks && !checks.includes(p.check)) continue;
      lines.push(`${f.page} [${f.view}] figure ${f.figure}${f.id ? ` (${f.id})` : ''}: ${p.check}${p.text ? ` "${p.text}"` : ''}: ${p.detail}`);
    }
  }
  return lines;
}

module.exports = { inPage, settle, checkPage, describe, FORCED_FONT, MIN_TEXT_PX };
