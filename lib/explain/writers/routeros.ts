/**
 * RouterOS rule writing: `add chain=... action=...` lines in the section's
 * print order (the rules text), and the console commands that make the same
 * change on a router (`add ... place-before=N`, `remove N`, `enable N`).
 */
import type { Rule, TableName } from '../../rules/model';
import type { DialectWriter, EditedRules, RuleChange, RuleEdit, RuleSpec, RulesIndex } from '../types';
import { LineEdits, quote, tokens } from './lines';

const CHAIN: Record<TableName, Record<string, string>> = {
  nat: { PREROUTING: 'dstnat', POSTROUTING: 'srcnat', INPUT: 'input', OUTPUT: 'output' },
  filter: { INPUT: 'input', FORWARD: 'forward', OUTPUT: 'output' },
  raw: { PREROUTING: 'prerouting', OUTPUT: 'output' },
};
const PATH: Record<TableName, string> = { nat: '/ip firewall nat', filter: '/ip firewall filter', raw: '/ip firewall raw' };

export function routerosChain(table: TableName, chain: string): string {
  return CHAIN[table][chain] ?? chain;
}

/** `add chain=srcnat action=masquerade src-address=... out-interface=...` */
export function routerosRule(spec: RuleSpec): string {
  const w: string[] = ['add', `chain=${routerosChain(spec.table, spec.chain)}`];
  const t = spec.target;
  w.push(`action=${t.kind === 'ACCEPT' ? 'accept' : t.kind === 'MASQUERADE' ? 'masquerade' : 'src-nat'}`);
  if (spec.ctstate) w.push(`connection-state=${spec.ctstate.map((s) => s.toLowerCase()).join(',')}`);
  if (spec.src) w.push(`src-address=${spec.src}`);
  if (spec.dst) w.push(`dst-address=${spec.dst}`);
  if (spec.dstTypeLocal) w.push('dst-address-type=local');
  if (spec.proto) w.push(`protocol=${spec.proto}`);
  if (spec.dport !== undefined) w.push(`dst-port=${spec.dport}`);
  if (spec.inIface) w.push(`in-interface=${spec.inIface}`);
  if (spec.outIface) w.push(`out-interface=${spec.outIface}`);
  if (t.kind === 'SNAT') w.push(`to-addresses=${t.to}`);
  if (spec.comment) w.push(`comment=${quote(spec.comment)}`);
  return w.join(' ');
}

const key = (w: string): string => w.replace(/^!/, '').split('=')[0];

/** The rule's own words with matchers changed; `add` first, the section path (if any) kept. */
export function routerosChange(text: string, change: RuleChange, table: TableName): string {
  let ws = tokens(text).filter((w) => key(w) !== 'place-before');
  const drop = new Set<string>();
  if (change.dropInIface) { drop.add('in-interface'); drop.add('in-interface-list'); }
  // A new out interface takes the written one's place; a list it replaces goes.
  const outInPlace = !!change.setOutIface && !change.dropOutIface && ws.some((w) => key(w) === 'out-interface');
  if (change.dropOutIface || (change.setOutIface && !outInPlace)) { drop.add('out-interface'); drop.add('out-interface-list'); }
  if (outInPlace) drop.add('out-interface-list');
  if (change.dropDst) { drop.add('dst-address'); drop.add('dst-address-list'); drop.add('dst-address-type'); }
  if (change.addDst) { drop.add('dst-address'); drop.add('dst-address-list'); }
  if (change.addDstTypeLocal) drop.add('dst-address-type');
  ws = ws.filter((w) => !drop.has(key(w)));
  const extra: string[] = [];
  if (change.addDst) extra.push(`dst-address=${change.addDst}`);
  if (change.addDstTypeLocal) extra.push('dst-address-type=local');
  if (change.setOutIface && !outInPlace) extra.push(`out-interface=${change.setOutIface}`);
  // Values set in place keep the rule's word order (and drop a `!` before them).
  const inPlace = new Map<string, string>();
  if (change.setInIface !== undefined) inPlace.set('in-interface', change.setInIface);
  if (change.setSrc !== undefined) inPlace.set('src-address', change.setSrc);
  if (change.setDport !== undefined) inPlace.set('dst-port', String(change.setDport));
  if (outInPlace) inPlace.set('out-interface', change.setOutIface as string);
  ws = ws.map((w) => { const v = inPlace.get(key(w)); if (v === undefined) return w; inPlace.delete(key(w)); return `${key(w)}=${v}`; });
  if (change.setInIface !== undefined && inPlace.has('in-interface')) { ws = ws.filter((w) => key(w) !== 'in-interface-list'); extra.push(`in-interface=${change.setInIface}`); }
  if (change.setSrc !== undefined && inPlace.has('src-address')) { ws = ws.filter((w) => key(w) !== 'src-address-list'); extra.push(`src-address=${change.setSrc}`); }
  if (change.chain) ws = ws.map((w) => (key(w) === 'chain' ? `chain=${routerosChain(table, change.chain as string)}` : w));
  // New matchers go right after action= (where /export puts matchers), before the rest.
  const at = ws.findIndex((w) => key(w) === 'action');
  ws.splice(at >= 0 ? at + 1 : ws.length, 0, ...extra);
  return ws.join(' ');
}

function enabledText(text: string): string {
  return tokens(text).filter((w) => key(w) !== 'disabled').join(' ');
}

/** `add ...` without its section path (a one-line `/ip firewall nat add ...` loses the path). */
function addPart(text: string): string {
  const i = tokens(text).indexOf('add');
  return i >= 0 ? tokens(text).slice(i).filter((w) => key(w) !== 'place-before').join(' ') : text;
}

/** The same line in the neighbour's form: one-line commands keep their path. */
function formLike(neighbour: Rule, addLine: string): string {
  const ws = tokens(neighbour.source.text);
  const i = ws.indexOf('add');
  return i > 0 && ws[0].startsWith('/') ? `${ws.slice(0, i).join(' ')} ${addLine}` : addLine;
}

export const routerosWriter: DialectWriter = {
  dialect: 'routeros',
  apply(text: string, idx: RulesIndex, edits: RuleEdit[]): EditedRules {
    const le = new LineEdits(text);
    const commands: string[] = [];
    // Print order of each section as the edits go (place-before numbers count it).
    const order: Record<TableName, Array<number | object>> = {
      nat: idx.sectionRules('nat').map((r) => r.source.line),
      filter: idx.sectionRules('filter').map((r) => r.source.line),
      raw: idx.sectionRules('raw').map((r) => r.source.line),
    };
    const pos = (table: TableName, r: Rule): number => order[table].indexOf(r.source.line);
    const insertLine = (table: TableName, addLine: string, before: Rule | undefined, marker: object): void => {
      const list = order[table];
      if (before) {
        const n = pos(table, before);
        le.insertBefore(le.span(before.source.line)[0], formLike(before, addLine));
        list.splice(n, 0, marker);
        commands.push(`${PATH[table]} ${addLine} place-before=${n}`);
        return;
      }
      // End of the chain = end of the section's print order: after its last rule in the text.
      const rules = idx.sectionRules(table);
      const last = rules.reduce<Rule | undefined>((a, r) => (!a || r.source.line > a.source.line ? r : a), undefined);
      if (last) le.insertBefore(le.after(last.source.line), formLike(last, addLine));
      else le.append(`${PATH[table]} ${addLine}`);
      list.push(marker);
      commands.push(`${PATH[table]} ${addLine}`);
    };
    for (const e of edits) {
      switch (e.op) {
        case 'insert':
          insertLine(e.spec.table, routerosRule(e.spec), e.before, {});
          break;
        case 'delete': {
          const n = pos((e.rule.table as TableName), e.rule);
          le.replace(e.rule.source.line, null);
          order[(e.rule.table as TableName)].splice(n, 1);
          commands.push(`${PATH[(e.rule.table as TableName)]} remove ${n}`);
          break;
        }
        case 'change': {
          const t = e.rule.table as TableName;
          const n = pos(t, e.rule);
          const changed = routerosChange(e.rule.source.text, e.change, t);
          le.replace(e.rule.source.line, changed);
          commands.push(`${PATH[t]} remove ${n}`, `${PATH[t]} ${addPart(changed)}${n < order[t].length - 1 ? ` place-before=${n}` : ''}`);
          break;
        }
        case 'move': {
          const t = e.rule.table as TableName;
          const from = pos(t, e.rule);
          le.replace(e.rule.source.line, null);
          order[t].splice(from, 1);
          commands.push(`${PATH[t]} remove ${from}`);
          insertLine(t, addPart(e.rule.source.text), e.before, {});
          break;
        }
        case 'enable': {
          const n = pos((e.rule.table as TableName), e.rule);
          le.replace(e.rule.source.line, enabledText(e.rule.source.text));
          commands.push(`${PATH[(e.rule.table as TableName)]} enable ${n}`);
          break;
        }
      }
    }
    return { text: le.result(), added: le.added, removed: le.removed, commands };
  },
};
