/**
 * nftables rule writing in the ruleset's own style: a new rule goes on its
 * own line next to the rules of its chain (same indentation), or, where the
 * chain has no rule on a line of its own, as an `add rule` command after the
 * ruleset (nft -f runs both); a missing nat chain is added with `add table`
 * and `add chain`. The console commands are the nft commands for the same
 * change (`insert rule ... index N`, `add rule`, `delete rule ... handle`).
 */
import type { Chain, Rule } from '../../rules/model';
import type { DialectWriter, EditedRules, RuleChange, RuleEdit, RuleSpec, RulesIndex } from '../types';
import { LineEdits } from './lines';

function str(v: string): string {
  return `"${v.replace(/["\\]/g, (c) => `\\${c}`)}"`;
}

/** The matches and statement of a neutral rule, in nft words. */
export function nftSpec(spec: RuleSpec, family: string): string {
  const w: string[] = [];
  if (spec.inIface) w.push('iifname', str(spec.inIface));
  if (spec.outIface) w.push('oifname', str(spec.outIface));
  if (spec.src) w.push('ip saddr', spec.src);
  if (spec.dst) w.push('ip daddr', spec.dst);
  if (spec.dstTypeLocal) w.push('fib daddr type local');
  if (spec.proto && spec.dport !== undefined) w.push(spec.proto, 'dport', String(spec.dport));
  else if (spec.proto) w.push('meta l4proto', spec.proto);
  if (spec.ctstate) w.push('ct state', spec.ctstate.map((s) => s.toLowerCase()).join(','));
  if (spec.target.kind === 'ACCEPT') w.push('accept');
  else if (spec.target.kind === 'MASQUERADE') w.push('masquerade');
  else w.push(family === 'inet' ? 'snat ip to' : 'snat to', spec.target.to);
  if (spec.comment) w.push('comment', str(spec.comment));
  return w.join(' ');
}

/** Words of an nft rule, quoted strings and `{ ... }` sets kept whole. */
function words(text: string): string[] {
  return text.match(/"(?:[^"\\]|\\.)*"|\{[^}]*\}|\S+/g) ?? [];
}

const STATEMENTS = new Set(['accept', 'drop', 'reject', 'return', 'jump', 'goto', 'counter', 'log', 'dnat', 'snat', 'masquerade', 'redirect', 'notrack', 'comment', 'limit']);

const TWO_WORD_KEYS = new Set(['ip daddr', 'ip saddr', 'tcp dport', 'udp dport', 'th dport']);
const DPORT_KEYS = new Set(['tcp dport', 'udp dport', 'th dport']);

/** The rule's text with matches taken out or added (everything else kept). */
export function nftChange(text: string, change: RuleChange): string {
  const ws = words(text);
  const out: string[] = [];
  const drop = (k: string): boolean => !!(
    ((change.dropInIface || change.setInIface !== undefined) && (k === 'iif' || k === 'iifname'))
    || ((change.dropOutIface || change.setOutIface) && (k === 'oif' || k === 'oifname'))
    || ((change.dropDst || change.addDst) && k === 'ip daddr')
    || (change.setSrc !== undefined && k === 'ip saddr'));
  for (let i = 0; i < ws.length; i++) {
    const two = `${ws[i]} ${ws[i + 1] ?? ''}`;
    const key = TWO_WORD_KEYS.has(two) ? two : ws[i];
    // A port set in place keeps the rule's word order (an operator before it goes).
    if (change.setDport !== undefined && DPORT_KEYS.has(key)) {
      out.push(ws[i], ws[i + 1]);
      i += 2;
      if (ws[i] === '!=' || ws[i] === '==') i++;
      out.push(String(change.setDport));
      continue;
    }
    if (drop(key)) {
      i += key.includes(' ') ? 1 : 0;
      if (ws[i + 1] === '!=' || ws[i + 1] === '==') i++;
      i++;
      continue;
    }
    if (change.dropInIface && two === 'fib daddr' && ws[i + 2] === '.' && ws[i + 3] === 'iif') { out.push('fib', 'daddr'); i += 3; continue; }
    out.push(ws[i]);
  }
  const extra: string[] = [];
  if (change.addDst) extra.push('ip daddr', change.addDst);
  if (change.addDstTypeLocal) extra.push('fib daddr type local');
  if (change.setOutIface) extra.push('oifname', str(change.setOutIface));
  if (change.setInIface !== undefined) extra.push('iifname', str(change.setInIface));
  if (change.setSrc !== undefined) extra.push('ip saddr', change.setSrc);
  if (extra.length) {
    const j = out.findIndex((w) => STATEMENTS.has(w));
    out.splice(j >= 0 ? j : out.length, 0, ...extra);
  }
  return out.join(' ');
}

/** The nft name of a chain for commands: "ip nat postrouting". */
function chainPath(c: Chain): string {
  return `${c.table} ${c.name}`;
}

export const nftablesWriter: DialectWriter = {
  dialect: 'nftables',
  apply(text: string, idx: RulesIndex, edits: RuleEdit[]): EditedRules {
    const le = new LineEdits(text);
    const commands: string[] = [];
    const order = new Map<Chain, object[]>();
    const chainOrder = (c: Chain): object[] => {
      if (!order.has(c)) order.set(c, c.rules.slice());
      return order.get(c)!;
    };
    /** Is the rule alone on its line (so a line can go before or after it)? */
    const ownLine = (r: Rule): boolean => le.lines[r.source.line - 1]?.trim().replace(/;\s*$/, '') === r.source.text;
    const indent = (r: Rule): string => /^\s*/.exec(le.lines[r.source.line - 1] ?? '')?.[0] ?? '\t\t';
    const created = new Set<string>();
    /** The chain a spec names, or a nat chain added for it. */
    const target = (spec: RuleSpec): Chain => {
      const c = idx.chain?.(spec.table, spec.chain);
      if (c) return c;
      if (spec.table !== 'nat') throw new Error(`no chain ${spec.table} ${spec.chain}`);
      const hook = spec.chain.toLowerCase();
      const prio = hook === 'prerouting' ? 'dstnat' : hook === 'postrouting' ? 'srcnat' : hook === 'output' ? '-100' : '100';
      const name = hook;
      if (!created.has(name)) {
        created.add(name);
        le.append(`add table ip nat`);
        le.append(`add chain ip nat ${name} { type nat hook ${hook} priority ${prio}; policy accept; }`);
        commands.push('nft add table ip nat', `nft 'add chain ip nat ${name} { type nat hook ${hook} priority ${prio}; policy accept; }'`);
      }
      return { table: 'ip nat', name, builtin: true, rules: [] };
    };
    const place = (c: Chain, rule: string, before: Rule | undefined, marker: object): void => {
      const list = chainOrder(c);
      const n = before ? list.indexOf(before) : list.length;
      commands.push(before ? `nft insert rule ${chainPath(c)} index ${n} ${rule}` : `nft add rule ${chainPath(c)} ${rule}`);
      if (before) list.splice(n, 0, marker); else list.push(marker);
      if (before && ownLine(before)) { le.insertBefore(le.span(before.source.line)[0], `${indent(before)}${rule}`); return; }
      const last = c.rules.filter(ownLine).reduce<Rule | undefined>((a, r) => (!a || r.source.line > a.source.line ? r : a), undefined);
      if (!before && last && last === c.rules[c.rules.length - 1]) { le.insertBefore(le.after(last.source.line), `${indent(last)}${rule}`); return; }
      if (before) {
        if (n !== 0) throw new Error('the rule shares its line: no place for a new rule before it');
        le.append(`insert rule ${chainPath(c)} ${rule}`);
        return;
      }
      le.append(`add rule ${chainPath(c)} ${rule}`);
    };
    const remove = (r: Rule): void => {
      const c = idx.chain?.(r.table, r.chain);
      if (!c || !ownLine(r)) throw new Error('the rule shares its line with others');
      const list = chainOrder(c);
      commands.push(`nft delete rule ${chainPath(c)} handle H  # H: the handle of rule ${list.indexOf(r) + 1} (nft -a list chain ${chainPath(c)})`);
      list.splice(list.indexOf(r), 1);
      le.replace(r.source.line, null);
    };
    for (const e of edits) {
      switch (e.op) {
        case 'insert': {
          const c = target(e.spec);
          const family = c.table.split(' ')[0];
          place(c, nftSpec(e.spec, family), e.before, {});
          break;
        }
        case 'delete':
          remove(e.rule);
          break;
        case 'change': {
          const r = e.rule;
          const changed = nftChange(r.source.text, e.change);
          if (e.change.chain && e.change.chain !== r.chain) {
            const to = target({ table: 'nat', chain: e.change.chain, target: { kind: 'ACCEPT' } });
            remove(r);
            place(to, changed, undefined, {});
            break;
          }
          const c = idx.chain?.(r.table, r.chain);
          if (!c || !ownLine(r)) throw new Error('the rule shares its line with others');
          commands.push(`nft replace rule ${chainPath(c)} handle H ${changed}  # H: the handle of rule ${chainOrder(c).indexOf(r) + 1}`);
          le.replace(r.source.line, `${indent(r)}${changed}`);
          break;
        }
        case 'move': {
          remove(e.rule);
          const c = idx.chain?.(e.rule.table, e.rule.chain) as Chain;
          place(c, e.rule.source.text, e.before, {});
          break;
        }
        case 'enable':
          break;
      }
    }
    return { text: le.result(), added: le.added.map((l) => l.trim()), removed: le.removed.map((l) => l.trim()), commands };
  },
};
