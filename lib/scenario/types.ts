/**
 * The scenario: one small network, its firewall rules and one connection to
 * trace. This is the public contract documented in the README; the YAML
 * parser (./parse.ts) produces it and every later stage reads it.
 */
import type { L4Proto } from '../sim/packet';

/** An address with its prefix, as written ("10.30.9.1/24"). */
export interface InterfaceAddress {
  address: string;
  prefix: number;
  /** Network address of the connected subnet, e.g. "10.30.9.0". */
  network: string;
}

export interface Listener {
  proto: 'tcp' | 'udp';
  port: number;
}

export interface Route {
  /** Destination network in CIDR. */
  dst: string;
  /** Next hop; absent for a device route. */
  via?: string;
  /** Outgoing interface when given with `dev`. */
  dev?: string;
  /** Source text for errors and captions. */
  text: string;
}

export interface RouterInterface {
  name: string;
  addresses: InterfaceAddress[];
  label?: string;
  /** Where the interface was declared (YAML line) for error messages. */
  line?: number;
}

export interface RouterSpec {
  name: string;
  label?: string;
  /** In declaration order. */
  interfaces: RouterInterface[];
  /** RouterOS /interface list: list name -> interface names. */
  interfaceLists: Record<string, string[]>;
  routes: Route[];
  listen: Listener[];
  /** net.ipv4.conf.*.send_redirects; undefined: the kernel's default (on). */
  sendRedirects?: boolean;
}

export interface HostSpec {
  name: string;
  label?: string;
  /** The router interface whose segment this host sits on. */
  interface: string;
  addresses: InterfaceAddress[];
  gateway?: string;
  routes: Route[];
  listen: Listener[];
  line?: number;
}

export type RuleDialect = 'routeros' | 'iptables' | 'nftables';

export interface RuleText {
  dialect: RuleDialect;
  text: string;
  /** YAML line of the first line of `text` (1-based, in the scenario file). */
  line: number;
}

export interface TraceSpec {
  /** A host name, or "router" for a connection the router itself opens. */
  from: string;
  to: { ip: string; port: number };
  proto: Exclude<L4Proto, 'icmp'>;
  sport: number;
}

export interface Scenario {
  router: RouterSpec;
  /** In declaration order. */
  hosts: HostSpec[];
  rules: RuleText;
  trace: TraceSpec;
  /** Free-text title for figures. */
  title?: string;
  /** File name the scenario came from, for error messages. */
  file?: string;
}
