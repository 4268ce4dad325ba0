/**
 * The neutral model back to iptables-restore input, so any ruleset (RouterOS
 * ones too) can be loaded into a real kernel for the conformance suite.
 * RouterOS-only matches are expanded: an interface list becomes one rule per
 * member, an address list one rule per (merged) range; negated lists go
 * through a helper chain whose members RETURN before the real target.
 */
import { NatTraceError } from '../../errors';
import { BUILTIN_CHAINS } from '../model';
import type { MatchInstance, Rule, Ruleset, TableName } from '../model';
import type { AddrListMatchOpts, IfaceListMatchOpts, IpMatchOpts } from '../opts';
import { getMatch, getTarget } from '../registry';
import { compileAddressList } from '../matches/addrlist';
import { listMembers } from '../matches/ifacelist';
import { saveString } from '../matches/util';
import { intToIp4, maskToPrefix } from '../../net/addr';
import { own } from '../../dict';
import '../matches/index';
import '../targets/index';

/** One alternative of a list, as iptables-save argument text. */
type Alternatives = string[];

function ifaceAlternatives(o: IfaceListMatchOpts, lists: Record<string, string[]>): Alternatives {
  const members = listMembers(o.list, lists);
  const flag = o.dir === 'in' ? '-i' : '-o';
  if (members === 'all') return [`${flag} +`];
  return [...new Set(members)].sort().map((m) => `${flag} ${m}`);
}

function addrAlternatives(o: AddrListMatchOpts, lists: Record<string, string[]>): Alternatives {
  const entries = own(lists, o.list) ?? [];
  // Merge overlaps so that a packet matches at most one expanded rule (a LOG or jump must not run twice).
  const ranges = compileAddressList(entries).map((r) => [r[0], r[1]] as [number, number]).sort((a, b) => a[0] - b[0]);
  const merged: Array<[number, number]> = [];
  for (const r of ranges) {
    const last = merged[merged.length - 1];
    if (last && r[0] <= last[1] + 1) last[1] = Math.max(last[1], r[1]);
    else merged.push([r[0], r[1]]);
  }
  const flag = o.dir === 'src' ? '-s' : '-d';
  return merged.map(([a, b]) => {
    const size = b - a + 1;
    const prefix = maskToPrefix((~(size - 1)) >>> 0);
    if ((size & (size - 1)) === 0 && prefix >= 0 && a % size === 0) return `${flag} ${intToIp4(a)}/${prefix}`;
    return `-m iprange --${o.dir}-range ${intToIp4(a)}-${intToIp4(b)}`;
  });
}

/** iptables allows one -s/-d/-i/-o per rule; an expansion that would add a second needs a helper chain. */
function flagOf(alt: string): string | undefined {
  const m = /^(-[sdio]) /.exec(alt);
  return m ? m[1] : undefined;
}

function truncate(s: string, n: number): string {
  return s.length > n ? s.slice(0, n) : s;
}

interface Emitted { chains: string[]; lines: string[] }

/** iptables-save lines one rule may expand to (a cross product of lists). */
const MAX_EXPANDED_ROWS = 100000;

export function toIptablesSave(rs: Ruleset, interfaceLists: Record<string, string[]>): string {
  const out: string[] = [];
  for (const table of ['raw', 'nat', 'filter'] as TableName[]) {
    const chains = rs.tables[table] ?? {};
    // The raw table only when it holds something: loading it registers hooks the kernel would not have.
    if (table === 'raw' && !Object.values(chains).some((c) => c.rules.length || !c.builtin || (c.policy ?? 'ACCEPT') !== 'ACCEPT')) continue;
    const em: Emitted = { chains: [], lines: [] };
    let helper = 0;
    const helperName = () => `nt-h${++helper}`;

    const emitRule = (chain: string, rule: Rule) => {
      const plain: MatchInstance[] = [];
      const posLists: Alternatives[] = [];
      /** Lists that need a helper chain: negated ones, or ones whose -s/-d/-i/-o the rule already uses. */
      const helperLists: Array<{ alts: Alternatives; invert: boolean }> = [];
      const usedFlags = new Set<string>();
      for (const m of rule.matches) {
        if (m.module === 'ip') {
          const ip = m.opts as Record<string, unknown>;
          if (ip.src) usedFlags.add('-s');
          if (ip.dst) usedFlags.add('-d');
          if (ip.inIface) usedFlags.add('-i');
          if (ip.outIface) usedFlags.add('-o');
        }
      }
      for (const m of rule.matches) {
        if (m.module === 'ifacelist' || m.module === 'addrlist') {
          const alts = m.module === 'ifacelist'
            ? ifaceAlternatives(m.opts as IfaceListMatchOpts, interfaceLists)
            : addrAlternatives(m.opts as AddrListMatchOpts, rs.addressLists);
          const inv = (m.opts as { invert: boolean }).invert;
          const clash = alts.some((a) => { const f = flagOf(a); return f !== undefined && usedFlags.has(f); });
          if (inv || clash) helperLists.push({ alts, invert: inv });
          else { posLists.push(alts); for (const a of alts) { const f = flagOf(a); if (f) usedFlags.add(f); } }
        } else {
          plain.push(m);
        }
      }
      const parts = plain.map((m) => getMatch(m.module).toIptables(m.opts)).filter((s) => s !== '');
      // RouterOS comment= has no comment match; iptables rules keep theirs in place.
      if (rule.comment !== undefined && !plain.some((m) => m.module === 'comment')) parts.push(`-m comment --comment ${saveString(truncate(rule.comment, 255))}`);
      let targetText = getTarget(rule.target.module).toIptables(rule.target.opts);
      if (rule.target.module === 'LOG') targetText = targetText.replace(/--log-prefix ("(?:[^"\\]|\\.)*"|\S+)/, (_all, p: string) => {
        const raw = p.startsWith('"') ? p.slice(1, -1).replace(/\\(.)/g, '$1') : p;
        return `--log-prefix ${saveString(truncate(raw, 29))}`;
      });

      if (helperLists.length) {
        // The rule jumps into a helper chain. A negated list RETURNs on its members; a plain one
        // goes (-g) on to the next helper on a member and falls off the end otherwise. Either way
        // only packets the rule matches reach the target in the last helper, and falling off a
        // helper resumes the original chain after the rule, as a non-match would.
        if (rule.target.module === 'RETURN' || rule.target.module === 'GOTO') {
          throw new NatTraceError(`cannot express this list match with ${rule.target.module} in iptables`, {
            line: rule.source.line, token: rule.target.module, expected: 'a terminating target or a jump',
          });
        }
        let cur = helperName();
        em.chains.push(cur);
        const lead = [...parts];
        for (let k = 0; k < posLists.length; k++) lead.push('%ALT%');
        pushExpanded(chain, [...lead, `-j ${cur}`].join(' '), posLists, rule);
        for (const { alts, invert } of helperLists) {
          const next = helperName();
          em.chains.push(next);
          for (const alt of alts) em.lines.push(`-A ${cur} ${alt} ${invert ? '-j RETURN' : `-g ${next}`}`);
          if (invert) em.lines.push(`-A ${cur} -g ${next}`);
          cur = next;
        }
        // Targets check the protocol of their own rule (REJECT tcp-reset, DNAT/SNAT with ports):
        // the last helper repeats the rule's -p, which every packet reaching it matches anyway.
        const ip = rule.matches.find((m) => m.module === 'ip')?.opts as IpMatchOpts | undefined;
        const proto = ip?.proto ? `${ip.proto.invert ? '! ' : ''}-p ${ip.proto.proto} ` : '';
        em.lines.push(`-A ${cur}${targetText ? ` ${proto}${targetText}` : ''}`);
        return;
      }
      const lead = [...parts];
      for (let k = 0; k < posLists.length; k++) lead.push('%ALT%');
      if (targetText) lead.push(targetText);
      pushExpanded(chain, lead.join(' '), posLists, rule);
    };

    /** Cross product of the positive lists, in order (deterministic). */
    const pushExpanded = (chain: string, template: string, lists: Alternatives[], rule0?: Rule) => {
      let rows = [template];
      for (const alts of lists) {
        const next: string[] = [];
        if (rows.length * alts.length > MAX_EXPANDED_ROWS) {
          throw new NatTraceError(`this rule's interface and address lists expand to more than ${MAX_EXPANDED_ROWS} iptables rules`, {
            line: rule0?.source.line, token: chain, expected: 'shorter lists (merge address-list entries into wider networks)',
          });
        }
        for (const r of rows) for (const a of alts) next.push(r.replace('%ALT%', a));
        rows = next; // An empty list: the rule can never match, so it emits nothing.
      }
      for (const r of rows) em.lines.push(`-A ${chain}${r ? ' ' + r.replace(/\s+/g, ' ').trim() : ''}`);
    };

    const names = Object.keys(chains);
    const builtins = BUILTIN_CHAINS[table].filter((n) => chains[n]);
    const users = names.filter((n) => !chains[n].builtin).sort();
    for (const name of [...builtins, ...users]) for (const r of chains[name].rules) emitRule(name, r);
    out.push(`*${table}`);
    for (const name of builtins) out.push(`:${name} ${chains[name].policy ?? 'ACCEPT'} [0:0]`);
    for (const name of [...users, ...em.chains]) out.push(`:${name} - [0:0]`);
    out.push(...em.lines);
    out.push('COMMIT');
  }
  return out.join('\n') + '\n';
}
