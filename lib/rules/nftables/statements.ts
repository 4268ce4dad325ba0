/**
 * nft statements, one small entry each, in one table keyed by the word that
 * starts them. An entry parses its arguments and says what the rule does,
 * as a shared target (ACCEPT, REJECT, DNAT, ...), or nothing for statements
 * that change nothing the simulator shows (counter). `needs` records where
 * the kernel allows it (hooks, chain type), checked once chains are known.
 */
import type { Hook, TargetInstance, ChainType, MatchInstance } from '../model';
import type { Cursor } from './cursor';
import type { Tok } from './lex';
import type { NatMapEntry } from './modules';
import { dict, own } from '../../dict';
import type { Dict } from '../../dict';
import { isIp4, ip4ToInt } from '../../net/addr';
import { TYPES } from './types';
import type { DataType } from './types';
import { parseScalar } from './values';

export interface StmtNeeds {
  hooks?: Hook[];
  chainType?: ChainType;
  /** What to call it in the error ("dnat"). */
  what: string;
  tok: Tok;
}

/** What a statement parser can ask of the rule around it. */
export interface RuleScope {
  c: Cursor;
  family: string;
  /** A transport protocol match came earlier in the rule (needed for port mappings). */
  hasL4: boolean;
  /** The protocol the rule has already pinned (`tcp dport` implies tcp). */
  l4?: string;
  /** An IPv4 match came earlier (`ip daddr`, `meta nfproto ipv4`): nft infers `dnat ip` from it in inet tables. */
  ipv4?: boolean;
  /** Add an implicit protocol match (nft's dependency: `reject with tcp reset` works on TCP only). */
  requireL4(proto: 'tcp'): void;
  /** `KEY map { ... }` / `KEY map @m` after `dnat to`; returns the keys and NAT entries. */
  natMap(kind: 'DNAT' | 'SNAT', tok: Tok): { keys: string[]; entries: NatMapEntry[] };
  /** Does a selector start here (for `dnat to tcp dport map`)? */
  selectorAhead(): boolean;
  need(n: StmtNeeds): void;
  /** A statement that decides whether the rule goes on (limit) adds a match. */
  addMatch(m: MatchInstance): void;
}

export interface StmtModule {
  name: string;
  /** Ends the rule's verdict (accept, drop, jump, nat, reject); nothing may follow it. */
  terminal: boolean;
  parse(r: RuleScope, tok: Tok): TargetInstance | undefined;
}

const FILTER_REJECT_HOOKS: Hook[] = ['PREROUTING', 'INPUT', 'FORWARD', 'OUTPUT'];

/** `reject with icmp type NAME` -> the name the router's reject uses. */
const REJECT_ICMP: Dict<string> = dict({
  'net-unreachable': 'icmp-net-unreachable', 'host-unreachable': 'icmp-host-unreachable',
  'prot-unreachable': 'icmp-proto-unreachable', 'port-unreachable': 'icmp-port-unreachable',
  'net-prohibited': 'icmp-net-prohibited', 'host-prohibited': 'icmp-host-prohibited',
  'admin-prohibited': 'icmp-admin-prohibited',
});

/** icmpx (inet tables): one name for IPv4 and IPv6 (nft_reject_icmp_code). */
const REJECT_ICMPX: Dict<string> = dict({
  'no-route': 'icmp-net-unreachable', 'port-unreachable': 'icmp-port-unreachable',
  'host-unreachable': 'icmp-host-unreachable', 'admin-prohibited': 'icmp-admin-prohibited',
});

const simple = (name: string, module: string, terminal = true): StmtModule => ({
  name, terminal, parse: () => ({ module, opts: {} }),
});

const jump = (name: 'jump' | 'goto'): StmtModule => ({
  name, terminal: true,
  parse(r) {
    const t = r.c.expectName('a chain name');
    return { module: name === 'jump' ? 'JUMP' : 'GOTO', opts: { chain: t.text, tok: t } };
  },
});

const reject: StmtModule = {
  name: 'reject', terminal: true,
  parse(r, tok) {
    const c: Cursor = r.c;
    r.need({ hooks: FILTER_REJECT_HOOKS, what: 'reject', tok });
    let w = 'icmp-port-unreachable';
    if (c.isWord('with')) {
      c.next();
      const kind = c.expectWord('icmp, icmpx or tcp', ['icmp', 'icmpx', 'tcp']);
      if (kind.text === 'tcp') {
        c.expectWord('reset', ['reset']);
        r.requireL4('tcp');
        w = 'tcp-reset';
      } else {
        if (c.isWord('type')) c.next();
        const table = kind.text === 'icmp' ? REJECT_ICMP : REJECT_ICMPX;
        const t = c.next();
        const name = own(table, t.text);
        if (!name) c.fail(t, `an ${kind.text} type (${Object.keys(table).join(', ')})`, Object.keys(table), `unknown ${kind.text} type ${t.text}`);
        if (kind.text === 'icmpx' && r.family !== 'inet') {
          c.fail(kind, 'reject with icmp type ... (icmpx is for inet tables)', undefined, 'abstracted ICMP unreachable not supported (icmpx needs an inet table)');
        }
        w = name;
      }
    }
    return { module: 'REJECT', opts: { with: w } };
  },
};

const counter: StmtModule = {
  name: 'counter', terminal: false,
  parse(r) {
    const c: Cursor = r.c;
    for (const k of ['packets', 'bytes']) {
      if (c.isWord(k)) { c.next(); const n = c.next(); if (!/^[0-9]+$/.test(n.text)) c.fail(n, 'a number'); }
    }
    return undefined;
  },
};

const LOG_LEVELS = ['emerg', 'alert', 'crit', 'err', 'warn', 'notice', 'info', 'debug', 'audit'];
const LOG_FLAGS = ['tcp', 'ip', 'skuid', 'ether', 'all'];

const log: StmtModule = {
  name: 'log', terminal: false,
  parse(r) {
    const c: Cursor = r.c;
    let prefix: string | undefined;
    for (;;) {
      if (c.isWord('prefix')) {
        c.next();
        const t = c.next();
        if (t.kind !== 'string' && t.kind !== 'word') c.fail(t, 'a quoted prefix');
        if (t.text.length > 127) c.fail(t, 'a prefix of at most 127 characters', undefined, 'log prefix is too long');
        prefix = t.text;
      } else if (c.isWord('level')) {
        c.next(); c.expectWord(`a log level (${LOG_LEVELS.join(', ')})`, LOG_LEVELS);
      } else if (c.isWord('group') || c.isWord('snaplen') || c.isWord('queue-threshold')) {
        c.next(); const n = c.next(); if (!/^[0-9]+$/.test(n.text)) c.fail(n, 'a number');
      } else if (c.isWord('flags')) {
        c.next();
        c.expectWord(`a log flag (${LOG_FLAGS.join(', ')})`, LOG_FLAGS);
        if (c.isWord('sequence') || c.isWord('options')) { c.next(); if (c.peekPunct(',')) { c.next(); c.next(); } }
        while (c.peekPunct(',')) { c.next(); c.expectWord('a log flag', [...LOG_FLAGS, 'sequence', 'options']); }
      } else break;
    }
    return { module: 'LOG', opts: prefix !== undefined ? { prefix } : {} };
  },
};

const RATE_UNITS = ['second', 'minute', 'hour', 'day', 'week'];

/**
 * `limit rate [over] N/unit [burst N packets]`: the token bucket starts full
 * (burst 5 by default), so the few packets of one traced connection are under
 * any rate: `limit rate` lets them on, `limit rate over` stops the rule.
 */
const limit: StmtModule = {
  name: 'limit', terminal: false,
  parse(r, tok) {
    const c: Cursor = r.c;
    c.expectWord('rate', ['rate']);
    let over = false;
    if (c.isWord('over')) { c.next(); over = true; } else if (c.isWord('until')) c.next();
    const n = c.next();
    if (n.kind !== 'word' || !/^[0-9]+$/.test(n.text)) c.fail(n, 'a number (limit rate 10/second)');
    if (c.isWord()) c.expectWord('bytes, kbytes or mbytes', ['bytes', 'kbytes', 'mbytes']);
    c.expectPunct('/', '`/` and a unit (second, minute, hour, day)');
    c.expectWord(`a unit (${RATE_UNITS.join(', ')})`, RATE_UNITS);
    if (c.isWord('burst')) {
      c.next();
      const b = c.next();
      if (b.kind !== 'word' || !/^[0-9]+$/.test(b.text)) c.fail(b, 'a number');
      if (c.isWord('packets') || c.isWord('bytes') || c.isWord('kbytes') || c.isWord('mbytes')) c.next();
    }
    if (over) r.addMatch({ module: 'nft', opts: { keys: ['meta nfproto'], op: 'eq', elems: [], text: `limit rate over ... (${tok.line})` } });
    return undefined;
  },
};

const notrack: StmtModule = {
  name: 'notrack', terminal: false,
  parse: () => ({ module: 'NFT_NOTRACK', opts: {} }),
};

/** `random`, `fully-random`, `persistent` after a NAT statement (comma list). */
function natFlags(c: Cursor): { random?: boolean; persistent?: boolean } {
  const out: { random?: boolean; persistent?: boolean } = {};
  const names = ['random', 'fully-random', 'persistent'];
  if (!names.some((n) => c.isWord(n))) return out;
  for (;;) {
    const t = c.expectWord(names.join(', '), names);
    if (t.text === 'persistent') out.persistent = true; else out.random = true;
    if (!c.peekPunct(',')) break;
    c.next();
  }
  return out;
}

/** `:PORT[-PORT]` or `PORT[-PORT]`. */
function portRange(c: Cursor): { minPort: number; maxPort: number; tok: Tok } {
  if (c.peekPunct(':')) c.next();
  const svc = TYPES.inet_service as DataType;
  const a = parseScalar(c, svc);
  let hi = a.n as number;
  if (c.peekPunct('-')) { c.next(); hi = parseScalar(c, svc).n as number; }
  return { minPort: a.n as number, maxPort: hi, tok: a.tok };
}

function needL4(r: RuleScope, tok: Tok): void {
  if (!r.hasL4) r.c.fail(tok, 'a transport protocol match (tcp dport, meta l4proto tcp, ...) earlier in the rule', undefined, 'transport protocol mapping is only valid after transport protocol match');
}

const nat = (name: 'dnat' | 'snat'): StmtModule => ({
  name, terminal: true,
  parse(r, tok) {
    const c: Cursor = r.c;
    const kind = name === 'dnat' ? 'DNAT' : 'SNAT';
    r.need({ hooks: name === 'dnat' ? ['PREROUTING', 'OUTPUT'] : ['POSTROUTING', 'INPUT'], chainType: 'nat', what: name, tok });
    let family: string | undefined;
    if (c.isWord('ip') || c.isWord('ip6')) family = c.next().text;
    if (family === 'ip6') c.fail(c.lastTok() as Tok, 'ip (this simulator is IPv4)', undefined, 'ip6 NAT is not simulated');
    if (c.isWord('addr')) { c.next(); if (c.peekPunct('.')) { c.next(); c.expectWord('port', ['port']); } }
    const toTok = c.expectWord('to', ['to']);
    if (r.selectorAhead()) {
      if (r.family === 'inet' && !family && !r.ipv4) c.fail(tok, `${name} ip to ...`, undefined, 'ip or ip6 must be specified with address for inet tables.');
      const m = r.natMap(kind, toTok);
      const flags = natFlags(c);
      return { module: 'NFT_NATMAP', opts: { kind, keys: m.keys, entries: m.entries, ...flags, text: '' } };
    }
    const opts: { minIp?: string; maxIp?: string; minPort?: number; maxPort?: number; random?: boolean; persistent?: boolean } = {};
    if (!c.peekPunct(':')) {
      const a = c.next();
      if (a.kind !== 'word' || !isIp4(a.text)) c.fail(a, 'an IPv4 address, a range a-b, or :port', undefined, a.kind === 'word' && /^[0-9.]+$/.test(a.text) ? `not an IPv4 address: ${a.text}` : undefined);
      if (r.family === 'inet' && !family && !r.ipv4) c.fail(tok, `${name} ip to ${a.text}`, undefined, 'ip or ip6 must be specified with address for inet tables.');
      opts.minIp = a.text; opts.maxIp = a.text;
      if (c.peekPunct('-')) {
        c.next();
        const b = c.next();
        if (b.kind !== 'word' || !isIp4(b.text)) c.fail(b, 'the last IPv4 address of the range');
        if (ip4ToInt(b.text) < ip4ToInt(a.text)) c.fail(b, 'a range whose end is not below its start', undefined, 'Range has zero or negative size');
        opts.maxIp = b.text;
      }
    }
    if (c.peekPunct(':')) {
      const colon = c.peek();
      needL4(r, colon);
      const p = portRange(c);
      opts.minPort = p.minPort; opts.maxPort = p.maxPort;
    }
    Object.assign(opts, natFlags(c));
    return { module: kind, opts };
  },
});

/** masquerade and redirect: NAT to the router's own address, with an optional `to :PORTS` and flags. */
function ownAddressNat(name: 'masquerade' | 'redirect', module: 'MASQUERADE' | 'REDIRECT', hooks: Hook[]): StmtModule {
  return {
    name, terminal: true,
    parse(r, tok) {
      const c: Cursor = r.c;
      r.need({ hooks, chainType: 'nat', what: name, tok });
      const opts: { minPort?: number; maxPort?: number; random?: boolean } = {};
      if (c.isWord('to')) {
        const t = c.next();
        needL4(r, t);
        const p = portRange(c);
        opts.minPort = p.minPort; opts.maxPort = p.maxPort;
      }
      Object.assign(opts, natFlags(c));
      return { module, opts };
    },
  };
}
const masquerade = ownAddressNat('masquerade', 'MASQUERADE', ['POSTROUTING']);
const redirect = ownAddressNat('redirect', 'REDIRECT', ['PREROUTING', 'OUTPUT']);

const ALL: StmtModule[] = [
  simple('accept', 'ACCEPT'), simple('drop', 'DROP'), simple('return', 'RETURN'), simple('continue', 'PASSTHROUGH'),
  jump('jump'), jump('goto'), reject, counter, log, limit, notrack, nat('dnat'), nat('snat'), masquerade, redirect,
];

export const STATEMENTS: Dict<StmtModule> = dict(ALL.map((s) => [s.name, s] as const));

export function statement(word: string): StmtModule | undefined {
  return own(STATEMENTS, word);
}

/** Verdicts a verdict map may give. */
export const MAP_VERDICTS = ['accept', 'drop', 'return', 'continue', 'jump', 'goto'];

/** Statements nft has that the simulator does not run (named in the error instead of "unknown"). */
export const UNSUPPORTED_STATEMENTS = ['meta', 'ct', 'queue', 'quota', 'set', 'update', 'add', 'tproxy', 'synproxy', 'flow', 'dup', 'fwd', 'mark', 'numgen', 'tcp', 'osf'];
