/**
 * An end host: one leg on a router interface's segment, its own routing
 * table, no forwarding (net.ipv4.ip_forward=0), no firewall.
 */
import type { HostSpec } from '../scenario/types';
import type { Engine, Flight, SimNode } from './engine';
import { Fib, RouteResult } from './routing';
import type { Packet } from './packet';
import { TransportStack } from './stack';
import { ip4ToInt } from '../net/addr';
import type { Outcome } from './trace';

export interface ExchangeSink {
  report(outcome: Outcome, errno?: string): void;
  serverSaw(peer: string): void;
  warn(message: string): void;
}

/** What a host did with an ICMP redirect (the receiver's reason in the trace). */
export type RedirectResult = 'redirect-applied' | 'redirect-arp' | 'redirect-rejected' | 'redirect-not-gateway';

export class Host implements SimNode {
  readonly name: string;
  readonly fib: Fib;
  readonly stack: TransportStack;
  private readonly own: Set<string>;
  /**
   * Next-hop exceptions learnt from redirects (fib_nh_exception): destination
   * -> the gateway to use instead of the route's. They outlive this trace
   * (ip_rt_gc_timeout, 300 s).
   */
  private readonly redirected = new Map<string, string>();
  /** Destinations whose first packet on the redirected path was drawn. */
  private readonly shown = new Set<string>();

  constructor(readonly spec: HostSpec, readonly engine: Engine, sink: ExchangeSink) {
    this.name = spec.name;
    this.own = new Set(spec.addresses.map((a) => a.address));
    this.fib = new Fib(new Map([[spec.interface, spec.addresses]]));
    // The scenario parser already refused gateways that are not on link.
    for (const r of spec.routes) this.fib.addRoute(r);
    if (spec.gateway) this.fib.addRoute({ dst: '0.0.0.0/0', via: spec.gateway, text: `default via ${spec.gateway}` });
    const self = this;
    this.stack = new TransportStack({
      name: this.name,
      engine,
      isLocal: (ip) => self.own.has(ip),
      sourceFor: (dst) => self.fib.lookup(dst)?.src,
      isBroadcast: (ip) => self.fib.isBroadcast(ip),
      output: (f) => self.output(f),
      redirect: (from, gateway, about) => self.redirect(from, gateway, about),
      report: (o, errno) => sink.report(o, errno),
      serverSaw: (peer) => sink.serverSaw(peer),
    }, spec.listen);
  }

  ownsAddress(ip: string): boolean {
    return this.own.has(ip);
  }

  /** The route to `dst` with any redirect exception applied (what ip_route_output finds). */
  private route(dst: string): (RouteResult & { redirected?: boolean }) | undefined {
    const r = this.fib.lookup(dst);
    const gw = r && r.kind === 'unicast' ? this.redirected.get(dst) : undefined;
    return r && gw ? { ...r, nextHop: gw, redirected: true } : r;
  }

  output(f: Flight): void {
    const r = this.route(f.pkt.dst);
    if (!r) {
      this.engine.emit(f, { kind: 'drop', node: this.name, reason: 'no-route' });
      return;
    }
    if (r.kind === 'local') { this.engine.schedule(0, () => this.stack.receive(f)); return; }
    if (r.redirected) {
      // The first packet that takes the new path is drawn, a retransmission too: the figures show the change.
      if (!this.shown.has(f.pkt.dst)) { this.shown.add(f.pkt.dst); this.engine.reveal(f, this.name, 'resend'); }
      this.engine.emit(f, { kind: 'route', node: this.name, reason: 'redirected', outIface: r.dev, nextHop: r.nextHop });
    }
    this.engine.transmit(this, f, r.dev as string, r.nextHop as string);
  }

  /**
   * __ip_do_redirect, with Linux's host defaults (accept_redirects=1,
   * shared_media=1, so secure_redirects is not consulted): the redirect must
   * come from the gateway the route to the quoted destination uses, and name
   * another unicast address. The new gateway takes effect only once its
   * neighbour entry is valid; until then the host asks for it (ARP) and keeps
   * its route, so the first redirect about a new gateway changes nothing.
   */
  redirect(from: string, gateway: string | undefined, about: Packet): RedirectResult {
    const r = this.route(about.dst);
    if (!r || r.kind !== 'unicast' || r.nextHop === about.dst || r.nextHop !== from) return 'redirect-not-gateway';
    if (!gateway || gateway === from) return 'redirect-rejected';
    const n = ip4ToInt(gateway);
    if (n === 0 || (n >>> 28) === 14 || this.fib.isBroadcast(gateway) || this.fib.isLocal(gateway)) return 'redirect-rejected';
    const dev = r.dev as string;
    if (!this.engine.knowsNeighbour(this, dev, gateway)) {
      // neigh_event_send: the solicitation's sender is the device address picked for the target.
      this.engine.resolve(this, dev, gateway, this.fib.selectSource(dev, gateway));
      return 'redirect-arp';
    }
    this.redirected.set(about.dst, gateway);
    return 'redirect-applied';
  }

  receive(f: Flight): void {
    // fib_validate_source (accept_local=0): from the wire with one of our own addresses
    // (or a loopback one) as source is a martian; the stack never sees it.
    if (this.own.has(f.pkt.src) || (ip4ToInt(f.pkt.src) >>> 24) === 127) {
      this.engine.emit(f, { kind: 'drop', node: this.name, reason: 'martian-source' });
      return;
    }
    if (!this.own.has(f.pkt.dst)) {
      // ip_forward=0: a host drops what is not addressed to it.
      this.engine.emit(f, { kind: 'drop', node: this.name, reason: 'not-for-me' });
      return;
    }
    this.stack.receive(f);
  }

  linkFailure(f: Flight): void {
    if (this.own.has(f.pkt.src)) this.stack.localLinkFailure(f);
  }
}
