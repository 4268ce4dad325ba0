/**
 * iptables rule writing in the text's own style: iptables-save lines
 * (`-A CHAIN ...` inside its `*table` block) or command lines (`iptables -t
 * nat -I CHAIN N ...`, appended, as a shell script would run them), and the
 * console commands for the same change (-I, -A, -D, -R).
 */
import type { Rule, TableName } from '../../rules/model';
import type { DialectWriter, EditedRules, RuleChange, RuleEdit, RuleSpec, RulesIndex } from '../types';
import { LineEdits, quote, tokens } from './lines';

/** The rule specification (matches and target) of a neutral rule. */
export function iptablesSpec(spec: RuleSpec): string {
  const w: string[] = [];
  if (spec.src) w.push('-s', spec.src);
  if (spec.dst) w.push('-d', spec.dst);
  if (spec.inIface) w.push('-i', spec.inIface);
  if (spec.outIface) w.push('-o', spec.outIface);
  if (spec.proto) w.push('-p', spec.proto);
  if (spec.dport !== undefined) w.push('--dport', String(spec.dport));
  if (spec.ctstate) w.push('-m', 'conntrack', '--ctstate', spec.ctstate.join(','));
  if (spec.dstTypeLocal) w.push('-m', 'addrtype', '--dst-type', 'LOCAL');
  if (spec.comment) w.push('-m', 'comment', '--comment', quote(spec.comment));
  w.push('-j', spec.target.kind);
  if (spec.target.kind === 'SNAT') w.push('--to-source', spec.target.to);
  return w.join(' ');
}

const BIN = /(^|\/)iptables(-legacy|-nft)?$/;

/** The rule spec part of a rule's own text: without sudo/iptables, -t, and the -A/-I command. */
export function rulespecOf(text: string): string {
  const ws = tokens(text);
  const out: string[] = [];
  for (let i = 0; i < ws.length; i++) {
    const w = ws[i];
    if (i === 0 && w === 'sudo') continue;
    if (out.length === 0 && BIN.test(w)) continue;
    if (w === '-t' || w === '--table') { i++; continue; }
    if (w === '-A' || w === '--append') { i++; continue; }
    if (w === '-I' || w === '--insert') { i++; if (/^\d+$/.test(ws[i + 1] ?? '')) i++; continue; }
    out.push(w);
  }
  return out.join(' ');
}

const IN = new Set(['-i', '--in-interface']);
const OUT = new Set(['-o', '--out-interface']);
const DST = new Set(['-d', '--destination', '--dst']);
const SRC = new Set(['-s', '--source', '--src']);
const DPORT = new Set(['--dport', '--destination-port']);

/** The rule's own text with matchers changed (its command and style kept). */
export function iptablesChange(text: string, change: RuleChange): string {
  const ws = tokens(text);
  const out: string[] = [];
  const placed = new Set<string>();
  for (let i = 0; i < ws.length; i++) {
    const w = ws[i];
    const neg = w === '!' ? 1 : 0;
    const opt = ws[i + neg];
    // A value set in place keeps the rule's word order (and drops a `!` before it).
    const setTo = (change.setInIface !== undefined && IN.has(opt)) ? change.setInIface
      : (change.setSrc !== undefined && SRC.has(opt)) ? change.setSrc
        : (change.setDport !== undefined && DPORT.has(opt)) ? String(change.setDport) : undefined;
    if (setTo !== undefined) { out.push(opt, setTo); i += neg + 1; placed.add(opt); continue; }
    if ((change.dropInIface && IN.has(opt)) || ((change.dropOutIface || change.setOutIface) && OUT.has(opt)) || ((change.dropDst || change.addDst) && DST.has(opt))) { i += neg + 1; continue; }
    if (change.dropInIface && w === '--limit-iface-in') continue;
    if ((change.dropOutIface || change.setOutIface) && w === '--limit-iface-out') continue;
    if (change.chain && (w === '-A' || w === '--append' || w === '-I' || w === '--insert')) {
      out.push('-A', change.chain);
      i++;
      if ((w === '-I' || w === '--insert') && /^\d+$/.test(ws[i + 1] ?? '')) i++;
      continue;
    }
    out.push(w);
  }
  const extra: string[] = [];
  if (change.addDst) extra.push('-d', change.addDst);
  if (change.addDstTypeLocal) extra.push('-m', 'addrtype', '--dst-type', 'LOCAL');
  if (change.setOutIface) extra.push('-o', change.setOutIface);
  if (change.setInIface !== undefined && ![...IN].some((o) => placed.has(o))) extra.push('-i', change.setInIface);
  if (change.setSrc !== undefined && ![...SRC].some((o) => placed.has(o))) extra.push('-s', change.setSrc);
  if (extra.length) {
    const j = out.findIndex((w) => w === '-j' || w === '--jump' || w === '-g' || w === '--goto');
    out.splice(j >= 0 ? j : out.length, 0, ...extra);
  }
  return out.join(' ');
}

export const iptablesWriter: DialectWriter = {
  dialect: 'iptables',
  apply(text: string, idx: RulesIndex, edits: RuleEdit[]): EditedRules {
    const le = new LineEdits(text);
    const save = le.lines.some((l) => /^\*(raw|nat|filter)\s*$/.test(l.trim()));
    const firstCmd = le.lines.map((l) => l.trim()).find((l) => l && !l.startsWith('#'));
    const bin = firstCmd && /^(sudo\s+)?\S*iptables\S*\s/.test(firstCmd) ? 'iptables ' : '';
    const commands: string[] = [];
    const order = new Map<string, object[]>();
    const chainOrder = (t: TableName, c: string): object[] => {
      const k = `${t} ${c}`;
      if (!order.has(k)) order.set(k, idx.chainRules(t, c).slice());
      return order.get(k)!;
    };
    const tbl = (t: TableName): string => (t === 'filter' ? '' : `-t ${t} `);
    const cmd = (t: TableName, rest: string): string => `iptables ${tbl(t)}${rest}`;
    /** Put a rulespec into chain c of table t before `before` (or at the end). */
    const place = (t: TableName, c: string, rulespec: string, before: Rule | undefined, marker: object): void => {
      const list = chainOrder(t, c);
      const n = before ? list.indexOf(before) + 1 : 0;
      const console = before ? cmd(t, `-I ${c} ${n} ${rulespec}`) : cmd(t, `-A ${c} ${rulespec}`);
      commands.push(console);
      if (before) list.splice(n - 1, 0, marker); else list.push(marker);
      if (!save) {
        le.append(before ? `${bin}${tbl(t)}-I ${c} ${n} ${rulespec}` : `${bin}${tbl(t)}-A ${c} ${rulespec}`);
        return;
      }
      const line = `-A ${c} ${rulespec}`;
      if (before) { le.insertBefore(le.span(before.source.line)[0], line); return; }
      const last = idx.chainRules(t, c).reduce<Rule | undefined>((a, r) => (!a || r.source.line > a.source.line ? r : a), undefined);
      if (last) { le.insertBefore(le.after(last.source.line), line); return; }
      // The chain is empty: before its table's COMMIT, or a new table block.
      const start = le.lines.findIndex((l) => l.trim() === `*${t}`);
      const commit = start < 0 ? -1 : le.lines.findIndex((l, i) => i > start && l.trim() === 'COMMIT');
      if (commit >= 0) le.insertBefore(commit, line);
      else { le.append(`*${t}`); le.append(line); le.append('COMMIT'); }
    };
    const remove = (r: Rule): void => {
      const list = chainOrder((r.table as TableName), r.chain);
      const n = list.indexOf(r) + 1;
      commands.push(cmd((r.table as TableName), `-D ${r.chain} ${n}`));
      list.splice(n - 1, 1);
      le.replace(r.source.line, null);
    };
    for (const e of edits) {
      switch (e.op) {
        case 'insert':
          place(e.spec.table, e.spec.chain, iptablesSpec(e.spec), e.before, {});
          break;
        case 'delete':
          remove(e.rule);
          break;
        case 'change': {
          const r = e.rule;
          const changed = iptablesChange(r.source.text, e.change);
          if (e.change.chain && e.change.chain !== r.chain) {
            remove(r);
            place((r.table as TableName), e.change.chain, rulespecOf(changed), undefined, {});
            // Save style: the -A line of the new chain belongs in the same table block; the
            // removed line's place is as good as any.
            break;
          }
          const list = chainOrder((r.table as TableName), r.chain);
          commands.push(cmd((r.table as TableName), `-R ${r.chain} ${list.indexOf(r) + 1} ${rulespecOf(changed)}`));
          le.replace(r.source.line, changed);
          break;
        }
        case 'move':
          remove(e.rule);
          place(e.rule.table as TableName, e.rule.chain, rulespecOf(e.rule.source.text), e.before, {});
          break;
        case 'enable':
          // iptables has no disabled rules (a commented-out line is not a rule).
          break;
      }
    }
    return { text: le.result(), added: le.added, removed: le.removed, commands };
  },
};
