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
import { textWidth } from './fonts';
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
}

export const TOP = 40;
const HOST_H = 40;
const GAP = 14;
const r1 = (n: number): number => Math.round(n * 10) / 10;

interface Seg { iface: string; label: string; addr: string; hosts: Array<{ key: string; l1: string; l2: string; w: number }>; internet: boolean; side: -1 | 1; hub?: { key: string; shape: 'switch' | 'cloud'; text: string; w: number; h: number } }

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
      const l1 = h.label ?? h.name;
      const l2 = h.addresses.map((a) => a.address).join(', ');
      return { key: h.name, l1, l2, w: Math.max(textWidth(l1, 13, true), textWidth(l2, 11)) + 20 };
    });
    const addr = ifc.addresses.map((a) => `${a.address}/${a.prefix}`).join(', ');
    const internet = isDefaultIface(sc, ifc.name) || hosts.length === 0;
    return { iface: ifc.name, label: ifc.label ? `${ifc.name} (${ifc.label})` : ifc.name, addr, hosts, internet, side: internet ? -1 : 1 };
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
      s.hub = { key: `segment:${s.iface}`, shape: 'switch', text, w: Math.max(44, textWidth(text, 11) - 20), h: 16 };
    }
  }
  const rName = sc.router.label ?? sc.router.name;
  // Second line: the router's name under its label, else the word "router" in the figure's language.
  const rSub = sc.router.label ? sc.router.name : t(L, 'figure.router');
  const rW = Math.max(textWidth(rName, 14, true), textWidth(rSub, 11)) + 28;
  const rH = 46;
  const sideInfo = ([-1, 1] as const).map((side) => {
    const ss = segs.filter((s) => s.side === side);
    const labelW = Math.max(0, ...ss.map((s) => Math.max(textWidth(s.label, 11, true), textWidth(s.addr, 11))));
    const hubW = Math.max(0, ...ss.map((s) => s.hub?.w ?? 0));
    const hostW = Math.max(0, ...ss.flatMap((s) => s.hosts.map((h) => h.w)));
    const linkLen = Math.max(110, labelW + 24);
    const heights = ss.map((s) => Math.max(1, s.hosts.length) * (HOST_H + GAP) - GAP);
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
  const links: Array<{ a: string; b: string; label?: [string, string] }> = [];

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
        links.push({ a: 'router', b: s.hub.key, label: [s.label, s.addr] });
        hostCol = edge + si.side * (si.linkLen + si.hubW + 50);
      }
      s.hosts.forEach((hst, j) => {
        const hy = y + j * (HOST_H + GAP) + HOST_H / 2;
        boxes.set(hst.key, { x: hostCol + si.side * (si.hostW / 2), y: hy, w: hst.w, h: HOST_H, shape: 'host' });
        if (s.hub) { links.push({ a: s.hub.key, b: hst.key }); upstream.set(hst.key, s.hub.key); } else { links.push({ a: 'router', b: hst.key, label: [s.label, s.addr] }); upstream.set(hst.key, 'router'); }
      });
      y += h + 26;
    });
  }

  const height = cy + bodyH / 2 + 14;
  const d = S.SVG();
  const nodeClass = new Map<string, string>();
  const linkClass = new Map<string, string>();
  links.forEach((l, i) => {
    const cls = `l${i}`;
    linkClass.set(linkKey(l.a, l.b), cls);
    const A = boxes.get(l.a) as Box;
    const B = boxes.get(l.b) as Box;
    const g = d.group().addClass(cls);
    // Links leave the router from its side, hosts are reached at their near side.
    const ax = l.a === 'router' ? A.x + Math.sign(B.x - A.x) * A.w / 2 : A.x + Math.sign(B.x - A.x) * A.w / 2;
    const bx = B.x - Math.sign(B.x - A.x) * B.w / 2;
    g.line(r1(ax), r1(A.y), r1(bx), r1(B.y)).addClass('ln');
    if (l.label) {
      const mx = (ax + bx) / 2;
      const my = (A.y + B.y) / 2;
      g.plain(l.label[0]).attr({ x: r1(mx), y: r1(my - 6), 'text-anchor': 'middle' }).addClass('s b');
      g.plain(l.label[1]).attr({ x: r1(mx), y: r1(my + 15), 'text-anchor': 'middle' }).addClass('s mu');
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
      const w = b.w / 2;
      const h = b.h / 2;
      g.path(`M${r1(b.x - w + 10)} ${r1(b.y + h)}a${r1(h * 0.7)} ${r1(h * 0.7)} 0 0 1 -2 ${r1(-h * 1.1)}a${r1(w * 0.45)} ${r1(h * 0.8)} 0 0 1 ${r1(w * 0.8)} ${r1(-h * 0.7)}a${r1(w * 0.5)} ${r1(h * 0.8)} 0 0 1 ${r1(w * 0.95)} ${r1(h * 0.2)}a${r1(h * 0.7)} ${r1(h * 0.7)} 0 0 1 ${r1(w * 0.05)} ${r1(h * 1.6)}z`).attr('data-box', 1).addClass('cl');
      g.plain(segs.find((s) => s.hub?.key === k)?.hub?.text ?? '').attr({ x: r1(b.x), y: r1(b.y + 5), 'text-anchor': 'middle' }).addClass('s b');
    } else if (b.shape === 'switch') {
      g.rect(r1(b.w), r1(b.h)).attr({ x: x0, y: y0, rx: 3 }).addClass('nd');
      // The subnet goes above the switch: packet arrows cross the box itself.
      g.plain(segs.find((s) => s.hub?.key === k)?.hub?.text ?? '').attr({ x: r1(b.x), y: r1(b.y - b.h / 2 - 5), 'text-anchor': 'middle' }).addClass('s mu');
    } else if (b.shape === 'router') {
      g.rect(r1(b.w), r1(b.h)).attr({ x: x0, y: y0, rx: 8, 'data-box': 1 }).addClass('rt');
      g.plain(rName).attr({ x: r1(b.x), y: r1(b.y - 2), 'text-anchor': 'middle' }).addClass('t');
      g.plain(rSub).attr({ x: r1(b.x), y: r1(b.y + 14), 'text-anchor': 'middle' }).addClass('s mu');
    } else {
      const h = segs.flatMap((s) => s.hosts).find((x) => x.key === k);
      g.rect(r1(b.w), r1(b.h)).attr({ x: x0, y: y0, rx: 4, 'data-box': 1 }).addClass('nd');
      g.plain(h?.l1 ?? k).attr({ x: r1(b.x), y: r1(b.y - 3), 'text-anchor': 'middle' }).addClass('b');
      g.plain(h?.l2 ?? '').attr({ x: r1(b.x), y: r1(b.y + 13), 'text-anchor': 'middle' }).addClass('s mu');
    }
  }
  return { markup: innerMarkup(d as unknown as { node: Element }), width: Math.ceil(width), height: Math.ceil(height), boxes, nodeClass, linkClass, upstream };
}

export type { Container };
