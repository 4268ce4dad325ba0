/**
 * iptables front end: iptables command lines (with or without the leading
 * `iptables`) and iptables-save output, into the neutral rule model. It
 * refuses what iptables (or the kernel's table check) refuses, and names the
 * token and line of anything it does not know.
 */
import { NatTraceError, suggest } from '../../errors';
import { dict, has } from '../../dict';
import { BUILTIN_CHAINS } from '../model';
import { checkJumps } from '../jumps';
import type { Chain, Hook, MatchInstance, Rule, Ruleset, TableName, TargetInstance } from '../model';
import type { CidrSpec, IfaceSpec, IpMatchOpts } from '../opts';
import {
  Extension, FinalCtx, MATCH_EXTENSIONS, OptCtx, TARGET_EXTENSIONS, UNSUPPORTED_MATCHES, UNSUPPORTED_TARGETS,
  parseAddr, parseProto,
} from './extensions';

const TABLES: TableName[] = ['raw', 'nat', 'filter'];
const OTHER_TABLES = ['mangle', 'security', 'broute'];

// --- tokenizer --------------------------------------------------------------

/** Split a line the way a shell (and iptables-restore) would: quotes group, backslash escapes. */
export function tokenize(line: string, lineNo: number): string[] {
  const out: string[] = [];
  let cur = '';
  let inTok = false;
  let quote: string | null = null;
  for (let i = 0; i < line.length; i++) {
    const ch = line[i];
    if (quote) {
      if (ch === '\\' && quote === '"' && i + 1 < line.length && '"\\\'$`'.includes(line[i + 1])) { cur += line[++i]; continue; }
      if (ch === quote) { quote = null; continue; }
      cur += ch;
      continue;
    }
    if (ch === '"' || ch === "'") { quote = ch; inTok = true; continue; }
    if (ch === '\\' && i + 1 < line.length) { cur += line[++i]; inTok = true; continue; }
    if (ch === ' ' || ch === '\t') {
      if (inTok) { out.push(cur); cur = ''; inTok = false; }
      continue;
    }
    cur += ch; inTok = true;
  }
  if (quote) throw new NatTraceError(`unterminated ${quote} quote`, { line: lineNo, token: quote, expected: `a closing ${quote}` });
  if (inTok) out.push(cur);
  return out;
}

// --- rule parser ------------------------------------------------------------

const BASE_OPTIONS: Record<string, string> = dict({
  '-s': 's', '--source': 's', '--src': 's',
  '-d': 'd', '--destination': 'd', '--dst': 'd',
  '-p': 'p', '--protocol': 'p',
  '-i': 'i', '--in-interface': 'i',
  '-o': 'o', '--out-interface': 'o',
  '-j': 'j', '--jump': 'j',
  '-g': 'g', '--goto': 'g',
  '-m': 'm', '--match': 'm',
  '-c': 'c', '--set-counters': 'c',
  '-t': 't', '--table': 't',
  '-A': 'A', '--append': 'A',
  '-I': 'I', '--insert': 'I',
  '-N': 'N', '--new-chain': 'N',
  '-P': 'P', '--policy': 'P',
  '-F': 'F', '--flush': 'F',
  '-X': 'X', '--delete-chain': 'X',
  '-Z': 'Z', '--zero': 'Z',
  '-f': 'f', '--fragment': 'f',
  '-w': 'w', '--wait': 'w',
  '-4': '4', '--ipv4': '4',
});
/** Short options whose argument may be glued on (-ptcp, -jACCEPT). */
const GLUED = 'sdpiojgmctAINP';
const COMMANDS = 'AINPFXZ';
const NO_ARG = 'f4';
/** Commands whose chain argument is optional. */
const OPTIONAL_ARG = 'FXZw';

interface Pending { ext: Extension; st: any; token: string }

interface Cmd {
  cmd?: string;
  chain?: string;
  num?: number;
  policy?: string;
  table?: string;
  tableToken?: string;
}

function isChainName(s: string): boolean {
  return s.length > 0 && s.length <= 28 && !s.startsWith('-') && !s.startsWith('!');
}

export interface ParseState {
  rs: Ruleset;
  /** iptables-save section currently open (undefined outside *table ... COMMIT). */
  saveTable?: string;
  /** The section is a table we do not model: skip its lines. */
  skipping: boolean;
  /** Rules added so far (after -s/-d expansion). */
  ruleCount: number;
}

/** Rules one command line may expand to (-s a,b,c -d x,y,z gives 9). */
export const MAX_RULES_PER_LINE = 1000;
/** Rules in one ruleset: far above any router's, small enough to simulate at once. */
export const MAX_RULES = 50000;

function emptyRuleset(): Ruleset {
  const tables = dict<Record<string, Chain>>() as Record<TableName, Record<string, Chain>>;
  for (const t of TABLES) {
    tables[t] = dict<Chain>();
    for (const h of BUILTIN_CHAINS[t]) tables[t][h] = { table: t, name: h, builtin: true, policy: 'ACCEPT', rules: [] };
  }
  return { dialect: 'iptables', tables, addressLists: dict<string[]>(), warnings: [] };
}

function allOptionNames(): string[] {
  const names = new Set(Object.keys(BASE_OPTIONS).filter((o) => o.startsWith('--')));
  for (const e of [...Object.values(MATCH_EXTENSIONS), ...Object.values(TARGET_EXTENSIONS)]) {
    for (const o of Object.keys(e.options)) names.add(o);
    for (const o of Object.keys(e.aliases ?? {})) names.add(o);
  }
  return [...names];
}

/** Parse one command line (already tokenized). Returns the rules it adds (possibly several: -s a,b). */
function parseCommand(tokens: string[], text: string, line: number, ps: ParseState): void {
  const rs = ps.rs;
  function fail(message: string, token: string, expected?: string, cands?: string[]): never {
    throw new NatTraceError(message, { line, token, expected, suggestion: cands ? suggest(token, cands) : undefined });
  }
  const c: OptCtx = { fail: (m, t, e) => fail(m, t, e) };

  // A table we do not model: skip the line before its (possibly unsupported) extensions are parsed.
  for (let i = 0; i < tokens.length; i++) {
    const t = tokens[i];
    const v = t === '-t' || t === '--table' ? tokens[i + 1] : t.startsWith('--table=') ? t.slice(8) : /^-t\w/.test(t) ? t.slice(2) : undefined;
    if (v !== undefined && OTHER_TABLES.includes(v)) {
      rs.warnings.push({ message: `the ${v} table is not modeled; rule ignored: ${text}`, line });
      return;
    }
  }

  const cmd: Cmd = {};
  let invert = false;
  let src: string[] | undefined; let srcInv = false; let srcTok = '';
  let dst: string[] | undefined; let dstInv = false;
  let proto: { proto: string; invert: boolean } | undefined;
  let inIface: IfaceSpec | undefined;
  let outIface: IfaceSpec | undefined;
  const matches: Pending[] = [];
  let target: Pending | undefined;
  let jump: { kind: 'JUMP' | 'GOTO'; chain: string; token: string } | undefined;
  let counters = false;

  const takeArg = (i: number, opt: string, inline: string | undefined): [string, number] => {
    if (inline !== undefined) return [inline, i];
    if (i + 1 >= tokens.length) fail(`option ${opt} requires an argument`, opt, 'a value after it');
    return [tokens[i + 1], i + 1];
  };
  const onceBase = (set: unknown, opt: string) => {
    if (set !== undefined) fail(`multiple ${opt} options are not allowed`, opt, 'each option once');
  };
  const iface = (v: string, opt: string, inv: boolean): IfaceSpec => {
    if (v.length > 15) fail(`interface name \`${v}\` is longer than 15 characters`, v, 'at most 15 characters (IFNAMSIZ)');
    if (v === '' || /[\s/]/.test(v)) fail(`invalid interface name \`${v}\``, v, 'an interface name');
    return { name: v, invert: inv };
  };

  for (let i = 0; i < tokens.length; i++) {
    let tok = tokens[i];
    if (tok === '!') {
      if (invert) fail('multiple `!` flags are not allowed', tok, 'one `!` before an option');
      invert = true;
      continue;
    }
    let inline: string | undefined;
    if (tok.startsWith('--')) {
      const eq = tok.indexOf('=');
      if (eq > 0) { inline = tok.slice(eq + 1); tok = tok.slice(0, eq); }
    } else if (tok.length > 2 && tok[0] === '-' && GLUED.includes(tok[1])) {
      inline = tok.slice(2); tok = tok.slice(0, 2);
    }
    const base = BASE_OPTIONS[tok];
    if (base) {
      const inv = invert; invert = false;
      if (COMMANDS.includes(base)) {
        if (inv) fail(`\`!\` cannot precede ${tok}`, tok);
        if (cmd.cmd) fail(`only one command per line (already ${cmd.cmd}, then ${tok})`, tok, 'a single -A/-I/-N/-P');
        cmd.cmd = base;
        if (OPTIONAL_ARG.includes(base)) {
          if (inline !== undefined) cmd.chain = inline;
          else if (i + 1 < tokens.length && !tokens[i + 1].startsWith('-')) cmd.chain = tokens[++i];
        } else {
          const [v, j] = takeArg(i, tok, inline); i = j; cmd.chain = v;
          if (base === 'P') {
            if (j + 1 >= tokens.length) fail(`-P ${v} needs a policy`, tok, 'ACCEPT or DROP');
            cmd.policy = tokens[++i];
          }
          if (base === 'I' && i + 1 < tokens.length && /^\d+$/.test(tokens[i + 1])) cmd.num = Number(tokens[++i]);
        }
        continue;
      }
      if (NO_ARG.includes(base)) {
        if (base === 'f') fail('fragment matching (-f) is not modeled by the simulator', tok, 'rules without -f');
        continue; // -4: IPv4 is all we do anyway.
      }
      if (base === 'w') {
        if (inline === undefined && i + 1 < tokens.length && /^\d+$/.test(tokens[i + 1])) i++;
        continue;
      }
      let [v, j] = takeArg(i, tok, inline); i = j;
      let argInv = false;
      // Old iptables accepted `-s ! 10.0.0.1`; keep reading saves written that way.
      if (v === '!' && inline === undefined && 'sdpio'.includes(base)) {
        if (i + 1 >= tokens.length) fail(`option ${tok} requires an argument`, tok);
        argInv = true; v = tokens[++i];
      }
      const neg = inv || argInv;
      if (neg && 'jgmtc'.includes(base)) fail(`\`!\` cannot be used with ${tok}`, tok);
      switch (base) {
        case 't':
          onceBase(cmd.table, tok);
          cmd.table = v; cmd.tableToken = v;
          break;
        case 's':
          onceBase(src, tok);
          src = v.split(','); srcInv = neg; srcTok = v;
          break;
        case 'd':
          onceBase(dst, tok);
          dst = v.split(','); dstInv = neg;
          break;
        case 'p': {
          onceBase(proto, tok);
          const p = parseProto(v, c);
          if (p === 'all' && neg) fail('rule would never match protocol (! -p all)', v, 'a protocol other than all/0');
          proto = { proto: p, invert: neg };
          break;
        }
        case 'i':
          onceBase(inIface, tok);
          inIface = iface(v, tok, neg);
          break;
        case 'o':
          onceBase(outIface, tok);
          outIface = iface(v, tok, neg);
          break;
        case 'c': {
          if (counters) fail('multiple -c options are not allowed', tok);
          counters = true;
          let pk = v; let by: string | undefined;
          const comma = v.indexOf(',');
          if (comma >= 0) { pk = v.slice(0, comma); by = v.slice(comma + 1); }
          else { if (i + 1 >= tokens.length) fail('-c needs packets and bytes', tok, 'PKTS,BYTES'); by = tokens[++i]; }
          if (!/^\d+$/.test(pk) || !/^\d+$/.test(by)) fail(`invalid counters \`${v}\``, v, 'PKTS,BYTES');
          break;
        }
        case 'm': {
          const ext = MATCH_EXTENSIONS[v];
          if (!ext) {
            if (UNSUPPORTED_MATCHES.includes(v)) fail(`match \`-m ${v}\` is not supported by the simulator`, v, `one of ${Object.keys(MATCH_EXTENSIONS).join(', ')}`);
            fail(`unknown match \`${v}\``, v, `one of ${Object.keys(MATCH_EXTENSIONS).join(', ')}`, [...Object.keys(MATCH_EXTENSIONS), ...UNSUPPORTED_MATCHES]);
          }
          matches.push({ ext, st: ext.init(), token: v });
          break;
        }
        case 'j':
        case 'g': {
          if (target || jump) fail(`only one target per rule (${tok} ${v})`, v, 'a single -j/-g');
          const table = (cmd.table ?? ps.saveTable ?? 'filter') as TableName;
          const chains = rs.tables[table];
          if (base === 'j' && TARGET_EXTENSIONS[v]) {
            target = { ext: TARGET_EXTENSIONS[v], st: TARGET_EXTENSIONS[v].init(), token: v };
          } else if (chains && chains[v] && !chains[v].builtin) {
            jump = { kind: base === 'g' ? 'GOTO' : 'JUMP', chain: v, token: v };
          } else if (chains && chains[v]) {
            fail(`cannot jump to the built-in chain ${v}`, v, 'a user chain (create it with -N)');
          } else if (UNSUPPORTED_TARGETS.includes(v)) {
            fail(`target \`-j ${v}\` is not supported by the simulator`, v, `one of ${Object.keys(TARGET_EXTENSIONS).join(', ')} or a user chain`);
          } else if (OTHER_TABLES.includes(table)) {
            // The whole line is skipped below; nothing to resolve.
            jump = { kind: 'JUMP', chain: v, token: v };
          } else {
            const userChains = chains ? Object.keys(chains).filter((n) => !chains[n].builtin) : [];
            fail(`no target or chain named \`${v}\` in table ${table}`, v,
              `a target (${Object.keys(TARGET_EXTENSIONS).join(', ')}) or a chain created with -N`,
              [...Object.keys(TARGET_EXTENSIONS), ...userChains, ...UNSUPPORTED_TARGETS]);
          }
          break;
        }
      }
      continue;
    }
    if (!tok.startsWith('-')) {
      fail(`unexpected argument \`${tok}\``, tok, 'an option such as -p, -s, -m, -j');
    }
    // An extension option: the newest loaded match that knows it, then the target.
    const inv = invert; invert = false;
    const resolve = (e: Extension): string | undefined => (has(e.options, tok) ? tok : e.aliases && has(e.aliases, tok) ? e.aliases[tok] : undefined);
    let owner: Pending | undefined;
    let opt: string | undefined;
    for (let k = matches.length - 1; k >= 0 && !owner; k--) {
      const o = resolve(matches[k].ext);
      if (o) { owner = matches[k]; opt = o; }
    }
    if (!owner && target) {
      const o = resolve(target.ext);
      if (o) { owner = target; opt = o; }
    }
    if (!owner && tok.startsWith('--')) {
      // getopt_long takes an unambiguous abbreviation of any loaded option:
      // `-j DNAT --to 10.0.0.1`, `-j REDIRECT --to-port 8080`, `-m multiport --dport 80,443`.
      const loaded: Pending[] = [...matches, ...(target ? [target] : [])];
      const hits = loaded.flatMap((p) => Object.keys(p.ext.options).filter((o) => o.startsWith(tok)).map((o) => ({ p, o })));
      const distinct = [...new Set(hits.map((h) => `${h.p.ext.name} ${h.o}`))];
      if (distinct.length > 1) {
        fail(`option \`${tok}\` is ambiguous`, tok, `one of ${hits.map((h) => h.o).join(', ')}`);
      }
      if (hits.length) { owner = hits[0].p; opt = hits[0].o; }
    }
    if (!owner && proto && !proto.invert && MATCH_EXTENSIONS[proto.proto]) {
      // iptables loads the protocol's match on its own: `-p tcp --dport 22`.
      const ext = MATCH_EXTENSIONS[proto.proto];
      const o = resolve(ext) ?? uniquePrefix(Object.keys(ext.options), tok);
      if (o) {
        owner = { ext, st: ext.init(), token: proto.proto };
        matches.push(owner);
        opt = o;
      }
    }
    if (!owner || !opt) {
      const known = allOptionNames();
      return fail(`unknown option \`${tok}\``, tok, known.includes(tok)
        ? `the match or target it belongs to first (-m ... / -p ... / -j ...)`
        : 'an iptables option', known);
    }
    const spec = owner.ext.options[opt];
    if (inv && !spec.invertible) fail(`option ${opt} cannot be inverted with \`!\``, opt);
    if (spec.unmodeled) fail(`option ${opt} of ${owner.ext.name} is not modeled by the simulator`, opt, `the other ${owner.ext.name} options`);
    const args: string[] = [];
    let argInv = false;
    if (spec.args > 0) {
      if (inline !== undefined) args.push(inline);
      while (args.length < spec.args) {
        if (i + 1 >= tokens.length) fail(`option ${tok} requires ${spec.args === 1 ? 'an argument' : `${spec.args} arguments`}`, tok, 'a value after it');
        const a = tokens[++i];
        if (a === '!' && args.length === 0 && spec.invertible && !argInv && i + 1 < tokens.length) { argInv = true; continue; }
        args.push(a);
      }
    } else if (inline !== undefined) {
      fail(`option ${tok} takes no argument`, tok);
    }
    owner.ext.parse(owner.st, opt, args, inv || argInv, c);
  }
  if (invert) fail('`!` at the end of the line negates nothing', '!', 'an option after `!`');

  // --- the command --------------------------------------------------------
  if (!cmd.cmd) fail('no command on this line', tokens[0] ?? text, '-A CHAIN, -I CHAIN, -N CHAIN or -P CHAIN POLICY');
  if (cmd.table !== undefined && ps.saveTable !== undefined) fail('-t inside an iptables-save section', cmd.tableToken!, 'the table from the *table line');
  const tableName = cmd.table ?? ps.saveTable ?? 'filter';
  if (!TABLES.includes(tableName as TableName)) {
    if (OTHER_TABLES.includes(tableName)) {
      rs.warnings.push({ message: `the ${tableName} table is not modeled; rule ignored: ${text}`, line });
      return;
    }
    fail(`unknown table \`${tableName}\``, cmd.tableToken ?? tableName, 'raw, nat or filter', [...TABLES, ...OTHER_TABLES]);
  }
  const table = tableName as TableName;
  const chains = rs.tables[table];
  const chainName = cmd.chain ?? '';

  switch (cmd.cmd) {
    case 'N':
      if (!isChainName(chainName)) fail(`invalid chain name \`${chainName}\``, chainName, 'a name of at most 28 characters not starting with -');
      if (chains[chainName]) fail(`chain ${chainName} already exists`, chainName, 'a new chain name');
      if (TARGET_EXTENSIONS[chainName] || UNSUPPORTED_TARGETS.includes(chainName)) fail(`chain name ${chainName} is a target name`, chainName, 'another name');
      chains[chainName] = { table, name: chainName, builtin: false, rules: [] };
      return;
    case 'P': {
      const ch = chains[chainName];
      if (!ch || !ch.builtin) fail(`-P needs a built-in chain of table ${table}`, chainName, BUILTIN_CHAINS[table].join(', '), BUILTIN_CHAINS[table]);
      if (cmd.policy !== 'ACCEPT' && cmd.policy !== 'DROP') fail(`invalid policy \`${cmd.policy}\``, cmd.policy!, 'ACCEPT or DROP', ['ACCEPT', 'DROP']);
      ch.policy = cmd.policy as 'ACCEPT' | 'DROP';
      return;
    }
    case 'F':
      for (const ch of Object.values(chains)) if (!cmd.chain || ch.name === cmd.chain) ch.rules = [];
      return;
    case 'X':
      for (const ch of Object.values(chains)) {
        if (ch.builtin || (cmd.chain && ch.name !== cmd.chain)) continue;
        delete chains[ch.name];
      }
      return;
    case 'Z':
      return;
  }

  const chain = chains[chainName];
  if (!chain) fail(`no chain named \`${chainName}\` in table ${table}`, chainName, 'a built-in chain or one created with -N', Object.keys(chains));

  // --- build the rule -----------------------------------------------------
  if (chain.builtin) {
    if (inIface && (chainName === 'OUTPUT' || chainName === 'POSTROUTING')) fail(`can't use -i with ${chainName}`, inIface.name, '-o in this chain');
    if (outIface && (chainName === 'PREROUTING' || chainName === 'INPUT')) fail(`can't use -o with ${chainName}`, outIface.name, '-i in this chain');
  }
  const fctx: FinalCtx = { ...c, proto: proto?.proto, protoInvert: proto?.invert ?? false, table, chain: chainName };
  const finalOpts: MatchInstance[] = [];
  for (const m of matches) {
    finalOpts.push({ module: m.ext.module, opts: m.ext.final(m.st, { ...fctx, fail: (msg, t, e) => fail(msg, t === m.ext.name || t.startsWith('-m ') ? m.token : t, e) }) });
  }
  let tgt: TargetInstance;
  if (target) {
    const ext = target.ext;
    if (ext.tables && !ext.tables.includes(table)) {
      fail(ext.name === 'DROP' && table === 'nat' ? 'the nat table is not intended for filtering; DROP is not allowed there' : `target ${ext.name} is only valid in the ${ext.tables.join('/')} table`,
        target.token, `a target for the ${table} table`);
    }
    if (chain.builtin && ext.hooks && !ext.hooks.includes(chainName as Hook)) {
      fail(`target ${ext.name} is not allowed in chain ${chainName}`, target.token, `a rule in ${ext.hooks.join(' or ')}`);
    }
    tgt = { module: ext.module, opts: ext.final(target.st, { ...fctx, fail: (msg, t, e) => fail(msg, t, e) }) };
  } else if (jump) {
    tgt = { module: jump.kind, opts: { chain: jump.chain } };
  } else {
    // A rule without -j only counts packets: RouterOS's passthrough is the same thing.
    tgt = { module: 'PASSTHROUGH', opts: {} };
  }
  if (chain.builtin) {
    for (const m of matches) {
      const hooks = m.ext.hooksFor?.(finalOpts[matches.indexOf(m)].opts);
      if (hooks && !hooks.includes(chainName as Hook)) fail(`this -m ${m.ext.name} option is not allowed in chain ${chainName}`, m.token, `a rule in ${hooks.join(' or ')}`);
    }
  }

  // iptables turns `-s a,b -d x,y` into one rule per pair, as the kernel holds them; so does the model.
  // Bounded, so a few kilobytes of addresses cannot become millions of rules.
  const expanded = (src?.length ?? 1) * (dst?.length ?? 1);
  if (expanded > MAX_RULES_PER_LINE) {
    fail(`-s/-d lists on this line make ${expanded} rules (one per source and destination pair, as iptables adds them); nat-trace takes at most ${MAX_RULES_PER_LINE} per line`,
      srcTok || tokens.find((t) => t.includes(',')) || text, `at most ${MAX_RULES_PER_LINE} source x destination pairs (an address list or a wider prefix covers many addresses in one rule)`);
  }
  if (ps.ruleCount + expanded > MAX_RULES) {
    fail(`the ruleset has more than ${MAX_RULES} rules`, tokens[0] ?? text, `at most ${MAX_RULES} rules`);
  }
  ps.ruleCount += expanded;
  const srcs: Array<CidrSpec | undefined> = src ? src.map((a) => parseAddr(a, srcInv, c, a)) : [undefined];
  const dsts: Array<CidrSpec | undefined> = dst ? dst.map((a) => parseAddr(a, dstInv, c, a)) : [undefined];
  if ((srcInv && srcs.length > 1) || (dstInv && dsts.length > 1)) fail('`!` is not allowed with several addresses', srcTok, 'a single address after `!`');
  const comment = finalOpts.find((m) => m.module === 'comment')?.opts as { comment: string } | undefined;

  const newRules: Rule[] = [];
  for (const s of srcs) {
    for (const d of dsts) {
      const ip: IpMatchOpts = {};
      if (s) ip.src = s;
      if (d) ip.dst = d;
      if (proto && !(proto.proto === 'all' && !proto.invert)) ip.proto = { proto: proto.proto, invert: proto.invert };
      // "-i +" matches every interface: iptables drops it, so do we.
      if (inIface && !(inIface.name === '+' && !inIface.invert)) ip.inIface = inIface;
      if (outIface && !(outIface.name === '+' && !outIface.invert)) ip.outIface = outIface;
      const ms: MatchInstance[] = Object.keys(ip).length ? [{ module: 'ip', opts: ip }, ...finalOpts] : [...finalOpts];
      const rule: Rule = {
        table, chain: chainName, matches: ms, target: tgt,
        source: { dialect: 'iptables', text, line, number: 0, chainDisplay: chainName },
      };
      if (comment) rule.comment = comment.comment;
      newRules.push(rule);
    }
  }
  if (cmd.cmd === 'I') {
    const pos = (cmd.num ?? 1) - 1;
    if (pos < 0 || pos > chain.rules.length) fail(`-I ${chainName} ${cmd.num}: the chain has ${chain.rules.length} rules`, String(cmd.num), `1..${chain.rules.length + 1}`);
    chain.rules.splice(pos, 0, ...newRules); // at most MAX_RULES_PER_LINE arguments
  } else {
    chain.rules.push(...newRules);
  }
}

// --- whole text -------------------------------------------------------------

const IPTABLES_BIN = /^(?:.*\/)?(?:iptables|iptables-legacy|iptables-nft)$/;

/** Which built-in hooks reach each chain (kernel mark_source_chains); a loop is an error. */
function checkChains(rs: Ruleset): void {
  for (const table of TABLES) {
    const chains = rs.tables[table];
    checkJumps(chains, {
      onLoop(cycle, rule) {
        const to = cycle[cycle.length - 1];
        throw new NatTraceError(`chain ${to} is reached again from itself (loop: ${cycle.join(' -> ')})`, { line: rule.source.line, token: to, expected: 'jumps that do not loop' });
      },
      jumpToken: (rule, to) => `${rule.target.module === 'GOTO' ? '-g' : '-j'} ${to}`,
    });
    const hooksOf = new Map<string, Set<Hook>>();
    for (const name of Object.keys(chains)) hooksOf.set(name, new Set());
    const visit = (name: string, hook: Hook, path: string[]) => {
      const set = hooksOf.get(name)!;
      if (set.has(hook) && !path.includes(name)) return;
      set.add(hook);
      for (const r of chains[name].rules) {
        if (r.target.module !== 'JUMP' && r.target.module !== 'GOTO') continue;
        const to = (r.target.opts as { chain: string }).chain;
        if (!chains[to]) throw new NatTraceError(`no chain named \`${to}\` in table ${table}`, { line: r.source.line, token: to, expected: 'a chain created with -N' });
        if (path.includes(to) || to === name) {
          throw new NatTraceError(`chain ${to} is reached again from itself (loop)`, { line: r.source.line, token: to, expected: 'jumps that do not loop' });
        }
        visit(to, hook, [...path, name]);
      }
    };
    for (const h of BUILTIN_CHAINS[table]) if (chains[h]) visit(h, h, []);
    // Targets and matches that only some hooks allow, now that user chains have hooks too.
    for (const ch of Object.values(chains)) {
      if (ch.builtin) continue;
      const hooks = [...hooksOf.get(ch.name)!];
      for (const r of ch.rules) {
        const ext = TARGET_EXTENSIONS[r.target.module];
        const bad = ext?.hooks ? hooks.find((h) => !ext.hooks!.includes(h)) : undefined;
        if (bad) {
          throw new NatTraceError(`target ${r.target.module} is not allowed in chain ${ch.name}, which is reached from ${bad}`, {
            line: r.source.line, token: r.target.module, expected: `a chain reached only from ${ext!.hooks!.join(' or ')}`,
          });
        }
        for (const m of r.matches) {
          const mh = MATCH_EXTENSIONS[m.module]?.hooksFor?.(m.opts);
          const badM = mh ? hooks.find((h) => !mh.includes(h)) : undefined;
          if (badM) {
            throw new NatTraceError(`this -m ${m.module} option is not allowed in chain ${ch.name}, which is reached from ${badM}`, {
              line: r.source.line, token: m.module, expected: `a chain reached only from ${mh!.join(' or ')}`,
            });
          }
        }
      }
    }
  }
}

export function parseIptables(text: string): Ruleset {
  const ps: ParseState = { rs: emptyRuleset(), skipping: false, ruleCount: 0 };
  const rs = ps.rs;
  const lines = text.split(/\r?\n/);
  let sawSave = false;
  for (let n = 0; n < lines.length; n++) {
    const lineNo = n + 1;
    let raw = lines[n];
    // Shell scripts continue long commands with a trailing backslash.
    while (/\\\s*$/.test(raw) && n + 1 < lines.length) raw = raw.replace(/\\\s*$/, ' ') + lines[++n];
    const line = raw.trim();
    if (line === '' || line.startsWith('#')) continue;
    if (line.startsWith('*')) {
      if (ps.saveTable !== undefined) throw new NatTraceError(`table ${line.slice(1)} starts before COMMIT of ${ps.saveTable}`, { line: lineNo, token: line, expected: 'COMMIT' });
      const t = line.slice(1).trim();
      sawSave = true;
      ps.saveTable = t;
      ps.skipping = !TABLES.includes(t as TableName);
      if (ps.skipping) {
        if (!OTHER_TABLES.includes(t)) throw new NatTraceError(`unknown table \`${t}\``, { line: lineNo, token: t, expected: 'raw, nat or filter', suggestion: suggest(t, [...TABLES, ...OTHER_TABLES]) });
        rs.warnings.push({ message: `the ${t} table is not modeled; its rules are ignored`, line: lineNo });
      }
      continue;
    }
    if (line === 'COMMIT') {
      if (ps.saveTable === undefined) throw new NatTraceError('COMMIT without a *table line', { line: lineNo, token: 'COMMIT', expected: '*nat or *filter before it' });
      ps.saveTable = undefined; ps.skipping = false;
      continue;
    }
    if (ps.skipping) continue;
    if (line.startsWith(':')) {
      if (ps.saveTable === undefined) throw new NatTraceError('chain line outside a *table section', { line: lineNo, token: line, expected: '*raw, *nat or *filter before it' });
      const m = /^:(\S+)\s+(\S+)(?:\s+\[\d+:\d+\])?$/.exec(line);
      if (!m) throw new NatTraceError(`malformed chain line \`${line}\``, { line: lineNo, token: line, expected: ':CHAIN POLICY [packets:bytes]' });
      const table = ps.saveTable as TableName;
      const chains = rs.tables[table];
      const [, name, policy] = m;
      if (chains[name]?.builtin) {
        if (policy !== 'ACCEPT' && policy !== 'DROP') throw new NatTraceError(`invalid policy \`${policy}\``, { line: lineNo, token: policy, expected: 'ACCEPT or DROP', suggestion: suggest(policy, ['ACCEPT', 'DROP']) });
        chains[name].policy = policy;
      } else {
        if (policy !== '-') throw new NatTraceError(`user chain ${name} cannot have a policy`, { line: lineNo, token: policy, expected: '-' });
        if (!isChainName(name)) throw new NatTraceError(`invalid chain name \`${name}\``, { line: lineNo, token: name, expected: 'at most 28 characters' });
        if (chains[name]) throw new NatTraceError(`chain ${name} declared twice`, { line: lineNo, token: name });
        chains[name] = { table, name, builtin: false, rules: [] };
      }
      continue;
    }
    let tokens = tokenize(line, lineNo);
    // iptables-save -c puts counters first: "[12:3456] -A INPUT ...".
    if (tokens.length && /^\[\d+:\d+\]$/.test(tokens[0])) tokens = tokens.slice(1);
    if (tokens[0] === 'sudo') tokens = tokens.slice(1);
    if (tokens.length && IPTABLES_BIN.test(tokens[0])) tokens = tokens.slice(1);
    else if (tokens.length && /(^|\/)ip6tables/.test(tokens[0])) {
      rs.warnings.push({ message: 'ip6tables rules are not modeled; line ignored', line: lineNo });
      continue;
    } else if (tokens.length && !tokens[0].startsWith('-') && tokens[0] !== '!') {
      throw new NatTraceError(`unexpected \`${tokens[0]}\` at the start of a rule line`, {
        line: lineNo, token: tokens[0], expected: 'iptables arguments (-A CHAIN ...) or iptables-save lines',
        suggestion: suggest(tokens[0], ['iptables', 'COMMIT']),
      });
    }
    parseCommand(tokens, line, lineNo, ps);
  }
  if (ps.saveTable !== undefined && sawSave) {
    rs.warnings.push({ message: `table ${ps.saveTable} has no COMMIT line` });
  }
  checkChains(rs);
  for (const t of TABLES) for (const ch of Object.values(rs.tables[t])) ch.rules.forEach((r, i) => { r.source.number = i + 1; });
  return rs;
}

/** getopt_long's abbreviation rule for one option table. */
function uniquePrefix(options: string[], tok: string): string | undefined {
  if (!tok.startsWith('--')) return undefined;
  const hits = options.filter((o) => o.startsWith(tok));
  return hits.length === 1 ? hits[0] : undefined;
}
