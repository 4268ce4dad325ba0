/**
 * The neutral rule model. Both dialects (iptables, RouterOS) parse into this;
 * the simulator only ever sees this. It mirrors iptables' own structure: tables
 * of chains of rules, each rule a list of match instances and one target, each
 * match/target implemented by a small module registered in ./registry.ts (as
 * iptables' libxt_*.c extensions are).
 */
import type { Packet } from '../sim/packet';
import type { RuleDialect } from '../scenario/types';

export type TableName = 'nat' | 'filter';
export type Hook = 'PREROUTING' | 'INPUT' | 'FORWARD' | 'OUTPUT' | 'POSTROUTING';
export const BUILTIN_CHAINS: Record<TableName, Hook[]> = {
  nat: ['PREROUTING', 'INPUT', 'OUTPUT', 'POSTROUTING'],
  filter: ['INPUT', 'FORWARD', 'OUTPUT'],
};

/** Where a rule came from, for captions, rule tables and error messages. */
export interface RuleSource {
  dialect: RuleDialect;
  /** The rule as the author wrote it (one logical line, continuations joined). */
  text: string;
  /** 1-based line of the rule in the rules text (add the YAML offset for the file line). */
  line: number;
  /** Position in its chain, 1-based (iptables -L --line-numbers). */
  number: number;
  /** RouterOS `print` number within its section (0-based); absent for iptables. */
  rosNumber?: number;
  /** The chain name as the author wrote it (RouterOS "dstnat" for nat PREROUTING). */
  chainDisplay: string;
}

/** One match instance: module name, its parsed options, and `!` negation. */
export interface MatchInstance<O = unknown> {
  module: string;
  opts: O;
}

export interface TargetInstance<O = unknown> {
  module: string;
  opts: O;
}

export interface Rule {
  table: TableName;
  chain: string;
  matches: MatchInstance[];
  target: TargetInstance;
  comment?: string;
  source: RuleSource;
}

export interface Chain {
  table: TableName;
  name: string;
  builtin: boolean;
  /** Only built-in chains have a policy. */
  policy?: 'ACCEPT' | 'DROP';
  rules: Rule[];
  /** Name shown to readers (RouterOS chain name); defaults to `name`. */
  displayName?: string;
}

export interface RuleWarning {
  message: string;
  line?: number;
}

export interface Ruleset {
  dialect: RuleDialect;
  tables: Record<TableName, Record<string, Chain>>;
  /** RouterOS /ip firewall address-list (name -> address, CIDR or range strings). */
  addressLists: Record<string, string[]>;
  warnings: RuleWarning[];
  /** Router settings written among the rules (RouterOS /ip settings). */
  settings?: RouterSettings;
}

/** IP settings of the router that change what it sends. */
export interface RouterSettings {
  /** RouterOS /ip settings send-redirects (Linux net.ipv4.conf.*.send_redirects). */
  sendRedirects?: boolean;
}

// ---------------------------------------------------------------------------
// What modules see when they run.

export type CtState = 'NEW' | 'ESTABLISHED' | 'RELATED' | 'INVALID' | 'UNTRACKED';

/** The conntrack facts a match may test (-m conntrack / -m state / connection-*). */
export interface CtView {
  state: CtState;
  /** Direction of this packet relative to the entry. */
  dir: 'ORIGINAL' | 'REPLY';
  /** --ctstatus */
  status: { expected: boolean; seenReply: boolean; assured: boolean; confirmed: boolean };
  /** The entry's NAT: does the reply tuple differ from the inverted original? */
  dnat: boolean;
  snat: boolean;
  origSrc?: string;
  origDst?: string;
  replSrc?: string;
  replDst?: string;
  origSport?: number;
  origDport?: number;
  replSport?: number;
  replDport?: number;
}

export type AddrType = 'LOCAL' | 'UNICAST' | 'BROADCAST' | 'MULTICAST' | 'UNSPEC' | 'BLACKHOLE' | 'UNREACHABLE' | 'PROHIBIT';

export interface MatchContext {
  packet: Packet;
  hook: Hook;
  table: TableName;
  /** Interfaces as the kernel knows them at this hook (undefined where the hook has none). */
  inIface?: string;
  outIface?: string;
  ct: CtView;
  /** The router's view of an address (-m addrtype, dst-address-type). */
  addrType(ip: string, limitIface?: string): AddrType;
  /** RouterOS address lists (already expanded by the parser, name -> entries). */
  addressLists: Record<string, string[]>;
  /** RouterOS interface lists (from the scenario). */
  interfaceLists: Record<string, string[]>;
}

export interface MatchModule<O = any> {
  /** Registry key, e.g. "addrtype" (iptables' -m name where there is one). */
  name: string;
  match(opts: O, ctx: MatchContext): boolean;
  /** Interfaces named by this match (for the "unknown interface" warning). */
  interfaces?(opts: O): string[];
  /** iptables-save text of this match, used to load RouterOS rules into the real kernel. */
  toIptables(opts: O): string;
}

/** A NAT mapping a target asks for; the NAT core (lib/sim/nat.ts) picks the tuple. */
export interface NatRange {
  manip: 'src' | 'dst';
  /** Address range to map to; undefined: keep the address (port-only DNAT/SNAT). */
  minIp?: string;
  maxIp?: string;
  /** Port range; undefined: keep the port if the tuple is free. */
  minPort?: number;
  maxPort?: number;
  random?: boolean;
  persistent?: boolean;
  /** NETMAP: map the address 1:1 keeping host bits under this prefix. */
  netmapPrefix?: number;
}

export type TargetResult =
  | { verdict: 'ACCEPT' }
  | { verdict: 'DROP' }
  | { verdict: 'REJECT'; with: string }
  | { verdict: 'RETURN' }
  /** Non-terminating (LOG, RouterOS passthrough=yes, comment-only). */
  | { verdict: 'CONTINUE'; note?: string }
  | { verdict: 'JUMP'; chain: string }
  | { verdict: 'GOTO'; chain: string }
  /** Terminating NAT binding (DNAT, SNAT, MASQUERADE, REDIRECT, NETMAP). */
  | { verdict: 'NAT'; nat: NatRange; kind: string };

export interface TargetContext extends MatchContext {
  /**
   * The router's primary address on an interface, as the kernel picks it:
   * MASQUERADE uses the out interface's address for the next hop, REDIRECT the
   * in interface's primary address. Undefined when the interface has none.
   */
  ifaceAddress(iface: string, towards?: string): string | undefined;
}

export interface TargetModule<O = any> {
  name: string;
  /** Tables/hooks the target is valid in (iptables refuses others). */
  tables?: TableName[];
  hooks?: Hook[];
  run(opts: O, ctx: TargetContext): TargetResult;
  toIptables(opts: O): string;
}
