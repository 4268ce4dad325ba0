/**
 * An end host: one leg on a router interface's segment, its own routing
 * table, no forwarding (net.ipv4.ip_forward=0), no firewall.
 */
import type { HostSpec } from '../scenario/types';
import type { Engine, Flight, SimNode } from './engine';
import { Fib } from './routing';
import { TransportStack } from './stack';
import { ip4ToInt } from '../net/addr';
import type { Outcome } from './trace';

export interface ExchangeSink {
  report(outcome: Outcome, errno?: string): void;
  serverSaw(peer: string): void;
  warn(message: string): void;
}

export class Host implements SimNode {
  readonly name: string;
  readonly fib: Fib;
  readonly stack: TransportStack;
  private readonly own: Set<string>;

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
      report: (o, errno) => sink.report(o, errno),
      serverSaw: (peer) => sink.serverSaw(peer),
    }, spec.listen);
  }

  ownsAddress(ip: string): boolean {
    return this.own.has(ip);
  }

  output(f: Flight): void {
    const r = this.fib.lookup(f.pkt.dst);
    if (!r) {
      this.engine.emit(f, { kind: 'drop', node: this.name, reason: 'no-route' });
      return;
    }
    if (r.kind === 'local') { this.engine.schedule(0, () => this.stack.receive(f)); return; }
    this.engine.transmit(this, f, r.dev as string, r.nextHop as string);
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
