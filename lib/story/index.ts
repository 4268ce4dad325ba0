/**
 * From the simulator's events to the steps a reader sees. A step is one
 * packet crossing one link (with what the receiver does with it), or the
 * router changing or dropping a packet without sending it yet, and finally
 * the outcome as the client application sees it. Every step carries the data
 * its figure and caption need, so the renderer never re-reads the trace.
 */
import type { SimResult } from '../index';
import type { Packet } from '../sim/packet';
import type { TraceEvent, RuleRef, Outcome, Trace } from '../sim/trace';
import type { Hook } from '../rules/model';
import { resolveLang, Lang } from './i18n';
import { stepCaption, stepTitle } from './caption';

/** 'local': the router takes the packet itself (a service on the router) without rewriting it. */
export type StepKind = 'hop' | 'rewrite' | 'local' | 'drop' | 'outcome';
export type Mark = 'drop' | 'rst' | 'icmp' | 'ok';
export type Field = 'src' | 'sport' | 'dst' | 'dport';

/** The link a packet crosses: from a node to a node over the segment of a router interface. */
export interface StoryLink {
  from: string;
  /** Receiving node; undefined when nobody answered ARP (the packet dies on the segment). */
  to?: string;
  /** Router interface whose segment is crossed. */
  iface: string;
  /** 'router' when the router sends or receives it, 'direct' for host-to-host on one segment. */
  via: 'router' | 'direct';
  /** Nodes and segments in order: ["web", "segment:bridge", "pc"]. */
  path: string[];
  /** Layer-2 next hop the sender addressed. */
  nextHop?: string;
}

export interface Rewrite {
  field: Field;
  old: string | number;
  new: string | number;
  hook?: Hook;
  /** 'rule': a NAT rule bound the connection now; 'conntrack': an existing entry's mapping. */
  by: 'rule' | 'conntrack';
  /** The NAT target (DNAT, MASQUERADE...) when a rule did it. */
  target?: string;
  rule?: RuleRef;
  dir?: 'original' | 'reply';
  /** The kernel draws this port at random (SNAT/MASQUERADE to a range, --random): shown is one possible value. */
  randomPort?: boolean;
}

/** What the receiving stack did with the packet. */
export interface Receiver {
  node: string;
  result: string;
  reason: string;
}

export interface StepOutcome {
  outcome: Outcome;
  /** errno of the client call (ETIMEDOUT, ECONNREFUSED...). */
  errno?: string;
  /** Simulated ms from the first packet to the result. */
  time: number;
  reason?: string;
  /** SYN retransmissions and their spacing ("after 1, 2, 4 s"). */
  retransmits: number;
  retransmitDetail?: string;
  server_saw: string | null;
  conntrack: string[];
  /** Packets after the client got its result (ACK, data, FIN), not drawn one by one. */
  morePackets: number;
}

/**
 * A socket sends the step's packet again: copies the figure does not draw,
 * told in its caption. Times are ms after the packet's first copy went on its
 * first link, of the copies that went on that link too.
 */
export interface Resends {
  /** The sender. */
  node: string;
  reason: string;
  /** The copies' times up to RESENDS_LISTED_MS. */
  after: number[];
  /** More copies come later than that. */
  more: boolean;
  /** Every copy answered a copy of what this packet answered (a SYN-ACK to each resent SYN). */
  answers: boolean;
  /** The copy (by its time in `after`) the peer acknowledged, when it did. */
  ackedAfter?: number;
}

/** Copies are listed up to this long after the first: what the kernel harness holds the model to. */
export const RESENDS_LISTED_MS = 10000;

export interface StoryStep {
  /** 1-based position among the figure steps. */
  index: number;
  kind: StepKind;
  /** Where it happens: the sender for a hop, the router for a rewrite or drop, the client for the outcome. */
  node: string;
  /** Which packet of the exchange (simulator packet id), -1 for the outcome. */
  packetId: number;
  /** The packet as it is at the end of this step (on the wire for a hop). */
  packet: Packet;
  /** The packet as it was when the step began, when the step rewrote it. */
  before?: Packet;
  link?: StoryLink;
  rewrites: Rewrite[];
  mark?: Mark;
  /** Node (or "segment:IFACE") where the mark is drawn. */
  markAt?: string;
  /** The rule that acted in this step (NAT rule first, else the filter verdict). */
  rule?: RuleRef;
  /** Every rule that gave a verdict in this step, in order, with its verdict. */
  rules: Array<{ rule: RuleRef; verdict: string; hook?: Hook; table?: string; chainType?: string }>;
  /** Why the sender sent it ('connect', 'syn-ack', 'reject-tcp-reset'...). */
  sendReason?: string;
  /** Router routing facts of this step. */
  route?: { reason: string; outIface?: string; nextHop?: string; text?: string };
  /** Router conntrack state as -m conntrack saw it. */
  ctState?: string;
  receiver?: Receiver;
  /** Drop facts: reason key and where. */
  drop?: { node: string; reason: string; hook?: Hook };
  /** The packet is for the router itself (REDIRECT, a service on the router). */
  local?: boolean;
  outcome?: StepOutcome;
  /** The packet's copies, on its last step. */
  resends?: Resends;
  /** Seqs of the trace events this step groups. */
  events: number[];
  title: string;
  caption: string;
}

export interface Story {
  lang: Lang;
  client: string;
  /** Node that accepted or received the connection, when one did. */
  server?: string;
  outcome: Outcome;
  steps: StoryStep[];
}

const CLIENT_RESULTS = new Set(['connected', 'refused', 'unreachable', 'timeout', 'received']);

function diffFields(before: Packet, after: Packet, changed?: Field[]): Field[] {
  const all: Field[] = ['src', 'sport', 'dst', 'dport'];
  return (changed && changed.length ? changed : all).filter((f) => before[f] !== after[f]);
}

interface Draft extends Omit<StoryStep, 'index' | 'title' | 'caption'> {}

function newDraft(kind: StepKind, node: string, e: TraceEvent): Draft {
  return { kind, node, packetId: e.packetId, packet: e.packet, rewrites: [], rules: [], events: [] };
}

/** Group one packet's events (in trace order) into steps. */
function packetSteps(evs: TraceEvent[], out: Draft[]): void {
  let cur: Draft | null = null;
  const close = (): void => {
    const c = cur as Draft | null;
    cur = null;
    if (!c || !c.events.length) return;
    if (c.kind === 'hop' && !c.link) {
      // Router work that sent nothing on: the router took it, or it belongs to the step before.
      if (c.local || c.receiver) { c.kind = 'local'; c.node = c.receiver?.node ?? c.node; }
      else if (out.length) { const prev = out[out.length - 1]; prev.events.push(...c.events); prev.rules.push(...c.rules); return; }
      else c.kind = 'drop';
    }
    out.push(c);
  };
  const last = (): Draft | undefined => cur ?? out[out.length - 1];
  for (const e of evs) {
    switch (e.kind) {
      case 'send':
        close();
        cur = newDraft('hop', e.node, e);
        cur.sendReason = e.reason;
        break;
      case 'wire': {
        if (!cur) cur = newDraft('hop', e.node, e);
        cur.kind = 'hop';
        cur.node = e.node;
        cur.packet = e.packet;
        const to = e.to ?? '';
        const via = e.node === 'router' || to === 'router' ? 'router' : 'direct';
        cur.link = { from: e.node, to, iface: e.iface ?? '', via, path: [e.node, `segment:${e.iface ?? ''}`, to], nextHop: e.nextHop };
        cur.events.push(e.seq);
        close();
        break;
      }
      case 'deliver': {
        const target = last();
        if (!target) break;
        target.receiver = { node: e.node, result: e.result ?? '', reason: e.reason ?? '' };
        target.events.push(e.seq);
        break;
      }
      case 'conntrack':
      case 'chain':
      case 'nat':
      case 'route': {
        if (e.kind === 'route' && e.reason === 'local') {
          // For the router itself: belongs to the step that brought it here.
          const target = last();
          if (target) { target.local = true; target.events.push(e.seq); }
          break;
        }
        if (!cur) { cur = newDraft('hop', e.node, e); }
        cur.events.push(e.seq);
        if (e.kind === 'conntrack') cur.ctState = e.ctState;
        if (e.kind === 'route') cur.route = { reason: e.reason ?? '', outIface: e.outIface, nextHop: e.nextHop, text: e.detail };
        if (e.kind === 'chain' && e.rule) cur.rules.push({ rule: e.rule, verdict: e.verdict ?? '', hook: e.hook, table: e.table, chainType: e.chainType });
        if (e.kind === 'nat' && e.before) {
          if (!cur.before) cur.before = e.before;
          for (const f of diffFields(e.before, e.packet, e.changed)) {
            cur.rewrites.push({ field: f, old: e.before[f], new: e.packet[f], hook: e.hook, by: e.natBy ?? 'conntrack', target: e.verdict, rule: e.rule, dir: e.dir, randomPort: e.reason === 'random-port' && (f === 'sport' || f === 'dport') });
          }
          cur.packet = e.packet;
          if (e.rule && !cur.rule) cur.rule = e.rule;
          // A destination rewrite on the way in is a step of its own (the seed's step 2).
          if (e.hook === 'PREROUTING' || e.hook === 'OUTPUT') {
            cur.kind = 'rewrite';
            cur.node = e.node;
            close();
          }
        }
        break;
      }
      case 'arp-fail':
      case 'drop': {
        if (!cur) cur = newDraft('drop', e.node, e);
        cur.kind = 'drop';
        cur.node = e.node;
        cur.packet = e.packet;
        cur.events.push(e.seq);
        cur.drop = { node: e.node, reason: e.kind === 'arp-fail' ? 'arp-fail' : e.reason ?? '', hook: e.hook };
        if (e.rule) {
          const same = cur.rules.find((r) => r.rule.table === e.rule!.table && r.rule.chain === e.rule!.chain && r.rule.number === e.rule!.number);
          cur.rule = same ? same.rule : e.rule;
          if (!same) cur.rules.push({ rule: e.rule, verdict: 'DROP', hook: e.hook });
        }
        if (e.kind === 'arp-fail') {
          const iface = e.iface ?? cur.route?.outIface ?? '';
          cur.link = { from: e.node, iface, via: 'router', path: [e.node, `segment:${iface}`], nextHop: e.nextHop };
          if (cur.route) cur.route.nextHop = e.nextHop ?? cur.route.nextHop;
        }
        // The drop event follows arp-fail; keep them in one step.
        if (e.kind === 'drop') close();
        break;
      }
      default:
        break;
    }
  }
  close();
}

function markOf(s: Draft): void {
  if (s.kind === 'drop') { s.mark = 'drop'; s.markAt = s.link && !s.link.to ? s.link.path[1] : s.node; return; }
  const p = s.packet;
  const at = s.receiver?.node ?? s.link?.to ?? s.node;
  if (p.proto === 'icmp' && p.icmp && p.icmp.type === 3) { s.mark = 'icmp'; s.markAt = at; return; }
  if (p.flags?.rst) { s.mark = 'rst'; s.markAt = at; return; }
  const r = s.receiver?.result;
  if (r === 'reset') { s.mark = 'rst'; s.markAt = at; return; }
  if (r === 'unreachable') { s.mark = 'icmp'; s.markAt = at; return; }
  if (r === 'ignored') { s.mark = 'drop'; s.markAt = at; return; }
  if (r === 'listening' || r === 'connected' || r === 'accepted' || r === 'received') { s.mark = 'ok'; s.markAt = at; }
}

/**
 * The copies a socket sent of a drawn packet (its 'retransmit' event), told on
 * the packet's last step; the client's SYN copies are the outcome's.
 */
function tellResends(trace: Trace, drafts: Draft[]): void {
  const lastStep = new Map<number, Draft>();
  for (const d of drafts) lastStep.set(d.packetId, d);
  for (const ev of trace.steps) {
    if (ev.kind !== 'retransmit' || ev.reason === 'syn-retransmit') continue;
    const step = lastStep.get(ev.packetId);
    const first = trace.wire.find((w) => w.packetId === ev.packetId);
    if (!step || !first) continue;
    const copies = trace.wire.filter((w) => w.copyOf === ev.packetId && w.from === first.from && w.iface === first.iface).map((w) => w.time - first.time);
    if (!copies.length) continue;
    const r: Resends = { node: first.from, reason: ev.reason ?? '', after: copies.filter((t) => t <= RESENDS_LISTED_MS), more: copies.some((t) => t > RESENDS_LISTED_MS), answers: !!ev.answers };
    if (ev.ackedAt !== undefined) {
      const acked = copies.filter((t) => t + first.time <= ev.ackedAt!).pop();
      if (acked !== undefined && acked <= RESENDS_LISTED_MS) r.ackedAfter = acked;
    }
    step.resends = r;
  }
}

export function buildStory(sim: SimResult, lang: string): Story {
  const L = resolveLang(lang);
  const { scenario, trace } = sim;
  const client = scenario.trace.from;
  const evs = trace.steps;
  let cut = evs.findIndex((e) => e.kind === 'app' && e.node === client && CLIENT_RESULTS.has(e.result ?? ''));
  if (cut < 0) cut = evs.length - 1;

  // Packets drawn one by one: those sent before the client got its result, and all of
  // them when something after it is dropped (connect() succeeded, yet the exchange breaks).
  const drawUntil = evs.some((e, i) => i > cut && e.kind === 'drop') ? evs.length - 1 : cut;
  const order: number[] = [];
  const byPacket = new Map<number, TraceEvent[]>();
  const later = new Set<number>();
  for (let i = 0; i < evs.length; i++) {
    const e = evs[i];
    if (e.packetId < 0 || e.kind === 'app' || e.kind === 'retransmit') continue;
    if (i > drawUntil && !byPacket.has(e.packetId)) { later.add(e.packetId); continue; }
    if (!byPacket.has(e.packetId)) { byPacket.set(e.packetId, []); order.push(e.packetId); }
    byPacket.get(e.packetId)!.push(e);
  }
  const drafts: Draft[] = [];
  for (const id of order) packetSteps(byPacket.get(id)!, drafts);
  for (const d of drafts) markOf(d);
  tellResends(trace, drafts);

  // The outcome: the client's result, retransmissions, what the server saw.
  const appEv = evs[cut] && evs[cut].kind === 'app' ? evs[cut] : undefined;
  const retr = evs.find((e) => e.kind === 'retransmit' && e.reason === 'syn-retransmit' && e.node === client);
  const first = drafts[0];
  const outcomePacket: Packet = appEv?.packet ?? first?.packet ?? {
    proto: scenario.trace.proto, src: '0.0.0.0', dst: scenario.trace.to.ip, sport: scenario.trace.sport, dport: scenario.trace.to.port,
  };
  const outDraft: Draft = {
    kind: 'outcome', node: client, packetId: -1, packet: outcomePacket, rewrites: [], rules: [], events: [],
    outcome: {
      outcome: trace.outcome, errno: appEv?.detail, time: appEv?.time ?? 0, reason: appEv?.reason,
      retransmits: retr?.count ?? 0, retransmitDetail: retr?.detail,
      server_saw: trace.server_saw, conntrack: trace.conntrack, morePackets: later.size,
    },
  };
  for (const e of evs) if ((e.kind === 'app' || e.kind === 'retransmit') && e.seq <= (appEv?.seq ?? Infinity)) outDraft.events.push(e.seq);
  outDraft.mark = trace.outcome === 'established' ? 'ok' : trace.outcome === 'timeout' ? 'drop' : trace.outcome === 'refused' ? 'rst' : 'icmp';
  outDraft.markAt = client;
  drafts.push(outDraft);

  const serverEv = evs.find((e) => e.kind === 'app' && (e.result === 'accepted' || (e.result === 'received' && e.node !== client)));
  const story: Story = { lang: L, client, server: serverEv?.node, outcome: trace.outcome, steps: [] };
  story.steps = drafts.map((d, i) => {
    const step: StoryStep = { ...d, index: i + 1, title: '', caption: '' };
    return step;
  });
  for (const s of story.steps) {
    s.title = stepTitle(L, s, sim);
    s.caption = stepCaption(L, s, sim, story);
  }
  return story;
}

export { resolveLang } from './i18n';
export type { Lang } from './i18n';
