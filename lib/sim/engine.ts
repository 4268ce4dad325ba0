/**
 * The discrete-event core shared by every node: a clock, a FIFO of jobs per
 * instant, the trace being recorded, and layer 2 (who answers ARP for an
 * address on a segment). Nodes (lib/sim/router.ts, lib/sim/host.ts) only talk
 * to each other through `transmit`.
 */
import { clonePacket, Packet } from './packet';
import type { ArpRequest, TraceEvent, WirePacket } from './trace';
import type { ConnEntry, Dir } from './conntrack';

/** A packet in flight, with the exchange-wide id the story groups by. */
export interface Flight {
  id: number;
  pkt: Packet;
  /** Retransmitted copies walk the network without being recorded. */
  silent: boolean;
  ttl: number;
  /** The conntrack entry the packet carries after the router (skb->_nfct). */
  ct?: { entry: ConnEntry; dir: Dir };
  /** Sent by the router's own stack (not forwarded): its errors go back to a local socket. */
  local?: boolean;
  /** A silent copy a socket sent again (its timer, or the answer to a copy): the drawn packet's id. */
  copyOf?: number;
}

export interface SimNode {
  name: string;
  /** Does this node answer ARP for `ip` (Linux: any of its addresses, arp_ignore=0)? */
  ownsAddress(ip: string): boolean;
  receive(f: Flight, iface: string): void;
  /** ARP for the next hop of `f` failed. */
  linkFailure(f: Flight, iface: string, nextHop: string): void;
  /** The router: its own devices are the segments, so a frame is on the wire as it sends it. */
  sendsOnSegment?: boolean;
}

/** Linux: mcast_solicit=3 probes, retrans_time 1 s: the neighbour fails after ~3 s. */
export const ARP_TIMEOUT_MS = 3000;
const ARP_PROBES = 3;

/**
 * `prio` 1: an application's next step, after everything the network does at that instant;
 * -1: a frame arriving, handled before the instant's other timers.
 */
interface Job { at: number; prio: number; n: number; run: () => void }

export class Engine {
  now = 0;
  readonly events: TraceEvent[] = [];
  /** Every packet put on a wire, the silent (retransmitted) copies too: what a capture would see. */
  readonly wire: WirePacket[] = [];
  /** ARP requests no one answers, as they go out (the wire's frames besides IPv4). */
  readonly arpRequests: ArpRequest[] = [];
  private readonly jobs: Job[] = [];
  private jobSeq = 0;
  private packetSeq = 0;
  /** segment (router interface name) -> nodes on it. */
  readonly segments = new Map<string, SimNode[]>();
  private steps = 0;
  /** Neighbours being resolved: "node iface nextHop" -> packets waiting for the answer. */
  private readonly arpQueues = new Map<string, Flight[]>();
  /** What each node's neighbour table holds as valid (REACHABLE or STALE): "node iface" -> addresses. */
  private readonly neighbours = new Map<string, Set<string>>();

  /** A valid neighbour entry for `ip` on `iface` of `node` (NUD_VALID)? */
  knowsNeighbour(node: SimNode, iface: string, ip: string): boolean {
    return this.neighbours.get(`${node.name} ${iface}`)?.has(ip) ?? false;
  }

  private learn(node: SimNode, iface: string, ip: string | undefined): void {
    if (ip === undefined) return;
    const k = `${node.name} ${iface}`;
    let set = this.neighbours.get(k);
    if (!set) this.neighbours.set(k, (set = new Set()));
    set.add(ip);
  }

  /**
   * `from` asks the segment of `iface` who has `ip` (arp_solicit, sender
   * address `senderIp`). Whoever owns it answers, and both ends learn the
   * other (arp_process creates an entry for a request's sender). Returns
   * whether an answer came. The exchange takes microseconds: it is complete
   * before anything the trace times happens next.
   */
  resolve(from: SimNode, iface: string, ip: string, senderIp: string | undefined): boolean {
    const to = (this.segments.get(iface) ?? []).find((n) => n !== from && n.ownsAddress(ip));
    if (!to) return false;
    this.learn(from, iface, ip);
    this.learn(to, iface, senderIp);
    return true;
  }

  newFlight(pkt: Packet, silent: boolean, copyOf?: number): Flight {
    const f: Flight = { id: silent ? -1 : this.packetSeq++, pkt, silent, ttl: 64 };
    if (silent && copyOf !== undefined && copyOf >= 0) f.copyOf = copyOf;
    return f;
  }

  /**
   * A retransmitted copy (not drawn) that takes a new path from here on: drawn
   * after all, as a packet of its own, with what it causes.
   */
  reveal(f: Flight, node: string, reason: string): void {
    if (!f.silent) return;
    f.silent = false;
    f.copyOf = undefined;
    f.id = this.packetSeq++;
    this.emit(f, { kind: 'send', node, reason });
  }

  schedule(delay: number, run: () => void): void {
    this.jobs.push({ at: this.now + delay, prio: 0, n: this.jobSeq++, run });
  }

  /**
   * An application's next system call (close() after send()): the kernel
   * finishes the softirq work the previous call queued (delivery, ACKs on a
   * veth) before the process runs again.
   */
  afterNetwork(run: () => void): void {
    this.jobs.push({ at: this.now, prio: 1, n: this.jobSeq++, run });
  }

  /** Run jobs in time order (FIFO within an instant) until none is left. */
  run(limitMs: number): void {
    while (this.jobs.length) {
      let best = 0;
      for (let i = 1; i < this.jobs.length; i++) {
        const a = this.jobs[i]; const b = this.jobs[best];
        if (a.at < b.at || (a.at === b.at && (a.prio < b.prio || (a.prio === b.prio && a.n < b.n)))) best = i;
      }
      const job = this.jobs.splice(best, 1)[0];
      if (job.at > limitMs) break;
      this.now = job.at;
      // A packet storm would be a bug in a model, not a trace worth drawing.
      if (++this.steps > 100000) throw new Error('internal: simulation did not settle');
      job.run();
    }
  }

  emit(f: Flight | undefined, ev: Omit<TraceEvent, 'seq' | 'time' | 'packetId' | 'packet'> & { packet?: Packet }): TraceEvent | undefined {
    if (f?.silent) return undefined;
    const full = {
      seq: this.events.length,
      time: this.now,
      packetId: f ? f.id : -1,
      ...ev,
      packet: clonePacket(ev.packet ?? (f as Flight).pkt),
    } as TraceEvent;
    this.events.push(full);
    return full;
  }

  /**
   * An event about a drawn packet told while one of its silent copies is about
   * (a socket resending it): recorded under the drawn packet's id.
   */
  emitAbout(packetId: number, ev: Omit<TraceEvent, 'seq' | 'time' | 'packetId'>): TraceEvent {
    const full = { seq: this.events.length, time: this.now, packetId, ...ev, packet: clonePacket(ev.packet) } as TraceEvent;
    this.events.push(full);
    return full;
  }

  /** When a flight's ARP resolution failed in `node`'s own neighbour queue (neigh_invalidate). */
  private readonly arpFailed = new WeakMap<Flight, { node: string; at: number }>();
  arpFailedAt(node: string, f: Flight): number | undefined {
    const x = this.arpFailed.get(f);
    return x && x.node === node ? x.at : undefined;
  }

  /** Is `f` waiting in one of `node`'s neighbours' arp_queue (its next hop not resolved yet)? */
  inArpQueue(node: string, f: Flight): boolean {
    for (const [key, q] of this.arpQueues) if (key.startsWith(`${node} `) && q.includes(f)) return true;
    return false;
  }

  /** Put `f` on the segment of `iface` towards `nextHop`, from `from`. */
  transmit(from: SimNode, f: Flight, iface: string, nextHop: string): void {
    const nodes = this.segments.get(iface) ?? [];
    const to = nodes.find((n) => n !== from && n.ownsAddress(nextHop));
    if (!to) {
      // The packet waits in the neighbour's arp_queue; when the resolution fails, every
      // packet queued on it fails at once (neigh_invalidate), and the next one starts anew.
      const key = `${from.name} ${iface} ${nextHop}`;
      const waiting = this.arpQueues.get(key);
      if (waiting) { waiting.push(f); return; }
      const queue = [f];
      this.arpQueues.set(key, queue);
      for (let i = 0; i < ARP_PROBES; i++) this.arpRequests.push({ time: this.now + (i * ARP_TIMEOUT_MS) / ARP_PROBES, node: from.name, iface, target: nextHop });
      this.schedule(ARP_TIMEOUT_MS, () => {
        this.arpQueues.delete(key);
        for (const g of queue) {
          this.arpFailed.set(g, { node: from.name, at: this.now });
          this.emit(g, { kind: 'arp-fail', node: from.name, iface, nextHop, reason: 'arp-timeout' });
          from.linkFailure(g, iface, nextHop);
        }
      });
      return;
    }
    // The ARP exchange this frame needed (or had needed): both ends hold an entry now.
    this.learn(from, iface, nextHop);
    if (from.ownsAddress(f.pkt.src)) this.learn(to, iface, f.pkt.src);
    const onWire = (): void => {
      this.emit(f, { kind: 'wire', node: from.name, to: to.name, iface, nextHop });
      const w: WirePacket = { time: this.now, from: from.name, to: to.name, iface, packetId: f.id, ttl: f.ttl, packet: clonePacket(f.pkt) };
      if (f.copyOf !== undefined) w.copyOf = f.copyOf;
      this.wire.push(w);
    };
    // The router's frames are seen as it sends them; a host's only when the bridge takes them
    // from its veth, in the receive softirq: after what the sender's timers queued before it.
    if (from.sendsOnSegment) { onWire(); this.schedule(0, () => to.receive(f, iface)); return; }
    this.schedule(0, () => { onWire(); to.receive(f, iface); });
  }
}
