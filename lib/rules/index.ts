/**
 * Rules text of either dialect -> the neutral rule model. Importing this file
 * registers every match and target module (as loading iptables' extensions
 * does), so whoever parses rules can also run them.
 */
import './matches';
import './targets';
import { getMatch, hasMatch } from './registry';
import { parseIptables } from './iptables/parse';
import { parseRouterOS } from './routeros/parse';
import { parseNftables } from './nftables/parse';
import { NatTraceError } from '../errors';
import type { RuleText } from '../scenario/types';
import type { IpMatchOpts, IfaceListMatchOpts } from './opts';
import type { Rule, Ruleset } from './model';
import { attachTableHooks } from './model';

export interface RulesEnv {
  /** The router's interface names, from the scenario. */
  interfaces: string[];
  /** RouterOS /interface list: list name -> member interfaces, from the scenario. */
  interfaceLists: Record<string, string[]>;
}

/** Interface lists RouterOS has without being told (the ifacelist module knows "all"; "none" is empty). */
const BUILTIN_IFACE_LISTS = ['all', 'none', 'static', 'dynamic'];

export function parseRules(rules: RuleText, env: RulesEnv): Ruleset {
  let rs: Ruleset;
  try {
    if (rules.dialect === 'routeros') rs = parseRouterOS(rules.text);
    else if (rules.dialect === 'iptables') rs = parseIptables(rules.text);
    else if (rules.dialect === 'nftables') rs = parseNftables(rules.text, { interfaces: env.interfaces });
    else throw new NatTraceError('unknown rules dialect', { token: String(rules.dialect), expected: 'routeros, iptables or nftables' });
  } catch (e) {
    // The parsers count lines within the rules text; the scenario knows where that text starts.
    if (e instanceof NatTraceError) throw e.atOffset(rules.line - 1);
    throw e;
  }
  // iptables' and RouterOS's tables hang on the hooks at their fixed priorities.
  if (!rs.hooks) attachTableHooks(rs);
  addInterfaceWarnings(rs, env);
  return rs;
}

/**
 * A rule may name an interface the router does not have (iptables and RouterOS
 * both allow it); it simply never matches there. Say so once per rule, with the
 * rule's line (relative to the rules text, as every RuleWarning is).
 */
function addInterfaceWarnings(rs: Ruleset, env: RulesEnv): void {
  // Every Linux router also has lo: what it sends to its own addresses leaves and enters there.
  const known = new Set([...env.interfaces, 'lo']);
  const add = (message: string, line: number): void => {
    if (!rs.warnings.some((w) => w.message === message && w.line === line)) rs.warnings.push({ message, line });
  };
  const checkIface = (name: string, rule: Rule): void => {
    if (name.endsWith('+')) {
      // iptables' wildcard: a prefix of interface names.
      const prefix = name.slice(0, -1);
      if (prefix && ![...known].some((i) => i.startsWith(prefix))) {
        add(`interface pattern ${name} matches none of the router's interfaces (${env.interfaces.join(', ')})`, rule.source.line);
      }
      return;
    }
    if (!known.has(name)) add(`interface ${name} is not one of the router's interfaces (${env.interfaces.join(', ')}); the rule never sees it`, rule.source.line);
  };
  const seen = new Set<Rule>();
  for (const table of Object.values(rs.tables)) {
    for (const chain of Object.values(table)) {
      for (const rule of chain.rules) {
        if (seen.has(rule)) continue;
        seen.add(rule);
        for (const m of rule.matches) {
          if (m.module === 'ip') {
            const o = m.opts as IpMatchOpts;
            if (o.inIface) checkIface(o.inIface.name, rule);
            if (o.outIface) checkIface(o.outIface.name, rule);
          } else if (m.module === 'ifacelist') {
            const o = m.opts as IfaceListMatchOpts;
            if (!Object.prototype.hasOwnProperty.call(env.interfaceLists, o.list) && !BUILTIN_IFACE_LISTS.includes(o.list)) {
              const have = Object.keys(env.interfaceLists);
              add(`interface list ${o.list} is not in the scenario's interface_lists (${have.length ? have.join(', ') : 'none defined'}); it has no members`, rule.source.line);
            }
          } else if (hasMatch(m.module)) {
            const mod = getMatch(m.module);
            for (const name of mod.interfaces?.(m.opts) ?? []) checkIface(name, rule);
          }
        }
      }
    }
  }
}
