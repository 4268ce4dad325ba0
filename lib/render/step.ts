/**
 * One step figure: the cached topology, the nodes and links this step does
 * not touch drawn quieter (by CSS on their classes), the packet as an arrow
 * along its real path, a mark where it was dropped, reset or answered, and a
 * packet card: protocol, flags, source and destination, rewritten fields
 * struck through with the new value beside them, and the rule that acted.
 */
import type { Container } from '@svgdotjs/svg.js';
import type { SimResult } from '../index';
import type { Story, StoryStep } from '../story';
import type { Packet } from '../sim/packet';
import { t, Lang } from '../story/i18n';
import { packetKind, endpoint, packetText, ruleName } from '../story/caption';
import { canvas, innerMarkup } from './dom';
import { textWidth, wrapText, fitText, linesWidth } from './fonts';
import { topology, linkKey, Box, Topology, NARROW_MARK_GAP } from './topology';
import type { Layout } from './topology';
import { svgShell } from './theme';

const r1 = (n: number): number => Math.round(n * 10) / 10;

/** Where a line from the box centre towards (tx, ty) leaves the box. */
function exitPoint(b: Box, tx: number, ty: number, pad = 3): [number, number] {
  const dx = tx - b.x;
  const dy = ty - b.y;
  if (!dx && !dy) return [b.x, b.y];
  const sx = dx ? (b.w / 2 + pad) / Math.abs(dx) : Infinity;
  const sy = dy ? (b.h / 2 + pad) / Math.abs(dy) : Infinity;
  const s = Math.min(sx, sy, 1);
  return [b.x + dx * s, b.y + dy * s];
}

/** `b` moved by `d` along the direction from `a` to `b`. */
function along(a: [number, number], b: [number, number], d: number): [number, number] {
  const len = Math.hypot(b[0] - a[0], b[1] - a[1]) || 1;
  return [b[0] + ((b[0] - a[0]) / len) * d, b[1] + ((b[1] - a[1]) / len) * d];
}

/**
 * The packet's line through the nodes of `path`: along the drawn links (so
 * it never cuts across a label beside them), straight through a switch or
 * cloud it crosses; box centre to box centre where two nodes have no link.
 */
function routePoints(path: string[], topo: Topology): Array<[number, number]> {
  const out: Array<[number, number]> = [];
  for (let i = 1; i < path.length; i++) {
    const link = topo.linkPts.get(linkKey(path[i - 1], path[i]));
    let seg: Array<[number, number]>;
    if (link) seg = link.a === path[i - 1] ? link.pts : [...link.pts].reverse();
    else {
      const a = topo.boxes.get(path[i - 1]) as Box;
      const b = topo.boxes.get(path[i]) as Box;
      seg = [exitPoint(a, b.x, b.y, 0), exitPoint(b, a.x, a.y, 0)];
    }
    const last = out[out.length - 1];
    for (const p of seg) if (!last || p !== seg[0] || Math.hypot(p[0] - last[0], p[1] - last[1]) > 0.5) out.push([p[0], p[1]]);
  }
  return out;
}

function nodePath(s: StoryStep, topo: Topology): string[] {
  const l = s.link;
  if (!l) return [];
  const up = (h: string): string | undefined => { const u = topo.upstream.get(h); return u && u !== 'router' ? u : undefined; };
  const seg = `segment:${l.iface}`;
  if (!l.to) {
    // ARP failed: the packet ends on the segment.
    return topo.boxes.has(seg) ? [l.from, seg] : [l.from];
  }
  const mid = topo.boxes.has(seg) ? [seg] : [];
  if (l.from === 'router') return ['router', ...mid.filter(() => up(l.to as string) === seg), l.to];
  if (l.to === 'router') return [l.from, ...mid.filter(() => up(l.from) === seg), 'router'];
  return [l.from, ...mid, l.to];
}

export function activeNodes(s: StoryStep, story: Story, topo: Topology): { nodes: Set<string>; links: Set<string>; path: string[] } {
  const path = nodePath(s, topo);
  const nodes = new Set(path);
  if (s.kind === 'rewrite' || s.kind === 'drop' || s.kind === 'local') nodes.add(s.node);
  if (s.kind === 'outcome') { nodes.add(story.client); if (story.server) nodes.add(story.server); }
  if (s.markAt) nodes.add(s.markAt);
  const links = new Set<string>();
  for (let i = 1; i < path.length; i++) links.add(linkKey(path[i - 1], path[i]));
  return { nodes, links, path };
}

function markWord(L: Lang, mark: string): string {
  return t(L, mark === 'drop' ? 'figure.dropped' : `figure.${mark}`);
}

/** Width of a mark's badge. */
export function markWidth(L: Lang, mark: string, word = markWord(L, mark)): number {
  return textWidth(word, 11, true) + 12;
}

/** The mark as a badge with a word (never colour alone). */
export function drawMark(g: Container, L: Lang, mark: string, x: number, y: number, word = markWord(L, mark), maxX = Infinity): void {
  const w = markWidth(L, mark, word);
  x = Math.min(x, maxX - w / 2);
  const m = g.group();
  m.rect(w, 17).attr({ x: r1(x - w / 2), y: r1(y - 12), rx: 8.5, 'data-box': 1 }).addClass(`m-${mark}`);
  m.plain(word).attr({ x: r1(x), y: r1(y + 1) }).addClass('mt m');
}

/** Line height added when a rewritten value is drawn on two lines (narrow layout). */
const SPLIT_LINE = 18;

/** Whether a rewritten value goes on two lines: the old one, then "→ new" (narrow layout, a row wider than `room`). */
function splitCell(now: string, old: string | undefined, room: number): boolean {
  return old !== undefined && old !== now && textWidth(old, 13) + textWidth(' → ', 13) + textWidth(now, 13, true) + 5 > room;
}

/** A value cell: plain, or the old value struck through and the new one emphasised (on one line, or two when `split`). */
function valueCell(g: Container, x: number, y: number, now: string, old: string | undefined, split = false): number {
  if (old === undefined || old === now) {
    g.plain(now).attr({ x, y });
    return textWidth(now, 13);
  }
  const ow = textWidth(old, 13);
  const arrow = ' → ';
  const aw = textWidth(arrow, 13);
  const nw = textWidth(now, 13, true);
  if (split) {
    const c = g.group();
    const head = '→ ';
    const hw = textWidth(head, 13);
    const w = Math.max(ow, hw + nw);
    c.rect(r1(w + 10), 20 + SPLIT_LINE).attr({ x: r1(x - 5), y: r1(y - 14.5), rx: 3, 'data-box': 1 }).addClass('hl');
    c.plain(old).attr({ x, y }).addClass('mu');
    c.line(r1(x - 1), r1(y - 4.5), r1(x + ow + 1), r1(y - 4.5)).addClass('st');
    c.plain(head).attr({ x, y: y + SPLIT_LINE });
    c.plain(now).attr({ x: r1(x + hw), y: y + SPLIT_LINE }).addClass('rw');
    return w + 5;
  }
  // One group: the highlight is the box of the three texts.
  const c = g.group();
  c.rect(r1(ow + aw + nw + 10), 20).attr({ x: r1(x - 5), y: r1(y - 14.5), rx: 3, 'data-box': 1 }).addClass('hl');
  c.plain(old).attr({ x, y }).addClass('mu');
  c.line(r1(x - 1), r1(y - 4.5), r1(x + ow + 1), r1(y - 4.5)).addClass('st');
  c.plain(arrow).attr({ x: r1(x + ow), y });
  c.plain(now).attr({ x: r1(x + ow + aw), y }).addClass('rw');
  return ow + aw + nw + 5;
}

function endpointOld(before: Packet | undefined, p: Packet, side: 'src' | 'dst'): string | undefined {
  if (!before) return undefined;
  const port = side === 'src' ? 'sport' : 'dport';
  if (before[side] === p[side] && before[port] === p[port]) return undefined;
  return endpoint(before[side], before[port], before.proto);
}

/** Rows of the packet card; returns the height used. */
function drawCard(g: Container, L: Lang, sim: SimResult, s: StoryStep, x: number, y: number, w: number, narrow = false): number {
  const rows = g.group();
  // The card's box first, behind the rows; its height is known once they are drawn (set in place, not moved back).
  const box = rows.rect(r1(w), 0).attr({ x, y, rx: 5, 'data-box': 1 }).addClass('cd');
  let cy = y + 22;
  const inner = w - 24;
  const lx = x + 12;
  if (s.kind === 'outcome' && s.outcome) {
    const o = s.outcome;
    const line = `${t(L, 'figure.outcome')}: ${t(L, `outcome.${o.outcome}`)}${o.errno ? ` (${o.errno})` : ''}`;
    rows.plain(line).attr({ x: lx, y: cy }).addClass('b');
    cy += 20;
    if (o.retransmits) { rows.plain(t(L, 'figure.retransmit', { n: o.retransmits + 1 })).attr({ x: lx, y: cy }); cy += 20; }
    rows.plain(`${t(L, 'figure.server-saw')}: ${o.server_saw ?? t(L, 'figure.nothing')}`).attr({ x: lx, y: cy });
    cy += 20;
    if (o.morePackets) { rows.plain(t(L, 'figure.more', { n: o.morePackets })).attr({ x: lx, y: cy }).addClass('mu'); cy += 20; }
  } else {
    const p = s.packet;
    rows.plain(packetKind(L, p)).attr({ x: lx, y: cy }).addClass('b');
    cy += 22;
    const labels = [t(L, 'field.src'), t(L, 'field.dst')];
    const colW = Math.max(...labels.map((l) => textWidth(l, 11))) + 14;
    (['src', 'dst'] as const).forEach((side, i) => {
      rows.plain(labels[i]).attr({ x: lx, y: cy }).addClass('s mu');
      const port = side === 'src' ? 'sport' : 'dport';
      const now = endpoint(p[side], p[port], p.proto);
      const was = endpointOld(s.before, p, side);
      const split = narrow && splitCell(now, was, inner - colW);
      valueCell(rows, lx + colW, cy, now, was, split);
      cy += 22 + (split ? SPLIT_LINE : 0);
    });
    if (p.proto === 'icmp' && p.icmp?.inner) {
      for (const ln of wrapText(`${t(L, 'figure.about')}: ${packetText(L, p.icmp.inner)}`, 11, inner)) {
        rows.plain(ln).attr({ x: lx, y: cy }).addClass('s mu');
        cy += 15;
      }
      cy += 4;
    }
    const refs = s.rules.map((r) => r.rule);
    if (s.rule && !refs.some((r) => r.table === s.rule!.table && r.chain === s.rule!.chain && r.number === s.rule!.number)) refs.push(s.rule);
    for (const r of refs) {
      const head = ruleName(L, sim, r);
      // Narrow: a long rule name ("the policy drop of chain forward in table inet filter") wraps too.
      for (const ln of narrow ? fitText(head, 11, inner, true, 3).lines : [head]) {
        rows.plain(ln).attr({ x: lx, y: cy }).addClass('s b');
        cy += 15;
      }
      if (r.number !== 0) {
        for (const ln of wrapText(r.text, 11, inner)) {
          rows.plain(ln).attr({ x: lx, y: cy }).addClass('s');
          cy += 15;
        }
      }
      cy += 3;
    }
    for (const rw of s.rewrites.filter((x) => x.by === 'conntrack')) {
      void rw;
      rows.plain(t(L, 'figure.by-conntrack')).attr({ x: lx, y: cy }).addClass('s mu');
      cy += 15;
      break;
    }
  }
  const h = cy - y - 4;
  box.attr('height', r1(h));
  return h;
}

/**
 * The card's widest row that does not wrap (the packet line, the addresses
 * with a rewrite beside them, the outcome lines): the narrow layout is at
 * least that wide.
 */
function cardWidth(L: Lang, s: StoryStep): number {
  if (s.kind === 'outcome' && s.outcome) {
    const o = s.outcome;
    const rows = [textWidth(`${t(L, 'figure.outcome')}: ${t(L, `outcome.${o.outcome}`)}${o.errno ? ` (${o.errno})` : ''}`, 13, true), textWidth(`${t(L, 'figure.server-saw')}: ${o.server_saw ?? t(L, 'figure.nothing')}`, 13)];
    if (o.retransmits) rows.push(textWidth(t(L, 'figure.retransmit', { n: o.retransmits + 1 }), 13));
    if (o.morePackets) rows.push(textWidth(t(L, 'figure.more', { n: o.morePackets }), 13));
    return Math.max(...rows) + 24;
  }
  const p = s.packet;
  const colW = Math.max(textWidth(t(L, 'field.src'), 11), textWidth(t(L, 'field.dst'), 11)) + 14;
  // A rewrite too wide for the narrowest card goes on two lines (drawCard).
  const room = NARROW_MIN - 32 - 24 - colW;
  const cell = (now: string, old: string | undefined): number => (old === undefined || old === now ? textWidth(now, 13)
    : splitCell(now, old, room) ? Math.max(textWidth(old, 13), textWidth('→ ', 13) + textWidth(now, 13, true)) + 5
      : textWidth(old, 13) + textWidth(' → ', 13) + textWidth(now, 13, true) + 5);
  const cells = (['src', 'dst'] as const).map((side) => cell(endpoint(p[side], p[side === 'src' ? 'sport' : 'dport'], p.proto), endpointOld(s.before, p, side)));
  return Math.max(textWidth(packetKind(L, p), 13, true), colW + Math.max(...cells)) + 24;
}

/** Narrowest a narrow-layout step figure is drawn: its rule lines wrap to it. */
const NARROW_MIN = 300;

/** What a step figure's size depends on: its topology, title lines and width (known before anything is drawn). */
function stepFrame(sim: SimResult, story: Story, s: StoryStep, L: Lang, layout: Layout): { topo: Topology; title: string; titleLines: string[]; width: number; dy: number } {
  const topo = topology(sim.scenario, L, layout);
  const narrow = layout === 'narrow';
  const total = story.steps.length;
  const title = `${t(L, 'figure.step', { n: s.index, total })} · ${s.title}`;
  // A title wider than the network wraps (up to three lines, four on a phone) instead of widening the figure.
  const base = narrow ? Math.ceil(Math.max(topo.width, NARROW_MIN, cardWidth(L, s) + 32)) : Math.max(topo.width, 420);
  const titleLines = textWidth(title, 14, true) + 32 > base ? fitText(title, 14, base - 32, true, narrow ? 4 : 3).lines : [title];
  const width = Math.max(base, linesWidth(titleLines, 14, true) + 32);
  return { topo, title, titleLines, width, dy: 18 * (titleLines.length - 1) };
}

/** The width of the step's figure in `layout` (its viewBox width), without drawing it. */
export function stepWidth(sim: SimResult, story: Story, s: StoryStep, L: Lang, layout: Layout = 'wide'): number {
  return Math.ceil(stepFrame(sim, story, s, L, layout).width);
}

export function renderStep(sim: SimResult, story: Story, s: StoryStep, L: Lang, theme: string | undefined, layout: Layout = 'wide'): { svg: string; id: string; title: string } {
  const narrow = layout === 'narrow';
  const { topo, title, titleLines, width, dy } = stepFrame(sim, story, s, L, layout);
  const d = canvas();
  titleLines.forEach((ln, j) => d.plain(ln).attr({ x: 16, y: 25 + 18 * j }).addClass('t'));
  const act = activeNodes(s, story, topo);
  const quiet: string[] = [];
  for (const [k, c] of topo.nodeClass) if (!act.nodes.has(k)) quiet.push(c);
  for (const [k, c] of topo.linkClass) if (!act.links.has(k)) quiet.push(c);
  // The topology is shifted when the title is wider than it, and down under a wrapped title.
  const dx = r1((width - topo.width) / 2);
  const over = d.group();
  if (dx || dy) over.attr({ transform: `translate(${dx} ${dy})` });

  const path = act.path.filter((k) => topo.boxes.has(k));
  if (s.kind === 'rewrite' || s.kind === 'drop' || s.kind === 'local') {
    const b = topo.boxes.get(s.node);
    if (b) over.rect(r1(b.w + 8), r1(b.h + 8)).attr({ x: r1(b.x - b.w / 2 - 4), y: r1(b.y - b.h / 2 - 4), rx: 10, fill: 'none' }).addClass('ac');
  }
  if (path.length >= 2) {
    const pts = routePoints(path, topo);
    // Off the box edges: a little at the start, more at the end where the
    // head goes; an ARP failure stops short of the segment: nobody took the packet.
    pts[0] = along(pts[1], pts[0], -3);
    pts[pts.length - 1] = along(pts[pts.length - 2], pts[pts.length - 1], s.link && !s.link.to ? -8 : -5);
    const before = pts[pts.length - 2];
    const [ex, ey] = pts[pts.length - 1];
    const [px, py] = before;
    const len = Math.hypot(ex - px, ey - py) || 1;
    const ux = (ex - px) / len;
    const uy = (ey - py) / len;
    const tip: [number, number] = [ex, ey];
    pts[pts.length - 1] = [ex - ux * 9, ey - uy * 9];
    over.polyline(pts.map(([a, b]) => [r1(a), r1(b)]).flat()).addClass(s.link && !s.link.to ? 'pk da' : 'pk');
    over.polygon([[r1(tip[0]), r1(tip[1])], [r1(tip[0] - ux * 12 - uy * 6), r1(tip[1] - uy * 12 + ux * 6)], [r1(tip[0] - ux * 12 + uy * 6), r1(tip[1] - uy * 12 - ux * 6)]].flat()).addClass('ah');
  }
  if (s.mark && s.markAt) {
    const b = topo.boxes.get(s.markAt);
    const word = s.outcome ? t(L, `outcome.${s.outcome.outcome}`) : undefined;
    // Wide: on the box's top right corner; narrow: right of the box, where the column leaves room for it.
    if (b && narrow) drawMark(over, L, s.mark, b.x + b.w / 2 + NARROW_MARK_GAP + markWidth(L, s.mark, word) / 2, b.y + 4, word, width - dx - 4);
    else if (b) drawMark(over, L, s.mark, b.x + b.w / 2 - 6, b.y - b.h / 2 - 4, word, width - dx - 4);
  }
  const cardH = drawCard(d, L, sim, s, 16, topo.height + dy, width - 32, narrow);
  const content = topo.markup.length && (dx || dy) ? `<g transform="translate(${dx} ${dy})">${topo.markup}</g>` : topo.markup;
  // Shapes fade further than words: a quiet node's name stays readable (3:1). Not a <g> itself: the topology sits in a translated <g> when the figure is wider than it, and its groups would fade twice.
  const css = quiet.length ? [`${quiet.map((c) => `#I .${c}`).join(',')}{--q:.35;--qt:.7}#I g>:not(text,g){opacity:var(--q,1)}#I g>text{opacity:var(--qt,1)}`] : [];
  const { svg, id } = svgShell({ kind: 'step', content: content + innerMarkup(d as unknown as { node: Element }), width, height: topo.height + dy + cardH + 14, title, desc: s.caption, theme, css });
  return { svg, id, title };
}
