/**
 * The discrete-event core shared by every node: a clock, a FIFO of jobs per
 * instant, the trace being recorded, and layer 2 (who answers ARP for an
 * address on a segment). Nodes (lib/sim/router.ts, lib/sim/host.ts) only talk
 * to each other through `transmit`.
 */
import { clonePacket, Packet } from './packet';
import type { TraceEvent, WirePacket } from './trace';
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
}

export interface SimNode {
  name: string;
  /** Does this node answer ARP for `ip` (Linux: any of its addresses, arp_ignore=0)? */
  ownsAddress(ip: string): boolean;
  receive(f: Flight, iface: string): void;
  /** ARP for the next hop of `f` failed. */
  linkFailure(f: Flight, iface: string, nextHop: string): void;
}

/** Linux: mcast_solicit=3 probes, retrans_time 1 s: the neighbour fails after ~3 s. */
export const ARP_TIMEOUT_MS = 3000;

/** `prio` 1: an application's next step, after everything the network does at that instant. */
interface Job { at: number; prio: number; n: number; run: () => void }

export class Engine {
  now = 0;
  readonly events: TraceEvent[] = [];
  /** Every packet put on a wire, the silent (retransmitted) copies too: what a capture would see. */
  readonly wire: WirePacket[] = [];
  private readonly jobs: Job[] = [];
  private jobSeq = 0;
  private packetSeq = 0;
  /** segment (router interface name) -> nodes on it. */
  readonly segments = new Map<string, SimNode[]>();
  private steps = 0;
  /** Neighbours being resolved: "node iface nextHop" -> packets waiting for the answer. */
  private readonly arpQueues = new Map<string, Flight[]>();

  newFlight(pkt: Packet, silent: boolean): Flight {
    return { id: silent ? -1 : this.packetSeq++, pkt, silent, ttl: 64 };
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
      this.schedule(ARP_TIMEOUT_MS, () => {
        this.arpQueues.delete(key);
        for (const g of queue) {
          this.emit(g, { kind: 'arp-fail', node: from.name, iface, nextHop, reason: 'arp-timeout' });
          from.linkFailure(g, iface, nextHop);
        }
      });
      return;
    }
    this.emit(f, { kind: 'wire', node: from.name, to: to.name, iface, nextHop });
    this.wire.push({ time: this.now, from: from.name, to: to.name, iface, packetId: f.id, ttl: f.ttl, packet: clonePacket(f.pkt) });
    this.schedule(0, () => to.receive(f, iface));
  }
}
