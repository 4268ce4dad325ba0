/**
 * The network drawn from the scenario: the router in the middle, one segment
 * per router interface on either side (the Internet side, the interface
 * holding the default route or with no hosts, on the left), a switch when a
 * segment holds several hosts, a cloud for the Internet, interface names and
 * addresses on the links. Laid out once per scenario, language and layout and
 * cached as markup: the steps of one scenario only differ in what they lay on
 * top.
 *
 * Two layouts of the same network: `wide` (the segments left and right of the
 * router) and `narrow`, the portrait arrangement a phone shows (the Internet
 * side above the router, the others below it, hosts in a column): same nodes,
 * same links, same classes, so a step draws the same packet path on either.
 */
import type { Container } from '@svgdotjs/svg.js';
import type { Scenario } from '../scenario/types';
import { canvas, innerMarkup } from './dom';
import { textWidth, fitText, linesWidth } from './fonts';
import { t, Lang } from '../story/i18n';

export interface Box { x: number; y: number; w: number; h: number; shape: 'router' | 'host' | 'switch' | 'cloud' }
export interface Topology {
  markup: string;
  width: number;
  /** Bottom of the drawing (the packet card goes below). */
  height: number;
  boxes: Map<string, Box>;
  /** Node key -> drawing class ("n0"); link "a|b" (sorted) -> class ("l0"). */
  nodeClass: Map<string, string>;
  linkClass: Map<string, string>;
  /** Each host's segment hub key, or "router" when the host hangs on the router directly. */
  upstream: Map<string, string>;
  /** Link "a|b" (sorted) -> the points of its drawn line, from node `a` to the other end. */
  linkPts: Map<string, { a: string; pts: Array<[number, number]> }>;
}

export type Layout = 'wide' | 'narrow';

export const TOP = 40;
const HOST_H = 40;
const GAP = 14;
/** Widest a label is drawn before it wraps (two lines at most, then an ellipsis). */
const HOST_MAX = 140;
const ROUTER_MAX = 180;
const LINK_MAX = 130;
/** Links to segments above or below the router leave it horizontally for this long, then turn. */
const STUB = 24;
/** Room kept at each end of a link label for the packet's arrowhead. */
const HEAD = 19;
const r1 = (n: number): number => Math.round(n * 10) / 10;

interface Host { key: string; full: string; l1: string[]; cut: boolean; l2: string; w: number }
interface Seg { iface: string; label: string[]; addr: string[]; full: string; hosts: Host[]; internet: boolean; side: -1 | 1; hub?: { key: string; shape: 'switch' | 'cloud'; text: string; w: number; h: number } }

export function linkKey(a: string, b: string): string {
  return a < b ? `${a}|${b}` : `${b}|${a}`;
}

const cache = new Map<string, Topology>();
/**
 * The same scenario object asks again for every step (and every step's
 * width): found by identity first, without serializing its network for the
 * key each time. The key cache behind it finds the same network in another
 * block (`from:`, a repeated block).
 */
const byScenario = new WeakMap<Scenario, Map<string, Topology>>();

export function topology(sc: Scenario, L: Lang, kind: Layout = 'wide'): Topology {
  let mine = byScenario.get(sc);
  const hit = mine?.get(`${L} ${kind}`);
  if (hit) return hit;
  const key = JSON.stringify([L, kind, sc.router, sc.hosts]);
  let topo = cache.get(key);
  if (!topo) {
    topo = layout(sc, L, kind);
    if (cache.size > 200) cache.delete(cache.keys().next().value as string);
    cache.set(key, topo);
  }
  if (!mine) byScenario.set(sc, (mine = new Map()));
  mine.set(`${L} ${kind}`, topo);
  return topo;
}

function isDefaultIface(sc: Scenario, iface: string): boolean {
  const ifc = sc.router.interfaces.find((i) => i.name === iface);
  for (const r of sc.router.routes) {
    if (r.dst !== '0.0.0.0/0') continue;
    if (r.dev === iface) return true;
    if (r.via && ifc && ifc.addresses.some((a) => sameNet(r.via as string, a.network, a.prefix))) return true;
  }
  return false;
}

function ipInt(ip: string): number {
  return ip.split('.').reduce((a, b) => a * 256 + Number(b), 0);
}
function sameNet(ip: string, net: string, prefix: number): boolean {
  const size = 2 ** (32 - prefix);
  return Math.floor(ipInt(ip) / size) === Math.floor(ipInt(net) / size);
}

/** A link to draw: its ends, its line, and the interface label on it. */
interface LinkSpec {
  a: string; b: string;
  pts: Array<[number, number]>;
  label?: [string[], string[]];
  full?: string;
  /** Narrow layout: the label's lines left-aligned beside the last (vertical) run, first baseline at y. */
  beside?: { x: number; y: number };
}

interface Placed { width: number; height: number; boxes: Map<string, Box>; upstream: Map<string, string>; links: LinkSpec[] }

interface Measured { segs: Seg[]; rName: string[]; rSub: string; rFull: string; rCut: boolean; rW: number; rH: number; hostH: number }

function measure(sc: Scenario, L: Lang): Measured {
  const segs: Seg[] = sc.router.interfaces.map((ifc) => {
    const hosts = sc.hosts.filter((h) => h.interface === ifc.name).map((h) => {
      const full = h.label ?? h.name;
      const l1 = fitText(full, 13, HOST_MAX, true);
      const l2 = h.addresses.map((a) => a.address).join(', ');
      return { key: h.name, full, l1: l1.lines, cut: l1.cut, l2, w: Math.max(linesWidth(l1.lines, 13, true), textWidth(l2, 11)) + 20 };
    });
    const full = ifc.label ? `${ifc.name} (${ifc.label})` : ifc.name;
    const label = fitText(full, 11, LINK_MAX, true).lines;
    const addr = fitText(ifc.addresses.map((a) => `${a.address}/${a.prefix}`).join(', '), 11, LINK_MAX).lines;
    const internet = isDefaultIface(sc, ifc.name) || hosts.length === 0;
    return { iface: ifc.name, label, addr, full, hosts, internet, side: internet ? -1 : 1 };
  });
  // Balance: with nothing on the left, the first segment goes there.
  if (!segs.some((s) => s.side === -1) && segs.length > 1) segs[0].side = -1;
  for (const s of segs) {
    if (s.internet) {
      const text = t(L, 'figure.internet');
      s.hub = { key: `segment:${s.iface}`, shape: 'cloud', text, w: Math.max(88, textWidth(text, 12) + 40), h: 46 };
    } else if (s.hosts.length >= 2) {
      const ifc = sc.router.interfaces.find((i) => i.name === s.iface);
      const text = ifc?.addresses[0] ? `${ifc.addresses[0].network}/${ifc.addresses[0].prefix}` : s.iface;
      // As wide as its subnet label above it, so the lines to the hosts leave clear of the label.
      s.hub = { key: `segment:${s.iface}`, shape: 'switch', text, w: Math.max(44, textWidth(text, 11) + 8), h: 16 };
    }
  }
  const rFull = sc.router.label ?? sc.router.name;
  const rFit = fitText(rFull, 14, ROUTER_MAX, true);
  const rName = rFit.lines;
  // Second line: the router's name under its label, else the word "router" in the figure's language.
  const rSub = sc.router.label ? sc.router.name : t(L, 'figure.router');
  const rW = Math.max(linesWidth(rName, 14, true), textWidth(rSub, 11)) + 28;
  const rH = 46 + 16 * (rName.length - 1);
  // Every host box is as tall as the one with the most label lines.
  const hostH = HOST_H + 15 * (Math.max(1, ...segs.flatMap((s) => s.hosts.map((h) => h.l1.length))) - 1);
  return { segs, rName, rSub, rFull, rCut: rFit.cut, rW, rH, hostH };
}

/** Wide: the router in the middle, the Internet side left, the other segments right. */
function placeWide(m: Measured): Placed {
  const { segs, rW, rH, hostH } = m;
  const sideInfo = ([-1, 1] as const).map((side) => {
    const ss = segs.filter((s) => s.side === side);
    const labelW = Math.max(0, ...ss.map((s) => Math.max(linesWidth(s.label, 11, true), linesWidth(s.addr, 11))));
    const hubW = Math.max(0, ...ss.map((s) => s.hub?.w ?? 0));
    const hostW = Math.max(0, ...ss.flatMap((s) => s.hosts.map((h) => h.w)));
    // The label sits on the link's last straight run, clear of an arrowhead at either end.
    const linkLen = Math.max(110, labelW + 2 * HEAD + (ss.length > 1 ? STUB : 0));
    const heights = ss.map((s) => Math.max(1, s.hosts.length) * (hostH + GAP) - GAP);
    const total = heights.reduce((a, b) => a + b, 0) + Math.max(0, ss.length - 1) * 26;
    const extent = ss.length ? linkLen + (hubW ? hubW + 50 : 0) + hostW : 0;
    return { side, ss, linkLen, hubW, hostW, heights, total, extent };
  });
  const [left, right] = sideInfo;
  const margin = 16;
  const cx = margin + left.extent + rW / 2;
  const width = cx + rW / 2 + right.extent + margin;
  const bodyH = Math.max(rH, left.total, right.total, 60);
  const cy = TOP + 18 + bodyH / 2;
  const boxes = new Map<string, Box>();
  boxes.set('router', { x: cx, y: cy, w: rW, h: rH, shape: 'router' });
  const upstream = new Map<string, string>();
  const ends: Array<{ a: string; b: string; label?: [string[], string[]]; full?: string }> = [];

  for (const si of sideInfo) {
    let y = cy - si.total / 2;
    si.ss.forEach((s, i) => {
      const h = si.heights[i];
      const segY = y + h / 2;
      const edge = cx + si.side * (rW / 2);
      let hostCol = edge + si.side * si.linkLen;
      if (s.hub) {
        const hx = edge + si.side * (si.linkLen + si.hubW / 2);
        boxes.set(s.hub.key, { x: hx, y: segY, w: s.hub.w, h: s.hub.h, shape: s.hub.shape });
        ends.push({ a: 'router', b: s.hub.key, label: [s.label, s.addr], full: s.full });
        hostCol = edge + si.side * (si.linkLen + si.hubW + 50);
      }
      s.hosts.forEach((hst, j) => {
        const hy = y + j * (hostH + GAP) + hostH / 2;
        boxes.set(hst.key, { x: hostCol + si.side * (si.hostW / 2), y: hy, w: hst.w, h: hostH, shape: 'host' });
        if (s.hub) { ends.push({ a: s.hub.key, b: hst.key }); upstream.set(hst.key, s.hub.key); } else { ends.push({ a: 'router', b: hst.key, label: [s.label, s.addr], full: s.full }); upstream.set(hst.key, 'router'); }
      });
      y += h + 26;
    });
  }
  // Links leave a box from its side and reach the other at its near side;
  // from the router to a segment above or below it they run out, turn, and
  // reach the segment level, so the label lies on a straight run.
  const links = ends.map((l): LinkSpec => {
    const A = boxes.get(l.a) as Box;
    const B = boxes.get(l.b) as Box;
    const dir = Math.sign(B.x - A.x) || 1;
    const ax = r1(A.x + dir * A.w / 2);
    const bx = r1(B.x - dir * B.w / 2);
    const turn = r1(ax + dir * STUB);
    const pts: Array<[number, number]> = l.a === 'router' && Math.abs(B.y - A.y) > 0.5
      ? [[ax, r1(A.y)], [turn, r1(A.y)], [turn, r1(B.y)], [bx, r1(B.y)]]
      : [[ax, r1(A.y)], [bx, r1(B.y)]];
    return { ...l, pts };
  });
  return { width, height: cy + bodyH / 2 + 14, boxes, upstream, links };
}

/** Room a mark badge needs beside a box in the narrow layout: the widest word a mark can carry. */
function widestMark(L: Lang): number {
  const words = ['figure.dropped', 'figure.rst', 'figure.icmp', 'figure.ok', 'outcome.established', 'outcome.refused', 'outcome.unreachable', 'outcome.timeout'].map((k) => t(L, k));
  return Math.max(...words.map((w) => textWidth(w, 11, true) + 12));
}

/** Gap between a box and the mark badge beside it (narrow layout), clear of the step's highlight ring. */
export const NARROW_MARK_GAP = 8;
/** Narrow layout: from a segment's hub, each host hangs on a bus this far left of the widest box (room for an arrowhead into it). */
const BUS = 26;
/** Narrow layout: lanes (links to a segment past another one) run down the left edge this far apart. */
const LANE = 10;

/**
 * Narrow: one column. The Internet side above the router, the other segments
 * below it, each segment's hosts under its hub, hung on a bus on the left;
 * interface labels beside the vertical link, mark badges right of the boxes.
 * A second segment on a side is reached by a lane down the left edge.
 */
function placeNarrow(m: Measured, L: Lang): Placed {
  const { segs, rW, rH, hostH } = m;
  const margin = 16;
  const sides = ([-1, 1] as const).map((side) => segs.filter((s) => s.side === side));
  const lanes = sides.reduce((n, ss) => n + Math.max(0, ss.length - 1), 0);
  const hostHalf = Math.max(0, ...segs.flatMap((s) => s.hosts.map((h) => h.w / 2)));
  const hubHalf = Math.max(0, ...segs.map((s) => (s.hub ? s.hub.w / 2 : 0)));
  const contentHalf = Math.max(rW / 2, hostHalf, hubHalf);
  const anyBus = segs.some((s) => s.hub && s.hosts.length);
  // Left of the column's centre: a switch's subnet (above it, left of the link), the boxes, the bus, the lanes.
  const subnetLeft = Math.max(0, ...segs.map((s) => (s.hub?.shape === 'switch' ? 6 + textWidth(s.hub.text, 11) : 0)));
  const leftHalf = Math.max(contentHalf + (anyBus ? BUS + 2 : 0), subnetLeft);
  const labelW = Math.max(0, ...segs.map((s) => Math.max(linesWidth(s.label, 11, true), linesWidth(s.addr, 11))));
  const rightHalf = Math.max(contentHalf, 8 + labelW, contentHalf + NARROW_MARK_GAP + widestMark(L));
  const laneX0 = margin + 2;
  const cx = margin + (lanes ? lanes * LANE + 6 : 0) + leftHalf;
  const width = cx + rightHalf + margin;
  const busX = r1(cx - contentHalf - BUS);

  // Each side laid out outwards from the router's edge (distance d), then placed above or below it.
  interface Item { key: string; d0: number; h: number; w: number; shape: Box['shape'] }
  const laid = sides.map((ss) => {
    const items: Item[] = [];
    const segLinks: Array<{ s: Seg; i: number; runStart: number; near: string; nearD: number; laneD?: number }> = [];
    let d = 0;
    ss.forEach((s, i) => {
      let laneD: number | undefined;
      if (i > 0) { d += 16; laneD = d; }
      const runStart = d;
      const lines = s.label.length + s.addr.length;
      // Long enough for the label beside it, and for a switch's subnet above the switch.
      d += Math.max(44, 15 * lines + 18, s.hub?.shape === 'switch' ? 15 * lines + 30 : 0);
      const nearD = d;
      let near: string;
      if (s.hub) {
        items.push({ key: s.hub.key, d0: d, h: s.hub.h, w: s.hub.w, shape: s.hub.shape });
        near = s.hub.key;
        d += s.hub.h;
        if (s.hosts.length) d += 18;
        s.hosts.forEach((h, j) => { items.push({ key: h.key, d0: d, h: hostH, w: h.w, shape: 'host' }); d += hostH + (j < s.hosts.length - 1 ? GAP : 0); });
      } else {
        const h = s.hosts[0];
        items.push({ key: h.key, d0: d, h: hostH, w: h.w, shape: 'host' });
        near = h.key;
        d += hostH;
      }
      segLinks.push({ s, i, runStart, near, nearD, laneD });
      d += 4;
    });
    return { items, segLinks, extent: d };
  });
  const [upSide, downSide] = laid;
  const rTop = TOP + 10 + upSide.extent;
  const rBot = rTop + rH;
  const cy = rTop + rH / 2;
  const at = (side: -1 | 1, d: number): number => (side < 0 ? rTop - d : rBot + d);
  const boxes = new Map<string, Box>();
  boxes.set('router', { x: cx, y: cy, w: rW, h: rH, shape: 'router' });
  const upstream = new Map<string, string>();
  const links: LinkSpec[] = [];
  let lane = 0;
  laid.forEach((side, si) => {
    const sg: -1 | 1 = si === 0 ? -1 : 1;
    for (const it of side.items) boxes.set(it.key, { x: cx, y: at(sg, it.d0 + it.h / 2), w: it.w, h: it.h, shape: it.shape });
    let nth = 0;
    for (const l of side.segLinks) {
      const s = l.s;
      // Into a switch at its middle: the box covers the link's end, and a packet turns there to the bus.
      const hubBox = s.hub?.shape === 'switch' ? boxes.get(s.hub.key) : undefined;
      const nearY = r1(hubBox ? hubBox.y : at(sg, l.nearD));
      const runEnd = r1(at(sg, l.nearD));
      let pts: Array<[number, number]>;
      if (l.laneD === undefined) pts = [[r1(cx), r1(at(sg, 0))], [r1(cx), nearY]];
      else {
        // Out of the router's left side, down (or up) the lane, across above the segment, into it.
        const x = r1(laneX0 + LANE * lane++);
        const ry = r1(cy + sg * Math.min(rH / 2 - 5, 6 + 8 * nth++));
        const ay = r1(at(sg, l.laneD));
        pts = [[r1(cx - rW / 2), ry], [x, ry], [x, ay], [r1(cx), ay], [r1(cx), nearY]];
      }
      const lines = s.label.length + s.addr.length;
      const runMid = (at(sg, l.runStart) + runEnd) / 2;
      links.push({ a: 'router', b: l.near, pts, label: [s.label, s.addr], full: s.full, beside: { x: r1(cx + 8), y: r1(runMid - (15 * (lines - 1)) / 2 + 4) } });
      if (s.hub) {
        const hub = boxes.get(s.hub.key) as Box;
        for (const h of s.hosts) {
          const hb = boxes.get(h.key) as Box;
          upstream.set(h.key, s.hub.key);
          links.push({ a: s.hub.key, b: h.key, pts: [[r1(cx - hub.w / 2), r1(hub.y)], [busX, r1(hub.y)], [busX, r1(hb.y)], [r1(cx - hb.w / 2), r1(hb.y)]] });
        }
      } else upstream.set(l.near, 'router');
    }
  });
  return { width, height: rBot + downSide.extent + 14, boxes, upstream, links };
}

function layout(sc: Scenario, L: Lang, kind: Layout): Topology {
  const m = measure(sc, L);
  const { segs, rName, rSub, rFull } = m;
  const { width, height, boxes, upstream, links } = kind === 'narrow' ? placeNarrow(m, L) : placeWide(m);
  const d = canvas();
  const nodeClass = new Map<string, string>();
  const linkClass = new Map<string, string>();
  const linkPts = new Map<string, { a: string; pts: Array<[number, number]> }>();
  links.forEach((l, i) => {
    const cls = `l${i}`;
    linkClass.set(linkKey(l.a, l.b), cls);
    const B = boxes.get(l.b) as Box;
    const g = d.group().addClass(cls);
    const pts = l.pts;
    linkPts.set(linkKey(l.a, l.b), { a: l.a, pts });
    if (pts.length === 2) g.line(...pts[0], ...pts[1]).addClass('ln');
    else g.polyline(pts.flat()).addClass('ln');
    if (l.label) {
      const [above, below] = l.label;
      if (l.beside) {
        const { x, y } = l.beside;
        above.forEach((ln, j) => g.plain(ln).attr({ x, y: r1(y + 15 * j) }).addClass('s b'));
        below.forEach((ln, j) => g.plain(ln).attr({ x, y: r1(y + 15 * (above.length + j)) }).addClass('s mu'));
      } else {
        const [px] = pts[pts.length - 2];
        const bx = pts[pts.length - 1][0];
        const mx = (px + bx) / 2;
        const my = B.y;
        above.forEach((ln, j) => g.plain(ln).attr({ x: r1(mx), y: r1(my - 6 - 15 * (above.length - 1 - j)) }).addClass('s b m'));
        below.forEach((ln, j) => g.plain(ln).attr({ x: r1(mx), y: r1(my + 15 + 15 * j) }).addClass('s mu m'));
      }
      if (l.full && above[above.length - 1].endsWith('…')) g.element('title').words(l.full);
    }
  });
  let n = 0;
  for (const [k, b] of boxes) {
    const cls = `n${n++}`;
    nodeClass.set(k, cls);
    const g = d.group().addClass(cls);
    const x0 = r1(b.x - b.w / 2);
    const y0 = r1(b.y - b.h / 2);
    if (b.shape === 'cloud') {
      // Bezier bumps whose control points all lie in the box: the cloud stays inside it.
      const X = (f: number): number => r1(b.x - b.w / 2 + f * b.w);
      const Y = (f: number): number => r1(b.y - b.h / 2 + f * b.h);
      g.path(`M${X(0.2)} ${Y(1)}C${X(0)} ${Y(1)} ${X(0)} ${Y(0.45)} ${X(0.18)} ${Y(0.45)}C${X(0.16)} ${Y(0.05)} ${X(0.5)} ${Y(0)} ${X(0.55)} ${Y(0.25)}C${X(0.62)} ${Y(0.05)} ${X(0.92)} ${Y(0.1)} ${X(0.84)} ${Y(0.45)}C${X(1)} ${Y(0.45)} ${X(1)} ${Y(1)} ${X(0.8)} ${Y(1)}Z`).attr('data-box', 1).addClass('cl');
      // Wide: under the middle line, where packets cross the cloud, clear of
      // its bumps. Narrow: packets come in at the bottom and leave at the
      // left, the word sits on the middle line.
      g.plain(segs.find((s) => s.hub?.key === k)?.hub?.text ?? '').attr({ x: r1(b.x), y: r1(b.y + (kind === 'narrow' ? 6 : 15)) }).addClass('s b m');
    } else if (b.shape === 'switch') {
      g.rect(r1(b.w), r1(b.h)).attr({ x: x0, y: y0, rx: 3 }).addClass('nd');
      // The subnet goes above the switch: packet arrows cross the box itself
      // (narrow: left of the link coming down into it).
      const text = segs.find((s) => s.hub?.key === k)?.hub?.text ?? '';
      if (kind === 'narrow') g.plain(text).attr({ x: r1(b.x - 6), y: r1(b.y - b.h / 2 - 5) }).addClass('s mu e');
      else g.plain(text).attr({ x: r1(b.x), y: r1(b.y - b.h / 2 - 5) }).addClass('s mu m');
    } else if (b.shape === 'router') {
      g.rect(r1(b.w), r1(b.h)).attr({ x: x0, y: y0, rx: 8, 'data-box': 1 }).addClass('rt');
      const top = b.y - b.h / 2;
      rName.forEach((ln, j) => g.plain(ln).attr({ x: r1(b.x), y: r1(top + 21 + 16 * j) }).addClass('t m'));
      g.plain(rSub).attr({ x: r1(b.x), y: r1(top + 21 + 16 * (rName.length - 1) + 16) }).addClass('s mu m');
      if (m.rCut) g.element('title').words(rFull);
    } else {
      const h = segs.flatMap((s) => s.hosts).find((x) => x.key === k);
      const l1 = h?.l1 ?? [k];
      g.rect(r1(b.w), r1(b.h)).attr({ x: x0, y: y0, rx: 4, 'data-box': 1 }).addClass('nd');
      // The lines centred in the box: 17 to the first baseline, 15 per label line, 16 to the addresses.
      const top = b.y - (HOST_H + 15 * (l1.length - 1)) / 2;
      l1.forEach((ln, j) => g.plain(ln).attr({ x: r1(b.x), y: r1(top + 17 + 15 * j) }).addClass('b m'));
      g.plain(h?.l2 ?? '').attr({ x: r1(b.x), y: r1(top + 17 + 15 * (l1.length - 1) + 16) }).addClass('s mu m');
      if (h?.cut) g.element('title').words(h.full);
    }
  }
  return { markup: innerMarkup(d as unknown as { node: Element }), width: Math.ceil(width), height: Math.ceil(height), boxes, nodeClass, linkClass, upstream, linkPts };
}

export type { Container };
