/**
 * The iptables command-line side of each match and target module: which
 * options it takes, how their arguments parse, and the checks iptables (and
 * the kernel's checkentry) make before accepting a rule. The simulator-side
 * modules live in ../matches and ../targets; this file only builds their opts.
 */
import type { AddrType, Hook, TableName } from '../model';
import type {
  AddrtypeMatchOpts, CidrSpec, IcmpMatchOpts, IprangeMatchOpts, MultiportMatchOpts, PortMatchOpts, PortSpec,
  RejectTargetOpts, StateMatchOpts, NetmapTargetOpts,
} from '../opts';
import type { ConntrackMatchOptsFull } from '../matches/conntrack';
import { CT_STATES, CT_STATUSES } from '../matches/conntrack';
import { STATE_NAMES } from '../matches/state';
import { TCP_FLAG_BITS } from '../matches/ports';
import type { LogTargetOptsFull } from '../targets/log';
import { LOG_FLAGS, LOG_LEVELS } from '../targets/log';
import type { NatToTargetOptsFull, PortsTargetOptsFull } from '../targets/nat';
import type { NotrackTargetOpts } from '../targets/notrack';
import { REJECT_TYPES } from '../targets/reject';
import { intToIp4, isIp4, ip4ToInt, parseCidr } from '../../net/addr';
import { dict, has } from '../../dict';

/** What an option parser may ask of the rule parser. */
export interface OptCtx {
  fail(message: string, token: string, expected?: string): never;
}

/** Facts a final check needs: the rule's protocol and where it sits. */
export interface FinalCtx extends OptCtx {
  proto?: string;
  protoInvert: boolean;
  table: TableName;
  chain: string;
}

export interface OptionSpec {
  /** Number of arguments (0, 1, or 2 for --tcp-flags). */
  args: number;
  invertible?: boolean;
  /** Accepted by iptables but outside what the simulator models. */
  unmodeled?: boolean;
}

export interface Extension<S = any> {
  /** -m NAME / -j NAME as the user writes it. */
  name: string;
  /** Registry module name. */
  module: string;
  options: Record<string, OptionSpec>;
  /** Long-option aliases -> canonical option name. */
  aliases?: Record<string, string>;
  init(): S;
  parse(st: S, opt: string, args: string[], invert: boolean, c: OptCtx): void;
  final(st: S, c: FinalCtx): unknown;
  /** Targets: tables/hooks iptables or the kernel allow. */
  tables?: TableName[];
  hooks?: Hook[];
  /** Hooks allowed depending on the parsed opts (addrtype --limit-iface-*). */
  hooksFor?(opts: any): Hook[] | undefined;
}

// --- value parsers ----------------------------------------------------------

/** The /etc/services names iptables users write most; numbers work everywhere. */
export const SERVICES: Record<string, number> = dict({
  'ftp-data': 20, ftp: 21, ssh: 22, telnet: 23, smtp: 25, domain: 53, bootps: 67, bootpc: 68, tftp: 69,
  http: 80, www: 80, kerberos: 88, pop3: 110, sunrpc: 111, auth: 113, ntp: 123, 'netbios-ns': 137,
  'netbios-dgm': 138, 'netbios-ssn': 139, imap: 143, imap2: 143, snmp: 161, 'snmp-trap': 162, ldap: 389,
  https: 443, 'microsoft-ds': 445, isakmp: 500, syslog: 514, submission: 587, ldaps: 636, rsync: 873,
  imaps: 993, pop3s: 995, openvpn: 1194, socks: 1080, 'ms-sql-s': 1433, 'ipsec-nat-t': 4500, l2tp: 1701,
  pptp: 1723, radius: 1812, 'radius-acct': 1813, nfs: 2049, mysql: 3306, 'ms-wbt-server': 3389,
  'sip': 5060, postgresql: 5432, x11: 6000, 'http-alt': 8080, echo: 7, discard: 9, daytime: 13,
  chargen: 19, time: 37, whois: 43, gopher: 70, finger: 79, nntp: 119, bgp: 179, irc: 194,
  'nameserver': 42, printer: 515, webcache: 8080, squid: 3128, 'tproxy': 8081, 'hkp': 11371,
});

/** IP protocol names iptables resolves; numbers 0..255 are accepted as well. */
export const PROTOCOLS: Record<string, number> = dict({
  all: 0, icmp: 1, igmp: 2, ipencap: 4, tcp: 6, egp: 8, udp: 17, ipv6: 41, gre: 47, esp: 50, ah: 51,
  icmpv6: 58, 'ipv6-icmp': 58, ospf: 89, pim: 103, vrrp: 112, l2tp: 115, sctp: 132, udplite: 136, dccp: 33, mh: 135,
});
const PROTO_BY_NUMBER: Record<string, string> = dict({ 0: 'all', 1: 'icmp', 6: 'tcp', 17: 'udp' });

/** -p value -> the canonical string the model keeps ('tcp', 'udp', 'icmp', 'all', or a number). */
export function parseProto(s: string, c: OptCtx, token = s): string {
  const lower = s.toLowerCase();
  if (/^\d+$/.test(s)) {
    const n = Number(s);
    if (n > 255) c.fail(`protocol number out of range: ${s}`, token, 'a protocol name or 0..255');
    return PROTO_BY_NUMBER[n] ?? String(n);
  }
  if (has(PROTOCOLS, lower)) {
    const n = PROTOCOLS[lower];
    return PROTO_BY_NUMBER[n] ?? lower;
  }
  return c.fail(`unknown protocol \`${s}\``, token, 'tcp, udp, icmp, all or a protocol number');
}

/** One port: a number 0..65535 or a service name. */
export function parsePort(s: string, c: OptCtx, token: string, allowName = true): number {
  if (/^\d+$/.test(s)) {
    const n = Number(s);
    if (n > 65535) c.fail(`port out of range: ${s}`, token, 'a port 0..65535');
    return n;
  }
  if (allowName && has(SERVICES, s)) return SERVICES[s];
  return c.fail(`invalid port \`${s}\``, token, 'a port number or service name');
}

/** --sport/--dport style range "a", "a:b", ":b", "a:", ":" (xtables_parse_port + parse_multi_ports). */
export function parsePortRange(s: string, c: OptCtx, token: string): [number, number] {
  const colon = s.indexOf(':');
  if (colon < 0) { const p = parsePort(s, c, token); return [p, p]; }
  const a = s.slice(0, colon);
  const b = s.slice(colon + 1);
  const min = a === '' ? 0 : parsePort(a, c, token);
  const max = b === '' ? 65535 : parsePort(b, c, token);
  if (min > max) c.fail(`invalid port range ${s} (start after end)`, token, 'MIN:MAX with MIN <= MAX');
  return [min, max];
}

function portSpec(s: string, invert: boolean, c: OptCtx, token: string): PortSpec {
  const [min, max] = parsePortRange(s, c, token);
  return { min, max, invert };
}

/** -s/-d style address: a.b.c.d[/n|/mask] -> CidrSpec with host bits cleared. */
export function parseAddr(s: string, invert: boolean, c: OptCtx, token: string): CidrSpec {
  const p = parseCidr(s);
  if (!p) c.fail(`invalid address \`${s}\``, token, 'an IPv4 address or network (a.b.c.d or a.b.c.d/n)');
  return { cidr: p.text, invert };
}

function splitList(s: string, c: OptCtx, token: string, what: string): string[] {
  const parts = s.split(',');
  if (parts.some((x) => x === '')) c.fail(`empty item in ${what} list \`${s}\``, token, `a comma-separated list of ${what}`);
  return parts;
}

function nameList(s: string, allowed: string[], c: OptCtx, token: string, what: string, upper = true): string[] {
  const out: string[] = [];
  for (const raw of splitList(s, c, token, what)) {
    const v = upper ? raw.toUpperCase() : raw;
    if (!allowed.includes(v)) c.fail(`unknown ${what} \`${raw}\``, raw, allowed.join(', '));
    if (!out.includes(v)) out.push(v);
  }
  return out;
}

function once(st: Record<string, unknown>, key: string, opt: string, c: OptCtx): void {
  if (st[key] !== undefined) c.fail(`option ${opt} given twice`, opt, 'each option at most once');
}

/** Protocols whose headers carry ports (the ones iptables lets port options use). */
const PORT_PROTOS = ['tcp', 'udp', 'sctp', 'dccp', 'udplite'];

function needProto(c: FinalCtx, protos: string[], what: string): void {
  if (!c.proto || c.protoInvert || !protos.includes(c.proto)) {
    c.fail(`${what} needs ${protos.length === 1 ? `-p ${protos[0]}` : `-p ${protos.join('/')}`}`, what,
      `-p ${protos[0]} before or in the rule`);
  }
}

// --- matches ----------------------------------------------------------------

function portMatch(proto: 'tcp' | 'udp'): Extension<PortMatchOpts> {
  const options: Record<string, OptionSpec> = {
    '--sport': { args: 1, invertible: true },
    '--dport': { args: 1, invertible: true },
  };
  if (proto === 'tcp') {
    options['--tcp-flags'] = { args: 2, invertible: true };
    options['--syn'] = { args: 0, invertible: true };
    options['--tcp-option'] = { args: 1, invertible: true, unmodeled: true };
  }
  return {
    name: proto,
    module: proto,
    options,
    aliases: { '--source-port': '--sport', '--destination-port': '--dport' },
    init: () => ({}),
    parse(st, opt, args, invert, c) {
      if (opt === '--sport' || opt === '--dport') {
        const key = opt === '--sport' ? 'sport' : 'dport';
        once(st as any, key, opt, c);
        const p = portSpec(args[0], invert, c, args[0]);
        // A full range without `!` tests nothing; iptables leaves it out too.
        if (!(p.min === 0 && p.max === 65535 && !invert)) st[key] = p;
        return;
      }
      once(st as any, 'tcpFlags', opt, c);
      if (opt === '--syn') { st.tcpFlags = { mask: ['FIN', 'SYN', 'RST', 'ACK'], comp: ['SYN'], invert }; return; }
      const flags = (s: string) => {
        const out: string[] = [];
        for (const f of splitList(s, c, s, 'TCP flags')) {
          const u = f.toUpperCase();
          if (!has(TCP_FLAG_BITS, u)) c.fail(`unknown TCP flag \`${f}\``, f, 'FIN, SYN, RST, PSH, ACK, URG, ALL or NONE');
          if (u === 'ALL') out.push('FIN', 'SYN', 'RST', 'PSH', 'ACK', 'URG');
          else if (u !== 'NONE') out.push(u);
        }
        // iptables prints flags in bit order.
        const order = ['FIN', 'SYN', 'RST', 'PSH', 'ACK', 'URG'];
        return order.filter((f) => out.includes(f));
      };
      st.tcpFlags = { mask: flags(args[0]), comp: flags(args[1]), invert };
    },
    final(st, c) {
      needProto(c, [proto], `-m ${proto}`);
      return st;
    },
  };
}

const ICMP_TYPES: Record<string, [number, number | undefined]> = dict({
  any: [255, undefined], 'echo-reply': [0, undefined], pong: [0, undefined],
  'destination-unreachable': [3, undefined], 'network-unreachable': [3, 0], 'host-unreachable': [3, 1],
  'protocol-unreachable': [3, 2], 'port-unreachable': [3, 3], 'fragmentation-needed': [3, 4],
  'source-route-failed': [3, 5], 'network-unknown': [3, 6], 'host-unknown': [3, 7],
  'network-prohibited': [3, 9], 'host-prohibited': [3, 10], 'TOS-network-unreachable': [3, 11],
  'TOS-host-unreachable': [3, 12], 'communication-prohibited': [3, 13], 'host-precedence-violation': [3, 14],
  'precedence-cutoff': [3, 15], 'source-quench': [4, undefined], redirect: [5, undefined],
  'network-redirect': [5, 0], 'host-redirect': [5, 1], 'TOS-network-redirect': [5, 2], 'TOS-host-redirect': [5, 3],
  'echo-request': [8, undefined], ping: [8, undefined], 'router-advertisement': [9, undefined],
  'router-solicitation': [10, undefined], 'time-exceeded': [11, undefined], 'ttl-exceeded': [11, undefined],
  'ttl-zero-during-transit': [11, 0], 'ttl-zero-during-reassembly': [11, 1], 'parameter-problem': [12, undefined],
  'ip-header-bad': [12, 0], 'required-option-missing': [12, 1], 'timestamp-request': [13, undefined],
  'timestamp-reply': [14, undefined], 'address-mask-request': [17, undefined], 'address-mask-reply': [18, undefined],
});

const icmpExt: Extension<{ opts?: IcmpMatchOpts }> = {
  name: 'icmp',
  module: 'icmp',
  options: { '--icmp-type': { args: 1, invertible: true } },
  init: () => ({}),
  parse(st, _opt, [v], invert, c) {
    if (st.opts) c.fail('option --icmp-type given twice', '--icmp-type', 'each option at most once');
    const named = has(ICMP_TYPES, v) ? ICMP_TYPES[v] : undefined;
    if (named) { st.opts = { type: named[0], code: named[1], invert, name: v }; return; }
    const m = /^(\d+)(?:\/(\d+)(?::(\d+))?)?$/.exec(v);
    if (!m) return c.fail(`unknown ICMP type \`${v}\``, v, 'a type name (echo-request, ...) or TYPE[/CODE]');
    const type = Number(m[1]);
    const lo = m[2] === undefined ? undefined : Number(m[2]);
    const hi = m[3] === undefined ? lo : Number(m[3]);
    if (type > 255 || (lo ?? 0) > 255 || (hi ?? 0) > 255) c.fail(`ICMP type/code out of range: ${v}`, v, '0..255');
    // A full code range is no code test at all (255/0:255 is "any").
    const code = lo === 0 && hi === 255 ? undefined : lo;
    if (lo !== undefined && hi !== lo && !(lo === 0 && hi === 255)) c.fail(`ICMP code ranges are not modeled: ${v}`, v, 'TYPE or TYPE/CODE');
    st.opts = { type, code, invert };
  },
  final(st, c) {
    needProto(c, ['icmp'], '-m icmp');
    return st.opts ?? { type: 255, invert: false };
  },
};

const multiportExt: Extension<{ opts?: MultiportMatchOpts }> = {
  name: 'multiport',
  module: 'multiport',
  options: { '--sports': { args: 1, invertible: true }, '--dports': { args: 1, invertible: true }, '--ports': { args: 1, invertible: true } },
  aliases: { '--source-ports': '--sports', '--destination-ports': '--dports' },
  init: () => ({}),
  parse(st, opt, [v], invert, c) {
    if (st.opts) c.fail(`multiport takes one of --sports, --dports, --ports (got a second: ${opt})`, opt, 'a single port option');
    const ports: Array<[number, number]> = [];
    let slots = 0;
    for (const item of splitList(v, c, v, 'ports')) {
      const r = parsePortRange(item, c, item);
      ports.push(r);
      slots += r[0] === r[1] && !item.includes(':') ? 1 : 2;
    }
    if (slots > 15) c.fail(`too many ports in ${opt} (iptables allows 15, a range counts as 2)`, v, 'at most 15 ports');
    st.opts = { dir: opt === '--sports' ? 'src' : opt === '--dports' ? 'dst' : 'any', ports, invert };
  },
  final(st, c) {
    if (!st.opts) c.fail('-m multiport needs --sports, --dports or --ports', '-m multiport', '--sports, --dports or --ports');
    needProto(c, PORT_PROTOS, '-m multiport');
    return st.opts;
  },
};

const ADDR_TYPES: AddrType[] = ['UNSPEC', 'UNICAST', 'LOCAL', 'BROADCAST', 'ANYCAST' as AddrType, 'MULTICAST', 'BLACKHOLE', 'UNREACHABLE', 'PROHIBIT', 'THROW' as AddrType, 'NAT' as AddrType, 'XRESOLVE' as AddrType];

const addrtypeExt: Extension<AddrtypeMatchOpts> = {
  name: 'addrtype',
  module: 'addrtype',
  options: {
    '--src-type': { args: 1, invertible: true }, '--dst-type': { args: 1, invertible: true },
    '--limit-iface-in': { args: 0 }, '--limit-iface-out': { args: 0 },
  },
  init: () => ({}),
  parse(st, opt, args, invert, c) {
    if (opt === '--limit-iface-in') { st.limitIfaceIn = true; return; }
    if (opt === '--limit-iface-out') { st.limitIfaceOut = true; return; }
    const key = opt === '--src-type' ? 'src' : 'dst';
    once(st as any, key, opt, c);
    st[key] = { types: nameList(args[0], ADDR_TYPES, c, args[0], 'address type') as AddrType[], invert };
  },
  final(st, c) {
    if (!st.src && !st.dst) c.fail('-m addrtype needs --src-type or --dst-type', '-m addrtype', '--src-type or --dst-type');
    if (st.limitIfaceIn && st.limitIfaceOut) c.fail('--limit-iface-in and --limit-iface-out are exclusive', '--limit-iface-out', 'one of them');
    return st;
  },
  hooksFor(o: AddrtypeMatchOpts) {
    if (o.limitIfaceIn) return ['PREROUTING', 'INPUT', 'FORWARD'];
    if (o.limitIfaceOut) return ['POSTROUTING', 'OUTPUT', 'FORWARD'];
    return undefined;
  },
};

const CT_ADDR = ['--ctorigsrc', '--ctorigdst', '--ctreplsrc', '--ctrepldst'];
const CT_PORT = ['--ctorigsrcport', '--ctorigdstport', '--ctreplsrcport', '--ctrepldstport'];

const conntrackExt: Extension<ConntrackMatchOptsFull> = {
  name: 'conntrack',
  module: 'conntrack',
  options: {
    '--ctstate': { args: 1, invertible: true }, '--ctstatus': { args: 1, invertible: true },
    '--ctproto': { args: 1, invertible: true }, '--ctdir': { args: 1 },
    '--ctexpire': { args: 1, invertible: true, unmodeled: true },
    ...Object.fromEntries([...CT_ADDR, ...CT_PORT].map((o) => [o, { args: 1, invertible: true }])),
  },
  init: () => ({}),
  parse(st, opt, [v], invert, c) {
    const key = opt.slice(2) as keyof ConntrackMatchOptsFull;
    once(st as any, key, opt, c);
    const s = st as any;
    if (opt === '--ctstate') s.ctstate = { states: nameList(v, CT_STATES, c, v, 'conntrack state'), invert };
    else if (opt === '--ctstatus') s.ctstatus = { statuses: nameList(v, CT_STATUSES, c, v, 'conntrack status'), invert };
    else if (opt === '--ctproto') {
      const p = parseProto(v, c);
      if (p === 'all') c.fail('--ctproto 0 would never match', v, 'a protocol other than 0');
      s.ctproto = { proto: p, invert };
    } else if (opt === '--ctdir') {
      const d = v.toUpperCase();
      if (d !== 'ORIGINAL' && d !== 'REPLY') c.fail(`unknown --ctdir \`${v}\``, v, 'ORIGINAL or REPLY');
      s.ctdir = d;
    } else if (CT_ADDR.includes(opt)) s[key] = parseAddr(v, invert, c, v);
    else s[key] = portSpec(v, invert, c, v);
  },
  final(st, c) {
    if (Object.keys(st).length === 0) c.fail('-m conntrack needs at least one option', '-m conntrack', '--ctstate, --ctstatus, --ctorigsrc, ...');
    return st;
  },
};

const stateExt: Extension<{ opts?: StateMatchOpts }> = {
  name: 'state',
  module: 'state',
  options: { '--state': { args: 1, invertible: true } },
  init: () => ({}),
  parse(st, opt, [v], invert, c) {
    if (st.opts) c.fail('option --state given twice', opt, 'each option at most once');
    st.opts = { states: nameList(v, STATE_NAMES, c, v, 'state'), invert };
  },
  final(st, c) {
    if (!st.opts) c.fail('-m state needs --state', '-m state', '--state');
    return st.opts;
  },
};

const iprangeExt: Extension<IprangeMatchOpts> = {
  name: 'iprange',
  module: 'iprange',
  options: { '--src-range': { args: 1, invertible: true }, '--dst-range': { args: 1, invertible: true } },
  init: () => ({}),
  parse(st, opt, [v], invert, c) {
    const key = opt === '--src-range' ? 'src' : 'dst';
    once(st as any, key, opt, c);
    const dash = v.indexOf('-');
    const a = dash < 0 ? v : v.slice(0, dash);
    const b = dash < 0 ? v : v.slice(dash + 1);
    if (!isIp4(a) || !isIp4(b)) c.fail(`invalid address range \`${v}\``, v, 'FROM-TO (a.b.c.d-e.f.g.h)');
    // Normalise spelling (leading zeros) the way iptables prints it back.
    st[key] = { min: intToIp4(ip4ToInt(a)), max: intToIp4(ip4ToInt(b)), invert };
  },
  final(st, c) {
    if (!st.src && !st.dst) c.fail('-m iprange needs --src-range or --dst-range', '-m iprange', '--src-range or --dst-range');
    return st;
  },
};

const commentExt: Extension<{ comment?: string }> = {
  name: 'comment',
  module: 'comment',
  options: { '--comment': { args: 1 } },
  init: () => ({}),
  parse(st, opt, [v], _invert, c) {
    once(st as any, 'comment', opt, c);
    if (v.length > 255) c.fail(`comment longer than 255 characters`, opt, 'at most 255 characters');
    st.comment = v;
  },
  final(st, c) {
    if (st.comment === undefined) c.fail('-m comment needs --comment', '-m comment', '--comment TEXT');
    return { comment: st.comment };
  },
};

export const MATCH_EXTENSIONS: Record<string, Extension> = dict({
  tcp: portMatch('tcp'), udp: portMatch('udp'), icmp: icmpExt, multiport: multiportExt, addrtype: addrtypeExt,
  conntrack: conntrackExt, state: stateExt, iprange: iprangeExt, comment: commentExt,
});

/** Real iptables matches this simulator does not model (an error says so rather than "unknown"). */
export const UNSUPPORTED_MATCHES = [
  'limit', 'hashlimit', 'recent', 'mark', 'connmark', 'owner', 'mac', 'pkttype', 'length', 'ttl', 'tos', 'dscp',
  'physdev', 'set', 'helper', 'statistic', 'string', 'time', 'u32', 'rpfilter', 'policy', 'connlimit', 'connbytes',
  'esp', 'ah', 'sctp', 'dccp', 'udplite', 'ecn', 'realm', 'quota', 'socket', 'cgroup', 'devgroup', 'cpu', 'bpf',
  'ipvs', 'nfacct', 'osf', 'rateest', 'tcpmss', 'frag', 'hbh', 'ipv6header', 'mh', 'rt', 'icmp6', 'geoip', 'condition',
  'account', 'connlabel', 'cluster', 'comment2', 'l2tp', 'addrtype2', 'iplimit', 'psd', 'ipp2p', 'layer7',
];

// --- targets ----------------------------------------------------------------

/** DNAT/SNAT --to-* value: [ipmin[-ipmax]][:port[-port[/base]]]. */
function parseNatTo(v: string, c: OptCtx, nat: NatToTargetOptsFull): void {
  const colon = v.indexOf(':');
  const ipPart = colon < 0 ? v : v.slice(0, colon);
  const portPart = colon < 0 ? undefined : v.slice(colon + 1);
  if (ipPart !== '') {
    const dash = ipPart.indexOf('-');
    const a = dash < 0 ? ipPart : ipPart.slice(0, dash);
    const b = dash < 0 ? ipPart : ipPart.slice(dash + 1);
    if (!isIp4(a) || !isIp4(b)) c.fail(`invalid address in \`${v}\``, v, 'IP[-IP][:PORT[-PORT]]');
    if (ip4ToInt(a) > ip4ToInt(b)) c.fail(`address range ${ipPart} ends before it starts`, v, 'IPMIN-IPMAX');
    nat.minIp = intToIp4(ip4ToInt(a));
    nat.maxIp = intToIp4(ip4ToInt(b));
  } else if (portPart === undefined) {
    c.fail(`empty NAT address`, v, 'IP[-IP][:PORT[-PORT]]');
  }
  if (portPart !== undefined) {
    const slash = portPart.indexOf('/');
    const range = slash < 0 ? portPart : portPart.slice(0, slash);
    const dash = has(SERVICES, range) ? -1 : range.indexOf('-');
    let min: number; let max: number;
    if (dash < 0) { min = max = parsePort(range, c, v); }
    else { min = parsePort(range.slice(0, dash), c, v, false); max = parsePort(range.slice(dash + 1), c, v, false); }
    if (min === 0 || max === 0) c.fail(`port 0 is not valid in \`${v}\``, v, 'ports 1..65535');
    if (min > max) c.fail(`port range ${range} ends before it starts`, v, 'MIN-MAX');
    nat.minPort = min; nat.maxPort = max;
    if (slash >= 0) {
      const base = parsePort(portPart.slice(slash + 1), c, v);
      if (base === 0) c.fail(`base port 0 is not valid in \`${v}\``, v, 'a base port 1..65535');
      nat.basePort = base;
    }
  }
}

function natToExt(name: 'DNAT' | 'SNAT', opt: string, hooks: Hook[]): Extension<NatToTargetOptsFull & { seen?: boolean }> {
  return {
    name, module: name, tables: ['nat'], hooks,
    options: { [opt]: { args: 1 }, '--random': { args: 0 }, '--random-fully': { args: 0 }, '--persistent': { args: 0 } },
    init: () => ({}),
    parse(st, o, [v], _invert, c) {
      if (o === '--random') { st.random = true; return; }
      if (o === '--random-fully') { st.randomFully = true; return; }
      if (o === '--persistent') { st.persistent = true; return; }
      if (st.seen) c.fail(`${o} given twice (iptables allows one range)`, o, 'a single address range');
      st.seen = true;
      parseNatTo(v, c, st);
    },
    final(st, c) {
      if (!st.seen) c.fail(`-j ${name} needs ${opt}`, name, opt);
      if (st.minPort !== undefined) needProto(c, ['tcp', 'udp', 'sctp', 'dccp'], `${opt} with a port`);
      const out: NatToTargetOptsFull = {};
      for (const k of ['minIp', 'maxIp', 'minPort', 'maxPort', 'basePort', 'random', 'randomFully', 'persistent'] as const) {
        if (st[k] !== undefined) (out as any)[k] = st[k];
      }
      return out;
    },
  };
}

function portsExt(name: 'MASQUERADE' | 'REDIRECT', hooks: Hook[]): Extension<PortsTargetOptsFull & { seen?: boolean }> {
  return {
    name, module: name, tables: ['nat'], hooks,
    options: { '--to-ports': { args: 1 }, '--random': { args: 0 }, '--random-fully': { args: 0 } },
    init: () => ({}),
    parse(st, o, [v], _invert, c) {
      if (o === '--random') { st.random = true; return; }
      if (o === '--random-fully') { st.randomFully = true; return; }
      if (st.seen) c.fail('--to-ports given twice', o, 'one port range');
      st.seen = true;
      const dash = has(SERVICES, v) ? -1 : v.indexOf('-');
      if (dash < 0) { st.minPort = st.maxPort = parsePort(v, c, v); }
      else {
        st.minPort = parsePort(v.slice(0, dash), c, v, false);
        st.maxPort = parsePort(v.slice(dash + 1), c, v, false);
        if (st.minPort > st.maxPort) c.fail(`port range ${v} ends before it starts`, v, 'MIN-MAX');
      }
    },
    final(st, c) {
      if (st.minPort !== undefined) needProto(c, ['tcp', 'udp', 'sctp', 'dccp'], '--to-ports');
      const out: PortsTargetOptsFull = {};
      if (st.minPort !== undefined) { out.minPort = st.minPort; out.maxPort = st.maxPort; }
      if (st.random) out.random = true;
      if (st.randomFully) out.randomFully = true;
      return out;
    },
  };
}

const netmapExt: Extension<{ to?: string }> = {
  name: 'NETMAP', module: 'NETMAP', tables: ['nat'], hooks: ['PREROUTING', 'INPUT', 'OUTPUT', 'POSTROUTING'],
  options: { '--to': { args: 1 } },
  init: () => ({}),
  parse(st, o, [v], _invert, c) {
    once(st as any, 'to', o, c);
    const p = parseCidr(v);
    if (!p || p.text.split('/')[1].includes('.')) return c.fail(`invalid network \`${v}\``, v, 'ADDRESS[/PREFIX]');
    st.to = p.text;
  },
  final(st, c): NetmapTargetOpts {
    if (!st.to) return c.fail('-j NETMAP needs --to', 'NETMAP', '--to ADDRESS/PREFIX');
    return { to: st.to };
  },
};

const rejectExt: Extension<{ with?: string }> = {
  name: 'REJECT', module: 'REJECT', tables: ['filter'], hooks: ['INPUT', 'FORWARD', 'OUTPUT'],
  options: { '--reject-with': { args: 1 } },
  init: () => ({}),
  parse(st, o, [v], _invert, c) {
    once(st as any, 'with', o, c);
    const w = has(REJECT_TYPES, v) ? REJECT_TYPES[v] : undefined;
    if (!w) c.fail(`unknown --reject-with \`${v}\``, v, Object.values(REJECT_TYPES).filter((x, i, a) => a.indexOf(x) === i).join(', '));
    st.with = w;
  },
  final(st, c): RejectTargetOpts {
    const w = st.with ?? 'icmp-port-unreachable';
    if (w === 'tcp-reset') needProto(c, ['tcp'], '--reject-with tcp-reset');
    return { with: w };
  },
};

const logExt: Extension<LogTargetOptsFull> = {
  name: 'LOG', module: 'LOG',
  options: { '--log-prefix': { args: 1 }, '--log-level': { args: 1 }, ...Object.fromEntries(LOG_FLAGS.map((f) => [f, { args: 0 }])) },
  init: () => ({}),
  parse(st, o, [v], _invert, c) {
    if (o === '--log-prefix') {
      once(st as any, 'prefix', o, c);
      if (v.length > 29) c.fail('--log-prefix is longer than 29 characters', v, 'at most 29 characters');
      if (v.includes('\n')) c.fail('--log-prefix must not contain a newline', v, 'one line');
      st.prefix = v;
    } else if (o === '--log-level') {
      once(st as any, 'level', o, c);
      if (/^[0-7]$/.test(v)) st.level = Number(v);
      else {
        const i = LOG_LEVELS.indexOf(v.toLowerCase() === 'panic' ? 'emerg' : v.toLowerCase() === 'warn' ? 'warning' : v.toLowerCase());
        if (i < 0) c.fail(`unknown --log-level \`${v}\``, v, `0..7 or ${LOG_LEVELS.join(', ')}`);
        st.level = i;
      }
    } else {
      st.flags = [...(st.flags ?? []), o];
    }
  },
  final(st) {
    const out: LogTargetOptsFull = {};
    if (st.prefix !== undefined) out.prefix = st.prefix;
    if (st.level !== undefined) out.level = st.level;
    if (st.flags) out.flags = LOG_FLAGS.filter((f) => st.flags!.includes(f));
    return out;
  },
};

function plain(name: string, tables?: TableName[]): Extension<Record<string, never>> {
  return { name, module: name, tables, options: {}, init: () => ({}), parse() { /* no options */ }, final: () => ({}) };
}

/** -j NOTRACK: the old name of CT --notrack (libxt_NOTRACK); raw table only, as the kernel checks. */
const notrackExt: Extension<Record<string, never>> = {
  name: 'NOTRACK', module: 'NOTRACK', tables: ['raw'], options: {},
  init: () => ({}), parse() { /* no options */ },
  final: (): NotrackTargetOpts => ({ form: 'NOTRACK' }),
};

/** -j CT: only --notrack is modeled; helpers, zones, events and timeouts are refused by name. */
const ctExt: Extension<{ notrack?: boolean }> = {
  name: 'CT', module: 'NOTRACK', tables: ['raw'],
  options: {
    '--notrack': { args: 0 },
    '--helper': { args: 1, unmodeled: true }, '--ctevents': { args: 1, unmodeled: true }, '--expevents': { args: 1, unmodeled: true },
    '--zone': { args: 1, unmodeled: true }, '--zone-orig': { args: 1, unmodeled: true }, '--zone-reply': { args: 1, unmodeled: true },
    '--timeout': { args: 1, unmodeled: true },
  },
  init: () => ({}),
  parse(st) { st.notrack = true; },
  final(st, c): NotrackTargetOpts {
    if (!st.notrack) return c.fail('-j CT without --notrack is not modeled by the simulator (it only attaches a conntrack template)', 'CT', '-j CT --notrack');
    return { form: 'CT' };
  },
};

export const TARGET_EXTENSIONS: Record<string, Extension> = dict({
  ACCEPT: plain('ACCEPT'),
  DROP: plain('DROP', ['filter', 'raw']),
  NOTRACK: notrackExt,
  CT: ctExt,
  RETURN: plain('RETURN'),
  REJECT: rejectExt,
  LOG: logExt,
  DNAT: natToExt('DNAT', '--to-destination', ['PREROUTING', 'OUTPUT']),
  SNAT: natToExt('SNAT', '--to-source', ['POSTROUTING', 'INPUT']),
  MASQUERADE: portsExt('MASQUERADE', ['POSTROUTING']),
  REDIRECT: portsExt('REDIRECT', ['PREROUTING', 'OUTPUT']),
  NETMAP: netmapExt,
});

/** Real iptables targets the simulator does not model. */
export const UNSUPPORTED_TARGETS = [
  'MARK', 'CONNMARK', 'NFLOG', 'NFQUEUE', 'QUEUE', 'TCPMSS', 'CHECKSUM', 'TTL', 'TOS', 'DSCP', 'SET',
  'CLASSIFY', 'TRACE', 'AUDIT', 'ULOG', 'TEE', 'SECMARK', 'CONNSECMARK', 'HMARK', 'IDLETIMER', 'LED', 'RATEEST',
  'SYNPROXY', 'CLUSTERIP', 'ECN', 'TPROXY', 'HL', 'TCPOPTSTRIP', 'NPT', 'DNPT', 'SNPT', 'MIRROR', 'SAME', 'ROUTE', 'TARPIT',
  'CHAOS', 'DELUDE', 'IPMARK', 'LOGMARK', 'SYSRQ', 'STEAL', 'ACCOUNT', 'RAWDNAT', 'RAWSNAT', 'CONNCONFIRM',
];
