/**
 * nftables rules text (what `nft -f` loads and `nft list ruleset` prints) ->
 * the neutral rule model. Tables of family ip and inet hold base chains (a
 * hook, a priority, a type) and regular chains; rules are matches (relations
 * read by ./selectors.ts), statements (./statements.ts) and verdict or NAT
 * maps. What nft or the kernel refuses is refused here with its reason,
 * checked against nft 1.0.6 (`nft -c -f`, and loading in a namespace).
 */
import { NatTraceError, suggest } from '../../errors';
import type { Chain, ChainType, Hook, MatchInstance, Rule, Ruleset, RuleWarning, TargetInstance } from '../model';
import { PRIORITY } from '../model';
import { checkJumps } from '../jumps';
import { dict, own } from '../../dict';
import type { Dict } from '../../dict';
import { lex } from './lex';
import type { Tok } from './lex';
import { Cursor } from './cursor';
import { selector, SELECTORS, SELECTOR_HEADS, selectorTails } from './selectors';
import type { Selector } from './selectors';
import { dataType, TYPES, SET_TYPE_NAMES } from './types';
import type { DataType } from './types';
import { parseAtom, parseElem, parseScalar } from './values';
import type { Elem, NatMapEntry, NftMatchOpts, RelOp, VmapTargetOpts } from './modules';
import { statement, STATEMENTS, MAP_VERDICTS, UNSUPPORTED_STATEMENTS } from './statements';
import type { RuleScope, StmtNeeds } from './statements';
import './modules';

const FAMILIES = ['ip', 'ip6', 'inet', 'arp', 'bridge', 'netdev'];
/** Header fields nft has that the simulated packets do not carry: named in the error, not "unknown". */
const NOT_SIMULATED_FIELDS = ['ip ttl', 'ip length', 'ip id', 'ip dscp', 'ip ecn', 'ip version', 'ip hdrlength', 'ip checksum', 'ip frag-off',
  'tcp sequence', 'tcp ackseq', 'tcp window', 'tcp checksum', 'tcp urgptr', 'tcp doff', 'udp length', 'udp checksum',
  'meta length', 'meta priority', 'meta cpu', 'meta cgroup', 'meta time', 'meta day', 'meta hour', 'ct bytes', 'ct packets', 'ct expiration', 'ct helper', 'ct label', 'ct zone', 'ct count'];
const HOOK_NAMES: Dict<Hook> = dict({ prerouting: 'PREROUTING', input: 'INPUT', forward: 'FORWARD', output: 'OUTPUT', postrouting: 'POSTROUTING' });
const CHAIN_TYPES = ['filter', 'nat', 'route'];
const NAT_HOOKS: Hook[] = ['PREROUTING', 'INPUT', 'OUTPUT', 'POSTROUTING'];
const NAMED_PRIORITIES: Dict<number> = dict({ raw: PRIORITY.raw, mangle: PRIORITY.mangle, dstnat: PRIORITY.dstnat, filter: PRIORITY.filter, security: PRIORITY.security, srcnat: PRIORITY.srcnat });

interface NamedSet {
  name: string;
  tok: Tok;
  keyTypes: DataType[];
  /** Map data: a verdict, or data types (an address, an address . port). */
  data?: 'verdict' | DataType[];
  interval: boolean;
  constant: boolean;
  elems: Elem[];
  verdicts: Array<{ elem: Elem; verdict: TargetInstance }>;
  nat: NatMapEntry[];
}

interface TableState {
  family: string;
  name: string;
  key: string;
  chains: Dict<Chain>;
  sets: Dict<NamedSet>;
  /** Another family than ip/inet: parsed and left out (it never sees IPv4 packets). */
  ignored: boolean;
  dormant: boolean;
  tok: Tok;
}

interface PendingSet {
  table: TableState;
  name: string;
  tok: Tok;
  keyTypes: DataType[];
  use: 'set' | 'vmap' | 'natmap';
  fill(s: NamedSet): void;
}

interface RuleMeta { needs: StmtNeeds[]; jumps: Array<{ chain: string; tok: Tok }> }

export interface NftParseEnv {
  /** The router's interfaces: `iif`/`oif` refuse a name that does not exist, as the kernel does. */
  interfaces?: string[];
}

const typeOf = (name: string): DataType => TYPES[name] as DataType;
const typesText = (ts: DataType[]): string => ts.map((t) => t.name).join(' . ');

class NftParser {
  private readonly c: Cursor;
  private tables: TableState[] = [];
  private chainOrder: Chain[] = [];
  private pending: PendingSet[] = [];
  private readonly meta = new Map<Rule, RuleMeta>();
  readonly warnings: RuleWarning[] = [];

  constructor(private readonly text: string, private readonly env: NftParseEnv) {
    this.c = new Cursor(lex(text));
  }

  parse(): Ruleset {
    const c: Cursor = this.c;
    for (;;) {
      c.skipSeparators();
      const t = c.peek();
      if (t.kind === 'eof') break;
      this.command();
    }
    return this.finish();
  }

  // --- top level -------------------------------------------------------------

  private command(): void {
    const c: Cursor = this.c;
    const t = c.next();
    const top = ['table', 'define', 'flush', 'add', 'create', 'insert', 'include', 'delete'];
    if (t.kind !== 'word') c.fail(t, `a command (${top.join(', ')})`);
    switch (t.text) {
      case 'table': return this.tableCmd(false);
      case 'define': case 'redefine': return this.define();
      case 'flush': return this.flush();
      case 'add': case 'create': case 'insert': return this.addCmd(t);
      case 'include': return c.fail(t, 'the included file\'s text pasted in', undefined, 'include is not supported: paste the file\'s rules instead');
      default: return c.fail(t, `a command (${top.join(', ')})`, [...top, 'redefine'], `unknown command ${t.text}`);
    }
  }

  private define(): void {
    const c: Cursor = this.c;
    const name = c.expectWord('a variable name');
    c.expectPunct('=', '`=` after the variable name');
    const body = c.restOfValue();
    if (!body.length) c.fail(c.peek(), 'a value after =');
    c.defines.set(name.text, body);
    c.endStatement('define');
  }

  private flush(): void {
    const c: Cursor = this.c;
    const what = c.expectWord('ruleset, table or chain', ['ruleset', 'table', 'chain']);
    if (what.text === 'ruleset') {
      if (c.isWord() && FAMILIES.includes(c.peek().text)) {
        const fam = c.next().text;
        this.tables = this.tables.filter((x) => x.family !== fam);
      } else this.tables = [];
      this.chainOrder = this.chainOrder.filter((ch) => this.tables.some((x) => x.key === ch.table));
    } else if (what.text === 'table') {
      const ts = this.findTable(true);
      for (const ch of Object.values(ts.chains)) ch.rules = [];
    } else {
      const ts = this.findTable(true);
      this.findChain(ts).rules = [];
    }
    c.endStatement(`flush ${what.text}`);
  }

  private familyAndName(what: string): { family: string; name: Tok } {
    const c: Cursor = this.c;
    let family = 'ip';
    const first = c.peek();
    if (first.kind === 'word' && FAMILIES.includes(first.text) && (c.peek(1).kind === 'word' || c.peek(1).kind === 'string')) {
      family = c.next().text;
    }
    return { family, name: c.expectName(what) };
  }

  private findTable(mustExist: boolean, create?: { family: string; name: Tok }): TableState {
    const { family, name } = create ?? this.familyAndName('a table name');
    const key = `${family} ${name.text}`;
    let ts = this.tables.find((x) => x.key === key);
    if (!ts) {
      if (mustExist) {
        this.c.fail(name, 'a table declared before', this.tables.map((x) => x.name), `no table ${key} (Could not process rule: No such file or directory)`);
      }
      ts = { family, name: name.text, key, chains: dict(), sets: dict(), ignored: family !== 'ip' && family !== 'inet' && family !== 'netdev', dormant: false, tok: name };
      if (ts.ignored) this.warnings.push({ message: `table ${key}: a ${family} table never sees the IPv4 packets this simulator traces; it is left out`, line: name.line });
      this.tables.push(ts);
    }
    return ts;
  }

  private findChain(ts: TableState): Chain {
    const name = this.c.expectName('a chain name');
    const ch = own(ts.chains, name.text);
    if (!ch) this.c.fail(name, `a chain of table ${ts.key}`, Object.keys(ts.chains), `no chain ${name.text} in table ${ts.key} (Could not process rule: No such file or directory)`);
    return ch;
  }

  private addCmd(verb: Tok): void {
    const c: Cursor = this.c;
    const what = c.expectWord('table, chain, rule, set, map or element', ['table', 'chain', 'rule', 'set', 'map', 'element']);
    if (verb.text === 'insert' && what.text !== 'rule') c.fail(what, 'rule', ['rule'], 'insert adds rules only');
    switch (what.text) {
      case 'table': return this.tableCmd(true);
      case 'chain': {
        const ts = this.findTable(true);
        const name = c.expectName('a chain name');
        const ch = this.chain(ts, name);
        if (c.peekPunct('{')) { c.next(); this.chainBody(ts, ch); }
        return c.endStatement('the chain');
      }
      case 'rule': {
        const ts = this.findTable(true);
        const ch = this.findChain(ts);
        let at: number | undefined;
        if (c.isWord('position') || c.isWord('handle') || c.isWord('index')) c.fail(c.peek(), 'the rule itself', undefined, `${c.peek().text} is not supported: rules go in the order written`);
        if (verb.text === 'insert') at = 0;
        this.rule(ts, ch, false, at);
        return;
      }
      case 'set': case 'map': {
        const ts = this.findTable(true);
        this.setDecl(ts, what.text === 'map');
        return c.endStatement(`the ${what.text}`);
      }
      default: {
        const ts = this.findTable(true);
        const name = c.expectName('a set name');
        const s = own(ts.sets, name.text);
        if (!s) c.fail(name, `a set of table ${ts.key}`, Object.keys(ts.sets), `no set ${name.text} in table ${ts.key}`);
        this.elements(s);
        return c.endStatement('the elements');
      }
    }
  }

  // --- tables, chains, sets ----------------------------------------------------

  private tableCmd(viaAdd: boolean): void {
    const c: Cursor = this.c;
    const fn = this.familyAndName('a table name');
    const ts = this.findTable(false, fn);
    if (c.peekPunct('{')) {
      c.next();
      this.tableBody(ts);
    } else if (!viaAdd) c.fail(c.peek(), '`{` and the table\'s chains');
    c.endStatement('the table');
  }

  private tableBody(ts: TableState): void {
    const c: Cursor = this.c;
    const items = ['chain', 'set', 'map', 'flags', 'comment'];
    for (;;) {
      c.skipSeparators();
      const t = c.next();
      if (t.kind === 'punct' && t.text === '}') return;
      if (t.kind !== 'word') c.fail(t, `a table item (${items.join(', ')}) or }`);
      switch (t.text) {
        case 'chain': {
          const name = c.expectName('a chain name');
          const ch = this.chain(ts, name);
          c.expectPunct('{', '`{` after the chain name');
          this.chainBody(ts, ch);
          c.endStatement('the chain');
          break;
        }
        case 'set': case 'map':
          this.setDecl(ts, t.text === 'map');
          c.endStatement(`the ${t.text}`);
          break;
        case 'flags': {
          const f = c.expectWord('dormant', ['dormant', 'owner', 'persist']);
          if (f.text === 'dormant') ts.dormant = true;
          c.endStatement('flags');
          break;
        }
        case 'comment':
          this.commentString();
          c.endStatement('the comment');
          break;
        case 'flowtable': case 'counter': case 'quota': case 'ct': case 'limit': case 'synproxy': case 'secmark':
          c.fail(t, `a table item (${items.join(', ')})`, undefined, `${t.text} objects are not simulated (flow offload and stateful objects change what the hooks see)`);
          break;
        default:
          c.fail(t, `a table item (${items.join(', ')})`, items, `unknown table item ${t.text}`);
      }
    }
  }

  private commentString(): string {
    const t = this.c.next();
    if (t.kind !== 'string') this.c.fail(t, 'a quoted comment');
    if (t.text.length > 128) this.c.fail(t, 'a comment of at most 128 characters', undefined, 'comment too long');
    return t.text;
  }

  private chain(ts: TableState, name: Tok): Chain {
    let ch = own(ts.chains, name.text);
    if (!ch) {
      if (name.text.length > 255) this.c.fail(name, 'a chain name of at most 255 characters', undefined, 'chain name too long');
      ch = { table: ts.key, name: name.text, builtin: false, rules: [] };
      ts.chains[name.text] = ch;
      this.chainOrder.push(ch);
    }
    return ch;
  }

  private chainBody(ts: TableState, ch: Chain): void {
    const c: Cursor = this.c;
    for (;;) {
      c.skipSeparators();
      const t = c.peek();
      if (t.kind === 'punct' && t.text === '}') { c.next(); return; }
      if (t.kind === 'eof') c.fail(t, '`}` to close chain ' + ch.name);
      if (t.kind === 'word' && t.text === 'type') { c.next(); this.hookSpec(ts, ch, t); continue; }
      if (t.kind === 'word' && t.text === 'policy') { c.next(); this.policy(ch, t); continue; }
      if (t.kind === 'word' && t.text === 'comment' && this.isChainComment()) { c.next(); this.commentString(); c.endStatement('the comment'); continue; }
      this.rule(ts, ch, true);
    }
  }

  /** `comment "..."` alone on its line is the chain's comment; after a rule's matches it is the rule's. */
  private isChainComment(): boolean {
    const after = this.c.peek(2);
    return this.c.peek(1).kind === 'string' && (after.kind === 'nl' || (after.kind === 'punct' && after.text === ';'));
  }

  private hookSpec(ts: TableState, ch: Chain, typeTok: Tok): void {
    const c: Cursor = this.c;
    const type = c.expectWord(`a chain type (${CHAIN_TYPES.join(', ')})`, CHAIN_TYPES);
    c.expectWord('hook', ['hook']);
    const hookTok = c.next();
    const netdev = ts.family === 'netdev';
    if (netdev && hookTok.text !== 'ingress') c.fail(hookTok, 'ingress (a netdev table hooks ingress, with a device)', ['ingress'], `a netdev chain cannot hang on ${hookTok.text}`);
    const hook = netdev ? 'PREROUTING' : own(HOOK_NAMES, hookTok.text);
    if (!hook) c.fail(hookTok, `a hook (${Object.keys(HOOK_NAMES).join(', ')})`, [...Object.keys(HOOK_NAMES), 'ingress'], hookTok.text === 'ingress' ? 'the ingress hook is for netdev tables' : `unknown hook ${hookTok.text}`);
    let device: string | undefined;
    if (c.isWord('device')) {
      const d = c.next();
      if (!netdev) c.fail(d, 'priority', undefined, 'device is for netdev and ingress chains');
      const name = c.expectName('a device name');
      if (this.env.interfaces && !this.env.interfaces.includes(name.text)) c.fail(name, `one of ${this.env.interfaces.join(', ')}`, this.env.interfaces, `no device ${name.text} (Could not process rule: No such file or directory)`);
      device = name.text;
    } else if (netdev) c.fail(c.peek(), 'device "NAME" before priority', undefined, 'a netdev ingress chain needs a device (Missing `device\' in this chain definition)');
    c.expectWord('priority', ['priority']);
    const prio = this.priority(hook);
    if (netdev && type.text !== 'filter') c.fail(type, 'filter (the only chain type at ingress)', ['filter'], `a ${type.text} chain cannot hang on ingress`);
    const chainType: ChainType = type.text === 'nat' ? 'nat' : 'filter';
    if (type.text === 'nat' && !NAT_HOOKS.includes(hook)) c.fail(hookTok, 'prerouting, input, output or postrouting for a nat chain', undefined, `a nat chain cannot hang on ${hookTok.text} (Could not process rule: Operation not supported)`);
    if (type.text === 'route' && hook !== 'OUTPUT') c.fail(hookTok, 'output for a route chain', undefined, `a route chain cannot hang on ${hookTok.text} (Could not process rule: Operation not supported)`);
    if (type.text === 'nat' && prio <= PRIORITY.conntrack) c.fail(typeTok, 'a priority above -200 (conntrack) for a nat chain', undefined, `a nat chain needs a priority above -200 (Could not process rule: Operation not supported)`);
    if (ch.base && (ch.base.hook !== hook || ch.base.type !== chainType || ch.base.priority !== prio)) c.fail(typeTok, 'the same type, hook and priority as before', undefined, `chain ${ch.name} is declared again with another hook (Could not process rule: Operation not supported)`);
    if (!ch.base && ch.rules.length === 0 && ch.builtin === false && this.jumpedTo(ch)) { /* checked at the end */ }
    // Ingress comes before every IPv4 hook: below any priority a PREROUTING chain can have.
    ch.base = device !== undefined ? { hook, priority: -1e9 + prio, type: chainType, device } : { hook, priority: prio, type: chainType };
    ch.declared = this.slice(typeTok, c.lastTok() as Tok);
    ch.builtin = true;
    if (!ch.policy) ch.policy = 'ACCEPT';
    c.endStatement('the hook declaration');
  }

  private jumpedTo(_ch: Chain): boolean {
    return false;
  }

  private priority(hook: Hook): number {
    const c: Cursor = this.c;
    const t = c.next();
    let base: number;
    if (t.kind === 'punct' && t.text === '-') {
      const n = c.next();
      if (n.kind !== 'word' || !/^[0-9]+$/.test(n.text)) c.fail(n, 'a number after -');
      return -Number(n.text);
    }
    if (t.kind !== 'word') c.fail(t, 'a priority (a number or raw, mangle, dstnat, filter, security, srcnat)');
    if (/^[0-9]+$/.test(t.text)) return Number(t.text);
    const named = own(NAMED_PRIORITIES, t.text);
    if (named === undefined) c.fail(t, 'a number or raw, mangle, dstnat, filter, security, srcnat', Object.keys(NAMED_PRIORITIES), `invalid priority expression value in this context: ${t.text}`);
    // dstnat and srcnat belong to prerouting and postrouting (std_prio_family_hook_compat).
    if ((t.text === 'dstnat' && hook !== 'PREROUTING') || (t.text === 'srcnat' && hook !== 'POSTROUTING')) {
      c.fail(t, t.text === 'dstnat' ? 'dstnat only at the prerouting hook (use -100 elsewhere)' : 'srcnat only at the postrouting hook (use 100 elsewhere)', undefined, `invalid priority expression value in this context: ${t.text} at ${hook.toLowerCase()}`);
    }
    base = named;
    if (c.peekPunct('+') || c.peekPunct('-')) {
      const sign = c.next().text === '+' ? 1 : -1;
      const n = c.next();
      if (n.kind !== 'word' || !/^[0-9]+$/.test(n.text)) c.fail(n, 'a number after the sign');
      base += sign * Number(n.text);
    }
    return base;
  }

  private policy(ch: Chain, tok: Tok): void {
    const c: Cursor = this.c;
    const p = c.expectWord('accept or drop', ['accept', 'drop']);
    if (!ch.base) c.fail(tok, 'a policy only in a base chain (after its type ... hook ... priority)', undefined, 'a regular chain has no policy (Could not process rule: Operation not supported)');
    ch.policy = p.text === 'drop' ? 'DROP' : 'ACCEPT';
    c.endStatement('the policy');
  }

  private setDecl(ts: TableState, isMap: boolean): void {
    const c: Cursor = this.c;
    const name = c.expectName(`a ${isMap ? 'map' : 'set'} name`);
    if (own(ts.sets, name.text)) c.fail(name, 'a new name', undefined, `${name.text} is declared twice in table ${ts.key} (File exists)`);
    c.expectPunct('{', '`{` after the name');
    const s: NamedSet = { name: name.text, tok: name, keyTypes: [], interval: false, constant: false, elems: [], verdicts: [], nat: [] };
    let elementsAt: number | undefined;
    const items = ['type', 'typeof', 'flags', 'elements', 'comment', 'size', 'policy', 'auto-merge', 'timeout', 'gc-interval', 'counter'];
    for (;;) {
      c.skipSeparators();
      const t = c.next();
      if (t.kind === 'punct' && t.text === '}') break;
      if (t.kind !== 'word') c.fail(t, `a set item (${items.join(', ')}) or }`);
      switch (t.text) {
        case 'type': {
          s.keyTypes = this.typeList();
          if (isMap) {
            c.expectPunct(':', '`:` and the type of the map\'s values');
            if (c.isWord('verdict')) { c.next(); s.data = 'verdict'; } else s.data = this.typeList();
          }
          c.endStatement('the type');
          break;
        }
        case 'typeof': {
          const keys = this.keys(new SelectorScopeStub());
          s.keyTypes = keys.map((k) => typeOf((selector(k) as Selector).type));
          if (isMap) {
            c.expectPunct(':', '`:` and the type of the map\'s values');
            if (c.isWord('verdict')) { c.next(); s.data = 'verdict'; } else s.data = this.keys(new SelectorScopeStub()).map((k) => typeOf((selector(k) as Selector).type));
          }
          c.endStatement('typeof');
          break;
        }
        case 'flags': {
          const flags = ['interval', 'constant', 'timeout', 'dynamic'];
          for (;;) {
            const f = c.expectWord(`a set flag (${flags.join(', ')})`, flags);
            if (f.text === 'interval') s.interval = true;
            if (f.text === 'constant') s.constant = true;
            if (!c.peekPunct(',')) break;
            c.next();
          }
          c.endStatement('the flags');
          break;
        }
        case 'elements': {
          if (!s.keyTypes.length) c.fail(t, 'type ... before elements', undefined, `set ${name.text} needs a type before its elements`);
          c.expectPunct('=', '`=` after elements');
          elementsAt = t.line;
          this.elements(s);
          if (!c.peekPunct('}')) c.endStatement('the elements');
          break;
        }
        case 'comment': this.commentString(); c.endStatement('the comment'); break;
        case 'size': case 'gc-interval': { const n = c.next(); if (!/^[0-9]+[smhd]?$/.test(n.text)) c.fail(n, 'a number'); c.endStatement(t.text); break; }
        case 'timeout': { c.next(); c.endStatement('the timeout'); break; }
        case 'policy': c.expectWord('performance or memory', ['performance', 'memory']); c.endStatement('the policy'); break;
        case 'auto-merge': c.endStatement('auto-merge'); break;
        case 'counter': c.endStatement('counter'); break;
        default: c.fail(t, `a set item (${items.join(', ')})`, items, `unknown set item ${t.text}`);
      }
    }
    if (!s.keyTypes.length) c.fail(name, 'a type line (type ipv4_addr; ...)', undefined, `set ${name.text} has no type (set definition does not specify key)`);
    if (isMap && !s.data) c.fail(name, 'a map type KEY : VALUE', undefined, `map ${name.text} has no value type`);
    void elementsAt;
    ts.sets[name.text] = s;
  }

  private typeList(): DataType[] {
    const c: Cursor = this.c;
    const out: DataType[] = [];
    for (;;) {
      const t = c.expectWord(`a data type (${SET_TYPE_NAMES.join(', ')})`);
      const dt = dataType(t.text);
      if (!dt || dt.name === 'verdict') c.fail(t, `a data type (${SET_TYPE_NAMES.join(', ')})`, SET_TYPE_NAMES, `unknown datatype ${t.text}`);
      out.push(dt);
      if (!c.peekPunct('.')) break;
      c.next();
    }
    return out;
  }

  /** `{ e, e, ... }` into a named set or map. */
  private elements(s: NamedSet): void {
    const c: Cursor = this.c;
    c.expectPunct('{', '`{` and the elements');
    this.elemList((atTok) => {
      const e = parseElem(c, s.keyTypes);
      if (e.ranged && !s.interval && s.keyTypes.some((t) => !t.string)) {
        c.fail(e.tok, `flags interval in the declaration of ${s.name}`, undefined, `You must add 'flags interval' to your set declaration if you want to add prefix or range elements (set ${s.name})`);
      }
      if (s.data === undefined) { s.elems.push(e.elem); return; }
      c.expectPunct(':', '`:` and the value for this key');
      if (s.data === 'verdict') {
        const v = this.mapVerdict();
        s.elems.push(e.elem);
        s.verdicts.push({ elem: e.elem, verdict: v.target });
        this.pendingJumps.push(...v.jumps);
      } else {
        s.elems.push(e.elem);
        s.nat.push(this.natData(e.elem, s.data));
      }
      void atTok;
    });
  }

  private pendingJumps: Array<{ chain: string; tok: Tok }> = [];

  /** Elements separated by commas, newlines allowed, up to the closing `}`. */
  private elemList(one: (tok: Tok) => void): void {
    const c: Cursor = this.c;
    c.skipNewlines();
    if (c.peekPunct('}')) { c.next(); return; }
    for (;;) {
      c.skipNewlines();
      one(c.peek());
      c.skipNewlines();
      const t = c.next();
      if (t.kind === 'punct' && t.text === '}') return;
      if (t.kind !== 'punct' || t.text !== ',') c.fail(t, '`,` or `}` in the set');
      c.skipNewlines();
      if (c.peekPunct('}')) { c.next(); return; }
    }
  }

  private mapVerdict(): { target: TargetInstance; jumps: Array<{ chain: string; tok: Tok }> } {
    const c: Cursor = this.c;
    const v = c.next();
    if (v.kind !== 'word' || !MAP_VERDICTS.includes(v.text)) c.fail(v, `a verdict (${MAP_VERDICTS.join(', ')})`, MAP_VERDICTS, v.kind === 'word' ? `${v.text} is not a verdict a map can give` : undefined);
    if (v.text === 'jump' || v.text === 'goto') {
      const t = c.expectName('a chain name');
      return { target: { module: v.text === 'jump' ? 'JUMP' : 'GOTO', opts: { chain: t.text } }, jumps: [{ chain: t.text, tok: t }] };
    }
    const mod = v.text === 'accept' ? 'ACCEPT' : v.text === 'drop' ? 'DROP' : v.text === 'return' ? 'RETURN' : 'PASSTHROUGH';
    return { target: { module: mod, opts: {} }, jumps: [] };
  }

  /** The value of a NAT map element: an address (or range), and a port after `.` when the map has one. */
  private natData(elem: Elem, data: DataType[]): NatMapEntry {
    const c: Cursor = this.c;
    const out: NatMapEntry = { elem };
    data.forEach((t, i) => {
      if (i > 0) c.expectPunct('.', '`.` between address and port');
      const a = parseAtom(c, t);
      const iv = a.atom as { lo: number; hi: number };
      if (t.name === 'ipv4_addr') { out.minIp = iv.lo; out.maxIp = iv.hi; } else if (t.name === 'inet_service') { out.minPort = iv.lo; out.maxPort = iv.hi; } else c.fail(a.tok, 'an address or a port', undefined, `a NAT map gives addresses and ports, not ${t.name}`);
    });
    return out;
  }

  // --- rules -------------------------------------------------------------------

  /** Selector keys, joined by `.` for a concatenation. */
  private keys(scope: { onSelector(s: Selector, tok: Tok): void }): string[] {
    const c: Cursor = this.c;
    const out: string[] = [];
    for (;;) {
      const tok = c.peek();
      const s = this.selectorAt();
      scope.onSelector(s, tok);
      out.push(s.id);
      if (!c.peekPunct('.')) break;
      c.next();
    }
    return out;
  }

  /** Read one selector (`ip saddr`, `ct state`, `fib daddr . iif type`, `iifname`). */
  private selectorAt(): Selector {
    const c: Cursor = this.c;
    const head = c.next();
    if (head.kind !== 'word') c.fail(head, 'a match (ip saddr, tcp dport, ct state, ...) or a statement (accept, drop, dnat, ...)');
    if (head.text === 'fib') {
      const which = c.expectWord('saddr or daddr', ['saddr', 'daddr']);
      let id = `fib ${which.text}`;
      while (c.peekPunct('.')) {
        c.next();
        const dev = c.expectWord('iif, oif or mark', ['iif', 'oif', 'mark']);
        // The packet mark is always 0 here: `. mark` changes no lookup.
        if (dev.text !== 'mark') id += ` . ${dev.text}`;
      }
      const res = c.expectWord('type or oif', ['type', 'oif', 'oifname']);
      if (res.text === 'oifname') c.fail(res, 'type or oif', ['type', 'oif'], 'fib ... oifname is not simulated; fib ... oif exists|missing and fib ... type are');
      const s = selector(`${id} ${res.text}`);
      if (!s) c.fail(res, 'fib saddr . iif oif, fib daddr type, fib daddr . iif type, ...', undefined, `fib ${id.slice(4)} ${res.text} is not a lookup nft has`);
      return s;
    }
    const one = selector(head.text);
    if (one && !(head.text === 'ct' || head.text === 'meta')) return one;
    const tails = selectorTails(head.text);
    if (!tails.length) {
      const words = [...SELECTOR_HEADS, ...Object.keys(STATEMENTS), 'comment'];
      if (UNSUPPORTED_STATEMENTS.includes(head.text)) c.fail(head, 'a match or statement the simulator runs', undefined, `${head.text} is not simulated`);
      c.fail(head, 'a match (ip saddr, tcp dport, ct state, iifname, fib daddr type, ...) or a statement (accept, drop, reject, jump, dnat, snat, masquerade, redirect, counter, log, notrack)', words, `unknown match or statement ${head.text}`);
    }
    const w = c.next();
    if (head.text === 'ct' && (w.text === 'original' || w.text === 'reply')) {
      if (c.isWord('ip')) c.next();
      const f = c.expectWord('saddr or daddr', ['saddr', 'daddr']);
      return selector(`ct ${w.text} ${f.text}`) as Selector;
    }
    const s = w.kind === 'word' ? selector(`${head.text} ${w.text}`) : undefined;
    if (!s && w.kind === 'word' && NOT_SIMULATED_FIELDS.includes(`${head.text} ${w.text}`)) {
      c.fail(w, 'a match the simulator runs', undefined, `${head.text} ${w.text} is not simulated (packets carry no such field here)`);
    }
    if (!s) {
      const simpleTails = tails.filter((x) => !x.includes(' '));
      c.fail(w, `${head.text} ${simpleTails.join('|')}`, simpleTails, `unknown ${head.text} field ${w.text}`);
    }
    return s;
  }

  /** `tcp option maxseg size set (rt mtu | N)`; matches on TCP options are not simulated. */
  private tcpOptionSet(scope: RuleScope, meta: { needs: StmtNeeds[] }): void {
    const c: Cursor = this.c;
    const tcp = c.next();
    c.next(); // option
    const opt = c.expectWord('maxseg', ['maxseg']);
    c.expectWord('size', ['size']);
    if (!c.isWord('set')) c.fail(c.peek(), 'set', ['set'], `matching tcp option ${opt.text} is not simulated (packets carry no TCP options here)`);
    c.next();
    if (c.isWord('rt')) {
      const rt = c.next();
      c.expectWord('mtu', ['mtu']);
      // The route's MTU is known only once the packet is routed (nft_rt_validate).
      meta.needs.push({ hooks: ['FORWARD', 'OUTPUT', 'POSTROUTING'], what: 'rt mtu', tok: rt });
    } else {
      const n = c.next();
      if (n.kind !== 'word' || !/^\d+$/.test(n.text)) c.fail(n, 'rt mtu or a size (0-65535)', ['rt']);
      if (Number(n.text) > 65535) c.fail(n, 'a size (0-65535)', undefined, `Value ${n.text} exceeds valid range 0-65535`);
    }
    // nft puts its protocol dependency before the statement (`meta l4proto tcp`): a rule
    // reaching it with another protocol stops there. Unlike `reject with tcp reset`, nft
    // does not refuse the conflict (seen with nft 1.0.6).
    if (scope.l4 !== 'tcp') {
      scope.addMatch({ module: 'nft', opts: { keys: ['meta l4proto'], op: 'eq', elems: [[{ lo: 6, hi: 6 }]], text: 'meta l4proto tcp' } satisfies NftMatchOpts });
      if (!scope.l4) scope.l4 = 'tcp';
    }
    void tcp;
  }

  private rule(ts: TableState, ch: Chain, inBlock: boolean, at?: number): void {
    const c: Cursor = this.c;
    const start = c.peek();
    const matches: MatchInstance[] = [];
    const meta: RuleMeta = { needs: [], jumps: [] };
    let target: TargetInstance | undefined;
    let terminalTok: Tok | undefined;
    let log: TargetInstance | undefined;
    let notrack = false;
    let comment: string | undefined;
    let last: Tok = start;
    const self = this;
    const scope: RuleScope & { onSelector(s: Selector, tok: Tok): void; ifIndex: boolean } = {
      c, family: ts.family, hasL4: false, l4: undefined,
      requireL4(proto) {
        if (scope.l4 === proto) return;
        if (scope.l4 && scope.l4 !== proto) c.fail(c.lastTok() as Tok, `a rule about ${proto}`, undefined, `you cannot use tcp reset with this protocol (${scope.l4})`);
        scope.l4 = proto;
        matches.push({ module: 'nft', opts: { keys: ['meta l4proto'], op: 'eq', elems: [[{ lo: 6, hi: 6 }]], text: 'meta l4proto tcp' } satisfies NftMatchOpts });
      },
      natMap(kind) {
        const keys = self.keys(scope);
        const types = keys.map((k) => typeOf((selector(k) as Selector).type));
        const mt = c.expectWord('map', ['map']);
        const entries: NatMapEntry[] = [];
        const m: NftMatchOpts = { keys, op: 'eq', elems: [], text: '' };
        if (c.peek().kind === 'setref') {
          const ref = c.next();
          self.pending.push({ table: ts, name: ref.text, tok: ref, keyTypes: types, use: 'natmap', fill(s) {
            if (!Array.isArray(s.data) || s.data[0].name !== 'ipv4_addr') c.fail(ref, 'a map of ipv4_addr values', undefined, `map ${s.name} does not give IPv4 addresses (datatype mismatch)`);
            m.elems = s.elems; entries.push(...s.nat);
          } });
        } else {
          c.expectPunct('{', '`{` and the map\'s elements, or @NAME');
          self.elemList(() => {
            const e = parseElem(c, types);
            c.expectPunct(':', '`:` and the address for this key');
            const data = [typeOf('ipv4_addr')];
            // `address . port` in the value: nft wants a port match before it as for `to :port`.
            const save = c.peek();
            void save;
            const entry = self.natData(e.elem, data);
            if (c.peekPunct('.')) {
              if (!scope.hasL4) c.fail(c.peek(), 'a transport protocol match earlier in the rule', undefined, 'transport protocol mapping is only valid after transport protocol match');
              c.next();
              const p = parseAtom(c, typeOf('inet_service'));
              const iv = p.atom as { lo: number; hi: number };
              entry.minPort = iv.lo; entry.maxPort = iv.hi;
            }
            m.elems.push(e.elem);
            entries.push(entry);
          });
        }
        void mt;
        m.text = keys.join(' . ');
        matches.push({ module: 'nft', opts: m });
        return { keys, entries };
      },
      selectorAhead() {
        const t = c.peek();
        return t.kind === 'word' && (selector(t.text) !== undefined || selectorTails(t.text).length > 0 || t.text === 'fib');
      },
      need(n) { meta.needs.push(n); },
      addMatch(m) { matches.push(m); },
      onSelector(s, tok) {
        if (s.l4) {
          if (scope.l4 && scope.l4 !== s.l4) c.fail(tok, `a match about ${scope.l4}`, undefined, `conflicting protocols specified: ${scope.l4} vs. ${s.l4}`);
          scope.l4 = s.l4;
        }
        if (s.givesL4) scope.hasL4 = true;
        if (s.id.startsWith('ip ') || s.id.startsWith('icmp ')) scope.ipv4 = true;
        if (s.hooks) meta.needs.push({ hooks: s.hooks, what: s.id, tok });
        if (s.type === 'iface_index') scope.ifIndex = true;
      },
      ifIndex: false,
    } as RuleScope & { onSelector(s: Selector, tok: Tok): void; ifIndex: boolean };

    for (;;) {
      const t = c.peek();
      if (c.atSeparator()) break;
      if (t.kind === 'punct' && t.text === '}') {
        if (inBlock) c.fail(t, 'a newline or `;` after the rule', undefined, "unexpected '}', expecting newline or semicolon");
        break;
      }
      if (t.kind === 'word' && t.text === 'comment') {
        c.next();
        comment = this.commentString();
        last = c.lastTok() as Tok;
        continue;
      }
      // MSS clamping (`tcp option maxseg size set rt mtu`, common in PPPoE and OpenWrt rulesets)
      // rewrites an option of SYN segments. The simulator carries no TCP options and no path
      // MTU, so nothing it shows changes: the statement is read, checked and kept as written.
      if (t.kind === 'word' && t.text === 'tcp' && c.isWord('option', 1)) {
        if (terminalTok) c.fail(t, 'the end of the rule (a verdict or NAT statement ends it)', undefined, 'Statement after terminal statement has no effect');
        this.tcpOptionSet(scope, meta);
        last = c.lastTok() as Tok;
        continue;
      }
      const st = t.kind === 'word' ? statement(t.text) : undefined;
      if (terminalTok) {
        c.fail(t, 'the end of the rule (a verdict or NAT statement ends it)', undefined, 'Statement after terminal statement has no effect');
      }
      if (st) {
        c.next();
        const res = st.parse(scope, t);
        if (res?.module === 'JUMP' || res?.module === 'GOTO') {
          const o = res.opts as { chain: string; tok?: Tok };
          meta.jumps.push({ chain: o.chain, tok: o.tok as Tok });
          delete o.tok;
        }
        if (st.terminal) { target = res; terminalTok = t; }
        else if (res?.module === 'LOG') log = res;
        else if (res?.module === 'NFT_NOTRACK') notrack = true;
        last = c.lastTok() as Tok;
        continue;
      }
      // A match: keys, an operator, a value (or a verdict map, which ends the rule).
      const mstart = t;
      const keys = this.keys(scope);
      if (c.isWord('set')) c.fail(c.peek(), 'a match', undefined, `${keys.join(' . ')} set ... is not simulated (a statement that changes the packet or its entry)`);
      const sels = keys.map((k) => selector(k) as Selector);
      const types = sels.map((s) => typeOf(s.type));
      if (c.isWord('vmap')) {
        const vt = c.next();
        const v: VmapTargetOpts = { keys, entries: [], text: '' };
        const m: NftMatchOpts = { keys, op: 'eq', elems: [], text: '' };
        if (c.peek().kind === 'setref') {
          const ref = c.next();
          this.pending.push({ table: ts, name: ref.text, tok: ref, keyTypes: types, use: 'vmap', fill(s) {
            if (s.data !== 'verdict') c.fail(ref, 'a map of verdicts', undefined, `map ${s.name} does not give verdicts (datatype mismatch)`);
            m.elems = s.elems; v.entries = s.verdicts;
            for (const x of s.verdicts) { const j = x.verdict.module; if (j === 'JUMP' || j === 'GOTO') meta.jumps.push({ chain: (x.verdict.opts as { chain: string }).chain, tok: ref }); }
          } });
        } else {
          c.expectPunct('{', '`{` and the verdict map, or @NAME');
          this.elemList(() => {
            const e = parseElem(c, types);
            c.expectPunct(':', '`:` and a verdict');
            const vd = this.mapVerdict();
            meta.jumps.push(...vd.jumps);
            m.elems.push(e.elem);
            v.entries.push({ elem: e.elem, verdict: vd.target });
          });
        }
        v.text = m.text = this.slice(mstart, c.lastTok() as Tok);
        matches.push({ module: 'nft', opts: m });
        target = { module: 'NFT_VMAP', opts: v };
        terminalTok = vt;
        last = c.lastTok() as Tok;
        continue;
      }
      const m = this.relation(keys, types, ts);
      m.text = this.slice(mstart, c.lastTok() as Tok);
      if ((scope as unknown as { ifIndex: boolean }).ifIndex) this.checkIfIndex(m, mstart);
      (scope as unknown as { ifIndex: boolean }).ifIndex = false;
      this.noteProto(scope, m);
      matches.push({ module: 'nft', opts: m });
      last = c.lastTok() as Tok;
    }
    if (inBlock) c.endStatement('the rule');
    else if (!c.atSeparator()) c.fail(c.peek(), 'the end of the rule');
    if (c.peek() === start) c.fail(start, 'a rule');
    let tgt: TargetInstance = target ?? log ?? { module: 'PASSTHROUGH', opts: {} };
    if (notrack) tgt = { module: 'NFT_NOTRACK', opts: target ? { then: target } : {} };
    const rule: Rule = {
      table: ts.key,
      chain: ch.name,
      matches,
      target: tgt,
      source: { dialect: 'nftables', text: this.slice(start, last), line: start.line, number: 0, chainDisplay: ch.name },
    };
    if (comment !== undefined) rule.comment = comment;
    this.meta.set(rule, meta);
    if (at === undefined) ch.rules.push(rule); else ch.rules.splice(at, 0, rule);
  }

  /** `meta l4proto tcp` / `ip protocol udp` pin the protocol as `tcp dport` does. */
  private noteProto(scope: RuleScope, m: NftMatchOpts): void {
    if (m.keys.length === 1 && m.keys[0] === 'meta nfproto' && m.op === 'eq' && m.elems.length === 1 && (m.elems[0][0] as { lo: number }).lo === 2) scope.ipv4 = true;
    if (m.keys.length !== 1 || (m.keys[0] !== 'meta l4proto' && m.keys[0] !== 'ip protocol') || m.op !== 'eq' || m.elems.length !== 1) return;
    const a = m.elems[0][0] as { lo: number; hi: number };
    if (a.lo !== a.hi) return;
    const p = a.lo === 6 ? 'tcp' : a.lo === 17 ? 'udp' : a.lo === 1 ? 'icmp' : undefined;
    // A protocol match after a payload match of another protocol loads (the rule just never matches).
    if (p && !scope.l4) scope.l4 = p;
  }

  /** `iif`/`oif` name an interface by index: it must exist when the rule loads. */
  private checkIfIndex(m: NftMatchOpts, tok: Tok): void {
    const known = this.env.interfaces;
    if (!known) return;
    for (const e of m.elems) {
      const a = e[0];
      if ('str' in a && !known.includes(a.str) && a.str !== 'lo') {
        throw new NatTraceError(`Interface does not exist: ${a.str} (iif/oif take an existing interface; iifname/oifname take any name)`, { line: tok.line, column: tok.col, token: a.str, expected: `one of ${[...known, 'lo'].join(', ')}`, suggestion: suggest(a.str, known) });
      }
      if ('str' in a && a.prefix) throw new NatTraceError('iif/oif take one interface; wildcards need iifname/oifname', { line: tok.line, column: tok.col, token: `${a.str}*`, expected: 'iifname "' + a.str + '*"' });
    }
  }

  /** An operator (or none) and the value, range, prefix, set or @set it compares with. */
  private relation(keys: string[], types: DataType[], ts: TableState): NftMatchOpts {
    const c: Cursor = this.c;
    const OPS: Dict<RelOp> = dict({ '==': 'eq', eq: 'eq', '!=': 'ne', ne: 'ne', '<': 'lt', lt: 'lt', '>': 'gt', gt: 'gt', '<=': 'le', le: 'le', '>=': 'ge', ge: 'ge' });
    let and: number | undefined;
    const single = types.length === 1 ? types[0] : undefined;
    if (c.peekPunct('&') && single?.bitmask) {
      // `tcp flags & (syn|ack) == syn`
      c.next();
      and = this.flagExpr(single);
    }
    if (c.peekPunct('!') && single?.bitmask) {
      // `ct status ! dnat`: none of these flags (`(v & mask) == 0`).
      c.next();
      return { keys, op: 'noflags', mask: this.flagList(single), elems: [], text: '' };
    }
    const opTok = c.peek();
    let op: RelOp | undefined;
    if ((opTok.kind === 'punct' || opTok.kind === 'word') && own(OPS, opTok.text) && !(opTok.kind === 'word' && single && single.symbols && own(single.symbols, opTok.text) !== undefined)) {
      op = OPS[opTok.text]; c.next();
    }
    if (op && op !== 'eq' && op !== 'ne' && (types.length > 1 || single?.string)) c.fail(opTok, '== or !=', undefined, `${opTok.text} needs a number to compare with`);
    const valTok = c.peek();
    const out: NftMatchOpts = { keys, op: op ?? 'eq', elems: [], text: '' };
    if (valTok.kind === 'punct' && valTok.text === '{') {
      if (op && op !== 'eq' && op !== 'ne') c.fail(opTok, '==, != or no operator before a set');
      c.next();
      this.elemList(() => out.elems.push(parseElem(c, types).elem));
      if (!out.elems.length) c.fail(valTok, 'at least one element', undefined, 'an empty anonymous set matches nothing (nft refuses it)');
    } else if (valTok.kind === 'setref') {
      if (op && op !== 'eq' && op !== 'ne') c.fail(opTok, '==, != or no operator before @set');
      c.next();
      this.pending.push({ table: ts, name: valTok.text, tok: valTok, keyTypes: types, use: 'set', fill(s) { out.elems = s.elems; } });
    } else if (valTok.kind === 'nl' || valTok.kind === 'eof' || (valTok.kind === 'punct' && valTok.text === ';')) {
      c.fail(valTok, `a value for ${keys.join(' . ')}`);
    } else if (single?.bitmask && !op && and === undefined) {
      // A bare flag list: `ct state established,related` is (v & mask) != 0; `flag / mask` is (v & mask) == flag.
      let mask = this.flagList(single);
      if (c.peekPunct('/')) {
        c.next();
        const m2 = this.flagList(single);
        out.op = 'eq'; out.and = m2; out.elems = [[{ lo: mask, hi: mask }]];
        return out;
      }
      out.op = 'flags'; out.mask = mask;
      mask = 0; void mask;
    } else if (single?.bitmask && and !== undefined && (valTok.kind === 'word' || (valTok.kind === 'punct' && valTok.text === '('))) {
      // `tcp flags & (syn|ack) == syn|ack`: the value is a flag expression too.
      const v = this.flagExpr(single);
      out.elems = [[{ lo: v, hi: v }]];
    } else if (single?.bitmask && op === 'ne' && and === undefined) {
      const v = this.flagList(single);
      out.elems = [[{ lo: v, hi: v }]];
    } else {
      const e = parseElem(c, types);
      out.elems = [e.elem];
      if (c.peekPunct(',')) c.fail(c.peek(), `one value, or a set { a, b } (a comma list is for flags such as ct state)`, undefined, 'syntax error, unexpected comma');
    }
    if (and !== undefined) out.and = and;
    return out;
  }

  private flagList(t: DataType): number {
    const c: Cursor = this.c;
    let v = parseScalar(c, t).n as number;
    while (c.peekPunct(',')) { c.next(); v |= parseScalar(c, t).n as number; }
    return v;
  }

  /** `(syn|ack)` or `syn` after `&`. */
  private flagExpr(t: DataType): number {
    const c: Cursor = this.c;
    const paren = c.peekPunct('(');
    if (paren) c.next();
    let v = parseScalar(c, t).n as number;
    while (c.peekPunct('|')) { c.next(); v |= parseScalar(c, t).n as number; }
    if (paren) c.expectPunct(')');
    return v;
  }

  private slice(a: Tok, b: Tok): string {
    return this.text.slice(a.pos, Math.max(b.end, a.end)).replace(/\s*\\\r?\n\s*/g, ' ').replace(/\s+/g, ' ').trim();
  }

  // --- the end: sets, jumps, where statements may run --------------------------------

  private finish(): Ruleset {
    for (const p of this.pending) {
      const s = own(p.table.sets, p.name);
      if (!s) {
        throw new NatTraceError(`no set @${p.name} in table ${p.table.key} (Could not process rule: No such file or directory)`, { line: p.tok.line, column: p.tok.col, token: `@${p.name}`, expected: 'a set or map declared in the same table', suggestion: suggest(p.name, Object.keys(p.table.sets)) });
      }
      if (typesText(s.keyTypes) !== typesText(p.keyTypes)) {
        throw new NatTraceError(`datatype mismatch: @${p.name} holds ${typesText(s.keyTypes)}, the expression is ${typesText(p.keyTypes)}`, { line: p.tok.line, column: p.tok.col, token: `@${p.name}`, expected: `a set of type ${typesText(p.keyTypes)}` });
      }
      if (p.use === 'set' && s.data !== undefined) {
        throw new NatTraceError(`@${p.name} is a map: use it with vmap or map`, { line: p.tok.line, column: p.tok.col, token: `@${p.name}`, expected: 'a set' });
      }
      p.fill(s);
    }
    const live = this.tables.filter((t) => !t.ignored);
    for (const ts of live) this.checkChains(ts);
    const tables: Record<string, Record<string, Chain>> = dict();
    for (const ts of live) {
      tables[ts.key] = ts.chains;
      for (const ch of Object.values(ts.chains)) ch.rules.forEach((r, i) => { r.source.number = i + 1; });
    }
    const bases = this.chainOrder.filter((ch) => ch.base && live.some((t) => t.key === ch.table && !t.dormant));
    return { dialect: 'nftables', tables, hooks: hooksInRegistrationOrder(bases), addressLists: dict(), warnings: this.warnings };
  }

  private checkChains(ts: TableState): void {
    const chains = ts.chains;
    // Jumps: the chain exists, is not a base chain (the kernel refuses both).
    const edges = new Map<Chain, Array<{ to: Chain; rule: Rule; tok: Tok }>>();
    for (const ch of Object.values(chains)) {
      const out: Array<{ to: Chain; rule: Rule; tok: Tok }> = [];
      for (const r of ch.rules) {
        for (const j of this.meta.get(r)?.jumps ?? []) {
          const to = own(chains, j.chain);
          if (!to) throw new NatTraceError(`no chain ${j.chain} in table ${ts.key} to jump to (Could not process rule: No such file or directory)`, { line: j.tok.line, column: j.tok.col, token: j.chain, expected: 'a chain of the same table', suggestion: suggest(j.chain, Object.keys(chains)) });
          if (to.base) throw new NatTraceError(`chain ${j.chain} is a base chain: rules cannot jump to it (Could not process rule: Operation not supported)`, { line: j.tok.line, column: j.tok.col, token: j.chain, expected: 'a regular chain (one without type ... hook)' });
          out.push({ to, rule: r, tok: j.tok });
        }
      }
      edges.set(ch, out);
    }
    // Loops and depth, as for iptables-nft: the jumps as plain JUMP rules.
    const flat: Record<string, Chain> = dict();
    for (const ch of Object.values(chains)) {
      flat[ch.name] = { ...ch, rules: (edges.get(ch) ?? []).map((e) => ({ ...e.rule, target: { module: 'JUMP', opts: { chain: e.to.name, tok: e.tok } } })) };
    }
    checkJumps(flat, {
      onLoop(cycle, rule) {
        const to = cycle[cycle.length - 1];
        const tok = (rule.target.opts as { tok: Tok }).tok;
        throw new NatTraceError(`chain ${to} is reached again from itself (loop: ${cycle.join(' -> ')}); the kernel refuses it (Could not process rule: Too many links)`, { line: tok.line, column: tok.col, token: to, expected: 'jumps that do not loop' });
      },
      jumpToken: (_rule, to) => `jump ${to}`,
    });
    // Where statements may run: the hooks and chain types that reach each chain.
    const reach = new Map<Chain, Array<{ hook: Hook; type: ChainType }>>();
    const visit = (ch: Chain, from: { hook: Hook; type: ChainType }): void => {
      const seen = reach.get(ch) ?? [];
      if (seen.some((x) => x.hook === from.hook && x.type === from.type)) return;
      seen.push(from); reach.set(ch, seen);
      for (const e of edges.get(ch) ?? []) visit(e.to, from);
    };
    for (const ch of Object.values(chains)) if (ch.base) visit(ch, { hook: ch.base.hook, type: ch.base.type });
    for (const ch of Object.values(chains)) {
      for (const from of reach.get(ch) ?? []) {
        for (const r of ch.rules) {
          for (const n of this.meta.get(r)?.needs ?? []) {
            const via = ch.base ? `chain ${ch.name}` : `chain ${ch.name}, reached from the ${from.hook.toLowerCase()} hook`;
            if (n.hooks && !n.hooks.includes(from.hook)) {
              throw new NatTraceError(`${n.what} is not allowed at the ${from.hook.toLowerCase()} hook (${via}; Could not process rule: Operation not supported)`, { line: n.tok.line, column: n.tok.col, token: n.tok.text, expected: `a chain at ${n.hooks.map((h) => h.toLowerCase()).join(' or ')}` });
            }
            if (n.chainType && n.chainType !== from.type) {
              throw new NatTraceError(`${n.what} needs a chain of type ${n.chainType} (${via} is type ${from.type}; Could not process rule: Operation not supported)`, { line: n.tok.line, column: n.tok.col, token: n.tok.text, expected: `a chain declared with type ${n.chainType} hook ...` });
            }
          }
        }
      }
    }
  }
}

/** A stub scope for `typeof` in set declarations (no rule around it). */
class SelectorScopeStub {
  onSelector(): void { /* nothing to record */ }
}

/**
 * Base chains per hook in the order the kernel runs them: by priority, and on
 * a tie the later registration first (nf_hook_entries_grow inserts a new hook
 * before the first one of equal or higher priority; seen in a namespace: of
 * two chains at output priority 0, the one loaded second runs first).
 */
export function hooksInRegistrationOrder(bases: Chain[]): Partial<Record<Hook, Chain[]>> {
  const out: Partial<Record<Hook, Chain[]>> = {};
  for (const hook of Object.values(HOOK_NAMES)) {
    const at = bases.map((c, i) => ({ c, i })).filter((x) => x.c.base?.hook === hook);
    if (!at.length) continue;
    out[hook] = at.sort((a, b) => (a.c.base?.priority ?? 0) - (b.c.base?.priority ?? 0) || b.i - a.i).map((x) => x.c);
  }
  return out;
}

export function parseNftables(text: string, env: NftParseEnv = {}): Ruleset {
  return new NftParser(text, env).parse();
}

void SELECTORS;
