/**
 * Routing tables, as `ip route` keeps them: a local table (the node's own
 * addresses) consulted first, then the main table by longest prefix. Used
 * for the router and for every host.
 */
import { ip4ToInt } from '../net/addr';
import type { InterfaceAddress, Route } from '../scenario/types';

export interface FibEntry {
  net: number;
  prefix: number;
  mask: number;
  /** Outgoing interface (a router interface name; hosts have one: their segment). */
  dev: string;
  /** Gateway; undefined for a connected (link) route. */
  via?: string;
  /** Preferred source address (the kernel's `src`), picked like inet_select_addr. */
  src?: string;
  /** Text for captions ("10.30.9.0/24 dev bridge", "0.0.0.0/0 via 203.0.113.1"). */
  text: string;
}

export interface RouteResult {
  kind: 'local' | 'unicast';
  dev?: string;
  /** The address ARP is asked for: the gateway or the destination itself. */
  nextHop?: string;
  src?: string;
  entry?: FibEntry;
}

function maskOf(prefix: number): number {
  return prefix === 0 ? 0 : (0xffffffff << (32 - prefix)) >>> 0;
}

export class Fib {
  private readonly local = new Set<number>();
  private readonly entries: FibEntry[] = [];

  /** Addresses per device, in order: the first of each subnet is its primary. */
  constructor(private readonly addrsByDev: Map<string, InterfaceAddress[]>) {
    for (const [dev, addrs] of addrsByDev) {
      for (const a of addrs) {
        this.local.add(ip4ToInt(a.address));
        // Only the primary address of a subnet makes a connected route.
        if (!this.entries.some((e) => e.dev === dev && e.prefix === a.prefix && e.net === ip4ToInt(a.network))) {
          this.add({ net: ip4ToInt(a.network), prefix: a.prefix, mask: maskOf(a.prefix), dev, src: a.address, text: `${a.network}/${a.prefix} dev ${dev}` });
        }
      }
    }
  }

  isLocal(ip: string): boolean {
    const n = ip4ToInt(ip);
    return this.local.has(n) || (n >>> 24) === 127;
  }

  private add(e: FibEntry): void {
    this.entries.push(e);
    // Longest prefix first; stable for equal prefixes (first added wins, as with metrics equal).
    this.entries.sort((a, b) => b.prefix - a.prefix);
  }

  /**
   * Add a static route. The gateway must be reachable over a connected route
   * (the kernel refuses `via` an address that is not on-link: "Nexthop has
   * invalid gateway"); returns false when it is not.
   */
  addRoute(r: Route): boolean {
    const [netText, pfx] = r.dst.split('/');
    const prefix = Number(pfx);
    let dev = r.dev;
    if (r.via) {
      const g = ip4ToInt(r.via);
      const link = this.entries.find((e) => e.via === undefined && ((g & e.mask) >>> 0) === e.net && (!dev || e.dev === dev));
      if (!link) return false;
      dev = link.dev;
    }
    if (!dev) return false;
    this.add({ net: ip4ToInt(netText), prefix, mask: maskOf(prefix), dev, via: r.via, src: this.selectSource(dev, r.via), text: r.text });
    return true;
  }

  lookup(dst: string): RouteResult | undefined {
    const n = ip4ToInt(dst);
    // The local table: own addresses are their own preferred source; 127/8 is
    // `local 127.0.0.0/8 dev lo src 127.0.0.1`.
    if ((n >>> 24) === 127) return { kind: 'local', src: '127.0.0.1' };
    if (this.local.has(n)) return { kind: 'local', src: dst };
    // Multicast leaves on the route's device to the group's own L2 address, never to a gateway.
    const multicast = (n >>> 28) === 14;
    for (const e of this.entries) {
      if (((n & e.mask) >>> 0) === e.net) {
        const hop = multicast ? dst : e.via ?? dst;
        return { kind: 'unicast', dev: e.dev, nextHop: hop, src: e.src ?? this.selectSource(e.dev, hop), entry: e };
      }
    }
    return undefined;
  }

  /**
   * inet_select_addr(dev, dst): the first primary address of the device in
   * the same subnet as `dst`, else the device's first address.
   */
  selectSource(dev: string, towards?: string): string | undefined {
    const addrs = this.addrsByDev.get(dev);
    if (!addrs || !addrs.length) return undefined;
    if (towards) {
      const t = ip4ToInt(towards);
      for (const a of addrs) if (((t & maskOf(a.prefix)) >>> 0) === ip4ToInt(a.network)) return a.address;
    }
    return addrs[0].address;
  }

  /** The first address of a device: what REDIRECT uses (indev->ifa_list). */
  primaryAddress(dev: string): string | undefined {
    return this.addrsByDev.get(dev)?.[0]?.address;
  }

  /** Is `ip` the broadcast address of one of this node's subnets? */
  isBroadcast(ip: string): boolean {
    const n = ip4ToInt(ip);
    if (n === 0xffffffff) return true;
    for (const addrs of this.addrsByDev.values()) {
      for (const a of addrs) {
        if (a.prefix < 31 && (((ip4ToInt(a.network) | (~maskOf(a.prefix) >>> 0)) >>> 0) === n)) return true;
      }
    }
    return false;
  }
}
