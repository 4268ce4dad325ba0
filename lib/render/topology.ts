/**
 * The network drawn from the scenario: the router in the middle, one segment
 * per router interface on either side (the Internet side, the interface
 * holding the default route or with no hosts, on the left), a switch when a
 * segment holds several hosts, a cloud for the Internet, interface names and
 * addresses on the links. Laid out once per scenario and language and cached
 * as markup: the steps of one scenario only differ in what they lay on top.
 */
import type { Container } from '@svgdotjs/svg.js';
import type { Scenario } from '../scenario/types';
import { svgjs, innerMarkup } from './dom';
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

export function topology(sc: Scenario, L: Lang): Topology {
  const key = JSON.stringify([L, sc.router, sc.hosts]);
  let topo = cache.get(key);
  if (!topo) {
    topo = layout(sc, L);
    if (cache.size > 200) cache.delete(cache.keys().next().value as string);
    cache.set(key, topo);
  }
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

function layout(sc: Scenario, L: Lang): Topology {
  const S = svgjs();
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
  const links: Array<{ a: string; b: string; label?: [string[], string[]]; full?: string }> = [];

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
        links.push({ a: 'router', b: s.hub.key, label: [s.label, s.addr], full: s.full });
        hostCol = edge + si.side * (si.linkLen + si.hubW + 50);
      }
      s.hosts.forEach((hst, j) => {
        const hy = y + j * (hostH + GAP) + hostH / 2;
        boxes.set(hst.key, { x: hostCol + si.side * (si.hostW / 2), y: hy, w: hst.w, h: hostH, shape: 'host' });
        if (s.hub) { links.push({ a: s.hub.key, b: hst.key }); upstream.set(hst.key, s.hub.key); } else { links.push({ a: 'router', b: hst.key, label: [s.label, s.addr], full: s.full }); upstream.set(hst.key, 'router'); }
      });
      y += h + 26;
    });
  }

  const height = cy + bodyH / 2 + 14;
  const d = S.SVG();
  const nodeClass = new Map<string, string>();
  const linkClass = new Map<string, string>();
  const linkPts = new Map<string, { a: string; pts: Array<[number, number]> }>();
  links.forEach((l, i) => {
    const cls = `l${i}`;
    linkClass.set(linkKey(l.a, l.b), cls);
    const A = boxes.get(l.a) as Box;
    const B = boxes.get(l.b) as Box;
    const g = d.group().addClass(cls);
    // Links leave a box from its side and reach the other at its near side;
    // from the router to a segment above or below it they run out, turn, and
    // reach the segment level, so the label lies on a straight run.
    const dir = Math.sign(B.x - A.x) || 1;
    const ax = r1(A.x + dir * A.w / 2);
    const bx = r1(B.x - dir * B.w / 2);
    const turn = r1(ax + dir * STUB);
    const pts: Array<[number, number]> = l.a === 'router' && Math.abs(B.y - A.y) > 0.5
      ? [[ax, r1(A.y)], [turn, r1(A.y)], [turn, r1(B.y)], [bx, r1(B.y)]]
      : [[ax, r1(A.y)], [bx, r1(B.y)]];
    linkPts.set(linkKey(l.a, l.b), { a: l.a, pts });
    if (pts.length === 2) g.line(...pts[0], ...pts[1]).addClass('ln');
    else g.polyline(pts.flat()).addClass('ln');
    if (l.label) {
      const [px] = pts[pts.length - 2];
      const mx = (px + bx) / 2;
      const my = B.y;
      const [above, below] = l.label;
      above.forEach((ln, j) => g.plain(ln).attr({ x: r1(mx), y: r1(my - 6 - 15 * (above.length - 1 - j)), 'text-anchor': 'middle' }).addClass('s b'));
      below.forEach((ln, j) => g.plain(ln).attr({ x: r1(mx), y: r1(my + 15 + 15 * j), 'text-anchor': 'middle' }).addClass('s mu'));
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
      // Under the middle line, where packets cross the cloud, clear of its bumps.
      g.plain(segs.find((s) => s.hub?.key === k)?.hub?.text ?? '').attr({ x: r1(b.x), y: r1(b.y + 15), 'text-anchor': 'middle' }).addClass('s b');
    } else if (b.shape === 'switch') {
      g.rect(r1(b.w), r1(b.h)).attr({ x: x0, y: y0, rx: 3 }).addClass('nd');
      // The subnet goes above the switch: packet arrows cross the box itself.
      g.plain(segs.find((s) => s.hub?.key === k)?.hub?.text ?? '').attr({ x: r1(b.x), y: r1(b.y - b.h / 2 - 5), 'text-anchor': 'middle' }).addClass('s mu');
    } else if (b.shape === 'router') {
      g.rect(r1(b.w), r1(b.h)).attr({ x: x0, y: y0, rx: 8, 'data-box': 1 }).addClass('rt');
      const top = b.y - b.h / 2;
      rName.forEach((ln, j) => g.plain(ln).attr({ x: r1(b.x), y: r1(top + 21 + 16 * j), 'text-anchor': 'middle' }).addClass('t'));
      g.plain(rSub).attr({ x: r1(b.x), y: r1(top + 21 + 16 * (rName.length - 1) + 16), 'text-anchor': 'middle' }).addClass('s mu');
      if (rFit.cut) g.element('title').words(rFull);
    } else {
      const h = segs.flatMap((s) => s.hosts).find((x) => x.key === k);
      const l1 = h?.l1 ?? [k];
      g.rect(r1(b.w), r1(b.h)).attr({ x: x0, y: y0, rx: 4, 'data-box': 1 }).addClass('nd');
      // The lines centred in the box: 17 to the first baseline, 15 per label line, 16 to the addresses.
      const top = b.y - (HOST_H + 15 * (l1.length - 1)) / 2;
      l1.forEach((ln, j) => g.plain(ln).attr({ x: r1(b.x), y: r1(top + 17 + 15 * j), 'text-anchor': 'middle' }).addClass('b'));
      g.plain(h?.l2 ?? '').attr({ x: r1(b.x), y: r1(top + 17 + 15 * (l1.length - 1) + 16), 'text-anchor': 'middle' }).addClass('s mu');
      if (h?.cut) g.element('title').words(h.full);
    }
  }
  return { markup: innerMarkup(d as unknown as { node: Element }), width: Math.ceil(width), height: Math.ceil(height), boxes, nodeClass, linkClass, upstream, linkPts };
}

export type { Container };
