/**
 * Option shapes of every match and target module. Both dialect parsers build
 * these; the modules in ./matches and ./targets evaluate them. Keeping the
 * shapes in one file is what lets RouterOS be a front end to the same model.
 *
 * Conventions: addresses are dotted IPv4 strings, networks are "a.b.c.d/n"
 * (a bare address is written "/32"), port ranges are inclusive [min, max],
 * `invert` is iptables' `!` / RouterOS's `!` prefix.
 */
import type { AddrType } from './model';

export interface Inverted { invert: boolean }
export interface CidrSpec extends Inverted { cidr: string }
export interface IfaceSpec extends Inverted {
  /** Interface name; a trailing "+" is iptables' prefix wildcard. */
  name: string;
}
export interface PortSpec extends Inverted { min: number; max: number }

/** 'ip': the fields every iptables rule has (struct ipt_ip): -s -d -p -i -o. */
export interface IpMatchOpts {
  src?: CidrSpec;
  dst?: CidrSpec;
  /** 'tcp' | 'udp' | 'icmp' | 'all', or a number as a string. */
  proto?: Inverted & { proto: string };
  inIface?: IfaceSpec;
  outIface?: IfaceSpec;
}

/** 'tcp' and 'udp': --sport/--dport (and for tcp --tcp-flags/--syn). */
export interface PortMatchOpts {
  sport?: PortSpec;
  dport?: PortSpec;
  /** --tcp-flags MASK COMP; --syn is SYN,RST,ACK,FIN SYN. */
  tcpFlags?: Inverted & { mask: string[]; comp: string[] };
}

/** 'icmp': --icmp-type. */
export interface IcmpMatchOpts extends Inverted { type: number; code?: number; name?: string }

/** 'multiport': --sports/--dports/--ports with lists of ranges. */
export interface MultiportMatchOpts extends Inverted {
  dir: 'src' | 'dst' | 'any';
  ports: Array<[number, number]>;
}

/** 'addrtype': --src-type/--dst-type and --limit-iface-in/out. */
export interface AddrtypeMatchOpts {
  src?: Inverted & { types: AddrType[] };
  dst?: Inverted & { types: AddrType[] };
  limitIfaceIn?: boolean;
  limitIfaceOut?: boolean;
}

/** 'conntrack': --ctstate (NEW ESTABLISHED RELATED INVALID UNTRACKED SNAT DNAT) and --ctstatus. */
export interface ConntrackMatchOpts {
  ctstate?: Inverted & { states: string[] };
  ctstatus?: Inverted & { statuses: string[] };
  ctorigsrc?: CidrSpec;
  ctorigdst?: CidrSpec;
  ctreplsrc?: CidrSpec;
  ctrepldst?: CidrSpec;
  ctproto?: Inverted & { proto: string };
}

/** 'state': the old --state match. */
export interface StateMatchOpts extends Inverted { states: string[] }

/** 'iprange': --src-range/--dst-range. */
export interface IprangeMatchOpts {
  src?: Inverted & { min: string; max: string };
  dst?: Inverted & { min: string; max: string };
}

/** 'comment' never matches anything; it carries the text. */
export interface CommentMatchOpts { comment: string }

/** 'addrlist': RouterOS src-address-list/dst-address-list (iptables has ipset for this). */
export interface AddrListMatchOpts extends Inverted { dir: 'src' | 'dst'; list: string }

/** 'ifacelist': RouterOS in-interface-list/out-interface-list. */
export interface IfaceListMatchOpts extends Inverted { dir: 'in' | 'out'; list: string }

// --- targets --------------------------------------------------------------

/** 'ACCEPT' 'DROP' 'RETURN' take no options. */
export type NoOpts = Record<string, never>;

/** 'REJECT': iptables default icmp-port-unreachable; RouterOS default icmp-network-unreachable. */
export interface RejectTargetOpts { with: string }

/** 'LOG': RouterOS action=log (log-prefix=) and iptables -j LOG --log-prefix. */
export interface LogTargetOpts { prefix?: string }

/** 'jump' / 'goto': a user chain. */
export interface JumpTargetOpts { chain: string }

/** 'DNAT' / 'SNAT': --to-destination / --to-source [ipmin[-ipmax]][:port[-port]]. */
export interface NatToTargetOpts {
  minIp?: string;
  maxIp?: string;
  minPort?: number;
  maxPort?: number;
  random?: boolean;
  persistent?: boolean;
}

/** 'MASQUERADE' / 'REDIRECT': --to-ports, --random. */
export interface PortsTargetOpts { minPort?: number; maxPort?: number; random?: boolean }

/** 'NETMAP': --to a.b.c.d/n (direction from the chain: PREROUTING/OUTPUT dst, POSTROUTING/INPUT src). */
export interface NetmapTargetOpts { to: string }

/** 'PASSTHROUGH': RouterOS passthrough action (count and continue). */
export type PassthroughTargetOpts = NoOpts;
