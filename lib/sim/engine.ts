/**
 * The discrete-event core shared by every node: a clock, a FIFO of jobs per
 * instant, the trace being recorded, and layer 2 (who answers ARP for an
 * address on a segment). Nodes (lib/sim/router.ts, lib/sim/host.ts) only talk
 * to each other through `transmit`.
 */
import { clonePacket, Packet } from './packet';
import type { TraceEvent } from './trace';
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

interface Job { at: number; n: number; run: () => void }

export class Engine {
  now = 0;
  readonly events: TraceEvent[] = [];
  private readonly jobs: Job[] = [];
  private jobSeq = 0;
  private packetSeq = 0;
  /** segment (router interface name) -> nodes on it. */
  readonly segments = new Map<string, SimNode[]>();
  private steps = 0;

  newFlight(pkt: Packet, silent: boolean): Flight {
    return { id: silent ? -1 : this.packetSeq++, pkt, silent, ttl: 64 };
  }

  schedule(delay: number, run: () => void): void {
    this.jobs.push({ at: this.now + delay, n: this.jobSeq++, run });
  }

  /** Run jobs in time order (FIFO within an instant) until none is left. */
  run(limitMs: number): void {
    while (this.jobs.length) {
      let best = 0;
      for (let i = 1; i < this.jobs.length; i++) {
        const a = this.jobs[i]; const b = this.jobs[best];
        if (a.at < b.at || (a.at === b.at && a.n < b.n)) best = i;
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
      this.schedule(ARP_TIMEOUT_MS, () => {
        this.emit(f, { kind: 'arp-fail', node: from.name, iface, nextHop, reason: 'arp-timeout' });
        from.linkFailure(f, iface, nextHop);
      });
      return;
    }
    this.emit(f, { kind: 'wire', node: from.name, to: to.name, iface, nextHop });
    this.schedule(0, () => to.receive(f, iface));
  }
}
