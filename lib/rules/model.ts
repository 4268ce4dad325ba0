/**
 * The neutral rule model. Every dialect (iptables, RouterOS, nftables) parses
 * into this; the simulator only ever sees this. It is netfilter's own shape:
 * tables (namespaces) of chains of rules, each rule a list of match instances
 * and one target, each match/target a small module registered in ./registry.ts
 * (as iptables' libxt_*.c extensions are). Base chains hang on a hook at a
 * priority, of type filter or nat (nf_hook_ops); iptables' and RouterOS's
 * tables are base chains at fixed priorities (see attachTableHooks).
 */
import type { Packet } from '../sim/packet';
import type { RuleDialect } from '../scenario/types';

/** The tables both iptables and RouterOS (its firewall sections) fill. */
export type TableName = 'raw' | 'nat' | 'filter';
/** Every iptables table netfilter has hooks for. */
export type IptablesTable = 'mangle' | TableName;
export type Hook = 'PREROUTING' | 'INPUT' | 'FORWARD' | 'OUTPUT' | 'POSTROUTING';
export const HOOKS: Hook[] = ['PREROUTING', 'INPUT', 'FORWARD', 'OUTPUT', 'POSTROUTING'];
export const BUILTIN_CHAINS: Record<IptablesTable, Hook[]> = {
  raw: ['PREROUTING', 'OUTPUT'],
  mangle: ['PREROUTING', 'INPUT', 'FORWARD', 'OUTPUT', 'POSTROUTING'],
  nat: ['PREROUTING', 'INPUT', 'OUTPUT', 'POSTROUTING'],
  filter: ['INPUT', 'FORWARD', 'OUTPUT'],
};

/**
 * What a base chain does with packets: filter chains see every packet; nat
 * chains are called by the NAT core (at its own priority, see NAT_PRIORITY)
 * for a connection's first packet only, in priority order among themselves.
 */
export type ChainType = 'filter' | 'nat';

/** Where a base chain hangs (nft's `type T hook H priority P`). */
export interface BaseChainSpec {
  hook: Hook;
  priority: number;
  type: ChainType;
  /**
   * nft netdev ingress: the chain sees only packets arriving on this device,
   * before anything of the IPv4 path (kept as a PREROUTING chain below every priority).
   */
  device?: string;
}

/** netfilter's priorities (enum nf_ip_hook_priorities), nft's named priorities. */
export const PRIORITY = {
  raw: -300,
  conntrack: -200,
  mangle: -150,
  dstnat: -100,
  filter: 0,
  security: 50,
  srcnat: 100,
} as const;

/**
 * The NAT core's own hook priority (nf_nat_ipv4_ops): nat chains run from
 * there, whatever priority they were declared with.
 */
export const NAT_PRIORITY: Partial<Record<Hook, number>> = {
  PREROUTING: PRIORITY.dstnat,
  OUTPUT: PRIORITY.dstnat,
  INPUT: PRIORITY.srcnat,
  POSTROUTING: PRIORITY.srcnat,
};

/** Conntrack's own hooks: lookup at -200 where packets enter (PREROUTING, OUTPUT). */
export const CONNTRACK_PRIORITY: Partial<Record<Hook, number>> = {
  PREROUTING: PRIORITY.conntrack,
  OUTPUT: PRIORITY.conntrack,
};

/** iptables' tables as base chains: their fixed priorities and chain types. */
export function tableBaseChain(table: IptablesTable, hook: Hook): BaseChainSpec {
  switch (table) {
    case 'raw': return { hook, priority: PRIORITY.raw, type: 'filter' };
    case 'mangle': return { hook, priority: PRIORITY.mangle, type: 'filter' };
    case 'nat': return { hook, priority: NAT_PRIORITY[hook] as number, type: 'nat' };
    default: return { hook, priority: PRIORITY.filter, type: 'filter' };
  }
}

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
  /** Key of its table in Ruleset.tables. */
  table: string;
  chain: string;
  matches: MatchInstance[];
  target: TargetInstance;
  comment?: string;
  source: RuleSource;
}

export interface Chain {
  /** Key of its table in Ruleset.tables (iptables "nat"; nft "ip nat", family and name). */
  table: string;
  name: string;
  /** A base chain (iptables' built-in chains, nft chains with a hook). */
  builtin: boolean;
  /** Only base chains have a policy. */
  policy?: 'ACCEPT' | 'DROP';
  rules: Rule[];
  /** Name shown to readers (RouterOS chain name); defaults to `name`. */
  displayName?: string;
  /** Where a base chain hangs; set for every chain in Ruleset.hooks. */
  base?: BaseChainSpec;
  /** nft: the base chain's declaration as written ("type nat hook prerouting priority dstnat"). */
  declared?: string;
}

export interface RuleWarning {
  message: string;
  line?: number;
}

export interface Ruleset {
  dialect: RuleDialect;
  /** Table key -> chain name -> chain. Jumps stay inside a table. */
  tables: Record<string, Record<string, Chain>>;
  /**
   * Base chains per hook in the order netfilter runs them (priority, then load
   * order). Set by parseRules (attachTableHooks for iptables and RouterOS).
   */
  hooks?: Partial<Record<Hook, Chain[]>>;
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
  /** Key of the table whose chain is running. */
  table: string;
  /** Type of the base chain being walked. */
  chainType: ChainType;
  /** Interfaces as the kernel knows them at this hook (undefined where the hook has none). */
  inIface?: string;
  outIface?: string;
  ct: CtView;
  /** The router's view of an address (-m addrtype, dst-address-type). */
  addrType(ip: string, limitIface?: string): AddrType;
  /**
   * NOTRACK / CT --notrack: mark the packet untracked (conntrack then skips it,
   * and the NAT core with it). The kernel does so only for a packet that has no
   * conntrack reference yet (xt_ct_target: `if (skb->_nfct != 0) return
   * XT_CONTINUE`): false when nothing changed.
   */
  notrack(): boolean;
  /** The interface the router's routes send `ip` out of ('lo' for its own addresses); undefined: no route (nft fib ... oif). */
  routeDev?(ip: string): string | undefined;
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
  /** Non-terminating (LOG, NOTRACK, RouterOS passthrough=yes, comment-only). */
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

// ---------------------------------------------------------------------------
// Hooks.

/**
 * iptables' and RouterOS's tables as netfilter registers them: every built-in
 * chain of a known table becomes a base chain at its table's fixed priority.
 * Load order within one priority follows the table order given (the kernel
 * puts a later registration after earlier ones of the same priority).
 */
export function attachTableHooks(rs: Ruleset): Ruleset {
  const chains: Chain[] = [];
  for (const table of ['raw', 'mangle', 'nat', 'filter'] as IptablesTable[]) {
    const t = rs.tables[table];
    if (!t) continue;
    for (const hook of BUILTIN_CHAINS[table]) {
      const c = t[hook];
      if (!c || !c.builtin) continue;
      c.base = tableBaseChain(table, hook);
      chains.push(c);
    }
  }
  rs.hooks = hooksOf(chains);
  return rs;
}

/** Base chains grouped per hook, each list in priority order (stable: ties keep load order). */
export function hooksOf(baseChains: Chain[]): Partial<Record<Hook, Chain[]>> {
  const out: Partial<Record<Hook, Chain[]>> = {};
  for (const hook of HOOKS) {
    const at = baseChains.filter((c) => c.base?.hook === hook);
    if (at.length) out[hook] = at.map((c, i) => ({ c, i })).sort((a, b) => (a.c.base as BaseChainSpec).priority - (b.c.base as BaseChainSpec).priority || a.i - b.i).map((x) => x.c);
  }
  return out;
}

/** The base chains at a hook, in the order netfilter runs them. */
export function baseChainsAt(rs: Ruleset, hook: Hook): Chain[] {
  if (!rs.hooks) throw new Error('internal: ruleset without hooks (parse it with parseRules)');
  return rs.hooks[hook] ?? [];
}
