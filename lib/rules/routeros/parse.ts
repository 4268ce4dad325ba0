/**
 * RouterOS `/ip firewall` text -> the neutral rule model.
 *
 * RouterOS's firewall is netfilter: `/ip firewall filter` is the filter table
 * (chains input, forward, output), `/ip firewall nat` the nat table (dstnat is
 * hooked at PREROUTING and at OUTPUT, srcnat at POSTROUTING), custom chains are
 * user chains. Every property becomes the match/target instance iptables would
 * use for it, so the same rules can be loaded into a real kernel through the
 * iptables serializer and give the same answer as the simulator.
 */
import type {
  Chain, Hook, MatchInstance, Rule, RuleWarning, Ruleset, TableName, TargetInstance, AddrType,
} from '../model';
import type {
  IpMatchOpts, IfaceSpec, PortMatchOpts, IcmpMatchOpts, MultiportMatchOpts, AddrtypeMatchOpts,
  ConntrackMatchOpts, IprangeMatchOpts, AddrListMatchOpts, IfaceListMatchOpts, RejectTargetOpts,
  LogTargetOpts, JumpTargetOpts, NatToTargetOpts, PortsTargetOpts, NetmapTargetOpts, CidrSpec, PortSpec,
} from '../opts';
import { NatTraceError, suggest } from '../../errors';
import type { RouterSettings } from '../model';
import { BUILTIN_CHAINS } from '../model';
import type { NotrackTargetOpts } from '../targets/notrack';
import { dict, own } from '../../dict';
import { logicalLines, words, lineError, LogicalLine, Word } from './lex';
import { ALL_SECTIONS, sectionKind } from './sections';
import { checkJumps } from '../jumps';
import { parseAddr, parsePortList, parsePortRange, parseProtocol, rangeToCidr, AddrValue, PROTOCOLS } from './values';

/** The model plus the rules RouterOS keeps but never runs (shown greyed in rule tables). */
export interface RouterOSRuleset extends Ruleset {
  /**
   * Rules with disabled=yes (and rules that can never match, such as
   * ipsec-policy=in,ipsec), in section print order. They are in no chain;
   * their source.number is 0 and source.rosNumber is their print number.
   */
  disabled: Rule[];
}

type Section = 'raw' | 'nat' | 'filter';

/** RouterOS chain -> the netfilter hooks it is attached to. */
const BUILTIN: Record<Section, Record<string, Hook[]>> = {
  // input and output are RouterOS v7's nat chains for the router's own traffic.
  nat: dict<Hook[]>({ dstnat: ['PREROUTING', 'OUTPUT'], srcnat: ['POSTROUTING'], input: ['INPUT'], output: ['OUTPUT'] }),
  filter: dict<Hook[]>({ input: ['INPUT'], forward: ['FORWARD'], output: ['OUTPUT'] }),
  // /ip firewall raw: before connection tracking, where packets enter and where the router's own leave.
  raw: dict<Hook[]>({ prerouting: ['PREROUTING'], output: ['OUTPUT'] }),
};
/** The RouterOS name shown for each netfilter built-in chain. */
const DISPLAY: Record<Section, Partial<Record<Hook, string>>> = {
  nat: { PREROUTING: 'dstnat', INPUT: 'input', OUTPUT: 'dstnat', POSTROUTING: 'srcnat' },
  filter: { INPUT: 'input', FORWARD: 'forward', OUTPUT: 'output' },
  raw: { PREROUTING: 'prerouting', OUTPUT: 'output' },
};

/** Properties nat-trace simulates (the suggestion list for typos). */
const RULE_PROPS = [
  'chain', 'action', 'comment', 'disabled', 'place-before',
  'src-address', 'dst-address', 'src-address-list', 'dst-address-list', 'protocol',
  'src-port', 'dst-port', 'port', 'in-interface', 'out-interface', 'in-interface-list', 'out-interface-list',
  'src-address-type', 'dst-address-type', 'connection-state', 'connection-nat-state', 'icmp-options', 'tcp-flags',
  'ipsec-policy', 'to-addresses', 'to-ports', 'reject-with', 'jump-target', 'log', 'log-prefix', 'hw-offload',
];
/** Real RouterOS properties whose effect nat-trace does not simulate: refused by name. */
const UNSUPPORTED_PROPS = [
  'address-list', 'address-list-timeout', 'connection-bytes', 'connection-limit', 'connection-mark',
  'connection-rate', 'connection-type', 'content', 'dscp', 'dst-limit', 'fragment', 'hotspot', 'in-bridge-port',
  'in-bridge-port-list', 'ingress-priority', 'ipv4-options', 'layer7-protocol', 'limit', 'nth', 'out-bridge-port',
  'out-bridge-port-list', 'p2p', 'packet-mark', 'packet-size', 'per-connection-classifier', 'priority', 'psd',
  'random', 'routing-mark', 'routing-table', 'src-mac-address', 'tcp-mss', 'time', 'tls-host', 'ttl',
  'randomise-ports', 'socks-servers', 'socksify-service',
];
const LIST_PROPS = ['list', 'address', 'comment', 'disabled', 'timeout'];

/** Properties whose value is free text, where a leading ! is just a character. */
const FREE_TEXT = new Set(['comment', 'log-prefix', 'tcp-flags']);

/** Matchers RouterOS lets you negate with a leading `!`. */
const NEGATABLE = new Set([
  'src-address', 'dst-address', 'src-address-list', 'dst-address-list', 'protocol', 'src-port', 'dst-port', 'port',
  'in-interface', 'out-interface', 'in-interface-list', 'out-interface-list', 'src-address-type', 'dst-address-type',
  'connection-state', 'connection-nat-state', 'icmp-options',
]);

const NAT_ACTIONS = ['accept', 'dst-nat', 'src-nat', 'masquerade', 'redirect', 'netmap', 'jump', 'return', 'passthrough', 'log'];
const FILTER_ACTIONS = ['accept', 'drop', 'reject', 'jump', 'return', 'passthrough', 'log', 'fasttrack-connection'];
const RAW_ACTIONS = ['accept', 'drop', 'notrack', 'jump', 'return', 'passthrough', 'log'];
const SECTION_ACTIONS: Record<Section, string[]> = { nat: NAT_ACTIONS, filter: FILTER_ACTIONS, raw: RAW_ACTIONS };
/** What each section's chain= takes, for the error that names none. */
const CHAIN_HINT: Record<Section, string> = { nat: 'chain=dstnat or chain=srcnat', filter: 'chain=input, forward or output', raw: 'chain=prerouting or output' };
/** Matchers that read conntrack: the raw table runs before it and has none. */
const CONNTRACK_PROPS = ['connection-state', 'connection-nat-state'];
const UNSUPPORTED_ACTIONS = ['add-src-to-address-list', 'add-dst-to-address-list', 'same', 'endpoint-independent-nat', 'tarpit'];

/** RouterOS reject-with -> the iptables REJECT name (what the REJECT module and iptables-restore take). */
const REJECT_WITH: Record<string, string> = dict({
  'icmp-network-unreachable': 'icmp-net-unreachable',
  'icmp-host-unreachable': 'icmp-host-unreachable',
  'icmp-port-unreachable': 'icmp-port-unreachable',
  'icmp-protocol-unreachable': 'icmp-proto-unreachable',
  'icmp-net-prohibited': 'icmp-net-prohibited',
  'icmp-host-prohibited': 'icmp-host-prohibited',
  'icmp-admin-prohibited': 'icmp-admin-prohibited',
  'tcp-reset': 'tcp-reset',
});
/** RouterOS answers a reject without reject-with by ICMP network unreachable. */
export const ROUTEROS_DEFAULT_REJECT = 'icmp-net-unreachable';

const ADDR_TYPES: Record<string, AddrType> = dict({
  local: 'LOCAL', unicast: 'UNICAST', broadcast: 'BROADCAST', multicast: 'MULTICAST',
  blackhole: 'BLACKHOLE', prohibit: 'PROHIBIT', unreachable: 'UNREACHABLE',
});
const CT_STATES = ['established', 'related', 'new', 'invalid', 'untracked'];
const NAT_STATES: Record<string, string> = dict({ srcnat: 'SNAT', dstnat: 'DNAT' });
const TCP_FLAGS = ['fin', 'syn', 'rst', 'psh', 'ack', 'urg', 'ece', 'cwr'];

/** Targets a user chain may not be named after (iptables refuses such chains). */
const TARGET_NAMES = new Set(['NOTRACK', 'CT', 'ACCEPT', 'DROP', 'REJECT', 'RETURN', 'LOG', 'DNAT', 'SNAT', 'MASQUERADE', 'REDIRECT', 'NETMAP', 'QUEUE', 'NFQUEUE', 'MARK', 'CONNMARK', 'TRACE']);
/** XT_EXTENSION_MAXNAMELEN - 1: the longest chain name the kernel takes. */
const MAX_CHAIN_NAME = 28;

/** nat targets and the hooks the kernel allows them at (checked through jumps, as the kernel does). */
const NAT_TARGET_HOOKS: Record<string, { hooks: Hook[]; where: string; action: string }> = dict({
  DNAT: { hooks: ['PREROUTING', 'OUTPUT'], where: 'dstnat or output', action: 'dst-nat' },
  REDIRECT: { hooks: ['PREROUTING', 'OUTPUT'], where: 'dstnat or output', action: 'redirect' },
  SNAT: { hooks: ['POSTROUTING', 'INPUT'], where: 'srcnat or input', action: 'src-nat' },
  MASQUERADE: { hooks: ['POSTROUTING'], where: 'srcnat', action: 'masquerade' },
});

/** One parsed `add` of /ip firewall nat|filter, before it is placed into chains. */
interface RosRule {
  section: Section;
  chain: string;
  ll: LogicalLine;
  text: string;
  disabled: boolean;
  /** Why a rule that is not disabled never runs (ipsec-policy=...,ipsec). */
  neverMatches?: string;
  comment?: string;
  ip: IpMatchOpts;
  /** Match instances after 'ip', in iptables order; interface-list matches are filtered per hook. */
  others: MatchInstance[];
  target: TargetInstance;
  action: string;
  /** Offset of the chain= value, for placement errors. */
  chainOffset?: number;
  actionOffset?: number;
  /** Offset of the jump-target= value. */
  jumpOffset?: number;
  placeBefore?: { n: number; offset: number };
}

function isInOnly(m: MatchInstance): boolean {
  return m.module === 'ifacelist' && (m.opts as IfaceListMatchOpts).dir === 'in';
}
function isOutOnly(m: MatchInstance): boolean {
  return m.module === 'ifacelist' && (m.opts as IfaceListMatchOpts).dir === 'out';
}

/**
 * The rule's matches as they stand at a hook. At a hook without an in (out)
 * interface the kernel compares `-i` (`-o`) with the empty name: a positive
 * interface match never matches there and a negated one always does. Returns
 * null when the rule can never match at the hook; undefined hook = user chain.
 */
function matchesAt(r: RosRule, hook: Hook | undefined): MatchInstance[] | null {
  const noIn = hook === 'OUTPUT' || hook === 'POSTROUTING';
  const noOut = hook === 'PREROUTING' || hook === 'INPUT';
  const ip: IpMatchOpts = { ...r.ip };
  const others: MatchInstance[] = [];
  if (noIn && ip.inIface) { if (!ip.inIface.invert) return null; delete ip.inIface; }
  if (noOut && ip.outIface) { if (!ip.outIface.invert) return null; delete ip.outIface; }
  for (const m of r.others) {
    if ((noIn && isInOnly(m)) || (noOut && isOutOnly(m))) {
      if (!(m.opts as IfaceListMatchOpts).invert) return null;
      continue;
    }
    others.push(m);
  }
  const out: MatchInstance[] = [];
  if (Object.keys(ip).length) out.push({ module: 'ip', opts: ip });
  return out.concat(others);
}

// ---------------------------------------------------------------------------

class Parser {
  private section: Section | 'address-list' | 'settings' | 'ignored' | undefined;
  /** /ip settings the simulator models (send-redirects). */
  private readonly settings: RouterSettings = {};
  private sectionName = '';
  private readonly lists: Record<Section, RosRule[]> = { raw: [], nat: [], filter: [] };
  private readonly addressLists = new Map<string, string[]>();
  private readonly warnings: RuleWarning[] = [];
  private readonly warnedSections = new Set<string>();

  constructor(private readonly text: string) {}

  run(): RouterOSRuleset {
    for (const ll of logicalLines(this.text)) this.line(ll);
    return this.build();
  }

  private warn(message: string, line?: number): void {
    if (!this.warnings.some((w) => w.message === message && w.line === line)) this.warnings.push({ message, line });
  }

  // --- sections and commands -------------------------------------------------

  private line(ll: LogicalLine): void {
    const ws = words(ll);
    if (!ws.length) return;
    let i = 0;
    const first = ws[0];
    if (first.name.startsWith(':')) {
      throw lineError(ll, first.start, 'RouterOS scripting commands are not supported', { token: first.name, expected: 'a /ip firewall section and add lines' });
    }
    if (first.name.startsWith('/') && first.value === undefined) {
      const path: string[] = [];
      while (i < ws.length && ws[i].value === undefined && !COMMANDS.has(ws[i].name)) {
        path.push(...ws[i].name.split('/').filter(Boolean));
        i++;
      }
      const before = { section: this.section, name: this.sectionName };
      this.enterSection(ll, path, first);
      if (i >= ws.length) return;
      // `/path add ...` runs in that menu without moving the console there (RouterOS semantics).
      try {
        this.command(ll, ws, i);
      } finally {
        this.section = before.section;
        this.sectionName = before.name;
      }
      return;
    }
    this.command(ll, ws, i);
  }

  private command(ll: LogicalLine, ws: Word[], i: number): void {
    const cmd = ws[i];
    if (this.section === 'ignored') return;
    if (this.section === 'settings') { this.setting(ll, ws, i); return; }
    if (this.section === undefined) {
      throw lineError(ll, cmd.start, 'a command before any section header', { token: cmd.name, expected: '/ip firewall nat, /ip firewall filter or /ip firewall address-list first' });
    }
    if (cmd.value !== undefined || !COMMANDS.has(cmd.name)) {
      const tok = cmd.value !== undefined ? `${cmd.name}=` : cmd.name;
      throw lineError(ll, cmd.start, `expected a command in ${this.sectionName}`, { token: tok, expected: 'add', suggestion: suggest(cmd.name, ['add']) });
    }
    if (cmd.name !== 'add') {
      throw lineError(ll, cmd.start, `only "add" is supported in ${this.sectionName} (write the rules as /export prints them)`, { token: cmd.name, expected: 'add' });
    }
    const props = ws.slice(i + 1);
    if (this.section === 'address-list') this.addListEntry(ll, props);
    else this.addRule(ll, this.section, props);
  }

  private enterSection(ll: LogicalLine, path: string[], first: Word): void {
    const p = path.join(' ');
    this.sectionName = '/' + p;
    if (p === 'ip firewall nat') { this.section = 'nat'; return; }
    if (p === 'ip firewall filter') { this.section = 'filter'; return; }
    if (p === 'ip firewall raw') { this.section = 'raw'; return; }
    if (p === 'ip firewall address-list') { this.section = 'address-list'; return; }
    if (p === 'ip settings') { this.section = 'settings'; return; }
    if (p === '') { this.section = undefined; return; } // `/` alone: back to the root menu
    const kind = sectionKind(p);
    if (kind === 'refused') {
      throw lineError(ll, first.start, `section /${p} is not simulated (nat-trace models /ip firewall raw, nat and filter)`, { token: '/' + p, expected: '/ip firewall raw, /ip firewall nat, /ip firewall filter or /ip firewall address-list' });
    }
    if (kind === 'unknown') {
      // A typo would drop its rules silently and change the outcome: an error, with the nearest real menu.
      const near = suggest(p, ALL_SECTIONS);
      throw lineError(ll, first.start, `unknown section /${p}`, {
        token: '/' + p, expected: 'a RouterOS menu such as /ip firewall nat, /ip firewall filter or /ip firewall address-list',
        suggestion: near ? '/' + near : undefined,
      });
    }
    this.section = 'ignored';
    if (!this.warnedSections.has(p)) {
      this.warnedSections.add(p);
      const why = path[0] === 'interface' || p.startsWith('ip address') || p.startsWith('ip route')
        ? 'the scenario\'s router: block (interfaces, interface_lists, routes) describes the router'
        : 'nat-trace reads only /ip firewall nat, filter and address-list';
      this.warn(`section /${p} is not simulated and its lines are ignored: ${why}`, ll.line);
    }
  }

  // --- /ip firewall address-list ---------------------------------------------

  private addListEntry(ll: LogicalLine, props: Word[]): void {
    const got = this.collect(ll, props, LIST_PROPS, []);
    const list = got.get('list');
    const address = got.get('address');
    if (!list || !list.value) throw lineError(ll, props[0]?.start, 'an address-list entry needs list=', { token: 'add', expected: 'list=NAME address=ADDRESS' });
    if (!address || !address.value) throw lineError(ll, list.start, 'an address-list entry needs address=', { token: 'add', expected: 'list=NAME address=ADDRESS' });
    const a = parseAddr(address.value);
    if (typeof a === 'string') {
      const dns = /[a-z]/i.test(address.value) && !address.value.includes('/');
      throw lineError(ll, address.valueStart, dns ? 'DNS names in address lists are not resolved by nat-trace' : 'bad address-list address', { token: address.value, expected: dns ? 'an IPv4 address, network or range' : a });
    }
    if (this.flag(ll, got.get('disabled'))) return;
    const entry = a.kind === 'range' ? `${a.min}-${a.max}` : a.cidr.endsWith('/32') ? a.cidr.slice(0, -3) : a.cidr;
    let entries = this.addressLists.get(list.value);
    if (!entries) this.addressLists.set(list.value, (entries = []));
    if (!entries.includes(entry)) entries.push(entry);
  }

  // --- /ip firewall nat|filter add -------------------------------------------

  /** name=value words -> map, refusing unknown, unsupported and repeated properties. */
  private collect(ll: LogicalLine, props: Word[], known: string[], unsupported: string[]): Map<string, Word> {
    const got = new Map<string, Word>();
    for (const w of props) {
      if (w.value === undefined) {
        throw lineError(ll, w.start, `expected name=value in ${this.sectionName}`, { token: w.name, expected: 'name=value', suggestion: suggest(w.name, known) });
      }
      if (unsupported.includes(w.name)) {
        throw lineError(ll, w.start, `property ${w.name} is not simulated by nat-trace`, { token: w.name, expected: 'one of ' + known.join(', ') });
      }
      if (!known.includes(w.name)) {
        throw lineError(ll, w.start, `unknown property ${w.name} in ${this.sectionName}`, { token: w.name, expected: 'a RouterOS property such as ' + known.slice(0, 6).join(', '), suggestion: suggest(w.name, known) });
      }
      if (got.has(w.name)) throw lineError(ll, w.start, `property ${w.name} is given twice`, { token: w.name, expected: 'each property once' });
      got.set(w.name, w);
    }
    return got;
  }

  /** `/ip settings set send-redirects=no`: the one IP setting that changes what the router sends. */
  private setting(ll: LogicalLine, ws: Word[], i: number): void {
    const cmd = ws[i];
    if (cmd.value !== undefined || cmd.name !== 'set') {
      throw lineError(ll, cmd.start, 'expected "set" in /ip settings', { token: cmd.value !== undefined ? `${cmd.name}=` : cmd.name, expected: 'set send-redirects=yes|no' });
    }
    for (const w of ws.slice(i + 1)) {
      if (w.name === 'send-redirects') this.settings.sendRedirects = this.flag(ll, w);
      else if (!this.warnedSections.has(`ip settings ${w.name}`)) {
        this.warnedSections.add(`ip settings ${w.name}`);
        this.warn(`/ip settings ${w.name} is ignored: nat-trace models only send-redirects there`, ll.line);
      }
    }
  }

  private flag(ll: LogicalLine, w: Word | undefined): boolean {
    if (!w) return false;
    if (w.value === 'yes' || w.value === 'true') return true;
    if (w.value === 'no' || w.value === 'false') return false;
    throw lineError(ll, w.valueStart, `${w.name} takes yes or no`, { token: w.value, expected: 'yes or no' });
  }

  private addRule(ll: LogicalLine, section: Section, props: Word[]): void {
    const got = this.collect(ll, props, RULE_PROPS, UNSUPPORTED_PROPS);
    const err = (w: Word, message: string, expected: string, suggestion?: string): NatTraceError =>
      lineError(ll, w.valueStart ?? w.start, message, { token: `${w.name}=${w.value}`, expected, suggestion });

    /** The value with its `!` split off, refusing `!` where RouterOS does. */
    const val = (name: string): { v: string; invert: boolean; w: Word } | undefined => {
      const w = got.get(name);
      if (!w) return undefined;
      let v = w.value!;
      let invert = false;
      if (v.startsWith('!') && NEGATABLE.has(name)) { invert = true; v = v.slice(1); }
      // tcp-flags negates flag by flag (`syn,!ack`), its first flag too (`!syn`: SYN not set).
      else if (v.startsWith('!') && name !== 'tcp-flags') throw err(w, `${name} cannot be negated`, 'a value without !');
      if (v === '') throw err(w, `${name} needs a value`, 'a value after =');
      return { v, invert, w };
    };

    for (const [name, w] of got) {
      if (w.value!.startsWith('!') && !w.quoted && !NEGATABLE.has(name) && !FREE_TEXT.has(name)) throw err(w, `${name} cannot be negated`, 'a value without !');
    }

    const chainW = got.get('chain');
    if (!chainW || !chainW.value) {
      throw lineError(ll, props[0]?.start ?? 0, 'a firewall rule needs chain=', { token: 'add', expected: CHAIN_HINT[section] });
    }
    const chain = chainW.value;
    this.checkChainName(ll, chainW, chain, section);

    const disabled = this.flag(ll, got.get('disabled'));
    if (this.flag(ll, got.get('log'))) {
      throw lineError(ll, got.get('log')!.start, 'log=yes is not simulated; write a separate action=log rule before this one', { token: 'log=yes', expected: 'log=no' });
    }

    // --- matchers
    const ip: IpMatchOpts = {};
    const others: MatchInstance[] = [];
    let iprange: IprangeMatchOpts | undefined;

    for (const dir of ['src', 'dst'] as const) {
      const a = val(`${dir}-address`);
      if (!a) continue;
      const parsed: AddrValue | string = parseAddr(a.v);
      if (typeof parsed === 'string') throw err(a.w, `bad ${dir}-address`, parsed);
      if (parsed.kind === 'cidr') ip[dir] = { cidr: parsed.cidr, invert: a.invert } as CidrSpec;
      else (iprange ??= {})[dir] = { min: parsed.min, max: parsed.max, invert: a.invert };
    }

    let proto: string | undefined;
    let protoInverted = false;
    const p = val('protocol');
    if (p) {
      const r = parseProtocol(p.v);
      if (typeof r !== 'string') throw err(p.w, 'unknown protocol', r.error, suggest(p.v, Object.keys(PROTOCOLS)));
      ip.proto = { proto: r, invert: p.invert };
      proto = r; protoInverted = p.invert;
    }
    /** What ports, icmp-options, tcp-flags and to-ports need: a positive tcp/udp (icmp) protocol. */
    const needProto = (w: Word, allowed: string[], what: string): string => {
      if (!proto || protoInverted || !allowed.includes(proto)) {
        throw lineError(ll, w.start, `${what} can be set only with ${allowed.map((a) => 'protocol=' + a).join(' or ')}`, {
          token: `${w.name}=${w.value}`, expected: `protocol=${allowed.join(' or protocol=')} in the same rule`,
        });
      }
      return proto;
    };

    for (const dir of ['in', 'out'] as const) {
      const f = val(`${dir}-interface`);
      if (f) {
        if (/\s/.test(f.v)) throw err(f.w, 'an interface name cannot contain spaces', 'an interface name such as ether1');
        (dir === 'in' ? (ip.inIface = { name: f.v, invert: f.invert } as IfaceSpec) : (ip.outIface = { name: f.v, invert: f.invert } as IfaceSpec));
      }
    }

    // tcp/udp ports: a single port or range uses the protocol's own match, lists use multiport.
    const portOpts: PortMatchOpts = {};
    const multiports: MatchInstance[] = [];
    for (const [prop, dir] of [['src-port', 'src'], ['dst-port', 'dst'], ['port', 'any']] as const) {
      const pv = val(prop);
      if (!pv) continue;
      needProto(pv.w, ['tcp', 'udp'], prop);
      const list = parsePortList(pv.v);
      if (typeof list === 'string') throw err(pv.w, `bad ${prop}`, list);
      if (list.length === 1 && dir !== 'any') {
        const spec: PortSpec = { min: list[0][0], max: list[0][1], invert: pv.invert };
        if (dir === 'src') portOpts.sport = spec; else portOpts.dport = spec;
      } else {
        const slots = list.reduce((n, [a, b]) => n + (a === b ? 1 : 2), 0);
        if (slots > 15) throw err(pv.w, `${prop} lists more than 15 ports (a range counts twice); the kernel's multiport match takes at most 15`, 'at most 15 ports');
        multiports.push({ module: 'multiport', opts: { dir, ports: list, invert: pv.invert } as MultiportMatchOpts });
      }
    }
    const flags = val('tcp-flags');
    if (flags) {
      needProto(flags.w, ['tcp'], 'tcp-flags');
      const mask: string[] = [];
      const comp: string[] = [];
      for (const part of flags.v.split(',')) {
        const neg = part.startsWith('!');
        const f = neg ? part.slice(1) : part;
        if (!TCP_FLAGS.includes(f)) throw err(flags.w, `unknown tcp flag ${f}`, TCP_FLAGS.join(', '), suggest(f, TCP_FLAGS));
        if (mask.includes(f.toUpperCase())) throw err(flags.w, `tcp flag ${f} is given twice`, 'each flag once');
        mask.push(f.toUpperCase());
        if (!neg) comp.push(f.toUpperCase());
      }
      portOpts.tcpFlags = { mask, comp, invert: false };
    }
    if (Object.keys(portOpts).length) others.push({ module: proto!, opts: portOpts });

    const icmp = val('icmp-options');
    if (icmp) {
      needProto(icmp.w, ['icmp'], 'icmp-options');
      const m = /^(\d{1,3})(?::(\d{1,3})(?:-(\d{1,3}))?)?$/.exec(icmp.v);
      const type = m ? Number(m[1]) : NaN;
      const lo = m?.[2] !== undefined ? Number(m[2]) : undefined;
      const hi = m?.[3] !== undefined ? Number(m[3]) : lo;
      if (!m || type > 255 || (lo !== undefined && (lo > 255 || hi! > 255 || lo > hi!))) {
        throw err(icmp.w, 'bad icmp-options', 'TYPE or TYPE:CODE with numbers 0-255, e.g. 8:0');
      }
      const opts: IcmpMatchOpts = { type, invert: icmp.invert };
      if (lo !== undefined && !(lo === 0 && hi === 255)) {
        if (lo !== hi) throw err(icmp.w, 'an icmp code range other than 0-255 cannot be expressed in iptables', 'TYPE:CODE or TYPE:0-255');
        opts.code = lo;
      }
      others.push({ module: 'icmp', opts });
    }
    others.push(...multiports);
    if (iprange) others.push({ module: 'iprange', opts: iprange });

    for (const dir of ['src', 'dst'] as const) {
      const l = val(`${dir}-address-list`);
      if (l) others.push({ module: 'addrlist', opts: { dir, list: l.v, invert: l.invert } as AddrListMatchOpts });
    }
    for (const dir of ['in', 'out'] as const) {
      const l = val(`${dir}-interface-list`);
      if (l) others.push({ module: 'ifacelist', opts: { dir, list: l.v, invert: l.invert } as IfaceListMatchOpts });
    }

    const addrtype: AddrtypeMatchOpts = {};
    for (const dir of ['src', 'dst'] as const) {
      const t = val(`${dir}-address-type`);
      if (!t) continue;
      const types: AddrType[] = [];
      for (const part of t.v.split(',')) {
        const at = own(ADDR_TYPES, part);
        if (!at) throw err(t.w, `unknown address type ${part}`, Object.keys(ADDR_TYPES).join(', '), suggest(part, Object.keys(ADDR_TYPES)));
        if (!types.includes(at)) types.push(at);
      }
      addrtype[dir] = { types, invert: t.invert };
    }
    if (addrtype.src || addrtype.dst) others.push({ module: 'addrtype', opts: addrtype });

    if (section === 'raw') {
      const ctw = CONNTRACK_PROPS.map((n) => got.get(n)).find((w) => w);
      if (ctw) throw lineError(ll, ctw.start, `${ctw.name} is not available in /ip firewall raw: raw rules run before connection tracking`, { token: `${ctw.name}=${ctw.value}`, expected: 'a matcher that reads the packet alone (or this rule in /ip firewall filter)' });
    }
    const cs = val('connection-state');
    if (cs) {
      const states: string[] = [];
      for (const part of cs.v.split(',')) {
        if (!CT_STATES.includes(part)) throw err(cs.w, `unknown connection-state ${part}`, CT_STATES.join(', '), suggest(part, CT_STATES));
        if (!states.includes(part.toUpperCase())) states.push(part.toUpperCase());
      }
      others.push({ module: 'conntrack', opts: { ctstate: { states, invert: cs.invert } } as ConntrackMatchOpts });
    }
    const ns = val('connection-nat-state');
    if (ns) {
      const states: string[] = [];
      for (const part of ns.v.split(',')) {
        const s = own(NAT_STATES, part);
        if (!s) throw err(ns.w, `unknown connection-nat-state ${part}`, 'srcnat, dstnat', suggest(part, Object.keys(NAT_STATES)));
        if (!states.includes(s)) states.push(s);
      }
      others.push({ module: 'conntrack', opts: { ctstate: { states, invert: ns.invert } } as ConntrackMatchOpts });
    }

    // ipsec-policy: nat-trace has no IPsec, so "none" always matches and "ipsec" never does.
    let neverMatches: string | undefined;
    const ipsec = val('ipsec-policy');
    if (ipsec) {
      const m = /^(in|out),(ipsec|none)$/.exec(ipsec.v);
      if (!m) throw err(ipsec.w, 'bad ipsec-policy', 'in,ipsec, in,none, out,ipsec or out,none');
      if ((m[2] === 'ipsec') !== ipsec.invert) neverMatches = `ipsec-policy=${ipsec.w.value} never matches (nat-trace simulates no IPsec)`;
    }

    // --- action
    const actionW = got.get('action');
    const action = actionW?.value ?? 'accept';
    const allowed = SECTION_ACTIONS[section];
    if (!allowed.includes(action)) {
      const w = actionW!;
      if (UNSUPPORTED_ACTIONS.includes(action)) throw err(w, `action ${action} is not simulated by nat-trace`, allowed.join(', '));
      const other = Object.values(SECTION_ACTIONS).flat();
      if (other.includes(action)) throw err(w, `action ${action} is not available in ${this.sectionName}`, allowed.join(', '));
      throw err(w, `unknown action ${action}`, allowed.join(', '), suggest(action, allowed));
    }
    const used = new Set<string>();
    const take = (name: string): Word | undefined => { used.add(name); return got.get(name); };
    let target: TargetInstance;
    switch (action) {
      case 'accept': target = { module: 'ACCEPT', opts: {} }; break;
      case 'drop': target = { module: 'DROP', opts: {} }; break;
      case 'notrack': target = { module: 'NOTRACK', opts: { form: 'CT' } as NotrackTargetOpts }; break;
      case 'return': target = { module: 'RETURN', opts: {} }; break;
      case 'passthrough': target = { module: 'PASSTHROUGH', opts: {} }; break;
      case 'fasttrack-connection':
        take('hw-offload');
        // Fasttrack only skips later packets past the firewall; the next rule (an accept of
        // established,related in every sane setup) gives the same verdict, so count and go on.
        target = { module: 'PASSTHROUGH', opts: {} };
        this.warn('action=fasttrack-connection is simulated as passthrough (fasttracked packets skip the firewall, which the next established,related accept gives too)', ll.line);
        break;
      case 'reject': {
        const w = take('reject-with');
        let with_ = ROUTEROS_DEFAULT_REJECT;
        if (w) {
          const mapped = own(REJECT_WITH, w.value!);
          if (!mapped) throw err(w, `unknown reject-with ${w.value}`, Object.keys(REJECT_WITH).join(', '), suggest(w.value!, Object.keys(REJECT_WITH)));
          with_ = mapped;
          if (with_ === 'tcp-reset') needProto(w, ['tcp'], 'reject-with=tcp-reset');
        }
        target = { module: 'REJECT', opts: { with: with_ } as RejectTargetOpts };
        break;
      }
      case 'log': {
        const w = take('log-prefix');
        const opts: LogTargetOpts = {};
        if (w && w.value) opts.prefix = w.value;
        target = { module: 'LOG', opts };
        break;
      }
      case 'jump': {
        const w = take('jump-target');
        if (!w || !w.value) throw lineError(ll, actionW!.start, 'action=jump needs jump-target=', { token: 'action=jump', expected: 'jump-target=CHAIN' });
        if (own(BUILTIN[section], w.value)) throw err(w, `cannot jump to the built-in chain ${w.value}`, 'a custom chain');
        this.checkChainName(ll, w, w.value, section);
        target = { module: 'JUMP', opts: { chain: w.value } as JumpTargetOpts };
        break;
      }
      case 'dst-nat':
      case 'src-nat': {
        const a = take('to-addresses');
        const pw = take('to-ports');
        if (!a && !pw) throw lineError(ll, actionW!.start, `action=${action} needs to-addresses= or to-ports=`, { token: `action=${action}`, expected: 'to-addresses=ADDRESS[-ADDRESS] and/or to-ports=PORT[-PORT]' });
        const opts: NatToTargetOpts = {};
        if (a) {
          const r = parseAddr(a.value!);
          if (typeof r === 'string' || (r.kind === 'cidr' && !r.cidr.endsWith('/32'))) throw err(a, 'bad to-addresses', 'an address or a range a.b.c.d-e.f.g.h');
          if (r.kind === 'range') { opts.minIp = r.min; opts.maxIp = r.max; } else { opts.minIp = r.cidr.slice(0, -3); opts.maxIp = opts.minIp; }
        }
        if (pw) Object.assign(opts, this.toPorts(ll, pw, needProto));
        target = { module: action === 'dst-nat' ? 'DNAT' : 'SNAT', opts };
        break;
      }
      case 'masquerade':
      case 'redirect': {
        const pw = take('to-ports');
        const opts: PortsTargetOpts = pw ? this.toPorts(ll, pw, needProto) : {};
        target = { module: action === 'masquerade' ? 'MASQUERADE' : 'REDIRECT', opts };
        break;
      }
      case 'netmap': {
        const a = take('to-addresses');
        if (!a) throw lineError(ll, actionW!.start, 'action=netmap needs to-addresses=', { token: 'action=netmap', expected: 'to-addresses=NETWORK/PREFIX' });
        const pw = take('to-ports');
        if (pw) throw err(pw, 'to-ports with action=netmap cannot be expressed in Linux NETMAP (it maps addresses only)', 'no to-ports');
        const r = parseAddr(a.value!);
        const cidr = typeof r === 'string' ? undefined : r.kind === 'cidr' ? r.cidr : rangeToCidr(r.min, r.max);
        if (!cidr) throw err(a, 'bad to-addresses for netmap', 'a network a.b.c.d/n (or a range that is exactly one)');
        target = { module: 'NETMAP', opts: { to: cidr } as NetmapTargetOpts };
        break;
      }
      default:
        throw new Error(`internal: action ${action}`);
    }
    for (const name of ['to-addresses', 'to-ports', 'reject-with', 'jump-target', 'hw-offload']) {
      const w = got.get(name);
      if (w && !used.has(name)) this.warn(`${name} has no effect with action=${action}`, ll.line);
    }
    const lp = got.get('log-prefix');
    if (lp && lp.value && !used.has('log-prefix')) this.warn(`log-prefix has no effect with action=${action} and log=no`, ll.line);

    // Interfaces that do not exist at a single-hook built-in chain: iptables refuses them.
    const hooks = own(BUILTIN[section], chain);
    if (hooks && hooks.length === 1) {
      const h = hooks[0];
      const inBad = (h === 'OUTPUT' || h === 'POSTROUTING');
      const outBad = (h === 'INPUT' || h === 'PREROUTING');
      for (const [bad, prop] of [[inBad, 'in-interface'], [inBad, 'in-interface-list'], [outBad, 'out-interface'], [outBad, 'out-interface-list']] as const) {
        const w = got.get(prop);
        if (bad && w) throw lineError(ll, w.start, `${prop} cannot be used in chain ${chain}: packets have no ${prop.startsWith('in') ? 'in' : 'out'} interface at ${h}`, { token: `${prop}=${w.value}`, expected: 'a matcher available in this chain' });
      }
    }

    const pb = got.get('place-before');
    let placeBefore: RosRule['placeBefore'];
    if (pb) {
      if (!/^\d+$/.test(pb.value!)) throw err(pb, 'place-before takes a rule number', 'a print number such as 0');
      placeBefore = { n: Number(pb.value), offset: pb.valueStart ?? pb.start };
    }
    const cw = got.get('comment');
    const rule: RosRule = {
      section, chain, ll, text: ll.text.trim(), disabled, neverMatches, ip, others, target, action,
      chainOffset: chainW.valueStart, actionOffset: actionW?.valueStart, jumpOffset: got.get('jump-target')?.valueStart, placeBefore,
    };
    if (cw && cw.value) rule.comment = cw.value;
    const list = this.lists[section];
    if (placeBefore) {
      if (placeBefore.n > list.length) {
        throw lineError(ll, placeBefore.offset, `place-before=${placeBefore.n} but ${this.sectionName} has ${list.length} rules so far`, { token: `place-before=${placeBefore.n}`, expected: `a number 0-${list.length}` });
      }
      list.splice(placeBefore.n, 0, rule);
    } else {
      list.push(rule);
    }
  }

  private toPorts(ll: LogicalLine, w: Word, needProto: (w: Word, allowed: string[], what: string) => string): { minPort: number; maxPort: number } {
    needProto(w, ['tcp', 'udp'], 'to-ports');
    const r = parsePortRange(w.value!);
    if (typeof r === 'string') throw lineError(ll, w.valueStart, 'bad to-ports', { token: `to-ports=${w.value}`, expected: r });
    return { minPort: r[0], maxPort: r[1] };
  }

  private checkChainName(ll: LogicalLine, w: Word, name: string, section: Section): void {
    if (own(BUILTIN[section], name)) return;
    const bad = !/^[A-Za-z0-9_.:@+-]+$/.test(name) || name.startsWith('-');
    if (bad) throw lineError(ll, w.valueStart, `chain name ${name} cannot be loaded into netfilter`, { token: `${w.name}=${name}`, expected: 'letters, digits, - _ . without spaces' });
    if (name.length > MAX_CHAIN_NAME) throw lineError(ll, w.valueStart, `chain name ${name} is longer than the kernel's ${MAX_CHAIN_NAME} characters`, { token: name, expected: `a name of at most ${MAX_CHAIN_NAME} characters` });
    const table: TableName = section;
    const builtinNames: string[] = BUILTIN_CHAINS[section];
    if (builtinNames.includes(name) || TARGET_NAMES.has(name)) {
      throw lineError(ll, w.valueStart, `custom chain ${name} clashes with a netfilter name in the ${table} table`, { token: name, expected: 'another chain name' });
    }
  }

  // --- model ---------------------------------------------------------------

  private build(): RouterOSRuleset {
    const tables = dict<Record<string, Chain>>({ raw: dict<Chain>(), nat: dict<Chain>(), filter: dict<Chain>() }) as Record<TableName, Record<string, Chain>>;
    for (const t of ['raw', 'nat', 'filter'] as const) {
      for (const hook of BUILTIN_CHAINS[t]) {
        tables[t][hook] = { table: t, name: hook, builtin: true, policy: 'ACCEPT', rules: [], displayName: DISPLAY[t][hook] };
      }
    }
    const disabled: Rule[] = [];
    const referenced = new Set<string>();
    for (const section of ['raw', 'nat', 'filter'] as const) {
      const chains = tables[section];
      const userChain = (name: string): Chain => (chains[name] ??= { table: section, name, builtin: false, rules: [], displayName: name });
      this.lists[section].forEach((r, rosNumber) => {
        const hooks = own(BUILTIN[section], r.chain);
        const make = (chain: string, matches: MatchInstance[], number: number): Rule => {
          const rule: Rule = {
            table: section, chain, matches, target: r.target,
            source: { dialect: 'routeros', text: r.text, line: r.ll.line, number, rosNumber, chainDisplay: r.chain },
          };
          if (r.comment !== undefined) rule.comment = r.comment;
          return rule;
        };
        for (const m of r.others) if (m.module === 'addrlist') referenced.add((m.opts as AddrListMatchOpts).list);
        if (r.disabled || r.neverMatches) {
          if (r.neverMatches) this.warn(`rule ${rosNumber} of ${section}: ${r.neverMatches}; it is left out`, r.ll.line);
          disabled.push(make(hooks ? hooks[0] : r.chain, matchesAt(r, undefined)!, 0));
          return;
        }
        if (r.target.module === 'JUMP') {
          const to = (r.target.opts as JumpTargetOpts).chain;
          userChain(to);
        }
        if (!hooks) {
          const c = userChain(r.chain);
          c.rules.push(make(r.chain, matchesAt(r, undefined)!, c.rules.length + 1));
          return;
        }
        let placed = 0;
        for (const hook of hooks) {
          const ms = matchesAt(r, hook);
          if (!ms) continue;
          const c = chains[hook];
          c.rules.push(make(hook, ms, c.rules.length + 1));
          placed++;
        }
        if (!placed) {
          throw lineError(r.ll, r.chainOffset, `this ${r.chain} rule can never match: in-interface needs prerouting and out-interface needs output`, { token: `chain=${r.chain}`, expected: 'in-interface or out-interface, not both' });
        }
      });
      const reachable = reachableChains(chains);
      for (const name of Object.keys(chains)) {
        const c = chains[name];
        if (c.builtin) continue;
        if (!reachable.has(name)) {
          const first = c.rules[0];
          this.warn(`chain ${name} in /ip firewall ${section} is never jumped to from a built-in chain; its rules never run`, first?.source.line);
        }
        if (['input', 'forward', 'output', 'dstnat', 'srcnat', 'prerouting', 'postrouting'].includes(name.toLowerCase())) {
          const first = c.rules[0];
          this.warn(`chain=${name} in /ip firewall ${section} is a custom chain there (the built-in chains are ${Object.keys(BUILTIN[section]).join(', ')})`, first?.source.line);
        }
      }
      // nat OUTPUT holds dstnat and v7's output chain; name it after what the author used.
      if (section === 'nat' && this.lists.nat.some((r) => r.chain === 'output')) chains.OUTPUT.displayName = this.lists.nat.some((r) => r.chain === 'dstnat') ? 'dstnat/output' : 'output';
      this.checkLoops(section, chains);
      if (section === 'nat') this.checkNatHooks(chains);
    }
    for (const name of referenced) {
      if (!this.addressLists.has(name)) this.warn(`address list ${name} has no entries in /ip firewall address-list; it matches nothing`);
    }
    const rs: RouterOSRuleset = { dialect: 'routeros', tables, addressLists: dict(this.addressLists), warnings: this.warnings, disabled };
    if (this.settings.sendRedirects !== undefined) rs.settings = { ...this.settings };
    return rs;
  }

  /** The kernel refuses a table whose jumps loop (ELOOP); so does nat-trace, at load time. */
  private checkLoops(section: Section, chains: Record<string, Chain>): void {
    checkJumps(chains, {
      onLoop(cycle, rule) {
        const name = cycle[cycle.length - 1];
        throw new NatTraceError(`jumps in /ip firewall ${section} loop: ${cycle.join(' -> ')}`, { line: rule.source.line, token: `jump-target=${name}`, expected: 'jumps that do not come back to a chain already on the way' });
      },
      jumpToken: (_rule, to) => `jump-target=${to}`,
      display: (c) => (c.builtin ? c.displayName ?? c.name : c.name),
    });
  }

  /** NAT targets are valid only at some hooks; the kernel checks this through jumps too. */
  private checkNatHooks(chains: Record<string, Chain>): void {
    const reach = new Map<string, Set<Hook>>();
    const walk = (name: string, hook: Hook): void => {
      const seen = reach.get(name) ?? new Set<Hook>();
      if (seen.has(hook)) return;
      seen.add(hook);
      reach.set(name, seen);
      for (const r of chains[name]?.rules ?? []) {
        if (r.target.module === 'JUMP') walk((r.target.opts as JumpTargetOpts).chain, hook);
      }
    };
    for (const hook of NAT_HOOKS) walk(hook, hook);
    for (const [name, hooks] of reach) {
      for (const r of chains[name]?.rules ?? []) {
        const need = own(NAT_TARGET_HOOKS, r.target.module);
        if (!need) continue;
        const bad = [...hooks].find((h) => !need.hooks.includes(h));
        if (!bad) continue;
        const where = chains[name].builtin ? `chain ${r.source.chainDisplay}` : `chain ${name} (reached from ${DISPLAY.nat[bad] ?? bad})`;
        const action = need.action;
        throw new NatTraceError(`action=${action} cannot run in ${where}; it works only in ${need.where}`, { line: r.source.line, token: `action=${action}`, expected: `this rule in chain ${need.where}` });
      }
    }
  }
}

/** Chains a packet can get into: the built-in ones and whatever they jump to. */
function reachableChains(chains: Record<string, Chain>): Set<string> {
  const seen = new Set<string>();
  const todo = Object.keys(chains).filter((n) => chains[n].builtin);
  while (todo.length) {
    const name = todo.pop()!;
    if (seen.has(name)) continue;
    seen.add(name);
    for (const r of chains[name]?.rules ?? []) {
      if (r.target.module === 'JUMP') todo.push((r.target.opts as JumpTargetOpts).chain);
    }
  }
  return seen;
}

const NAT_HOOKS: Hook[] = ['PREROUTING', 'INPUT', 'OUTPUT', 'POSTROUTING'];
const COMMANDS = new Set(['add', 'set', 'remove', 'print', 'export', 'edit', 'enable', 'disable', 'move', 'comment', 'find', 'reset-counters', 'unset', 'get']);

/** Parse RouterOS `/ip firewall` text (export style or one-line commands) into the rule model. */
export function parseRouterOS(text: string): RouterOSRuleset {
  return new Parser(text).run();
}
